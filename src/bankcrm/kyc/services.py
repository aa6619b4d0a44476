"""Every write of the KYC app: CIP onboarding (application, evidence, the status machine), the CDD
profile, identity changes, risk rating, the risk model (maker-checker), EDD and periodic reviews.

All public functions take keyword-only arguments and a required ``actor`` (``None`` only for
trusted system callers: scheduled tasks, loaders, and the anonymous portal applicant through
``self_service``), run in one transaction, and record their audit events in it; a failure changes
nothing. Audit payloads hold ids, codes, counts and field names, never identifiers or names.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q, Sum

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm, Role
from bankcrm.authz.scoping import require
from bankcrm.cases import approvals
from bankcrm.cases.models import Approval
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, ValidationFailed
from bankcrm.holdings.models import AccountRole, Branch, Transaction
from bankcrm.identity.models import User
from bankcrm.kyc import integration, selectors
from bankcrm.kyc.engine import risk, validation, verification
from bankcrm.kyc.engine import workflow as wf
from bankcrm.kyc.models import (
    CddProfile,
    EddReview,
    Onboarding,
    OnboardingSubject,
    OnboardingTransition,
    PeriodicReview,
    RiskAssessment,
    RiskModelVersion,
    VerificationEvidence,
)
from bankcrm.parties.birth import age_on, decrypt_date_of_birth, encrypt_date_of_birth
from bankcrm.parties.models import ContactPoint, IdentityDocument, Party, PartyRelationship
from bankcrm.parties.text import fold
from bankcrm.privacy import crypto

#: The CIP notice given before an account is opened (31 CFR 1020.220(a)(5)); the text is the
#: regulation's sample notice, shown in ``kyc/_cip_notice.html``. A new text needs a new version.
CIP_NOTICE_VERSION = "cip-notice-v1"
EDD_APPROVAL = "kyc.edd_signoff"
RISK_MODEL_APPROVAL = "kyc.risk_model_change"
PORTAL_APPLICANT = "portal-applicant"
#: How far back actual activity is measured for the activity factor, in days (3 months).
ACTIVITY_WINDOW_DAYS = 90
_DOCUMENT_TYPES = {
    "passport": IdentityDocument.Type.PASSPORT,
    "drivers_license": IdentityDocument.Type.DRIVERS_LICENSE,
    "national_id": IdentityDocument.Type.NATIONAL_ID,
    "alien_id": IdentityDocument.Type.ALIEN_ID,
}
_PERSON_DOCUMENTS = frozenset({"passport", "drivers_license", "national_id", "alien_id"})
_ENTITY_DOCUMENTS = frozenset(verification.DOCUMENTARY_KINDS) - _PERSON_DOCUMENTS


def _require(actor: User | None, perm: Perm) -> None:
    """Permission check; ``actor=None`` is a trusted system caller."""
    if actor is not None:
        require(actor, perm)


def _require_kyc_worker(actor: User | None) -> None:
    """Front-office staff (``parties:write``) and the BSA/AML team (``aml:manage``) both work
    onboardings: record evidence, re-evaluate."""
    if actor is not None and not actor.has_perm_code(Perm.AML_MANAGE):
        require(actor, Perm.PARTIES_WRITE)


def _label(actor: User | None, self_service: bool) -> str | None:
    return PORTAL_APPLICANT if actor is None and self_service else None


# Onboarding ----------------------------------------------------------------------------------------


def _existing_person(p: validation.Person, ring: crypto.Keyring) -> Party | None:
    """An existing individual with the same tax id, or the same identity document (type, number
    and issuing country): a beneficial owner who is already a customer is linked, not duplicated."""
    live = Party.objects.filter(kind=Party.Kind.PERSON, merged_into__isnull=True)
    if p.tax_id:
        found = live.filter(tax_id_index=crypto.blind_index(p.tax_id, field="party.tax_id", ring=ring)).first()
        if found is not None:
            return found
    if p.id_document is not None:
        doc = p.id_document
        index = crypto.blind_index(doc.number, field="identity_document.number", ring=ring)
        match = IdentityDocument.objects.filter(
            number_index=index, issuing_country=doc.issuing_country, type=_DOCUMENT_TYPES[doc.type]
        ).first()
        if match is not None:
            return live.filter(pk=match.party_id).first()
    return None


def _duplicate_problems(app: validation.Application, ring: crypto.Keyring, self_service: bool) -> list[FieldProblem]:
    # Online, a "this tax id is already a customer" answer would let anyone probe who banks here.
    said = (
        "we cannot open this relationship online; please call us or visit a branch"
        if self_service
        else "a customer with this tax id already exists: serve them from their record"
    )
    if app.person is not None and _existing_person(app.person, ring) is not None:
        return [FieldProblem("person.tax_id" if app.person.tax_id else "person.id_document.number", said)]
    org = app.organization
    if org is not None and org.tax_id:
        index = crypto.blind_index(org.tax_id, field="party.tax_id", ring=ring)
        if Party.objects.filter(kind=Party.Kind.ORGANIZATION, tax_id_index=index, merged_into__isnull=True).exists():
            return [FieldProblem("organization.tax_id", said)]
    return []


def _contacts(party: Party, address: validation.Address, phone: str, email: str, purpose: str) -> list[ContactPoint]:
    points = [
        ContactPoint(
            party=party,
            kind=ContactPoint.Kind.ADDRESS,
            purpose=purpose,
            line1=address.line1,
            line2=address.line2,
            city=address.city,
            region=address.region,
            postal_code=address.postal_code,
            country=address.country,
            is_primary=True,
        )
    ]
    if phone:
        points.append(ContactPoint(party=party, kind=ContactPoint.Kind.PHONE, value=phone, is_primary=True))
    if email:
        points.append(ContactPoint(party=party, kind=ContactPoint.Kind.EMAIL, value=email, is_primary=True))
    return points


def _create_person(p: validation.Person, ring: crypto.Keyring, *, branch: Branch | None, manager: User | None) -> Party:
    """A new individual party with its address, phone, e-mail and identity document; the tax id
    and document number stored only encrypted with a blind index, the date of birth encrypted."""
    party = Party.objects.create(
        kind=Party.Kind.PERSON,
        legal_name=p.full_name[:200],
        given_name=p.given_name,
        family_name=p.family_name,
        other_names=[],
        search_name=fold(p.full_name)[:200],
        date_of_birth_encrypted=encrypt_date_of_birth(p.date_of_birth, ring=ring),
        nationality=p.nationality,
        residence_country=p.residence_country,
        tax_id_type=p.tax_id_type,
        tax_id_encrypted=crypto.encrypt(p.tax_id, field="party.tax_id", ring=ring) if p.tax_id else None,
        tax_id_index=crypto.blind_index(p.tax_id, field="party.tax_id", ring=ring) if p.tax_id else "",
        kyc_status=Party.KycStatus.STARTED,
        branch=branch,
        relationship_manager=manager,
    )
    ContactPoint.objects.bulk_create(_contacts(party, p.address, p.phone, p.email, ContactPoint.Purpose.HOME))
    if p.id_document is not None:
        doc = p.id_document
        IdentityDocument.objects.create(
            party=party,
            type=_DOCUMENT_TYPES[doc.type],
            number_encrypted=crypto.encrypt(doc.number, field="identity_document.number", ring=ring),
            number_index=crypto.blind_index(doc.number, field="identity_document.number", ring=ring),
            issuing_country=doc.issuing_country,
            issuing_region=doc.issuing_region,
            expires_on=doc.expires_on,
        )
    return party


def _create_organization(
    org: validation.Organization, ring: crypto.Keyring, *, branch: Branch | None, manager: User | None
) -> Party:
    party = Party.objects.create(
        kind=Party.Kind.ORGANIZATION,
        legal_name=org.legal_name,
        search_name=fold(org.legal_name)[:200],
        formation_date=org.formation_date,
        # For an entity, "nationality" is the country of formation (its residence: where it does business).
        nationality=org.formation_country,
        residence_country=org.address.country,
        tax_id_type=org.tax_id_type,
        tax_id_encrypted=crypto.encrypt(org.tax_id, field="party.tax_id", ring=ring) if org.tax_id else None,
        tax_id_index=crypto.blind_index(org.tax_id, field="party.tax_id", ring=ring) if org.tax_id else "",
        industry=org.industry,
        segment="small_business",
        kyc_status=Party.KycStatus.STARTED,
        branch=branch,
        relationship_manager=manager,
    )
    ContactPoint.objects.bulk_create(
        _contacts(party, org.address, org.phone, org.email, ContactPoint.Purpose.REGISTERED)
    )
    return party


@transaction.atomic
def start_onboarding(
    *,
    actor: User | None,
    data: Mapping[str, Any],
    submit: bool = False,
    self_service: bool = False,
    branch: Branch | None = None,
) -> Onboarding:
    """Open a CIP onboarding from a complete application (shape and rules:
    :mod:`bankcrm.kyc.engine.validation`).

    Creates the customer party (tax id and date of birth encrypted as the parties app stores
    them), its contact points and identity document; for a legal entity also each beneficial owner
    and the control person (an existing individual with the same tax id or document is linked, not
    duplicated) and their ``beneficial_owner`` / ``control_person`` relationships; the CDD profile;
    screens every subject (when the screening app provides ``screen_party``); and rates the
    customer (a high rating opens an EDD review). With ``submit`` the onboarding moves on to
    ``pending_verification`` at once.

    Args:
        actor: staff with ``parties:write``; a customer or None (anonymous prospect) only with
            ``self_service`` (the portal), which also requires an e-mail and the web or mobile channel.
        branch: the branch the customer is onboarded at (optional).

    Raises:
        ValidationFailed: every invalid or missing field (dotted paths), or an applicant who is
            already a customer; nothing is written.
        PermissionDenied: the actor may not onboard customers.
    """
    if self_service:
        if actor is not None and actor.kind != User.Kind.CUSTOMER:
            raise PermissionDenied("self-service onboarding is for customers and prospects")
    else:
        if actor is not None and actor.kind != User.Kind.STAFF:
            raise PermissionDenied("customers apply through the portal")
        _require(actor, Perm.PARTIES_WRITE)
    today, now = clock.today(), clock.now()
    app = validation.validate_application(data, today=today, require_email=self_service)
    if self_service and app.channel not in ("web", "mobile"):
        raise ValidationFailed([FieldProblem("channel", "online applications come through web or mobile")])
    ring = crypto.keyring()
    problems = _duplicate_problems(app, ring, self_service)
    if problems:
        raise ValidationFailed(problems)
    manager = actor if actor is not None and Role.RELATIONSHIP_MANAGER.value in actor.roles else None
    subjects: list[tuple[Party, str, int | None, str, bool]] = []
    if app.person is not None:
        customer = _create_person(app.person, ring, branch=branch, manager=manager)
        subjects.append((customer, OnboardingSubject.Role.APPLICANT, None, "", False))
    else:
        assert app.organization is not None
        customer = _create_organization(app.organization, ring, branch=branch, manager=manager)
        subjects.append((customer, OnboardingSubject.Role.APPLICANT, None, "", False))
        owner_parties: list[Party] = []
        for owner in app.beneficial_owners:
            found = _existing_person(owner, ring)
            party = found or _create_person(owner, ring, branch=branch, manager=manager)
            owner_parties.append(party)
            subjects.append((party, OnboardingSubject.Role.BENEFICIAL_OWNER, owner.ownership_bp, "", found is not None))
        control = app.control_person
        if control is not None:
            if app.control_owner_index is not None:
                party, reused = owner_parties[app.control_owner_index], subjects[1 + app.control_owner_index][4]
            else:
                found = _existing_person(control, ring)
                party = found or _create_person(control, ring, branch=branch, manager=manager)
                reused = found is not None
            subjects.append((party, OnboardingSubject.Role.CONTROL_PERSON, None, control.title, reused))
        PartyRelationship.objects.bulk_create(
            [
                PartyRelationship(
                    from_party=party,
                    to_party=customer,
                    type=role,
                    ownership_bp=bp,
                    effective_from=today,
                )
                for party, role, bp, _title, _reused in subjects[1:]
            ]
        )
    onboarding = Onboarding.objects.create(
        reference=f"KYC-{uuid.uuid4().hex[:8].upper()}",
        party=customer,
        kind=app.kind,
        channel=app.channel,
        cip_notice_acknowledged_at=now,
        cip_notice_version=CIP_NOTICE_VERSION,
        certified_at=now if app.certification is not None else None,
        certifier_name=app.certification.name if app.certification else "",
        certifier_title=app.certification.title if app.certification else "",
        opened_by=actor if actor is not None and actor.kind == User.Kind.STAFF else None,
        applicant_user=actor if actor is not None and actor.kind == User.Kind.CUSTOMER else None,
    )
    OnboardingSubject.objects.bulk_create(
        [
            OnboardingSubject(
                onboarding=onboarding, party=p, role=role, ownership_bp=bp, title=title, reused=reused, position=i
            )
            for i, (p, role, bp, title, reused) in enumerate(subjects)
        ]
    )
    OnboardingTransition.objects.create(
        onboarding=onboarding, action="start", to_status=wf.Status.STARTED, actor=actor, at=now
    )
    cdd = app.cdd
    CddProfile.objects.create(
        party=customer,
        occupation=cdd.occupation,
        industry=app.organization.industry if app.organization else "",
        pep_status=cdd.pep_status,
        products=list(cdd.products),
        channel=app.channel,
        purpose=cdd.purpose,
        source_of_funds=cdd.source_of_funds,
        expected_monthly_minor=cdd.expected_monthly_minor,
        expected_cash_minor=cdd.expected_cash_minor,
        currency=cdd.currency,
        expected_countries=list(cdd.expected_countries),
    )
    audit.record(
        actor=actor,
        actor_label=_label(actor, self_service),
        action="kyc.onboarding.start",
        subject_type="onboarding",
        subject_id=str(onboarding.pk),
        payload={
            "reference": onboarding.reference,
            "party": str(customer.pk),
            "kind": app.kind,
            "channel": app.channel,
            "cip_notice": CIP_NOTICE_VERSION,
            "beneficial_owners": len(app.beneficial_owners),
            "control_person": app.control_person is not None,
            "linked_existing": sum(1 for s in subjects if s[4]),
            "self_service": self_service,
        },
    )
    screened = set()
    for party, *_rest in subjects:
        if party.pk not in screened:
            screened.add(party.pk)
            integration.screen(actor=None, party=party, reason="onboarding")
    _assess(actor=actor, party=customer, reason="onboarding", actor_label=_label(actor, self_service))
    if submit:
        onboarding.refresh_from_db()
        _move(actor=actor, onboarding=onboarding, action=wf.Action.SUBMIT, actor_label=_label(actor, self_service))
    return onboarding


def _locked(onboarding: Onboarding, expected_version: int | None) -> Onboarding:
    locked = Onboarding.objects.select_for_update().select_related("party").get(pk=onboarding.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(f"the onboarding changed (version {locked.version}, you sent {expected_version}); reload it")
    return locked


@transaction.atomic
def transition_onboarding(
    *, actor: User | None, onboarding: Onboarding, action: str, reason: str = "", expected_version: int | None = None
) -> Onboarding:
    """Apply one action of the status machine (:mod:`bankcrm.kyc.engine.workflow`).

    ``submit`` sends a started onboarding for verification and evaluates the evidence at once;
    ``refer`` (with a reason) sends it to manual review; ``verify`` out of manual review and every
    ``fail`` are compliance decisions (``aml:manage`` and a reason). ``verify`` out of
    ``pending_verification`` only follows from the evidence (:func:`evaluate_onboarding`). A
    failed onboarding opens an AML investigation case (consider a SAR).

    Raises:
        ValidationFailed: an action not allowed now (field ``action``) or a missing reason.
        PermissionDenied: ``parties:write`` missing, or ``aml:manage`` for a decision (which does
            not need ``parties:write``).
        Conflict: ``expected_version`` is stale.
    """
    locked = _locked(onboarding, expected_version)
    status = wf.Status(locked.status)
    try:
        step = wf.Action(action)
    except ValueError:
        raise ValidationFailed(
            [FieldProblem("action", f"must be one of {', '.join(a.value for a in wf.Action)}")]
        ) from None
    try:
        wf.next_status(status, step)
    except wf.InvalidTransition as exc:
        raise ValidationFailed([FieldProblem("action", str(exc))]) from None
    reason = (reason or "").strip()
    if status == wf.Status.PENDING_VERIFICATION and step == wf.Action.VERIFY:
        raise ValidationFailed(
            [FieldProblem("action", "verification follows from the evidence; refer to manual review to decide by hand")]
        )
    # Front-office staff move an onboarding along; its compliance decisions belong to the BSA team.
    _require(actor, Perm.AML_MANAGE if (status, step) in wf.DECISIONS else Perm.PARTIES_WRITE)
    if ((status, step) in wf.DECISIONS or step == wf.Action.REFER) and not reason:
        raise ValidationFailed([FieldProblem("reason", "give the reason for this decision")])
    if len(reason) > 500:
        raise ValidationFailed([FieldProblem("reason", "at most 500 characters")])
    return _move(actor=actor, onboarding=locked, action=step, reason=reason)


def _move(
    *,
    actor: User | None,
    onboarding: Onboarding,
    action: wf.Action,
    reason: str = "",
    automatic: bool = False,
    actor_label: str | None = None,
) -> Onboarding:
    """The one place an onboarding's status changes; mirrors it on ``Party.kyc_status``."""
    before = onboarding.status
    try:
        after = wf.next_status(before, action)
    except wf.InvalidTransition as exc:
        raise ValidationFailed([FieldProblem("action", str(exc))]) from None
    now = clock.now()
    onboarding.status = after
    if action == wf.Action.SUBMIT:
        onboarding.submitted_at = now
    if after in (wf.Status.VERIFIED, wf.Status.FAILED):
        onboarding.decided_at = now
        onboarding.decided_by = None if automatic else actor
        onboarding.decision_reason = reason[:500]
    onboarding.version += 1
    onboarding.updated_at = now
    onboarding.save()
    party = onboarding.party
    party.kyc_status = after
    party.version += 1
    party.updated_at = now
    party.save(update_fields=["kyc_status", "version", "updated_at"])
    # Owners and control persons created by this onboarding are verified with it; an existing
    # customer linked as an owner keeps the status of their own onboarding.
    created_here = onboarding.subjects.filter(reused=False).exclude(party_id=party.pk).values("party_id")
    Party.objects.filter(pk__in=created_here).update(kyc_status=after, version=F("version") + 1, updated_at=now)
    OnboardingTransition.objects.create(
        onboarding=onboarding,
        action=action,
        from_status=before,
        to_status=after,
        actor=actor,
        at=now,
        reason=(("automatic: " if automatic else "") + reason)[:500],
    )
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action="kyc.onboarding.transition",
        subject_type="onboarding",
        subject_id=str(onboarding.pk),
        payload={"action": action, "from": before, "to": after, "automatic": automatic, "party": str(party.pk)},
    )
    if after == wf.Status.VERIFIED:
        _mark_addresses_verified(onboarding, now)
    elif after == wf.Status.FAILED:
        _open_cip_case(onboarding, reason)
    if action == wf.Action.SUBMIT:
        _evaluate(actor=actor, onboarding=onboarding, actor_label=actor_label)
    return onboarding


