"""``/api/v1/complaints`` and ``/api/v1/cases``: complaint intake (classified and clocked at
intake), reads with computed deadlines, transitions with optimistic locking, and work queues."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from bankcrm.api.auth import TokenAuth
from bankcrm.authz.permissions import Perm
from bankcrm.cases import selectors, services
from bankcrm.cases.engine.workflow import CaseKind
from bankcrm.cases.schemas import (
    AssignmentCreate,
    CasePage,
    ClassificationCreate,
    ComplaintCreate,
    ComplaintRead,
    TransitionCreate,
    complaint_read,
    summary_read,
)
from bankcrm.core.errors import NotFound
from bankcrm.core.idempotency import idempotent_json
from bankcrm.holdings import selectors as holdings
from bankcrm.parties import selectors as parties

complaints = Router(tags=["complaints"])
cases = Router(tags=["cases"])


def _complaint(actor: Any, case_id: uuid.UUID) -> dict[str, Any]:
    detail = selectors.case_detail(actor, case_id)
    if detail.case.kind not in (CaseKind.COMPLAINT, CaseKind.DISPUTE):
        raise NotFound("complaint")
    return ComplaintRead(**complaint_read(detail)).model_dump(mode="json")


@complaints.post("", response={201: ComplaintRead}, auth=TokenAuth(Perm.CASES_WRITE), summary="Submit a complaint")
def create_complaint(request: HttpRequest, payload: ComplaintCreate) -> Any:
    """Record a complaint received on any channel. The response carries the computed legal and
    internal ``deadlines`` and a ``suggested_classification`` (CFPB product, sub-product, issue,
    sub-issue) made at intake. A near-identical complaint from the same party in the last 30 days is
    accepted and linked (``duplicate_of``). Honours ``Idempotency-Key``."""
    actor = request.user

    def handler() -> tuple[int, Any]:
        party = parties.get_party(actor, payload.party_id)  # type: ignore[arg-type]
        account = holdings.get_account(actor, payload.account_id) if payload.account_id else None  # type: ignore[arg-type]
        case = services.open_case(
            actor=actor,  # type: ignore[arg-type]
            kind=CaseKind.COMPLAINT,
            party=party,
            channel=payload.channel,
            narrative=payload.narrative,
            subject=payload.subject,
            received_at=payload.received_at,
            account=account,
        )
        return 201, _complaint(actor, case.pk)

    return idempotent_json(request, handler)


@complaints.get("/{case_id}", response=ComplaintRead, auth=TokenAuth(Perm.CASES_READ), summary="One complaint")
def get_complaint(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """The complaint with its deadlines as of the clock's date (status, days left) and the actions
    the caller may take."""
    return _complaint(request.user, case_id)


@complaints.post(
    "/{case_id}/transitions", response=ComplaintRead, auth=TokenAuth(Perm.CASES_MANAGE), summary="Move a complaint"
)
def transition_complaint(request: HttpRequest, case_id: uuid.UUID, payload: TransitionCreate) -> Any:
    """Apply a status-machine action. Send the ``version`` you read: a stale one gets 409 and
    nothing changes. Closing with monetary relief moves to ``pending_approval`` until a second
    person approves."""
    actor = request.user
    case = selectors.get_case(actor, case_id)  # type: ignore[arg-type]
    services.transition(
        actor=actor,  # type: ignore[arg-type]
        case=case,
        action=payload.action,
        expected_version=payload.version,
        reason=payload.reason,
        company_response=payload.company_response,
        relief=payload.relief,
        relief_currency=payload.relief_currency,
        resolution_summary=payload.resolution_summary,
        root_causes=payload.root_causes,
    )
    return _complaint(actor, case_id)


@complaints.post(
    "/{case_id}/classification",
    response=ComplaintRead,
    auth=TokenAuth(Perm.CASES_WRITE),
    summary="Confirm or correct the classification",
)
def classify_complaint(request: HttpRequest, case_id: uuid.UUID, payload: ClassificationCreate) -> Any:
    """Confirm the suggested CFPB classification or correct it; signals and legal clocks follow."""
    actor = request.user
    case = selectors.get_case(actor, case_id)  # type: ignore[arg-type]
    services.confirm_classification(
        actor=actor,  # type: ignore[arg-type]
        case=case,
        expected_version=payload.version,
        product=payload.product,
        sub_product=payload.sub_product,
        issue=payload.issue,
        sub_issue=payload.sub_issue,
    )
    return _complaint(actor, case_id)


class CaseFilters(Schema):
    kind: str = ""
    status: str = ""
    assignee: str = ""
    team: str = ""
    breached: bool | None = None
    due_soon: bool = False
    q: str = ""
    cursor: str | None = None
    limit: int = 25


@cases.get("", response=CasePage, auth=TokenAuth(Perm.CASES_READ), summary="Case queue")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Cases the caller may see, newest first. ``status=open`` for every open status; ``assignee``
    is a user id, ``me`` or ``none``; ``breached=true`` for cases with a clock past due;
    ``due_soon=true`` for those inside a warning window. AML investigations appear only with ``aml:read``."""
    page = selectors.list_cases(
        request.user,  # type: ignore[arg-type]
        kind=filters.kind,
        status=filters.status,
        assignee=filters.assignee,
        team=filters.team,
        breached=filters.breached,
        due_soon=filters.due_soon,
        query=filters.q,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [summary_read(c) for c in page.items], "next_cursor": page.next_cursor}


@cases.post("/{case_id}/assignment", response=ComplaintRead, auth=TokenAuth(Perm.CASES_MANAGE), summary="Assign")
def assign_case(request: HttpRequest, case_id: uuid.UUID, payload: AssignmentCreate) -> Any:
    """Assign, reassign or unassign (``assignee_id`` null), optionally moving the case to a team."""
    actor = request.user
    case = selectors.get_case(actor, case_id)  # type: ignore[arg-type]
    team = selectors.get_team(payload.team) if payload.team else None
    assignee = selectors.get_staff_user(payload.assignee_id, "assignee_id") if payload.assignee_id else None
    services.assign(actor=actor, case=case, expected_version=payload.version, assignee=assignee, team=team)  # type: ignore[arg-type]
    return ComplaintRead(**complaint_read(selectors.case_detail(actor, case_id))).model_dump(mode="json")  # type: ignore[arg-type]
