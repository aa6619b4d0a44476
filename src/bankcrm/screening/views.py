"""Staff console for screening: name check, the AML review queue with per-hit explanations and
dispositions, and the list versions with their deltas and re-screen progress."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bankcrm.authz.permissions import Perm
from bankcrm.console.views import base_context
from bankcrm.core.errors import Conflict, NotFound, ValidationFailed
from bankcrm.identity.access import staff_only
from bankcrm.screening import selectors, services
from bankcrm.screening.api import check_payload


def _context(request: HttpRequest) -> dict[str, Any]:
    return base_context(request) | {"can_review": request.user.has_perm_code(Perm.AML_READ)}  # type: ignore[union-attr]


@staff_only
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """Check a name (with optional date of birth, country and entity type) against the active lists."""
    if not request.user.has_perm_code(Perm.SCREENING_CHECK):  # type: ignore[union-attr]
        raise Http404
    form = {k: request.POST.get(k, "").strip() for k in ("name", "date_of_birth", "country", "entity_type")}
    result = None
    errors: list[str] = []
    if request.method == "POST":
        if not form["name"]:
            errors.append("name: required")
        else:
            result = check_payload(
                form["name"][:300],
                form["date_of_birth"] or None,
                (form["country"] or "").upper()[:2] or None,
                form["entity_type"] or None,
            )
    return render(
        request, "screening/check.html", _context(request) | {"form": form, "result": result, "errors": errors}
    )


@staff_only
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The review queue (AML roles): open hits, best score first."""
    status = request.GET.get("status", "open")
    rows = list(selectors.hits(request.user, status=status)[:200])  # type: ignore[arg-type]
    return render(request, "screening/queue.html", _context(request) | {"rows": rows, "status": status})


@staff_only
@require_http_methods(["GET", "POST"])
def hit(request: HttpRequest, hit_id: int) -> HttpResponse:
    """One hit with its explanation; a disposition form for AML officers."""
    try:
        found = selectors.get_hit(request.user, hit_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.dispose_hit(
                actor=request.user,  # type: ignore[arg-type]
                hit=found,
                disposition=request.POST.get("disposition", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValidationFailed as exc:
            errors = [f"{p.field}: {p.message}" for p in exc.problems]
        except Conflict as exc:
            errors = [str(exc)]
        else:
            return HttpResponseRedirect(reverse("screening:hit", args=[hit_id]))
    return render(
        request,
        "screening/hit.html",
        _context(request) | {"hit": found, "errors": errors},
        status=422 if errors else 200,
    )


@staff_only
@require_GET
def lists_page(request: HttpRequest) -> HttpResponse:
    """Imported list versions (newest active), their deltas, and recent screening runs."""
    return render(
        request,
        "screening/lists.html",
        _context(request) | {"versions": selectors.versions(), "runs": selectors.recent_runs()},
    )


@staff_only
@require_POST
def rescreen(request: HttpRequest) -> HttpResponse:
    """Queue a re-screen of every party (list managers)."""
    if not request.user.has_perm_code(Perm.LISTS_MANAGE):  # type: ignore[union-attr]
        raise Http404
    services.request_rescreen(actor=request.user, reason="requested in the console")  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("screening:lists"))