def _mark_addresses_verified(onboarding: Onboarding, now: dt.datetime) -> None:
    confirmed = {
        e.party_id
        for e in onboarding.evidence.filter(result=VerificationEvidence.Result.PASS)
        if "address" in (e.elements or [])
    }
    ContactPoint.objects.filter(
        party_id__in=confirmed, kind=ContactPoint.Kind.ADDRESS, is_primary=True, verified_at__isnull=True
    ).update(verified_at=now, updated_at=now)


def _open_cip_case(onboarding: Onboarding, reason: str) -> None:
    """CIP procedures for a customer whose identity cannot be verified include considering a SAR
    (REGULATORY_FACTS 1.1, status M): an AML investigation case puts that in front of the BSA team."""
    from bankcrm.cases import services as cases

    case = cases.open_case(
        actor=None,
        kind="aml_investigation",
        party=onboarding.party,
        channel="system",
        subject=f"CIP verification failed: {onboarding.reference}",
        narrative=(
            f"Onboarding {onboarding.reference} failed identity verification. Reason given: {reason or 'none'}. "
            "CIP procedures: the account is not opened; decide whether a SAR is required."
        ),
        record_interaction=False,
    )
    onboarding.case = case
    onboarding.save(update_fields=["case"])


def _subjects_and_evidence(onboarding: Onboarding) -> tuple[list[verification.Subject], list[verification.Evidence]]:
    subjects: dict[str, verification.Subject] = {}
    for s in onboarding.subjects.select_related("party").order_by("position"):
        subjects.setdefault(str(s.party_id), verification.Subject(key=str(s.party_id), kind=s.party.kind, role=s.role))
    evidence = [
        verification.Evidence(
            subject=str(e.party_id),
            kind=e.kind,
            result=e.result,
            elements=frozenset(e.elements or []),
            checked_on=e.checked_on,
            expires_on=e.document_expires_on,
        )
        for e in onboarding.evidence.all()
    ]
    return list(subjects.values()), evidence


