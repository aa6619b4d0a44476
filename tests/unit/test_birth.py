"""Dates of birth: encryption round trip bound to its column, age arithmetic, masking."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.exceptions import InvalidTag

from bankcrm.parties import birth
from bankcrm.privacy import crypto

RING = crypto.Keyring(active="k1", keys={"k1": bytes(range(32))}, index_key=bytes(32))


def test_round_trip_and_no_plaintext_in_the_ciphertext() -> None:
    blob = birth.encrypt_date_of_birth(dt.date(1970, 12, 13), ring=RING)
    assert blob.startswith(b"v1:k1:") and b"1970" not in blob and b"12-13" not in blob
    assert birth.decrypt_date_of_birth(blob, ring=RING) == dt.date(1970, 12, 13)
    assert birth.decrypt_date_of_birth(memoryview(blob), ring=RING) == dt.date(1970, 12, 13)
    assert birth.decrypt_date_of_birth(None, ring=RING) is None
    # Two encryptions of the same date differ (random nonce): equal birthdays cannot be grouped.
    assert birth.encrypt_date_of_birth(dt.date(1970, 12, 13), ring=RING) != blob


def test_ciphertext_is_bound_to_the_date_of_birth_column() -> None:
    tax_blob = crypto.encrypt("1970-12-13", field="party.tax_id", ring=RING)
    with pytest.raises(InvalidTag):
        birth.decrypt_date_of_birth(tax_blob, ring=RING)


def test_a_datetime_or_a_string_is_refused() -> None:
    with pytest.raises(TypeError, match="date_of_birth"):
        birth.encrypt_date_of_birth(dt.datetime(1970, 12, 13, 8, 0), ring=RING)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="date_of_birth"):
        birth.encrypt_date_of_birth("1970-12-13", ring=RING)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(1970, 12, 13), dt.date(1998, 12, 12), 27),
        (dt.date(1970, 12, 13), dt.date(1998, 12, 13), 28),
        (dt.date(1970, 12, 13), dt.date(1970, 12, 13), 0),
        (dt.date(1972, 2, 29), dt.date(1998, 2, 28), 25),  # leap-day birthday: not yet in a common year
        (dt.date(1972, 2, 29), dt.date(1998, 3, 1), 26),
        (dt.date(1972, 2, 29), dt.date(2000, 2, 29), 28),
    ],
)
def test_age_in_completed_years(born: dt.date, on: dt.date, age: int) -> None:
    assert birth.age_on(born, on) == age


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError, match="on: 1969-01-01 is before the date of birth"):
        birth.age_on(dt.date(1970, 12, 13), dt.date(1969, 1, 1))


def test_older_american_from_the_62nd_birthday() -> None:
    born = dt.date(1936, 12, 31)
    assert birth.OLDER_AMERICAN_AGE == 62
    assert birth.is_older_american(born, dt.date(1998, 12, 30)) is False
    assert birth.is_older_american(born, dt.date(1998, 12, 31)) is True


def test_masked_date_of_birth_keeps_the_year_only() -> None:
    from bankcrm.authz.masking import mask_date_of_birth

    assert mask_date_of_birth(dt.date(1970, 12, 13)) == "1970-••-••"
    assert mask_date_of_birth(dt.date(905, 1, 2)) == "0905-••-••"
