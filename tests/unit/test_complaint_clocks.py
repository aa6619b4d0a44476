"""Legal clocks for complaints: bankcrm.cases.engine.clocks.

Every expected date below was counted by hand on the Federal Reserve calendar (weekdays checked with
``datetime``), not computed by the code under test. Holidays used:

- 2026: Juneteenth Fri 19 Jun; Independence Day Sat 4 Jul (not moved: Fri 3 Jul is a business day);
  Thanksgiving Thu 26 Nov; Christmas Fri 25 Dec.
- 2027: New Year's Day Fri 1 Jan; Presidents' Day Mon 15 Feb; Juneteenth Sat 19 Jun (not moved);
  Independence Day Sun 4 Jul, observed Mon 5 Jul; Christmas Sat 25 Dec (not moved).
- 2020: Juneteenth was not yet a holiday; Independence Day Sat 4 Jul (not moved).

Worked examples: tests/data/clocks.csv, a byte-identical copy of ../shared/cases/clocks/clocks.csv
(computed from REGULATORY_FACTS.md with the Federal Reserve calendar; business-day counting starts
on the first business day after the start date; calendar-day deadlines are not moved off weekends).
Its rows for the rules implemented here (reg_e_investigation, cfpb_response, cfpb_final) are checked.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from bankcrm.cases.engine.clocks import (
    ClockRule,
    ClockStatus,
    DayKind,
    Deadline,
    Pause,
    RegEFacts,
    RegZFacts,
    clock_state,
    is_reg_e_new_account,
    reg_z_two_cycle_end,
    regulatory_deadlines,
    sla_deadline,
)

CLOCKS_CSV = Path(__file__).resolve().parent.parent / "data" / "clocks.csv"
MY_RULES = {"reg_e_investigation", "cfpb_response", "cfpb_final"}


def d(s: str) -> date:
    return date.fromisoformat(s)


def by_key(deadlines: list[Deadline]) -> dict[str, Deadline]:
    keys = [x.key for x in deadlines]
    assert len(keys) == len(set(keys)), keys
    return {x.key: x for x in deadlines}


def _csv_rows() -> list[dict[str, str]]:
    with CLOCKS_CSV.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["rule"] in MY_RULES]


CSV_ROWS = _csv_rows()


# --- shared worked examples -------------------------------------------------------------------------


def test_csv_rows_for_these_rules_are_present() -> None:
    assert len(CSV_ROWS) == 4
    assert {r["rule"] for r in CSV_ROWS} == MY_RULES


@pytest.mark.parametrize("row", CSV_ROWS, ids=[f"{r['rule']}-{r['start']}" for r in CSV_ROWS])
def test_csv_worked_example(row: dict[str, str]) -> None:
    regime = "reg_e" if row["rule"].startswith("reg_e") else "cfpb_portal"
    got = by_key(regulatory_deadlines(received=d(row["start"]), regimes={regime}))[row["rule"]]
    assert got.due == d(row["due"])
    assert got.due.strftime("%a") == row["due_weekday"]
    assert got.day_kind == row["day_kind"]
    assert got.days == int(row["days"])


# --- CFPB portal ------------------------------------------------------------------------------------


def test_cfpb_portal_deadlines_calendar_days_not_moved_off_weekend() -> None:
    got = regulatory_deadlines(received=d("2026-11-25"), regimes={"cfpb_portal"})
    assert [x.key for x in got] == ["cfpb_response", "cfpb_final"]
    response, final = got
    # 25 Nov + 15 = 10 Dec (Thanksgiving inside does not matter for calendar days).
    assert (response.due, response.days, response.day_kind) == (d("2026-12-10"), 15, DayKind.CALENDAR)
    # 25 Nov + 60: 30 Nov is +5, 31 Dec +36, 24 Jan +60, a Sunday, not moved.
    assert (final.due, final.days) == (d("2027-01-24"), 60)
    assert final.pausable is False
    assert response.warn_from == d("2026-12-05")  # 5 days before
    assert final.warn_from == d("2027-01-14")  # 10 days before
    assert response.source.startswith("CFPB")


# --- Reg E (12 CFR 1005.11(c)) ------------------------------------------------------------------------


def test_reg_e_defaults_ten_business_days_across_thanksgiving() -> None:
    got = by_key(regulatory_deadlines(received=d("2026-11-25"), regimes={"reg_e"}))
    assert set(got) == {"reg_e_investigation", "reg_e_provisional_credit"}
    inv = got["reg_e_investigation"]
    # Thu 26 Nov holiday; 27 Nov (1), 30 Nov (2), 1-4 Dec (3-6), 7-10 Dec (7-10).
    assert (inv.due, inv.days, inv.day_kind) == (d("2026-12-10"), 10, DayKind.BUSINESS)
    assert got["reg_e_provisional_credit"].due == d("2026-12-10")
    # Warning 3 business days before: 9, 8, 7 Dec.
    assert inv.warn_from == d("2026-12-07")


def test_reg_e_across_juneteenth_2026() -> None:
    inv = by_key(regulatory_deadlines(received=d("2026-06-16"), regimes={"reg_e"}))["reg_e_investigation"]
    # 17 (1), 18 (2), Fri 19 Jun holiday, 22-26 (3-7), 29 (8), 30 (9), 1 Jul (10).
    assert inv.due == d("2026-07-01")


def test_reg_e_2020_no_juneteenth_yet() -> None:
    inv = by_key(regulatory_deadlines(received=d("2020-06-17"), regimes={"reg_e"}))["reg_e_investigation"]
    # 18 (1), 19 Jun 2020 is a business day (2), 22-26 (3-7), 29 (8), 30 (9), 1 Jul (10).
    assert inv.due == d("2020-07-01")


def test_reg_e_new_account_twenty_business_days_over_christmas() -> None:
    got = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}, reg_e=RegEFacts(new_account=True)))
    # 14 Dec is day 10; 15-18 (11-14), 21-24 (15-18), Fri 25 Dec holiday, 28 (19), 29 (20).
    assert got["reg_e_investigation"].due == d("2026-12-29")
    assert got["reg_e_investigation"].days == 20
    assert got["reg_e_investigation"].source == "12 CFR 1005.11(c)(3)(i)"
    assert got["reg_e_provisional_credit"].due == d("2026-12-29")


def test_reg_e_timely_provisional_credit_extends_to_45_days() -> None:
    facts = RegEFacts(provisional_credit_on=d("2026-12-10"))
    got = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}, reg_e=facts))
    inv = got["reg_e_investigation"]
    # 30 Nov + 45 calendar days = 14 Jan 2027.
    assert (inv.due, inv.days, inv.day_kind) == (d("2027-01-14"), 45, DayKind.CALENDAR)
    assert inv.source == "12 CFR 1005.11(c)(2)"
    # Provisional credit still listed (met on 10 Dec), and the 2-business-day notice: 11 Dec, 14 Dec.
    assert got["reg_e_provisional_credit"].due == d("2026-12-14")
    notice = got["reg_e_provisional_credit_notice"]
    assert (notice.start, notice.due, notice.days) == (d("2026-12-10"), d("2026-12-14"), 2)


def test_reg_e_credit_on_last_day_of_window_still_extends() -> None:
    facts = RegEFacts(provisional_credit_on=d("2026-12-14"))
    inv = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}, reg_e=facts))["reg_e_investigation"]
    assert inv.due == d("2027-01-14")


def test_reg_e_late_provisional_credit_does_not_extend() -> None:
    facts = RegEFacts(provisional_credit_on=d("2026-12-15"))
    got = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}, reg_e=facts))
    assert got["reg_e_investigation"].due == d("2026-12-14")
    assert got["reg_e_investigation"].day_kind == DayKind.BUSINESS
    # The consumer is still told of the credit: 16 Dec (1), 17 Dec (2).
    assert got["reg_e_provisional_credit_notice"].due == d("2026-12-17")


@pytest.mark.parametrize(
    "facts",
    [
        RegEFacts(point_of_sale=True, provisional_credit_on=d("2026-12-01")),
        RegEFacts(foreign_initiated=True, provisional_credit_on=d("2026-12-01")),
    ],
    ids=["point_of_sale", "foreign_initiated"],
)
def test_reg_e_ninety_days_for_pos_and_foreign(facts: RegEFacts) -> None:
    inv = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}, reg_e=facts))["reg_e_investigation"]
    # 30 Nov + 90: 31 Dec is +31, 31 Jan +62, 28 Feb 2027 +90 (a Sunday, not moved).
    assert (inv.due, inv.days) == (d("2027-02-28"), 90)
    assert inv.source == "12 CFR 1005.11(c)(3)(ii)"


def test_reg_e_new_account_with_credit_gets_ninety_days() -> None:
    facts = RegEFacts(new_account=True, provisional_credit_on=d("2026-12-22"))  # inside the 20-bd window
    inv = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}, reg_e=facts))["reg_e_investigation"]
    assert inv.due == d("2027-02-28")


def test_pos_without_credit_keeps_ten_business_days() -> None:
    facts = RegEFacts(point_of_sale=True)
    inv = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}, reg_e=facts))["reg_e_investigation"]
    assert inv.due == d("2026-12-14")


def test_reg_e_notice_saturday_holiday_not_moved() -> None:
    # Juneteenth 2027 is a Saturday and is not moved: Fri 18 Jun counts.
    facts = RegEFacts(provisional_credit_on=d("2027-06-17"))
    got = by_key(regulatory_deadlines(received=d("2027-06-10"), regimes={"reg_e"}, reg_e=facts))
    assert got["reg_e_provisional_credit_notice"].due == d("2027-06-21")  # 18 Jun (1), 21 Jun (2)


def test_reg_e_results_sunday_holiday_observed_monday() -> None:
    # Independence Day 2027 is a Sunday, observed Mon 5 Jul.
    facts = RegEFacts(investigation_completed_on=d("2027-07-02"), error_found=False)
    got = by_key(regulatory_deadlines(received=d("2027-06-21"), regimes={"reg_e"}, reg_e=facts))
    assert got["reg_e_results"].due == d("2027-07-08")  # 6 (1), 7 (2), 8 (3)
    assert "reg_e_correction" not in got


def test_reg_e_results_2020_saturday_independence_day() -> None:
    facts = RegEFacts(investigation_completed_on=d("2020-07-02"))
    got = by_key(regulatory_deadlines(received=d("2020-06-24"), regimes={"reg_e"}, reg_e=facts))
    assert got["reg_e_results"].due == d("2020-07-07")  # Fri 3 Jul (1), 6 (2), 7 (3)


def test_reg_e_correction_over_new_year() -> None:
    facts = RegEFacts(investigation_completed_on=d("2026-12-31"), error_found=True)
    got = by_key(regulatory_deadlines(received=d("2026-12-18"), regimes={"reg_e"}, reg_e=facts))
    # Fri 1 Jan 2027 holiday, weekend: Mon 4 Jan.
    assert got["reg_e_correction"].due == d("2027-01-04")
    # Results: 4 (1), 5 (2), 6 (3).
    assert got["reg_e_results"].due == d("2027-01-06")
    assert [x.key for x in regulatory_deadlines(received=d("2026-12-18"), regimes={"reg_e"}, reg_e=facts)] == [
        "reg_e_investigation",
        "reg_e_provisional_credit",
        "reg_e_results",
        "reg_e_correction",
    ]


def test_reg_e_correction_saturday_christmas_2027() -> None:
    facts = RegEFacts(investigation_completed_on=d("2027-12-23"), error_found=True)
    got = by_key(regulatory_deadlines(received=d("2027-12-13"), regimes={"reg_e"}, reg_e=facts))
    assert got["reg_e_correction"].due == d("2027-12-24")  # Christmas on Saturday: Friday stays open


def test_reg_e_results_across_thanksgiving() -> None:
    facts = RegEFacts(investigation_completed_on=d("2026-11-25"))
    got = by_key(regulatory_deadlines(received=d("2026-11-16"), regimes={"reg_e"}, reg_e=facts))
    assert got["reg_e_results"].due == d("2026-12-01")  # 27 Nov (1), 30 Nov (2), 1 Dec (3)


def test_reg_e_new_account_window() -> None:
    assert is_reg_e_new_account(d("2026-01-01"), d("2026-01-31")) is True  # day 30
    assert is_reg_e_new_account(d("2026-01-01"), d("2026-02-01")) is False  # day 31
    assert is_reg_e_new_account(d("2026-01-01"), d("2025-12-31")) is False


def test_reg_e_dates_before_receipt_rejected() -> None:
    with pytest.raises(ValueError, match=r"reg_e\.provisional_credit_on"):
        regulatory_deadlines(
            received=d("2026-11-30"), regimes={"reg_e"}, reg_e=RegEFacts(provisional_credit_on=d("2026-11-29"))
        )
    with pytest.raises(ValueError, match=r"reg_e\.investigation_completed_on"):
        regulatory_deadlines(
            received=d("2026-11-30"), regimes={"reg_e"}, reg_e=RegEFacts(investigation_completed_on=d("2026-11-01"))
        )


# --- Reg Z (12 CFR 1026.13(c)) -----------------------------------------------------------------------


def test_reg_z_acknowledgement_and_two_cycles() -> None:
    got = regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_z"}, reg_z=RegZFacts(cycle_closing_day=15))
    assert [x.key for x in got] == ["reg_z_acknowledgement", "reg_z_resolution"]
    ack, res = got
    assert (ack.due, ack.days, ack.day_kind) == (d("2026-12-30"), 30, DayKind.CALENDAR)
    # Cycles close on the 15th: 15 Dec closes the cycle of receipt; complete cycles end 15 Jan and
    # 15 Feb 2027 (Presidents' Day, not moved: a calendar deadline). 77 days < 90.
    assert (res.due, res.days) == (d("2027-02-15"), 77)
    assert res.source == "12 CFR 1026.13(c)(2)"
    assert res.warn_from == d("2027-01-31")


def test_reg_z_ninety_day_cap() -> None:
    res = by_key(regulatory_deadlines(received=d("2026-03-16"), regimes={"reg_z"}, reg_z=RegZFacts(15)))
    # Two cycles would end 15 Jun (C0 = 15 Apr); 16 Mar + 90 = 14 Jun (a Sunday) comes first.
    assert res["reg_z_resolution"].due == d("2026-06-14")
    assert res["reg_z_resolution"].days == 90


@pytest.mark.parametrize(
    ("received", "closing_day", "expected"),
    [
        ("2026-03-10", 15, "2026-05-15"),  # C0 15 Mar
        ("2026-03-15", 15, "2026-05-15"),  # received on the closing day: that cycle does not count
        ("2026-03-16", 15, "2026-06-15"),  # received the day after closing
        ("2027-01-31", 31, "2027-03-31"),  # C1 clamped to 28 Feb
        ("2027-02-01", 31, "2027-04-30"),  # C0 28 Feb, C1 31 Mar, C2 30 Apr
        ("2028-01-31", 30, "2028-04-30"),  # leap year: C0 29 Feb 2028
        ("2026-12-20", 5, "2027-03-05"),  # year wrap: C0 5 Jan 2027
    ],
)
def test_reg_z_two_cycle_end(received: str, closing_day: int, expected: str) -> None:
    assert reg_z_two_cycle_end(d(received), closing_day) == d(expected)


def test_reg_z_month_end_clamp_within_cap() -> None:
    res = by_key(regulatory_deadlines(received=d("2027-02-01"), regimes={"reg_z"}, reg_z=RegZFacts(31)))
    assert (res["reg_z_resolution"].due, res["reg_z_resolution"].days) == (d("2027-04-30"), 88)
    leap = by_key(regulatory_deadlines(received=d("2028-01-31"), regimes={"reg_z"}, reg_z=RegZFacts(30)))
    assert (leap["reg_z_resolution"].due, leap["reg_z_resolution"].days) == (d("2028-04-30"), 90)


def test_reg_z_unknown_cycle_is_the_earliest_possible() -> None:
    res = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_z"}))["reg_z_resolution"]
    # Closing on the 30th: 30 Nov (receipt day), 30 Dec, 30 Jan; no closing day gives an earlier end.
    assert res.due == d("2027-01-30")
    assert "unknown" in res.label


@pytest.mark.parametrize("bad", [0, 32, -1, True, "15"])
def test_reg_z_closing_day_validated(bad: object) -> None:
    with pytest.raises(ValueError, match="cycle_closing_day"):
        RegZFacts(cycle_closing_day=bad)  # type: ignore[arg-type]


# --- all regimes, validation --------------------------------------------------------------------------


def test_all_regimes_order() -> None:
    got = regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_z", "cfpb_portal", "reg_e"}, reg_z=RegZFacts(15))
    assert [x.key for x in got] == [
        "cfpb_response",
        "cfpb_final",
        "reg_e_investigation",
        "reg_e_provisional_credit",
        "reg_z_acknowledgement",
        "reg_z_resolution",
    ]
    assert regulatory_deadlines(received=d("2026-11-30"), regimes=set()) == []


def test_unknown_regime_and_bad_dates() -> None:
    with pytest.raises(ValueError, match="regimes"):
        regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_x"})
    with pytest.raises(ValueError, match="regimes"):
        regulatory_deadlines(received=d("2026-11-30"), regimes="reg_e")
    with pytest.raises(TypeError, match="received"):
        regulatory_deadlines(received=datetime(2026, 11, 30, 9, 0), regimes={"reg_e"})
    with pytest.raises(ValueError, match="2041"):
        regulatory_deadlines(received=d("2041-01-02"), regimes={"reg_e"})


# --- internal SLAs ---------------------------------------------------------------------------------

ACK_SLA = ClockRule(
    key="sla_acknowledgement",
    label="Acknowledge the complaint",
    days=2,
    day_kind=DayKind.BUSINESS,
    source="Complaints policy CP-4",
    pausable=True,
    warn_days=1,
)
RESOLVE_SLA = ClockRule(
    key="sla_resolution",
    label="Resolve",
    days=10,
    day_kind=DayKind.CALENDAR,
    source="Complaints policy CP-5",
    pausable=True,
    warn_days=2,
)


def test_sla_business_days_over_christmas() -> None:
    got = sla_deadline(ACK_SLA, d("2026-12-24"))
    # Thu 24 Dec: Fri 25 holiday, Mon 28 (1), Tue 29 (2); warning from the business day before.
    assert (got.due, got.warn_from, got.days, got.pausable) == (d("2026-12-29"), d("2026-12-28"), 2, True)
    assert got.key == "sla_acknowledgement"
    assert got.source == "Complaints policy CP-4"


def test_sla_calendar_days_month_end() -> None:
    rule = ClockRule("sla_x", "X", 5, "calendar", "policy")  # type: ignore[arg-type]
    assert rule.day_kind is DayKind.CALENDAR
    assert sla_deadline(rule, d("2026-02-26")).due == d("2026-03-03")
    assert sla_deadline(rule, d("2028-02-26")).due == d("2028-03-02")  # leap year
    assert sla_deadline(rule, d("2026-12-29")).due == d("2027-01-03")


def test_warning_never_before_start() -> None:
    rule = ClockRule("sla_quick", "Quick", 1, DayKind.BUSINESS, "policy", warn_days=5)
    got = sla_deadline(rule, d("2026-11-25"))
    assert (got.due, got.warn_from) == (d("2026-11-27"), d("2026-11-25"))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"day_kind": "weekly"}, "day_kind"),
        ({"days": -1}, "days"),
        ({"days": 1.5}, "days"),
        ({"warn_days": -2}, "warn_days"),
        ({"key": " "}, "key"),
    ],
)
def test_clock_rule_validation(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {"key": "k", "label": "L", "days": 3, "day_kind": "business", "source": "policy"}
    base.update(kwargs)
    with pytest.raises(ValueError, match=field):
        ClockRule(**base)  # type: ignore[arg-type]


# --- clock states ------------------------------------------------------------------------------------


def _reg_e_inv() -> Deadline:
    # Received Mon 30 Nov 2026: due Mon 14 Dec, warning from Wed 9 Dec.
    got = by_key(regulatory_deadlines(received=d("2026-11-30"), regimes={"reg_e"}))["reg_e_investigation"]
    assert (got.due, got.warn_from) == (d("2026-12-14"), d("2026-12-09"))
    return got


@pytest.mark.parametrize(
    ("today", "status", "days_left"),
    [
        ("2026-11-30", ClockStatus.RUNNING, 10),
        ("2026-12-08", ClockStatus.RUNNING, 4),  # 9, 10, 11, 14 Dec left
        ("2026-12-09", ClockStatus.WARNING, 3),
        ("2026-12-12", ClockStatus.WARNING, 1),  # Saturday: only Mon 14 left
        ("2026-12-14", ClockStatus.WARNING, 0),
        ("2026-12-15", ClockStatus.BREACHED, -1),
        ("2026-12-26", ClockStatus.BREACHED, -8),  # 15-18, 21-24 Dec; 25 Dec is a holiday
    ],
)
def test_state_business_clock(today: str, status: ClockStatus, days_left: int) -> None:
    state = clock_state(_reg_e_inv(), today=d(today))
    assert (state.status, state.days_left, state.due, state.paused_days) == (status, days_left, d("2026-12-14"), 0)


@pytest.mark.parametrize(
    ("stopped_on", "status", "days_left"),
    [
        ("2026-12-11", ClockStatus.MET, 1),
        ("2026-12-14", ClockStatus.MET, 0),
        ("2026-12-16", ClockStatus.MISSED, -2),
    ],
)
def test_state_stopped(stopped_on: str, status: ClockStatus, days_left: int) -> None:
    state = clock_state(_reg_e_inv(), today=d("2027-03-01"), stopped_on=d(stopped_on))
    assert (state.status, state.days_left) == (status, days_left)


def test_state_calendar_clock_due_on_saturday() -> None:
    final = by_key(regulatory_deadlines(received=d("2026-12-01"), regimes={"cfpb_portal"}))["cfpb_final"]
    assert final.due == d("2027-01-30")
    assert clock_state(final, today=d("2027-01-19")).status is ClockStatus.RUNNING
    assert clock_state(final, today=d("2027-01-20")).status is ClockStatus.WARNING  # 10 days before
    on_due = clock_state(final, today=d("2027-01-30"))
    assert (on_due.status, on_due.days_left) == (ClockStatus.WARNING, 0)
    late = clock_state(final, today=d("2027-01-31"))
    assert (late.status, late.days_left) == (ClockStatus.BREACHED, -1)
    missed = clock_state(final, today=d("2027-02-05"), stopped_on=d("2027-02-01"))
    assert (missed.status, missed.days_left) == (ClockStatus.MISSED, -2)


def test_regulatory_clock_refuses_pauses() -> None:
    with pytest.raises(ValueError, match=r"pauses: .* not pausable"):
        clock_state(
            _reg_e_inv(), today=d("2026-12-10"), pauses=[Pause(d("2026-12-02"), d("2026-12-04"), "awaiting_customer")]
        )


def test_calendar_pause_extends_due_and_warning() -> None:
    sla = sla_deadline(RESOLVE_SLA, d("2026-03-02"))
    assert (sla.due, sla.warn_from) == (d("2026-03-12"), d("2026-03-10"))
    pauses = [Pause(d("2026-03-04"), d("2026-03-07"), "awaiting_customer")]  # 5, 6, 7 Mar paused
    state = clock_state(sla, today=d("2026-03-14"), pauses=pauses)
    assert (state.due, state.warn_from, state.paused_days) == (d("2026-03-15"), d("2026-03-13"), 3)
    assert (state.status, state.days_left) == (ClockStatus.WARNING, 1)
    assert clock_state(sla, today=d("2026-03-12"), pauses=pauses).status is ClockStatus.RUNNING
    assert clock_state(sla, today=d("2026-03-16"), pauses=pauses).status is ClockStatus.BREACHED


def test_open_pause_is_paused_and_keeps_extending() -> None:
    sla = sla_deadline(RESOLVE_SLA, d("2026-03-02"))
    pauses = [Pause(d("2026-03-10"), None, "awaiting_customer")]
    state = clock_state(sla, today=d("2026-03-13"), pauses=pauses)
    assert (state.status, state.paused_days, state.due, state.days_left) == (
        ClockStatus.PAUSED,
        3,
        d("2026-03-15"),
        2,
    )
    later = clock_state(sla, today=d("2026-03-30"), pauses=pauses)
    assert (later.status, later.due, later.days_left) == (ClockStatus.PAUSED, d("2026-04-01"), 2)


def test_stopped_during_open_pause() -> None:
    sla = sla_deadline(RESOLVE_SLA, d("2026-03-02"))
    state = clock_state(
        sla, today=d("2026-03-20"), stopped_on=d("2026-03-11"), pauses=[Pause(d("2026-03-10"), None, "awaiting")]
    )
    assert (state.status, state.paused_days, state.due, state.days_left) == (ClockStatus.MET, 1, d("2026-03-13"), 2)


def test_pause_after_breach_does_not_rescue() -> None:
    sla = sla_deadline(RESOLVE_SLA, d("2026-03-02"))  # due 12 Mar
    state = clock_state(sla, today=d("2026-03-21"), pauses=[Pause(d("2026-03-13"), d("2026-03-20"), "awaiting")])
    assert (state.status, state.due, state.paused_days, state.days_left) == (
        ClockStatus.BREACHED,
        d("2026-03-12"),
        0,
        -9,
    )


def test_business_pause_over_thanksgiving() -> None:
    rule = ClockRule("sla_resolution_bd", "Resolve", 5, DayKind.BUSINESS, "policy", pausable=True, warn_days=1)
    sla = sla_deadline(rule, d("2026-11-23"))
    # Mon 23 Nov: 24 (1), 25 (2), Thanksgiving, 27 (3), 30 (4), 1 Dec (5).
    assert sla.due == d("2026-12-01")
    pauses = [
        Pause(d("2026-11-25"), d("2026-11-30"), "awaiting_customer"),  # 27, 30 Nov: 2 business days
        Pause(d("2026-12-02"), d("2026-12-02"), "same day"),  # costs nothing
    ]
    state = clock_state(sla, today=d("2026-12-02"), pauses=pauses)
    # 1 Dec + 2 business days = 3 Dec; warning from 2 Dec.
    assert (state.due, state.paused_days, state.warn_from) == (d("2026-12-03"), 2, d("2026-12-02"))
    assert (state.status, state.days_left) == (ClockStatus.WARNING, 1)


def test_pause_validation() -> None:
    sla = sla_deadline(RESOLVE_SLA, d("2026-03-02"))
    with pytest.raises(ValueError, match=r"pauses\[1\]: overlaps"):
        clock_state(
            sla,
            today=d("2026-03-20"),
            pauses=[Pause(d("2026-03-03"), d("2026-03-06"), "a"), Pause(d("2026-03-05"), d("2026-03-08"), "b")],
        )
    with pytest.raises(ValueError, match=r"pauses\[0\].end: only the latest"):
        clock_state(
            sla,
            today=d("2026-03-20"),
            pauses=[Pause(d("2026-03-03"), None, "a"), Pause(d("2026-03-05"), d("2026-03-08"), "b")],
        )
    with pytest.raises(ValueError, match=r"pauses\[0\].start.*before the clock's start"):
        clock_state(sla, today=d("2026-03-20"), pauses=[Pause(d("2026-03-01"), d("2026-03-03"), "a")])
    with pytest.raises(ValueError, match=r"pauses\[0\].start.*after the as-of day"):
        clock_state(sla, today=d("2026-03-05"), pauses=[Pause(d("2026-03-06"), None, "a")])
    with pytest.raises(ValueError, match=r"pause\.end"):
        Pause(d("2026-03-06"), d("2026-03-05"), "a")
    with pytest.raises(ValueError, match=r"pause\.reason"):
        Pause(d("2026-03-06"), None, "")
    with pytest.raises(ValueError, match="stopped_on"):
        clock_state(sla, today=d("2026-03-05"), stopped_on=d("2026-03-01"))
    with pytest.raises(TypeError, match="today"):
        clock_state(sla, today=datetime(2026, 3, 5, 12, 0))