def _evaluate(*, actor: User | None, onboarding: Onboarding, actor_label: str | None = None) -> verification.Outcome:
    subjects, evidence = _subjects_and_evidence(onboarding)
    state = integration.screening_state([s.key for s in subjects])
    outcome = verification.evaluate(
        subjects,
        evidence,
        on=clock.today(),
        screening=state,
        both_methods=onboarding.party.risk_rating == Party.RiskRating.HIGH,
    )
    onboarding.outcome = {
        "decision": outcome.decision,
        "missing": outcome.missing,
        "conflicts": outcome.conflicts,
        "failures": outcome.failures,
        "reasons": outcome.reasons,
        "screening": state,
        "evaluated_at": clock.now().isoformat(),
    }
    onboarding.save(update_fields=["outcome"])
    if onboarding.status == wf.Status.PENDING_VERIFICATION:
        # A machine may clear a customer but never turn one away: a failed check, a conflict or a
        # possible watch-list match goes to a person (manual review) with the recommendation.
        if outcome.decision == "verified":
            _move(
                actor=actor,
                onboarding=onboarding,
                action=wf.Action.VERIFY,
                reason="every CIP element verified",
                automatic=True,
                actor_label=actor_label,
            )
        elif outcome.decision in ("failed", "manual_review"):
            _move(
                actor=actor,
                onboarding=onboarding,
                action=wf.Action.REFER,
                reason=f"recommendation {outcome.decision}: " + "; ".join(outcome.reasons),
                automatic=True,
                actor_label=actor_label,
            )
    return outcome


