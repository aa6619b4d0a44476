"""Tests for the Federal Reserve holiday calendar engine (bankcrm.core.calendar).

Worked deadline examples: tests/data/clocks.csv, a byte-identical copy of
../shared/cases/clocks/clocks.csv, computed from REGULATORY_FACTS.md rules (Federal Reserve holiday
calendar; business-day counting starts on the first business day after the start date; calendar-day
deadlines are not moved off weekends).

Every weekday and holiday fact asserted below was checked with ``datetime`` and against the Federal
Reserve holiday schedule (federalreserve.gov/aboutthefed/k8.htm).
"""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bankcrm.core.calendar import FED, FederalReserveCalendar, Holiday

CLOCKS_CSV = Path(__file__).resolve().parent.parent / "data" / "clocks.csv"


def _load_clock_rows() -> list[dict[str, str]]:
    with CLOCKS_CSV.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


CLOCK_ROWS = _load_clock_rows()


def d(s: str) -> date:
    return date.fromisoformat(s)


# --- worked examples ------------------------------------------------------------------------------


def test_clock_cases_loaded() -> None:
    assert len(CLOCK_ROWS) == 6
    assert {r["day_kind"] for r in CLOCK_ROWS} == {"business", "calendar"}


@pytest.mark.parametrize("row", CLOCK_ROWS, ids=[f"{r['rule']}-{r['start']}" for r in CLOCK_ROWS])
def test_clock_worked_examples(row: dict[str, str]) -> None:
    start = d(row["start"])
    assert start.strftime("%a") == row["start_weekday"]
    n = int(row["days"])
    if row["day_kind"] == "business":
        due = FED.add_business_days(start, n)
        assert FED.business_days_between(start, due) == n
    elif row["day_kind"] == "calendar":
        due = FED.add_calendar_days(start, n)
    else:  # pragma: no cover - data error
        pytest.fail(f"unknown day_kind {row['day_kind']!r}")
    assert due == d(row["due"])
    assert due.strftime("%a") == row["due_weekday"]


# --- observance rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("saturday_holiday", "friday_before"),
    [
        (date(2020, 7, 4), date(2020, 7, 3)),  # Independence Day 2020
        (date(2021, 12, 25), date(2021, 12, 24)),  # Christmas 2021
        (date(2022, 1, 1), date(2021, 12, 31)),  # New Year's Day 2022
        (date(2021, 6, 19), date(2021, 6, 18)),  # Juneteenth 2021
        (date(2026, 7, 4), date(2026, 7, 3)),  # Independence Day 2026
    ],
)
def test_saturday_holiday_not_moved(saturday_holiday: date, friday_before: date) -> None:
    assert saturday_holiday.weekday() == 5
    assert friday_before.weekday() == 4
    assert FED.is_business_day(friday_before)
    assert not FED.is_holiday(friday_before)
    assert FED.is_holiday(saturday_holiday)
    assert not FED.is_business_day(saturday_holiday)
    # The following Monday is not a holiday either.
    assert FED.is_business_day(saturday_holiday + timedelta(days=2))


@pytest.mark.parametrize(
    ("sunday_holiday", "observed_monday", "name"),
    [
        (date(2021, 7, 4), date(2021, 7, 5), "Independence Day"),
        (date(2022, 12, 25), date(2022, 12, 26), "Christmas Day"),
        (date(2023, 1, 1), date(2023, 1, 2), "New Year's Day"),
        (date(2022, 6, 19), date(2022, 6, 20), "Juneteenth National Independence Day"),
    ],
)
def test_sunday_holiday_observed_monday(sunday_holiday: date, observed_monday: date, name: str) -> None:
    assert sunday_holiday.weekday() == 6
    assert observed_monday.weekday() == 0
    assert FED.is_holiday(observed_monday)
    assert not FED.is_business_day(observed_monday)
    assert not FED.is_holiday(sunday_holiday)  # observed dates only
    assert FED.is_business_day(sunday_holiday - timedelta(days=2))  # the Friday before stays open
    matches = [h for h in FED.holidays(observed_monday.year) if h.date == observed_monday]
    assert matches == [Holiday(date=observed_monday, name=name, actual_date=sunday_holiday)]


