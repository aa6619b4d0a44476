"""Self-service onboarding in the customer portal (the online channel).

Anyone may apply (a prospect has no login yet); a signed-in customer applies as themselves and
can follow the application later. The application goes straight to verification; the page only
ever shows its reference and status, never the risk rating or internal reasons. Submissions are
limited per client address, as portal enrolment is.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bankcrm.core.errors import NotFound, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.kyc import forms, selectors, services
from bankcrm.kyc.views import form_context

APPLY_ATTEMPTS = 10  # per client address per hour
APPLY_WINDOW = 60 * 60
SESSION_KEY = "kyc_applications"


def _throttled(request: HttpRequest) -> bool:
    key = f"portal.onboarding:{request.META.get('REMOTE_ADDR', '')}"
    attempts = cache.get_or_set(key, 0, APPLY_WINDOW) or 0
    cache.incr(key)
    return int(attempts) >= APPLY_ATTEMPTS


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The online application (``?kind=person|organization``); staff are sent to the console."""
    user = request.user
    if user.is_authenticated and getattr(user, "kind", "") != User.Kind.CUSTOMER:
        return HttpResponseRedirect(reverse("kyc:new"))
    kind = request.POST.get("kind") or request.GET.get("kind") or "person"
    if kind not in ("person", "organization"):
        kind = "person"
    errors: dict[str, str] = {}
    if request.method == "POST":
        if _throttled(request):
            errors = {"form": _("Too many applications from this address. Try again in an hour.")}
        else:
            data = forms.application_from_post(request.POST, kind=kind, channel="web")
            try:
                created = services.start_onboarding(
                    actor=user if user.is_authenticated else None,  # type: ignore[arg-type]
                    data=data,
                    submit=True,
                    self_service=True,
                )
            except ValidationFailed as exc:
                errors = forms.error_map(exc.problems)
            else:
                mine = [*request.session.get(SESSION_KEY, []), str(created.pk)][-10:]
                request.session[SESSION_KEY] = mine
                return HttpResponseRedirect(reverse("kyc_portal:status", args=[created.pk]))
    context = form_context(request, kind, errors, portal=True)
    return render(request, "kyc/portal_apply.html", context, status=422 if errors else 200)


@require_GET
def status(request: HttpRequest, onboarding_id: str) -> HttpResponse:
    """Where the application stands (reference and status only)."""
    try:
        found = selectors.applicant_onboarding(request.user, request.session.get(SESSION_KEY, []), onboarding_id)
    except NotFound:
        raise Http404 from None
    return render(request, "kyc/portal_status.html", {"onboarding": found, "problem": None})
