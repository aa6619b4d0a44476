"""Transaction monitoring: run the scenarios over a period, turn candidates into deduplicated
alerts that become AML cases, generate CTRs, and change scenario thresholds through maker-checker.

- Alerts are keyed by the engine's stable key: a re-run reports an alert that is still open as
  ``open``, and one that was already closed as ``suppressed`` (the same activity is not alerted
  twice); only new activity creates an alert, and each new alert opens an AML investigation case
  (AML-confidential) in the case engine.
- Thresholds live in :class:`~bankcrm.monitoring.models.ScenarioThreshold` (seeded from the
  engine's defaults); a change is proposed and takes effect only when a second person approves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.cases import approvals
from bankcrm.core import clock
from bankcrm.core.calendar import FED
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.monitoring import extract
from bankcrm.monitoring.engine import AlertCandidate, Thresholds, ctr_aggregates, run_scenarios
from bankcrm.monitoring.models import Alert, CurrencyTransactionReport, MonitoringRun, ScenarioThreshold
from bankcrm.parties.models import Party

THRESHOLD_APPROVAL = "monitoring.threshold_change"
CTR_DUE_DAYS = 15  # 31 CFR 1010.306(a)(1): within 15 days after the transaction


def _require(actor: User | None, perm: Perm) -> None:
    if actor is not None:
        require(actor, perm)


def _coerce(default: object, raw: str) -> object:
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes")
    if isinstance(default, int):
        return int(Decimal(raw))
    if isinstance(default, float):
        return float(Decimal(raw))
    if isinstance(default, Decimal):
        return Decimal(raw)
    return raw


def ensure_thresholds() -> None:
    """Seed a row per engine threshold with the engine's default (existing rows are kept)."""
    defaults = Thresholds()
    for f in dataclasses.fields(Thresholds):
        value = getattr(defaults, f.name)
        if isinstance(value, bool | int | float | Decimal | str):
            ScenarioThreshold.objects.get_or_create(name=f.name, defaults={"value": str(value)})


def current_thresholds() -> Thresholds:
    """The engine thresholds as stored in the database (defaults for any missing row)."""
    ensure_thresholds()
    defaults = Thresholds()
    stored = dict(ScenarioThreshold.objects.values_list("name", "value"))
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Thresholds):
        if f.name in stored:
            values[f.name] = _coerce(getattr(defaults, f.name), stored[f.name])
    return dataclasses.replace(defaults, **values)


@transaction.atomic
def propose_threshold(*, actor: User, name: str, value: str, reason: str) -> Any:
    """Propose a new value for one threshold; it applies when a second person approves
    (maker-checker, DESIGN decision 11).

    Raises:
        ValidationFailed: unknown name, a value that is not a number, or no reason.
        PermissionDenied: the actor may not manage AML work.
        Conflict: a change of this threshold is already pending.
    """
    require(actor, Perm.AML_MANAGE)
    ensure_thresholds()
    row = ScenarioThreshold.objects.filter(name=name).first()
    if row is None:
        raise ValidationFailed([FieldProblem("name", f"unknown threshold {name!r}")])
    default = getattr(Thresholds(), name)
    try:
        _coerce(default, value)
    except (InvalidOperation, ValueError):
        raise ValidationFailed([FieldProblem("value", f"{value!r} is not a valid value for {name}")]) from None
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "state why")])
    return approvals.request_approval(
        actor=actor,
        action=THRESHOLD_APPROVAL,
        subject_type="threshold",
        subject_id=name,
        summary=f"{name}: {row.value} -> {value} ({reason.strip()[:200]})",
        payload={"name": name, "old": row.value, "new": value},
    )


def _apply_threshold(*, actor: User, approval: Any) -> None:
    data = approval.payload
    ScenarioThreshold.objects.filter(name=data["name"]).update(value=data["new"], updated_at=clock.now())
    audit.record(
        actor=actor,
        action="monitoring.threshold.change",
        subject_type="threshold",
        subject_id=data["name"],
        payload={"old": data["old"], "new": data["new"], "approval": str(approval.pk)},
    )