def test_juneteenth_only_from_2021() -> None:
    assert date(2020, 6, 19).weekday() == 4
    assert FED.is_business_day(date(2020, 6, 19))
    assert not any("Juneteenth" in h.name for h in FED.holidays(2020))
    assert any("Juneteenth" in h.name for h in FED.holidays(2021))
    assert FED.is_holiday(date(2026, 6, 19))  # Friday in 2026


# --- full lists and counts --------------------------------------------------------------------------


def test_holidays_2026_full_list() -> None:
    expected = [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 19), "Martin Luther King Jr. Day"),
        (date(2026, 2, 16), "Washington's Birthday"),
        (date(2026, 5, 25), "Memorial Day"),
        (date(2026, 6, 19), "Juneteenth National Independence Day"),
        (date(2026, 7, 4), "Independence Day"),
        (date(2026, 9, 7), "Labor Day"),
        (date(2026, 10, 12), "Columbus Day"),
        (date(2026, 11, 11), "Veterans Day"),
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 12, 25), "Christmas Day"),
    ]
    got = FED.holidays(2026)
    assert [(h.date, h.name) for h in got] == expected
    assert all(h.actual_date == h.date for h in got)  # no Sunday holidays in 2026


@pytest.mark.parametrize("year", range(1990, 2041))
def test_holiday_count_and_sorting(year: int) -> None:
    hols = FED.holidays(year)
    assert len(hols) == (11 if year >= 2021 else 10)
    dates = [h.date for h in hols]
    assert dates == sorted(dates)
    assert len(set(dates)) == len(dates)
    for h in hols:
        assert h.date.year == year
        assert h.date.weekday() != 6  # never observed on a Sunday
        if h.actual_date.weekday() == 6:
            assert h.date == h.actual_date + timedelta(days=1)
        else:
            assert h.date == h.actual_date


def test_specific_floating_holidays() -> None:
    by_name_2026 = {h.name: h.date for h in FED.holidays(2026)}
    assert by_name_2026["Thanksgiving Day"] == date(2026, 11, 26)
    assert by_name_2026["Labor Day"] == date(2026, 9, 7)
    by_name_2027 = {h.name: h.date for h in FED.holidays(2027)}
    assert by_name_2027["Martin Luther King Jr. Day"] == date(2027, 1, 18)
    # Memorial Day when May has five Mondays (2028: May 1 is a Monday -> last Monday May 29).
    assert {h.name: h.date for h in FED.holidays(2028)}["Memorial Day"] == date(2028, 5, 29)
    # MLK Day present in the earliest year too (3rd Monday of January 1990 = Jan 15).
    assert {h.name: h.date for h in FED.holidays(1990)}["Martin Luther King Jr. Day"] == date(1990, 1, 15)


def test_holidays_returns_a_copy() -> None:
    cal = FederalReserveCalendar()
    first = cal.holidays(2026)
    first.clear()
    assert len(cal.holidays(2026)) == 11


def test_holiday_is_frozen() -> None:
    h = FED.holidays(2026)[0]
    with pytest.raises(AttributeError):
        h.name = "x"  # type: ignore[misc]


# --- business-day arithmetic ----------------------------------------------------------------------


def test_year_end_rollover() -> None:
    assert date(2027, 1, 1).weekday() == 4  # Friday holiday
    assert FED.add_business_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert FED.next_business_day(date(2026, 12, 31)) == date(2027, 1, 4)
    assert FED.previous_business_day(date(2027, 1, 4)) == date(2026, 12, 31)
    assert FED.business_days_between(date(2026, 12, 31), date(2027, 1, 4)) == 1


def test_month_end() -> None:
    # 2026-05-29 Friday -> Monday 2026-06-01
    assert FED.add_business_days(date(2026, 5, 29), 1) == date(2026, 6, 1)
    # Thursday before Memorial Day 2026 (May 25) -> Fri 22, Tue 26
    assert FED.add_business_days(date(2026, 5, 21), 2) == date(2026, 5, 26)


def test_next_and_previous_strict() -> None:
    monday = date(2026, 3, 2)
    assert FED.next_business_day(monday) == date(2026, 3, 3)
    assert FED.previous_business_day(monday) == date(2026, 2, 27)
    # Thanksgiving Thursday 2026 -> Friday; Friday before Christmas Friday 2026 holiday
    assert FED.next_business_day(date(2026, 11, 25)) == date(2026, 11, 27)
    assert FED.previous_business_day(date(2026, 12, 28)) == date(2026, 12, 24)


