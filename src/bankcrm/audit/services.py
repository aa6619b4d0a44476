"""Appending to and verifying the audit chain. Every service that writes calls :func:`record`
inside its own transaction, so the change and its audit event commit or roll back together."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from bankcrm.audit.chain import GENESIS_HASH, ChainBreak, event_hash, verify
from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock
from bankcrm.core.middleware import current_request_id
from bankcrm.identity.models import User

SYSTEM_ACTOR = "system"
_PG_LOCK_KEY = 7_361_001  # arbitrary constant naming the audit-append advisory lock


def _lock_chain() -> None:
    # Appends are serialized so two writers never take the same sequence. SQLite already holds
    # the database write lock (IMMEDIATE transactions); PostgreSQL takes a transaction lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def record(
    *,
    actor: User | None,
    action: str,
    subject_type: str = "",
    subject_id: str = "",
    payload: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's ``transaction.atomic`` block.

    Args:
        actor: the user acting, or None for the system (then ``actor_label`` or "system").
        action: dotted verb, e.g. ``"party.create"``, ``"import.berka.batch"``.
        payload: JSON-serialisable ids, field names and counts; never plaintext PII.

    Raises:
        RuntimeError: called outside a transaction (the event could outlive a rolled-back change).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    _lock_chain()
    last = AuditEvent.objects.order_by("-sequence").values("sequence", "hash").first()
    sequence = (last["sequence"] + 1) if last else 1
    prev_hash = last["hash"] if last else GENESIS_HASH
    label = actor_label or (actor.username if actor is not None else SYSTEM_ACTOR)
    occurred_at = clock.now()
    body = payload or {}
    rid = current_request_id()
    digest = event_hash(
        sequence=sequence,
        occurred_at=occurred_at,
        actor_id=str(actor.pk) if actor is not None else "",
        actor_label=label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=body,
        request_id=rid,
        prev_hash=prev_hash,
    )
    return AuditEvent.objects.create(
        sequence=sequence,
        occurred_at=occurred_at,
        actor=actor,
        actor_label=label,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=body,
        request_id=rid,
        prev_hash=prev_hash,
        hash=digest,
    )


def record_standalone(**kwargs: Any) -> AuditEvent:
    """:func:`record` in a transaction of its own, for events that are not part of a write (a
    sign-in, a timeout, a read of unmasked PII). Takes the same keyword arguments."""
    with transaction.atomic():
        return record(**kwargs)


def verify_chain(batch_size: int = 5000) -> tuple[int, ChainBreak | None]:
    """Verify the whole chain in sequence order, streaming from the database.

    Returns:
        ``(events checked, None)`` or ``(checked before the break, ChainBreak)``.
    """

    def rows() -> Iterator[dict[str, Any]]:
        qs = AuditEvent.objects.order_by("sequence").values(
            "sequence",
            "occurred_at",
            "actor_id",
            "actor_label",
            "action",
            "subject_type",
            "subject_id",
            "payload",
            "request_id",
            "prev_hash",
            "hash",
        )
        for row in qs.iterator(chunk_size=batch_size):
            event: dict[str, Any] = dict(row)
            event["actor_id"] = str(row["actor_id"]) if row["actor_id"] else ""
            yield event

    with transaction.atomic():
        return verify(rows())
