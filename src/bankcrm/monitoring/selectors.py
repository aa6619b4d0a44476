"""Reads of AML alerts, scoped: empty for anyone without ``aml:read`` (AML-confidential)."""

from __future__ import annotations

import uuid
from typing import Any

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


def case_aml_context(actor: User, case: Any) -> dict[str, object]:
    """The AML part of a case page: its alerts (with evidence), its SAR and any pending SAR
    approval. Empty without ``aml:read`` (the case itself is then invisible anyway)."""
    from bankcrm.cases.models import Approval
    from bankcrm.monitoring.models import SuspiciousActivityReport

    if not actor.has_perm_code(Perm.AML_READ):
        return {}
    alerts = list(visible_alerts(actor).filter(case=case))
    sar = restrict(actor, SuspiciousActivityReport.objects.filter(case=case), Perm.PARTIES_READ).first()
    pending = None
    if sar is not None:
        pending = Approval.objects.filter(
            subject_type="sar", subject_id=str(sar.pk), status=Approval.Status.PENDING
        ).first()
    return {"alerts": alerts, "sar": sar, "sar_approval": pending}


def visible_ctrs(actor: User) -> QuerySet[Any]:
    """Draft and filed CTRs (AML roles only in the console)."""
    from bankcrm.monitoring.models import CurrencyTransactionReport

    if not actor.has_perm_code(Perm.AML_READ):
        return CurrencyTransactionReport.objects.none()
    return restrict(actor, CurrencyTransactionReport.objects.select_related("party"), Perm.PARTIES_READ).order_by(
        "-business_day"
    )


def get_sar(actor: User, sar_id: int | str) -> Any:
    """One SAR the actor may see.

    Raises:
        NotFound: unknown or not visible.
    """
    from bankcrm.core.errors import NotFound
    from bankcrm.monitoring.models import SuspiciousActivityReport

    try:
        pk = int(sar_id)
    except (TypeError, ValueError):
        raise NotFound("sar") from None
    found = (
        restrict(actor, SuspiciousActivityReport.objects.select_related("case", "party"), Perm.PARTIES_READ)
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("sar")
    return found
