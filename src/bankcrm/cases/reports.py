"""Complaint reports (volume, timeliness, outcomes by product, issue and channel; root causes by
product and channel over time) and the export in the CFPB Consumer Complaint Database layout.
Every figure is computed on the complaints the actor may see."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bankcrm.audit import services as audit
from bankcrm.cases.engine.taxonomy import CCDB_COLUMNS
from bankcrm.cases.engine.workflow import CaseKind, Status
from bankcrm.cases.models import Case
from bankcrm.cases.selectors import breached_q, visible_cases
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.identity.models import User

#: How our intake channels appear in the CCDB "Submitted via" column.
SUBMITTED_VIA = {
    "web": "Web",
    "mobile": "Web",
    "chat": "Web",
    "cfpb_portal": "Web",
    "phone": "Phone",
    "email": "Email",
    "mail": "Postal mail",
    "branch": "Referral",
    "system": "Referral",
}


def _dates(date_from: str | dt.date | None, date_to: str | dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    out: list[dt.date | None] = []
    problems = []
    for name, value in (("from", date_from), ("to", date_to)):
        if value in (None, ""):
            out.append(None)
        elif isinstance(value, dt.date):
            out.append(value)
        else:
            try:
                out.append(dt.date.fromisoformat(str(value)))
            except ValueError:
                problems.append(FieldProblem(name, "must be a date YYYY-MM-DD"))
                out.append(None)
    if problems:
        raise ValidationFailed(problems)
    if out[0] and out[1] and out[0] > out[1]:
        raise ValidationFailed([FieldProblem("from", "must not be after to")])
    return out[0], out[1]


def _complaints(actor: User, date_from: dt.date | None, date_to: dt.date | None) -> Any:
    qs = visible_cases(actor).filter(kind__in=[CaseKind.COMPLAINT, CaseKind.DISPUTE])
    if date_from:
        qs = qs.filter(received_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(received_at__date__lte=date_to)
    return qs


@dataclass
class Breakdown:
    """Counts per value of one dimension: received, open, closed, timely, untimely, breached, by outcome."""

    dimension: str
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ComplaintReport:
    """The report's sections (see :func:`complaint_report`)."""

    total: int
    open: int
    breached_open: int
    timely_rate: float | None
    by_product: Breakdown
    by_issue: Breakdown
    by_channel: Breakdown
    outcomes: list[tuple[str, int]]
    root_causes: list[dict[str, Any]]
    root_causes_by_month: list[dict[str, Any]]
    volume_by_month: list[tuple[str, int]]


def complaint_report(
    actor: User, *, date_from: str | dt.date | None = None, date_to: str | dt.date | None = None
) -> ComplaintReport:
    """Volume, timeliness and outcomes of complaints received in ``[date_from, date_to]`` by
    product, issue and channel; root causes ranked overall, by product and channel, and by month.
    Timely rate = share of responded complaints with "Timely response?" Yes.

    Raises:
        ValidationFailed: malformed dates (fields ``from`` / ``to``).
    """
    start, end = _dates(date_from, date_to)
    qs = _complaints(actor, start, end)
    breached_ids = set(qs.filter(breached_q(clock.today())).exclude(status=Status.CLOSED).values_list("pk", flat=True))
    rows = list(
        qs.values_list(
            "pk",
            "product",
            "issue",
            "channel",
            "status",
            "timely_response",
            "company_response",
            "root_causes",
            "received_at",
        )
    )
    dims: dict[str, dict[str, Counter[str]]] = {
        "product": defaultdict(Counter),
        "issue": defaultdict(Counter),
        "channel": defaultdict(Counter),
    }
    outcomes: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    causes_by: dict[tuple[str, str, str], int] = Counter()
    causes_month: dict[tuple[str, str], int] = Counter()
    volume: Counter[str] = Counter()
    timely = answered = 0
    for pk, product, issue, channel, status, is_timely, response, root_causes, received in rows:
        month = received.astimezone(clock.bank_zone()).strftime("%Y-%m")
        volume[month] += 1
        for dim, value in (
            ("product", product or "(unclassified)"),
            ("issue", issue or "(none)"),
            ("channel", channel),
        ):
            c = dims[dim][value]
            c["received"] += 1
            c["open" if status != Status.CLOSED else "closed"] += 1
            if is_timely is True:
                c["timely"] += 1
            elif is_timely is False:
                c["untimely"] += 1
            if pk in breached_ids:
                c["breached"] += 1
            if response:
                c[response] += 1
        if response:
            outcomes[response] += 1
        if is_timely is not None:
            answered += 1
            timely += int(is_timely)
        for tag in root_causes or []:
            causes[tag] += 1
            causes_by[(tag, product or "(unclassified)", channel)] += 1
            causes_month[(month, tag)] += 1

    def breakdown(dim: str) -> Breakdown:
        items = sorted(dims[dim].items(), key=lambda kv: (-kv[1]["received"], kv[0]))
        return Breakdown(dim, [{"value": k} | dict(v) for k, v in items])

    return ComplaintReport(
        total=len(rows),
        open=sum(1 for r in rows if r[4] != Status.CLOSED),
        breached_open=len(breached_ids),
        timely_rate=round(timely / answered, 4) if answered else None,
        by_product=breakdown("product"),
        by_issue=breakdown("issue"),
        by_channel=breakdown("channel"),
        outcomes=outcomes.most_common(),
        root_causes=[
            {
                "tag": tag,
                "count": n,
                "by": sorted(((p, ch, m) for (t, p, ch), m in causes_by.items() if t == tag), key=lambda x: -x[2])[:5],
            }
            for tag, n in causes.most_common(20)
        ],
        root_causes_by_month=[{"month": m, "tag": t, "count": n} for (m, t), n in sorted(causes_month.items())],
        volume_by_month=sorted(volume.items()),
    )


