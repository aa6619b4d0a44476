"""Hash-chain arithmetic for audit events (no Django import: reusable by offline verifiers)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def event_hash(
    *,
    sequence: int,
    occurred_at: dt.datetime,
    actor_id: str,
    actor_label: str,
    action: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    request_id: str,
    prev_hash: str,
) -> str:
    """SHA-256 hex digest of the canonical JSON form of one event (sorted keys, UTC instant)."""
    body = {
        "sequence": sequence,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "payload": payload,
        "request_id": request_id,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """Where verification failed: the first bad ``sequence`` and why."""

    sequence: int
    reason: str


def verify(events: Iterable[dict[str, Any]]) -> tuple[int, ChainBreak | None]:
    """Check events (dicts with the model's fields, ``actor_id`` as str, in sequence order).

    Returns:
        ``(checked, None)`` when intact, else ``(checked_before_break, ChainBreak)`` naming the first
        sequence number that was edited, deleted (a gap) or reordered.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for ev in events:
        seq = int(ev["sequence"])
        if seq != expected_seq:
            return checked, ChainBreak(expected_seq, f"expected sequence {expected_seq}, found {seq}")
        if ev["prev_hash"] != expected_prev:
            return checked, ChainBreak(seq, "prev_hash does not match the previous event's hash")
        recomputed = event_hash(
            sequence=seq,
            occurred_at=ev["occurred_at"],
            actor_id=ev["actor_id"],
            actor_label=ev["actor_label"],
            action=ev["action"],
            subject_type=ev["subject_type"],
            subject_id=ev["subject_id"],
            payload=ev["payload"],
            request_id=ev["request_id"],
            prev_hash=ev["prev_hash"],
        )
        if recomputed != ev["hash"]:
            return checked, ChainBreak(seq, "content does not match its hash (edited)")
        expected_prev = ev["hash"]
        expected_seq += 1
        checked += 1
    return checked, None
