"""Staff console: home, customer search and the customer-360 page (server-rendered, htmx).

Views read through selectors (scoped to the signed-in user) and write through services; an htmx
request (``HX-Request`` header) gets the fragment it targets, a plain request the whole page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bankcrm.authz import masking
from bankcrm.authz.permissions import Perm
from bankcrm.core import clock
from bankcrm.core.errors import NotFound, ValidationFailed
from bankcrm.datasets import selectors as datasets
from bankcrm.holdings import selectors as holdings
from bankcrm.identity import stepup
from bankcrm.identity.access import staff_only
from bankcrm.interactions import services as interactions
from bankcrm.interactions.models import Interaction
from bankcrm.parties import selectors as parties

TRANSACTIONS_PER_PAGE = 25


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def base_context(request: HttpRequest) -> dict[str, Any]:
    return {"as_of": clock.today(), "can_audit": request.user.has_perm_code(Perm.AUDIT_READ)}  # type: ignore[union-attr]


@staff_only
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the bank's database holds, as of the clock's date."""
    berka = datasets.berka_counts(request.user)  # type: ignore[arg-type]
    synthetic = datasets.synthetic_counts(request.user, transactions=False)  # type: ignore[arg-type]
    counts = [
        (_("Parties (Berka clients)"), berka["parties"]),
        (_("Households"), berka["households"]),
        (_("Accounts"), berka["accounts"]),
        (_("Loans"), berka["loans"]),
        (_("Cards"), berka["cards"]),
        (_("Standing orders"), berka["standing_orders"]),
        (_("Transactions"), berka["transactions"]),
        (_("Synthetic US parties"), synthetic["us_parties"]),
    ]
    return render(request, "console/home.html", base_context(request) | {"counts": counts})


@staff_only
@require_GET
def party_search(request: HttpRequest) -> HttpResponse:
    """Search customers by name, account number, exact tax id, party id or client id (``?q=``);
    dates of birth masked for the user (:func:`bankcrm.authz.masking.dates_of_birth`)."""
    q = request.GET.get("q", "").strip()[:200]
    context = base_context(request) | {"q": q, "page": None, "rows": [], "error": None}
    if q or request.GET.get("cursor"):
        try:
            page = parties.search_parties(request.user, query=q, cursor=request.GET.get("cursor"))  # type: ignore[arg-type]
        except ValidationFailed as exc:
            context["error"] = "; ".join(p.message for p in exc.problems)
        else:
            born = masking.dates_of_birth(request.user, page.items)  # type: ignore[arg-type]
            context |= {"page": page, "rows": [(p, born[p.pk]) for p in page.items]}
    template = "console/_party_results.html" if _is_htmx(request) else "console/party_search.html"
    return render(request, template, context)


def _parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _transactions_context(request: HttpRequest, party_id: uuid.UUID, accounts: list[Any]) -> dict[str, Any]:
    context: dict[str, Any] = {"party_id": party_id, "accounts": accounts, "txn_error": None, "txn_page": None}
    if not accounts:
        return context
    chosen = request.GET.get("account")
    account = next((a.account for a in accounts if str(a.account.id) == chosen), accounts[0].account)
    context |= {"txn_account": account, "txn_cursor": request.GET.get("cursor") or None}
    try:
        context["txn_from"] = _parse_date(request.GET.get("from"))
        context["txn_to"] = _parse_date(request.GET.get("to"))
    except ValueError:
        context["txn_error"] = _("Dates must be given as YYYY-MM-DD.")
        return context
    try:
        context["txn_page"] = holdings.account_transactions(
            request.user,  # type: ignore[arg-type]
            account.id,
            date_from=context["txn_from"],
            date_to=context["txn_to"],
            cursor=context["txn_cursor"],
            limit=TRANSACTIONS_PER_PAGE,
        )
    except ValidationFailed as exc:
        context["txn_error"] = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
    return context


def _timeline_context(
    party: Any, interactions: list[Any], form: dict[str, str] | None = None, errors: Any = None
) -> dict[str, Any]:
    return {
        "party_id": party.id,
        "interactions": interactions,
        "channels": Interaction.Channel.choices,
        "directions": Interaction.Direction.choices,
        "form": form or {"channel": "branch", "direction": "inbound"},
        "form_errors": errors,
    }


