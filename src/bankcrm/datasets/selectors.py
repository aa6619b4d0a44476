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
    src = {"source_system": "berka"}
    households = Household.objects.filter(**src)
    if actor is not None:
        households = households.filter(
            members__party__in=restrict(actor, Party.objects.all(), Perm.PARTIES_READ)
        ).distinct()
    return {
        "parties": _scoped(actor, Party, Perm.PARTIES_READ).filter(**src).count(),
        "accounts": _scoped(actor, Account, Perm.ACCOUNTS_READ).filter(**src).count(),
        "loans": _scoped(actor, Loan, Perm.ACCOUNTS_READ).filter(**src).count(),
        "cards": _scoped(actor, Card, Perm.ACCOUNTS_READ).filter(**src).count(),
        "standing_orders": _scoped(actor, StandingOrder, Perm.ACCOUNTS_READ).filter(**src).count(),
        "transactions": _scoped(actor, Transaction, Perm.ACCOUNTS_READ).filter(**src).count(),
        "households": households.count(),
    }


def synthetic_counts(actor: User | None = None) -> dict[str, int]:
    """Synthetic additions (flagged synthetic), per entity."""
    parties = _scoped(actor, Party, Perm.PARTIES_READ)
    return {
        "us_parties": parties.filter(source_system="synthetic-us").count(),
        "replica_parties": parties.filter(source_system="replica").count(),
        "replica_transactions": _scoped(actor, Transaction, Perm.ACCOUNTS_READ).filter(is_synthetic=True).count(),
    }
