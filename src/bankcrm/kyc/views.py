"""Staff console for KYC under ``/kyc/``: the desk (onboardings by status, EDD queue, due
reviews), the onboarding form (individual or legal entity, with owners, control person and
certification), the onboarding page (subjects, evidence, decisions), a party's risk page (factors,
CDD answers, EDD checklist and sign-off, periodic review) and the risk model (proposal and
maker-checker approval).

Forms post and redirect (PRG). Bad input re-renders the page with 422, every problem next to its
field and the input kept; a stale save gets 409.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.cases import approvals
from bankcrm.console.views import base_context
from bankcrm.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from bankcrm.identity.access import staff_only
from bankcrm.kyc import forms, selectors, services
from bankcrm.kyc.engine import risk, verification
from bankcrm.kyc.engine import workflow as wf
from bankcrm.kyc.models import Onboarding
from bankcrm.parties import selectors as parties

KINDS = (("person", "Individual"), ("organization", "Legal entity"))
STAFF_CHANNELS = ("branch", "phone", "mail", "introducer")


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    return (
        base_context(request)
        | {
            "can_write": user.has_perm_code(Perm.PARTIES_WRITE),  # type: ignore[union-attr]
            "can_aml": user.has_perm_code(Perm.AML_READ),  # type: ignore[union-attr]
            "can_aml_manage": user.has_perm_code(Perm.AML_MANAGE),  # type: ignore[union-attr]
        }
        | extra
    )


@staff_only
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """The KYC desk: onboardings (``?status=``), and for the BSA/AML team the EDD queue and the
    periodic reviews due."""
    user = request.user
    status = request.GET.get("status", "")
    context = _context(request, status=status, error=None, page=None)
    try:
        context["page"] = selectors.list_onboardings(
            user,  # type: ignore[arg-type]
            status=status,
            cursor=request.GET.get("cursor") or None,
        )
    except ValidationFailed as exc:
        context["error"] = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
    counts = selectors.status_counts(user)  # type: ignore[arg-type]
    context["status_rows"] = [(code, label, counts[code]) for code, label in Onboarding.Status.choices]
    if context["can_aml"]:
        context["edd"] = selectors.edd_queue(user)  # type: ignore[arg-type]
        context["reviews"] = selectors.due_reviews(user)  # type: ignore[arg-type]
    return render(request, "kyc/desk.html", context)


def form_context(request: HttpRequest, kind: str, errors: dict[str, str], *, portal: bool = False) -> dict[str, Any]:
    """The onboarding form's template context (console and portal): sections of fields for
    ``kind``, with the posted values and ``errors`` (``{field path: message}``)."""
    post = request.POST
    sections: list[tuple[str, list[forms.Field]]] = []
    if kind == "person":
        sections.append((_("The customer"), forms.person_fields("person", post, errors)))
    else:
        sections.append((_("The business"), forms.organization_fields(post, errors)))
        for i in range(forms.MAX_OWNERS):
            title = _("Beneficial owner %(n)s (an individual with 25%% or more; leave blank if none)") % {"n": i + 1}
            sections.append((title, forms.person_fields(f"beneficial_owners[{i}]", post, errors, owner=True)))
        sections.append(
            (
                _("Control person (one individual who manages the business)"),
                forms.person_fields("control_person", post, errors, control=True),
            )
        )
        sections.append((_("Certification"), forms.certification_fields(post, errors)))
    sections.append((_("Due diligence"), forms.cdd_fields(post, errors, kind=kind)))
    return {
        "kind": kind,
        "kinds": KINDS,
        "sections": sections,
        "errors": errors,
        "error_items": forms.error_items(errors),
        "channels": STAFF_CHANNELS,
        "channel": post.get("channel", "branch"),
        "acknowledged": post.get("cip_notice_acknowledged") in ("on", "true", "1"),
        "submit_now": post.get("submit", "on" if request.method == "GET" else "") in ("on", "true", "1"),
        "portal": portal,
    }


@staff_only
@require_http_methods(["GET", "POST"])
def new_onboarding(request: HttpRequest) -> HttpResponse:
    """The onboarding form (``?kind=person|organization``) for staff who may onboard customers
    (``parties:write``, else 403). Nothing is created until the whole application is valid."""
    require(request.user, Perm.PARTIES_WRITE)  # type: ignore[arg-type]
    kind = request.POST.get("kind") or request.GET.get("kind") or "person"
    if kind not in ("person", "organization"):
        kind = "person"
    errors: dict[str, str] = {}
    if request.method == "POST":
        channel = request.POST.get("channel", "branch")
        data = forms.application_from_post(request.POST, kind=kind, channel=channel)
        try:
            created = services.start_onboarding(
                actor=request.user,  # type: ignore[arg-type]
                data=data,
                submit=request.POST.get("submit") in ("on", "true", "1"),
            )
        except ValidationFailed as exc:
            errors = forms.error_map(exc.problems)
        else:
            return HttpResponseRedirect(reverse("kyc:detail", args=[created.pk]))
    context = _context(request) | form_context(request, kind, errors)
    return render(request, "kyc/new.html", context, status=422 if errors else 200)


def _detail_context(request: HttpRequest, onboarding_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    try:
        detail = selectors.onboarding_detail(request.user, onboarding_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    return (
        _context(
            request,
            detail=detail,
            onboarding=detail.onboarding,
            evidence_open=wf.is_open(detail.onboarding.status),
            evidence_kinds=verification.DOCUMENTARY_KINDS + verification.NON_DOCUMENTARY_KINDS,
            elements=verification.ELEMENTS,
            results=verification.RESULTS,
            form={},
            problems=[],
            conflict=None,
        )
        | extra
    )


@staff_only
@require_GET
def detail(request: HttpRequest, onboarding_id: uuid.UUID) -> HttpResponse:
    """The onboarding page."""
    return render(request, "kyc/detail.html", _detail_context(request, onboarding_id))


def _act(
    request: HttpRequest,
    onboarding_id: uuid.UUID,
    fn: Callable[[Onboarding, dict[str, str]], None],
    fields: tuple[str, ...],
) -> HttpResponse:
    try:
        found = selectors.get_onboarding(request.user, onboarding_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    form = {k: request.POST.get(k, "") for k in fields}
    try:
        fn(found, form)
    except Conflict as exc:
        context = _detail_context(request, onboarding_id, form=form, conflict=str(exc))
        return render(request, "kyc/detail.html", context, status=409)
    except ValidationFailed as exc:
        context = _detail_context(request, onboarding_id, form=form, problems=exc.problems)
        return render(request, "kyc/detail.html", context, status=422)
    return HttpResponseRedirect(reverse("kyc:detail", args=[onboarding_id]))


def _date(value: str, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed([FieldProblem(field, _("a date as YYYY-MM-DD"))]) from None


@staff_only
@require_POST
def add_evidence(request: HttpRequest, onboarding_id: uuid.UUID) -> HttpResponse:
    """Record a verification check of one subject."""

    def run(found: Onboarding, form: dict[str, str]) -> None:
        try:
            party = selectors.onboarding_subject_party(found, form["party"])
            document = selectors.subject_document(party, form["identity_document"] or None)
        except NotFound:
            raise ValidationFailed([FieldProblem("party", _("choose a subject of this onboarding"))]) from None
        services.add_evidence(
            actor=request.user,  # type: ignore[arg-type]
            onboarding=found,
            party=party,
            kind=form["kind"],
            result=form["result"],
            elements=request.POST.getlist("elements"),
            checked_on=_date(form["checked_on"], "checked_on"),
            identity_document=document,
            document_expires_on=_date(form["document_expires_on"], "document_expires_on"),
            reference=form["reference"],
            note=form["note"],
        )

    fields = ("party", "kind", "result", "checked_on", "identity_document", "document_expires_on", "reference", "note")
    return _act(request, onboarding_id, run, fields)


@staff_only
@require_POST
def transition(request: HttpRequest, onboarding_id: uuid.UUID) -> HttpResponse:
    """Submit, refer, or decide out of manual review."""

    def run(found: Onboarding, form: dict[str, str]) -> None:
        try:
            version = int(form["version"])
        except ValueError:
            raise ValidationFailed([FieldProblem("version", _("missing; reload the page"))]) from None
        services.transition_onboarding(
            actor=request.user,  # type: ignore[arg-type]
            onboarding=found,
            action=form["action"],
            reason=form["reason"],
            expected_version=version,
        )

    return _act(request, onboarding_id, run, ("action", "reason", "version"))


# Risk page -----------------------------------------------------------------------------------------


def _risk_context(request: HttpRequest, party_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    user = request.user
    try:
        party = parties.get_party(user, party_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    view = selectors.party_risk(user, party)  # type: ignore[arg-type]
    profile = view.profile
    approval = selectors.pending_edd_approval(view.edd) if view.edd else None
    can_decide = bool(
        approval is not None and user.has_perm_code(Perm.AML_MANAGE) and approval.requested_by_id != user.pk  # type: ignore[union-attr]
    )
    cdd = {
        "cdd.occupation": profile.occupation if profile else "",
        "cdd.pep_status": profile.pep_status if profile else "none",
        "cdd.purpose": profile.purpose if profile else "",
        "cdd.source_of_funds": profile.source_of_funds if profile else "",
        "cdd.currency": profile.currency if profile else "USD",
        "cdd.expected_countries": ", ".join(profile.expected_countries) if profile else "",
        "cdd.expected_monthly_amount": _major(profile.expected_monthly_minor, profile.currency) if profile else "",
        "cdd.expected_cash_amount": _major(profile.expected_cash_minor, profile.currency) if profile else "",
        "cdd.products": list(profile.products) if profile else [],
    }
    post = extra.pop("post", None)
    errors = extra.pop("errors", {})
    values: Any = post if post is not None else cdd
    return (
        _context(
            request,
            party=party,
            view=view,
            cdd_fields=forms.cdd_fields(values, errors, kind=party.kind),
            industry=(post.get("industry") if post is not None else (profile.industry if profile else "")),
            edd_approval=approval,
            can_decide_edd=can_decide,
            errors=errors,
            conflict=None,
        )
        | extra
    )


def _major(minor: int | None, currency: str) -> str:
    from bankcrm.core.money import from_minor

    return "" if minor is None else str(from_minor(minor, currency))


@staff_only
@require_GET
def party_risk(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """A party's risk rating, factors, CDD answers, EDD and periodic review."""
    return render(request, "kyc/party_risk.html", _risk_context(request, party_id))