def _load_360(request: HttpRequest, party_id: uuid.UUID) -> parties.Party360:
    try:
        return parties.party_360(request.user, party_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


@staff_only
@require_GET
def party_360(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """The customer-360 page."""
    return render(request, "console/party_360.html", _page_360_context(request, party_id))


def _page_360_context(
    request: HttpRequest, party_id: uuid.UUID, form: dict[str, str] | None = None, errors: Any = None
) -> dict[str, Any]:
    view = _load_360(request, party_id)
    tax_id, documents = masking.party_identifiers(request.user, view.party, view.identity_documents)  # type: ignore[arg-type]
    born = masking.date_of_birth(request.user, view.party)  # type: ignore[arg-type]
    can_reveal = request.user.has_perm_code(Perm.PII_REVEAL)  # type: ignore[union-attr]
    context = base_context(request) | {
        "view": view,
        "tax_id": tax_id,
        "date_of_birth": born,
        "documents": documents,
        "can_reveal": can_reveal,
    }
    context |= _transactions_context(request, party_id, view.accounts)
    context |= _cases_context(request, party_id)
    return context | _timeline_context(view.party, view.interactions, form, errors)


def _cases_context(request: HttpRequest, party_id: uuid.UUID) -> dict[str, Any]:
    from bankcrm.cases import selectors as cases

    user = request.user
    if not user.has_perm_code(Perm.CASES_READ):  # type: ignore[union-attr]
        return {"party_cases": [], "can_open_case": False}
    from bankcrm.screening import selectors as screening

    page = cases.list_cases(user, party=str(party_id), limit=10)  # type: ignore[arg-type]
    return {
        "party_cases": page.items,
        "can_open_case": user.has_perm_code(Perm.CASES_WRITE),  # type: ignore[union-attr]
        "sanctions_blocked": screening.is_blocked(user, party_id),  # type: ignore[arg-type]
    }


@staff_only
@require_GET
def party_transactions(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """The transactions block of the 360 page: account, date range and paging (``?cursor=``)."""
    try:
        party = parties.get_party(request.user, party_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    if not _is_htmx(request):
        return HttpResponseRedirect(reverse("console:party_360", args=[party_id]) + "?" + request.GET.urlencode())
    accounts = holdings.accounts_of_party(request.user, party, as_of=clock.today())  # type: ignore[arg-type]
    return render(request, "console/_transactions.html", _transactions_context(request, party_id, accounts))


@staff_only
@require_POST
def log_interaction(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """Log an interaction from the 360 page; answers with the refreshed timeline."""
    try:
        party = parties.get_party(request.user, party_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    form = {k: request.POST.get(k, "") for k in ("channel", "direction", "purpose", "summary")}
    errors = None
    try:
        interactions.log_interaction(actor=request.user, party=party, **form)  # type: ignore[arg-type]
        form = {}
    except ValidationFailed as exc:
        errors = exc.problems
    if not _is_htmx(request) and errors is None:
        return HttpResponseRedirect(reverse("console:party_360", args=[party_id]) + "#int-h")
    if _is_htmx(request):  # only the timeline is refreshed
        context = _timeline_context(party, parties.timeline(party), form or None, errors)
        return render(request, "console/_timeline.html", context)
    return render(request, "console/party_360.html", _page_360_context(request, party_id, form, errors), status=422)


@staff_only
@require_POST
def reveal(request: HttpRequest, party_id: uuid.UUID) -> HttpResponse:
    """Reveal one masked identifier (``field``) with a stated ``reason``, after step-up
    re-authentication; answers with the value (htmx fragment)."""
    try:
        party = parties.get_party(request.user, party_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    if not stepup.recently_reauthenticated(request):
        return stepup.step_up_response(request, reverse("console:party_360", args=[party_id]))
    field = request.POST.get("field", "")
    try:
        value = masking.reveal_identifier(
            actor=request.user,  # type: ignore[arg-type]
            party=party,
            field=field,
            reason=request.POST.get("reason", ""),
        )
    except ValidationFailed as exc:
        return render(
            request, "console/_reveal.html", {"party_id": party_id, "field": field, "errors": exc.problems}, status=200
        )
    return render(request, "console/_revealed.html", {"value": value})
