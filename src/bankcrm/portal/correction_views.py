"""Portal: a customer asks the bank to correct a detail it holds about them and follows the
request (see :mod:`bankcrm.privacy.corrections`; a privacy officer decides it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.identity.access import customer_only
from bankcrm.identity.models import User
from bankcrm.parties import selectors as parties
from bankcrm.privacy import corrections
from bankcrm.privacy import selectors as privacy

#: What a customer may ask to correct, in their words.
FIELD_LABELS = {
    "legal_name": gettext_lazy("Full name"),
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "date_of_birth": gettext_lazy("Date of birth (YYYY-MM-DD)"),
    "email": gettext_lazy("E-mail address"),
    "phone": gettext_lazy("Phone number"),
    "address.line1": gettext_lazy("Street address"),
    "address.line2": gettext_lazy("Address line 2"),
    "address.city": gettext_lazy("City"),
    "address.region": gettext_lazy("Region or state"),
    "address.postal_code": gettext_lazy("Postal code"),
    "address.country": gettext_lazy("Country (two-letter code)"),
    "nationality": gettext_lazy("Nationality (two-letter code)"),
    "residence_country": gettext_lazy("Country of residence (two-letter code)"),
    "language": gettext_lazy("Preferred language"),
}


@customer_only
@require_http_methods(["GET", "POST"])
def corrections_page(request: HttpRequest) -> HttpResponse:
    """The customer's correction requests and a form for a new one (sent over the web channel)."""
    user: User = request.user  # type: ignore[assignment]
    mine = list(parties.visible_parties(user).order_by("legal_name"))
    form = {k: request.POST.get(k, "") for k in ("party", "field", "proposed_value")}
    errors: list[FieldProblem] = []
    if request.method == "POST":
        party = next((p for p in mine if str(p.pk) == form["party"]), None)
        if party is None and len(mine) == 1:
            party = mine[0]
        if party is None:
            errors = [FieldProblem("party", _("Choose whose details to correct."))]
        else:
            try:
                corrections.request_correction(
                    actor=user,
                    party=party,
                    field=form["field"],
                    proposed_value=form["proposed_value"],
                    channel="web",
                )
            except ValidationFailed as exc:
                errors = exc.problems
            else:
                return HttpResponseRedirect(reverse("portal:corrections") + "?sent=1", status=303)
    labels = {k: str(v) for k, v in FIELD_LABELS.items()}
    rows: list[dict[str, Any]] = [
        {"request": r, "field": labels.get(r.correction.field, r.correction.field)}
        for r in privacy.own_correction_requests(user)
    ]
    context = {
        "mine": mine,
        "fields": list(labels.items()),
        "form": form,
        "errors": errors,
        "rows": rows,
        "sent": request.GET.get("sent") == "1",
        "days": corrections.RESPONSE_DAYS,
    }
    return render(request, "portal/corrections.html", context, status=422 if errors else 200)
