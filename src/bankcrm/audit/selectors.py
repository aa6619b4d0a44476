"""Reads of the audit log, for auditors (``audit:read``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from bankcrm.audit.models import AuditEvent
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.core import clock
from bankcrm.identity.models import User


@dataclass(frozen=True)
class AuditFilter:
    """Filters of the auditor view; empty fields do not filter. Dates are the bank's calendar days."""

    action: str = ""
    actor: str = ""
    subject: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def events(actor: User, filters: AuditFilter) -> QuerySet[AuditEvent]:
    """Audit events matching ``filters``, newest first.

    Raises:
        PermissionDenied: the actor lacks ``audit:read``.
    """
    require(actor, Perm.AUDIT_READ)
    qs = AuditEvent.objects.all()
    if filters.action:
        qs = qs.filter(action__icontains=filters.action.strip())
    if filters.actor:
        qs = qs.filter(actor_label__iexact=filters.actor.strip())
    if filters.subject:
        qs = qs.filter(subject_id=filters.subject.strip())
    zone = clock.bank_zone()
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=dt.datetime.combine(filters.date_from, dt.time.min, zone))
    if filters.date_to:
        qs = qs.filter(occurred_at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, zone))
    return qs.order_by("-sequence")
