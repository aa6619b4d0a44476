"""Consent history, preferences, notices, and every outbound message going through the rules."""

from __future__ import annotations

import datetime as dt

import pytest

from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock
from bankcrm.core.errors import ValidationFailed
from bankcrm.interactions.models import Interaction
from bankcrm.interactions.services import ContactRefused, send_message
from bankcrm.privacy import services
from bankcrm.privacy.models import PrivacyNoticeDelivery
from bankcrm.privacy.selectors import contact_state, may_contact, may_share_with_nonaffiliates

pytestmark = pytest.mark.django_db
PRAGUE_NOON = dt.datetime(1998, 12, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def test_marketing_to_an_opted_out_party_is_refused(client_3687, agent_user) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(PRAGUE_NOON):
        services.record_consent(
            actor=agent_user, party=client_3687, purpose="marketing", channel="email", status="granted", source="branch"
        )
        sent = send_message(
            actor=agent_user, party=client_3687, purpose="marketing", channel="email", summary="New savings rate."
        )
        assert sent.direction == "outbound" and sent.channel == "email"
        services.record_consent(
            actor=None, party=client_3687, purpose="marketing", channel="email", status="withdrawn", source="web"
        )
        with pytest.raises(ContactRefused) as info:
            send_message(actor=agent_user, party=client_3687, purpose="marketing", channel="email", summary="Again.")
    assert info.value.reasons == ("no_marketing_consent",)
    assert Interaction.objects.filter(party=client_3687).count() == 1
    refusal = AuditEvent.objects.get(action="interaction.message.refused")
    assert refusal.payload["reasons"] == ["no_marketing_consent"]


def test_service_messages_still_go_to_an_opted_out_party(client_3687, agent_user) -> None:  # type: ignore[no-untyped-def]
    services.record_consent(
        actor=None, party=client_3687, purpose="marketing", channel="email", status="withdrawn", source="web"
    )
    with clock.frozen(PRAGUE_NOON):
        assert send_message(
            actor=agent_user, party=client_3687, purpose="service", channel="email", summary="Your statement is ready."
        )


def test_czech_party_is_called_on_prague_time(client_3687) -> None:  # type: ignore[no-untyped-def]
    services.record_consent(
        actor=None, party=client_3687, purpose="marketing", channel="phone", status="granted", source="phone"
    )
    evening_in_new_york = dt.datetime(1998, 12, 1, 16, 0, tzinfo=clock.bank_zone())  # 22:00 in Prague
    decision = may_contact(client_3687, purpose="marketing", channel="phone", at=evening_in_new_york)
    assert decision.reasons == ("outside_8am_9pm_local",) and decision.language == "cs"


def test_do_not_call_and_contact_point_flags(client_3687) -> None:  # type: ignore[no-untyped-def]
    services.record_consent(actor=None, party=client_3687, purpose="do_not_call", status="granted", source="phone")
    client_3687.contact_points.filter(kind="email").update(do_not_contact=True)
    state = contact_state(client_3687)
    assert state.do_not_call and "email" in state.blocked_channels


def test_reg_p_sharing_opt_out_lasts_until_revoked(client_3687) -> None:  # type: ignore[no-untyped-def]
    assert may_share_with_nonaffiliates(client_3687)
    services.record_consent(
        actor=None, party=client_3687, purpose="share_nonaffiliated", status="withdrawn", source="mail"
    )
    assert not may_share_with_nonaffiliates(client_3687)
    services.record_consent(
        actor=None, party=client_3687, purpose="share_nonaffiliated", status="granted", source="web"
    )
    assert may_share_with_nonaffiliates(client_3687)
    assert AuditEvent.objects.filter(action="privacy.consent.record").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"purpose": "marketing", "channel": "", "status": "granted", "source": "web"}, "channel"),
        ({"purpose": "do_not_call", "channel": "phone", "status": "granted", "source": "web"}, "channel"),
        ({"purpose": "telepathy", "channel": "", "status": "granted", "source": "web"}, "purpose"),
        ({"purpose": "marketing", "channel": "sms", "status": "maybe", "source": "web"}, "status"),
    ],
)
def test_invalid_consent_names_the_field(client_3687, kwargs, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as info:
        services.record_consent(actor=None, party=client_3687, **kwargs)
    assert field in [p.field for p in info.value.problems]


def test_preferences_and_notice_deliveries(client_3687) -> None:  # type: ignore[no-untyped-def]
    services.set_contact_preference(
        actor=None, party=client_3687, language="en", quiet_start=dt.time(19), quiet_end=dt.time(10)
    )
    assert (
        contact_state(client_3687).quiet_start == dt.time(19)
        and contact_state(client_3687).time_zone == "Europe/Prague"
    )
    with pytest.raises(ValidationFailed, match="quiet_end"):
        services.set_contact_preference(actor=None, party=client_3687, quiet_start=dt.time(19))
    with pytest.raises(ValidationFailed, match="time_zone"):
        services.set_contact_preference(actor=None, party=client_3687, time_zone="Mars/Base")
    services.record_notice_delivery(actor=None, party=client_3687, kind="initial", version="2026-01", channel="post")
    assert PrivacyNoticeDelivery.objects.get(party=client_3687).notice_version == "2026-01"