@transaction.atomic
def evaluate_onboarding(*, actor: User | None, onboarding: Onboarding) -> verification.Outcome:
    """Re-evaluate the evidence (e.g. after a screening disposition): a pending onboarding whose
    every subject's CIP elements are verified becomes ``verified``; one with a failed check, a
    conflict or an open watch-list hit is referred to manual review. Other statuses keep their
    status; the outcome is stored either way.

    Raises:
        PermissionDenied: the actor has neither ``parties:write`` nor ``aml:manage``.
    """
    _require_kyc_worker(actor)
    return _evaluate(actor=actor, onboarding=_locked(onboarding, None))


@transaction.atomic
def add_evidence(
    *,
    actor: User | None,
    onboarding: Onboarding,
    party: Party,
    kind: str,
    result: str,
    elements: Iterable[str],
    checked_on: dt.date | None = None,
    identity_document: IdentityDocument | None = None,
    document_expires_on: dt.date | None = None,
    reference: str = "",
    note: str = "",
) -> VerificationEvidence:
    """Record one verification check of a subject (31 CFR 1020.220(a)(2)(ii)) and, while the
    onboarding is pending verification, evaluate the evidence again.

    Args:
        kind: a documentary kind (``passport``, ``drivers_license``, ``national_id``, ``alien_id``
            for individuals; ``articles_of_incorporation``, ``business_license``,
            ``partnership_agreement``, ``trust_instrument`` for entities) or a non-documentary one
            (``consumer_reporting_agency``, ``public_database``, ``financial_institution_reference``,
            ``financial_statement``, ``address_verification``).
        result: ``pass``, ``fail`` or ``inconclusive``.
        elements: the CIP elements checked (name, date_of_birth, address, id_number).
        checked_on: the day of the check (default today; not in the future).
        identity_document: the party's document that was inspected (its expiry is used).
        reference: the check's reference at the vendor or source (no identifiers), up to 64 chars.

    Raises:
        ValidationFailed: each bad field; evidence on a decided onboarding; an expired document.
        PermissionDenied: the actor has neither ``parties:write`` nor ``aml:manage``.
    """
    _require_kyc_worker(actor)
    locked = _locked(onboarding, None)
    today = clock.today()
    problems: list[FieldProblem] = []
    if not wf.is_open(locked.status):
        problems.append(FieldProblem("onboarding", f"is {locked.status}; evidence can no longer be added"))
    if not locked.subjects.filter(party=party).exists():
        problems.append(FieldProblem("party", "is not someone this onboarding verifies"))
    try:
        method = verification.method_of(kind)
    except ValueError:
        method = ""
        kinds = ", ".join(verification.DOCUMENTARY_KINDS + verification.NON_DOCUMENTARY_KINDS)
        problems.append(FieldProblem("kind", f"must be one of {kinds}"))
    if method == "documentary" and party.kind == Party.Kind.PERSON and kind in _ENTITY_DOCUMENTS:
        problems.append(FieldProblem("kind", f"{kind} does not identify an individual"))
    elif method == "documentary" and party.kind != Party.Kind.PERSON and kind in _PERSON_DOCUMENTS:
        problems.append(FieldProblem("kind", f"{kind} does not identify an entity"))
    if result not in verification.RESULTS:
        problems.append(FieldProblem("result", f"must be one of {', '.join(verification.RESULTS)}"))
    chosen = sorted(set(elements))
    required = verification.required_elements(party.kind)
    if not chosen:
        problems.append(FieldProblem("elements", "name the CIP elements the check covered"))
    elif set(chosen) - set(required):
        problems.append(FieldProblem("elements", f"for this subject choose from {', '.join(required)}"))
    checked = checked_on or today
    if checked > today:
        problems.append(FieldProblem("checked_on", "is in the future"))
    expires = document_expires_on
    if identity_document is not None:
        if identity_document.party_id != party.pk:
            problems.append(FieldProblem("identity_document", "is not a document of this subject"))
        expires = identity_document.expires_on or expires
    if method == "documentary" and expires is not None and expires < checked:
        problems.append(FieldProblem("document_expires_on", f"the document had expired ({expires.isoformat()})"))
    reference = (reference or "").strip()
    note = (note or "").strip()
    if len(reference) > 64:
        problems.append(FieldProblem("reference", "at most 64 characters"))
    if len(note) > 500:
        problems.append(FieldProblem("note", "at most 500 characters"))
    if problems:
        raise ValidationFailed(problems)
    evidence = VerificationEvidence.objects.create(
        onboarding=locked,
        party=party,
        method=method,
        kind=kind,
        result=result,
        elements=chosen,
        identity_document=identity_document,
        document_expires_on=expires if method == "documentary" else None,
        reference=reference,
        checked_on=checked,
        note=note,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="kyc.evidence.add",
        subject_type="onboarding",
        subject_id=str(locked.pk),
        payload={
            "evidence": str(evidence.pk),
            "party": str(party.pk),
            "kind": kind,
            "result": result,
            "elements": chosen,
        },
    )
    if locked.status == wf.Status.PENDING_VERIFICATION:
        _evaluate(actor=actor, onboarding=locked)
    return evidence


