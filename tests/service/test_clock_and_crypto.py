"""The clock honours BANKCRM_AS_OF; field encryption and blind indexes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from django.test import override_settings

from bankcrm.core import clock
from bankcrm.privacy import crypto


def test_now_is_timezone_aware_in_the_bank_zone() -> None:
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() in {dt.timedelta(hours=-5), dt.timedelta(hours=-4)}


@override_settings(BANKCRM_AS_OF=dt.date(1998, 12, 31))
def test_as_of_pins_the_business_date() -> None:
    assert clock.today() == dt.date(1998, 12, 31)
    assert clock.now().date() == dt.date(1998, 12, 31)
    assert clock.as_of_date() == dt.date(1998, 12, 31)


def test_frozen_requires_an_aware_datetime() -> None:
    naive = dt.datetime(2026, 1, 1)  # the point of the test: no tzinfo
    with pytest.raises(ValueError, match="timezone-aware"), clock.frozen(naive):
        pass
    at = dt.datetime(2026, 12, 24, 23, 30, tzinfo=clock.bank_zone())
    with clock.frozen(at):
        assert clock.now() == at and clock.today() == dt.date(2026, 12, 24)
    assert clock.now() != at


@pytest.fixture
def ring(tmp_path: Path) -> crypto.Keyring:
    path = tmp_path / "keys.json"
    crypto.generate_keyring_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    return crypto.load_keyring(path)


def test_encrypt_round_trip_and_no_plaintext(ring: crypto.Keyring) -> None:
    blob = crypto.encrypt("123456789", field="party.tax_id", ring=ring)
    assert b"123456789" not in blob
    assert crypto.decrypt(blob, field="party.tax_id", ring=ring) == "123456789"
    assert crypto.encrypt("123456789", field="party.tax_id", ring=ring) != blob  # random nonce


def test_ciphertext_is_bound_to_its_field_and_tamper_evident(ring: crypto.Keyring) -> None:
    blob = crypto.encrypt("123456789", field="party.tax_id", ring=ring)
    with pytest.raises(InvalidTag):
        crypto.decrypt(blob, field="identity_document.number", ring=ring)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(InvalidTag):
        crypto.decrypt(tampered, field="party.tax_id", ring=ring)


def test_blind_index_normalizes_and_depends_on_key(ring: crypto.Keyring, tmp_path: Path) -> None:
    a = crypto.blind_index("123-45-6789", field="party.tax_id", ring=ring)
    assert a == crypto.blind_index("123 45 6789", field="party.tax_id", ring=ring)
    assert a != crypto.blind_index("123-45-6789", field="identity_document.number", ring=ring)
    other = tmp_path / "other.json"
    crypto.generate_keyring_file(other)
    assert a != crypto.blind_index("123-45-6789", field="party.tax_id", ring=crypto.load_keyring(other))


def test_key_file_is_never_overwritten_and_bad_files_are_named(ring: crypto.Keyring, tmp_path: Path) -> None:
    with pytest.raises(FileExistsError):
        crypto.generate_keyring_file(tmp_path / "keys.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(crypto.KeyError_, match=r"bad\.json"):
        crypto.load_keyring(bad)
