"""FinCEN 314(a) searches (31 CFR 1010.520; REGULATORY_FACTS 1.6): match the subjects of an
imported 314(a) list version (the screening app imports the lists) against parties holding an
account now or in the past 12 months, and parties with transactions in the past 6 months, all
relative to the clock's date. Positive matches are reported within 14 days of the request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.holdings.models import AccountRole, Transaction
from bankcrm.identity.models import User
from bankcrm.monitoring.models import Fincen314aSearch
from bankcrm.parties.models import Party
from bankcrm.screening import services as screening
from bankcrm.screening.engine import ListEntry, ScreeningIndex
from bankcrm.screening.models import WatchListVersion

REPORT_WITHIN_DAYS = 14
ACCOUNT_LOOKBACK_DAYS = 365
TRANSACTION_LOOKBACK_DAYS = 183


def _minus_months(day: dt.date, days: int) -> dt.date:
    return day - dt.timedelta(days=days)


@transaction.atomic
def search(*, actor: User | None, version: WatchListVersion | None = None) -> Fincen314aSearch:
    """Search the active (or given) 314(a) list version; record the matches with their basis
    (``account`` held in the last 12 months, ``transaction`` in the last 6 months).

    Raises:
        ValidationFailed: no 314(a) list imported.
        PermissionDenied: the actor may not manage AML work.
    """
    if actor is not None:
        require(actor, Perm.AML_MANAGE)
    if version is None:
        version = WatchListVersion.objects.filter(watch_list__code="314a").order_by("-version").first()
    if version is None:
        raise ValidationFailed(
            [FieldProblem("list", "no 314(a) subject list imported (bankcrm lists import FILE --list 314a)")]
        )
    today = clock.today()
    account_since = _minus_months(today, ACCOUNT_LOOKBACK_DAYS)
    txn_since = _minus_months(today, TRANSACTION_LOOKBACK_DAYS)
    with_accounts = set(
        AccountRole.objects.filter(
            Q(account__closed_on__isnull=True) | Q(account__closed_on__gte=account_since),
            account__opened_on__lte=today,
        ).values_list("party_id", flat=True)
    )
    with_transactions = set(
        AccountRole.objects.filter(
            account__in=Transaction.objects.filter(booking_date__gte=txn_since, booking_date__lte=today).values(
                "account_id"
            )
        ).values_list("party_id", flat=True)
    )
    entries = [
        ListEntry(
            entry_id=e.entry_id,
            list_code="314a",
            name=e.name,
            aliases=tuple(e.aliases),
            entity_type=e.entity_type,
            programs=tuple(e.programs),
            dates_of_birth=tuple(e.dates_of_birth),
            countries=tuple(e.countries),
        )
        for e in version.entries.all()
    ]
    index = ScreeningIndex.build(entries)
    matches: list[dict[str, Any]] = []
    candidates = Party.objects.filter(pk__in=with_accounts | with_transactions, merged_into__isnull=True)
    searched = 0
    for party in candidates.iterator(chunk_size=1000):
        searched += 1
        best: dict[str, Any] = {}
        for query in screening.party_queries(party):
            for hit in index.screen(query):
                if hit.entry_id not in best or hit.score > best[hit.entry_id]["score"]:
                    best[hit.entry_id] = {"score": round(hit.score, 4), "explanation": hit.explanation}
        for entry_id, found in best.items():
            basis = []
            if party.pk in with_accounts:
                basis.append("account")
            if party.pk in with_transactions:
                basis.append("transaction")
            matches.append({"tracking_number": entry_id, "party_id": str(party.pk), "basis": basis, **found})
    row = Fincen314aSearch.objects.create(
        list_version=version,
        as_of=today,
        due_on=dt.date.fromisoformat(version.version) + dt.timedelta(days=REPORT_WITHIN_DAYS),
        parties_searched=searched,
        matches=matches,
    )
    audit.record(
        actor=actor,
        action="monitoring.314a.search",
        subject_type="314a_search",
        subject_id=str(row.pk),
        payload={"version": version.version, "parties": searched, "matches": len(matches)},
    )
    return row
