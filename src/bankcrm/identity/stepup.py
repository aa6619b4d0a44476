"""Step-up re-authentication before sensitive actions (revealing a masked value, approving,
exporting): the user must have re-entered a credential within the last
``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds (allauth's reauthentication flow, which accepts the
password or a second factor)."""

from __future__ import annotations

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode


def recently_reauthenticated(request: HttpRequest) -> bool:
    """True when the signed-in user re-authenticated within the step-up window."""
    return bool(request.user.is_authenticated and did_recently_reauthenticate(request))


def step_up_response(request: HttpRequest, next_url: str) -> HttpResponse:
    """Send the user to re-authenticate, then back to ``next_url`` (htmx: via ``HX-Redirect``)."""
    target = reverse("account_reauthenticate") + "?" + urlencode({"next": next_url})
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)
