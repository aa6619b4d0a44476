"""Reads about loaded data sets: counts for the console, the CLI and the demo report."""

from __future__ import annotations

from django.db.models import Count, Q

from bankcrm.holdings.models import Account, Card, Loan, StandingOrder, Transaction
from bankcrm.parties.models import Household, Party


def berka_counts() -> dict[str, int]:
    """Rows loaded from the real Berka files, per entity (synthetic additions excluded)."""
    src = {"source_system": "berka"}
    return {
        "parties": Party.objects.filter(**src).count(),
        "accounts": Account.objects.filter(**src).count(),
        "loans": Loan.objects.filter(**src).count(),
        "cards": Card.objects.filter(**src).count(),
        "standing_orders": StandingOrder.objects.filter(**src).count(),
        "transactions": Transaction.objects.filter(**src).count(),
        "households": Household.objects.filter(**src).count(),
    }


def synthetic_counts() -> dict[str, int]:
    """Synthetic additions (flagged synthetic), per entity."""
    parties = Party.objects.aggregate(
        us=Count("pk", filter=Q(source_system="synthetic-us")),
        replica=Count("pk", filter=Q(source_system="replica")),
    )
    return {
        "us_parties": parties["us"],
        "replica_parties": parties["replica"],
        "replica_transactions": Transaction.objects.filter(is_synthetic=True).count(),
    }
