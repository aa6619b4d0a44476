"""High-risk jurisdictions for the ``high_risk_geography`` scenario (pure engine, no Django import).

Source: the Financial Action Task Force's two public statements after its plenary of
**21 February 2025** (Paris):

- "High-Risk Jurisdictions subject to a Call for Action" (the "black list"): Democratic People's
  Republic of Korea, Iran, Myanmar.
- "Jurisdictions under Increased Monitoring" (the "grey list"): Algeria, Angola, Bulgaria, Burkina
  Faso, Cameroon, Côte d'Ivoire, Croatia, Democratic Republic of the Congo, Haiti, Kenya, Lao PDR,
  Lebanon, Mali, Monaco, Mozambique, Namibia, Nepal, Nigeria, South Africa, South Sudan, Syria,
  Tanzania, Venezuela, Vietnam, Yemen (Lao PDR and Nepal added, the Philippines removed, that day).

Checked against secondary sources quoting both statements (status V2 in REGULATORY_FACTS terms).
FATF revises both lists three times a year; a bank supplies its own current list through
``Thresholds.high_risk_country_codes`` (stored with the other thresholds), and this default is
only the shipped starting point. No list is downloaded at run time.
"""

from __future__ import annotations

__all__ = ["FATF_AS_OF", "FATF_CALL_FOR_ACTION", "FATF_INCREASED_MONITORING", "high_risk_countries"]

FATF_AS_OF = "2025-02-21"
"""Date of the FATF plenary statements the default lists come from."""

FATF_CALL_FOR_ACTION: frozenset[str] = frozenset({"KP", "IR", "MM"})
"""FATF "call for action" jurisdictions as of :data:`FATF_AS_OF` (ISO 3166-1 alpha-2)."""

FATF_INCREASED_MONITORING: frozenset[str] = frozenset(
    {
        "DZ",  # Algeria
        "AO",  # Angola
        "BG",  # Bulgaria
        "BF",  # Burkina Faso
        "CM",  # Cameroon
        "CI",  # Côte d'Ivoire
        "HR",  # Croatia
        "CD",  # Democratic Republic of the Congo
        "HT",  # Haiti
        "KE",  # Kenya
        "LA",  # Lao PDR
        "LB",  # Lebanon
        "ML",  # Mali
        "MC",  # Monaco
        "MZ",  # Mozambique
        "NA",  # Namibia
        "NP",  # Nepal
        "NG",  # Nigeria
        "ZA",  # South Africa
        "SS",  # South Sudan
        "SY",  # Syria
        "TZ",  # Tanzania
        "VE",  # Venezuela
        "VN",  # Vietnam
        "YE",  # Yemen
    }
)
"""FATF "increased monitoring" jurisdictions as of :data:`FATF_AS_OF` (ISO 3166-1 alpha-2)."""


def high_risk_countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of the FATF black and grey lists as of 21 February 2025 (28 codes).

    Source and caveats in the module docstring. Never raises.
    """
    return FATF_CALL_FOR_ACTION | FATF_INCREASED_MONITORING
