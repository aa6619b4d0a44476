"""Reads of the KYC app, scoped to the actor (DESIGN convention 3).

KYC records belong to a party, so they are visible to whoever may see the party
(:func:`bankcrm.authz.scoping.visible_party_ids`: a relationship manager sees their book). Risk
assessments, EDD and periodic reviews are never shown to customers; the factors computed from
AML-confidential records (screening results, adverse history) and the score are shown only to
readers with ``aml:read`` (31 USC 5318(g)(2): nothing may hint at a SAR). A portal applicant sees
only their own onboarding (:func:`applicant_onboarding`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from bankcrm.authz import masking
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require, visible_party_ids
from bankcrm.cases.models import Approval
from bankcrm.core.errors import FieldProblem, NotFound, ValidationFailed
from bankcrm.core.lookup import get_visible
from bankcrm.core.pagination import decode_cursor, encode_cursor
from bankcrm.identity.models import User
from bankcrm.kyc.engine import risk, verification
from bankcrm.kyc.engine import workflow as wf
from bankcrm.kyc.models import (
    CddProfile,
    EddReview,
    Onboarding,
    OnboardingSubject,
    PeriodicReview,
    RiskAssessment,
    RiskModelVersion,
)
from bankcrm.parties.models import IdentityDocument, Party
from bankcrm.privacy import crypto

M = TypeVar("M", bound=Model)
MAX_PAGE = 100


def _scoped(actor: User, queryset: QuerySet[M], perm: Perm) -> QuerySet[M]:
    """``queryset`` (of a model with a ``party`` foreign key) limited to the actor's parties;
    empty for customers.

    Raises:
        PermissionDenied: the actor lacks ``perm``.
    """
    require(actor, perm)
    if actor.kind == User.Kind.CUSTOMER:
        return queryset.none()
    parties = visible_party_ids(actor)
    return queryset if parties is None else queryset.filter(party_id__in=parties)


def active_risk_model() -> tuple[int, dict[str, Any]]:
    """``(version number, configuration)`` of the active risk model; version 0 and the shipped
    default when none is active (a database without the initial data migration). System read:
    callers expose it only to ``aml:read``."""
    version = RiskModelVersion.objects.filter(status=RiskModelVersion.Status.ACTIVE).order_by("-number").first()
    if version is None:
        return 0, risk.default_config()
    return version.number, version.config


# Onboardings ---------------------------------------------------------------------------------------


def visible_onboardings(actor: User) -> QuerySet[Onboarding]:
    """Onboardings the actor may read: staff with ``parties:read`` those of visible parties; a
    customer the ones they applied for."""
    require(actor, Perm.PARTIES_READ)
    qs = Onboarding.objects.select_related("party")
    if actor.kind == User.Kind.CUSTOMER:
        return qs.filter(applicant_user=actor)
    parties = visible_party_ids(actor)
    return qs if parties is None else qs.filter(party_id__in=parties)


@dataclass
class Page:
    """One page of results and the cursor of the next page (None at the end)."""

    items: list[Any]
    next_cursor: str | None


def list_onboardings(actor: User, *, status: str = "", cursor: str | None = None, limit: int = 25) -> Page:
    """Visible onboardings, newest first, optionally of one status; keyset-paginated.

    Raises:
        ValidationFailed: unknown ``status``, bad ``limit`` or ``cursor``.
        PermissionDenied: the actor may not read parties.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed([FieldProblem("limit", f"must be between 1 and {MAX_PAGE}")])
    qs = visible_onboardings(actor)
    if status:
        if status not in Onboarding.Status.values:
            raise ValidationFailed([FieldProblem("status", f"must be one of {', '.join(Onboarding.Status.values)}")])
        qs = qs.filter(status=status)
    if cursor:
        created, last_id = decode_cursor(cursor, 2)
        try:
            at = dt.datetime.fromisoformat(created)
            last = uuid.UUID(last_id)
        except (TypeError, ValueError):
            raise ValidationFailed([FieldProblem("cursor", "is not a cursor returned by this API")]) from None
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=last))
    rows = list(qs.order_by("-created_at", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1].created_at.isoformat(), str(rows[-1].id)]) if more else None
    return Page(items=rows, next_cursor=next_cursor)


