"""Template filters of the staff console."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from bankcrm.authz import masking
from bankcrm.core.money import from_minor
from bankcrm.holdings.labels import operation_label, purpose_label

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    """``{{ t.amount_minor|money:t.currency }}`` -> "1,234.50 CZK" (localized); "—" when unknown."""
    if minor is None:
        return "—"
    return f"{number_format(from_minor(minor, currency), force_grouping=True)} {currency}"


@register.filter
def percent_bp(bp: int | None) -> str:
    """Basis points as a percentage: 2500 -> "25%"."""
    if bp is None:
        return ""
    value = bp / 100
    return f"{value:g}%"


@register.filter
def operation(code: str) -> str:
    """A transaction's operation code as a readable label."""
    return operation_label(code)


@register.filter
def purpose(code: str) -> str:
    """A transaction's or order's purpose (k_symbol) as a readable label."""
    return purpose_label(code)


@register.simple_tag(takes_context=True)
def account_number(context: dict[str, Any], number: str) -> str:
    """``{% account_number a.account.number %}``: masked unless the user holds ``accounts:full_number``."""
    return masking.account_number(context["request"].user, number)
