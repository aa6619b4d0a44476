"""Reads of cases, already scoped to the actor (:func:`bankcrm.authz.scoping.restrict`): AML
investigations are invisible without ``aml:read``, customers see their own cases, relationship
managers those of their book."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import restrict
from bankcrm.cases import deadlines
from bankcrm.cases.engine.workflow import Status, allowed_actions
from bankcrm.cases.models import Approval, Case, CaseClock, Team
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.core.lookup import as_uuid, get_visible
from bankcrm.core.pagination import decode_cursor, encode_cursor
from bankcrm.identity.models import User

MAX_PAGE = 100


def visible_cases(actor: User) -> QuerySet[Case]:
    """Every case the actor may read."""
    return restrict(actor, Case.objects.all(), Perm.CASES_READ)


def get_case(actor: User, case_id: uuid.UUID | str) -> Case:
    """One visible case (by id).

    Raises:
        NotFound: no such case, or the actor may not see it (indistinguishable).
    """
    qs = visible_cases(actor).select_related("party", "team", "assignee", "duplicate_of", "account")
    return get_visible(qs, case_id, "case")


def breached_q(today: dt.date) -> Q:
    """Cases with a clock past its due date: running and not paused (or paused only after it had
    run out), or stopped late."""
    late_running = CaseClock.objects.filter(
        case=OuterRef("pk"), stopped_on__isnull=True, effective_due__lt=today
    ).filter(Q(paused_since__isnull=True) | Q(paused_since__gt=F("effective_due")))
    return Q(Exists(late_running))


def missed_q() -> Q:
    """Cases with a clock stopped after its due date (a missed deadline, history)."""
    return Q(Exists(CaseClock.objects.filter(case=OuterRef("pk"), stopped_on__gt=F("effective_due"))))


def due_soon_q(today: dt.date) -> Q:
    """Open cases with a running clock in its warning window (about to breach)."""
    warning = CaseClock.objects.filter(
        case=OuterRef("pk"),
        stopped_on__isnull=True,
        paused_since__isnull=True,
        warn_from__lte=today,
        effective_due__gte=today,
    )
    return Q(Exists(warning))


@dataclass
class Page:
    """One page of cases and the cursor of the next page (None at the end)."""

    items: list[Case]
    next_cursor: str | None


def list_cases(
    actor: User,
    *,
    kind: str = "",
    status: str = "",
    assignee: str = "",
    team: str = "",
    party: str = "",
    breached: bool | None = None,
    due_soon: bool = False,
    query: str = "",
    cursor: str | None = None,
    limit: int = 25,
) -> Page:
    """A queue: visible cases filtered and ordered newest first (keyset-paginated).

    Args:
        kind: complaint / service_request / dispute / aml_investigation ("" = all).
        status: a status, ``open`` for every status but closed, or "" for all.
        assignee: a user id, ``me``, or ``none`` for unassigned.
        team: a team code.
        breached: True = a running clock is past due; False = none is.
        due_soon: only cases with a running clock inside its warning window.
        query: a case reference or words of the subject.

    Raises:
        ValidationFailed: an unknown filter value or a bad cursor / limit (naming the field).
    """
    problems: list[FieldProblem] = []
    if not 1 <= limit <= MAX_PAGE:
        problems.append(FieldProblem("limit", f"must be between 1 and {MAX_PAGE}"))
    from bankcrm.cases.engine.workflow import CaseKind

    if kind and kind not in CaseKind.__members__.values():
        problems.append(FieldProblem("kind", f"must be one of {', '.join(k.value for k in CaseKind)}"))
    if status and status != "open" and status not in Status.__members__.values():
        problems.append(FieldProblem("status", f"must be open or one of {', '.join(s.value for s in Status)}"))
    assignee_id = None
    if assignee and assignee not in ("me", "none"):
        assignee_id = as_uuid(assignee)
        if assignee_id is None:
            problems.append(FieldProblem("assignee", "must be a user id, me or none"))
    if problems:
        raise ValidationFailed(problems)
    today = clock.today()
    qs = visible_cases(actor).select_related("party", "team", "assignee")
    if kind:
        qs = qs.filter(kind=kind)
    if status == "open":
        qs = qs.exclude(status=Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if assignee == "me":
        qs = qs.filter(assignee=actor)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if team:
        qs = qs.filter(team__code=team)
    if party:
        party_id = as_uuid(party)
        qs = qs.filter(party_id=party_id) if party_id else qs.none()
    if breached is True:
        qs = qs.filter(breached_q(today))
    elif breached is False:
        qs = qs.exclude(breached_q(today))
    if due_soon:
        qs = qs.filter(due_soon_q(today))
    term = query.strip()
    if term:
        qs = qs.filter(Q(reference__iexact=term) | Q(subject__icontains=term) | Q(source_id=term))
    qs = qs.order_by("-received_at", "-id")
    if cursor:
        received_s, last_id = decode_cursor(cursor, 2)
        try:
            received = dt.datetime.fromisoformat(str(received_s))
            last = uuid.UUID(str(last_id))
        except ValueError:
            raise ValidationFailed([FieldProblem("cursor", "is not a cursor this endpoint issued")]) from None
        qs = qs.filter(Q(received_at__lt=received) | Q(received_at=received, id__lt=last))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1].received_at.isoformat(), str(rows[-1].pk)]) if more and rows else None
    return Page(items=rows, next_cursor=next_cursor)


@dataclass
class ClockView:
    """One clock as shown to people: the persisted row and its state today."""

    key: str
    label: str
    source: str
    start: dt.date
    due: dt.date
    business_days: bool
    days: int
    status: str
    days_left: int
    stopped_on: dt.date | None


@dataclass
class CaseDetail:
    """Everything the case page and ``GET /complaints/{id}`` show."""

    case: Case
    clocks: list[ClockView] = field(default_factory=list)
    actions: tuple[str, ...] = ()
    notes: list[Any] = field(default_factory=list)
    attachments: list[Any] = field(default_factory=list)
    transitions: list[Any] = field(default_factory=list)
    interactions: list[Any] = field(default_factory=list)
    duplicates: list[Case] = field(default_factory=list)
    pending_approval: Approval | None = None


def clock_views(case: Case, *, today: dt.date | None = None) -> list[ClockView]:
    """The case's clocks with their state on ``today`` (default the clock's today), earliest due first."""
    today = today or clock.today()
    views = []
    for row in case.clocks.all().order_by("effective_due", "key"):
        state = deadlines.state_of(row, today=today)
        views.append(
            ClockView(
                key=row.key,
                label=row.label,
                source=row.source,
                start=row.start,
                due=state.due,
                business_days=row.business_days,
                days=row.days,
                status=str(state.status),
                days_left=state.days_left,
                stopped_on=row.stopped_on,
            )
        )
    return views


def case_detail(actor: User, case_id: uuid.UUID | str) -> CaseDetail:
    """The case with its clocks, the actions the actor may take, notes, attachments, history,
    linked interactions and duplicates. Customers get no internal notes or history.

    Raises:
        NotFound: as :func:`get_case`.
    """
    from bankcrm.interactions.models import Interaction

    case = get_case(actor, case_id)
    detail = CaseDetail(case=case, clocks=clock_views(case))
    if actor.kind == User.Kind.CUSTOMER:
        return detail
    if actor.has_perm_code(Perm.CASES_MANAGE):
        detail.actions = allowed_actions(case.kind, case.status)
    detail.notes = list(case.notes.select_related("author"))
    detail.attachments = list(case.attachments.all())
    detail.transitions = list(case.transitions.select_related("actor"))
    detail.interactions = list(
        restrict(actor, Interaction.objects.filter(case_id=case.pk), Perm.INTERACTIONS_READ).order_by("-occurred_at")[
            :50
        ]
    )
    detail.duplicates = list(visible_cases(actor).filter(duplicate_of=case))
    detail.pending_approval = Approval.objects.filter(
        subject_type="case", subject_id=str(case.pk), status=Approval.Status.PENDING
    ).first()
    return detail


def pending_approvals(actor: User) -> list[Approval]:
    """Pending approvals the actor could decide (holds the checker permission, did not request them),
    limited to subjects the actor may see."""
    if not actor.has_perm_code(Perm.CASES_APPROVE):
        return []
    rows = (
        Approval.objects.filter(status=Approval.Status.PENDING)
        .exclude(requested_by=actor)
        .select_related("requested_by")
    )
    visible = {
        str(pk)
        for pk in visible_cases(actor)
        .values_list("pk", flat=True)
        .filter(pk__in=[r.subject_id for r in rows if r.subject_type == "case"])
    }
    return [r for r in rows if r.subject_type != "case" or r.subject_id in visible]


def get_pending_approval(actor: User, approval_id: str) -> Approval:
    """A pending approval the actor may decide.

    Raises:
        NotFound: unknown, decided, or not visible.
    """
    from bankcrm.core.errors import NotFound

    for approval in pending_approvals(actor):
        if str(approval.pk) == str(approval_id):
            return approval
    raise NotFound("approval")


def teams() -> list[Team]:
    """Every team (reference data, readable by any case user)."""
    return list(Team.objects.all())


def assignable_users(case: Case) -> list[User]:
    """Staff who may be assigned ``case``: team members when the team has members, else every
    active staff user with the manage permission for its kind."""
    from bankcrm.cases.engine.workflow import CaseKind

    needed = Perm.AML_MANAGE if case.kind == CaseKind.AML_INVESTIGATION else Perm.CASES_MANAGE
    if case.team is not None and case.team.members.exists():
        candidates = list(case.team.members.filter(is_active=True))
    else:
        candidates = list(User.objects.filter(is_active=True, kind=User.Kind.STAFF))
    return [u for u in candidates if u.has_perm_code(needed)]


def get_team(code: str) -> Team:
    """A team by code.

    Raises:
        ValidationFailed: unknown code (field ``team``).
    """
    team = Team.objects.filter(code=code).first()
    if team is None:
        raise ValidationFailed([FieldProblem("team", f"unknown team {code!r}")])
    return team


def get_staff_user(user_id: object, field_name: str = "assignee") -> User:
    """A staff user by id (for assignment forms).

    Raises:
        ValidationFailed: malformed id or no such staff user (naming ``field_name``).
    """
    pk = as_uuid(user_id)
    user = User.objects.filter(pk=pk, kind=User.Kind.STAFF).first() if pk else None
    if user is None:
        raise ValidationFailed([FieldProblem(field_name, "no such staff user")])
    return user


def get_attachment(case: Case, attachment_id: int) -> Any:
    """An attachment of an already visible case.

    Raises:
        NotFound: not an attachment of this case.
    """
    from bankcrm.core.errors import NotFound

    found = case.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise NotFound("attachment")
    return found