# Identity changes and the CDD profile --------------------------------------------------------------


@transaction.atomic
def update_identity(
    *,
    actor: User | None,
    party: Party,
    legal_name: str | None = None,
    given_name: str | None = None,
    family_name: str | None = None,
    date_of_birth: dt.date | None = None,
    nationality: str | None = None,
) -> list[str]:
    """Change a party's name, date of birth or nationality, then re-screen it (OFAC: on every
    change of these; the screening app's ``screen_party`` with reason ``identity_change``) and
    re-rate it. Returns the names of the fields that changed (nothing happens when none did).

    Raises:
        ValidationFailed: an empty or over-long name, an implausible date of birth, a bad country.
        PermissionDenied: the actor lacks ``parties:write``.
    """
    _require(actor, Perm.PARTIES_WRITE)
    problems: list[FieldProblem] = []
    changed: list[str] = []
    for field, value, limit in (
        ("legal_name", legal_name, 200),
        ("given_name", given_name, 100),
        ("family_name", family_name, 100),
    ):
        if value is None:
            continue
        value = " ".join(value.split())
        if not value or len(value) > limit:
            problems.append(FieldProblem(field, f"1 to {limit} characters"))
        elif value != getattr(party, field):
            setattr(party, field, value)
            changed.append(field)
    if nationality is not None:
        code = nationality.strip().upper()
        if not validation.is_country(code):
            problems.append(FieldProblem("nationality", "must be a two-letter ISO 3166 country code"))
        elif code != party.nationality:
            party.nationality = code
            changed.append("nationality")
    if date_of_birth is not None:
        today = clock.today()
        if party.kind != Party.Kind.PERSON:
            problems.append(FieldProblem("date_of_birth", "only individuals have a date of birth"))
        elif date_of_birth > today or age_on(date_of_birth, today) > validation.MAX_AGE:
            problems.append(FieldProblem("date_of_birth", "is not a plausible date of birth"))
        elif decrypt_date_of_birth(party.date_of_birth_encrypted) != date_of_birth:
            party.date_of_birth_encrypted = encrypt_date_of_birth(date_of_birth)
            changed.append("date_of_birth")
    if problems:
        raise ValidationFailed(problems)
    if not changed:
        return []
    if "legal_name" in changed:
        party.search_name = fold(party.legal_name)[:200]
    party.version += 1
    party.updated_at = clock.now()
    # This function screens itself, with the actor: the receiver for changes made elsewhere skips it.
    party._kyc_screening_done = True  # type: ignore[attr-defined]
    try:
        party.save()
    finally:
        del party._kyc_screening_done  # type: ignore[attr-defined]
    audit.record(
        actor=actor,
        action="kyc.identity.update",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"changed": changed},
    )
    integration.screen(actor=None, party=party, reason="identity_change")
    _assess(actor=actor, party=party, reason="identity_change")
    return changed


@transaction.atomic
def update_cdd_profile(
    *, actor: User | None, party: Party, data: Mapping[str, Any], adverse_media: bool | None = None
) -> RiskAssessment:
    """Replace the party's CDD answers (the ``cdd`` section of an application, plus ``industry``
    for an entity) and re-rate it.

    Raises:
        ValidationFailed: each bad field (``cdd.*``); nothing changes.
        PermissionDenied: the actor lacks ``parties:write``.
    """
    _require(actor, Perm.PARTIES_WRITE)
    cdd = validation.validate_cdd(data, party.kind)
    industry = str(data.get("industry") or "").strip()
    if party.kind == Party.Kind.ORGANIZATION and industry and not industry.isdigit():
        raise ValidationFailed([FieldProblem("cdd.industry", "a NAICS code of 2 to 6 digits")])
    profile, _ = CddProfile.objects.get_or_create(party=party)
    values = {
        "occupation": cdd.occupation,
        "pep_status": cdd.pep_status,
        "products": list(cdd.products),
        "purpose": cdd.purpose,
        "source_of_funds": cdd.source_of_funds,
        "expected_monthly_minor": cdd.expected_monthly_minor,
        "expected_cash_minor": cdd.expected_cash_minor,
        "currency": cdd.currency,
        "expected_countries": list(cdd.expected_countries),
    }
    if party.kind == Party.Kind.ORGANIZATION and industry:
        values["industry"] = industry[:6]
    if adverse_media is not None:
        values["adverse_media"] = adverse_media
    changed = [k for k, v in values.items() if getattr(profile, k) != v]
    for key, value in values.items():
        setattr(profile, key, value)
    profile.version += 1
    profile.updated_at = clock.now()
    profile.save()
    audit.record(
        actor=actor,
        action="kyc.cdd.update",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"changed": changed},
    )
    return _assess(actor=actor, party=party, reason="cdd_update")


# Risk rating -------------------------------------------------------------------------------------


