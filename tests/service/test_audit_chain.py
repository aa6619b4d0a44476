"""The hash-chained audit log: appends, verification, tamper detection (DESIGN decision 3)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, transaction

from bankcrm.audit import services as audit
from bankcrm.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _append(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=None, action="test.event", subject_type="thing", subject_id=str(i), payload={"i": i})


def test_chain_links_and_verifies() -> None:
    _append(5)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == "0" * 64
    for prev, ev in itertools.pairwise(events):
        assert ev.prev_hash == prev.hash
    assert audit.verify_chain() == (5, None)


@pytest.mark.django_db(transaction=True)
def test_record_requires_transaction_for_real() -> None:
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        audit.record(actor=None, action="test.event")


@contextlib.contextmanager
def tampering() -> Iterator[None]:
    """Simulate a database superuser: on PostgreSQL the append-only trigger must be bypassed
    first (``session_replication_role = replica``), which the application never does."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SET session_replication_role = DEFAULT")


def test_audit_events_cannot_be_changed_unnoticed() -> None:
    """PostgreSQL refuses UPDATE and DELETE outright; on SQLite the change goes through but the
    chain verification names it."""
    _append(2)
    if connection.vendor != "postgresql":
        AuditEvent.objects.filter(sequence=1).update(action="edited")
        assert audit.verify_chain()[1].sequence == 1  # type: ignore[union-attr]
        return
    for attempt in (
        lambda: AuditEvent.objects.filter(sequence=1).update(action="edited"),
        lambda: AuditEvent.objects.filter(sequence=2).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    assert AuditEvent.objects.count() == 2 and audit.verify_chain() == (2, None)


def test_edited_event_is_named() -> None:
    _append(5)
    with tampering():
        AuditEvent.objects.filter(sequence=3).update(payload={"i": 999})
    checked, broken = audit.verify_chain()
    assert checked == 2
    assert broken is not None and broken.sequence == 3 and "edited" in broken.reason


def test_deleted_event_is_named() -> None:
    _append(5)
    with tampering():
        AuditEvent.objects.filter(sequence=4).delete()
    _, broken = audit.verify_chain()
    assert broken is not None and broken.sequence == 4


def test_reordered_events_are_detected() -> None:
    _append(4)
    a, b = AuditEvent.objects.get(sequence=2), AuditEvent.objects.get(sequence=3)
    with tampering():
        AuditEvent.objects.filter(pk=a.pk).update(sequence=-2)
        AuditEvent.objects.filter(pk=b.pk).update(sequence=2)
        AuditEvent.objects.filter(pk=a.pk).update(sequence=3)
    _, broken = audit.verify_chain()
    assert broken is not None and broken.sequence == 2


def test_rolled_back_write_leaves_no_event() -> None:
    _append(1)
    with pytest.raises(ValueError), transaction.atomic():
        audit.record(actor=None, action="test.event")
        raise ValueError("the change failed")
    assert AuditEvent.objects.count() == 1
    assert audit.verify_chain() == (1, None)
