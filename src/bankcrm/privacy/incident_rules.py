"""Notification clocks of an incident of unauthorized access to customer information, and when
to remind about them. Plain Python: no Django import.

Rules (REGULATORY_FACTS.md 2.2 and 2.4; not legal advice):

- **Regulator**, bank computer-security incident notification rule (2022; 12 CFR 53.3 OCC,
  12 CFR 225.302 Fed, 12 CFR 304.23 FDIC): notify the primary federal regulator as soon as
  possible and no later than **36 hours** after determining that a notification incident has
  occurred. The clock starts at ``determined_at``; before a determination it is *waiting*.
  [FACTS 2.2, marked M: unverified]
- **Customers, Interagency Guidelines** (12 CFR 30 App. B Supp. A; 12 CFR 364 App. B Supp. A):
  notify affected customers **as soon as possible** when misuse of their sensitive customer
  information has occurred or is reasonably possible. The rule gives no number, so the bank sets
  an internal target in hours from discovery (per incident, default
  :data:`DEFAULT_CUSTOMER_TARGET_HOURS`). [FACTS 2.2, M]
- **Customers, SEC Reg S-P** (17 CFR 248.30(a)(4), 2024 amendments), when a broker-dealer
  affiliate's customers are involved: as soon as practicable and **not later than 30 days after
  becoming aware** of unauthorized access to sensitive customer information. Awareness is
  ``discovered_at``. [FACTS 2.4, V2]
- Both customer clocks apply only when sensitive customer information was involved, and not when
  the bank recorded why no notice is owed (Reg S-P 248.30(a)(4)(i): no reasonable likelihood of
  substantial harm; FACTS 2.4 marks that exception M).

Counting: every clock is wall-clock time, not business time. Nights, weekends and federal
holidays all count, and a deadline falling on a Sunday stays on the Sunday. "36 hours" is 36
elapsed hours (a daylight-saving change moves the local clock face, not the deadline);
"30 days" is 30 calendar days in the bank's time zone at the same local time of day.

A clock is *met* when the notice is recorded at or before the deadline, *met late* after it,
*overdue* once the deadline has passed with no notice, else *running*.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

REGULATOR_NOTICE = dt.timedelta(hours=36)
REG_SP_CUSTOMER_NOTICE_DAYS = 30
DEFAULT_CUSTOMER_TARGET_HOURS = 72
#: The internal target may not exceed Reg S-P's ceiling (720 hours = 30 days).
MAX_CUSTOMER_TARGET_HOURS = 24 * REG_SP_CUSTOMER_NOTICE_DAYS

REGULATOR_SOURCE = "12 CFR 53.3 / 225.302 / 304.23: regulator notice <= 36 hours after determination"
CUSTOMER_TARGET_SOURCE = "Interagency Guidelines (12 CFR 30 App. B Supp. A): customers as soon as possible"
REG_SP_SOURCE = "17 CFR 248.30(a)(4) (Reg S-P): customers <= 30 days after becoming aware"


class ClockKind(StrEnum):
    """The notification clocks of an incident."""

    REGULATOR = "regulator"
    CUSTOMER_TARGET = "customer_target"
    REG_SP = "reg_sp"


class ClockState(StrEnum):
    """Where a clock stands at a given instant."""

    NOT_APPLICABLE = "not_applicable"
    WAITING = "waiting"  # regulator clock before the notification-incident determination
    RUNNING = "running"
    OVERDUE = "overdue"
    MET = "met"
    MET_LATE = "met_late"


#: Reminder lead times before each deadline (the last, zero, is "at the deadline").
REMINDER_LEADS: dict[ClockKind, tuple[dt.timedelta, ...]] = {
    ClockKind.REGULATOR: (dt.timedelta(hours=12), dt.timedelta(hours=4), dt.timedelta(0)),
    ClockKind.CUSTOMER_TARGET: (dt.timedelta(hours=24), dt.timedelta(hours=4), dt.timedelta(0)),
    ClockKind.REG_SP: (dt.timedelta(days=7), dt.timedelta(days=2), dt.timedelta(0)),
}


@dataclass(frozen=True)
class IncidentFacts:
    """What the clocks depend on. Every datetime is timezone-aware.

    ``customers_notified_at`` is when the last affected customer was notified, or None while any
    is outstanding (or none has been identified yet). ``customer_target_hours`` counts from
    discovery. ``customer_notice_exempt``: the bank recorded why no customer notice is owed.
    """

    discovered_at: dt.datetime
    determined_at: dt.datetime | None = None
    sensitive_information: bool = False
    reg_sp_applies: bool = False
    customer_target_hours: int = DEFAULT_CUSTOMER_TARGET_HOURS
    customer_notice_exempt: bool = False
    regulator_notified_at: dt.datetime | None = None
    customers_notified_at: dt.datetime | None = None


@dataclass(frozen=True)
class Clock:
    """One clock at an instant: ``due_at`` None when not applicable or waiting; ``done_at`` the
    recorded notice; ``source`` the rule."""

    kind: ClockKind
    state: ClockState
    starts_at: dt.datetime | None
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    source: str

    @property
    def open(self) -> bool:
        """True while a notice is still owed (running or overdue)."""
        return self.state in {ClockState.RUNNING, ClockState.OVERDUE}


def problems(facts: IncidentFacts) -> list[tuple[str, str]]:
    """Inconsistencies in ``facts`` as ``(field, message)`` pairs (empty when none): naive
    datetimes, a determination before discovery, a target outside 1..720 hours, a notice
    recorded before the incident was discovered."""
    found: list[tuple[str, str]] = []
    stamps = {
        "discovered_at": facts.discovered_at,
        "determined_at": facts.determined_at,
        "regulator_notified_at": facts.regulator_notified_at,
        "customers_notified_at": facts.customers_notified_at,
    }
    for name, value in stamps.items():
        if value is not None and value.tzinfo is None:
            found.append((name, "must be timezone-aware"))
    if found:
        return found
    if facts.determined_at is not None and _utc(facts.determined_at) < _utc(facts.discovered_at):
        found.append(("determined_at", "cannot be before the incident was discovered"))
    for name in ("regulator_notified_at", "customers_notified_at"):
        value = stamps[name]
        if value is not None and _utc(value) < _utc(facts.discovered_at):
            found.append((name, "cannot be before the incident was discovered"))
    if not 1 <= facts.customer_target_hours <= MAX_CUSTOMER_TARGET_HOURS:
        found.append(("customer_target_hours", f"must be between 1 and {MAX_CUSTOMER_TARGET_HOURS} hours"))
    return found


def _utc(value: dt.datetime) -> dt.datetime:
    # Python compares and subtracts two datetimes of one zone on their clock faces; in UTC the
    # arithmetic is elapsed time, also across a daylight-saving change.
    return value.astimezone(dt.UTC)


def add_elapsed_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """``start`` plus ``hours`` elapsed hours (computed in UTC, so a daylight-saving change does
    not stretch or shrink the period), returned in ``start``'s time zone."""
    utc = _utc(start) + dt.timedelta(hours=hours)
    return utc.astimezone(start.tzinfo)


