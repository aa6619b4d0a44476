"""Background jobs of the case engine."""

from __future__ import annotations

import logging

from django_tasks import task

from bankcrm.cases import services

log = logging.getLogger(__name__)


@task()
def refresh_clocks() -> dict[str, int]:
    """``cases.refresh_clocks``: warn on clocks entering their warning window and escalate clocks
    that breached (see :func:`bankcrm.cases.services.refresh_clocks`). Idempotent: each clock is
    warned and escalated at most once. Returns ``{"warned": n, "escalated": m}``."""
    result = services.refresh_clocks()
    if result["escalated"]:
        log.warning("%s case clock(s) breached and escalated", result["escalated"])
    return result