def test_roll_forward() -> None:
    assert FED.roll_forward(date(2026, 3, 2)) == date(2026, 3, 2)  # Monday business day
    assert FED.roll_forward(date(2026, 3, 7)) == date(2026, 3, 9)  # Saturday -> Monday
    assert FED.roll_forward(date(2026, 9, 5)) == date(2026, 9, 8)  # Sat before Labor Day -> Tue
    assert FED.roll_forward(date(2026, 12, 25)) == date(2026, 12, 28)  # Christmas Friday -> Monday


def test_add_business_days_zero_and_negative() -> None:
    saturday = date(2026, 3, 7)
    assert FED.add_business_days(saturday, 0) == saturday  # unchanged, not rolled forward
    assert FED.add_business_days(saturday, 1) == date(2026, 3, 9)
    assert FED.add_business_days(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday -> Monday
    with pytest.raises(ValueError, match="-1"):
        FED.add_business_days(saturday, -1)


def test_business_days_between_edges() -> None:
    a = date(2026, 3, 2)
    assert FED.business_days_between(a, a) == 0
    assert FED.business_days_between(a, a - timedelta(days=10)) == 0
    assert FED.business_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0  # Fri -> Sun
    assert FED.business_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 365 - 104 - 1 - 9
    # 2026: 365 days, 104 weekend days, 11 holidays of which July 4 is a Saturday;
    # Jan 1 excluded by start < d, so 9 weekday holidays remain in the range.


def test_add_calendar_days() -> None:
    assert FED.add_calendar_days(date(2026, 12, 1), 60) == date(2027, 1, 30)  # Saturday, not moved
    assert FED.add_calendar_days(date(2026, 12, 1), 0) == date(2026, 12, 1)
    assert FED.add_calendar_days(date(2026, 12, 1), -1) == date(2026, 11, 30)


# --- range errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("year", "saturday"), [(1989, date(1989, 7, 1)), (2041, date(2041, 7, 6))])
def test_out_of_range_year_raises(year: int, saturday: date) -> None:
    assert saturday.weekday() == 5
    with pytest.raises(ValueError, match=str(year)):
        FED.holidays(year)
    with pytest.raises(ValueError, match=str(year)):
        FED.is_holiday(date(year, 3, 2))
    with pytest.raises(ValueError, match=str(year)):
        FED.is_business_day(date(year, 3, 2))
    with pytest.raises(ValueError, match=str(year)):
        FED.is_business_day(saturday)  # weekends are range-checked too
    with pytest.raises(ValueError, match=str(year)):
        FED.add_business_days(date(year, 3, 2), 1)


def test_range_boundaries() -> None:
    with pytest.raises(ValueError, match="2041"):
        FED.next_business_day(date(2040, 12, 31))
    with pytest.raises(ValueError, match="1989"):
        FED.previous_business_day(date(1990, 1, 1))
    assert FED.is_holiday(date(1990, 1, 1))
    assert FED.is_holiday(date(2040, 12, 25))


# --- properties -----------------------------------------------------------------------------------


def _naive_between(start: date, end: date) -> int:
    count = 0
    cur = start + timedelta(days=1)
    while cur <= end:
        if cur.weekday() < 5 and not FED.is_holiday(cur):
            count += 1
        cur += timedelta(days=1)
    return count


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 9, 30)),
    n=st.integers(min_value=0, max_value=60),
)
def test_add_then_count_roundtrip(start: date, n: int) -> None:
    end = FED.add_business_days(start, n)
    assert FED.business_days_between(start, end) == n
    assert end >= start
    if n > 0:
        assert FED.is_business_day(end)
        assert FED.business_days_between(start, end - timedelta(days=1)) == n - 1
    else:
        assert end == start


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
    span=st.integers(min_value=-10, max_value=400),
)
def test_between_matches_naive_count(start: date, span: int) -> None:
    end = min(start + timedelta(days=span), date(2040, 12, 31))
    assert FED.business_days_between(start, end) == _naive_between(start, end)


# --- engine purity --------------------------------------------------------------------------------


def test_module_imports_without_django() -> None:
    code = (
        "import sys; import bankcrm.core.calendar as c; "
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m); "
        "print(c.FED.add_business_days(c.datetime.date(2026, 12, 18), 10))"
    )
    src = str(Path(__file__).resolve().parents[2] / "src")
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src},
    )
    assert out.stdout.strip() == "2027-01-05"
