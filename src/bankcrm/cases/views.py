"""Staff console for cases: queues (mine, unassigned, breached, about to breach), intake, the
case page (classification, clocks, assignment, transitions, notes, attachments, approvals) and
the complaint reports with the CFPB-layout export.

Forms post and redirect (PRG). A stale save (someone else changed the case) re-renders the page
with 409, the conflict explained and the user's input kept in the form, so nothing is lost.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bankcrm.authz.permissions import Perm
from bankcrm.cases import approvals, reports, selectors, services
from bankcrm.cases.engine import taxonomy
from bankcrm.cases.engine.workflow import CaseKind
from bankcrm.cases.models import Case
from bankcrm.console.views import base_context
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from bankcrm.holdings import selectors as holdings
from bankcrm.identity.access import staff_only
from bankcrm.parties import selectors as parties

QUEUES: dict[str, dict[str, Any]] = {
    "mine": {"assignee": "me", "status": "open"},
    "unassigned": {"assignee": "none", "status": "open"},
    "breached": {"breached": True, "status": "open"},
    "due_soon": {"due_soon": True, "status": "open"},
    "open": {"status": "open"},
    "all": {},
}


def _queue_labels() -> list[tuple[str, str]]:
    return [
        ("mine", _("My cases")),
        ("unassigned", _("Unassigned")),
        ("breached", _("Breached")),
        ("due_soon", _("About to breach")),
        ("open", _("All open")),
        ("all", _("All")),
    ]


def _context(request: HttpRequest) -> dict[str, Any]:
    return base_context(request) | {
        "can_manage": request.user.has_perm_code(Perm.CASES_MANAGE),  # type: ignore[union-attr]
        "can_write": request.user.has_perm_code(Perm.CASES_WRITE),  # type: ignore[union-attr]
    }


@staff_only
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """A work queue (``?queue=mine|unassigned|breached|due_soon|open|all``), filterable by kind,
    team and words of the subject or a reference."""
    name = request.GET.get("queue", "open")
    filters: dict[str, Any] = dict(QUEUES.get(name, QUEUES["open"]))
    kind = request.GET.get("kind", "")
    team = request.GET.get("team", "")
    q = request.GET.get("q", "").strip()[:100]
    context = _context(request) | {
        "queue": name,
        "queues": _queue_labels(),
        "kind": kind,
        "team": team,
        "q": q,
        "kinds": [(k.value, k.value.replace("_", " ")) for k in CaseKind],
        "teams": selectors.teams(),
        "error": None,
        "page": None,
    }
    try:
        context["page"] = selectors.list_cases(
            request.user,  # type: ignore[arg-type]
            kind=kind,
            team=team,
            query=q,
            cursor=request.GET.get("cursor") or None,
            **filters,
        )
    except ValidationFailed as exc:
        context["error"] = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
    if context["page"] is not None:
        context["rows"] = [(c, _next_clock(c)) for c in context["page"].items]
    return render(request, "cases/queue.html", context)


def _next_clock(case: Case) -> Any:
    """The running clock due first (shown in the queue), or None."""
    views = [v for v in selectors.clock_views(case) if v.stopped_on is None]
    return min(views, key=lambda v: v.due) if views else None


@staff_only
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    """Intake form (``?party=<id>``): kind, channel, subject and the customer's own words."""
    party_id = request.GET.get("party") or request.POST.get("party", "")
    try:
        party = parties.get_party(request.user, party_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    accounts = holdings.accounts_of_party(request.user, party, as_of=clock.today())  # type: ignore[arg-type]
    form = {k: request.POST.get(k, "") for k in ("kind", "channel", "subject", "narrative", "account")}
    form.setdefault("kind", "complaint")
    errors: list[FieldProblem] = []
    if request.method == "POST":
        account = next((r.account for r in accounts if str(r.account.pk) == form["account"]), None)
        try:
            case = services.open_case(
                actor=request.user,  # type: ignore[arg-type]
                kind=form["kind"] or "complaint",
                party=party,
                channel=form["channel"],
                subject=form["subject"],
                narrative=form["narrative"],
                account=account,
            )
        except ValidationFailed as exc:
            errors = exc.problems
        else:
            return HttpResponseRedirect(reverse("cases:detail", args=[case.pk]))
    context = _context(request) | {
        "party": party,
        "form": form,
        "errors": errors,
        "accounts": accounts,
        "kinds": [(k.value, k.value.replace("_", " ")) for k in CaseKind if k != CaseKind.AML_INVESTIGATION],
        "channels": [c for c in Case.Channel.choices if c[0] != "system"],
    }
    return render(request, "cases/new.html", context, status=422 if errors else 200)


def _detail_context(request: HttpRequest, case_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    try:
        detail = selectors.case_detail(request.user, case_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    user = request.user
    approval = detail.pending_approval
    can_decide = bool(
        approval is not None
        and user.has_perm_code(approvals.kind_of(approval.action).perm)  # type: ignore[union-attr]
        and approval.requested_by_id != user.pk
    )
    suggestion = detail.case.suggested_classification or {}
    aml: dict[str, Any] = {}
    if detail.case.kind == CaseKind.AML_INVESTIGATION:
        from bankcrm.monitoring.selectors import case_aml_context

        aml = case_aml_context(user, detail.case)  # type: ignore[arg-type]
    return (
        _context(request)
        | {
            "aml": aml,
            "sar_error": request.GET.get("sar_error", "")[:300],
            "detail": detail,
            "case": detail.case,
            "suggestion": suggestion,
            "products": [p.value for p in taxonomy.CurrentProduct],
            "responses": services.RESPONSE_CHOICES,
            "assignable": selectors.assignable_users(detail.case) if user.has_perm_code(Perm.CASES_MANAGE) else [],  # type: ignore[union-attr]
            "teams": selectors.teams(),
            "can_decide": can_decide,
            "form": {},
            "errors": [],
            "conflict": None,
        }
        | extra
    )


@staff_only
@require_GET
def detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The case page."""
    return render(request, "cases/detail.html", _detail_context(request, case_id))


def _act(request: HttpRequest, case_id: uuid.UUID, fn: Any, fields: tuple[str, ...]) -> HttpResponse:
    """Run a write for the case page: redirect on success; on bad input (422) or a stale version
    (409) re-render the page with the message and the user's input kept."""
    try:
        case = selectors.get_case(request.user, case_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    form = {k: request.POST.get(k, "") for k in fields}
    try:
        fn(case, form)
    except Conflict as exc:
        return render(
            request, "cases/detail.html", _detail_context(request, case_id, form=form, conflict=str(exc)), status=409
        )
    except ValidationFailed as exc:
        return render(
            request, "cases/detail.html", _detail_context(request, case_id, form=form, errors=exc.problems), status=422
        )
    except PermissionDenied:
        raise
    return HttpResponseRedirect(reverse("cases:detail", args=[case_id]))


def _version(form: dict[str, str]) -> int | None:
    try:
        return int(form.get("version", ""))
    except ValueError:
        raise ValidationFailed([FieldProblem("version", "missing; reload the page")]) from None


@staff_only
@require_POST
def transition(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Apply a status-machine action from the case page."""

    def run(case: Case, form: dict[str, str]) -> None:
        services.transition(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            action=form["action"],
            expected_version=_version(form),
            reason=form["reason"],
            company_response=form["company_response"],
            relief=form["relief"] or None,
            resolution_summary=form["resolution_summary"],
            root_causes=[t for t in (s.strip() for s in form["root_causes"].split(",")) if t],
        )

    fields = ("action", "version", "reason", "company_response", "relief", "resolution_summary", "root_causes")
    return _act(request, case_id, run, fields)


@staff_only
@require_POST
def assign(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Assign or reassign the case (and optionally move it to another team)."""

    def run(case: Case, form: dict[str, str]) -> None:
        assignee = selectors.get_staff_user(form["assignee"]) if form["assignee"] else None
        team = selectors.get_team(form["team"]) if form["team"] else None
        services.assign(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            expected_version=_version(form),
            assignee=assignee,
            team=team,
        )

    return _act(request, case_id, run, ("assignee", "team", "version"))


@staff_only
@require_POST
def classify(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Confirm or correct the CFPB classification."""

    def run(case: Case, form: dict[str, str]) -> None:
        services.confirm_classification(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            expected_version=_version(form),
            product=form["product"],
            sub_product=form["sub_product"],
            issue=form["issue"],
            sub_issue=form["sub_issue"],
        )

    return _act(request, case_id, run, ("product", "sub_product", "issue", "sub_issue", "version"))


@staff_only
@require_POST
def add_note(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Add an internal note."""

    def run(case: Case, form: dict[str, str]) -> None:
        services.add_note(actor=request.user, case=case, body=form["body"])  # type: ignore[arg-type]

    return _act(request, case_id, run, ("body",))


@staff_only
@require_POST
def attach(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Upload an attachment (type sniffed from the content, at most 10 MiB)."""

    def run(case: Case, form: dict[str, str]) -> None:
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed([FieldProblem("file", _("choose a file"))])
        if upload.size and upload.size > services.MAX_ATTACHMENT_BYTES:
            raise ValidationFailed([FieldProblem("file", _("larger than 10 MiB"))])
        services.add_attachment(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            filename=upload.name or "upload",
            content=upload.read(),
        )

    return _act(request, case_id, run, ())


@staff_only
@require_GET
def attachment(request: HttpRequest, case_id: uuid.UUID, attachment_id: int) -> FileResponse:
    """Download an attachment of a visible case (served as a download, never rendered inline)."""
    try:
        case = selectors.get_case(request.user, case_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    try:
        found = selectors.get_attachment(case, attachment_id)
    except NotFound:
        raise Http404 from None
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)
    response["Content-Type"] = found.content_type
    return response


@staff_only
@require_POST
def decide(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Approve or reject the case's pending approval (a second person: never the requester)."""

    def run(case: Case, form: dict[str, str]) -> None:
        try:
            approval = selectors.get_pending_approval(request.user, form["approval"])  # type: ignore[arg-type]
        except NotFound:
            raise ValidationFailed([FieldProblem("approval", _("no pending approval you can decide"))]) from None
        if form["decision"] == "approve":
            approvals.approve(actor=request.user, approval=approval, reason=form["reason"])  # type: ignore[arg-type]
        else:
            approvals.reject(actor=request.user, approval=approval, reason=form["reason"])  # type: ignore[arg-type]

    return _act(request, case_id, run, ("approval", "decision", "reason"))


@staff_only
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Complaint volume, timeliness and outcomes by product, issue and channel, and root causes by
    product and channel over time (``?from=&to=`` dates)."""
    try:
        data = reports.complaint_report(
            request.user,  # type: ignore[arg-type]
            date_from=request.GET.get("from") or None,
            date_to=request.GET.get("to") or None,
        )
        error = None
    except ValidationFailed as exc:
        data, error = None, "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
    return render(
        request,
        "cases/report.html",
        _context(request)
        | {"report": data, "error": error, "from": request.GET.get("from", ""), "to": request.GET.get("to", "")},
    )


@staff_only
@require_GET
def export_ccdb(request: HttpRequest) -> StreamingHttpResponse:
    """The visible complaints as CSV in the CFPB Consumer Complaint Database's column layout
    (audited: row count and filters, never the content)."""
    rows = reports.ccdb_rows(
        request.user,  # type: ignore[arg-type]
        date_from=request.GET.get("from") or None,
        date_to=request.GET.get("to") or None,
    )
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="complaints-ccdb.csv"'
    return response
