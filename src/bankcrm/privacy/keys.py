"""Field-key rotation (``bankcrm keys rotate``): a new data key becomes active and every
encrypted value is re-encrypted with it, in batches, while older keys stay in the keyring so that
anything not yet re-encrypted still decrypts. If the run is interrupted, the next run sees values
still under an old key and carries on with the same active key: nothing is lost and nothing is
done twice. Blind indexes use a separate index key and do not change. ``retire`` drops keys no
value uses any more."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from bankcrm.audit import services as audit
from bankcrm.identity.models import User
from bankcrm.privacy import crypto


@dataclass(frozen=True)
class EncryptedColumn:
    """A binary column holding :func:`bankcrm.privacy.crypto.encrypt` output for ``field``."""

    model: str  # "app_label.Model"
    column: str
    field: str


def encrypted_columns() -> list[EncryptedColumn]:
    """Every encrypted column in the schema."""
    return [
        EncryptedColumn("parties.Party", "tax_id_encrypted", "party.tax_id"),
        EncryptedColumn("parties.Party", "date_of_birth_encrypted", "party.date_of_birth"),
        EncryptedColumn("parties.Party", "source_pii_encrypted", "party.source_pii"),
        EncryptedColumn("parties.IdentityDocument", "number_encrypted", "identity_document.number"),
        EncryptedColumn("privacy.CorrectionRequest", "proposed_value_encrypted", "correction.proposed_value"),
    ]


@dataclass
class RotationReport:
    """The active key after the run, whether it was created now, and rows re-encrypted per field."""

    active: str
    new_key: bool
    reencrypted: dict[str, int] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)


def key_id_of(blob: bytes | memoryview | str) -> str:
    """The key id a ciphertext names (``b"v1:k2:..."`` -> ``"k2"``); hex text is TOTP storage."""
    data = bytes.fromhex(blob) if isinstance(blob, str) else bytes(blob)
    return data[3:].partition(b":")[0].decode()


def save_keyring(path: Path, ring: crypto.Keyring) -> None:
    """Write the keyring atomically (temporary file + rename), mode 0600."""
    data = {
        "active": ring.active,
        "keys": {k: base64.b64encode(v).decode() for k, v in ring.keys.items()},
        "index_key": base64.b64encode(ring.index_key).decode(),
    }
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def _stale_rows(col: EncryptedColumn, active: str, batch: int) -> Iterator[list[tuple[Any, bytes]]]:
    qs = _model(col.model)._default_manager.exclude(**{f"{col.column}__isnull": True}).order_by("pk")
    chunk: list[tuple[Any, bytes]] = []
    for pk, blob in qs.values_list("pk", col.column).iterator(chunk_size=2000):
        if key_id_of(blob) != active:
            chunk.append((pk, bytes(blob)))
            if len(chunk) >= batch:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _stale_totp(active: str) -> list[Any]:
    from allauth.mfa.models import Authenticator

    return [
        a for a in Authenticator.objects.filter(type=Authenticator.Type.TOTP) if key_id_of(a.data["secret"]) != active
    ]


def _anything_stale(active: str) -> bool:
    return any(next(_stale_rows(c, active, 1), None) for c in encrypted_columns()) or bool(_stale_totp(active))


def rotate(
    *,
    actor: User | None,
    path: Path | None = None,
    batch_size: int = 1000,
    on_batch: Callable[[str, int], None] = lambda field, rows: None,
) -> RotationReport:
    """Make a new key active (unless a previous run is still in progress) and re-encrypt every
    value under an older key, one transaction and one audit event per batch.

    Raises:
        crypto.KeyError_: the key file is unreadable or a value names a key that is missing.
    """
    path = path or crypto.key_file_path()
    ring = crypto.load_keyring(path)
    new_key = not _anything_stale(ring.active)
    if new_key:
        number = max(int(k[1:]) for k in ring.keys if k[1:].isdigit()) + 1 if ring.keys else 1
        key_id = f"k{number}"
        ring = crypto.Keyring(
            active=key_id, keys={**ring.keys, key_id: secrets.token_bytes(32)}, index_key=ring.index_key
        )
        save_keyring(path, ring)
        with transaction.atomic():
            audit.record(actor=actor, action="privacy.keys.rotate", subject_type="key", subject_id=key_id)
    crypto.reset_keyring_cache()
    report = RotationReport(active=ring.active, new_key=new_key)
    for col in encrypted_columns():
        model = _model(col.model)
        for chunk in _stale_rows(col, ring.active, batch_size):
            with transaction.atomic():
                for pk, blob in chunk:
                    plain = crypto.decrypt(blob, field=col.field, ring=ring)
                    model._default_manager.filter(pk=pk).update(
                        **{col.column: crypto.encrypt(plain, field=col.field, ring=ring)}
                    )
                audit.record(
                    actor=actor,
                    action="privacy.keys.reencrypt",
                    subject_type="field",
                    subject_id=col.field,
                    payload={"rows": len(chunk), "key": ring.active},
                )
            report.reencrypted[col.field] = report.reencrypted.get(col.field, 0) + len(chunk)
            on_batch(col.field, len(chunk))
    totp = _stale_totp(ring.active)
    if totp:
        with transaction.atomic():
            for authenticator in totp:
                plain = crypto.decrypt(bytes.fromhex(authenticator.data["secret"]), field="mfa.totp_secret", ring=ring)
                authenticator.data["secret"] = crypto.encrypt(plain, field="mfa.totp_secret", ring=ring).hex()
                authenticator.save(update_fields=["data"])
            audit.record(
                actor=actor,
                action="privacy.keys.reencrypt",
                subject_type="field",
                subject_id="mfa.totp_secret",
                payload={"rows": len(totp), "key": ring.active},
            )
        report.reencrypted["mfa.totp_secret"] = len(totp)
    return report


def retire(*, actor: User | None, path: Path | None = None) -> list[str]:
    """Remove from the keyring every key that no stored value uses (never the active key).

    Returns:
        The key ids removed.
    """
    from allauth.mfa.models import Authenticator

    path = path or crypto.key_file_path()
    ring = crypto.load_keyring(path)
    used = {ring.active}
    for col in encrypted_columns():
        qs = _model(col.model)._default_manager.exclude(**{f"{col.column}__isnull": True})
        used |= {key_id_of(b) for b in qs.values_list(col.column, flat=True).iterator(chunk_size=2000)}
    used |= {key_id_of(a.data["secret"]) for a in Authenticator.objects.filter(type=Authenticator.Type.TOTP)}
    unused = sorted(set(ring.keys) - used)
    if unused:
        save_keyring(
            path, crypto.Keyring(ring.active, {k: v for k, v in ring.keys.items() if k in used}, ring.index_key)
        )
        crypto.reset_keyring_cache()
        with transaction.atomic():
            audit.record(actor=actor, action="privacy.keys.retire", subject_type="key", payload={"retired": unused})
    return unused
