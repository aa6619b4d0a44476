"""Field encryption (AES-256-GCM) and blind indexes (HMAC-SHA256) for sensitive PII.

Keys live outside the repository: ``BANKCRM_FIELD_KEYS`` (a path to a key file) or
``var/keys/field_keys.json``, generated 0600 on first use (DESIGN decision 13). The key file
holds a keyring ``{"active": "k1", "keys": {"k1": <base64 32 bytes>}, "index_key": <base64>}`` so
that a newer key can encrypt while older keys still decrypt.

Ciphertext layout: ``b"v1:" + key_id + b":" + nonce(12) + AES-GCM(ciphertext || tag)``; the field
name is bound as associated data, so a value copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_MAGIC = b"v1:"


class KeyError_(RuntimeError):
    """The key file is missing, unreadable or lacks the key a ciphertext names."""


@dataclass(frozen=True)
class Keyring:
    """Loaded keys: ``active`` names the key used to encrypt; ``keys`` maps id -> 32-byte key."""

    active: str
    keys: dict[str, bytes]
    index_key: bytes


def key_file_path() -> Path:
    """Where the keyring lives: ``BANKCRM_FIELD_KEYS`` or ``var/keys/field_keys.json``."""
    return _default_path()


def _default_path() -> Path:
    explicit = os.environ.get("BANKCRM_FIELD_KEYS")
    if explicit:
        return Path(explicit)
    from django.conf import settings  # late: the engine functions below stay Django-free

    return Path(settings.VAR_DIR) / "keys" / "field_keys.json"


def generate_keyring_file(path: Path) -> None:
    """Create a new key file with one active key and an index key (mode 0600).

    Raises:
        FileExistsError: the file exists (keys are never overwritten).
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {
        "active": "k1",
        "keys": {"k1": base64.b64encode(secrets.token_bytes(32)).decode()},
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)


def load_keyring(path: Path) -> Keyring:
    """Read a key file.

    Raises:
        KeyError_: the file cannot be parsed or a key is not 32 bytes; the message names the file.
    """
    try:
        raw = json.loads(path.read_text())
        keys = {k: base64.b64decode(v) for k, v in raw["keys"].items()}
        ring = Keyring(active=raw["active"], keys=keys, index_key=base64.b64decode(raw["index_key"]))
    except (OSError, ValueError, KeyError) as exc:
        raise KeyError_(f"{path}: unreadable field key file ({exc})") from exc
    if ring.active not in ring.keys or any(len(k) != 32 for k in ring.keys.values()):
        raise KeyError_(f"{path}: the active key is missing or a key is not 32 bytes")
    return ring


@functools.lru_cache(maxsize=4)
def _load_cached(path: Path, mtime_ns: int) -> Keyring:
    return load_keyring(path)


def keyring() -> Keyring:
    """The process keyring, generated on first use when no key file exists yet. Reloaded when the
    file changes, so a rotation (``bankcrm keys rotate``) reaches running processes."""
    path = _default_path()
    if not path.exists():
        generate_keyring_file(path)
    return _load_cached(path, path.stat().st_mtime_ns)


def reset_keyring_cache() -> None:
    """Forget loaded keyrings (after writing the key file, and in tests)."""
    _load_cached.cache_clear()


def encrypt(plaintext: str, *, field: str, ring: Keyring | None = None) -> bytes:
    """Encrypt ``plaintext`` for column ``field`` with the active key (random 96-bit nonce)."""
    ring = ring or keyring()
    nonce = secrets.token_bytes(12)
    body = AESGCM(ring.keys[ring.active]).encrypt(nonce, plaintext.encode("utf-8"), field.encode())
    return _MAGIC + ring.active.encode() + b":" + nonce + body


def decrypt(blob: bytes | memoryview, *, field: str, ring: Keyring | None = None) -> str:
    """Decrypt a value produced by :func:`encrypt` for the same ``field``.

    Raises:
        KeyError_: the blob names an unknown key or is not ours.
        cryptography.exceptions.InvalidTag: the blob was altered or belongs to another field.
    """
    ring = ring or keyring()
    data = bytes(blob)
    if not data.startswith(_MAGIC):
        raise KeyError_("ciphertext: unknown format")
    key_id, sep, rest = data[len(_MAGIC) :].partition(b":")
    if not sep or key_id.decode() not in ring.keys:
        raise KeyError_(f"ciphertext: key {key_id.decode(errors='replace')!r} is not in the keyring")
    nonce, body = rest[:12], rest[12:]
    return AESGCM(ring.keys[key_id.decode()]).decrypt(nonce, body, field.encode()).decode("utf-8")


def blind_index(value: str, *, field: str, ring: Keyring | None = None) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalized value (digits and letters only, upper case),
    scoped by ``field``: equal inputs give equal indexes, and the index reveals nothing without the key."""
    ring = ring or keyring()
    normalized = "".join(ch for ch in value.upper() if ch.isalnum())
    return hmac.new(ring.index_key, f"{field}\x00{normalized}".encode(), hashlib.sha256).hexdigest()