def _risk_inputs(party: Party, profile: CddProfile | None) -> risk.RiskInputs:
    """What the model rates, gathered from the party, its profile, accounts, transactions and
    AML history (system read: the result's confidential factors are masked when shown)."""
    from bankcrm.cases.models import Case
    from bankcrm.monitoring.models import Alert

    today = clock.today()
    in_force = Q(effective_from__isnull=True) | Q(effective_from__lte=today)
    in_force &= Q(effective_to__isnull=True) | Q(effective_to__gte=today)
    countries: dict[str, tuple[str, ...]] = {
        "nationality": (party.nationality,) if party.nationality else (),
        "residence": (party.residence_country,) if party.residence_country else (),
        "address": tuple(
            sorted(
                set(
                    ContactPoint.objects.filter(party=party, kind=ContactPoint.Kind.ADDRESS)
                    .exclude(country="")
                    .values_list("country", flat=True)
                )
            )
        ),
    }
    if party.kind == Party.Kind.ORGANIZATION:
        owners = Party.objects.filter(
            pk__in=PartyRelationship.objects.filter(in_force, to_party=party).values("from_party_id")
        ).values_list("nationality", "residence_country")
        countries["owners"] = tuple(sorted({c for pair in owners for c in pair if c}))
    if profile is not None and profile.expected_countries:
        countries["expected"] = tuple(profile.expected_countries)
    roles = AccountRole.objects.filter(in_force, party=party)
    held = set(roles.values_list("account__product__type", flat=True))
    products = tuple(sorted(held | set(profile.products if profile else [])))
    occupation = ""
    if profile is not None:
        occupation = profile.industry if party.kind == Party.Kind.ORGANIZATION else profile.occupation
    if party.kind == Party.Kind.ORGANIZATION and not occupation:
        occupation = "".join(ch for ch in party.industry.split(" ")[0] if ch.isdigit())[:6]
    actual = cash = None
    if profile is not None and profile.expected_monthly_minor:
        since = today - dt.timedelta(days=ACTIVITY_WINDOW_DAYS)
        rows = Transaction.objects.filter(
            account_id__in=roles.values("account_id"),
            booking_date__gt=since,
            booking_date__lte=today,
            currency=profile.currency,
        )
        sums = rows.aggregate(total=Sum("amount_minor"), cash=Sum("amount_minor", filter=Q(is_cash=True)))
        # Per month over the 3-month window, rounded down to whole minor units.
        actual = (sums["total"] or 0) * 30 // ACTIVITY_WINDOW_DAYS
        cash = (sums["cash"] or 0) * 30 // ACTIVITY_WINDOW_DAYS
    adverse = (
        Case.objects.filter(party=party, kind="aml_investigation").count()
        + Alert.objects.filter(party=party, status=Alert.Status.ESCALATED).count()
        + Onboarding.objects.filter(party=party, status=Onboarding.Status.FAILED).count()
        + int(bool(profile and profile.adverse_media))
    )
    related = [party.pk]
    if party.kind == Party.Kind.ORGANIZATION:
        related += list(
            PartyRelationship.objects.filter(in_force, to_party=party).values_list("from_party_id", flat=True)
        )
    return risk.RiskInputs(
        party_kind=party.kind,
        countries=countries,
        occupation=occupation,
        products=products,
        channel=profile.channel if profile else "",
        pep_status=profile.pep_status if profile else "none",
        screening=integration.screening_state(related),
        expected_monthly_minor=profile.expected_monthly_minor if profile else None,
        actual_monthly_minor=actual,
        expected_cash_minor=profile.expected_cash_minor if profile else None,
        actual_cash_minor=cash,
        adverse_events=adverse,
    )


def _inputs_record(inputs: risk.RiskInputs) -> dict[str, Any]:
    return {
        "party_kind": inputs.party_kind,
        "countries": {k: list(v) for k, v in inputs.countries.items()},
        "occupation": inputs.occupation,
        "products": list(inputs.products),
        "channel": inputs.channel,
        "pep_status": inputs.pep_status,
        "screening": inputs.screening,
        "expected_monthly_minor": inputs.expected_monthly_minor,
        "actual_monthly_minor": inputs.actual_monthly_minor,
        "expected_cash_minor": inputs.expected_cash_minor,
        "actual_cash_minor": inputs.actual_cash_minor,
        "adverse_events": inputs.adverse_events,
    }


def _assess(*, actor: User | None, party: Party, reason: str, actor_label: str | None = None) -> RiskAssessment:
    """Rate ``party`` with the active model, store the assessment, set ``Party.risk_rating`` and
    the next review date, audit it (``kyc.risk.rate``: previous and new rating, score, model), and
    open an EDD review when the rating is high and none is open."""
    number, config = selectors.active_risk_model()
    profile = CddProfile.objects.filter(party=party).first()
    inputs = _risk_inputs(party, profile)
    result = risk.rate(inputs, config)
    now = clock.now()
    last = RiskAssessment.objects.filter(party=party).order_by("-assessed_at").values_list("assessed_at", flat=True)
    if last and last[0] >= now:
        # "Latest" must be well defined even when the clock is pinned (as-of demo, tests).
        now = last[0] + dt.timedelta(microseconds=1)
    next_review = risk.next_review_date(clock.today(), result.review_months)
    previous = party.risk_rating
    assessment = RiskAssessment.objects.create(
        party=party,
        model_number=number,
        rating=result.rating,
        previous_rating=previous,
        score=result.score,
        score_rating=result.score_rating,
        factors=[
            {
                "factor": f.factor,
                "value": f.value,
                "level": f.level,
                "weight": f.weight,
                "points": str(f.points),
                "floor": f.floor,
            }
            for f in result.factors
        ],
        floors_applied=list(result.floors_applied),
        inputs=_inputs_record(inputs),
        reason=reason,
        assessed_at=now,
        assessed_by=actor,
        next_review_on=next_review,
    )
    if profile is None:
        profile = CddProfile.objects.create(party=party)
    profile.next_review_on = next_review
    profile.updated_at = now
    profile.save(update_fields=["next_review_on", "updated_at"])
    if previous != result.rating:
        party.risk_rating = result.rating
        party.version += 1
        party.updated_at = now
        party.save(update_fields=["risk_rating", "version", "updated_at"])
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action="kyc.risk.rate",
        subject_type="party",
        subject_id=str(party.pk),
        payload={
            "assessment": str(assessment.pk),
            "model": number,
            "previous": previous,
            "rating": result.rating,
            "score": str(result.score),
            "changed": previous != result.rating,
            "reason": reason,
            "next_review_on": next_review.isoformat(),
        },
    )
    if result.rating == RiskAssessment.Rating.HIGH:
        _open_edd(actor=actor, party=party, assessment=assessment, config=config, actor_label=actor_label)
    return assessment


