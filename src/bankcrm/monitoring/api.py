"""``/api/v1/alerts``: AML alerts (AML-confidential; empty and 404 without ``aml:read``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from bankcrm.api.auth import TokenAuth
from bankcrm.authz.permissions import Perm
from bankcrm.monitoring import selectors

router = Router(tags=["alerts"])


class AlertRead(Schema):
    id: uuid.UUID
    party_id: uuid.UUID
    scenario: str
    score: int
    status: str
    created_at: dt.datetime


class AlertPage(Schema):
    items: list[AlertRead]
    next_cursor: str | None


def _read(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "party_id": a.party_id,
        "scenario": a.scenario,
        "score": a.score,
        "status": a.status,
        "created_at": a.created_at,
    }


@router.get("", response=AlertPage, auth=TokenAuth(Perm.PARTIES_READ), summary="AML alerts")
def list_alerts(request: HttpRequest) -> dict[str, Any]:
    """The newest 100 alerts the caller may see (none without ``aml:read``)."""
    alerts = selectors.visible_alerts(request.user)[:100]  # type: ignore[arg-type]
    return {"items": [_read(a) for a in alerts], "next_cursor": None}


@router.get("/{alert_id}", response=AlertRead, auth=TokenAuth(Perm.PARTIES_READ), summary="One AML alert")
def get_alert(request: HttpRequest, alert_id: uuid.UUID) -> dict[str, Any]:
    """One alert; 404 when it does not exist or the caller may not know it exists."""
    return _read(selectors.get_alert(request.user, alert_id))  # type: ignore[arg-type]
