"""Reads about loaded data sets: counts for the console, the CLI and the demo report.

With an ``actor`` every count is scoped (:func:`bankcrm.authz.scoping.restrict`): a relationship
manager counts their book; without one (the CLI, the system) the whole database is counted."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import restrict
from bankcrm.holdings.models import Account, Card, Loan, StandingOrder, Transaction
from bankcrm.identity.models import User
from bankcrm.parties.models import Household, Party


def _scoped(actor: User | None, model: type[Model], perm: Perm) -> QuerySet[Any]:
    qs = model._default_manager.all()
    return qs if actor is None else restrict(actor, qs, perm)


def berka_counts(actor: User | None = None) -> dict[str, int]:
    """Rows loaded from the real Berka files, per entity (synthetic additions excluded)."""
    # source_id != "" lets the partial unique index (source_system, source_id) answer the counts:
    # a few ms instead of scanning a million-row ledger.
    src = {"source_system": "berka"}

    def berka(model: type[Model], perm: Perm) -> int:
        return _scoped(actor, model, perm).filter(**src).exclude(source_id="").count()

    households = Household.objects.filter(**src)
    if actor is not None:
        households = households.filter(
            members__party__in=restrict(actor, Party.objects.all(), Perm.PARTIES_READ)
        ).distinct()
    return {
        "parties": berka(Party, Perm.PARTIES_READ),
        "accounts": berka(Account, Perm.ACCOUNTS_READ),
        "loans": berka(Loan, Perm.ACCOUNTS_READ),
        "cards": berka(Card, Perm.ACCOUNTS_READ),
        "standing_orders": berka(StandingOrder, Perm.ACCOUNTS_READ),
        "transactions": berka(Transaction, Perm.ACCOUNTS_READ),
        "households": households.count(),
    }


def synthetic_counts(actor: User | None = None, *, transactions: bool = True) -> dict[str, int]:
    """Synthetic additions (flagged synthetic), per entity. ``transactions=False`` skips the
    replica-transaction count, a scan of the whole ledger (fine for the CLI, not for a page)."""
    parties = _scoped(actor, Party, Perm.PARTIES_READ)
    counts = {
        "us_parties": parties.filter(source_system="synthetic-us").count(),
        "replica_parties": parties.filter(source_system="replica").count(),
    }
    if transactions:
        counts["replica_transactions"] = (
            _scoped(actor, Transaction, Perm.ACCOUNTS_READ).filter(is_synthetic=True).count()
        )
    return counts
