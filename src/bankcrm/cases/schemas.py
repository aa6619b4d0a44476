"""API schemas for cases and complaints (``XCreate`` / ``XRead`` / ``XPage``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema
from pydantic import Field

from bankcrm.api.common import MoneyRead, money
from bankcrm.cases.models import Case
from bankcrm.cases.selectors import CaseDetail, ClockView


class ComplaintCreate(Schema):
    party_id: uuid.UUID
    narrative: str = Field(max_length=20000, description="The customer's own words")
    channel: str = Field(description="branch, phone, web, mobile, email, chat, mail or cfpb_portal")
    subject: str = Field(default="", max_length=200)
    received_at: dt.datetime | None = Field(default=None, description="When the bank received it; default now")
    account_id: uuid.UUID | None = None


class TransitionCreate(Schema):
    action: str = Field(description="start, await_customer, resume, respond, close or reopen")
    version: int = Field(description="The case version you read (optimistic locking: 409 when stale)")
    reason: str = Field(default="", max_length=500)
    company_response: str = Field(
        default="",
        description="Closed with explanation / Closed with monetary relief / Closed with non-monetary relief",
    )
    relief: str | None = Field(default=None, description='Monetary relief in major units, e.g. "125.00"')
    relief_currency: str = "USD"
    resolution_summary: str = Field(default="", max_length=8000)
    root_causes: list[str] = Field(default_factory=list)


class AssignmentCreate(Schema):
    version: int
    assignee_id: uuid.UUID | None = None
    team: str | None = Field(default=None, description="Team code")


class ClassificationCreate(Schema):
    version: int
    product: str = Field(description="CFPB product name (any era) or canonical product class")
    sub_product: str = ""
    issue: str = ""
    sub_issue: str = ""


class DeadlineRead(Schema):
    key: str
    label: str
    source: str
    start: dt.date
    due: dt.date
    day_kind: str
    days: int
    status: str = Field(description="running, warning, breached, met, missed or paused")
    days_left: int
    stopped_on: dt.date | None


class SignalRead(Schema):
    code: str
    label: str
    rule: str
    evidence: Any


class CaseSummaryRead(Schema):
    id: uuid.UUID
    reference: str
    kind: str
    status: str
    version: int
    party_id: uuid.UUID | None
    channel: str
    received_at: dt.datetime
    subject: str
    team: str | None
    assignee_id: uuid.UUID | None
    product: str
    priority: str


class CasePage(Schema):
    """A page of cases; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[CaseSummaryRead]
    next_cursor: str | None


class ComplaintRead(CaseSummaryRead):
    narrative: str
    account_id: uuid.UUID | None
    product_class: str
    sub_product: str
    issue: str
    sub_issue: str
    classification_confirmed: bool
    suggested_classification: dict[str, Any] | None
    signals: list[SignalRead]
    regimes: list[str]
    deadlines: list[DeadlineRead]
    company_response: str
    relief: MoneyRead | None
    timely_response: bool | None
    root_causes: list[str]
    resolution_summary: str
    duplicate_of: uuid.UUID | None
    responded_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopened_count: int
    allowed_actions: list[str]
    pending_approval_id: uuid.UUID | None
    external_id: str | None


def summary_read(case: Case) -> dict[str, Any]:
    """The fields of a :class:`CaseSummaryRead`."""
    return {
        "id": case.pk,
        "reference": case.reference,
        "kind": case.kind,
        "status": case.status,
        "version": case.version,
        "party_id": case.party_id,
        "channel": case.channel,
        "received_at": case.received_at,
        "subject": case.subject,
        "team": case.team.code if case.team_id and case.team else None,
        "assignee_id": case.assignee_id,
        "product": case.product,
        "priority": case.priority,
    }


def deadline_read(view: ClockView) -> dict[str, Any]:
    return {
        "key": view.key,
        "label": view.label,
        "source": view.source,
        "start": view.start,
        "due": view.due,
        "day_kind": "business" if view.business_days else "calendar",
        "days": view.days,
        "status": view.status,
        "days_left": view.days_left,
        "stopped_on": view.stopped_on,
    }


def complaint_read(detail: CaseDetail) -> dict[str, Any]:
    """The fields of a :class:`ComplaintRead` from a :class:`~bankcrm.cases.selectors.CaseDetail`."""
    case = detail.case
    return summary_read(case) | {
        "narrative": case.narrative,
        "account_id": case.account_id,
        "product_class": case.product_class,
        "sub_product": case.sub_product,
        "issue": case.issue,
        "sub_issue": case.sub_issue,
        "classification_confirmed": case.classification_confirmed_at is not None,
        "suggested_classification": case.suggested_classification or None,
        "signals": case.signals,
        "regimes": case.regimes,
        "deadlines": [deadline_read(v) for v in detail.clocks],
        "company_response": case.company_response,
        "relief": money(case.relief_minor, case.relief_currency),
        "timely_response": case.timely_response,
        "root_causes": case.root_causes,
        "resolution_summary": case.resolution_summary,
        "duplicate_of": case.duplicate_of_id,
        "responded_at": case.responded_at,
        "closed_at": case.closed_at,
        "reopened_count": case.reopened_count,
        "allowed_actions": list(detail.actions),
        "pending_approval_id": detail.pending_approval.pk if detail.pending_approval else None,
        "external_id": f"{case.source_system}:{case.source_id}" if case.source_id else None,
    }
