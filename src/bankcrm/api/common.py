"""Schemas shared by the API modules."""

from __future__ import annotations

from decimal import Decimal

from ninja import Schema

from bankcrm.core.money import from_minor


class MoneyRead(Schema):
    """An amount: exact decimal string in major units, the integer minor units and the currency."""

    amount: Decimal
    minor: int
    currency: str


def money(minor: int | None, currency: str) -> dict[str, object] | None:
    """The fields of a :class:`MoneyRead` (a plain dict: the response schema validates it once),
    or None when the amount is unknown."""
    if minor is None:
        return None
    return {"amount": from_minor(minor, currency), "minor": minor, "currency": currency}