def get_onboarding(actor: User, onboarding_id: uuid.UUID | str) -> Onboarding:
    """One visible onboarding.

    Raises:
        NotFound: unknown or not visible (indistinguishable).
    """
    return get_visible(visible_onboardings(actor), onboarding_id, "onboarding")


def applicant_onboarding(user: Any, allowed_ids: Iterable[str], onboarding_id: uuid.UUID | str) -> Onboarding:
    """The onboarding a portal applicant may follow: one they applied for signed in, or one
    started in this browser session (``allowed_ids``) by an anonymous prospect.

    Raises:
        NotFound: otherwise.
    """
    allowed = Q(pk__in=[i for i in allowed_ids if _is_uuid(i)])
    if getattr(user, "is_authenticated", False) and getattr(user, "kind", "") == User.Kind.CUSTOMER:
        allowed |= Q(applicant_user=user)
    return get_visible(Onboarding.objects.filter(allowed).select_related("party"), onboarding_id, "onboarding")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@dataclass
class SubjectView:
    """A subject with its role, its identity documents (numbers masked to the last 4) and the
    elements the last evaluation still misses."""

    subject: OnboardingSubject
    documents: list[tuple[IdentityDocument, str]]
    missing: list[str]
    failures: list[str]
    conflicts: list[str]


@dataclass(frozen=True)
class TransitionView:
    """One status change as the actor may see it (``reason`` redacted without ``aml:read``)."""

    action: str
    from_status: str
    to_status: str
    at: dt.datetime
    actor: User | None
    reason: str


@dataclass
class OnboardingDetail:
    """Everything the onboarding page shows. ``outcome`` is the last evaluation as the actor may
    see it: without ``aml:read`` its screening state is left out and its screening reasons
    redacted (see :func:`onboarding_detail`)."""

    onboarding: Onboarding
    subjects: list[SubjectView]
    evidence: list[Any]
    transitions: list[TransitionView]
    actions: list[str]
    decisions: list[str] = field(default_factory=list)
    outcome: dict[str, Any] = field(default_factory=dict)


#: What a reader without ``aml:read`` sees in place of a screening reason.
REDACTED = "restricted (BSA/AML)"


def _redact(text: str) -> str:
    for sentence in verification.SCREENING_REASONS.values():
        text = text.replace(sentence, REDACTED)
    return text


