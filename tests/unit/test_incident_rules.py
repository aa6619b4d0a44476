"""Incident notification clocks (pure engine). Worked examples: every clock counts wall-clock time
(nights, weekends and holidays included), "36 hours" as elapsed hours and "30 days" as calendar
days in the bank's zone at the same local time."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bankcrm.privacy import incident_rules as rules
from bankcrm.privacy.incident_rules import ClockKind, ClockState, IncidentFacts

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)  # type: ignore[misc]


def _clock(facts: IncidentFacts, now: dt.datetime, kind: ClockKind) -> rules.Clock:
    return {c.kind: c for c in rules.clocks(facts, now=now, zone=NY)}[kind]


# --- the regulator's 36 hours -----------------------------------------------------------------


def test_36_hours_from_a_friday_evening_end_on_sunday_morning() -> None:
    # Determined Friday 7 June 2024 17:00 EDT: due Sunday 9 June 05:00 EDT. The weekend counts;
    # the deadline is not moved to Monday's business hours.
    facts = IncidentFacts(discovered_at=ny(2024, 6, 7, 9, 0), determined_at=ny(2024, 6, 7, 17, 0))
    regulator = _clock(facts, ny(2024, 6, 8, 12, 0), ClockKind.REGULATOR)
    assert regulator.due_at == ny(2024, 6, 9, 5, 0)
    assert regulator.due_at.weekday() == 6  # Sunday
    assert regulator.state == ClockState.RUNNING
    assert _clock(facts, ny(2024, 6, 9, 5, 0), ClockKind.REGULATOR).state == ClockState.RUNNING  # "<= 36 hours"
    assert _clock(facts, ny(2024, 6, 9, 5, 0, 1), ClockKind.REGULATOR).state == ClockState.OVERDUE


@pytest.mark.parametrize(
    ("notified", "state"),
    [
        ((2024, 6, 9, 5, 0), ClockState.MET),
        ((2024, 6, 9, 4, 59), ClockState.MET),
        ((2024, 6, 10, 9, 0), ClockState.MET_LATE),
    ],
)
def test_regulator_notice_met_or_late(notified: tuple[int, ...], state: ClockState) -> None:
    facts = IncidentFacts(
        discovered_at=ny(2024, 6, 7, 9, 0), determined_at=ny(2024, 6, 7, 17, 0), regulator_notified_at=ny(*notified)
    )
    regulator = _clock(facts, ny(2024, 6, 20, 0, 0), ClockKind.REGULATOR)
    assert regulator.state == state and regulator.done_at == ny(*notified)


def test_36_hours_across_the_spring_forward_weekend_are_elapsed_hours() -> None:
    # Saturday 9 March 2024 20:00 EST = 01:00 UTC on the 10th; clocks go forward at 02:00 on
    # Sunday the 10th. 36 elapsed hours later is 13:00 UTC on Monday the 11th = 09:00 EDT (the
    # local clock face moved 37 hours).
    facts = IncidentFacts(discovered_at=ny(2024, 3, 9, 18, 0), determined_at=ny(2024, 3, 9, 20, 0))
    due = _clock(facts, ny(2024, 3, 10, 0, 0), ClockKind.REGULATOR).due_at
    assert due == dt.datetime(2024, 3, 11, 13, 0, tzinfo=dt.UTC)
    assert due is not None and (due.hour, due.utcoffset()) == (9, dt.timedelta(hours=-4))
    assert due.astimezone(dt.UTC) - ny(2024, 3, 9, 20, 0).astimezone(dt.UTC) == dt.timedelta(hours=36)


def test_regulator_clock_waits_for_the_determination() -> None:
    facts = IncidentFacts(discovered_at=ny(2024, 6, 7, 9, 0))
    regulator = _clock(facts, ny(2024, 6, 30, 0, 0), ClockKind.REGULATOR)
    assert (regulator.state, regulator.due_at, regulator.open) == (ClockState.WAITING, None, False)


# --- customers: internal target and Reg S-P's 30 days -----------------------------------------


def test_reg_sp_30_days_from_a_friday_end_on_a_sunday_and_stay_there() -> None:
    # Aware Friday 31 May 2024 10:00 EDT: 30 calendar days later is Sunday 30 June 10:00 EDT; the
    # ceiling is not moved to Monday 1 July.
    facts = IncidentFacts(discovered_at=ny(2024, 5, 31, 10, 0), sensitive_information=True, reg_sp_applies=True)
    reg_sp = _clock(facts, ny(2024, 6, 1, 0, 0), ClockKind.REG_SP)
    assert reg_sp.due_at == ny(2024, 6, 30, 10, 0) and reg_sp.due_at.weekday() == 6
    assert reg_sp.state == ClockState.RUNNING and reg_sp.source.startswith("17 CFR 248.30")
    assert _clock(facts, ny(2024, 6, 30, 10, 1), ClockKind.REG_SP).state == ClockState.OVERDUE


def test_reg_sp_30_days_across_the_fall_back_keep_the_local_time() -> None:
    # Aware Tuesday 15 October 2024 10:00 EDT: due Thursday 14 November 10:00 EST, 721 elapsed
    # hours later (clocks went back an hour on 3 November): calendar days, not 720 hours.
    facts = IncidentFacts(discovered_at=ny(2024, 10, 15, 10, 0), sensitive_information=True, reg_sp_applies=True)
    due = _clock(facts, ny(2024, 10, 16, 0, 0), ClockKind.REG_SP).due_at
    assert due is not None and (due.date(), due.hour, due.utcoffset()) == (
        dt.date(2024, 11, 14),
        10,
        dt.timedelta(hours=-5),
    )
    assert due.astimezone(dt.UTC) - ny(2024, 10, 15, 10, 0).astimezone(dt.UTC) == dt.timedelta(hours=721)


def test_customer_target_counts_hours_from_discovery_over_the_weekend() -> None:
    facts = IncidentFacts(discovered_at=ny(2024, 6, 7, 17, 0), sensitive_information=True, customer_target_hours=72)
    target = _clock(facts, ny(2024, 6, 8, 0, 0), ClockKind.CUSTOMER_TARGET)
    assert target.due_at == ny(2024, 6, 10, 17, 0)  # Friday 17:00 + 72 h = Monday 17:00
    assert _clock(facts, ny(2024, 6, 8, 0, 0), ClockKind.REG_SP).state == ClockState.NOT_APPLICABLE


def test_customer_notices_stop_both_customer_clocks() -> None:
    facts = IncidentFacts(
        discovered_at=ny(2024, 5, 31, 10, 0),
        sensitive_information=True,
        reg_sp_applies=True,
        customer_target_hours=72,
        customers_notified_at=ny(2024, 6, 5, 12, 0),
    )
    now = ny(2024, 7, 15, 0, 0)
    assert _clock(facts, now, ClockKind.CUSTOMER_TARGET).state == ClockState.MET_LATE  # after 3 June 10:00
    assert _clock(facts, now, ClockKind.REG_SP).state == ClockState.MET  # before 30 June 10:00


@pytest.mark.parametrize(
    ("sensitive", "exempt", "reg_sp"),
    [(False, False, True), (True, True, True)],
    ids=["no sensitive information", "no likelihood of substantial harm"],
)
def test_no_customer_clock_without_sensitive_information_or_with_an_exemption(
    sensitive: bool, exempt: bool, reg_sp: bool
) -> None:
    facts = IncidentFacts(
        discovered_at=ny(2024, 6, 7, 9, 0),
        sensitive_information=sensitive,
        customer_notice_exempt=exempt,
        reg_sp_applies=reg_sp,
    )
    states = {c.kind: c.state for c in rules.clocks(facts, now=ny(2024, 8, 1, 0, 0), zone=NY)}
    assert states[ClockKind.CUSTOMER_TARGET] == states[ClockKind.REG_SP] == ClockState.NOT_APPLICABLE


# --- reminders ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ((2024, 6, 8, 16, 59), None),
        ((2024, 6, 8, 17, 0), ("due-12h", (2024, 6, 8, 17, 0))),
        ((2024, 6, 9, 0, 59), ("due-12h", (2024, 6, 8, 17, 0))),
        ((2024, 6, 9, 1, 0), ("due-4h", (2024, 6, 9, 1, 0))),
        ((2024, 6, 9, 5, 0), ("due", (2024, 6, 9, 5, 0))),
        ((2024, 6, 12, 0, 0), ("due", (2024, 6, 9, 5, 0))),  # overdue: still the deadline's slot
    ],
)
def test_regulator_reminder_slots(now: tuple[int, ...], expected: tuple[str, tuple[int, ...]] | None) -> None:
    facts = IncidentFacts(discovered_at=ny(2024, 6, 7, 9, 0), determined_at=ny(2024, 6, 7, 17, 0))
    regulator = _clock(facts, ny(*now), ClockKind.REGULATOR)
    slot = rules.reminder_slot(regulator, now=ny(*now))
    assert slot == (None if expected is None else (expected[0], ny(*expected[1])))


def test_no_reminder_once_met_and_reg_sp_slots_in_days() -> None:
    met = IncidentFacts(
        discovered_at=ny(2024, 6, 7, 9, 0),
        determined_at=ny(2024, 6, 7, 17, 0),
        regulator_notified_at=ny(2024, 6, 8, 9, 0),
    )
    assert rules.reminder_slot(_clock(met, ny(2024, 6, 9, 5, 0), ClockKind.REGULATOR), now=ny(2024, 6, 9, 5, 0)) is None
    facts = IncidentFacts(discovered_at=ny(2024, 5, 31, 10, 0), sensitive_information=True, reg_sp_applies=True)
    at = ny(2024, 6, 23, 10, 0)  # 7 days before Sunday 30 June 10:00
    assert rules.reminder_slot(_clock(facts, at, ClockKind.REG_SP), now=at) == ("due-7d", at)
    later = ny(2024, 6, 28, 10, 0)
    assert rules.reminder_slot(_clock(facts, later, ClockKind.REG_SP), now=later) == ("due-2d", later)


def test_a_24_hour_target_gets_no_reminder_at_its_start() -> None:
    facts = IncidentFacts(discovered_at=ny(2024, 6, 7, 9, 0), sensitive_information=True, customer_target_hours=24)
    start = ny(2024, 6, 7, 9, 0)
    assert rules.reminder_slot(_clock(facts, start, ClockKind.CUSTOMER_TARGET), now=start) is None
    at = ny(2024, 6, 8, 5, 0)
    assert rules.reminder_slot(_clock(facts, at, ClockKind.CUSTOMER_TARGET), now=at) == ("due-4h", at)


@pytest.mark.parametrize(
    ("lead", "name"), [(dt.timedelta(0), "due"), (dt.timedelta(hours=12), "due-12h"), (dt.timedelta(days=7), "due-7d")]
)
def test_slot_names(lead: dt.timedelta, name: str) -> None:
    assert rules.slot_name(lead) == name


# --- validation ----------------------------------------------------------------------------------


def test_problems_name_the_fields() -> None:
    facts = IncidentFacts(
        discovered_at=ny(2024, 6, 7, 9, 0),
        determined_at=ny(2024, 6, 6, 9, 0),
        customer_target_hours=721,
        regulator_notified_at=ny(2024, 6, 1, 0, 0),
    )
    assert [f for f, _ in rules.problems(facts)] == ["determined_at", "regulator_notified_at", "customer_target_hours"]
    naive = IncidentFacts(discovered_at=dt.datetime(2024, 6, 7, 9, 0))
    assert rules.problems(naive) == [("discovered_at", "must be timezone-aware")]
    with pytest.raises(ValueError, match="determined_at: cannot be before"):
        rules.clocks(facts, now=ny(2024, 6, 8), zone=NY)


def test_sensitive_categories() -> None:
    assert rules.involves_sensitive_information(["name", "tax_id"])
    assert not rules.involves_sensitive_information(["name", "email", "transactions"])


def test_engine_imports_without_django() -> None:
    code = "import sys, bankcrm.privacy.incident_rules; assert not [m for m in sys.modules if m.startswith('django')]"
    src = Path(__file__).resolve().parents[2] / "src"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(src)})
    assert result.returncode == 0, result.stderr
