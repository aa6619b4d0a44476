"""May we contact this party for this purpose on this channel now? (no Django import)

Rules (REGULATORY_FACTS.md 2.1, 2.3, 3):

- Service / transactional messages (statements, fraud alerts, complaint replies) do not need
  marketing consent, but respect a channel the party asked us never to use and, for calls and
  texts, quiet hours.
- Marketing needs the party's consent for that channel (opt-in, kept apart from service
  messages); calls also need the party not to be on the do-not-call list (TCPA/TSR; internal DNC
  honoured within 10 business days, here at once). Marketing built on affiliate-supplied data also
  needs no FCRA affiliate-marketing opt-out (12 CFR 1022.21).
- Calls and texts only between 8 a.m. and 9 p.m. in the party's local time (TCPA 47 CFR
  64.1200(c)(1)), unless the party chose narrower quiet hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

CHANNELS = ("email", "sms", "phone", "post")
PURPOSES = ("service", "marketing")
TCPA_START = dt.time(8, 0)
TCPA_END = dt.time(21, 0)
TIMED_CHANNELS = frozenset({"phone", "sms"})


@dataclass(frozen=True)
class ContactState:
    """What the bank knows about the party's choices (current values of the consent history)."""

    marketing_consent: frozenset[str] = frozenset()  # channels with marketing consent granted
    do_not_call: bool = False
    affiliate_marketing_opt_out: bool = False
    blocked_channels: frozenset[str] = frozenset()  # channels the party asked never to be used
    quiet_start: dt.time | None = None  # the party's own quiet hours (local), e.g. 20:00
    quiet_end: dt.time | None = None  # e.g. 09:00
    time_zone: str = "America/New_York"
    language: str = "en"


@dataclass(frozen=True)
class Decision:
    """``allowed`` and, when refused, every reason (stable codes for reports and tests)."""

    allowed: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    language: str = "en"


def _in_window(local: dt.time, start: dt.time, end: dt.time) -> bool:
    """True when ``local`` lies in [start, end), the window possibly crossing midnight."""
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def decide(
    *,
    state: ContactState,
    purpose: str,
    channel: str,
    at: dt.datetime,
    uses_affiliate_data: bool = False,
) -> Decision:
    """Apply the rules in the module docstring.

    Args:
        at: timezone-aware instant of the contact.

    Raises:
        ValueError: unknown purpose or channel, or a naive ``at``.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"purpose: expected one of {', '.join(PURPOSES)}, got {purpose!r}")
    if channel not in CHANNELS:
        raise ValueError(f"channel: expected one of {', '.join(CHANNELS)}, got {channel!r}")
    if at.tzinfo is None:
        raise ValueError("at: must be timezone-aware")
    reasons: list[str] = []
    if channel in state.blocked_channels:
        reasons.append("channel_blocked_by_party")
    if purpose == "marketing":
        if channel not in state.marketing_consent:
            reasons.append("no_marketing_consent")
        if channel == "phone" and state.do_not_call:
            reasons.append("do_not_call")
        if uses_affiliate_data and state.affiliate_marketing_opt_out:
            reasons.append("affiliate_marketing_opt_out")
    if channel in TIMED_CHANNELS:
        local = at.astimezone(ZoneInfo(state.time_zone)).time()
        if not _in_window(local, TCPA_START, TCPA_END):
            reasons.append("outside_8am_9pm_local")
        elif state.quiet_start and state.quiet_end and _in_window(local, state.quiet_start, state.quiet_end):
            reasons.append("party_quiet_hours")
    return Decision(allowed=not reasons, reasons=tuple(reasons), language=state.language)
