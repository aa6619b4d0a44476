"""Every write to cases: intake on every channel, assignment, classification, the status machine
(with its clocks), notes, attachments, links, and closure with relief through maker-checker.

All functions take keyword-only arguments and a required ``actor`` (``None`` only for trusted
system callers: the CLI e-mail ingest, data-set loaders and scheduled tasks), run in one
transaction and record an audit event in it. Stale writes (``expected_version`` no longer current)
raise :class:`~bankcrm.core.errors.Conflict` and change nothing, so the second of two agents saving
the same case keeps their input and can re-apply it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import filetype
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from rapidfuzz import fuzz

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.cases import approvals, deadlines
from bankcrm.cases.classification import classify, product_display_name, validate_product_class
from bankcrm.cases.engine import signals as signals_engine
from bankcrm.cases.engine.taxonomy import CompanyResponse
from bankcrm.cases.engine.workflow import (
    REQUIREMENTS,
    RESPONSE_KINDS,
    Action,
    CaseKind,
    InvalidTransition,
    Status,
    clocks_stopped_by,
    closure_needs_approval,
    next_status,
)
from bankcrm.cases.models import (
    Approval,
    Case,
    CaseAttachment,
    CaseNote,
    CaseParty,
    CasePause,
    CaseTransition,
    RoutingRule,
    Team,
)
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, ValidationFailed
from bankcrm.core.money import to_minor
from bankcrm.holdings.models import Account
from bankcrm.identity.models import User
from bankcrm.interactions.models import Interaction
from bankcrm.parties import birth
from bankcrm.parties.models import Party

#: The CFPB company-response categories a bank may choose today (legacy values are history only).
RESPONSE_CHOICES: tuple[str, ...] = (
    CompanyResponse.CLOSED_WITH_EXPLANATION.value,
    CompanyResponse.CLOSED_WITH_MONETARY_RELIEF.value,
    CompanyResponse.CLOSED_WITH_NON_MONETARY_RELIEF.value,
)
MAX_NARRATIVE = 20_000
MAX_NOTE = 8_000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
#: Sniffed content types accepted as attachments (documents, scans, photos, forwarded e-mails).
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/tiff": "TIFF image",
    "text/plain": "plain text",
    "text/csv": "CSV",
    "message/rfc822": "e-mail message",
}
#: Two submissions by the same party within this many days whose narratives are this similar
#: (rapidfuzz token-set ratio, 0-100) are flagged as duplicates and linked, never rejected.
DUPLICATE_WINDOW_DAYS = 30
DUPLICATE_MIN_SCORE = 90

_PREFIX = {
    CaseKind.COMPLAINT: "CMP",
    CaseKind.SERVICE_REQUEST: "SR",
    CaseKind.DISPUTE: "DSP",
    CaseKind.AML_INVESTIGATION: "AML",
}
#: How an intake channel appears on the interaction timeline.
_INTERACTION_CHANNEL = {
    "branch": Interaction.Channel.BRANCH,
    "phone": Interaction.Channel.PHONE,
    "web": Interaction.Channel.WEB,
    "mobile": Interaction.Channel.MOBILE,
    "email": Interaction.Channel.EMAIL,
    "chat": Interaction.Channel.CHAT,
    "mail": Interaction.Channel.LETTER,
    "cfpb_portal": Interaction.Channel.WEB,
}


def _require(actor: User | None, perm: Perm) -> None:
    """Permission check; ``actor=None`` is a trusted system caller (CLI, loaders, tasks)."""
    if actor is not None:
        require(actor, perm)


def _require_kind_access(actor: User | None, kind: str) -> None:
    if kind == CaseKind.AML_INVESTIGATION:
        _require(actor, Perm.AML_MANAGE)


def _staff_only(actor: User | None) -> None:
    """Internal work on a case (notes, classification) is for staff, not for the customer."""
    if actor is not None and actor.kind != User.Kind.STAFF:
        raise PermissionDenied("staff only")


def _staff(actor: User | None) -> User | None:
    return actor if actor is not None and actor.kind == User.Kind.STAFF else None


def _reference(kind: str) -> str:
    return f"{_PREFIX[CaseKind(kind)]}-{uuid.uuid4().hex[:8].upper()}"


def _locked(case: Case, expected_version: int | None) -> Case:
    """Re-read ``case`` under a row lock and check the optimistic-locking version.

    Raises:
        Conflict: someone saved the case since ``expected_version`` was read.
    """
    current = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and current.version != expected_version:
        raise Conflict(
            f"case {current.reference} was changed by someone else (you had version {expected_version}, "
            f"it is now version {current.version}, status {current.status}); reload it and re-apply your change"
        )
    return current


def _save(case: Case, now: dt.datetime) -> None:
    case.version += 1
    case.updated_at = now
    case.save()


def _route(kind: str, product_class: str, signal_codes: Iterable[str], channel: str) -> Team | None:
    """The team of the first routing rule (by priority) whose non-empty criteria all match."""
    codes = set(signal_codes)
    for rule in RoutingRule.objects.select_related("team"):
        if rule.kind and rule.kind != kind:
            continue
        if rule.product_class and rule.product_class != product_class:
            continue
        if rule.signal and rule.signal not in codes:
            continue
        if rule.channel and rule.channel != channel:
            continue
        return rule.team
    return None


def _find_duplicate(party: Party | None, kind: str, narrative: str, received: dt.datetime) -> tuple[Case, int] | None:
    if party is None:
        return None
    since = received - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    best: tuple[Case, int] | None = None
    for other in Case.objects.filter(party=party, kind=kind, received_at__gte=since, received_at__lte=received):
        score = round(fuzz.token_set_ratio(narrative, other.narrative))
        if score >= DUPLICATE_MIN_SCORE and (best is None or score > best[1]):
            best = (other.duplicate_of or other, score)
    return best


def _intake_problems(
    kind: str, channel: str, narrative: str, received: dt.datetime, now: dt.datetime
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if kind not in CaseKind.__members__.values():
        problems.append(FieldProblem("kind", f"must be one of {', '.join(k.value for k in CaseKind)}"))
    if channel not in Case.Channel.values:
        problems.append(FieldProblem("channel", f"must be one of {', '.join(Case.Channel.values)}"))
    if not narrative or len(narrative) > MAX_NARRATIVE:
        problems.append(FieldProblem("narrative", f"must be 1 to {MAX_NARRATIVE:,} characters"))
    if received.tzinfo is None:
        problems.append(FieldProblem("received_at", "must include a time zone"))
    elif received > now + dt.timedelta(minutes=5):
        problems.append(FieldProblem("received_at", "must not be in the future"))
    return problems


@transaction.atomic
def open_case(
    *,
    actor: User | None,
    kind: str,
    party: Party | None,
    channel: str,
    narrative: str,
    subject: str = "",
    received_at: dt.datetime | None = None,
    account: Account | None = None,
    classification: dict[str, str] | None = None,
    source_system: str = "",
    source_id: str = "",
    external: dict[str, Any] | None = None,
    is_synthetic: bool = False,
    record_interaction: bool = True,
) -> Case:
    """Open a case from any intake channel (console, portal, API, e-mail, CFPB portal).

    Complaints and disputes get a suggested CFPB classification (product, sub-product, issue,
    sub-issue) from the model trained on the shipped CFPB narratives, unless ``classification``
    gives a recorded one (an import); regulated-kind signals (Reg E error notice, Reg Z billing
    error, CFPB portal, UDAAP, fair lending, elder abuse); the legal clocks those imply and the
    internal SLAs of :class:`~bankcrm.cases.models.SlaPolicy`; a team from the routing rules; and a
    duplicate link when the same party submitted a near-identical narrative in the last 30 days (a
    duplicate is flagged and linked, never rejected). The intake is recorded on the party's timeline.

    Args:
        kind: complaint, service_request, dispute or aml_investigation.
        channel: branch, phone, web, mobile, email, chat, mail, cfpb_portal or system.
        narrative: the customer's words, 1-20,000 characters.
        received_at: timezone-aware instant the bank received it (clocks start from its bank-local
            date); default now.
        account: optional account the case is about; must be one the party holds.
        classification: recorded ``{"product", "sub_product", "issue", "sub_issue"}`` (raw CFPB
            names) that replaces the model's suggestion as confirmed.
        source_system, source_id: the source's own key (``cfpb`` / complaint id, ``email`` /
            Message-ID); a second intake with the same key returns the first case unchanged.

    Raises:
        ValidationFailed: naming each invalid field; nothing is written.
        PermissionDenied: the actor may not open cases (``cases:write``), or not this kind.
    """
    _require(actor, Perm.CASES_WRITE)
    _require_kind_access(actor, kind)
    if source_id:
        existing = Case.objects.filter(source_system=source_system, source_id=source_id).first()
        if existing is not None:
            return existing
    now = clock.now()
    received = received_at or now
    narrative = (narrative or "").strip()
    problems = _intake_problems(kind, channel, narrative, received, now)
    if actor is not None and actor.kind == User.Kind.CUSTOMER and channel not in ("web", "mobile"):
        problems.append(FieldProblem("channel", "customers submit through web or mobile"))
    if account is not None and (party is None or not account.roles.filter(party=party).exists()):
        problems.append(FieldProblem("account_id", "is not an account of this party"))
    recorded_class = ""
    if classification and classification.get("product"):
        try:
            recorded_class = validate_product_class(classification["product"])
        except ValueError as exc:
            problems.append(FieldProblem("product", str(exc)))
    if problems:
        raise ValidationFailed(problems)

    case = Case(
        reference=_reference(kind),
        kind=kind,
        status=Status.NEW,
        party=party,
        account=account,
        channel=channel,
        received_at=received,
        narrative=narrative,
        subject=(subject.strip() or narrative.splitlines()[0])[:200],
        opened_by=actor,
        source_system=source_system,
        source_id=source_id,
        external=external or {},
        is_synthetic=is_synthetic,
        created_at=now,
        updated_at=now,
    )
    if kind in RESPONSE_KINDS:
        if classification and classification.get("product"):
            case.product_class = recorded_class
            case.product = classification["product"]
            case.sub_product = classification.get("sub_product", "")
            case.issue = classification.get("issue", "")
            case.sub_issue = classification.get("sub_issue", "")
            case.classification_confirmed_at = received
        else:
            suggestion = classify(narrative)
            case.suggested_classification = suggestion
            case.product_class = suggestion.get("product_class", "")
            case.product = suggestion.get("product", "")
            case.sub_product = _suggested(suggestion, "sub_product")[:120]
            case.issue = _suggested(suggestion, "issue")[:160]
            case.sub_issue = _suggested(suggestion, "sub_issue")[:160]
    case.signals = _signals(case)
    case.regimes = _regimes(case)
    case.team = _route(kind, case.product_class, (s["code"] for s in case.signals), channel)
    duplicate = _find_duplicate(party, kind, narrative, received)
    if duplicate is not None:
        case.duplicate_of, case.duplicate_score = duplicate
    case.save(force_insert=True)
    deadlines.start_clocks(case)
    if record_interaction and party is not None:
        _timeline(actor, case, direction=Interaction.Direction.INBOUND, purpose=f"{kind.replace('_', ' ')} received")
    audit.record(
        actor=actor,
        action="case.open",
        subject_type="case",
        subject_id=str(case.pk),
        payload={
            "reference": case.reference,
            "kind": kind,
            "channel": channel,
            "party": str(party.pk) if party else None,
            "signals": [s["code"] for s in case.signals],
            "regimes": case.regimes,
            "duplicate_of": str(case.duplicate_of_id) if case.duplicate_of_id else None,
            "source": f"{source_system}:{source_id}" if source_id else None,
        },
    )
    return case


def _suggested(suggestion: dict[str, Any], field: str) -> str:
    """The suggested value of a sub-field (``{"value", "confidence", "alternatives"}`` or absent)."""
    found = suggestion.get(field)
    if isinstance(found, dict):
        return str(found.get("value") or "")
    return str(found or "")


def _signals(case: Case) -> list[dict[str, Any]]:
    tags = str(case.external.get("tags", "")) if case.external else ""
    found = signals_engine.detect_signals(
        case.narrative,
        product_class=case.product_class or None,
        channel=case.channel,
        tags=tags,
        consumer_age=_age(case.party, case.received_at),
    )
    return [{"code": str(s.code), "label": s.label, "rule": s.rule, "evidence": list(s.evidence)} for s in found]


def _age(party: Party | None, at: dt.datetime) -> int | None:
    # The signals engine needs the consumer's age (elder financial abuse, "Older American" 62+);
    # the decrypted date never leaves this function.
    if party is None or not party.date_of_birth_encrypted:
        return None
    born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
    return birth.age_on(born, at.date()) if born is not None else None


def _regimes(case: Case) -> list[str]:
    codes = {s["code"] for s in case.signals}
    regimes = []
    if case.channel == Case.Channel.CFPB_PORTAL:
        regimes.append("cfpb_portal")
    if "reg_e_error" in codes:
        regimes.append("reg_e")
    if "reg_z_billing_error" in codes:
        regimes.append("reg_z")
    return regimes


def _timeline(actor: User | None, case: Case, *, direction: str, purpose: str, summary: str = "") -> Interaction | None:
    if case.party_id is None:
        return None
    now = clock.now()
    return Interaction.objects.create(
        party_id=case.party_id,
        account=case.account,
        channel=_INTERACTION_CHANNEL.get(case.channel, Interaction.Channel.WEB),
        direction=direction,
        purpose=purpose[:64],
        summary=(summary or f"{case.reference}: {case.subject}")[:4000],
        occurred_at=case.received_at if direction == Interaction.Direction.INBOUND else now,
        staff=_staff(actor),
        case_id=case.pk,
        created_at=now,
        updated_at=now,
    )


@transaction.atomic
def assign(
    *, actor: User, case: Case, expected_version: int | None, assignee: User | None, team: Team | None = None
) -> Case:
    """Assign (or reassign, or unassign with ``assignee=None``) a case, optionally moving it to ``team``.

    The assignee must be an active staff user who may manage cases of this kind and, when the team
    has members, one of them.

    Raises:
        PermissionDenied: the actor may not manage cases.
        ValidationFailed: the assignee cannot work this case (field ``assignee``).
        Conflict: stale ``expected_version``.
    """
    _require(actor, Perm.CASES_MANAGE)
    _require_kind_access(actor, case.kind)
    case = _locked(case, expected_version)
    target_team = team or case.team
    if assignee is not None:
        needed = Perm.AML_MANAGE if case.kind == CaseKind.AML_INVESTIGATION else Perm.CASES_MANAGE
        if not (assignee.is_active and assignee.kind == User.Kind.STAFF and assignee.has_perm_code(needed)):
            raise ValidationFailed([FieldProblem("assignee", "must be active staff who may manage this kind of case")])
        if (
            target_team is not None
            and target_team.members.exists()
            and not target_team.members.filter(pk=assignee.pk).exists()
        ):
            raise ValidationFailed([FieldProblem("assignee", f"is not a member of team {target_team.name}")])
    before = (str(case.assignee_id) if case.assignee_id else None, str(case.team_id) if case.team_id else None)
    case.assignee = assignee
    case.team = target_team
    _save(case, clock.now())
    audit.record(
        actor=actor,
        action="case.assign",
        subject_type="case",
        subject_id=str(case.pk),
        payload={
            "from": {"assignee": before[0], "team": before[1]},
            "to": {
                "assignee": str(assignee.pk) if assignee else None,
                "team": str(case.team_id) if case.team_id else None,
            },
        },
    )
    return case


@transaction.atomic
def confirm_classification(
    *,
    actor: User,
    case: Case,
    expected_version: int | None,
    product: str,
    sub_product: str = "",
    issue: str = "",
    sub_issue: str = "",
) -> Case:
    """The agent confirms (or corrects) the CFPB classification. A new product may change the
    regulated kinds (e.g. a credit card complaint becomes a Reg Z billing error), so signals,
    regimes and legal clocks are recomputed; clocks that no longer apply are removed (audited).

    Args:
        product: a CFPB product name of any era, or a canonical product class.

    Raises:
        ValidationFailed: unknown product (field ``product``) or over-long fields.
        Conflict: stale ``expected_version``.
    """
    _require(actor, Perm.CASES_WRITE)
    _staff_only(actor)
    case = _locked(case, expected_version)
    if case.kind not in RESPONSE_KINDS:
        raise ValidationFailed([FieldProblem("product", "only complaints and disputes carry a CFPB classification")])
    try:
        product_class = validate_product_class(product)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem("product", str(exc))]) from None
    problems = [
        FieldProblem(name, "must be at most 160 characters")
        for name, value in (("sub_product", sub_product), ("issue", issue), ("sub_issue", sub_issue))
        if len(value) > 160
    ]
    if problems:
        raise ValidationFailed(problems)
    now = clock.now()
    case.product_class = product_class
    case.product = product_display_name(product)
    case.sub_product, case.issue, case.sub_issue = sub_product.strip(), issue.strip(), sub_issue.strip()
    case.classification_confirmed_by = actor
    case.classification_confirmed_at = now
    case.signals = _signals(case)
    old_regimes = set(case.regimes)
    case.regimes = _regimes(case)
    _save(case, now)
    changed = deadlines.sync_regulatory_clocks(case)
    suggested = case.suggested_classification.get("product_class") if case.suggested_classification else None
    audit.record(
        actor=actor,
        action="case.classify",
        subject_type="case",
        subject_id=str(case.pk),
        payload={
            "product_class": product_class,
            "agreed_with_model": suggested == product_class if suggested else None,
            "regimes": {"before": sorted(old_regimes), "after": case.regimes},
            "clocks": changed,
        },
    )
    return case


@transaction.atomic
def update_dispute_facts(
    *,
    actor: User,
    case: Case,
    expected_version: int | None,
    new_account: bool | None = None,
    point_of_sale: bool | None = None,
    foreign_initiated: bool | None = None,
    provisional_credit_on: dt.date | None = None,
    investigation_completed_on: dt.date | None = None,
    billing_cycle_closing_day: int | None = None,
) -> Case:
    """Record the Reg E / Reg Z facts that set the clocks (12 CFR 1005.11(c), 1026.13(c)) and
    recompute them: new account / point-of-sale / foreign-initiated transfer, the date provisional
    credit was given, the date the investigation ended, the card's billing-cycle closing day.

    Raises:
        ValidationFailed: a date in the future or before receipt, or a closing day outside 1-31.
        Conflict: stale ``expected_version``.
    """
    _require(actor, Perm.CASES_MANAGE)
    case = _locked(case, expected_version)
    today = clock.today()
    received = deadlines.received_date(case)
    problems = []
    for name, value in (
        ("provisional_credit_on", provisional_credit_on),
        ("investigation_completed_on", investigation_completed_on),
    ):
        if value is not None and not received <= value <= today:
            problems.append(FieldProblem(name, f"must be between {received} and {today}"))
    if billing_cycle_closing_day is not None and not 1 <= billing_cycle_closing_day <= 31:
        problems.append(FieldProblem("billing_cycle_closing_day", "must be between 1 and 31"))
    if problems:
        raise ValidationFailed(problems)
    fields: dict[str, object] = {
        "reg_e_new_account": new_account,
        "reg_e_point_of_sale": point_of_sale,
        "reg_e_foreign_initiated": foreign_initiated,
        "provisional_credit_on": provisional_credit_on,
        "investigation_completed_on": investigation_completed_on,
        "billing_cycle_closing_day": billing_cycle_closing_day,
    }
    changed_fields = []
    for name, new in fields.items():
        if new is not None and getattr(case, name) != new:
            setattr(case, name, new)
            changed_fields.append(name)
    _save(case, clock.now())
    changed = deadlines.sync_regulatory_clocks(case)
    audit.record(
        actor=actor,
        action="case.facts",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"fields": changed_fields, "clocks": changed},
    )
    return case


def _relief_minor(relief: str | Decimal | None, currency: str) -> int | None:
    if relief in (None, ""):
        return None
    try:
        amount = Decimal(str(relief))
    except InvalidOperation:
        raise ValidationFailed([FieldProblem("relief", "must be a decimal amount, e.g. 125.00")]) from None
    if amount <= 0:
        raise ValidationFailed([FieldProblem("relief", "must be greater than zero")])
    try:
        return to_minor(amount, currency)
    except ValueError as exc:
        raise ValidationFailed([FieldProblem("relief", str(exc))]) from None


def _resolution_problems(
    case: Case, action: str, company_response: str, relief_minor: int | None, root_causes: Sequence[str]
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    requirement = REQUIREMENTS.get(Action(action))
    needs_response = requirement is not None and requirement.company_response
    closing_unanswered = action == Action.CLOSE and case.kind in RESPONSE_KINDS and not case.company_response
    if (needs_response or closing_unanswered) and not company_response:
        problems.append(FieldProblem("company_response", "a CFPB company-response category is required"))
    if company_response and company_response not in RESPONSE_CHOICES:
        problems.append(FieldProblem("company_response", f"must be one of {', '.join(RESPONSE_CHOICES)}"))
    monetary = company_response == CompanyResponse.CLOSED_WITH_MONETARY_RELIEF
    if monetary and relief_minor is None:
        problems.append(FieldProblem("relief", "monetary relief needs an amount"))
    if relief_minor is not None and company_response and not monetary:
        problems.append(FieldProblem("relief", "an amount is only recorded with monetary relief"))
    if any(not t.strip() or len(t) > 64 for t in root_causes):
        problems.append(FieldProblem("root_causes", "each tag must be 1 to 64 characters"))
    return problems


@transaction.atomic
def transition(
    *,
    actor: User,
    case: Case,
    action: str,
    expected_version: int | None,
    reason: str = "",
    company_response: str = "",
    relief: str | Decimal | None = None,
    relief_currency: str = "USD",
    resolution_summary: str = "",
    root_causes: Sequence[str] = (),
) -> Case:
    """Move a case through its status machine (:mod:`bankcrm.cases.engine.workflow`), starting,
    pausing and stopping clocks on the way. The one function that changes a case's status.

    - ``await_customer`` (reason required) pauses the pausable (internal SLA) clocks; legal
      clocks keep running; ``resume`` ends the pause and extends those clocks by its length.
    - ``respond`` records the CFPB company response, sends the response letter (through the
      contact rules) and sets the "timely response" flag; it stops the response clocks.
    - ``close`` stops every clock. A closure with monetary relief (and any AML disposition) goes to
      ``pending_approval`` and closes only when a second person approves (maker-checker).
    - ``reopen`` (reason required) starts a new internal resolution clock.

    Args:
        relief: monetary relief in major units (``"125.00"``), with ``relief_currency``.
        root_causes: root-cause tags, e.g. ``["fee disclosure", "staff error"]``.

    Raises:
        InvalidTransition (a ``ValidationFailed`` for the API): action not allowed from the status.
        ValidationFailed: a missing reason or company response, bad relief; nothing changes.
        PermissionDenied: the actor may not manage cases of this kind.
        Conflict: stale ``expected_version`` or an approval already pending.
    """
    _require(actor, Perm.CASES_MANAGE)
    _require_kind_access(actor, case.kind)
    if action in (Action.APPROVE_CLOSURE, Action.REJECT_CLOSURE):
        raise PermissionDenied("closures are approved through the approval queue")
    case = _locked(case, expected_version)
    try:
        target = next_status(case.kind, case.status, action)
    except InvalidTransition as exc:
        raise ValidationFailed([FieldProblem("action", str(exc))]) from None
    reason = reason.strip()
    problems: list[FieldProblem] = []
    req = REQUIREMENTS.get(Action(action))
    if req is not None and req.reason and not reason:
        problems.append(FieldProblem("reason", f"{action} needs a reason"))
    if len(reason) > 500:
        problems.append(FieldProblem("reason", "must be at most 500 characters"))
    relief_minor = _relief_minor(relief, relief_currency) if relief not in (None, "") else None
    tags = [t.strip() for t in root_causes]
    if action in (Action.RESPOND, Action.CLOSE):
        problems += _resolution_problems(case, action, company_response, relief_minor, tags)
    if problems:
        raise ValidationFailed(problems)

    now = clock.now()
    today = clock.today()
    from_status = case.status
    if action in (Action.RESPOND, Action.CLOSE):
        if resolution_summary.strip():
            case.resolution_summary = resolution_summary.strip()[:8000]
        if tags:
            case.root_causes = sorted(set(case.root_causes) | set(tags))
    if action == Action.CLOSE and closure_needs_approval(case.kind, company_response or case.company_response):
        target = Status.PENDING_APPROVAL
        approvals.request_approval(
            actor=actor,
            action=CLOSE_APPROVAL,
            subject_type="case",
            subject_id=str(case.pk),
            summary=f"Close {case.reference}: {company_response or case.company_response}"
            + (f" ({Decimal(relief_minor) / 100:.2f} {relief_currency})" if relief_minor else ""),
            payload={
                "company_response": company_response or case.company_response,
                "relief_minor": relief_minor,
                "relief_currency": relief_currency if relief_minor else "",
            },
        )
    elif action == Action.RESPOND or (action == Action.CLOSE and case.kind in RESPONSE_KINDS):
        _record_response(actor, case, company_response or case.company_response, relief_minor, relief_currency, now)
    if action == Action.AWAIT_CUSTOMER:
        CasePause.objects.create(case=case, reason=reason, start=today)
        deadlines.pause_clocks(case, today)
    elif from_status == Status.AWAITING_CUSTOMER and target != Status.AWAITING_CUSTOMER:
        deadlines.end_pause(case, today)
    if action == Action.REOPEN:
        case.reopened_count += 1
        case.closed_at = None
        deadlines.start_reopen_clock(case, today)
    if target == Status.CLOSED:
        case.closed_at = now
    deadlines.stop_clocks(case, clocks_stopped_by(target, deadlines.running_keys(case)), today)
    case.status = target
    _save(case, now)
    CaseTransition.objects.create(
        case=case, action=action, from_status=from_status, to_status=target, actor=actor, reason=reason, at=now
    )
    audit.record(
        actor=actor,
        action="case.transition",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"action": action, "from": from_status, "to": target, "reference": case.reference},
    )
    return case


def _record_response(
    actor: User | None, case: Case, company_response: str, relief_minor: int | None, currency: str, now: dt.datetime
) -> None:
    """Set the company response and relief, the timely-response flag, and send the response letter."""
    first = case.responded_at is None
    case.company_response = company_response
    if relief_minor is not None:
        case.relief_minor, case.relief_currency = relief_minor, currency
    if first:
        case.responded_at = now
        case.timely_response = deadlines.responded_in_time(case, clock.today())
    if case.party_id is not None:
        from bankcrm.cases.letters import send_response_letter

        send_response_letter(actor=actor, case=case)


CLOSE_APPROVAL = "case.close_with_relief"


def _approved_closure(*, actor: User, approval: Approval) -> None:
    case = Case.objects.select_for_update().get(pk=approval.subject_id)
    now = clock.now()
    data = approval.payload
    _record_response(
        actor, case, data["company_response"], data.get("relief_minor"), data.get("relief_currency") or "USD", now
    )
    from_status = case.status
    target = next_status(case.kind, case.status, Action.APPROVE_CLOSURE)
    deadlines.stop_clocks(case, deadlines.running_keys(case), clock.today())
    case.status = target
    case.closed_at = now
    _save(case, now)
    CaseTransition.objects.create(
        case=case, action=Action.APPROVE_CLOSURE, from_status=from_status, to_status=target, actor=actor, at=now
    )
    audit.record(
        actor=actor,
        action="case.transition",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"action": Action.APPROVE_CLOSURE, "from": from_status, "to": target, "approval": str(approval.pk)},
    )


def _rejected_closure(*, actor: User, approval: Approval) -> None:
    case = Case.objects.select_for_update().get(pk=approval.subject_id)
    now = clock.now()
    from_status = case.status
    target = next_status(case.kind, case.status, Action.REJECT_CLOSURE)
    case.status = target
    _save(case, now)
    CaseTransition.objects.create(
        case=case,
        action=Action.REJECT_CLOSURE,
        from_status=from_status,
        to_status=target,
        actor=actor,
        reason=approval.decision_reason,
        at=now,
    )
    audit.record(
        actor=actor,
        action="case.transition",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"action": Action.REJECT_CLOSURE, "from": from_status, "to": target, "approval": str(approval.pk)},
    )


approvals.register(CLOSE_APPROVAL, perm=Perm.CASES_APPROVE, on_approve=_approved_closure, on_reject=_rejected_closure)


@transaction.atomic
def add_note(*, actor: User | None, case: Case, body: str) -> CaseNote:
    """Add an internal note (1-8,000 characters). Notes do not bump the case version: two agents
    may add notes at the same time without conflict.

    Raises:
        ValidationFailed: empty or too long (field ``body``).
    """
    _require(actor, Perm.CASES_WRITE)
    _staff_only(actor)
    _require_kind_access(actor, case.kind)
    body = body.strip()
    if not body or len(body) > MAX_NOTE:
        raise ValidationFailed([FieldProblem("body", f"must be 1 to {MAX_NOTE:,} characters")])
    note = CaseNote.objects.create(case=case, author=actor, body=body, created_at=clock.now())
    audit.record(
        actor=actor, action="case.note", subject_type="case", subject_id=str(case.pk), payload={"note": note.pk}
    )
    return note


def sniff_attachment(filename: str, content: bytes) -> str:
    """The content type of an upload, from its bytes (magic numbers), never from its name.

    Text without a magic number is accepted as ``text/plain`` (``text/csv`` for ``.csv``) when it
    decodes as UTF-8; a forwarded e-mail is recognised by its RFC 5322 headers.

    Raises:
        ValidationFailed: empty, over 10 MiB, or a type not in :data:`ALLOWED_ATTACHMENT_TYPES`
            (field ``file``, naming the file).
    """
    if not content:
        raise ValidationFailed([FieldProblem("file", f"{filename}: the file is empty")])
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed([FieldProblem("file", f"{filename}: larger than {MAX_ATTACHMENT_BYTES // 1048576} MiB")])
    kind = filetype.guess(content)
    mime = kind.mime if kind is not None else ""
    if not mime:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and "\x00" not in text:
            head = text[:2000]
            if (
                any(head.startswith(h) or f"\n{h}" in head for h in ("From:", "Received:", "Message-ID:"))
                and "\nSubject:" in head
            ):
                mime = "message/rfc822"
            else:
                mime = "text/csv" if filename.lower().endswith(".csv") else "text/plain"
    if mime not in ALLOWED_ATTACHMENT_TYPES:
        allowed = ", ".join(sorted(set(ALLOWED_ATTACHMENT_TYPES.values())))
        raise ValidationFailed(
            [FieldProblem("file", f"{filename}: type {mime or 'unknown binary'} is not accepted; allowed: {allowed}")]
        )
    return mime


@transaction.atomic
def add_attachment(*, actor: User | None, case: Case, filename: str, content: bytes) -> CaseAttachment:
    """Attach a file, its type sniffed from the content (see :func:`sniff_attachment`); stored
    content-addressed under ``media/cases/<case>/<sha256>``.

    Raises:
        ValidationFailed: type, size or name not acceptable (field ``file``).
    """
    _require(actor, Perm.CASES_WRITE)
    _require_kind_access(actor, case.kind)
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    if not name:
        raise ValidationFailed([FieldProblem("file", "a file name is required")])
    mime = sniff_attachment(name, content)
    digest = hashlib.sha256(content).hexdigest()
    attachment = CaseAttachment(
        case=case,
        filename=name,
        content_type=mime,
        size=len(content),
        sha256=digest,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    attachment.file.save(digest, ContentFile(content), save=False)
    attachment.save()
    audit.record(
        actor=actor,
        action="case.attachment",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"attachment": attachment.pk, "content_type": mime, "size": len(content), "sha256": digest},
    )
    return attachment


@transaction.atomic
def link_interaction(*, actor: User | None, case: Case, interaction: Interaction) -> Interaction:
    """Link an existing interaction of the case's party (or a linked party) to the case.

    Raises:
        ValidationFailed: the interaction belongs to an unrelated party (field ``interaction_id``).
    """
    _require(actor, Perm.CASES_WRITE)
    allowed = {case.party_id, *case.linked_parties.values_list("party_id", flat=True)}
    if interaction.party_id not in allowed:
        raise ValidationFailed([FieldProblem("interaction_id", "belongs to a party not linked to this case")])
    interaction.case_id = case.pk
    interaction.save(update_fields=["case_id"])
    audit.record(
        actor=actor,
        action="case.link_interaction",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"interaction": str(interaction.pk)},
    )
    return interaction


@transaction.atomic
def link_party(*, actor: User | None, case: Case, party: Party, role: str) -> CaseParty:
    """Link another party to the case with a role (``joint_holder``, ``representative``, ``subject``...).

    Raises:
        ValidationFailed: empty or over-long role.
    """
    _require(actor, Perm.CASES_WRITE)
    _require_kind_access(actor, case.kind)
    role = role.strip()
    if not role or len(role) > 32:
        raise ValidationFailed([FieldProblem("role", "must be 1 to 32 characters")])
    link, _ = CaseParty.objects.get_or_create(case=case, party=party, role=role)
    audit.record(
        actor=actor,
        action="case.link_party",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"party": str(party.pk), "role": role},
    )
    return link


@transaction.atomic
def refresh_clocks(*, today: dt.date | None = None) -> dict[str, int]:
    """Warnings before a breach and escalation on breach, for every running, unpaused clock:

    - a clock inside its warning window (``warn_from <= today <= due``) gets a system note and an
      audit event ``case.clock.warning`` once;
    - a clock past its due date gets ``case.clock.breach`` once: the case's priority becomes
      urgent, ``escalated_at`` is set, a system note names the clock, and the team lead (if the
      team has one) is added to the note so the supervisor sees it in their queue.

    Returns ``{"warned": n, "escalated": m}``. Idempotent per clock.
    """
    from bankcrm.cases.models import CaseClock

    today = today or clock.today()
    now = clock.now()
    warned = escalated = 0
    running = CaseClock.objects.filter(stopped_on__isnull=True, paused_since__isnull=True).select_related(
        "case", "case__team__lead"
    )
    for row in running.filter(warned_at__isnull=True, warn_from__lte=today, effective_due__gte=today):
        row.warned_at = now
        row.save(update_fields=["warned_at"])
        CaseNote.objects.create(
            case=row.case,
            author=None,
            body=f"Deadline approaching: {row.label} is due {row.effective_due}.",
            created_at=now,
        )
        audit.record(
            actor=None,
            action="case.clock.warning",
            subject_type="case",
            subject_id=str(row.case_id),
            payload={"clock": row.key, "due": str(row.effective_due)},
        )
        warned += 1
    for row in running.filter(breach_escalated_at__isnull=True, effective_due__lt=today):
        row.breach_escalated_at = now
        row.save(update_fields=["breach_escalated_at"])
        case = row.case
        lead = case.team.lead if case.team_id and case.team and case.team.lead_id else None
        Case.objects.filter(pk=case.pk).update(priority=Case.Priority.URGENT, escalated_at=case.escalated_at or now)
        CaseNote.objects.create(
            case=case,
            author=None,
            body=f"Deadline breached: {row.label} was due {row.effective_due} ({row.source}). Escalated"
            + (f" to {lead.username}." if lead else "."),
            created_at=now,
        )
        audit.record(
            actor=None,
            action="case.clock.breach",
            subject_type="case",
            subject_id=str(case.pk),
            payload={"clock": row.key, "due": str(row.effective_due), "escalated_to": str(lead.pk) if lead else None},
        )
        escalated += 1
    return {"warned": warned, "escalated": escalated}
