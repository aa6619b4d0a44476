"""Background jobs of the privacy app (enqueued by :mod:`bankcrm.core.scheduler`)."""

from __future__ import annotations

import logging

from django_tasks import task

from bankcrm.privacy import incidents, retention

log = logging.getLogger(__name__)


@task()
def remind_incident_deadlines() -> dict[str, object]:
    """``privacy.remind_incident_deadlines``: record a reminder (in-app due item + audit event) for
    every incident notification deadline whose reminder slot has come. Idempotent per clock, slot
    and deadline. Returns ``{"reminders": n}``."""
    created = incidents.remind_deadlines()
    for reminder in created:
        log.warning("incident %s: %s notice deadline reminder (%s)", reminder.incident_id, reminder.kind, reminder.slot)
    return {"reminders": len(created)}


@task()
def purge_expired() -> dict[str, object]:
    """``privacy.purge_expired``: anonymize and crypto-shred parties whose retention has expired
    (legal holds respected; one audit event per batch). Idempotent. Returns the counts."""
    report = retention.purge_expired()
    if report.purged or report.held:
        log.info("retention purge: %s purged, %s under legal hold", len(report.purged), len(report.held))
    return {"expired": len(report.expired), "purged": len(report.purged), "held": len(report.held)}
