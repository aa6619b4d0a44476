"""A small periodic-job scheduler (``bankcrm scheduler``): every ``tick`` seconds it enqueues
each job whose interval has elapsed since its last run, recording the run in
:class:`~bankcrm.core.models.ScheduledRun` so restarts and several schedulers never
enqueue the same slot twice (unique per job and slot)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from bankcrm.core import clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """``task`` is the dotted path of a django-tasks Task; ``every`` its period."""

    name: str
    task: str
    every: dt.timedelta


JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob("audit.verify_chain", "bankcrm.audit.tasks.verify_chain", dt.timedelta(hours=24)),
    # Often enough that a 4-hour reminder before a 36-hour deadline is at most 15 minutes late.
    PeriodicJob(
        "privacy.remind_incident_deadlines",
        "bankcrm.privacy.tasks.remind_incident_deadlines",
        dt.timedelta(minutes=15),
    ),
    PeriodicJob("privacy.purge_expired", "bankcrm.privacy.tasks.purge_expired", dt.timedelta(hours=24)),
    # Hourly: a clock's warning and breach are dated by the business day, so this is ample.
    PeriodicJob("cases.refresh_clocks", "bankcrm.cases.tasks.refresh_clocks", dt.timedelta(hours=1)),
    # Nightly: the scenarios look at whole business days.
    PeriodicJob("monitoring.run", "bankcrm.monitoring.tasks.run_monitoring", dt.timedelta(hours=24)),
    PeriodicJob("kyc.open_due_reviews", "bankcrm.kyc.tasks.open_due_reviews", dt.timedelta(hours=24)),
)


def slot_of(job: PeriodicJob, at: dt.datetime) -> int:
    """Index of the period containing ``at`` (seconds since the epoch // period)."""
    return int(at.timestamp() // job.every.total_seconds())


def run_due(*, jobs: tuple[PeriodicJob, ...] = JOBS, now: Callable[[], dt.datetime] = clock.now) -> list[str]:
    """Enqueue every job not yet enqueued for the current slot; return the names enqueued."""
    from bankcrm.core.models import ScheduledRun

    enqueued = []
    at = now()
    for job in jobs:
        slot = slot_of(job, at)
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=at)
                import_string(job.task).enqueue()
        except IntegrityError:
            continue  # already enqueued for this slot
        enqueued.append(job.name)
        log.info("scheduler: enqueued %s (slot %s)", job.name, slot)
    return enqueued


def run_forever(*, tick: float = 30.0, stop: threading.Event | None = None) -> None:
    """Run :func:`run_due` every ``tick`` seconds until ``stop`` is set (returns at once then)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        run_due()
        stop.wait(tick)
