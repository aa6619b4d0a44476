"""Background jobs of the KYC app."""

from __future__ import annotations

import logging

from django_tasks import task

from bankcrm.kyc import services

log = logging.getLogger(__name__)


@task()
def open_due_reviews() -> int:
    """``kyc.open_due_reviews``: open a periodic review for every party whose next review date
    (set by its risk rating) has come. Idempotent: a party has at most one open review. Returns
    how many were opened."""
    opened = services.open_due_reviews()
    if opened:
        log.info("%s periodic KYC review(s) opened", opened)
    return opened


@task()
def rerate_parties(reason: str = "model_change") -> int:
    """``kyc.rerate_parties``: rate every profiled party with the active risk model (after a model
    change). Safe to repeat: each run adds one assessment per party. Returns the count."""
    return services.rerate_parties(reason=reason)
