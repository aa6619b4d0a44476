"""Privacy screens of the staff console: the privacy officer's desk (incident register with its
notification clocks, due reminders, the data-request queue) and one party's privacy page
(consents, preferences, notices, data requests, legal holds) with its forms.

Reads go through :mod:`bankcrm.privacy.selectors` (scoped), writes through the privacy services
(each checks its permission and audits). Forms post normally and answer with a redirect (303)
or, when invalid, the page again with the errors (422); the consent form and the reminder
buttons also work over htmx and then answer with the fragment they replace.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.console.views import base_context
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from bankcrm.identity.access import staff_only
from bankcrm.identity.models import User
from bankcrm.parties.services import CORRECTABLE_FIELDS
from bankcrm.privacy import corrections, deletion, incidents, selectors, services
from bankcrm.privacy.contact_rules import CHANNELS
from bankcrm.privacy.incident_rules import CATEGORIES, DEFAULT_CUSTOMER_TARGET_HOURS, ClockKind, ClockState
from bankcrm.privacy.models import Consent, Incident, IncidentReminder

CLOCK_LABELS = {
    ClockKind.REGULATOR: gettext_lazy("Regulator notice (36 hours after determination)"),
    ClockKind.CUSTOMER_TARGET: gettext_lazy("Customer notice: internal target"),
    ClockKind.REG_SP: gettext_lazy("Customer notice: SEC Reg S-P (30 days after awareness)"),
}
STATE_LABELS = {
    ClockState.NOT_APPLICABLE: gettext_lazy("not applicable"),
    ClockState.WAITING: gettext_lazy("waiting for the determination"),
    ClockState.RUNNING: gettext_lazy("running"),
    ClockState.OVERDUE: gettext_lazy("overdue"),
    ClockState.MET: gettext_lazy("met"),
    ClockState.MET_LATE: gettext_lazy("met late"),
}
CATEGORY_LABELS = {
    "name": gettext_lazy("Name"),
    "address": gettext_lazy("Address"),
    "phone": gettext_lazy("Phone"),
    "email": gettext_lazy("E-mail"),
    "date_of_birth": gettext_lazy("Date of birth"),
    "tax_id": gettext_lazy("Tax id / SSN"),
    "identity_document": gettext_lazy("Identity document number"),
    "account_number": gettext_lazy("Account number"),
    "card_number": gettext_lazy("Card number"),
    "credentials": gettext_lazy("Passwords or access codes"),
    "transactions": gettext_lazy("Transactions"),
    "balances": gettext_lazy("Balances"),
    "other": gettext_lazy("Other"),
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _local(value: str, name: str) -> dt.datetime | None:
    """A ``datetime-local`` form value read in the bank's time zone (None when empty).

    Raises:
        ValidationFailed: not a date and time (field ``name``).
    """
    if not value.strip():
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed([FieldProblem(name, _("Enter the time as YYYY-MM-DD HH:MM."))]) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=clock.bank_zone())


def _required_local(value: str, name: str) -> dt.datetime:
    """As :func:`_local`, but an empty value is refused (field ``name``)."""
    parsed = _local(value, name)
    if parsed is None:
        raise ValidationFailed([FieldProblem(name, _("Enter a date and time."))])
    return parsed


def _clock_rows(clocks: Any) -> list[dict[str, Any]]:
    zone = clock.bank_zone()
    return [
        {
            "kind": c.kind.value,
            "label": CLOCK_LABELS[c.kind],
            "state": c.state.value,
            "state_label": STATE_LABELS[c.state],
            "due_at": c.due_at.astimezone(zone) if c.due_at else None,
            "done_at": c.done_at.astimezone(zone) if c.done_at else None,
            "source": c.source,
            "overdue": c.state in {ClockState.OVERDUE, ClockState.MET_LATE},
        }
        for c in clocks
    ]


def _slot_label(slot: str) -> str:
    """``"due"`` / ``"due-12h"`` / ``"due-7d"`` in words."""
    if slot == "due":
        return _("deadline reached")
    amount = int(slot[4:-1])
    if slot.endswith("d"):
        return ngettext("%(n)d day before the deadline", "%(n)d days before the deadline", amount) % {"n": amount}
    return ngettext("%(n)d hour before the deadline", "%(n)d hours before the deadline", amount) % {"n": amount}


def _reminder_rows(reminders: list[IncidentReminder]) -> list[dict[str, Any]]:
    return [{"reminder": r, "clock": CLOCK_LABELS[ClockKind(r.kind)], "slot": _slot_label(r.slot)} for r in reminders]


# --- the privacy officer's desk -----------------------------------------------------------------


def _desk_context(request: HttpRequest, form: dict[str, Any] | None = None, errors: Any = None) -> dict[str, Any]:
    actor = _user(request)
    register = selectors.incident_register(actor)
    can_manage = actor.has_perm_code(Perm.PRIVACY_MANAGE)
    # The deciding officer sees the proposed value (a date of birth masked as everywhere).
    requests = [
        (r, corrections.proposed_value_for(actor, r) if r.kind == "correction" else None)
        for r in selectors.open_requests(actor)
    ]
    return base_context(request) | {
        "incidents": [(v.incident, _clock_rows(v.clocks)) for v in register],
        "closed": selectors.incident_register(actor, closed=True, limit=20),
        "reminders": _reminder_rows(selectors.due_reminders(actor)),
        "requests": requests,
        "can_manage": can_manage,
        "severities": Incident.Severity.choices,
        "categories": [(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
        "form": form
        or {"severity": "medium", "customer_target_hours": DEFAULT_CUSTOMER_TARGET_HOURS, "categories": []},
        "form_errors": errors,
    }


@staff_only
@require_GET
def privacy_desk(request: HttpRequest) -> HttpResponse:
    """Due reminders, open incidents with their clocks, the data-request queue, recent closures."""
    require(_user(request), Perm.PRIVACY_READ)
    return render(request, "console/privacy_desk.html", _desk_context(request))


@staff_only
@require_POST
def incident_open(request: HttpRequest) -> HttpResponse:
    """Register an incident from the desk's form."""
    require(_user(request), Perm.PRIVACY_MANAGE)
    post = request.POST
    form: dict[str, Any] = {
        "title": post.get("title", ""),
        "description": post.get("description", ""),
        "severity": post.get("severity", ""),
        "categories": post.getlist("categories"),
        "discovered_at": post.get("discovered_at", ""),
        "determined_at": post.get("determined_at", ""),
        "customer_target_hours": post.get("customer_target_hours", ""),
        "reg_sp_applies": post.get("reg_sp_applies") == "on",
        "sensitive_information": post.get("sensitive_information") == "on",
    }
    try:
        hours = int(form["customer_target_hours"] or DEFAULT_CUSTOMER_TARGET_HOURS)
    except ValueError:
        hours = 0  # the service names the field
    try:
        incident = incidents.open_incident(
            actor=_user(request),
            title=form["title"],
            description=form["description"],
            severity=form["severity"],
            data_categories=form["categories"],
            discovered_at=_required_local(form["discovered_at"], "discovered_at"),
            determined_at=_local(form["determined_at"], "determined_at"),
            customer_target_hours=hours,
            reg_sp_applies=form["reg_sp_applies"],
            # Ticked: sensitive; unticked: derived from the categories.
            sensitive_information=True if form["sensitive_information"] else None,
        )
    except ValidationFailed as exc:
        return render(request, "console/privacy_desk.html", _desk_context(request, form, exc.problems), status=422)
    return HttpResponseRedirect(reverse("console:incident", args=[incident.pk]), status=303)


