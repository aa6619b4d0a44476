"""API schemas of the KYC app (DESIGN convention 5: ``XCreate`` in, ``XRead`` out).

Input schemas are deliberately permissive (optional text fields): the CIP rules live in the
engine (:mod:`bankcrm.kyc.engine.validation`), which reports every problem with its dotted field
path, so a client gets one complete list of field-level errors rather than a type error first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from ninja import Schema

from bankcrm.identity.models import User
from bankcrm.kyc import selectors
from bankcrm.kyc.engine import risk
from bankcrm.kyc.models import RiskAssessment


class AddressIn(Schema):
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


class IdDocumentIn(Schema):
    type: str | None = None
    number: str | None = None
    issuing_country: str | None = None
    issuing_region: str | None = None
    expires_on: str | None = None


class PersonIn(Schema):
    given_name: str | None = None
    middle_name: str | None = None
    family_name: str | None = None
    date_of_birth: str | None = None
    nationality: str | None = None
    residence_country: str | None = None
    tax_id_type: str | None = None
    tax_id: str | None = None
    id_document: IdDocumentIn | None = None
    address: AddressIn | None = None
    phone: str | None = None
    email: str | None = None


class OwnerIn(PersonIn):
    ownership_percent: Decimal | None = None


class ControlPersonIn(PersonIn):
    title: str | None = None
    #: Index of the beneficial owner who is also the control person (then only ``title`` is needed).
    owner: int | None = None


class OrganizationIn(Schema):
    legal_name: str | None = None
    formation_date: str | None = None
    formation_country: str | None = None
    tax_id_type: str | None = None
    tax_id: str | None = None
    industry: str | None = None
    address: AddressIn | None = None
    phone: str | None = None
    email: str | None = None


class CertificationIn(Schema):
    name: str | None = None
    title: str | None = None
    certified: bool = False


class CddIn(Schema):
    occupation: str | None = None
    pep_status: str | None = None
    products: list[str] = []
    purpose: str | None = None
    source_of_funds: str | None = None
    expected_monthly_amount: Decimal | None = None
    expected_cash_amount: Decimal | None = None
    currency: str | None = None
    expected_countries: list[str] = []


class OnboardingCreate(Schema):
    """A CIP application (rules: :mod:`bankcrm.kyc.engine.validation`). ``submit`` sends it for
    verification at once."""

    kind: str
    channel: str = "api"
    cip_notice_acknowledged: bool = False
    person: PersonIn | None = None
    organization: OrganizationIn | None = None
    beneficial_owners: list[OwnerIn] = []
    control_person: ControlPersonIn | None = None
    certification: CertificationIn | None = None
    cdd: CddIn | None = None
    submit: bool = False

    def application(self) -> dict[str, Any]:
        """The application as the engine reads it (unset fields left out)."""
        return self.model_dump(exclude={"submit"}, exclude_none=True)


class EvidenceCreate(Schema):
    """One verification check of a subject (``party_id``)."""

    party_id: uuid.UUID
    kind: str
    result: str
    elements: list[str]
    checked_on: dt.date | None = None
    identity_document_id: uuid.UUID | None = None
    document_expires_on: dt.date | None = None
    reference: str = ""
    note: str = ""


class OnboardingTransitionCreate(Schema):
    """``submit``, ``refer``, ``verify`` (manual review only) or ``fail``; send the ``version`` you read."""

    action: str
    reason: str = ""
    version: int | None = None


class SubjectRead(Schema):
    party_id: uuid.UUID
    role: str
    name: str
    ownership_percent: Decimal | None
    title: str
    existing_customer: bool
    missing: list[str]


class EvidenceRead(Schema):
    id: uuid.UUID
    party_id: uuid.UUID
    method: str
    kind: str
    result: str
    elements: list[str]
    checked_on: dt.date
    identity_document_id: uuid.UUID | None
    reference: str


class TransitionRead(Schema):
    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    reason: str


class OnboardingRead(Schema):
    id: uuid.UUID
    reference: str
    party_id: uuid.UUID
    kind: str
    status: str
    channel: str
    version: int
    cip_notice_version: str
    cip_notice_acknowledged_at: dt.datetime
    certified_at: dt.datetime | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_reason: str
    risk_rating: str
    outcome: dict[str, Any]
    subjects: list[SubjectRead]
    evidence: list[EvidenceRead]
    transitions: list[TransitionRead]
    actions: list[str]


class OnboardingSummaryRead(Schema):
    id: uuid.UUID
    reference: str
    party_id: uuid.UUID
    name: str
    kind: str
    status: str
    channel: str
    created_at: dt.datetime


class OnboardingPage(Schema):
    items: list[OnboardingSummaryRead]
    next_cursor: str | None


class FactorRead(Schema):
    """One factor: ``restricted`` factors (screening, adverse history) carry only their weight
    for readers without ``aml:read``."""

    factor: str
    weight: int
    restricted: bool
    value: str | None = None
    level: str | None = None
    points: Decimal | None = None
    floor: str | None = None


class RiskRead(Schema):
    party_id: uuid.UUID
    rating: str
    score: Decimal | None
    score_rating: str | None
    model_version: int | None
    assessed_at: dt.datetime | None
    next_review_on: dt.date | None
    reason: str
    factors: list[FactorRead]
    floors_applied: list[str]
    edd_status: str | None


class CddUpdate(CddIn):
    """New CDD answers for a party (``industry``: NAICS code of an entity)."""

    industry: str | None = None
    adverse_media: bool | None = None


class RiskModelRead(Schema):
    version: int
    config: dict[str, Any]
    pending_version: int | None


class RiskModelCreate(Schema):
    """A whole new configuration (see ``GET /kyc/risk-model`` for the shape) and why."""

    config: dict[str, Any]
    reason: str


class RiskModelProposalRead(Schema):
    version: int
    status: str
    reason: str


def onboarding_read(detail: selectors.OnboardingDetail) -> dict[str, Any]:
    """The fields of an :class:`OnboardingRead`."""
    o = detail.onboarding
    return {
        "id": o.pk,
        "reference": o.reference,
        "party_id": o.party_id,
        "kind": o.kind,
        "status": o.status,
        "channel": o.channel,
        "version": o.version,
        "cip_notice_version": o.cip_notice_version,
        "cip_notice_acknowledged_at": o.cip_notice_acknowledged_at,
        "certified_at": o.certified_at,
        "submitted_at": o.submitted_at,
        "decided_at": o.decided_at,
        "decision_reason": o.decision_reason,
        "risk_rating": o.party.risk_rating,
        "outcome": detail.outcome,
        "subjects": [
            {
                "party_id": s.subject.party_id,
                "role": s.subject.role,
                "name": s.subject.party.legal_name,
                "ownership_percent": Decimal(s.subject.ownership_bp) / 100 if s.subject.ownership_bp else None,
                "title": s.subject.title,
                "existing_customer": s.subject.reused,
                "missing": s.missing,
            }
            for s in detail.subjects
        ],
        "evidence": [
            {
                "id": e.pk,
                "party_id": e.party_id,
                "method": e.method,
                "kind": e.kind,
                "result": e.result,
                "elements": e.elements,
                "checked_on": e.checked_on,
                "identity_document_id": e.identity_document_id,
                "reference": e.reference,
            }
            for e in detail.evidence
        ],
        "transitions": [
            {"action": t.action, "from_status": t.from_status, "to_status": t.to_status, "at": t.at, "reason": t.reason}
            for t in detail.transitions
        ],
        "actions": detail.actions + detail.decisions,
    }


def risk_read(actor: User, view: selectors.PartyRisk) -> dict[str, Any]:
    """The fields of a :class:`RiskRead` as ``actor`` may see them (floors coming from
    confidential factors are left out for readers without ``aml:read``)."""
    latest: RiskAssessment | None = view.latest
    floors = list(latest.floors_applied) if latest else []
    if not view.confidential_visible:
        floors = [f for f in floors if f.split(":", 1)[0] not in risk.CONFIDENTIAL_FACTORS]
    return {
        "party_id": view.party.pk,
        "rating": view.party.risk_rating,
        "score": view.score,
        "score_rating": latest.score_rating if latest and view.confidential_visible else None,
        "model_version": latest.model_number if latest else None,
        "assessed_at": latest.assessed_at if latest else None,
        "next_review_on": latest.next_review_on if latest else None,
        "reason": latest.reason if latest else "",
        "factors": view.factors,
        "floors_applied": floors,
        "edd_status": view.edd.status if view.edd else None,
    }
