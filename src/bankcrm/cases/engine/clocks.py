"""Legal and internal clocks for complaints and disputes (pure engine, no Django import).

A *clock* is a :class:`Deadline` (what must happen by when, under which rule) plus its
:class:`ClockState` on a given day (running, warning, breached, paused, met or missed).

Counting conventions (REGULATORY_FACTS.md; shared/cases/README.md):

- The start date is day 0. A business-day clock counts from the first business day *after* the start
  (that day is day 1), on the Federal Reserve calendar :data:`bankcrm.core.calendar.FED` (weekends
  and Fed holidays excluded; a Sunday holiday is observed on Monday, a Saturday holiday is not moved).
- A calendar-day deadline is the start plus N days and is **not** moved off weekends or holidays,
  because none of the rules implemented here says it is.
- A deadline is met when the clock stops on or before the due date; "today > due" is a breach.

Rules implemented (each with its citation on the rule constant below):

======================================  ===========================================  ==================
Key                                     Rule                                         Source
======================================  ===========================================  ==================
``cfpb_response``                       respond within 15 calendar days              CFPB company portal
``cfpb_final``                          close within 60 calendar days                CFPB company portal
``reg_e_investigation``                 10 bd (20 bd new account); 45 / 90 days       12 CFR 1005.11(c)
                                        when provisional credit was given in time
``reg_e_provisional_credit``            credit within 10 bd (20 bd new account)       1005.11(c)(2)(i)
``reg_e_provisional_credit_notice``     tell the consumer within 2 bd of crediting    1005.11(c)(2)(ii)
``reg_e_results``                       report results within 3 bd of completion      1005.11(c)(1), (c)(2)(iv)
``reg_e_correction``                    correct within 1 bd of finding an error       1005.11(c)(1), (c)(2)(iii)
``reg_z_acknowledgement``               acknowledge within 30 calendar days           12 CFR 1026.13(c)(1)
``reg_z_resolution``                    2 complete billing cycles, at most 90 days    12 CFR 1026.13(c)(2)
======================================  ===========================================  ==================

Regulatory clocks are not pausable: "waiting on the customer" does not stop them. Internal SLAs
(:func:`sla_deadline`) may be pausable; a pause extends the due date by the paused days.
"""

from __future__ import annotations

import calendar as _pycalendar
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bankcrm.core.calendar import FED, FederalReserveCalendar

__all__ = [
    "CFPB_FINAL",
    "CFPB_RESPONSE",
    "REGIMES",
    "REGULATORY_RULES",
    "REG_E_CORRECTION",
    "REG_E_INVESTIGATION",
    "REG_E_NEW_ACCOUNT_WINDOW_DAYS",
    "REG_E_PROVISIONAL_CREDIT",
    "REG_E_PROVISIONAL_CREDIT_NOTICE",
    "REG_E_RESULTS",
    "REG_Z_ACKNOWLEDGEMENT",
    "REG_Z_RESOLUTION",
    "ClockRule",
    "ClockState",
    "ClockStatus",
    "DayKind",
    "Deadline",
    "Pause",
    "RegEFacts",
    "RegZFacts",
    "Regime",
    "clock_state",
    "is_reg_e_new_account",
    "reg_z_two_cycle_end",
    "regulatory_deadlines",
    "sla_deadline",
]


class DayKind(StrEnum):
    """How a clock counts: Federal Reserve business days or plain calendar days."""

    BUSINESS = "business"
    CALENDAR = "calendar"


class ClockStatus(StrEnum):
    """State of a clock on a given day (see :func:`clock_state`)."""

    RUNNING = "running"
    WARNING = "warning"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"
    PAUSED = "paused"


class Regime(StrEnum):
    """Which regulatory clock sets apply to a complaint (values accepted by :func:`regulatory_deadlines`)."""

    CFPB_PORTAL = "cfpb_portal"
    REG_E = "reg_e"
    REG_Z = "reg_z"


REGIMES = frozenset(r.value for r in Regime)
"""The regime names :func:`regulatory_deadlines` accepts."""