def _ccdb_row(case: Case) -> list[str]:
    ext = case.external or {}
    received = case.received_at.astimezone(clock.bank_zone()).date().isoformat()
    timely = "" if case.timely_response is None else ("Yes" if case.timely_response else "No")
    response = case.company_response or ("In progress" if case.status != Status.CLOSED else "")
    values = {
        "Date received": received,
        "Product": case.product,
        "Sub-product": case.sub_product,
        "Issue": case.issue,
        "Sub-issue": case.sub_issue,
        # Narratives are published only with the consumer's consent (CCDB rule): only imported
        # CFPB narratives, which the CFPB already published and scrubbed, are exported.
        "Consumer complaint narrative": case.narrative if case.source_system == "cfpb" else "",
        "Company public response": ext.get("company_public_response", ""),
        "Company": ext.get("company", "BankCRM Demo Bank"),
        "State": ext.get("state", ""),
        "ZIP code": ext.get("zip_code", ""),
        "Tags": ext.get("tags", ""),
        "Consumer consent provided?": ext.get("consumer_consent", ""),
        "Submitted via": ext.get("submitted_via") or SUBMITTED_VIA.get(case.channel, "Web"),
        "Date sent to company": ext.get("date_sent", received),
        "Company response to consumer": response,
        "Timely response?": timely,
        "Consumer disputed?": ext.get("consumer_disputed", "N/A"),
        "Complaint ID": case.source_id if case.source_system == "cfpb" else case.reference,
    }
    return [str(values.get(col, "")) for col in CCDB_COLUMNS]


def ccdb_rows(
    actor: User, *, date_from: str | dt.date | None = None, date_to: str | dt.date | None = None
) -> Iterator[str]:
    """CSV lines (header first) of the visible complaints in the CCDB column layout
    (:data:`~bankcrm.cases.engine.taxonomy.CCDB_COLUMNS`), oldest first. The export is audited
    (row count and filters) when the header is produced.

    Raises:
        ValidationFailed: malformed dates.
    """
    start, end = _dates(date_from, date_to)
    qs = _complaints(actor, start, end).order_by("received_at", "id")
    audit.record_standalone(
        actor=actor,
        action="case.export.ccdb",
        subject_type="case",
        payload={"rows": qs.count(), "from": str(start or ""), "to": str(end or "")},
    )

    return _lines(qs)


def _line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(values)
    return buf.getvalue()


def _lines(qs: Any) -> Iterator[str]:
    yield _line(list(CCDB_COLUMNS))
    for case in qs.iterator(chunk_size=500):
        yield _line(_ccdb_row(case))