@transaction.atomic
def rate_party(*, actor: User | None, party: Party, reason: str = "manual") -> RiskAssessment:
    """Rate ``party`` again with the active model (see :func:`_assess`).

    Raises:
        PermissionDenied: the actor lacks ``aml:manage``.
    """
    _require(actor, Perm.AML_MANAGE)
    return _assess(actor=actor, party=party, reason=reason[:32])


def _open_edd(
    *,
    actor: User | None,
    party: Party,
    assessment: RiskAssessment,
    config: Mapping[str, Any],
    actor_label: str | None = None,
) -> EddReview | None:
    if EddReview.objects.filter(
        party=party, status__in=[EddReview.Status.OPEN, EddReview.Status.PENDING_APPROVAL]
    ).exists():
        return None
    review = EddReview.objects.create(party=party, assessment=assessment, items=risk.edd_checklist(config, party.kind))
    audit.record(
        actor=actor,
        actor_label=actor_label,
        action="kyc.edd.open",
        subject_type="edd_review",
        subject_id=str(review.pk),
        payload={"party": str(party.pk), "assessment": str(assessment.pk), "items": [i["code"] for i in review.items]},
    )
    return review


# EDD ---------------------------------------------------------------------------------------------


def _locked_edd(review: EddReview) -> EddReview:
    return EddReview.objects.select_for_update().select_related("party").get(pk=review.pk)


@transaction.atomic
def record_edd_item(*, actor: User, review: EddReview, code: str, done: bool, note: str = "") -> EddReview:
    """Tick (or untick) one EDD checklist item with a note of what was checked.

    Raises:
        ValidationFailed: unknown item (``code``), a done item without a note, a review that is
            not open (``review``).
        PermissionDenied: the actor lacks ``aml:manage``.
    """
    require(actor, Perm.AML_MANAGE)
    locked = _locked_edd(review)
    note = (note or "").strip()
    if locked.status != EddReview.Status.OPEN:
        raise ValidationFailed([FieldProblem("review", f"is {locked.status}; it can no longer be changed")])
    items = [dict(i) for i in locked.items]
    item = next((i for i in items if i["code"] == code), None)
    if item is None:
        raise ValidationFailed([FieldProblem("code", f"must be one of {', '.join(i['code'] for i in items)}")])
    if done and not note:
        raise ValidationFailed([FieldProblem("note", "say what was checked and where the evidence is")])
    if len(note) > 500:
        raise ValidationFailed([FieldProblem("note", "at most 500 characters")])
    now = clock.now()
    item.update(
        done=done, note=note, done_by=str(actor.pk) if done else None, done_at=now.isoformat() if done else None
    )
    locked.items = items
    locked.version += 1
    locked.updated_at = now
    locked.save()
    audit.record(
        actor=actor,
        action="kyc.edd.item",
        subject_type="edd_review",
        subject_id=str(locked.pk),
        payload={"code": code, "done": done},
    )
    return locked


@transaction.atomic
def submit_edd(*, actor: User, review: EddReview) -> Approval:
    """Ask for the EDD sign-off: a second person with ``aml:manage`` approves (the review is then
    signed off) or rejects it (back to open with the reason), through maker-checker.

    Raises:
        ValidationFailed: items not done (``items``), or a review that is not open.
        PermissionDenied: the actor lacks ``aml:manage``.
        Conflict: a sign-off is already pending.
    """
    require(actor, Perm.AML_MANAGE)
    locked = _locked_edd(review)
    if locked.status != EddReview.Status.OPEN:
        raise ValidationFailed([FieldProblem("review", f"is {locked.status}")])
    pending = [i["code"] for i in locked.items if not i.get("done")]
    if pending:
        raise ValidationFailed([FieldProblem("items", f"complete every item first: {', '.join(pending)}")])
    approval = approvals.request_approval(
        actor=actor,
        action=EDD_APPROVAL,
        subject_type="edd_review",
        subject_id=str(locked.pk),
        summary=f"EDD sign-off for party {locked.party_id}",
        payload={"review": str(locked.pk), "party": str(locked.party_id)},
    )
    locked.status = EddReview.Status.PENDING_APPROVAL
    locked.approval = approval
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="kyc.edd.submit",
        subject_type="edd_review",
        subject_id=str(locked.pk),
        payload={"approval": str(approval.pk)},
    )
    return approval


def _approved_edd(*, actor: User, approval: Approval) -> None:
    review = EddReview.objects.select_for_update().get(pk=approval.subject_id)
    now = clock.now()
    review.status = EddReview.Status.APPROVED
    review.signed_off_by = actor
    review.signed_off_at = now
    review.version += 1
    review.updated_at = now
    review.save()
    audit.record(
        actor=actor,
        action="kyc.edd.signoff",
        subject_type="edd_review",
        subject_id=str(review.pk),
        payload={"approval": str(approval.pk), "requested_by": str(approval.requested_by_id)},
    )


def _rejected_edd(*, actor: User, approval: Approval) -> None:
    review = EddReview.objects.select_for_update().get(pk=approval.subject_id)
    review.status = EddReview.Status.OPEN
    review.rejection_reason = approval.decision_reason[:500]
    review.version += 1
    review.updated_at = clock.now()
    review.save()
    audit.record(
        actor=actor,
        action="kyc.edd.return",
        subject_type="edd_review",
        subject_id=str(review.pk),
        payload={"approval": str(approval.pk)},
    )


@transaction.atomic
def decide_edd(*, actor: User, review: EddReview, approve: bool, reason: str = "") -> EddReview:
    """Approve (sign off) or reject the pending EDD sign-off: never by the person who asked.

    Raises:
        ValidationFailed: no sign-off is pending (``review``), or a rejection without a reason.
        PermissionDenied: the actor lacks ``aml:manage`` or requested the sign-off.
        Conflict: the approval was already decided.
    """
    locked = _locked_edd(review)
    if locked.status != EddReview.Status.PENDING_APPROVAL or locked.approval_id is None:
        raise ValidationFailed([FieldProblem("review", "no sign-off is pending")])
    approval = Approval.objects.get(pk=locked.approval_id)
    if approve:
        approvals.approve(actor=actor, approval=approval, reason=reason)
    else:
        approvals.reject(actor=actor, approval=approval, reason=reason)
    locked.refresh_from_db()
    return locked


# The risk model ----------------------------------------------------------------------------------


def _changed_paths(old: Any, new: Any, prefix: str = "") -> list[str]:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        paths: list[str] = []
        for key in sorted(set(old) | set(new)):
            paths += _changed_paths(old.get(key), new.get(key), f"{prefix}{key}.")
        return paths
    return [] if old == new else [prefix.rstrip(".")]


