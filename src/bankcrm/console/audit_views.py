"""The auditor's view of the audit log: filters, paging, chain verification and CSV export
(export is a sensitive action: step-up re-authentication first, and the export is itself audited).

Payloads hold ids, field names and counts, never PII; free text that people type into an event
(the reason for a reveal) could still carry a number, so payloads are shown and exported through
the same PII scrubber as the logs (:func:`bankcrm.core.logging.scrub`)."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bankcrm.audit import selectors
from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.console.views import base_context
from bankcrm.core.logging import scrub
from bankcrm.identity import stepup
from bankcrm.identity.access import staff_only

PAGE = 50
CSV_COLUMNS = [
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "subject_type",
    "subject_id",
    "payload",
    "request_id",
    "hash",
]


def shown_payload(value: Any) -> Any:
    """``value`` (an event payload) with every string scrubbed of PII patterns, except ids
    (UUIDs), which the scrubber could mistake for a run of digits."""
    if isinstance(value, dict):
        return {k: shown_payload(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown_payload(v) for v in value]
    if isinstance(value, str):
        try:
            uuid.UUID(value)
        except ValueError:
            return scrub(value)
    return value


def _filters(request: HttpRequest) -> tuple[selectors.AuditFilter, dict[str, str], list[str]]:
    raw = {k: request.GET.get(k, "").strip() for k in ("action", "actor", "subject", "from", "to")}
    errors = []
    dates: dict[str, dt.date | None] = {}
    for key in ("from", "to"):
        try:
            dates[key] = dt.date.fromisoformat(raw[key]) if raw[key] else None
        except ValueError:
            errors.append(f"{key}: enter the date as YYYY-MM-DD")
            dates[key] = None
    flt = selectors.AuditFilter(raw["action"], raw["actor"], raw["subject"], dates["from"], dates["to"])
    return flt, raw, errors


@staff_only
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Filtered audit events, newest first, 50 a page (``?before=<sequence>`` for older ones)."""
    flt, raw, errors = _filters(request)
    qs = selectors.events(request.user, flt)  # type: ignore[arg-type]
    before = request.GET.get("before", "")
    if before.isdigit():
        qs = qs.filter(sequence__lt=int(before))
    rows = list(qs.select_related("actor")[: PAGE + 1])
    for e in rows:
        e.shown_payload = shown_payload(e.payload)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("before", None)
    context: dict[str, Any] = base_context(request) | {
        "events": rows[:PAGE],
        "older": rows[PAGE - 1].sequence if len(rows) > PAGE else None,
        "filters": raw,
        "errors": errors,
        "query": query.urlencode(),
    }
    return render(request, "console/audit_log.html", context)


@staff_only
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Verify the whole hash chain now and show the result."""
    require(request.user, Perm.AUDIT_READ)  # type: ignore[arg-type]
    checked, broken = audit.verify_chain()
    return render(request, "console/_chain_status.html", {"checked": checked, "broken": broken})


@staff_only
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered events as CSV, after step-up re-authentication; the export is audited."""
    require(request.user, Perm.AUDIT_READ)  # type: ignore[arg-type]
    if not stepup.recently_reauthenticated(request):
        return stepup.step_up_response(request, reverse("console:audit_log") + "?" + request.GET.urlencode())
    flt, raw, _ = _filters(request)
    qs = selectors.events(request.user, flt)  # type: ignore[arg-type]
    audit.record_standalone(
        actor=request.user,  # type: ignore[arg-type]
        action="audit.export",
        subject_type="audit_log",
        payload={"filters": {k: v for k, v in raw.items() if v}, "rows": qs.count()},
    )

    class Echo:
        def write(self, value: str) -> str:
            return value

    def rows() -> Iterator[str]:
        writer = csv.writer(Echo())
        yield writer.writerow(CSV_COLUMNS)
        for e in qs.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.sequence,
                    e.occurred_at.isoformat(),
                    e.actor_label,
                    e.action,
                    e.subject_type,
                    e.subject_id,
                    shown_payload(e.payload),
                    e.request_id,
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