def onboarding_detail(actor: User, onboarding_id: uuid.UUID | str) -> OnboardingDetail:
    """The onboarding with its subjects, evidence, history and the actions the actor may take
    (``decisions`` need ``aml:manage``). Watch-list results are AML-confidential (like the
    screening factor of a risk rating): for readers without ``aml:read`` the outcome's
    ``screening`` state is left out and the screening reasons, in the outcome and in the history,
    read :data:`REDACTED`.

    Raises:
        NotFound: as :func:`get_onboarding`.
        PermissionDenied: the actor is a customer (the record holds the risk rating and internal
            reasons; an applicant follows the application in the portal, reference and status only).
    """
    if actor.kind == User.Kind.CUSTOMER:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("onboarding records are internal")
    onboarding = get_onboarding(actor, onboarding_id)
    outcome = dict(onboarding.outcome or {})
    aml_reader = actor.has_perm_code(Perm.AML_READ)
    if outcome and not aml_reader:
        outcome.pop("screening", None)
        outcome["reasons"] = [_redact(r) for r in outcome.get("reasons", [])]
    subjects = []
    for s in onboarding.subjects.select_related("party").order_by("position"):
        docs = [
            (d, masking.mask(crypto.decrypt(d.number_encrypted, field="identity_document.number")))
            for d in IdentityDocument.objects.filter(party=s.party).order_by("type")
        ]
        key = str(s.party_id)
        subjects.append(
            SubjectView(
                subject=s,
                documents=docs,
                missing=outcome.get("missing", {}).get(key, []),
                failures=outcome.get("failures", {}).get(key, []),
                conflicts=outcome.get("conflicts", {}).get(key, []),
            )
        )
    actions: list[str] = []
    decisions: list[str] = []
    for action in wf.allowed_actions(onboarding.status):
        pair = (wf.Status(onboarding.status), action)
        if pair == (wf.Status.PENDING_VERIFICATION, wf.Action.VERIFY):
            continue
        if pair in wf.DECISIONS:
            if actor.has_perm_code(Perm.AML_MANAGE):
                decisions.append(action.value)
        elif actor.has_perm_code(Perm.PARTIES_WRITE):
            actions.append(action.value)
    return OnboardingDetail(
        onboarding=onboarding,
        subjects=subjects,
        evidence=list(
            onboarding.evidence.select_related("party", "recorded_by").order_by("-checked_on", "-created_at")
        ),
        transitions=[
            TransitionView(
                action=t.action,
                from_status=t.from_status,
                to_status=t.to_status,
                at=t.at,
                actor=t.actor,
                reason=t.reason if aml_reader else _redact(t.reason),
            )
            for t in onboarding.transitions.select_related("actor")
        ],
        actions=actions,
        decisions=decisions,
        outcome=outcome,
    )


def onboarding_subject_party(onboarding: Onboarding, party_id: uuid.UUID | str) -> Party:
    """A subject party of a visible onboarding (the onboarding itself was read through scoping).

    Raises:
        NotFound: the party is not a subject of this onboarding.
    """
    found = Party.objects.filter(pk__in=onboarding.subjects.values("party_id"))
    return get_visible(found, party_id, "party")


def subject_document(party: Party, document_id: uuid.UUID | str | None) -> IdentityDocument | None:
    """One identity document of a subject party, or None when no id is given.

    Raises:
        NotFound: the document is not the party's.
    """
    if not document_id:
        return None
    return get_visible(IdentityDocument.objects.filter(party=party), document_id, "identity_document")


def status_counts(actor: User) -> dict[str, int]:
    """Visible onboardings per status (for the KYC desk)."""
    counts = dict.fromkeys(Onboarding.Status.values, 0)
    for status in visible_onboardings(actor).values_list("status", flat=True):
        counts[status] += 1
    return counts


# Risk --------------------------------------------------------------------------------------------


@dataclass
class PartyRisk:
    """The risk picture of one party as the actor may see it: ``factors`` are dicts (factor,
    value, level, weight, points, floor) with the confidential ones masked (``restricted`` True)
    and ``score`` None unless the actor holds ``aml:read``."""

    party: Party
    profile: CddProfile | None
    latest: RiskAssessment | None
    factors: list[dict[str, Any]]
    score: Decimal | None
    history: list[RiskAssessment]
    edd: EddReview | None
    review: PeriodicReview | None
    confidential_visible: bool


def masked_factors(actor: User, assessment: RiskAssessment) -> list[dict[str, Any]]:
    """The assessment's factors, with the value, level and points of AML-confidential factors
    (screening, adverse history) replaced for readers without ``aml:read``."""
    full = actor.has_perm_code(Perm.AML_READ)
    shown = []
    for f in assessment.factors:
        if f["factor"] in risk.CONFIDENTIAL_FACTORS and not full:
            shown.append({"factor": f["factor"], "weight": f["weight"], "restricted": True})
        else:
            shown.append({**f, "restricted": False})
    return shown


