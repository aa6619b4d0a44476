"""Reads of consent state and the one contact decision every outbound message goes through."""

from __future__ import annotations

import datetime as dt

from bankcrm.core import clock
from bankcrm.parties.models import ContactPoint, Party
from bankcrm.privacy import contact_rules
from bankcrm.privacy.models import Consent, ContactPreference
from bankcrm.privacy.services import default_time_zone

_CONTACT_KIND = {"email": ContactPoint.Kind.EMAIL, "sms": ContactPoint.Kind.PHONE, "phone": ContactPoint.Kind.PHONE}


def _latest(party: Party) -> dict[tuple[str, str], str]:
    """(purpose, channel) -> status of the most recent record."""
    current: dict[tuple[str, str], str] = {}
    for purpose, channel, status in (
        Consent.objects.filter(party=party).order_by("recorded_at", "id").values_list("purpose", "channel", "status")
    ):
        current[(purpose, channel)] = status
    return current


def contact_state(party: Party) -> contact_rules.ContactState:
    """The party's current choices, from the consent history, preferences and contact points."""
    latest = _latest(party)
    granted = Consent.Status.GRANTED
    pref = ContactPreference.objects.filter(party=party).first()
    blocked = {c for (p, c), s in latest.items() if p == Consent.Purpose.CHANNEL_BLOCK and s == granted}
    for channel, kind in _CONTACT_KIND.items():
        points = list(ContactPoint.objects.filter(party=party, kind=kind).values_list("do_not_contact", flat=True))
        if points and all(points):
            blocked.add(channel)
    return contact_rules.ContactState(
        marketing_consent=frozenset(
            c for (p, c), s in latest.items() if p == Consent.Purpose.MARKETING and s == granted
        ),
        do_not_call=latest.get((Consent.Purpose.DO_NOT_CALL, "")) == granted,
        affiliate_marketing_opt_out=latest.get((Consent.Purpose.AFFILIATE_MARKETING, "")) == Consent.Status.WITHDRAWN,
        blocked_channels=frozenset(blocked),
        quiet_start=pref.quiet_start if pref else None,
        quiet_end=pref.quiet_end if pref else None,
        time_zone=pref.time_zone if pref else default_time_zone(party),
        language=pref.language if pref else (party.language or "en"),
    )


def may_contact(
    party: Party, *, purpose: str, channel: str, at: dt.datetime | None = None, uses_affiliate_data: bool = False
) -> contact_rules.Decision:
    """May we contact ``party`` for ``purpose`` (service or marketing) on ``channel`` at ``at``
    (default now)? See :mod:`bankcrm.privacy.contact_rules` for the rules."""
    return contact_rules.decide(
        state=contact_state(party),
        purpose=purpose,
        channel=channel,
        at=at or clock.now(),
        uses_affiliate_data=uses_affiliate_data,
    )


def may_share_with_nonaffiliates(party: Party) -> bool:
    """Reg P 1016.10: no sharing of nonpublic personal information with non-affiliated third
    parties (outside the exceptions) once the consumer opted out; the opt-out lasts until revoked."""
    return _latest(party).get((Consent.Purpose.SHARE_NONAFFILIATED, "")) != Consent.Status.WITHDRAWN
