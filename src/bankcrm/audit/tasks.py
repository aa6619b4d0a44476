"""Background jobs of the audit app."""

from __future__ import annotations

import logging

from django_tasks import task

from bankcrm.audit import services

log = logging.getLogger(__name__)


@task()
def verify_chain() -> dict[str, object]:
    """``audit.verify_chain``: verify the whole hash chain; logs an error naming the first broken
    sequence. Idempotent, read-only. Returns ``{"checked": n, "broken_at": seq | None}``."""
    checked, broken = services.verify_chain()
    if broken is not None:
        log.error("audit chain broken at sequence %s: %s", broken.sequence, broken.reason)
    return {"checked": checked, "broken_at": broken.sequence if broken else None}
