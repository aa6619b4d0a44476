"""Persisting a case's clocks: the legal deadlines of :mod:`bankcrm.cases.engine.clocks` and the
internal SLAs of :class:`~bankcrm.cases.models.SlaPolicy`, as :class:`~bankcrm.cases.models.CaseClock`
rows that queues can filter on ("breached", "about to breach") with plain indexed queries.

Called only from :mod:`bankcrm.cases.services` inside its transactions (no audit of its own: the
calling service records the event, with the clock changes in its payload).

Clocks start on the bank-local date the case was received (``received_at`` in the bank's time
zone), counted by the Federal Reserve business-day calendar.
"""

from __future__ import annotations

import datetime as dt

from bankcrm.cases.engine import clocks as engine
from bankcrm.cases.models import Case, CaseClock, CasePause, SlaPolicy
from bankcrm.core import clock

REOPEN_KEY = "sla_reopened"


def received_date(case: Case) -> dt.date:
    """The bank-local date of ``case.received_at`` (day 0 of every clock)."""
    return case.received_at.astimezone(clock.bank_zone()).date()


def _deadline_of(row: CaseClock) -> engine.Deadline:
    return engine.Deadline(
        key=row.key,
        label=row.label,
        start=row.start,
        due=row.due,
        day_kind=engine.DayKind.BUSINESS if row.business_days else engine.DayKind.CALENDAR,
        days=row.days,
        source=row.source,
        pausable=row.pausable,
        warn_from=row.warn_from,
    )


def clock_row(case: Case, d: engine.Deadline, *, stopped_on: dt.date | None = None) -> CaseClock:
    """An unsaved :class:`CaseClock` for deadline ``d`` of ``case`` (stopped on ``stopped_on`` if given)."""
    return CaseClock(
        case=case,
        key=d.key,
        label=d.label[:160],
        source=d.source[:160],
        start=d.start,
        days=d.days,
        business_days=d.day_kind == engine.DayKind.BUSINESS,
        due=d.due,
        effective_due=d.due,
        warn_from=d.warn_from,
        pausable=d.pausable,
        stopped_on=stopped_on,
    )


def _regulatory(case: Case) -> list[engine.Deadline]:
    received = received_date(case)
    reg_e = None
    if "reg_e" in case.regimes:
        reg_e = engine.RegEFacts(
            new_account=case.reg_e_new_account,
            point_of_sale=case.reg_e_point_of_sale,
            foreign_initiated=case.reg_e_foreign_initiated,
            provisional_credit_on=case.provisional_credit_on,
            investigation_completed_on=case.investigation_completed_on,
        )
    reg_z = engine.RegZFacts(case.billing_cycle_closing_day) if case.billing_cycle_closing_day else None
    return engine.regulatory_deadlines(received=received, regimes=set(case.regimes), reg_e=reg_e, reg_z=reg_z)


def sla_rules(kind: str) -> list[engine.ClockRule]:
    """The active internal SLA policies of a case kind as engine rules (pausable, bank policy)."""
    return [
        engine.ClockRule(
            key=p.key,
            label=p.label,
            days=p.days,
            day_kind=engine.DayKind.BUSINESS if p.business_days else engine.DayKind.CALENDAR,
            source="internal SLA policy",
            pausable=True,
            warn_days=p.warn_days,
        )
        for p in SlaPolicy.objects.filter(kind=kind, active=True).order_by("key")
    ]


def start_clocks(case: Case) -> list[str]:
    """Create the clocks of a new case; returns their keys."""
    received = received_date(case)
    deadlines = _regulatory(case) + [engine.sla_deadline(rule, received) for rule in sla_rules(case.kind)]
    CaseClock.objects.bulk_create([clock_row(case, d) for d in deadlines])
    return [d.key for d in deadlines]