# Deadline keys. They are stable identifiers (stored by the cases app, used by the workflow's
# clocks_stopped_by), so a rule variant (e.g. the extended Reg E investigation) keeps its key.
CFPB_RESPONSE = "cfpb_response"
CFPB_FINAL = "cfpb_final"
REG_E_INVESTIGATION = "reg_e_investigation"
REG_E_PROVISIONAL_CREDIT = "reg_e_provisional_credit"
REG_E_PROVISIONAL_CREDIT_NOTICE = "reg_e_provisional_credit_notice"
REG_E_RESULTS = "reg_e_results"
REG_E_CORRECTION = "reg_e_correction"
REG_Z_ACKNOWLEDGEMENT = "reg_z_acknowledgement"
REG_Z_RESOLUTION = "reg_z_resolution"

REG_E_NEW_ACCOUNT_WINDOW_DAYS = 30
"""12 CFR 1005.11(c)(3): an account is "new" for transfers within 30 days after its first deposit."""


def _check_date(field: str, value: object) -> None:
    """Raise ``TypeError`` naming ``field`` unless ``value`` is a plain ``date`` (not a ``datetime``)."""
    # datetime is a subclass of date and would compare wrongly (or raise) against dates.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{field}: expected a datetime.date, got {type(value).__name__}")


