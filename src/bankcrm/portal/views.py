"""The customer portal (the online channel): enrolment and the customer's own accounts.

Customers sign in at the same allauth pages as staff, with a mandatory second factor (FFIEC
2021); they see only the parties their login is linked to (:func:`bankcrm.authz.scoping.restrict`).
"""

from __future__ import annotations

import datetime as dt

from allauth.account.internal.flows.login import record_authentication
from django.contrib.auth import login
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.holdings import selectors as holdings
from bankcrm.identity import services as identity
from bankcrm.identity.access import customer_only
from bankcrm.identity.models import User
from bankcrm.parties import selectors as parties

ENROL_ATTEMPTS = 5  # per client address per 15 minutes
ENROL_WINDOW = 15 * 60


@customer_only
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The customer's own parties and accounts, with balances and recent transactions."""
    user: User = request.user  # type: ignore[assignment]
    as_of = clock.today()
    mine = []
    for party in parties.visible_parties(user).order_by("legal_name"):
        accounts = holdings.accounts_of_party(user, party, as_of=as_of)
        recent = holdings.recent_transactions([a.account.pk for a in accounts], limit=10, until=as_of)
        mine.append({"party": party, "accounts": accounts, "transactions": recent})
    return render(request, "portal/home.html", {"mine": mine, "as_of": as_of})


def _throttled(request: HttpRequest) -> bool:
    key = f"portal.enrol:{request.META.get('REMOTE_ADDR', '')}"
    attempts = cache.get_or_set(key, 0, ENROL_WINDOW) or 0
    cache.incr(key)
    return int(attempts) >= ENROL_ATTEMPTS


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Open online access: choose a login, prove who you are with data the bank holds (account
    number, date of birth, postal code); the second factor is set up right after."""
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("portal:home"))
    form = {k: request.POST.get(k, "") for k in ("username", "account_number", "date_of_birth", "postal_code")}
    errors: list[FieldProblem] = []
    if request.method == "POST":
        if _throttled(request):
            errors = [FieldProblem("details", _("Too many attempts. Try again in 15 minutes."))]
        else:
            try:
                born = dt.date.fromisoformat(form["date_of_birth"])
            except ValueError:
                errors = [FieldProblem("date_of_birth", _("Enter the date as YYYY-MM-DD."))]
            else:
                try:
                    user = identity.enrol_customer(
                        username=form["username"],
                        password=request.POST.get("password", ""),
                        account_number=form["account_number"],
                        date_of_birth=born,
                        postal_code=form["postal_code"],
                    )
                except ValidationFailed as exc:
                    errors = exc.problems
                else:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    # The password was entered a moment ago: record it as allauth does, so setting
                    # up the second factor next does not ask for it again (allauth 65, pinned).
                    record_authentication(request, user, method="password", reauthenticated=True)
                    # MFARequiredMiddleware now sends the customer to set up a second factor.
                    return HttpResponseRedirect(reverse("portal:home"))
    status = 422 if errors else 200
    return render(request, "portal/enrol.html", {"form": form, "errors": errors}, status=status)


@customer_only
@require_http_methods(["GET", "POST"])
def complaints(request: HttpRequest) -> HttpResponse:
    """The customer's complaints (status and the bank's response, never internal notes) and a
    form to submit a new one (channel ``web``), for one of their own parties."""
    from bankcrm.cases import selectors as cases
    from bankcrm.cases import services as case_services

    user: User = request.user  # type: ignore[assignment]
    mine = list(parties.visible_parties(user).order_by("legal_name"))
    form = {"subject": request.POST.get("subject", ""), "narrative": request.POST.get("narrative", "")}
    errors: list[FieldProblem] = []
    submitted = None
    if request.method == "POST":
        if not mine:
            errors.append(FieldProblem("party", _("No customer record is linked to this login.")))
        else:
            try:
                submitted = case_services.open_case(
                    actor=user,
                    kind="complaint",
                    party=mine[0],
                    channel="web",
                    subject=form["subject"],
                    narrative=form["narrative"],
                )
            except ValidationFailed as exc:
                errors = exc.problems
            else:
                form = {"subject": "", "narrative": ""}
    listed = cases.list_cases(user, limit=50).items
    context = {"cases": listed, "form": form, "errors": errors, "submitted": submitted, "as_of": clock.today()}
    return render(request, "portal/complaints.html", context, status=422 if errors else 200)