@staff_only
@require_POST
def reminder_acknowledge(request: HttpRequest, reminder_id: int) -> HttpResponse:
    """Take a reminder off the list (htmx: answers with nothing, and the row goes)."""
    try:
        reminder = selectors.get_reminder(_user(request), reminder_id)
    except NotFound:
        raise Http404 from None
    incidents.acknowledge_reminder(actor=_user(request), reminder=reminder)
    if _is_htmx(request):
        return HttpResponse("")
    return HttpResponseRedirect(reverse("console:privacy_desk"), status=303)


@staff_only
@require_POST
def request_decide(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    """Approve or reject a correction request from the queue."""
    try:
        data_request = selectors.get_data_request(_user(request), request_id)
    except NotFound:
        raise Http404 from None
    try:
        corrections.decide_correction(
            actor=_user(request),
            request=data_request,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        )
    except ValidationFailed as exc:
        context = _desk_context(request) | {"decide_errors": {str(request_id): exc.problems}}
        return render(request, "console/privacy_desk.html", context, status=422)
    return HttpResponseRedirect(reverse("console:privacy_desk") + "#requests-h", status=303)


# --- one incident ------------------------------------------------------------------------------


def _incident_context(request: HttpRequest, incident_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    try:
        view = selectors.incident_view(_user(request), incident_id)
    except NotFound:
        raise Http404 from None
    incident = view.incident
    zone = clock.bank_zone()
    return (
        base_context(request)
        | {
            "view": view,
            "incident": incident,
            "clocks": _clock_rows(view.clocks),
            "reminders": _reminder_rows(view.reminders),
            "categories": [CATEGORY_LABELS.get(c, c) for c in incident.data_categories],
            "determined_local": incident.determined_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
            if incident.determined_at
            else "",
            "can_manage": _user(request).has_perm_code(Perm.PRIVACY_MANAGE) and incident.status != "closed",
            "channels": CHANNELS,
            "severities": Incident.Severity.choices,
            "errors": None,
            "errors_for": "",
        }
        | extra
    )


@staff_only
@require_GET
def incident_detail(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """One incident: clocks with their deadlines and sources, affected parties, notices, forms."""
    return render(request, "console/incident.html", _incident_context(request, incident_id))


def _incident_write(
    request: HttpRequest, incident_id: uuid.UUID, form_name: str, write: Callable[[User, Incident], object]
) -> HttpResponse:
    """Run ``write`` on the incident; redirect back on success, the page with errors on failure."""
    try:
        incident = selectors.incident_view(_user(request), incident_id).incident
    except NotFound:
        raise Http404 from None
    try:
        write(_user(request), incident)
    except ValidationFailed as exc:
        context = _incident_context(request, incident_id, errors=exc.problems, errors_for=form_name)
        return render(request, "console/incident.html", context, status=422)
    except Conflict:
        problem = FieldProblem("version", _("Someone else changed this incident meanwhile; review and try again."))
        context = _incident_context(request, incident_id, errors=[problem], errors_for=form_name)
        return render(request, "console/incident.html", context, status=409)
    return HttpResponseRedirect(reverse("console:incident", args=[incident_id]) + f"#{form_name}-h", status=303)


@staff_only
@require_POST
def incident_update(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """Record the notification-incident determination, severity, target, exemption, containment."""
    post = request.POST

    def write(actor: User, incident: Incident) -> object:
        try:
            hours = int(post.get("customer_target_hours", ""))
        except ValueError:
            raise ValidationFailed(
                [FieldProblem("customer_target_hours", _("Enter a whole number of hours."))]
            ) from None
        try:
            version = int(post.get("version", ""))
        except ValueError:
            version = None
        return incidents.update_incident(
            actor=actor,
            incident=incident,
            expected_version=version,
            severity=post.get("severity", incident.severity),
            determined_at=_local(post.get("determined_at", ""), "determined_at"),
            customer_target_hours=hours,
            customer_notice_exemption=post.get("customer_notice_exemption", ""),
            reg_sp_applies=post.get("reg_sp_applies") == "on",
            status="contained" if post.get("contained") == "on" else incidents.UNSET,
        )

    return _incident_write(request, incident_id, "update", write)


@staff_only
@require_POST
def incident_add_parties(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """Link affected parties, one party id or source id (``client:3687``) per line."""
    references = [line.strip() for line in request.POST.get("parties", "").splitlines() if line.strip()]

    def write(actor: User, incident: Incident) -> object:
        if not references:
            raise ValidationFailed([FieldProblem("parties", _("Give at least one party id or client id."))])
        found, missing = [], []
        for ref in references[:1000]:
            try:
                found.append(selectors.find_party(actor, ref))
            except NotFound:
                missing.append(ref)
        if missing:
            shown = ", ".join(missing[:10])
            raise ValidationFailed([FieldProblem("parties", _("No such party: %(refs)s") % {"refs": shown})])
        return incidents.add_affected_parties(actor=actor, incident=incident, parties=found)

    return _incident_write(request, incident_id, "parties", write)


@staff_only
@require_POST
def incident_remove_party(request: HttpRequest, incident_id: uuid.UUID, party_id: uuid.UUID) -> HttpResponse:
    """Unlink a party added by mistake."""

    def write(actor: User, incident: Incident) -> object:
        try:
            party = selectors.find_party(actor, str(party_id))
        except NotFound:
            raise ValidationFailed([FieldProblem("party", _("No such party."))]) from None
        incidents.remove_affected_party(actor=actor, incident=incident, party=party)
        return None

    return _incident_write(request, incident_id, "parties", write)


@staff_only
@require_POST
def incident_regulator_notice(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """Record the notice to the regulator."""
    post = request.POST

    def write(actor: User, incident: Incident) -> object:
        return incidents.record_regulator_notice(
            actor=actor,
            incident=incident,
            regulator=post.get("regulator", ""),
            reference=post.get("reference", ""),
            notified_at=_local(post.get("notified_at", ""), "notified_at"),
        )

    return _incident_write(request, incident_id, "regulator", write)


@staff_only
@require_POST
def incident_customer_notices(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """Record that every affected party not yet notified was notified."""
    post = request.POST

    def write(actor: User, incident: Incident) -> object:
        return incidents.record_customer_notices(
            actor=actor,
            incident=incident,
            channel=post.get("channel", ""),
            notified_at=_local(post.get("notified_at", ""), "notified_at"),
        )

    return _incident_write(request, incident_id, "customers", write)


@staff_only
@require_POST
def incident_close(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    """Close the incident (refused while a notice is still owed)."""

    def write(actor: User, incident: Incident) -> object:
        return incidents.close_incident(actor=actor, incident=incident, resolution=request.POST.get("resolution", ""))

    return _incident_write(request, incident_id, "close", write)


# --- one party's privacy page -------------------------------------------------------------------


def _party_context(request: HttpRequest, party_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    actor = _user(request)
    try:
        view = selectors.party_privacy(actor, party_id)
    except NotFound:
        raise Http404 from None
    purposes = dict(Consent.Purpose.choices)
    statuses = dict(Consent.Status.choices)
    return (
        base_context(request)
        | {
            "view": view,
            "party": view.party,
            "current": [(purposes.get(p, p), c, statuses.get(s, s)) for p, c, s in view.current],
            "purposes": Consent.Purpose.choices,
            "statuses": Consent.Status.choices,
            "sources": Consent.Source.choices,
            "channels": CHANNELS,
            "fields": CORRECTABLE_FIELDS,
            "request_channels": corrections.REQUEST_CHANNELS,
            "can_request": actor.has_perm_code(Perm.PRIVACY_REQUEST),
            "can_manage": actor.has_perm_code(Perm.PRIVACY_MANAGE),
            "consent_form": {"source": "branch", "status": "withdrawn"},
            "correction_form": {"channel": "branch"},
            "errors": None,
            "errors_for": "",
        }
        | extra
    )


@staff_only
@require_GET
def party_privacy(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """One party's consents, preferences, notices, data requests and legal holds."""
    return render(request, "console/party_privacy.html", _party_context(request, party_id))


def _party_write(
    request: HttpRequest,
    party_id: uuid.UUID,
    form_name: str,
    write: Callable[[User, Any], object],
    form: dict[str, str] | None = None,
    fragment: str | None = None,
) -> HttpResponse:
    actor = _user(request)
    try:
        party = selectors.find_party(actor, str(party_id))
    except NotFound:
        raise Http404 from None
    errors = None
    try:
        write(actor, party)
    except ValidationFailed as exc:
        errors = exc.problems
    extra: dict[str, Any] = {"errors": errors, "errors_for": form_name}
    if errors and form is not None:
        extra[f"{form_name}_form"] = form
    if fragment and _is_htmx(request):
        return render(request, fragment, _party_context(request, party_id, **extra), status=200 if not errors else 422)
    if errors:
        return render(request, "console/party_privacy.html", _party_context(request, party_id, **extra), status=422)
    return HttpResponseRedirect(reverse("console:party_privacy", args=[party_id]) + f"#{form_name}-h", status=303)


@staff_only
@require_POST
def party_consent(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """Record a consent choice with its source (and channel, for marketing and channel blocks)."""
    require(_user(request), Perm.PRIVACY_REQUEST)
    form = {k: request.POST.get(k, "") for k in ("purpose", "channel", "status", "source")}

    def write(actor: User, party: Any) -> object:
        return services.record_consent(actor=actor, party=party, **form)

    return _party_write(request, party_id, "consent", write, form, fragment="console/_consents.html")


@staff_only
@require_POST
def party_correction(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """Record a correction request (decided later by a privacy officer)."""
    form = {k: request.POST.get(k, "") for k in ("field", "proposed_value", "channel")}

    def write(actor: User, party: Any) -> object:
        return corrections.request_correction(actor=actor, party=party, **form)

    return _party_write(request, party_id, "correction", write, form)


@staff_only
@require_POST
def party_hold_place(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """Place a legal hold on the party."""
    require(_user(request), Perm.PRIVACY_MANAGE)

    def write(actor: User, party: Any) -> object:
        return deletion.place_legal_hold(actor=actor, party=party, reason=request.POST.get("reason", ""))

    return _party_write(request, party_id, "holds", write)


@staff_only
@require_POST
def party_hold_release(request: HttpRequest, party_id: uuid.UUID, hold_id: uuid.UUID) -> HttpResponse:
    """Release one of the party's legal holds."""
    require(_user(request), Perm.PRIVACY_MANAGE)

    def write(actor: User, party: Any) -> object:
        hold = next((h for h in selectors.party_privacy(actor, party.pk).holds or [] if h.pk == hold_id), None)
        if hold is None:
            raise Http404
        return deletion.release_legal_hold(actor=actor, hold=hold)

    return _party_write(request, party_id, "holds", write)