def _check_count(field: str, value: object) -> int:
    """Return ``value`` if it is a non-negative int (not a bool); else raise ``ValueError`` naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field}: expected a non-negative integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{field}: must be >= 0, got {value}")
    return value


@dataclass(frozen=True)
class ClockRule:
    """A deadline rule: ``days`` days of ``day_kind`` after the start date.

    Attributes:
        key: stable identifier of the clock (e.g. ``"reg_e_investigation"``, ``"sla_first_contact"``).
        label: human-readable name.
        days: length of the clock, >= 0, counted in ``day_kind`` (business days start on the first
            business day after the start date).
        day_kind: :class:`DayKind` (a plain ``"business"`` / ``"calendar"`` string is converted).
        source: the rule's citation (CFR section, CFPB process, or the bank's internal policy id).
        pausable: whether a :class:`Pause` may extend the clock (regulatory clocks: never).
        warn_days: how many days (of ``day_kind``) before the due date the warning starts; 0 means
            the warning starts on the due date itself.

    Raises:
        ValueError: empty ``key``/``label``, unknown ``day_kind``, negative or non-integer ``days``
            or ``warn_days`` (the message names the field).
    """

    key: str
    label: str
    days: int
    day_kind: DayKind
    source: str
    pausable: bool = False
    warn_days: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.strip():
            raise ValueError("key: must be a non-empty string")
        if not isinstance(self.label, str) or not self.label.strip():
            raise ValueError("label: must be a non-empty string")
        _check_count("days", self.days)
        _check_count("warn_days", self.warn_days)
        try:
            kind = DayKind(self.day_kind)
        except ValueError:
            raise ValueError(f"day_kind: expected 'business' or 'calendar', got {self.day_kind!r}") from None
        object.__setattr__(self, "day_kind", kind)


@dataclass(frozen=True)
class Pause:
    """A period during which a pausable clock is stopped.

    Attributes:
        start: the day the clock was paused.
        end: the day it resumed; ``None`` while the pause is still open. The paused days are those
            of the clock's kind in ``(start, end]`` (the same counting as the clock itself), so a
            pause that starts and ends on the same day costs nothing.
        reason: why (e.g. ``"awaiting_customer"``); required.

    Raises:
        TypeError: ``start``/``end`` is not a ``date``.
        ValueError: ``end`` before ``start``, or an empty ``reason``.
    """

    start: date
    end: date | None
    reason: str

    def __post_init__(self) -> None:
        _check_date("pause.start", self.start)
        if self.end is not None:
            _check_date("pause.end", self.end)
            if self.end < self.start:
                raise ValueError(f"pause.end: {self.end} is before pause.start {self.start}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("pause.reason: must be a non-empty string")


@dataclass(frozen=True)
class Deadline:
    """One computed deadline.

    Attributes:
        key, label, source, pausable: copied from the rule.
        start: the trigger date (day 0), e.g. the date the complaint or error notice was received.
        due: the last day on which the obligation is met (inclusive).
        day_kind: how ``days`` was counted.
        days: length in ``day_kind`` days from ``start`` to ``due`` (for ``reg_z_resolution`` the
            actual number of calendar days, which may be under the 90-day cap).
        warn_from: first day of the warning period (never before ``start``).
    """

    key: str
    label: str
    start: date
    due: date
    day_kind: DayKind
    days: int
    source: str
    pausable: bool
    warn_from: date


@dataclass(frozen=True)
class ClockState:
    """A deadline's state on a given day, after pauses (see :func:`clock_state`).

    Attributes:
        deadline: the deadline evaluated.
        status: :class:`ClockStatus`.
        due: the due date after extension by pauses (``deadline.due`` when not paused).
        warn_from: the warning start after the same extension.
        days_left: signed count, in the clock's day kind, from the as-of day (``stopped_on`` when
            stopped, else ``today``) to ``due``: positive = days to spare, 0 = due that day,
            negative = days late.
        paused_days: days of the clock's kind added to the due date by pauses.
    """

    deadline: Deadline
    status: ClockStatus
    due: date
    warn_from: date
    days_left: int
    paused_days: int


# --- day arithmetic in a clock's kind -------------------------------------------------------------


def _add(kind: DayKind, start: date, n: int, cal: FederalReserveCalendar) -> date:
    if kind is DayKind.BUSINESS:
        return cal.add_business_days(start, n)
    return cal.add_calendar_days(start, n)


def _count(kind: DayKind, start: date, end: date, cal: FederalReserveCalendar) -> int:
    """Days of ``kind`` in ``(start, end]``, negative when ``end < start``."""
    if kind is DayKind.BUSINESS:
        if end >= start:
            return cal.business_days_between(start, end)
        return -cal.business_days_between(end, start)
    return (end - start).days


def _warn_from(kind: DayKind, start: date, due: date, warn_days: int, cal: FederalReserveCalendar) -> date:
    if kind is DayKind.BUSINESS:
        d = due
        for _ in range(warn_days):
            if d <= start:
                break
            d = cal.previous_business_day(d)
    else:
        d = due - timedelta(days=warn_days)
    return max(d, start)


def _deadline(
    rule: ClockRule, start: date, cal: FederalReserveCalendar, *, due: date | None = None, label: str | None = None
) -> Deadline:
    if due is None:
        due = _add(rule.day_kind, start, rule.days, cal)
        days = rule.days
    else:
        days = _count(rule.day_kind, start, due, cal)
    return Deadline(
        key=rule.key,
        label=label or rule.label,
        start=start,
        due=due,
        day_kind=rule.day_kind,
        days=days,
        source=rule.source,
        pausable=rule.pausable,
        warn_from=_warn_from(rule.day_kind, start, due, rule.warn_days, cal),
    )


# --- regulatory rules -----------------------------------------------------------------------------

_B, _C = DayKind.BUSINESS, DayKind.CALENDAR

CFPB_RESPONSE_RULE = ClockRule(
    CFPB_RESPONSE,
    "CFPB portal: company response",
    15,
    _C,
    "CFPB company portal: respond within 15 days (12 USC 5534(b) timely response; REGULATORY_FACTS 3.1)",
    warn_days=5,
)
"""CFPB complaint process: the company responds within 15 calendar days of receiving the complaint."""

CFPB_FINAL_RULE = ClockRule(
    CFPB_FINAL,
    "CFPB portal: final response (closure)",
    60,
    _C,
    "CFPB company portal: close all but the most complex within 60 days (REGULATORY_FACTS 3.1)",
    warn_days=10,
)
"""CFPB complaint process: all but the most complex complaints closed within 60 calendar days."""

REG_E_INVESTIGATION_RULE = ClockRule(
    REG_E_INVESTIGATION,
    "Reg E: investigate and determine",
    10,
    _B,
    "12 CFR 1005.11(c)(1)",
    warn_days=3,
)
"""12 CFR 1005.11(c)(1): investigate and determine whether an error occurred within 10 business days."""

REG_E_INVESTIGATION_NEW_ACCOUNT_RULE = ClockRule(
    REG_E_INVESTIGATION,
    "Reg E: investigate and determine (new account)",
    20,
    _B,
    "12 CFR 1005.11(c)(3)(i)",
    warn_days=5,
)
"""12 CFR 1005.11(c)(3)(i): 20 business days instead of 10 for a transfer within 30 days of the first deposit."""

REG_E_INVESTIGATION_EXTENDED_RULE = ClockRule(
    REG_E_INVESTIGATION,
    "Reg E: investigation (extended, provisional credit given)",
    45,
    _C,
    "12 CFR 1005.11(c)(2)",
    warn_days=10,
)
"""12 CFR 1005.11(c)(2): up to 45 calendar days after the notice when provisional credit was given in time."""

REG_E_INVESTIGATION_EXTENDED_90_RULE = ClockRule(
    REG_E_INVESTIGATION,
    "Reg E: investigation (extended to 90 days: new account, point of sale or foreign-initiated)",
    90,
    _C,
    "12 CFR 1005.11(c)(3)(ii)",
    warn_days=15,
)
"""12 CFR 1005.11(c)(3)(ii): 90 days instead of 45 for new-account, point-of-sale debit card and
foreign-initiated (not initiated within a state) transfers."""

REG_E_PROVISIONAL_CREDIT_RULE = ClockRule(
    REG_E_PROVISIONAL_CREDIT,
    "Reg E: provisional credit (to extend the investigation)",
    10,
    _B,
    "12 CFR 1005.11(c)(2)(i)",
    warn_days=3,
)
"""12 CFR 1005.11(c)(2)(i): to take longer than 10 business days, provisionally credit within 10 business days."""

REG_E_PROVISIONAL_CREDIT_NEW_ACCOUNT_RULE = ClockRule(
    REG_E_PROVISIONAL_CREDIT,
    "Reg E: provisional credit (to extend the investigation; new account)",
    20,
    _B,
    "12 CFR 1005.11(c)(2)(i), (c)(3)(i)",
    warn_days=5,
)
"""12 CFR 1005.11(c)(3)(i): for a new account the provisional-credit window is 20 business days."""

REG_E_PROVISIONAL_CREDIT_NOTICE_RULE = ClockRule(
    REG_E_PROVISIONAL_CREDIT_NOTICE,
    "Reg E: tell the consumer of the provisional credit",
    2,
    _B,
    "12 CFR 1005.11(c)(2)(ii)",
    warn_days=1,
)
"""12 CFR 1005.11(c)(2)(ii): inform the consumer of the amount and date of the provisional credit within
2 business days after crediting."""

REG_E_RESULTS_RULE = ClockRule(
    REG_E_RESULTS,
    "Reg E: report the investigation's results",
    3,
    _B,
    "12 CFR 1005.11(c)(1), (c)(2)(iv)",
    warn_days=1,
)
"""12 CFR 1005.11(c)(1), (c)(2)(iv): report the results within 3 business days after completing the investigation."""

REG_E_CORRECTION_RULE = ClockRule(
    REG_E_CORRECTION,
    "Reg E: correct the error",
    1,
    _B,
    "12 CFR 1005.11(c)(1), (c)(2)(iii)",
    warn_days=1,
)
"""12 CFR 1005.11(c)(1), (c)(2)(iii): correct the error within 1 business day after determining it occurred."""

REG_Z_ACKNOWLEDGEMENT_RULE = ClockRule(
    REG_Z_ACKNOWLEDGEMENT,
    "Reg Z: acknowledge the billing-error notice",
    30,
    _C,
    "12 CFR 1026.13(c)(1)",
    warn_days=5,
)
"""12 CFR 1026.13(c)(1): send a written acknowledgement within 30 days of receiving the billing-error
notice, unless the error is resolved within that time (then stop this clock on the resolution date)."""

REG_Z_RESOLUTION_RULE = ClockRule(
    REG_Z_RESOLUTION,
    "Reg Z: resolve the billing error",
    90,
    _C,
    "12 CFR 1026.13(c)(2)",
    warn_days=15,
)
"""12 CFR 1026.13(c)(2): resolve within two complete billing cycles after receiving the notice, and in no
event later than 90 days (``days`` is that cap; the due date comes from :func:`reg_z_two_cycle_end`)."""

REGULATORY_RULES: dict[str, tuple[ClockRule, ...]] = {
    CFPB_RESPONSE: (CFPB_RESPONSE_RULE,),
    CFPB_FINAL: (CFPB_FINAL_RULE,),
    REG_E_INVESTIGATION: (
        REG_E_INVESTIGATION_RULE,
        REG_E_INVESTIGATION_NEW_ACCOUNT_RULE,
        REG_E_INVESTIGATION_EXTENDED_RULE,
        REG_E_INVESTIGATION_EXTENDED_90_RULE,
    ),
    REG_E_PROVISIONAL_CREDIT: (REG_E_PROVISIONAL_CREDIT_RULE, REG_E_PROVISIONAL_CREDIT_NEW_ACCOUNT_RULE),
    REG_E_PROVISIONAL_CREDIT_NOTICE: (REG_E_PROVISIONAL_CREDIT_NOTICE_RULE,),
    REG_E_RESULTS: (REG_E_RESULTS_RULE,),
    REG_E_CORRECTION: (REG_E_CORRECTION_RULE,),
    REG_Z_ACKNOWLEDGEMENT: (REG_Z_ACKNOWLEDGEMENT_RULE,),
    REG_Z_RESOLUTION: (REG_Z_RESOLUTION_RULE,),
}
"""Every regulatory rule variant by deadline key (read-only use: labels, sources, warning lengths)."""


@dataclass(frozen=True)
class RegEFacts:
    """Facts of a Reg E error notice (12 CFR 1005.11) that change its deadlines.

    Attributes:
        new_account: the transfer was within 30 days after the first deposit to the account
            (1005.11(c)(3)); see :func:`is_reg_e_new_account`. 20 bd instead of 10, 90 days instead of 45.
        point_of_sale: the transfer resulted from a point-of-sale debit card transaction (90 days).
        foreign_initiated: the transfer was not initiated within a state (90 days).
        provisional_credit_on: the day the account was provisionally credited, if it was.
        investigation_completed_on: the day the investigation was completed (error determined or not).
        error_found: whether the investigation found an error; with ``investigation_completed_on``
            it triggers the 1-business-day correction deadline.

    Raises:
        TypeError: a date field is not a ``date``.
    """

    new_account: bool = False
    point_of_sale: bool = False
    foreign_initiated: bool = False
    provisional_credit_on: date | None = None
    investigation_completed_on: date | None = None
    error_found: bool | None = None

    def __post_init__(self) -> None:
        for name in ("provisional_credit_on", "investigation_completed_on"):
            value = getattr(self, name)
            if value is not None:
                _check_date(f"reg_e.{name}", value)


@dataclass(frozen=True)
class RegZFacts:
    """Billing-cycle facts of a Reg Z billing-error notice (12 CFR 1026.13).

    Attributes:
        cycle_closing_day: day of the month on which the account's monthly billing cycle closes,
            1-31; in a shorter month the cycle closes on the month's last day (31 -> 30 April,
            28/29 February).

    Raises:
        ValueError: ``cycle_closing_day`` is not an integer in 1-31.
    """

    cycle_closing_day: int

    def __post_init__(self) -> None:
        d = self.cycle_closing_day
        if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 31:
            raise ValueError(f"reg_z.cycle_closing_day: expected an integer 1-31, got {d!r}")


def is_reg_e_new_account(first_deposit_on: date, transfer_on: date) -> bool:
    """Whether a transfer is on a "new account" under 12 CFR 1005.11(c)(3)(i).

    True when ``transfer_on`` is within 30 days after ``first_deposit_on`` (inclusive of day 30).

    Raises:
        TypeError: an argument is not a ``date``.
    """
    _check_date("first_deposit_on", first_deposit_on)
    _check_date("transfer_on", transfer_on)
    return 0 <= (transfer_on - first_deposit_on).days <= REG_E_NEW_ACCOUNT_WINDOW_DAYS


def _closing_date(year: int, month: int, closing_day: int) -> date:
    return date(year, month, min(closing_day, _pycalendar.monthrange(year, month)[1]))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def reg_z_two_cycle_end(received: date, cycle_closing_day: int) -> date:
    """End of the second complete billing cycle after ``received`` (12 CFR 1026.13(c)(2)).

    Interpretation (monthly cycles closing on ``cycle_closing_day``, clamped to the month's end):
    a cycle is *complete after receipt* only if it begins after the receipt date, so the cycle in
    which the notice arrives never counts, even when the notice arrives on its closing day or first
    day. With ``C0`` the first closing date on or after ``received``, the complete cycles are
    ``(C0, C1]`` and ``(C1, C2]``; the result is ``C2``. The 90-day cap is applied by
    :func:`regulatory_deadlines`, not here.

    Example: closing day 15, notice received 10 March -> C0 = 15 March, result 15 May.

    Raises:
        TypeError: ``received`` is not a ``date``.
        ValueError: ``cycle_closing_day`` is not an integer in 1-31.
    """
    _check_date("received", received)
    RegZFacts(cycle_closing_day)  # validates the day
    year, month = received.year, received.month
    if _closing_date(year, month, cycle_closing_day) < received:
        year, month = _next_month(year, month)
    for _ in range(2):
        year, month = _next_month(year, month)
    return _closing_date(year, month, cycle_closing_day)


def regulatory_deadlines(
    *,
    received: date,
    regimes: Collection[str],
    reg_e: RegEFacts | None = None,
    reg_z: RegZFacts | None = None,
    calendar: FederalReserveCalendar = FED,
) -> list[Deadline]:
    """Every regulatory deadline of a complaint received on ``received``.

    Args:
        received: the day the complaint / error notice was received (day 0).
        regimes: any of ``"cfpb_portal"``, ``"reg_e"``, ``"reg_z"`` (:class:`Regime`).
        reg_e: Reg E facts; ``None`` means none known yet (an existing account, no provisional credit,
            investigation not completed).
        reg_z: the billing cycle; ``None`` when unknown: the resolution deadline is then the earliest
            end of two complete cycles over every possible monthly closing day (conservative).
        calendar: the business-day calendar.

    Returns, in this order (only for the regimes given):

    - ``cfpb_portal``: ``cfpb_response`` (15 calendar days), ``cfpb_final`` (60 calendar days).
    - ``reg_e`` (12 CFR 1005.11(c)):
      ``reg_e_investigation``: 10 bd, or 20 bd for a new account; when ``provisional_credit_on`` is
      on or before the provisional-credit due date, 45 calendar days instead, or 90 for a new
      account, a point-of-sale or a foreign-initiated transfer (the key stays the same);
      ``reg_e_provisional_credit``: 10 bd (20 for a new account), always listed;
      ``reg_e_provisional_credit_notice``: 2 bd after ``provisional_credit_on``, only when known;
      ``reg_e_results``: 3 bd after ``investigation_completed_on``, only when known;
      ``reg_e_correction``: 1 bd after ``investigation_completed_on`` when ``error_found`` is true.
    - ``reg_z`` (12 CFR 1026.13(c)): ``reg_z_acknowledgement`` (30 calendar days);
      ``reg_z_resolution``: the earlier of :func:`reg_z_two_cycle_end` and 90 calendar days.

    Raises:
        TypeError: ``received`` or a facts date is not a ``date``.
        ValueError: an unknown regime (``regimes``), a facts date before ``received`` (named), or a
            year outside the calendar's range.
    """
    _check_date("received", received)
    if isinstance(regimes, str):
        raise ValueError("regimes: expected a set of regime names, got a string")
    unknown = sorted(set(regimes) - REGIMES)
    if unknown:
        raise ValueError(f"regimes: unknown {unknown}; expected some of {sorted(REGIMES)}")
    if reg_e is not None and not isinstance(reg_e, RegEFacts):
        raise TypeError(f"reg_e: expected RegEFacts or None, got {type(reg_e).__name__}")
    if reg_z is not None and not isinstance(reg_z, RegZFacts):
        raise TypeError(f"reg_z: expected RegZFacts or None, got {type(reg_z).__name__}")

    out: list[Deadline] = []
    if Regime.CFPB_PORTAL in regimes:
        out.append(_deadline(CFPB_RESPONSE_RULE, received, calendar))
        out.append(_deadline(CFPB_FINAL_RULE, received, calendar))
    if Regime.REG_E in regimes:
        out.extend(_reg_e_deadlines(received, reg_e or RegEFacts(), calendar))
    if Regime.REG_Z in regimes:
        out.append(_deadline(REG_Z_ACKNOWLEDGEMENT_RULE, received, calendar))
        if reg_z is not None:
            cycles_end = reg_z_two_cycle_end(received, reg_z.cycle_closing_day)
            label = None
        else:
            cycles_end = min(reg_z_two_cycle_end(received, day) for day in range(1, 32))
            label = "Reg Z: resolve the billing error (billing cycle unknown: earliest possible two-cycle end)"
        cap = received + timedelta(days=REG_Z_RESOLUTION_RULE.days)
        out.append(_deadline(REG_Z_RESOLUTION_RULE, received, calendar, due=min(cycles_end, cap), label=label))
    return out


def _reg_e_deadlines(received: date, facts: RegEFacts, cal: FederalReserveCalendar) -> list[Deadline]:
    """12 CFR 1005.11(c) deadlines; see :func:`regulatory_deadlines`."""
    for name in ("provisional_credit_on", "investigation_completed_on"):
        value = getattr(facts, name)
        if value is not None and value < received:
            raise ValueError(f"reg_e.{name}: {value} is before the notice was received ({received})")

    credit_rule = REG_E_PROVISIONAL_CREDIT_NEW_ACCOUNT_RULE if facts.new_account else REG_E_PROVISIONAL_CREDIT_RULE
    credit = _deadline(credit_rule, received, cal)
    credited = facts.provisional_credit_on
    # Only a timely provisional credit buys the longer investigation (1005.11(c)(2)(i)).
    if credited is not None and credited <= credit.due:
        longer = facts.new_account or facts.point_of_sale or facts.foreign_initiated
        rule = REG_E_INVESTIGATION_EXTENDED_90_RULE if longer else REG_E_INVESTIGATION_EXTENDED_RULE
    else:
        rule = REG_E_INVESTIGATION_NEW_ACCOUNT_RULE if facts.new_account else REG_E_INVESTIGATION_RULE
    out = [_deadline(rule, received, cal), credit]
    if credited is not None:
        out.append(_deadline(REG_E_PROVISIONAL_CREDIT_NOTICE_RULE, credited, cal))
    completed = facts.investigation_completed_on
    if completed is not None:
        out.append(_deadline(REG_E_RESULTS_RULE, completed, cal))
        if facts.error_found:
            out.append(_deadline(REG_E_CORRECTION_RULE, completed, cal))
    return out


def sla_deadline(rule: ClockRule, start: date, calendar: FederalReserveCalendar = FED) -> Deadline:
    """The deadline of a configurable internal SLA ``rule`` started on ``start``.

    ``rule.days`` days of ``rule.day_kind`` after ``start`` (business days counted from the first
    business day after ``start``; calendar-day due dates not moved off weekends). The bank's policy
    is the source; pausability and warning length come from the rule.

    Raises:
        TypeError: ``rule`` is not a :class:`ClockRule` or ``start`` is not a ``date``.
        ValueError: a year outside the calendar's range is reached.
    """
    if not isinstance(rule, ClockRule):
        raise TypeError(f"rule: expected ClockRule, got {type(rule).__name__}")
    _check_date("start", start)
    return _deadline(rule, start, calendar)


def clock_state(
    deadline: Deadline,
    *,
    today: date,
    stopped_on: date | None = None,
    pauses: Sequence[Pause] = (),
    calendar: FederalReserveCalendar = FED,
) -> ClockState:
    """State of ``deadline`` on ``today``.

    Rules:

    - Only a pausable clock may pause: regulatory clocks keep running while the bank waits on the
      customer (12 CFR 1005.11(c), 1026.13(c) and the CFPB process have no such stop).
    - Each pause adds the days of the clock's kind in ``(pause.start, pause.end]`` to the due date;
      an open pause (``end is None``) counts up to the as-of day (``stopped_on`` if given, else
      ``today``). A pause that begins after the (already extended) due date adds nothing: the clock
      had run out.
    - Status: ``met`` when ``stopped_on <= due``, ``missed`` when ``stopped_on > due``; otherwise
      ``breached`` when ``today > due``, ``paused`` while a pause is open, ``warning`` from
      ``warn_from`` (moved by the same extension), else ``running``.
    - ``days_left``: signed days of the clock's kind from the as-of day to the due date.

    Raises:
        TypeError: ``today``/``stopped_on`` is not a ``date`` or ``deadline`` not a :class:`Deadline`.
        ValueError: ``pauses`` given for a non-pausable clock; ``stopped_on`` before the start;
            a pause before the start or after the as-of day, an open pause that is not the last,
            or overlapping pauses (the message names the field).
    """
    if not isinstance(deadline, Deadline):
        raise TypeError(f"deadline: expected Deadline, got {type(deadline).__name__}")
    _check_date("today", today)
    if stopped_on is not None:
        _check_date("stopped_on", stopped_on)
        if stopped_on < deadline.start:
            raise ValueError(f"stopped_on: {stopped_on} is before the clock's start {deadline.start}")
    if pauses and not deadline.pausable:
        raise ValueError(
            f"pauses: clock {deadline.key!r} ({deadline.source}) is not pausable; regulatory clocks do not stop"
        )
    as_of = stopped_on if stopped_on is not None else today
    kind = deadline.day_kind

    ordered = sorted(pauses, key=lambda p: p.start)
    previous_end: date | None = None
    for i, p in enumerate(ordered):
        if not isinstance(p, Pause):
            raise TypeError(f"pauses[{i}]: expected Pause, got {type(p).__name__}")
        if p.start < deadline.start:
            raise ValueError(f"pauses[{i}].start: {p.start} is before the clock's start {deadline.start}")
        if p.start > as_of:
            raise ValueError(f"pauses[{i}].start: {p.start} is after the as-of day {as_of}")
        if previous_end is not None and p.start < previous_end:
            raise ValueError(f"pauses[{i}]: overlaps the previous pause (ended {previous_end})")
        if p.end is None and i != len(ordered) - 1:
            raise ValueError(f"pauses[{i}].end: only the latest pause may be open")
        previous_end = p.end

    due = deadline.due
    paused_days = 0
    open_pause = False
    for p in ordered:
        if p.start > due:
            continue
        end = as_of if p.end is None or p.end > as_of else p.end
        n = _count(kind, p.start, end, calendar)
        paused_days += n
        due = _add(kind, due, n, calendar)
        open_pause = open_pause or p.end is None or p.end > as_of

    warn_days = _count(kind, deadline.warn_from, deadline.due, calendar)
    warn_from = _warn_from(kind, deadline.start, due, warn_days, calendar)
    days_left = _count(kind, as_of, due, calendar)

    if stopped_on is not None:
        status = ClockStatus.MET if stopped_on <= due else ClockStatus.MISSED
    elif today > due:
        status = ClockStatus.BREACHED
    elif open_pause:
        status = ClockStatus.PAUSED
    elif today >= warn_from:
        status = ClockStatus.WARNING
    else:
        status = ClockStatus.RUNNING
    return ClockState(
        deadline=deadline,
        status=status,
        due=due,
        warn_from=warn_from,
        days_left=days_left,
        paused_days=paused_days,
    )
