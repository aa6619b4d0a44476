"""Reads of AML alerts, scoped: empty for anyone without ``aml:read`` (AML-confidential)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import restrict
from bankcrm.core.lookup import get_visible
from bankcrm.identity.models import User
from bankcrm.monitoring.models import Alert


def visible_alerts(actor: User) -> QuerySet[Alert]:
    """Alerts the actor may see. Any signed-in staff member may ask; without ``aml:read`` the
    answer is always empty, so the existence of an alert is never revealed (31 USC 5318(g)(2))."""
    return restrict(actor, Alert.objects.select_related("party"), Perm.PARTIES_READ).order_by("-created_at")


def get_alert(actor: User, alert_id: uuid.UUID | str) -> Alert:
    """One visible alert.

    Raises:
        NotFound: no such alert, or the actor may not know it exists (indistinguishable).
    """
    return get_visible(visible_alerts(actor), alert_id, "alert")
