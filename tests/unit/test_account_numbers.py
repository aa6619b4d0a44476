"""Synthetic account numbers: 12 digits with a Luhn check digit."""

from __future__ import annotations

import pytest

from bankcrm.holdings.numbers import is_valid_account_number, luhn_check_digit, make_account_number


def test_known_luhn_values() -> None:
    assert luhn_check_digit("7992739871") == 3  # the classic worked example
    # 05500000576: doubled from the right 12->3, 7, 10->1, 0, 0, 0, 0, 0, 10->1, 5, 0 = 17 -> 3
    assert make_account_number(55, 576) == "055000005763"


def test_every_single_digit_error_is_caught() -> None:
    number = make_account_number(1, 11382)
    assert is_valid_account_number(number)
    for i in range(len(number)):
        for d in "0123456789":
            if d != number[i]:
                assert not is_valid_account_number(number[:i] + d + number[i + 1 :])


def test_ranges_are_checked() -> None:
    with pytest.raises(ValueError, match="branch_number"):
        make_account_number(1000, 1)
    with pytest.raises(ValueError, match="serial"):
        make_account_number(1, 100_000_000)
