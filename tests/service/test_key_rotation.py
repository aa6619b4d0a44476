"""``bankcrm keys rotate``: re-encryption with a new key, resumable after an interruption."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.audit.services import verify_chain
from bankcrm.datasets.us_synthetic import import_us_synthetic
from bankcrm.identity import mfa
from bankcrm.parties.birth import decrypt_date_of_birth
from bankcrm.parties.models import IdentityDocument, Party
from bankcrm.privacy import crypto, keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys.json"
    monkeypatch.setenv("BANKCRM_FIELD_KEYS", str(path))
    crypto.reset_keyring_cache()
    crypto.keyring()  # generate k1
    yield path
    crypto.reset_keyring_cache()


def _plaintexts() -> dict[str, str]:
    values = {}
    for p in Party.objects.exclude(tax_id_encrypted__isnull=True):
        values[f"tax:{p.pk}"] = crypto.decrypt(p.tax_id_encrypted, field="party.tax_id")
    for p in Party.objects.exclude(date_of_birth_encrypted__isnull=True):
        values[f"dob:{p.pk}"] = decrypt_date_of_birth(p.date_of_birth_encrypted).isoformat()
    for d in IdentityDocument.objects.all():
        values[f"doc:{d.pk}"] = crypto.decrypt(d.number_encrypted, field="identity_document.number")
    return values


def _key_ids() -> set[str]:
    ids = {
        keys.key_id_of(b)
        for b in Party.objects.exclude(tax_id_encrypted__isnull=True).values_list("tax_id_encrypted", flat=True)
    }
    births = Party.objects.exclude(date_of_birth_encrypted__isnull=True)
    ids |= {keys.key_id_of(b) for b in births.values_list("date_of_birth_encrypted", flat=True)}
    return ids | {keys.key_id_of(b) for b in IdentityDocument.objects.values_list("number_encrypted", flat=True)}


def test_rotation_reencrypts_everything_and_keeps_values(key_file: Path) -> None:
    import_us_synthetic(actor=None)
    user = make_staff("rotating", ["branch_agent"])
    secret = mfa.totp_secret(user)
    before = _plaintexts()
    index_before = dict(Party.objects.exclude(tax_id_index="").values_list("pk", "tax_id_index"))
    assert _key_ids() == {"k1"}
    report = keys.rotate(actor=None, batch_size=7)
    assert report.new_key and report.active == "k2"
    assert report.reencrypted["party.tax_id"] == 25 and report.reencrypted["identity_document.number"] == 20
    assert report.reencrypted["party.date_of_birth"] == 20  # the 20 persons (organizations have none)
    assert sum(k.startswith("dob:") for k in before) == 20
    assert report.reencrypted["mfa.totp_secret"] == 1
    assert _key_ids() == {"k2"} and _plaintexts() == before
    assert mfa.totp_secret(user) == secret
    assert dict(Party.objects.exclude(tax_id_index="").values_list("pk", "tax_id_index")) == index_before
    ring = json.loads(key_file.read_text())
    assert ring["active"] == "k2" and set(ring["keys"]) == {"k1", "k2"}
    assert keys.retire(actor=None) == ["k1"]
    assert set(json.loads(key_file.read_text())["keys"]) == {"k2"} and _plaintexts() == before
    assert verify_chain()[1] is None


def test_interrupted_rotation_resumes_with_the_same_key(key_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_us_synthetic(actor=None)
    before = _plaintexts()
    batches = []

    def crash_after_first(field: str, rows: int) -> None:
        batches.append((field, rows))
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        keys.rotate(actor=None, batch_size=10, on_batch=crash_after_first)
    assert _key_ids() == {"k1", "k2"}  # half done, everything still decrypts
    assert _plaintexts() == before
    report = keys.rotate(actor=None, batch_size=10)
    assert not report.new_key and report.active == "k2"
    assert _key_ids() == {"k2"} and _plaintexts() == before
    assert AuditEvent.objects.filter(action="privacy.keys.rotate").count() == 1
    again = keys.rotate(actor=None)  # a finished rotation: the next run starts a new key
    assert again.new_key and again.active == "k3"
