"""Console pages for the BSA/AML function: SAR preparation on an AML case (start, edit, request
filing, record the filing; JSON and readable report) and the CTR list with each CTR's FinCEN parts."""

from __future__ import annotations

import datetime as dt
import json

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bankcrm.cases import selectors as cases
from bankcrm.console.views import base_context
from bankcrm.core.errors import Conflict, NotFound, ValidationFailed
from bankcrm.identity.access import staff_only
from bankcrm.monitoring import sar as sar_service
from bankcrm.monitoring import selectors


def _back(case_id: object, error: str = "") -> HttpResponse:
    url = reverse("cases:detail", args=[case_id])
    return HttpResponseRedirect(url + (f"?sar_error={error[:300]}" if error else "") + "#sar-h")


def _run(request: HttpRequest, case_id: object, fn: object) -> HttpResponse:
    try:
        fn()  # type: ignore[operator]
    except ValidationFailed as exc:
        return _back(case_id, "; ".join(f"{p.field}: {p.message}" for p in exc.problems))
    except Conflict as exc:
        return _back(case_id, str(exc))
    return _back(case_id)


@staff_only
@require_POST
def sar_start(request: HttpRequest, case_id: str) -> HttpResponse:
    """Open the SAR of an AML case (detection date, whether a suspect is identified)."""
    try:
        case = cases.get_case(request.user, case_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None

    def run() -> None:
        try:
            detected = dt.date.fromisoformat(request.POST.get("detected_on", ""))
        except ValueError:
            raise ValidationFailed([]) from None
        sar_service.start_sar(
            actor=request.user,  # type: ignore[arg-type]
            case=case,
            detected_on=detected,
            suspect_identified=request.POST.get("suspect_identified") == "yes",
        )

    return _run(request, case.pk, run)


def _get(request: HttpRequest, sar_id: int):  # type: ignore[no-untyped-def]
    try:
        return selectors.get_sar(request.user, sar_id)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


@staff_only
@require_POST
def sar_update(request: HttpRequest, sar_id: int) -> HttpResponse:
    """Save the draft: narrative, activity period, amount, suspect identified."""
    found = _get(request, sar_id)

    def run() -> None:
        def day(name: str) -> dt.date | None:
            value = request.POST.get(name, "")
            return dt.date.fromisoformat(value) if value else None

        try:
            start, end = day("activity_from"), day("activity_to")
        except ValueError:
            from bankcrm.core.errors import FieldProblem

            raise ValidationFailed([FieldProblem("activity_from", "dates as YYYY-MM-DD")]) from None
        sar_service.update_sar(
            actor=request.user,  # type: ignore[arg-type]
            sar=found,
            narrative=request.POST.get("narrative", ""),
            activity_from=start,
            activity_to=end,
            amount_usd=request.POST.get("amount_usd") or None,
            suspect_identified=request.POST.get("suspect_identified") == "yes",
        )

    return _run(request, found.case_id, run)


@staff_only
@require_POST
def sar_request(request: HttpRequest, sar_id: int) -> HttpResponse:
    """Ask a second person to approve the SAR for filing."""
    found = _get(request, sar_id)
    return _run(request, found.case_id, lambda: sar_service.request_filing(actor=request.user, sar=found))  # type: ignore[arg-type]


@staff_only
@require_POST
def sar_file(request: HttpRequest, sar_id: int) -> HttpResponse:
    """Record the BSA E-Filing acknowledgement of an approved SAR."""
    found = _get(request, sar_id)
    return _run(
        request,
        found.case_id,
        lambda: sar_service.record_filing(actor=request.user, sar=found, bsa_id=request.POST.get("bsa_id", "")),  # type: ignore[arg-type]
    )


@staff_only
@require_GET
def sar_json(request: HttpRequest, sar_id: int) -> JsonResponse:
    """The SAR as structured JSON in the FinCEN SAR parts (download)."""
    response = JsonResponse(sar_service.sar_document(_get(request, sar_id)), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="sar-{sar_id}.json"'
    return response


@staff_only
@require_GET
def sar_html(request: HttpRequest, sar_id: int) -> HttpResponse:
    """The readable SAR report."""
    return HttpResponse(sar_service.sar_report_html(_get(request, sar_id)))


@staff_only
@require_GET
def ctrs(request: HttpRequest) -> HttpResponse:
    """Draft and filed CTRs with their due dates and FinCEN parts (AML roles)."""
    rows = list(selectors.visible_ctrs(request.user)[:200])  # type: ignore[arg-type]
    for row in rows:
        row.report_json = json.dumps(row.report, indent=1)  # type: ignore[attr-defined]
    return render(request, "monitoring/ctrs.html", base_context(request) | {"rows": rows})
