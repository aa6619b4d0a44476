"""The scheduled retention purge: former customers whose every retention basis has expired are
anonymized and their encrypted identifiers crypto-shredded, with the erasure rules of
:mod:`bankcrm.privacy.deletion` (not repeated here).

Who is purged: a party that held accounts, all closed, whose CIP period (5 years after the last
closure, 31 CFR 1020.220(a)(3)(ii)) has ended, as :func:`bankcrm.privacy.deletion.cip_retention_ends`
says; BSA records of those accounts (31 CFR 1010.430, 5 years) are older still and stay, as
anonymized records. Skipped: parties under legal hold, and parties already erased. Parties that
never held an account have no retention period that could expire (the facts give none for
prospects): they leave only through a deletion request.

One transaction and one audit event (``privacy.retention.purge``: count and party ids) per batch;
each erased party also gets a completed deletion :class:`DataRequest` with what was erased and
kept. Re-running changes nothing more (idempotent). ``dry_run`` writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.core import clock
from bankcrm.holdings.models import Account
from bankcrm.parties.models import Party
from bankcrm.privacy import deletion
from bankcrm.privacy.models import DataRequest, LegalHold

REASON = "Retention period expired (scheduled purge)"
BATCH_SIZE = 200


@dataclass
class PurgeReport:
    """What a purge run found and did: ``expired`` party ids (all whose retention has ended and
    that are not yet erased), ``purged`` (erased now; empty on a dry run), ``held`` (expired but
    under legal hold: left alone), ``batches`` written."""

    dry_run: bool
    expired: list[str] = field(default_factory=list)
    purged: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    batches: int = 0


def _already_erased(party_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Parties whose identifying fields a completed deletion already erased."""
    done = DataRequest.objects.filter(
        party_id__in=party_ids, kind=DataRequest.Kind.DELETION, status=DataRequest.Status.COMPLETED
    ).values_list("party_id", "outcome")
    return {pid for pid, outcome in done if "legal_name" in (outcome or {}).get("erased", [])}


def _held(party_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    return set(
        LegalHold.objects.filter(party_id__in=party_ids, released_at__isnull=True).values_list("party_id", flat=True)
    )


def _expired(party: Party, today: dt.date) -> bool:
    ends = deletion.cip_retention_ends(party)
    # An open case keeps the identity it needs, whatever the CIP clock says.
    return ends is not None and ends != dt.date.min and ends <= today and not deletion.has_open_cases(party)


def expired_parties(*, today: dt.date | None = None, chunk: int = 500) -> Iterator[tuple[Party, bool]]:
    """Parties whose retention has expired and that are not yet erased, with whether a legal hold
    keeps them (``(party, held)``), in primary-key order. Only parties holding a closed account
    are examined: an open account keeps CIP records, so the rule could not have expired."""
    today = today or clock.today()
    candidates = Party.objects.filter(account_roles__account__status=Account.Status.CLOSED).distinct().order_by("pk")
    ids = list(candidates.values_list("pk", flat=True))
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        erased, held = _already_erased(part), _held(part)
        for party in Party.objects.filter(pk__in=[i for i in part if i not in erased]).order_by("pk"):
            if _expired(party, today):
                yield party, party.pk in held


def purge_expired(*, dry_run: bool = False, batch_size: int = BATCH_SIZE, today: dt.date | None = None) -> PurgeReport:
    """Anonymize and crypto-shred every party found by :func:`expired_parties` that is not under
    legal hold, ``batch_size`` parties per transaction and audit event (the system is the actor).

    A legal hold placed while the purge runs is honoured: each party row is locked and the hold
    re-checked inside the batch (:func:`bankcrm.privacy.deletion.place_legal_hold` takes the same lock).

    Returns:
        A :class:`PurgeReport`; on ``dry_run`` nothing is written and ``purged`` is empty.
    """
    today = today or clock.today()
    report = PurgeReport(dry_run=dry_run)
    to_purge: list[Party] = []
    for party, held in expired_parties(today=today):
        report.expired.append(str(party.pk))
        if held:
            report.held.append(str(party.pk))
        else:
            to_purge.append(party)
    if dry_run:
        return report
    for start in range(0, len(to_purge), batch_size):
        batch = to_purge[start : start + batch_size]
        with transaction.atomic():
            ids = [p.pk for p in batch]
            list(Party.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
            late_holds = _held(ids)
            erased = []
            for party in batch:
                if party.pk in late_holds:
                    report.held.append(str(party.pk))
                    continue
                party.refresh_from_db()
                deletion.apply_erasure(actor=None, party=party, reason=REASON)
                erased.append(str(party.pk))
            if erased:
                audit.record(
                    actor=None,
                    action="privacy.retention.purge",
                    subject_type="party_batch",
                    payload={
                        "parties": len(erased),
                        "ids": erased,
                        "skipped_legal_hold": len(batch) - len(erased),
                        "rule": deletion.CIP_BASIS,
                        "as_of": today.isoformat(),
                    },
                )
                report.batches += 1
            report.purged += erased
    return report
