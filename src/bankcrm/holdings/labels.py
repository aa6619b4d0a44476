"""Readable, translatable labels for the source codes kept on transactions and standing orders
(Berka & Sochorová, PKDD'99 guide: the codes are Czech)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OPERATION_LABELS: dict[str, Promise] = {
    "VKLAD": _("Cash deposit"),
    "VYBER": _("Cash withdrawal"),
    "VYBER KARTOU": _("Card withdrawal"),
    "PREVOD Z UCTU": _("Collection from another bank"),
    "PREVOD NA UCET": _("Remittance to another bank"),
    "": _("Internal posting"),
}
PURPOSE_LABELS: dict[str, Promise] = {
    "POJISTNE": _("Insurance payment"),
    "SLUZBY": _("Statement fee"),
    "UROK": _("Interest credited"),
    "SANKC. UROK": _("Penalty interest"),
    "SIPO": _("Household payment"),
    "DUCHOD": _("Pension"),
    "UVER": _("Loan payment"),
    "LEASING": _("Leasing"),
}


def operation_label(code: str) -> str:
    """``"VKLAD"`` -> "Cash deposit"; unknown codes are returned as they are."""
    label = OPERATION_LABELS.get(code)
    return str(label) if label is not None else code


def purpose_label(code: str) -> str:
    """``"SIPO"`` -> "Household payment"; "" -> ""; unknown codes are returned as they are."""
    label = PURPOSE_LABELS.get(code)
    return str(label) if label is not None else code
