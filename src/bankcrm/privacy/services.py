"""Writes of consent, contact preferences and privacy-notice deliveries (each audited)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.parties.models import Party
from bankcrm.privacy.contact_rules import CHANNELS
from bankcrm.privacy.models import Consent, ContactPreference, PrivacyNoticeDelivery

_CHANNEL_PURPOSES = {Consent.Purpose.MARKETING, Consent.Purpose.CHANNEL_BLOCK}


@transaction.atomic
def record_consent(
    *, actor: User | None, party: Party, purpose: str, status: str, source: str, channel: str = ""
) -> Consent:
    """Append a consent choice (the latest per party, purpose and channel is the one in force).

    Args:
        purpose: a :class:`Consent.Purpose`; marketing and channel blocks need a ``channel``.
        status: ``granted`` or ``withdrawn``; source: where the choice came from (branch, web...).

    Raises:
        ValidationFailed: naming the invalid field; nothing is written.
    """
    problems = []
    if purpose not in Consent.Purpose.values:
        problems.append(FieldProblem("purpose", f"must be one of {', '.join(Consent.Purpose.values)}"))
    if status not in Consent.Status.values:
        problems.append(FieldProblem("status", "must be granted or withdrawn"))
    if source not in Consent.Source.values:
        problems.append(FieldProblem("source", f"must be one of {', '.join(Consent.Source.values)}"))
    if purpose in _CHANNEL_PURPOSES and channel not in CHANNELS:
        problems.append(FieldProblem("channel", f"must be one of {', '.join(CHANNELS)} for {purpose}"))
    if purpose not in _CHANNEL_PURPOSES and channel:
        problems.append(FieldProblem("channel", f"{purpose} applies to every channel; leave it empty"))
    if problems:
        raise ValidationFailed(problems)
    consent = Consent.objects.create(
        party=party, purpose=purpose, channel=channel, status=status, source=source, recorded_by=actor
    )
    audit.record(
        actor=actor,
        action="privacy.consent.record",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"purpose": purpose, "channel": channel, "status": status, "source": source},
    )
    return consent


@transaction.atomic
def set_contact_preference(
    *,
    actor: User | None,
    party: Party,
    language: str | None = None,
    time_zone: str | None = None,
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
) -> ContactPreference:
    """Set the party's language, time zone and quiet hours (both ends or neither).

    Raises:
        ValidationFailed: unknown time zone, or only one end of the quiet hours.
    """
    problems = []
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(FieldProblem("time_zone", f"unknown time zone {time_zone!r}"))
    if (quiet_start is None) != (quiet_end is None):
        problems.append(FieldProblem("quiet_end" if quiet_end is None else "quiet_start", "give both ends or neither"))
    if problems:
        raise ValidationFailed(problems)
    pref, _ = ContactPreference.objects.get_or_create(party=party, defaults={"time_zone": default_time_zone(party)})
    if language is not None:
        pref.language = language
    if time_zone is not None:
        pref.time_zone = time_zone
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.updated_at = clock.now()
    pref.save()
    audit.record(
        actor=actor,
        action="privacy.preference.set",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"language": pref.language, "time_zone": pref.time_zone, "quiet_hours": quiet_start is not None},
    )
    return pref


@transaction.atomic
def record_notice_delivery(
    *, actor: User | None, party: Party, kind: str, version: str, channel: str
) -> PrivacyNoticeDelivery:
    """Record that a privacy notice (initial, annual, opt-out, revised) reached the party.

    Raises:
        ValidationFailed: unknown kind or channel.
    """
    problems = []
    if kind not in PrivacyNoticeDelivery.Kind.values:
        problems.append(FieldProblem("kind", f"must be one of {', '.join(PrivacyNoticeDelivery.Kind.values)}"))
    if channel not in CHANNELS:
        problems.append(FieldProblem("channel", f"must be one of {', '.join(CHANNELS)}"))
    if problems:
        raise ValidationFailed(problems)
    delivery = PrivacyNoticeDelivery.objects.create(party=party, kind=kind, notice_version=version, channel=channel)
    audit.record(
        actor=actor,
        action="privacy.notice.deliver",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"kind": kind, "version": version, "channel": channel},
    )
    return delivery


def default_time_zone(party: Party) -> str:
    """The party's time zone when none is recorded: by country of residence."""
    return {"CZ": "Europe/Prague"}.get(party.residence_country, "America/New_York")