def _risk_act(request: HttpRequest, party_id: uuid.UUID, fn: Callable[[Any], None]) -> HttpResponse:
    try:
        party = parties.get_party(request.user, party_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    try:
        fn(party)
    except Conflict as exc:
        return render(request, "kyc/party_risk.html", _risk_context(request, party_id, conflict=str(exc)), status=409)
    except ValidationFailed as exc:
        context = _risk_context(request, party_id, post=request.POST, errors=forms.error_map(exc.problems))
        return render(request, "kyc/party_risk.html", context, status=422)
    return HttpResponseRedirect(reverse("kyc:party_risk", args=[party_id]))


@staff_only
@require_POST
def update_cdd(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """Save the CDD answers and rate the party again."""

    def run(party: Any) -> None:
        post = request.POST
        data = {
            k.removeprefix("cdd."): (post.getlist(k) if k == "cdd.products" else post.get(k, "").strip())
            for k in post
            if k.startswith("cdd.")
        }
        data = {k: v for k, v in data.items() if v not in ("", [])} | {"products": post.getlist("cdd.products")}
        if post.get("industry"):
            data["industry"] = post["industry"].strip()
        services.update_cdd_profile(
            actor=request.user,  # type: ignore[arg-type]
            party=party,
            data=data,
            adverse_media=post.get("adverse_media") in ("on", "true", "1") if "adverse_media_shown" in post else None,
        )

    return _risk_act(request, party_id, run)


@staff_only
@require_POST
def rate(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """Rate the party again with the active model."""
    return _risk_act(request, party_id, lambda party: services.rate_party(actor=request.user, party=party))  # type: ignore[arg-type]


def _edd_act(request: HttpRequest, review_id: uuid.UUID, fn: Callable[[Any], None]) -> HttpResponse:
    try:
        review = selectors.get_edd(request.user, review_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    try:
        fn(review)
    except Conflict as exc:
        context = _risk_context(request, review.party_id, conflict=str(exc))
        return render(request, "kyc/party_risk.html", context, status=409)
    except ValidationFailed as exc:
        context = _risk_context(request, review.party_id, errors=forms.error_map(exc.problems))
        return render(request, "kyc/party_risk.html", context, status=422)
    return HttpResponseRedirect(reverse("kyc:party_risk", args=[review.party_id]) + "#edd")


@staff_only
@require_POST
def edd_item(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    """Tick or untick one EDD checklist item, with a note."""
    return _edd_act(
        request,
        review_id,
        lambda review: services.record_edd_item(
            actor=request.user,  # type: ignore[arg-type]
            review=review,
            code=request.POST.get("code", ""),
            done=request.POST.get("done") in ("on", "true", "1"),
            note=request.POST.get("note", ""),
        ),
    )


@staff_only
@require_POST
def edd_submit(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    """Ask a second person for the EDD sign-off."""
    return _edd_act(request, review_id, lambda review: services.submit_edd(actor=request.user, review=review))  # type: ignore[arg-type]


@staff_only
@require_POST
def edd_decide(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    """Sign off (approve) or send back (reject, with a reason) a pending EDD review."""
    return _edd_act(
        request,
        review_id,
        lambda review: services.decide_edd(
            actor=request.user,  # type: ignore[arg-type]
            review=review,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        ),
    )


@staff_only
@require_POST
def review_complete(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    """Complete a periodic review (the party is rated again)."""
    try:
        review = selectors.get_review(request.user, review_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    try:
        services.complete_review(actor=request.user, review=review, note=request.POST.get("note", ""))  # type: ignore[arg-type]
    except ValidationFailed as exc:
        context = _risk_context(request, review.party_id, errors=forms.error_map(exc.problems))
        return render(request, "kyc/party_risk.html", context, status=422)
    return HttpResponseRedirect(reverse("kyc:party_risk", args=[review.party_id]))


# Risk model ------------------------------------------------------------------------------------


@staff_only
@require_http_methods(["GET", "POST"])
def risk_model(request: HttpRequest) -> HttpResponse:
    """The active risk model and its history; propose a change (JSON), approved by someone else."""
    user = request.user
    problems: list[FieldProblem] = []
    conflict = None
    text = request.POST.get("config", "")
    if request.method == "POST":
        try:
            config = json.loads(text)
        except ValueError as exc:
            problems = [FieldProblem("config", _("not valid JSON: %(error)s") % {"error": exc})]
        else:
            try:
                services.propose_risk_model(actor=user, config=config, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
            except ValidationFailed as exc:
                problems = exc.problems
            except Conflict as exc:
                conflict = str(exc)
            else:
                return HttpResponseRedirect(reverse("kyc:risk_model"))
    view = selectors.risk_model(user)  # type: ignore[arg-type]
    approval = view.pending_approval
    context = _context(
        request,
        model=view,
        config_text=text or json.dumps(view.config, indent=2, sort_keys=True),
        problems=problems,
        conflict=conflict,
        factors=risk.FACTORS,
        can_decide=bool(approval and user.has_perm_code(Perm.AML_MANAGE) and approval.requested_by_id != user.pk),  # type: ignore[union-attr]
    )
    status = 409 if conflict else 422 if problems else 200
    return render(request, "kyc/model.html", context, status=status)


@staff_only
@require_POST
def risk_model_decide(request: HttpRequest) -> HttpResponse:
    """Approve or reject the pending risk-model change (never the proposer)."""
    user = request.user
    try:
        approval = selectors.get_pending_model_approval(user)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("decision") == "approve":
            approvals.approve(actor=user, approval=approval, reason=reason)  # type: ignore[arg-type]
        else:
            approvals.reject(actor=user, approval=approval, reason=reason)  # type: ignore[arg-type]
    except (ValidationFailed, Conflict) as exc:
        view = selectors.risk_model(user)  # type: ignore[arg-type]
        problems = exc.problems if isinstance(exc, ValidationFailed) else [FieldProblem("approval", str(exc))]
        context = _context(
            request,
            model=view,
            config_text=json.dumps(view.config, indent=2, sort_keys=True),
            problems=problems,
            conflict=None,
            factors=risk.FACTORS,
            can_decide=True,
        )
        return render(request, "kyc/model.html", context, status=422)
    return HttpResponseRedirect(reverse("kyc:risk_model"))