@transaction.atomic
def propose_risk_model(*, actor: User, config: Mapping[str, Any], reason: str) -> RiskModelVersion:
    """Propose a new risk-model configuration (weights, levels, thresholds, review intervals,
    floors, EDD checklist: :func:`bankcrm.kyc.engine.risk.validate_config`). It takes effect when
    a second person with ``aml:manage`` approves it; the audit event names the changed paths.

    Raises:
        ValidationFailed: each problem with the configuration (``config.*``) or no reason.
        PermissionDenied: the actor lacks ``aml:manage``.
        Conflict: another proposal is pending.
    """
    require(actor, Perm.AML_MANAGE)
    problems = [FieldProblem(f"config.{p.field}", p.message) for p in risk.validate_config(config)]
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        problems.append(FieldProblem("reason", "say why the model changes (1 to 500 characters)"))
    if problems:
        raise ValidationFailed(problems)
    if RiskModelVersion.objects.filter(status=RiskModelVersion.Status.PROPOSED).exists():
        raise Conflict("another risk-model change is awaiting approval")
    current_number, current = selectors.active_risk_model()
    number = (RiskModelVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    version = RiskModelVersion.objects.create(
        number=number, config=dict(config), reason=reason, proposed_by=actor, proposed_at=clock.now()
    )
    changed = _changed_paths(current, config)
    approvals.request_approval(
        actor=actor,
        action=RISK_MODEL_APPROVAL,
        subject_type="risk_model",
        subject_id=str(version.pk),
        summary=f"Risk model v{number}: {reason}",
        payload={"version": number, "changed": changed[:50]},
    )
    audit.record(
        actor=actor,
        action="kyc.risk_model.propose",
        subject_type="risk_model",
        subject_id=str(version.pk),
        payload={"version": number, "from_version": current_number, "changed": changed[:200]},
    )
    return version


def _approved_model(*, actor: User, approval: Approval) -> None:
    version = RiskModelVersion.objects.select_for_update().get(pk=approval.subject_id)
    now = clock.now()
    RiskModelVersion.objects.filter(status=RiskModelVersion.Status.ACTIVE).update(
        status=RiskModelVersion.Status.RETIRED
    )
    version.status = RiskModelVersion.Status.ACTIVE
    version.decided_by = actor
    version.decided_at = now
    version.save()
    audit.record(
        actor=actor,
        action="kyc.risk_model.activate",
        subject_type="risk_model",
        subject_id=str(version.pk),
        payload={"version": version.number, "requested_by": str(approval.requested_by_id)},
    )

    def rerate() -> None:
        from bankcrm.kyc import tasks

        tasks.rerate_parties.enqueue(reason="model_change")

    transaction.on_commit(rerate)


def _rejected_model(*, actor: User, approval: Approval) -> None:
    version = RiskModelVersion.objects.select_for_update().get(pk=approval.subject_id)
    version.status = RiskModelVersion.Status.REJECTED
    version.decided_by = actor
    version.decided_at = clock.now()
    version.save()
    audit.record(
        actor=actor,
        action="kyc.risk_model.reject",
        subject_type="risk_model",
        subject_id=str(version.pk),
        payload={"version": version.number},
    )


approvals.register(EDD_APPROVAL, perm=Perm.AML_MANAGE, on_approve=_approved_edd, on_reject=_rejected_edd)
approvals.register(RISK_MODEL_APPROVAL, perm=Perm.AML_MANAGE, on_approve=_approved_model, on_reject=_rejected_model)


def rerate_parties(*, reason: str, batch: int = 500) -> int:
    """Rate every party that has a CDD profile with the active model (system actor), each in its
    own transaction so one failure does not undo the rest; return how many were rated."""
    ids = list(CddProfile.objects.order_by("party_id").values_list("party_id", flat=True))
    done = 0
    for start in range(0, len(ids), batch):
        for party in Party.objects.filter(pk__in=ids[start : start + batch]):
            with transaction.atomic():
                _assess(actor=None, party=party, reason=reason[:32])
            done += 1
    return done


# Periodic reviews --------------------------------------------------------------------------------


@transaction.atomic
def open_due_reviews(*, today: dt.date | None = None) -> int:
    """Open a periodic review for every party whose next review date has come and that has no
    open review (system job ``kyc.open_due_reviews``; idempotent). One audit event per run with
    the count. Returns the number opened."""
    day = today or clock.today()
    open_parties = PeriodicReview.objects.filter(status=PeriodicReview.Status.OPEN).values("party_id")
    due: list[tuple[uuid.UUID, dt.date]] = [
        (pk, on)
        for pk, on in CddProfile.objects.filter(next_review_on__lte=day)
        .exclude(party_id__in=open_parties)
        .values_list("party_id", "next_review_on")
        if on is not None
    ]
    if not due:
        return 0
    PeriodicReview.objects.bulk_create([PeriodicReview(party_id=pk, due_on=on) for pk, on in due])
    audit.record(
        actor=None,
        action="kyc.review.open_due",
        subject_type="kyc",
        subject_id="reviews",
        payload={"opened": len(due), "as_of": day.isoformat(), "first": [str(pk) for pk, _ in due[:10]]},
    )
    return len(due)


@transaction.atomic
def complete_review(*, actor: User, review: PeriodicReview, note: str = "") -> RiskAssessment:
    """Complete a periodic review: the party is rated again (reason ``periodic_review``), which
    sets the next review date.

    Raises:
        ValidationFailed: the review is not open, or the note is over 500 characters.
        PermissionDenied: the actor lacks ``aml:manage``.
    """
    require(actor, Perm.AML_MANAGE)
    locked = PeriodicReview.objects.select_for_update().select_related("party").get(pk=review.pk)
    note = (note or "").strip()
    if locked.status != PeriodicReview.Status.OPEN:
        raise ValidationFailed([FieldProblem("review", "is already completed")])
    if len(note) > 500:
        raise ValidationFailed([FieldProblem("note", "at most 500 characters")])
    assessment = _assess(actor=actor, party=locked.party, reason="periodic_review")
    now = clock.now()
    locked.status = PeriodicReview.Status.COMPLETED
    locked.completed_at = now
    locked.completed_by = actor
    locked.assessment = assessment
    locked.note = note
    locked.version += 1
    locked.updated_at = now
    locked.save()
    CddProfile.objects.filter(party=locked.party).update(last_reviewed_on=clock.today())
    audit.record(
        actor=actor,
        action="kyc.review.complete",
        subject_type="party",
        subject_id=str(locked.party_id),
        payload={"review": str(locked.pk), "assessment": str(assessment.pk), "rating": assessment.rating},
    )
    return assessment
