"""Dates of birth for screening: ISO parsing, OFAC remark parsing, and comparison as dates (no Django import).

A date of birth is kept at the precision it was given: ``"1952"``, ``"1952-10"`` or ``"1952-10-07"``.
Two dates are compared at the coarser of their two precisions, so a year-only date of birth matches
every full date in that year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from bankcrm.screening.engine.types import ScreeningInputError

_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# OFAC remark forms: "14 Jul 1972", "Jul 1972", "1972", optionally "circa ..." or "A to B".
_OFAC_ONE = r"(?:(\d{1,2}) )?(?:([A-Za-z]{3}) )?(\d{4})"
_OFAC_DOB = re.compile(rf"\bDOB (circa )?{_OFAC_ONE}(?:(?: to |-){_OFAC_ONE})?")
#: Ranges longer than this many years say too little to keep as dates of birth.
MAX_RANGE_YEARS = 15


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day (``month``/``day`` ``None`` when unknown)."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        """``"1952"``, ``"1952-10"`` or ``"1952-10-07"``."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def parse_iso(value: str, *, field: str = "date_of_birth") -> PartialDate:
    """Parse ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"`` (a real calendar date).

    Raises:
        ScreeningInputError: not one of these forms, or not a real date; the message names ``field``.
    """
    match = _ISO.match(value.strip())
    if not match:
        raise ScreeningInputError(f"{field}: {value!r} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        raise ScreeningInputError(f"{field}: {value!r} is not a real date") from None
    return PartialDate(year, month, day)


def _one(day: str | None, month: str | None, year: str) -> PartialDate | None:
    mon = _MONTHS.get(month.lower()) if month else None
    if month and mon is None:
        return None
    try:
        dt.date(int(year), mon or 1, int(day) if day else 1)
    except ValueError:
        return None
    return PartialDate(int(year), mon, int(day) if day and mon else None)


def ofac_dates_of_birth(remarks: str) -> list[str]:
    """ISO dates of birth in an OFAC remarks field (``DOB ...`` and ``alt. DOB ...`` items).

    ``"DOB 14 Jul 1972; alt. DOB 1970"`` -> ``["1972-07-14", "1970"]``. A range (``"1955 to 1958"``)
    becomes its years; ``"circa 1960"`` becomes 1959, 1960 and 1961 (OFAC gives no tolerance; one
    year either side is ours). Ranges over :data:`MAX_RANGE_YEARS` years are dropped. Unparseable
    items are skipped: a date of birth only qualifies a name match, it never creates one.
    """
    out: list[str] = []
    for m in _OFAC_DOB.finditer(remarks):
        circa = bool(m.group(1))
        first = _one(m.group(2), m.group(3), m.group(4))
        if first is None:
            continue
        last = _one(m.group(5), m.group(6), m.group(7)) if m.group(7) else None
        if last is not None or circa:
            lo, hi = (first.year, last.year) if last is not None else (first.year - 1, first.year + 1)
            if 0 <= hi - lo <= MAX_RANGE_YEARS:
                out.extend(str(y) for y in range(lo, hi + 1))
            continue
        out.append(first.iso())
    return list(dict.fromkeys(out))


class DobVerdict(StrEnum):
    """How a query's date of birth relates to an entry's."""

    MATCH = "match"  # equal at the coarser precision
    NEAR = "near"  # same year but another month/day, or one year apart (typos, circa dates)
    CONFLICT = "conflict"  # two or more years from every date of birth of the entry
    MISSING = "missing"  # the query or the entry has no date of birth


def compare_dob(query: PartialDate | None, entry: tuple[PartialDate, ...]) -> tuple[DobVerdict, PartialDate | None]:
    """Compare a query's date of birth with an entry's (the best of them) as dates.

    Returns the verdict and the entry date that gave it (``None`` when missing).
    """
    if query is None or not entry:
        return DobVerdict.MISSING, None
    best: tuple[int, PartialDate] | None = None
    for date in entry:
        rank = _rank(query, date)
        if best is None or rank < best[0]:
            best = (rank, date)
    assert best is not None
    verdict = (DobVerdict.MATCH, DobVerdict.NEAR, DobVerdict.CONFLICT)[best[0]]
    return verdict, best[1]


def _rank(a: PartialDate, b: PartialDate) -> int:
    if a.year != b.year:
        return 1 if abs(a.year - b.year) == 1 else 2
    if a.month is None or b.month is None:
        return 0
    if a.month != b.month:
        return 1
    if a.day is None or b.day is None or a.day == b.day:
        return 0
    return 1