def sync_regulatory_clocks(case: Case) -> dict[str, list[str]]:
    """Bring the legal clocks in line with the case's regimes and facts (after a reclassification or
    new Reg E / Reg Z facts): add new ones, move due dates, remove those that no longer apply.
    Stopped clocks keep their stop date. Returns ``{"added": [...], "changed": [...], "removed": [...]}``."""
    wanted = {d.key: d for d in _regulatory(case)}
    existing = {c.key: c for c in case.clocks.all() if not c.key.startswith("sla_")}
    added, changed, removed = [], [], []
    for key, d in wanted.items():
        row = existing.get(key)
        if row is None:
            clock_row(case, d).save()
            added.append(key)
        elif (row.due, row.label, row.days) != (d.due, d.label[:160], d.days):
            row.due = row.effective_due = d.due
            row.label, row.days, row.source, row.warn_from = d.label[:160], d.days, d.source[:160], d.warn_from
            row.business_days = d.day_kind == engine.DayKind.BUSINESS
            row.save()
            changed.append(key)
    for key, row in existing.items():
        if key not in wanted:
            row.delete()
            removed.append(key)
    return {"added": added, "changed": changed, "removed": removed}


def running_keys(case: Case) -> set[str]:
    """Keys of the case's clocks that have not stopped."""
    return set(case.clocks.filter(stopped_on__isnull=True).values_list("key", flat=True))


def stop_clocks(case: Case, keys: frozenset[str] | set[str], on: dt.date) -> None:
    """Stop the named running clocks on ``on`` (met or missed is then fixed by their due dates)."""
    if keys:
        case.clocks.filter(key__in=keys, stopped_on__isnull=True).update(stopped_on=on, paused_since=None)


def pause_clocks(case: Case, on: dt.date) -> None:
    """Pause the running pausable (internal SLA) clocks; legal clocks keep running."""
    case.clocks.filter(stopped_on__isnull=True, pausable=True).update(paused_since=on)


def _pauses(case: Case) -> list[engine.Pause]:
    return [engine.Pause(start=p.start, end=p.end, reason=p.reason) for p in CasePause.objects.filter(case=case)]


def end_pause(case: Case, on: dt.date) -> None:
    """End the open pause on ``on`` and extend every pausable running clock by the paused days."""
    CasePause.objects.filter(case=case, end__isnull=True).update(end=on)
    pauses = _pauses(case)
    for row in case.clocks.filter(stopped_on__isnull=True, pausable=True):
        relevant = [p for p in pauses if row.start <= p.start <= on]
        state = engine.clock_state(_deadline_of(row), today=on, pauses=relevant)
        row.effective_due, row.warn_from, row.paused_since = state.due, state.warn_from, None
        row.save(update_fields=["effective_due", "warn_from", "paused_since"])


def start_reopen_clock(case: Case, on: dt.date) -> None:
    """A reopened case gets a fresh internal resolution clock (``sla_reopened[_n]``)."""
    rules = [r for r in sla_rules(case.kind) if r.key == "sla_resolution"]
    if not rules:
        return
    base = rules[0]
    key = REOPEN_KEY if case.reopened_count <= 1 else f"{REOPEN_KEY}_{case.reopened_count}"
    rule = engine.ClockRule(
        key=key,
        label=f"{base.label} (reopened)",
        days=base.days,
        day_kind=base.day_kind,
        source=base.source,
        pausable=True,
        warn_days=base.warn_days,
    )
    clock_row(case, engine.sla_deadline(rule, on)).save()


def responded_in_time(case: Case, on: dt.date) -> bool:
    """CCDB "Timely response?": the first response came by the due date of the response clock
    (the CFPB 15-day clock when the complaint came through the CFPB portal, else the internal
    resolution SLA; True when the case has neither)."""
    for key in (engine.CFPB_RESPONSE, "sla_resolution"):
        row = case.clocks.filter(key=key).first()
        if row is not None:
            return on <= row.effective_due
    return True


def state_of(row: CaseClock, *, today: dt.date | None = None) -> engine.ClockState:
    """The engine's view of one persisted clock on ``today`` (default the clock's today)."""
    today = today or clock.today()
    as_of = row.stopped_on or today
    pauses = [p for p in _pauses(row.case) if row.start <= p.start <= as_of] if row.pausable else []
    return engine.clock_state(_deadline_of(row), today=today, stopped_on=row.stopped_on, pauses=pauses)
