"""Money as integer minor units plus an ISO 4217 currency, computed as ``Decimal``.

DESIGN decision 4: amounts are stored as ``BigIntegerField`` minor units (cents, haléře) with a
three-letter currency; arithmetic uses :class:`decimal.Decimal` and one rounding rule,
``ROUND_HALF_EVEN`` (banker's rounding), unless a caller names another.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

#: ISO 4217 minor-unit exponents of the currencies BankCRM handles.
MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "CZK": 2,
    "EUR": 2,
    "GBP": 2,
    "CHF": 2,
    "CAD": 2,
    "MXN": 2,
    "CNY": 2,
    "JPY": 0,
    "KRW": 0,
    "BHD": 3,
}


class MoneyError(ValueError):
    """An amount or currency is invalid; the message says which and why."""


def exponent(currency: str) -> int:
    """Number of minor-unit digits of ``currency`` (ISO 4217).

    Raises:
        MoneyError: the currency is not a supported ISO 4217 code.
    """
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise MoneyError(f"currency: unsupported ISO 4217 code {currency!r}") from None


def to_minor(amount: Decimal | int | str, currency: str, *, rounding: str = ROUND_HALF_EVEN) -> int:
    """Convert a major-unit amount (``Decimal("12.34")``) to integer minor units (``1234``).

    Floats are refused: they cannot represent most decimal amounts exactly.

    Raises:
        MoneyError: ``amount`` is a float, not a number, or the currency is unknown.
    """
    if isinstance(amount, float):
        raise MoneyError("amount: floats are not accepted for money; pass a Decimal or a string")
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError, TypeError):
        raise MoneyError(f"amount: not a number: {amount!r}") from None
    if not value.is_finite():
        raise MoneyError(f"amount: not a finite number: {amount!r}")
    scaled = value.scaleb(exponent(currency)).quantize(Decimal(1), rounding=rounding)
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    """Convert integer minor units to an exact ``Decimal`` in major units (``1234`` -> ``12.34``)."""
    e = exponent(currency)
    return Decimal(minor).scaleb(-e).quantize(Decimal(1).scaleb(-e))


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount in one currency. ``minor`` is an integer count of minor units."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        exponent(self.currency)
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise MoneyError("minor: must be an integer number of minor units")

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build from a major-unit amount, e.g. ``Money.of("10000.00", "USD")``."""
        return cls(to_minor(amount, currency), currency)

    @property
    def amount(self) -> Decimal:
        """The amount in major units as an exact Decimal."""
        return from_minor(self.minor, self.currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise MoneyError(f"currency: cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def multiply(self, factor: Decimal | int | str, *, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Multiply by an exact factor (a rate, a quantity), rounding once to minor units."""
        return Money(to_minor(self.amount * Decimal(factor), self.currency, rounding=rounding), self.currency)

    def convert(self, rate: Decimal | str, to_currency: str, *, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Convert with ``rate`` = units of ``to_currency`` per one unit of this currency."""
        return Money(to_minor(self.amount * Decimal(rate), to_currency, rounding=rounding), to_currency)

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"