def party_risk(actor: User, party: Party) -> PartyRisk:
    """The risk picture of a party the caller already read through scoping.

    Raises:
        PermissionDenied: the actor lacks ``parties:read``, or is a customer.
    """
    require(actor, Perm.PARTIES_READ)
    if actor.kind == User.Kind.CUSTOMER:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("risk ratings are internal")
    history = list(RiskAssessment.objects.filter(party=party).order_by("-assessed_at")[:10])
    latest = history[0] if history else None
    full = actor.has_perm_code(Perm.AML_READ)
    return PartyRisk(
        party=party,
        profile=CddProfile.objects.filter(party=party).first(),
        latest=latest,
        factors=masked_factors(actor, latest) if latest else [],
        score=latest.score if latest and full else None,
        history=history,
        edd=EddReview.objects.filter(party=party).order_by("-created_at").first() if full else None,
        review=PeriodicReview.objects.filter(party=party, status=PeriodicReview.Status.OPEN).first() if full else None,
        confidential_visible=full,
    )


@dataclass
class RiskModelView:
    """The active model, the version history and a pending proposal (with its approval)."""

    number: int
    config: dict[str, Any]
    versions: list[RiskModelVersion]
    pending: RiskModelVersion | None
    pending_approval: Approval | None


def risk_model(actor: User) -> RiskModelView:
    """The risk model for its stewards.

    Raises:
        PermissionDenied: the actor lacks ``aml:read``.
    """
    require(actor, Perm.AML_READ)
    number, config = active_risk_model()
    versions = list(RiskModelVersion.objects.select_related("proposed_by", "decided_by")[:20])
    pending = next((v for v in versions if v.status == RiskModelVersion.Status.PROPOSED), None)
    approval = None
    if pending is not None:
        approval = Approval.objects.filter(
            subject_type="risk_model", subject_id=str(pending.pk), status=Approval.Status.PENDING
        ).first()
    return RiskModelView(number=number, config=config, versions=versions, pending=pending, pending_approval=approval)


def edd_queue(actor: User) -> list[EddReview]:
    """Open and awaiting-sign-off EDD reviews of visible parties, oldest first.

    Raises:
        PermissionDenied: the actor lacks ``aml:read``.
    """
    qs = _scoped(actor, EddReview.objects.select_related("party", "approval__requested_by"), Perm.AML_READ)
    return list(qs.exclude(status=EddReview.Status.APPROVED).order_by("created_at", "id")[:200])


def get_edd(actor: User, review_id: uuid.UUID | str) -> EddReview:
    """One EDD review of a visible party.

    Raises:
        NotFound: unknown or not visible; PermissionDenied: no ``aml:read``.
    """
    return get_visible(_scoped(actor, EddReview.objects.select_related("party"), Perm.AML_READ), review_id, "edd")


def due_reviews(actor: User, *, limit: int = 100) -> list[PeriodicReview]:
    """Open periodic reviews of visible parties, earliest due first.

    Raises:
        PermissionDenied: the actor lacks ``aml:read``.
    """
    qs = _scoped(actor, PeriodicReview.objects.select_related("party"), Perm.AML_READ)
    return list(qs.filter(status=PeriodicReview.Status.OPEN).order_by("due_on", "id")[:limit])


def get_review(actor: User, review_id: uuid.UUID | str) -> PeriodicReview:
    """One periodic review of a visible party.

    Raises:
        NotFound: unknown or not visible; PermissionDenied: no ``aml:read``.
    """
    qs = _scoped(actor, PeriodicReview.objects.select_related("party"), Perm.AML_READ)
    return get_visible(qs, review_id, "review")


def pending_edd_approval(review: EddReview) -> Approval | None:
    """The pending sign-off approval of a review, if any."""
    if review.approval_id is None:
        return None
    return Approval.objects.filter(pk=review.approval_id, status=Approval.Status.PENDING).first()


def get_pending_model_approval(actor: User) -> Approval:
    """The pending risk-model approval, for its checker.

    Raises:
        NotFound: none is pending; PermissionDenied: no ``aml:read``.
    """
    view = risk_model(actor)
    if view.pending_approval is None:
        raise NotFound("approval")
    return view.pending_approval
