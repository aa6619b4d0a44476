"""Load the real CFPB complaint sample (``data/cfpb-complaints``) as complaints of demo parties
(``bankcrm import cfpb``; part of ``make demo``).

Rules (DESIGN decision 5: "CFPB complaints keep their real dates and recorded outcomes as history"):

- Every CCDB row becomes one complaint case keyed by its CFPB Complaint ID (``cfpb`` /
  ``<id>``), so a re-run loads nothing twice.
- Channel ``cfpb_portal``: every CCDB complaint reached the company through the CFPB, so the CFPB
  15- and 60-day clocks apply; how the consumer reached the CFPB (``Submitted via``) is kept.
- The recorded classification (product, sub-product, issue, sub-issue, in the names of the
  complaint's era) is the confirmed one; its canonical product class drives signals and routing.
- The recorded company response and "Timely response?" are kept. A complaint with a closing
  response is closed; its clocks are stopped on "Date sent to company", the only date the CCDB
  gives (an approximation, flagged in the case's external record). "In progress" stays open.
- Complaints without a published narrative (the consumer did not consent) get a placeholder
  narrative saying so; nothing is invented.
- The party is a demo party chosen deterministically from the Berka clients by Complaint ID: the
  association is synthetic (flagged ``party_link: synthetic`` in the external record).

Bulk path: cases and clocks are inserted in batches with one audit event per batch (DESIGN
decision 3); signals are detected per complaint with the same engine as live intake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from bankcrm.cases import deadlines
from bankcrm.cases.engine import clocks as clock_engine
from bankcrm.cases.engine import signals as signals_engine
from bankcrm.cases.engine.cfpb_data import Complaint, find_data_file, read_complaints
from bankcrm.cases.engine.workflow import CaseKind, Status
from bankcrm.cases.models import Case, CaseClock, RoutingRule
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.datasets.common import LoadReport, Progress, create_in_batches, existing_source_ids, no_progress
from bankcrm.identity.models import User
from bankcrm.parties.models import Party

SOURCE = "cfpb"
SAMPLE = "complaints_sample.csv.gz"
NO_NARRATIVE = "(No narrative: the consumer did not consent to publishing one. Issue recorded by the CFPB: {issue}.)"


def default_path() -> Path:
    """The shipped sample (``<data dir>/cfpb-complaints/complaints_sample.csv.gz``)."""
    return find_data_file(Path(settings.DATA_DIR) / "cfpb-complaints", SAMPLE)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _routing() -> list[RoutingRule]:
    return list(RoutingRule.objects.select_related("team").order_by("priority", "created_at"))


def _team_id(
    rules: list[RoutingRule], kind: str, product_class: str, codes: set[str], channel: str
) -> uuid.UUID | None:
    for rule in rules:
        if (
            (not rule.kind or rule.kind == kind)
            and (not rule.product_class or rule.product_class == product_class)
            and (not rule.signal or rule.signal in codes)
            and (not rule.channel or rule.channel == channel)
        ):
            return rule.team_id
    return None


def _received_at(day: dt.date) -> dt.datetime:
    # Date-only source rows are booking dates (DESIGN decision 5): noon, bank time.
    return dt.datetime.combine(day, dt.time(12), tzinfo=clock.bank_zone())


def _case(c: Complaint, party_id: uuid.UUID, team_rules: list[RoutingRule], now: dt.datetime) -> Case:
    narrative = c.narrative or NO_NARRATIVE.format(issue=c.issue)
    found = signals_engine.detect_signals(
        c.narrative or "",
        product_class=str(c.product_class),
        channel="cfpb_portal",
        tags=", ".join(str(t) for t in c.tags),
    )
    signals = [{"code": s.code, "label": s.label, "rule": s.rule, "evidence": list(s.evidence)} for s in found]
    codes = {str(s.code) for s in found}
    regimes = ["cfpb_portal"] + [
        r for r, code in (("reg_e", "reg_e_error"), ("reg_z", "reg_z_billing_error")) if code in codes
    ]
    closed = c.company_response.is_closed
    received = _received_at(c.date_received)
    sent = c.date_sent if c.date_sent and c.date_sent >= c.date_received else c.date_received
    return Case(
        id=uuid.uuid4(),
        reference=f"CMP-{uuid.uuid4().hex[:8].upper()}",
        kind=CaseKind.COMPLAINT,
        status=Status.CLOSED if closed else Status.IN_PROGRESS,
        party_id=party_id,
        channel=Case.Channel.CFPB_PORTAL,
        received_at=received,
        subject=(c.issue or c.product)[:200],
        narrative=narrative,
        product_class=str(c.product_class),
        product=c.product,
        sub_product=c.sub_product or "",
        issue=c.issue or "",
        sub_issue=c.sub_issue or "",
        classification_confirmed_at=received,
        signals=signals,
        regimes=regimes,
        team_id=_team_id(team_rules, CaseKind.COMPLAINT, str(c.product_class), codes, "cfpb_portal"),
        company_response=str(c.company_response),
        timely_response=c.timely,
        responded_at=_received_at(sent) if closed else None,
        closed_at=_received_at(sent) if closed else None,
        consumer_disputed=c.consumer_disputed,
        source_system=SOURCE,
        source_id=c.complaint_id,
        external={
            "company": c.company,
            "state": c.state or "",
            "zip_code": c.zip_code or "",
            "tags": ", ".join(str(t) for t in c.tags),
            "consumer_consent": str(c.consumer_consent or ""),
            "submitted_via": str(c.submitted_via),
            "date_sent": c.date_sent.isoformat() if c.date_sent else "",
            "company_public_response": c.company_public_response or "",
            "consumer_disputed": "N/A" if c.consumer_disputed is None else ("Yes" if c.consumer_disputed else "No"),
            "party_link": "synthetic (demo assignment by complaint id)",
            "clocks_stopped_on": "date sent to company (approximation: the CCDB has no response date)"
            if closed
            else "",
        },
        created_at=now,
        updated_at=now,
    )


def _clocks(case: Case, slas: list[clock_engine.ClockRule]) -> list[CaseClock]:
    received = case.received_at.date()
    found = clock_engine.regulatory_deadlines(received=received, regimes=set(case.regimes))
    found += [clock_engine.sla_deadline(rule, received) for rule in slas]
    stopped = case.closed_at.date() if case.closed_at else None
    return [deadlines.clock_row(case, d, stopped_on=stopped) for d in found]


def import_cfpb(
    *, actor: User | None, path: Path | None = None, limit: int | None = None, progress: Progress = no_progress
) -> LoadReport:
    """Load the CFPB sample as complaints of Berka demo parties (rules in the module docstring).

    Args:
        path: the CCDB-layout CSV (plain or .gz); default the shipped sample.
        limit: load only the first ``limit`` rows (tests).

    Raises:
        ValidationFailed: the file is malformed (file:line, field), or no Berka parties are loaded
            to attach the complaints to; nothing is written.
    """
    source = path or default_path()
    report = LoadReport(source=f"{SOURCE}:{source.name}")
    complaints = read_complaints(source)
    if limit is not None:
        complaints = complaints[:limit]
    parties = list(
        Party.objects.filter(source_system="berka", merged_into__isnull=True)
        .order_by("source_id")
        .values_list("pk", flat=True)
    )
    if not parties:
        raise ValidationFailed([FieldProblem("parties", "load the Berka data first (bankcrm import berka)")])
    digest = _sha256(source)
    now = clock.now()
    with transaction.atomic():
        done = existing_source_ids(Case, SOURCE)
        fresh = [c for c in complaints if c.complaint_id not in done]
        report.unchanged["complaints"] = len(complaints) - len(fresh)
        rules = _routing()
        slas = deadlines.sla_rules(CaseKind.COMPLAINT)
        cases = [_case(c, parties[int(c.complaint_id) % len(parties)], rules, now) for c in fresh]
        create_in_batches(
            actor=actor,
            model=Case,
            objects=cases,
            entity="complaints",
            source=report.source,
            source_sha256=digest,
            report=report,
            progress=progress,
        )
        clocks = [row for case in cases for row in _clocks(case, slas)]
        create_in_batches(
            actor=actor,
            model=CaseClock,
            objects=clocks,
            entity="complaint_clocks",
            source=report.source,
            source_sha256=digest,
            report=report,
            progress=progress,
        )
    return report
