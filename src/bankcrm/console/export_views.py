"""Customer-data export from the console search page: every party the search finds, as CSV,
masked for the signed-in user exactly as on screen.

A bulk copy of customer information is the largest single disclosure a staff member can make
(GLBA Safeguards: access controls and monitoring of authorized users), so the export needs a
fresh re-authentication (step-up) and is itself an audit event, with the row count, the kind of
search and the fields shown unmasked; never the values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from bankcrm.audit import services as audit
from bankcrm.core.logging import scrub
from bankcrm.identity import stepup
from bankcrm.identity.access import staff_only
from bankcrm.parties import selectors as parties

MAX_QUERY = 200


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting with one of these as a formula (CSV injection).
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


class _Echo:
    """A file-like object whose ``write`` returns the line, for streaming ``csv.writer`` output."""

    def write(self, value: str) -> str:
        return value


@staff_only
@require_GET
def export_parties_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """``GET /parties/export.csv?q=``: the search results for ``q`` (all pages) as CSV, after
    step-up re-authentication; audited as ``parties.export``. Without a search term the answer is
    400: the export is of a search, never of the whole customer base by accident."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    if not q:
        return HttpResponse("q: search first, then export the results", status=400, content_type="text/plain")
    if not stepup.recently_reauthenticated(request):
        return stepup.step_up_response(request, reverse("console:party_search") + "?" + urlencode({"q": q}))
    export = parties.party_export(request.user, query=q)  # type: ignore[arg-type]
    audit.record_standalone(
        actor=request.user,  # type: ignore[arg-type]
        action="parties.export",
        subject_type="party_search",
        payload={
            # The term itself may be a tax id or an account number: only its kind, and a name
            # search with any number-like part scrubbed out.
            "filters": {"kind": parties.query_kind(q)} | ({"q": scrub(q)} if parties.query_kind(q) == "name" else {}),
            "rows": export.count,
            "unmasked": export.unmasked,
        },
    )

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield writer.writerow(parties.EXPORT_COLUMNS)
        for row in export.rows():
            yield writer.writerow([_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers.csv"'
    response["Cache-Control"] = "no-store"
    return response
