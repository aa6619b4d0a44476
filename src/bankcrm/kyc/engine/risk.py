"""The CDD/EDD customer risk-factor model (pure engine, no Django import).

31 CFR 1010.230 and 1020.210(a)(2)(v) ask for a customer risk profile and ongoing, risk-based
monitoring and updating (REGULATORY_FACTS 1.2, "Ongoing", status M). The model here is the bank's
own, held in the database and changed only through maker-checker (DESIGN decision 11); this module
only computes with a configuration.

**Factors.** Each factor turns one input into a level (low / medium / high):

=================  ===========================================================================
geography          worst country among nationality, residence, address, formation and the
                   countries of expected cross-border activity (config lists high / medium)
occupation         an individual's occupation code, or an entity's NAICS industry (longest
                   configured prefix wins)
products           the riskiest product held or applied for
channel            how the relationship was opened (non-face-to-face is riskier)
pep                politically-exposed-person status
screening          watch-list state: clear, false positive, not screened, open hit, true match
activity           actual vs expected monthly activity: ratio of volumes and of cash, the larger
adverse_history    count of adverse events (AML investigations, escalated alerts, failed CIP,
                   adverse media)
=================  ===========================================================================

**Score.** ``score = sum(weight[f] * points[level[f]]) / 100`` with integer weights summing to
100 and ``points = {low: 0, medium: 50, high: 100}``, so the score runs 0 to 100 and each factor's
contribution is shown. ``rating`` is ``high`` when ``score >= thresholds.high``, ``medium`` when
``score >= thresholds.medium``, else ``low``; then raised to any **floor** a factor value sets
(a foreign PEP is at least high whatever the score). ``review_months`` gives the periodic review
interval per rating.

Worked example (the default configuration): an individual in the US, a real-estate agent
(occupation medium: 15 x 50 / 100 = 7.5), applying online (channel medium: 10 x 0.5 = 5) for
checking and international wires (products medium: 10 x 0.5 = 5), running at 2x the declared
activity (activity medium: 10 x 0.5 = 5), everything else low: score 22.5 < 25, so **low**, next
review in 36 months. One adverse event more (adverse_history medium: 5 x 0.5 = 2.5) makes 25.0:
**medium**, 24 months.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from bankcrm.core.errors import FieldProblem

__all__ = [
    "DEFAULT_CONFIG",
    "FACTORS",
    "LEVELS",
    "FactorResult",
    "RiskInputs",
    "RiskResult",
    "edd_checklist",
    "next_review_date",
    "rate",
    "validate_config",
]

LEVELS = ("low", "medium", "high")
FACTORS = ("geography", "occupation", "products", "channel", "pep", "screening", "activity", "adverse_history")
#: Factors whose inputs come from AML-confidential records (31 USC 5318(g)(2)): shown in full only
#: to readers with ``aml:read``.
CONFIDENTIAL_FACTORS = frozenset({"screening", "adverse_history"})
_RANK = {level: i for i, level in enumerate(LEVELS)}

#: The shipped starting configuration. Country lists: FATF "call for action" jurisdictions and
#: comprehensively sanctioned countries as high, the FATF increased-monitoring list as medium, as
#: known in early 2025 (REGULATORY_FACTS has no country list: status M, from general knowledge);
#: the BSA officer keeps them current through a reviewed model change.
DEFAULT_CONFIG: dict[str, Any] = {
    "weights": {
        "geography": 20,
        "occupation": 15,
        "products": 10,
        "channel": 10,
        "pep": 15,
        "screening": 15,
        "activity": 10,
        "adverse_history": 5,
    },
    "points": {"low": 0, "medium": 50, "high": 100},
    "thresholds": {"medium": "25", "high": "50"},
    "review_months": {"low": 36, "medium": 24, "high": 12},
    "floors": {
        "pep": {"foreign": "high", "domestic": "medium", "international_organization": "medium"},
        "screening": {"true_match": "high", "open": "medium"},
        "geography": {},
    },
    "levels": {
        "geography": {
            "high": ["CU", "IR", "KP", "MM", "SY"],
            "medium": [
                "AO", "BF", "BG", "BY", "CD", "CI", "CM", "DZ", "HT", "KE", "LA", "LB", "MC", "ML", "MZ",
                "NA", "NG", "NP", "RU", "SS", "TZ", "VE", "VN", "YE", "ZA",
            ],
            "default": "low",
        },
        "occupation": {
            "high": [
                "money_services", "casino_gaming", "precious_metals_dealer", "virtual_asset_services", "arms_dealer",
            ],
            "medium": [
                "cash_intensive_business", "real_estate_agent", "lawyer", "accountant", "nonprofit_executive",
                "government_official",
            ],
            "unknown": "medium",
            "default": "low",
        },
        "industry": {
            "high": ["5223", "7132", "423940", "458310", "448310", "332994", "523130"],
            "medium": ["531", "5411", "5412", "4411", "722", "447", "457", "8121", "813", "4453", "5239"],
            "unknown": "medium",
            "default": "low",
        },
        "products": {
            "high": ["private_banking", "correspondent_account"],
            "medium": [
                "international_wire", "remote_deposit_capture", "cash_management", "trade_finance", "prepaid_card",
            ],
            "default": "low",
        },
        "channel": {"high": ["introducer"], "medium": ["phone", "web", "mobile", "mail", "api"], "default": "low"},
        "pep": {
            "high": ["foreign"], "medium": ["domestic", "international_organization", "associate"], "default": "low",
        },
        "screening": {"high": ["true_match"], "medium": ["open", "not_screened"], "default": "low"},
    },
    "activity": {"medium_ratio": "1.5", "high_ratio": "3", "no_expectation": "medium"},
    "adverse_history": {"medium": 1, "high": 2},
    "edd_checklist": [
        {"code": "purpose", "label": "Purpose and intended nature of the relationship documented", "applies_to": "all"},
        {"code": "source_of_funds", "label": "Source of funds verified", "applies_to": "all"},
        {"code": "source_of_wealth", "label": "Source of wealth verified", "applies_to": "all"},
        {"code": "expected_activity", "label": "Expected activity agreed and monitoring set up", "applies_to": "all"},
        {"code": "adverse_media", "label": "Adverse media search done and recorded", "applies_to": "all"},
        {
            "code": "ownership_structure",
            "label": "Ownership and control structure understood, beneficial owners verified",
            "applies_to": "organization",
        },
        {"code": "site_visit", "label": "Site visit or call to the place of business", "applies_to": "organization"},
    ],
}  # fmt: skip


@dataclass(frozen=True)
class RiskInputs:
    """What the model rates. ``countries`` maps a role (``nationality``, ``residence``,
    ``address``, ``formation``, ``expected``) to ISO codes; ``occupation`` is an occupation code
    for persons and a NAICS code for organizations ("" when unknown); money is integer minor units
    of one currency (None when not known); ``screening`` one of clear, false_positive,
    not_screened, open, true_match; ``adverse_events`` a count."""

    party_kind: str
    countries: Mapping[str, tuple[str, ...]]
    occupation: str
    products: tuple[str, ...]
    channel: str
    pep_status: str
    screening: str
    expected_monthly_minor: int | None
    actual_monthly_minor: int | None
    expected_cash_minor: int | None
    actual_cash_minor: int | None
    adverse_events: int


@dataclass(frozen=True)
class FactorResult:
    """One factor's level and contribution: ``points = weight * level points / 100``;
    ``value`` is what decided the level (e.g. ``"IR (residence)"``), ``floor`` the minimum rating
    it imposes, if any."""

    factor: str
    value: str
    level: str
    weight: int
    points: Decimal
    floor: str | None


@dataclass(frozen=True)
class RiskResult:
    """The rating (low / medium / high), the score (0-100, 2 decimals), every factor's result,
    the score-only rating, the floors that raised it, and the review interval in months."""

    rating: str
    score: Decimal
    score_rating: str
    factors: tuple[FactorResult, ...]
    floors_applied: tuple[str, ...]
    review_months: int


def _level_of(value: str, table: Mapping[str, Any]) -> str:
    if not value:
        return str(table.get("unknown", table.get("default", "low")))
    for level in ("high", "medium", "low"):
        if value in table.get(level, ()):
            return level
    return str(table.get("default", "low"))


def _prefix_level(code: str, table: Mapping[str, Any]) -> tuple[str, str]:
    """The level of the longest configured NAICS prefix of ``code`` and that prefix."""
    if not code:
        return str(table.get("unknown", "medium")), ""
    best: tuple[int, str, str] = (-1, str(table.get("default", "low")), "")
    for level in ("high", "medium", "low"):
        for prefix in table.get(level, ()):
            if code.startswith(prefix) and len(prefix) > best[0]:
                best = (len(prefix), level, prefix)
    return best[1], best[2]


def _worst(pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """``(level, description)`` of the highest level in a non-empty list; the first listed wins a tie."""
    best = pairs[0]
    for level, description in pairs[1:]:
        if _RANK[level] > _RANK[best[0]]:
            best = (level, description)
    return best


def _ratio_level(actual: int | None, expected: int | None, cfg: Mapping[str, Any]) -> tuple[str, Decimal | None]:
    if actual is None or not expected:
        return str(cfg["no_expectation"]), None
    ratio = (Decimal(actual) / Decimal(expected)).quantize(Decimal("0.01"))
    if ratio >= Decimal(str(cfg["high_ratio"])):
        return "high", ratio
    if ratio >= Decimal(str(cfg["medium_ratio"])):
        return "medium", ratio
    return "low", ratio


def _factor_levels(inputs: RiskInputs, config: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    levels = config["levels"]
    result: dict[str, tuple[str, str]] = {}
    geo = [
        (_level_of(code, levels["geography"]), f"{code} ({role})")
        for role, codes in inputs.countries.items()
        for code in codes
        if code
    ]
    result["geography"] = _worst(geo) if geo else (_level_of("", levels["geography"]), "none recorded")
    if inputs.party_kind == "organization":
        level, prefix = _prefix_level(inputs.occupation, levels["industry"])
        shown = f"NAICS {inputs.occupation}" if inputs.occupation else "unknown"
        if prefix:
            shown += f" (rule {prefix})"
        result["occupation"] = (level, shown)
    else:
        result["occupation"] = (_level_of(inputs.occupation, levels["occupation"]), inputs.occupation or "unknown")
    products = [(_level_of(p, levels["products"]), p) for p in inputs.products]
    result["products"] = _worst(products) if products else ("low", "none")
    result["channel"] = (_level_of(inputs.channel, levels["channel"]), inputs.channel or "unknown")
    result["pep"] = (_level_of(inputs.pep_status, levels["pep"]), inputs.pep_status or "none")
    result["screening"] = (_level_of(inputs.screening, levels["screening"]), inputs.screening)
    activity = config["activity"]
    volume, v_ratio = _ratio_level(inputs.actual_monthly_minor, inputs.expected_monthly_minor, activity)
    if inputs.expected_cash_minor and inputs.actual_cash_minor is not None:
        cash, c_ratio = _ratio_level(inputs.actual_cash_minor, inputs.expected_cash_minor, activity)
    else:
        cash, c_ratio = "low", None
    if v_ratio is None:
        result["activity"] = (volume, "no expected activity declared or no activity data")
    elif _RANK[cash] > _RANK[volume]:
        result["activity"] = (cash, f"cash {c_ratio}x expected")
    else:
        result["activity"] = (volume, f"{v_ratio}x expected")
    adverse = config["adverse_history"]
    n = inputs.adverse_events
    level = "high" if n >= int(adverse["high"]) else "medium" if n >= int(adverse["medium"]) else "low"
    result["adverse_history"] = (level, f"{n} event(s)")
    return result


def _floor(name: str, level: str, inputs: RiskInputs, table: Mapping[str, str]) -> str | None:
    """The highest minimum rating ``table`` sets for the factor's input values (countries,
    products, the occupation, channel, PEP or screening code; the level for activity and adverse
    history)."""
    if not table:
        return None
    if name == "geography":
        values = [c for codes in inputs.countries.values() for c in codes]
    elif name == "products":
        values = list(inputs.products)
    elif name in ("activity", "adverse_history"):
        values = [level]
    else:
        values = [
            {"occupation": inputs.occupation, "channel": inputs.channel, "pep": inputs.pep_status}.get(
                name, inputs.screening
            )
        ]
    found = [table[v] for v in values if v in table]
    return max(found, key=lambda r: _RANK[r]) if found else None


def rate(inputs: RiskInputs, config: Mapping[str, Any]) -> RiskResult:
    """Rate a customer (rules and a worked example in the module docstring).

    Raises:
        KeyError: ``config`` lacks a section (check it first with :func:`validate_config`).
    """
    levels = _factor_levels(inputs, config)
    points = config["points"]
    floors_cfg = config.get("floors") or {}
    factors: list[FactorResult] = []
    total = Decimal(0)
    for name in FACTORS:
        level, shown = levels[name]
        weight = int(config["weights"][name])
        contribution = (Decimal(weight) * Decimal(points[level]) / 100).quantize(Decimal("0.01"))
        total += contribution
        floor = _floor(name, level, inputs, floors_cfg.get(name) or {})
        factors.append(FactorResult(name, shown, level, weight, contribution, floor))
    thresholds = config["thresholds"]
    if total >= Decimal(str(thresholds["high"])):
        score_rating = "high"
    elif total >= Decimal(str(thresholds["medium"])):
        score_rating = "medium"
    else:
        score_rating = "low"
    rating = score_rating
    raised: list[str] = []
    for f in factors:
        if f.floor and _RANK[f.floor] > _RANK[score_rating]:
            raised.append(f"{f.factor}: {f.value} -> at least {f.floor}")
            if _RANK[f.floor] > _RANK[rating]:
                rating = f.floor
    return RiskResult(
        rating=rating,
        score=total.quantize(Decimal("0.01")),
        score_rating=score_rating,
        factors=tuple(factors),
        floors_applied=tuple(raised),
        review_months=int(config["review_months"][rating]),
    )


def next_review_date(rated_on: dt.date, months: int) -> dt.date:
    """``rated_on`` plus ``months`` calendar months; a day past the target month's end becomes its
    last day (31 January + 1 month = 28 or 29 February)."""
    month0 = rated_on.month - 1 + months
    year, month = rated_on.year + month0 // 12, month0 % 12 + 1
    day = min(rated_on.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def edd_checklist(config: Mapping[str, Any], party_kind: str) -> list[dict[str, Any]]:
    """The EDD checklist items that apply to ``party_kind``, each ``{"code", "label", "done":
    False, "note": ""}``."""
    return [
        {"code": item["code"], "label": item["label"], "done": False, "note": ""}
        for item in config["edd_checklist"]
        if item.get("applies_to", "all") in ("all", party_kind)
    ]


def _is_decimal(value: Any) -> bool:
    try:
        return Decimal(str(value)).is_finite()
    except (InvalidOperation, ValueError):
        return False


def validate_config(config: Any) -> list[FieldProblem]:
    """Every problem with a model configuration (empty when it is usable), each naming its path
    (``weights.pep``, ``thresholds.high``, ``levels.geography.high``)."""
    problems: list[FieldProblem] = []

    def bad(path: str, message: str) -> None:
        problems.append(FieldProblem(path, message))

    if not isinstance(config, Mapping):
        return [FieldProblem("config", "must be an object")]
    for section in ("weights", "points", "thresholds", "review_months", "levels", "activity", "adverse_history"):
        if not isinstance(config.get(section), Mapping):
            bad(section, "is required and must be an object")
    if problems:
        return problems
    weights = config["weights"]
    for name in FACTORS:
        w = weights.get(name)
        if isinstance(w, bool) or not isinstance(w, int) or w < 0:
            bad(f"weights.{name}", "must be a whole number, 0 or more")
    if not problems and sum(int(weights[n]) for n in FACTORS) != 100:
        bad("weights", f"must add up to 100 (they add up to {sum(int(weights[n]) for n in FACTORS)})")
    for extra in sorted(set(weights) - set(FACTORS)):
        bad(f"weights.{extra}", f"unknown factor; factors are {', '.join(FACTORS)}")
    pts = [config["points"].get(level) for level in LEVELS]
    if any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100 for v in pts) or not (
        pts[0] < pts[1] < pts[2]
    ):
        bad("points", "low, medium and high must be whole numbers from 0 to 100, in increasing order")
    th = config["thresholds"]
    if not (_is_decimal(th.get("medium")) and _is_decimal(th.get("high"))):
        bad("thresholds", "medium and high must be numbers")
    elif not Decimal(0) < Decimal(str(th["medium"])) < Decimal(str(th["high"])) <= Decimal(100):
        bad("thresholds", "must satisfy 0 < medium < high <= 100")
    months = config["review_months"]
    values = [months.get(level) for level in LEVELS]
    if any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 120 for v in values):
        bad("review_months", "low, medium and high must be whole months from 1 to 120")
    elif not values[0] >= values[1] >= values[2]:
        bad("review_months", "a riskier customer must be reviewed at least as often (low >= medium >= high)")
    levels = config["levels"]
    for table in ("geography", "occupation", "industry", "products", "channel", "pep", "screening"):
        spec = levels.get(table)
        if not isinstance(spec, Mapping):
            bad(f"levels.{table}", "is required and must be an object")
            continue
        for key, value in spec.items():
            if key in ("default", "unknown"):
                if value not in LEVELS:
                    bad(f"levels.{table}.{key}", f"must be one of {', '.join(LEVELS)}")
            elif key in LEVELS:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    bad(f"levels.{table}.{key}", "must be a list of codes")
                elif table == "geography" and any(len(v) != 2 or not v.isupper() for v in value):
                    bad(f"levels.{table}.{key}", "two-letter upper-case country codes")
            else:
                bad(f"levels.{table}.{key}", "keys are low, medium, high, default and unknown")
    for factor, table in (config.get("floors") or {}).items():
        if factor not in FACTORS or not isinstance(table, Mapping):
            bad(f"floors.{factor}", "must name a factor and map values to a minimum rating")
        elif any(level not in LEVELS for level in table.values()):
            bad(f"floors.{factor}", f"minimum ratings are {', '.join(LEVELS)}")
    act = config["activity"]
    if not (_is_decimal(act.get("medium_ratio")) and _is_decimal(act.get("high_ratio"))):
        bad("activity", "medium_ratio and high_ratio must be numbers")
    elif not Decimal(1) <= Decimal(str(act["medium_ratio"])) < Decimal(str(act["high_ratio"])):
        bad("activity", "must satisfy 1 <= medium_ratio < high_ratio")
    if act.get("no_expectation") not in LEVELS:
        bad("activity.no_expectation", f"must be one of {', '.join(LEVELS)}")
    adv = config["adverse_history"]
    if any(isinstance(adv.get(k), bool) or not isinstance(adv.get(k), int) for k in ("medium", "high")) or not (
        1 <= adv["medium"] <= adv["high"]
    ):
        bad("adverse_history", "medium and high must be counts with 1 <= medium <= high")
    checklist = config.get("edd_checklist")
    if not isinstance(checklist, list) or not checklist:
        bad("edd_checklist", "must list at least one item")
    else:
        codes = [i.get("code") if isinstance(i, Mapping) else None for i in checklist]
        if any(not isinstance(i, Mapping) or not i.get("code") or not i.get("label") for i in checklist):
            bad("edd_checklist", "each item needs a code and a label")
        elif len(set(codes)) != len(codes):
            bad("edd_checklist", "item codes must be unique")
    return problems


def default_config() -> dict[str, Any]:
    """A deep copy of :data:`DEFAULT_CONFIG` (safe to modify)."""
    return copy.deepcopy(DEFAULT_CONFIG)
