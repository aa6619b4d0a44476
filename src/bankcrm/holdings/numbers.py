"""Synthetic account numbers (no Django import).

Berka has no account numbers, so BankCRM issues its own (DESIGN decision 8). Format: 12 digits
``BBB SSSSSSSS C``: ``BBB`` the branch number (Berka district id, 0-999), ``SSSSSSSS`` a serial
(the Berka account_id for real accounts; 10,000,000 + 100,000 x replica + account_id for
synthetic replicas; 90,000,000+ for the synthetic US accounts), ``C`` a Luhn
(mod 10) check digit over the first eleven digits, so a mistyped digit is caught.
"""

from __future__ import annotations


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit that makes ``digits + d`` valid (ISO/IEC 7812-1, annex B)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return (10 - total % 10) % 10


def make_account_number(branch_number: int, serial: int) -> str:
    """``make_account_number(1, 576)`` -> ``"001000005762"``-shaped 12-digit string.

    Raises:
        ValueError: branch_number outside 0..999 or serial outside 0..99,999,999.
    """
    if not 0 <= branch_number <= 999:
        raise ValueError(f"branch_number: must be 0..999, got {branch_number}")
    if not 0 <= serial <= 99_999_999:
        raise ValueError(f"serial: must be 0..99999999, got {serial}")
    body = f"{branch_number:03d}{serial:08d}"
    return body + str(luhn_check_digit(body))


def is_valid_account_number(number: str) -> bool:
    """True when ``number`` is 12 digits with a correct Luhn check digit."""
    return len(number) == 12 and number.isdigit() and luhn_check_digit(number[:-1]) == int(number[-1])