def add_calendar_days(start: dt.datetime, days: int, zone: ZoneInfo) -> dt.datetime:
    """The same local time of day ``days`` calendar days after ``start`` in ``zone`` (weekends
    and holidays count; a deadline on a Sunday stays on the Sunday). A local time that does not
    exist on the target day (spring-forward gap) resolves forward, as :mod:`zoneinfo` does."""
    local = start.astimezone(zone)
    naive = local.replace(tzinfo=None) + dt.timedelta(days=days)
    # Round-trip through UTC so a non-existent local time gets its real offset.
    return naive.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


def _state(due: dt.datetime, done: dt.datetime | None, now: dt.datetime) -> ClockState:
    if done is not None:
        return ClockState.MET if _utc(done) <= _utc(due) else ClockState.MET_LATE
    return ClockState.OVERDUE if _utc(now) > _utc(due) else ClockState.RUNNING


def clocks(facts: IncidentFacts, *, now: dt.datetime, zone: ZoneInfo) -> tuple[Clock, Clock, Clock]:
    """The regulator, internal customer-target and Reg S-P clocks of an incident at ``now``
    (rules in the module docstring). ``zone`` is the bank's time zone (for calendar days).

    Raises:
        ValueError: ``facts`` has problems (see :func:`problems`); the message names the field.
    """
    found = problems(facts)
    if found:
        raise ValueError("; ".join(f"{f}: {m}" for f, m in found))
    if now.tzinfo is None:
        raise ValueError("now: must be timezone-aware")

    if facts.determined_at is None:
        regulator = Clock(
            ClockKind.REGULATOR,
            ClockState.WAITING,
            None,
            None,
            facts.regulator_notified_at,
            REGULATOR_SOURCE,
        )
    else:
        due = add_elapsed_hours(facts.determined_at, int(REGULATOR_NOTICE.total_seconds() // 3600))
        regulator = Clock(
            ClockKind.REGULATOR,
            _state(due, facts.regulator_notified_at, now),
            facts.determined_at,
            due,
            facts.regulator_notified_at,
            REGULATOR_SOURCE,
        )

    owed = facts.sensitive_information and not facts.customer_notice_exempt
    if owed:
        due = add_elapsed_hours(facts.discovered_at, facts.customer_target_hours)
        target = Clock(
            ClockKind.CUSTOMER_TARGET,
            _state(due, facts.customers_notified_at, now),
            facts.discovered_at,
            due,
            facts.customers_notified_at,
            CUSTOMER_TARGET_SOURCE,
        )
    else:
        target = Clock(ClockKind.CUSTOMER_TARGET, ClockState.NOT_APPLICABLE, None, None, None, CUSTOMER_TARGET_SOURCE)

    if owed and facts.reg_sp_applies:
        due = add_calendar_days(facts.discovered_at, REG_SP_CUSTOMER_NOTICE_DAYS, zone)
        reg_sp = Clock(
            ClockKind.REG_SP,
            _state(due, facts.customers_notified_at, now),
            facts.discovered_at,
            due,
            facts.customers_notified_at,
            REG_SP_SOURCE,
        )
    else:
        reg_sp = Clock(ClockKind.REG_SP, ClockState.NOT_APPLICABLE, None, None, None, REG_SP_SOURCE)
    return regulator, target, reg_sp


def slot_name(lead: dt.timedelta) -> str:
    """A reminder slot's name: ``"due"`` at the deadline, else ``"due-12h"`` / ``"due-7d"``."""
    if not lead:
        return "due"
    hours = int(lead.total_seconds() // 3600)
    return f"due-{hours // 24}d" if hours % 24 == 0 and hours >= 48 else f"due-{hours}h"


def reminder_slot(clock: Clock, *, now: dt.datetime) -> tuple[str, dt.datetime] | None:
    """The reminder due for ``clock`` at ``now``: the latest slot (lead time before the deadline,
    see :data:`REMINDER_LEADS`) whose time has come, as ``(slot name, slot time)``; None when the
    clock is not open or no slot has come yet. Leads as long as the whole clock are skipped (a
    24-hour target gets no reminder at the moment it starts). Only the latest slot is returned,
    so a reminder job that was down for a while sends one reminder, not a burst."""
    if not clock.open or clock.due_at is None or clock.starts_at is None:
        return None
    due = _utc(clock.due_at)
    length = due - _utc(clock.starts_at)
    latest: tuple[str, dt.datetime] | None = None
    for lead in REMINDER_LEADS[clock.kind]:
        if lead >= length:
            continue
        at = due - lead
        if at <= _utc(now):
            latest = (slot_name(lead), at.astimezone(clock.due_at.tzinfo))
    return latest


#: Data categories of an incident; those in SENSITIVE_CATEGORIES make it involve sensitive
#: customer information (Interagency Guidelines Supp. A: SSN, driver's licence, account or card
#: number, or a code or password giving access to an account; Reg S-P 248.30(d) similar).
CATEGORIES = (
    "name",
    "address",
    "phone",
    "email",
    "date_of_birth",
    "tax_id",
    "identity_document",
    "account_number",
    "card_number",
    "credentials",
    "transactions",
    "balances",
    "other",
)
SENSITIVE_CATEGORIES = frozenset({"tax_id", "identity_document", "account_number", "card_number", "credentials"})


def involves_sensitive_information(categories: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """True when any category is sensitive customer information (see :data:`SENSITIVE_CATEGORIES`)."""
    return bool(SENSITIVE_CATEGORIES & set(categories))
