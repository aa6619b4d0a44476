"""``/api/v1/onboarding`` (CIP onboarding: application, evidence, status transitions) and
``/api/v1/kyc`` (risk rating, CDD profile, the risk model)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema

from bankcrm.api.auth import TokenAuth
from bankcrm.authz.permissions import Perm
from bankcrm.core.idempotency import idempotent_json
from bankcrm.kyc import selectors, services
from bankcrm.kyc.schemas import (
    CddUpdate,
    EvidenceCreate,
    OnboardingCreate,
    OnboardingPage,
    OnboardingRead,
    OnboardingTransitionCreate,
    RiskModelCreate,
    RiskModelProposalRead,
    RiskModelRead,
    RiskRead,
    onboarding_read,
    risk_read,
)
from bankcrm.parties import selectors as parties

onboarding = Router(tags=["onboarding"])
kyc = Router(tags=["kyc"])


def _read(actor: Any, onboarding_id: uuid.UUID) -> dict[str, Any]:
    return OnboardingRead(**onboarding_read(selectors.onboarding_detail(actor, onboarding_id))).model_dump(mode="json")


@onboarding.post(
    "", response={201: OnboardingRead}, auth=TokenAuth(Perm.PARTIES_WRITE), summary="Open a CIP onboarding"
)
def create_onboarding(request: HttpRequest, payload: OnboardingCreate) -> Any:
    """Submit a complete application: CIP data (name, date of birth, address, identification
    number), the CIP notice acknowledged, for a legal entity its beneficial owners (each >= 25%),
    one control person and the certification, and the CDD answers. Invalid or incomplete data gets
    422 with every field at fault and nothing is created; otherwise the party, its relationships,
    the CDD profile and a risk rating are created (status ``started``, or ``pending_verification``
    with ``"submit": true``). Honours ``Idempotency-Key``."""
    actor = request.user

    def handler() -> tuple[int, Any]:
        created = services.start_onboarding(
            actor=actor,  # type: ignore[arg-type]
            data=payload.application(),
            submit=payload.submit,
        )
        return 201, _read(actor, created.pk)

    return idempotent_json(request, handler)


class OnboardingFilters(Schema):
    status: str = ""
    cursor: str | None = None
    limit: int = 25


@onboarding.get("", response=OnboardingPage, auth=TokenAuth(Perm.PARTIES_READ), summary="Onboardings")
def list_onboardings(request: HttpRequest, filters: Query[OnboardingFilters]) -> dict[str, Any]:
    """Onboardings the caller may see, newest first, optionally of one ``status``."""
    page = selectors.list_onboardings(
        request.user,  # type: ignore[arg-type]
        status=filters.status,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    items = [
        {
            "id": o.pk,
            "reference": o.reference,
            "party_id": o.party_id,
            "name": o.party.legal_name,
            "kind": o.kind,
            "status": o.status,
            "channel": o.channel,
            "created_at": o.created_at,
        }
        for o in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@onboarding.get(
    "/{onboarding_id}", response=OnboardingRead, auth=TokenAuth(Perm.PARTIES_READ), summary="One onboarding"
)
def get_onboarding(request: HttpRequest, onboarding_id: uuid.UUID) -> Any:
    """The onboarding with its subjects, evidence, last evaluation (``outcome``: missing,
    conflicting and failed elements), history and the actions the caller may take. Staff only
    (customers get 403); watch-list results in the outcome and history are redacted without
    ``aml:read``."""
    return _read(request.user, onboarding_id)


@onboarding.post(
    "/{onboarding_id}/evidence",
    response={201: OnboardingRead},
    auth=TokenAuth(Perm.PARTIES_WRITE),
    summary="Record verification evidence",
)
def add_evidence(request: HttpRequest, onboarding_id: uuid.UUID, payload: EvidenceCreate) -> Any:
    """Record a documentary or non-documentary check of one subject and the CIP elements it
    covered. While the onboarding is pending verification the evidence is evaluated again: when
    every element of every subject is confirmed it becomes ``verified``; a failed check, a
    conflict or a possible watch-list match sends it to ``manual_review``."""
    actor = request.user
    found = selectors.get_onboarding(actor, onboarding_id)  # type: ignore[arg-type]
    party = selectors.onboarding_subject_party(found, payload.party_id)
    services.add_evidence(
        actor=actor,  # type: ignore[arg-type]
        onboarding=found,
        party=party,
        kind=payload.kind,
        result=payload.result,
        elements=payload.elements,
        checked_on=payload.checked_on,
        identity_document=selectors.subject_document(party, payload.identity_document_id),
        document_expires_on=payload.document_expires_on,
        reference=payload.reference,
        note=payload.note,
    )
    return JsonResponse(_read(actor, onboarding_id), status=201)


@onboarding.post(
    "/{onboarding_id}/transitions",
    response=OnboardingRead,
    auth=TokenAuth(Perm.PARTIES_WRITE),
    summary="Move an onboarding",
)
def transition_onboarding(request: HttpRequest, onboarding_id: uuid.UUID, payload: OnboardingTransitionCreate) -> Any:
    """Apply ``submit`` or ``refer`` (with a reason: to manual review). Decisions (``verify`` /
    ``fail``) go to ``/decisions``. Send the ``version`` you read: a stale one gets 409 and nothing
    changes."""
    actor = request.user
    found = selectors.get_onboarding(actor, onboarding_id)  # type: ignore[arg-type]
    services.transition_onboarding(
        actor=actor,  # type: ignore[arg-type]
        onboarding=found,
        action=payload.action,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _read(actor, onboarding_id)


@onboarding.post(
    "/{onboarding_id}/decisions",
    response=OnboardingRead,
    auth=TokenAuth(Perm.AML_MANAGE),
    summary="Decide an onboarding (BSA/AML)",
)
def decide_onboarding(request: HttpRequest, onboarding_id: uuid.UUID, payload: OnboardingTransitionCreate) -> Any:
    """The compliance decisions: ``verify`` or ``fail`` an onboarding in manual review, or
    ``fail`` one pending verification, with a reason. A failed onboarding opens an AML
    investigation case (consider a SAR). Send the ``version`` you read (409 when stale)."""
    actor = request.user
    found = selectors.get_onboarding(actor, onboarding_id)  # type: ignore[arg-type]
    services.transition_onboarding(
        actor=actor,  # type: ignore[arg-type]
        onboarding=found,
        action=payload.action,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _read(actor, onboarding_id)


def _risk(actor: Any, party_id: uuid.UUID) -> dict[str, Any]:
    party = parties.get_party(actor, party_id)
    return RiskRead(**risk_read(actor, selectors.party_risk(actor, party))).model_dump(mode="json")


@kyc.get("/parties/{party_id}/risk", response=RiskRead, auth=TokenAuth(Perm.PARTIES_READ), summary="Risk rating")
def get_risk(request: HttpRequest, party_id: uuid.UUID) -> Any:
    """The party's CDD/EDD risk rating with each factor's contribution and the next review date.
    The score and the screening and adverse-history factors are shown only with ``aml:read``."""
    return _risk(request.user, party_id)


@kyc.post("/parties/{party_id}/risk", response=RiskRead, auth=TokenAuth(Perm.AML_MANAGE), summary="Rate again")
def rate_party(request: HttpRequest, party_id: uuid.UUID) -> Any:
    """Rate the party again with the active risk model (audited; a high rating opens EDD)."""
    actor = request.user
    services.rate_party(actor=actor, party=parties.get_party(actor, party_id))  # type: ignore[arg-type]
    return _risk(actor, party_id)


@kyc.post("/parties/{party_id}/cdd", response=RiskRead, auth=TokenAuth(Perm.PARTIES_WRITE), summary="CDD answers")
def update_cdd(request: HttpRequest, party_id: uuid.UUID, payload: CddUpdate) -> Any:
    """Replace the party's CDD answers (occupation or industry, PEP status, products, purpose,
    source of funds, expected activity and countries) and rate it again."""
    actor = request.user
    data = payload.model_dump(exclude={"adverse_media"}, exclude_none=True)
    services.update_cdd_profile(
        actor=actor,  # type: ignore[arg-type]
        party=parties.get_party(actor, party_id),  # type: ignore[arg-type]
        data=data,
        adverse_media=payload.adverse_media,
    )
    return _risk(actor, party_id)


@kyc.get("/risk-model", response=RiskModelRead, auth=TokenAuth(Perm.AML_READ), summary="The risk model")
def get_risk_model(request: HttpRequest) -> Any:
    """The active configuration (weights, levels, thresholds, review months, floors, EDD
    checklist) and the version awaiting approval, if any."""
    view = selectors.risk_model(request.user)  # type: ignore[arg-type]
    return {
        "version": view.number,
        "config": view.config,
        "pending_version": view.pending.number if view.pending else None,
    }


@kyc.post(
    "/risk-model",
    response={202: RiskModelProposalRead},
    auth=TokenAuth(Perm.AML_MANAGE),
    summary="Propose a risk-model change",
)
def propose_risk_model(request: HttpRequest, payload: RiskModelCreate) -> Any:
    """Propose a new configuration; it takes effect when a second person with ``aml:manage``
    approves it in the console (202: accepted, not yet in force)."""
    version = services.propose_risk_model(actor=request.user, config=payload.config, reason=payload.reason)  # type: ignore[arg-type]
    return JsonResponse({"version": version.number, "status": version.status, "reason": version.reason}, status=202)
