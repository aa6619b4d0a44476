"""The contact decision engine (TCPA hours, consent per channel, DNC, FCRA affiliate opt-out)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bankcrm.privacy.contact_rules import ContactState, decide

NY = ZoneInfo("America/New_York")
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=NY)


def test_service_messages_need_no_marketing_consent() -> None:
    assert decide(state=ContactState(), purpose="service", channel="email", at=NOON).allowed


def test_marketing_needs_consent_for_that_channel() -> None:
    state = ContactState(marketing_consent=frozenset({"email"}))
    assert decide(state=state, purpose="marketing", channel="email", at=NOON).allowed
    sms = decide(state=state, purpose="marketing", channel="sms", at=NOON)
    assert not sms.allowed and sms.reasons == ("no_marketing_consent",)


def test_do_not_call_blocks_marketing_calls_only() -> None:
    state = ContactState(marketing_consent=frozenset({"phone", "email"}), do_not_call=True)
    assert decide(state=state, purpose="marketing", channel="phone", at=NOON).reasons == ("do_not_call",)
    assert decide(state=state, purpose="marketing", channel="email", at=NOON).allowed
    assert decide(state=state, purpose="service", channel="phone", at=NOON).allowed


@pytest.mark.parametrize(
    ("local", "allowed"),
    [((7, 59), False), ((8, 0), True), ((20, 59), True), ((21, 0), False), ((23, 30), False)],
)
def test_tcpa_hours_in_the_partys_zone(local: tuple[int, int], allowed: bool) -> None:
    state = ContactState(marketing_consent=frozenset({"phone"}), time_zone="Europe/Prague")
    at = dt.datetime(2026, 12, 1, *local, tzinfo=ZoneInfo("Europe/Prague")).astimezone(NY)
    decision = decide(state=state, purpose="marketing", channel="phone", at=at)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reasons == ("outside_8am_9pm_local",)


def test_party_quiet_hours_across_midnight() -> None:
    state = ContactState(quiet_start=dt.time(20, 0), quiet_end=dt.time(9, 0))
    evening = dt.datetime(2026, 12, 1, 20, 30, tzinfo=NY)
    assert decide(state=state, purpose="service", channel="sms", at=evening).reasons == ("party_quiet_hours",)
    assert decide(state=state, purpose="service", channel="email", at=evening).allowed  # e-mail is not timed


def test_affiliate_opt_out_and_blocked_channel() -> None:
    state = ContactState(
        marketing_consent=frozenset({"post"}), affiliate_marketing_opt_out=True, blocked_channels=frozenset({"post"})
    )
    decision = decide(state=state, purpose="marketing", channel="post", at=NOON, uses_affiliate_data=True)
    assert decision.reasons == ("channel_blocked_by_party", "affiliate_marketing_opt_out")


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="purpose"):
        decide(state=ContactState(), purpose="spam", channel="email", at=NOON)
    with pytest.raises(ValueError, match="channel"):
        decide(state=ContactState(), purpose="service", channel="fax", at=NOON)
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(state=ContactState(), purpose="service", channel="email", at=NOON.replace(tzinfo=None))
