"""core.money: minor units, Decimal arithmetic, banker's rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.core.money import Money, MoneyError, from_minor, to_minor


def test_to_minor_and_back() -> None:
    assert to_minor("10000.00", "USD") == 1_000_000
    assert to_minor(Decimal("8033"), "CZK") == 803_300
    assert to_minor("1500", "JPY") == 1500
    assert from_minor(1_000_000, "USD") == Decimal("10000.00")
    assert str(from_minor(-12340, "CZK")) == "-123.40"


def test_half_even_rounding_is_the_default() -> None:
    assert to_minor("0.125", "USD") == 12
    assert to_minor("0.135", "USD") == 14
    assert to_minor("-0.125", "USD") == -12


def test_floats_and_unknown_currencies_are_refused() -> None:
    with pytest.raises(MoneyError, match="floats"):
        to_minor(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="currency"):
        to_minor("1", "XXX")
    with pytest.raises(MoneyError, match="amount"):
        to_minor("ten", "USD")
    with pytest.raises(MoneyError, match="amount"):
        to_minor("NaN", "USD")


def test_money_arithmetic_keeps_currency() -> None:
    a = Money.of("10.10", "USD")
    b = Money.of("0.90", "USD")
    assert (a + b) == Money(1100, "USD")
    assert (a - b).amount == Decimal("9.20")
    assert (-a).minor == -1010
    with pytest.raises(MoneyError, match="cannot combine"):
        _ = a + Money.of("1", "CZK")


def test_convert_czk_to_usd_rounds_once() -> None:
    # 76,500 CZK at 0.0345 USD/CZK (an approximate 1998 rate) = 2,639.25 USD
    assert Money.of("76500", "CZK").convert("0.0345", "USD") == Money(263925, "USD")


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trip_is_exact(minor: int) -> None:
    assert to_minor(from_minor(minor, "USD"), "USD") == minor