approvals.register(THRESHOLD_APPROVAL, perm=Perm.AML_MANAGE, on_approve=_apply_threshold)


def _open_case(candidate: AlertCandidate, party: Party | None) -> Any:
    from bankcrm.cases import services as cases

    return cases.open_case(
        actor=None,
        kind="aml_investigation",
        party=party,
        channel="system",
        subject=f"Alert: {candidate.scenario} {candidate.period_start}..{candidate.period_end}",
        narrative=candidate.explanation,
        record_interaction=False,
    )


def _party(party_id: str | None, cache: dict[str, Party | None]) -> Party | None:
    if not party_id:
        return None
    if party_id not in cache:
        cache[party_id] = Party.objects.filter(pk=party_id).first()
    return cache[party_id]


def run_monitoring(
    *,
    actor: User | None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[MonitoringRun, list[dict[str, Any]]]:
    """Run every scenario over ``[date_from, date_to]`` (default: the whole history up to the
    clock's date) and record the alerts.

    Returns:
        ``(run, alerts)`` where each alert is a JSON-ready dict with ``status`` ``new``, ``open``
        or ``suppressed`` (already alerted and closed), its ``scenario``, party, period, score,
        evidence transaction ids and explanation.

    Raises:
        ValidationFailed: ``date_from`` after ``date_to``, or a missing FX rate.
        PermissionDenied: the actor may not manage AML work.
    """
    _require(actor, Perm.AML_MANAGE)
    end = date_to or clock.today()
    if date_from is not None and date_from > end:
        raise ValidationFailed([FieldProblem("from", "must not be after to")])
    started = time.perf_counter()
    say = progress or (lambda message: None)
    say("extracting transactions")
    try:
        data = extract.tables(date_from, end)
    except extract.MissingRate as exc:
        raise ValidationFailed([FieldProblem("fx_rate", str(exc))]) from None
    say(f"running scenarios on {data['transactions'].num_rows:,} transactions")
    candidates = run_scenarios(data, thresholds=current_thresholds(), date_from=date_from, date_to=end)
    say(f"{len(candidates)} candidate alert(s)")
    out: list[dict[str, Any]] = []
    parties: dict[str, Party | None] = {}
    with transaction.atomic():
        run = MonitoringRun.objects.create(date_from=date_from, date_to=end, transactions=data["transactions"].num_rows)
        existing = {a.key: a for a in Alert.objects.filter(key__in=[c.key for c in candidates])}
        counts = {"new": 0, "open": 0, "suppressed": 0}
        for c in candidates:
            found = existing.get(c.key)
            if found is None:
                party = _party(c.party_id, parties)
                if party is None:
                    continue
                case = _open_case(c, party)
                found = Alert.objects.create(
                    party=party,
                    scenario=c.scenario,
                    score=max(0, min(100, int(c.score))),
                    evidence={"txn_ids": list(c.txn_ids), "account_ids": list(c.account_ids), "facts": c.facts},
                    key=c.key,
                    period_start=c.period_start,
                    period_end=c.period_end,
                    explanation=c.explanation,
                    case=case,
                    run=run,
                    status=Alert.Status.ESCALATED,
                )
                status = "new"
            elif found.status == Alert.Status.CLOSED:
                status = "suppressed"
            else:
                status = "open"
            counts[status] += 1
            out.append(_alert_json(found, status))
        run.alerts_new, run.alerts_open, run.alerts_suppressed = counts["new"], counts["open"], counts["suppressed"]
        run.finished_at = clock.now()
        run.duration_ms = round((time.perf_counter() - started) * 1000)
        run.save()
        audit.record(
            actor=actor,
            action="monitoring.run",
            subject_type="monitoring_run",
            subject_id=str(run.pk),
            payload={"from": str(date_from or ""), "to": str(end), **counts},
        )
    return run, out


def _alert_json(alert: Alert, status: str) -> dict[str, Any]:
    return {
        "id": str(alert.pk),
        "status": status,
        "scenario": alert.scenario,
        "party_id": str(alert.party_id),
        "period_start": alert.period_start.isoformat() if alert.period_start else None,
        "period_end": alert.period_end.isoformat() if alert.period_end else None,
        "score": alert.score,
        "txn_ids": alert.evidence.get("txn_ids", []),
        "facts": alert.evidence.get("facts", {}),
        "explanation": alert.explanation,
        "case_id": str(alert.case_id) if alert.case_id else None,
        "is_synthetic": alert.is_synthetic,
    }


def _ctr_report(party: Party, day: dt.date, cash_in: int, cash_out: int, txn_ids: list[int]) -> dict[str, Any]:
    """The FinCEN CTR parts (FinCEN CTR electronic filing requirements): Part I person(s)
    involved, Part II amount and type of transaction(s), Part III financial institution where the
    transactions took place, Part IV filing institution contact information. Identifiers are
    referenced by party id, never copied in plain text (they are encrypted at rest)."""
    return {
        "part_i_persons": [
            {
                "party_id": str(party.pk),
                "name": party.legal_name,
                "kind": party.kind,
                "role": "person on whose behalf the transaction was conducted",
                "identification": "see CIP record (encrypted at rest)",
            }
        ],
        "part_ii_amount_and_type": {
            "date_of_transaction": day.isoformat(),
            "cash_in_usd": f"{Decimal(cash_in) / 100:.2f}",
            "cash_out_usd": f"{Decimal(cash_out) / 100:.2f}",
            "transaction_ids": txn_ids,
            "aggregated": "multiple transactions across accounts and branches (31 CFR 1010.313)",
        },
        "part_iii_financial_institution": {"name": "BankCRM Demo Bank", "branches": "per transaction account"},
        "part_iv_filer": {"name": "BankCRM Demo Bank BSA Office", "contact": "BSA/AML officer"},
    }


@transaction.atomic
def generate_ctrs(
    *, actor: User | None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[CurrencyTransactionReport]:
    """Draft a CTR for every person and business day with cash in or cash out over $10,000
    (31 CFR 1010.311, aggregated per 1010.313; weekend and holiday cash on the next business day);
    due 15 calendar days after the business day. Idempotent per party and day.

    Raises:
        PermissionDenied: the actor may not manage AML work.
    """
    _require(actor, Perm.AML_MANAGE)
    end = date_to or clock.today()
    data = extract.tables(date_from, end)
    threshold = current_thresholds()
    rows = ctr_aggregates(data, date_from=date_from, date_to=end, threshold_cents=threshold.ctr_threshold_cents)
    created = []
    for row in rows:
        party = Party.objects.filter(pk=row["party_id"]).first()
        if party is None:
            continue
        day = row["business_day"]
        if CurrencyTransactionReport.objects.filter(party=party, business_day=day).exists():
            continue
        txn_ids = sorted(int(t) for t in [*row["cash_in_txn_ids"], *row["cash_out_txn_ids"]])
        created.append(
            CurrencyTransactionReport.objects.create(
                party=party,
                business_day=day,
                cash_in_usd_minor=int(row["cash_in_cents"]),
                cash_out_usd_minor=int(row["cash_out_cents"]),
                txn_ids=txn_ids,
                report=_ctr_report(party, day, int(row["cash_in_cents"]), int(row["cash_out_cents"]), txn_ids),
                due_on=day + dt.timedelta(days=CTR_DUE_DAYS),
            )
        )
    if created:
        audit.record(
            actor=actor, action="monitoring.ctr.generate", subject_type="ctr", payload={"created": len(created)}
        )
    return created


def business_day_of(day: dt.date) -> dt.date:
    """The business day a transaction on ``day`` counts toward (31 CFR 1010.313; Fed calendar)."""
    return FED.roll_forward(day)
