"""Reads of consent state and the one contact decision every outbound message goes through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import restrict, visible_party_ids
from bankcrm.core import clock
from bankcrm.core.errors import NotFound
from bankcrm.core.lookup import as_uuid, get_visible
from bankcrm.identity.models import User
from bankcrm.parties.models import ContactPoint, Party
from bankcrm.privacy import contact_rules, incidents
from bankcrm.privacy.incident_rules import Clock
from bankcrm.privacy.models import (
    Consent,
    ContactPreference,
    DataRequest,
    Incident,
    IncidentParty,
    IncidentReminder,
    LegalHold,
    PrivacyNoticeDelivery,
)
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


# --- the privacy officer's console: incident register, request queue, one party's privacy ------


@dataclass
class IncidentView:
    """One incident with its clocks (now), affected parties and unacknowledged reminders."""

    incident: Incident
    clocks: tuple[Clock, ...]
    affected: list[IncidentParty]
    reminders: list[IncidentReminder]

    @property
    def outstanding(self) -> int:
        """Affected parties not yet notified."""
        return sum(1 for a in self.affected if a.notified_at is None)


def incident_register(actor: User, *, closed: bool = False, limit: int = 100) -> list[IncidentView]:
    """Incidents not closed (or, with ``closed``, the last ``limit`` closed ones), newest
    discovery first, each with its clocks.

    Raises:
        PermissionDenied: the actor lacks ``privacy:read``.
    """
    qs = restrict(actor, Incident.objects.all(), Perm.PRIVACY_READ)
    qs = qs.filter(status=Incident.Status.CLOSED) if closed else qs.exclude(status=Incident.Status.CLOSED)
    now = clock.now()
    return [IncidentView(i, incidents.clocks_of(i, now=now), [], []) for i in qs.order_by("-discovered_at")[:limit]]


def incident_view(actor: User, incident_id: object) -> IncidentView:
    """One incident in full.

    Raises:
        PermissionDenied: the actor lacks ``privacy:read``.
        NotFound: no such incident.
    """
    incident = get_visible(restrict(actor, Incident.objects.all(), Perm.PRIVACY_READ), incident_id, "incident")
    affected = list(incident.affected.select_related("party").order_by("party__legal_name"))
    reminders = list(incident.reminders.filter(acknowledged_at__isnull=True).order_by("-created_at"))
    return IncidentView(incident, incidents.clocks_of(incident), affected, reminders)


def due_reminders(actor: User) -> list[IncidentReminder]:
    """Unacknowledged deadline reminders of incidents not closed, oldest deadline first.

    Raises:
        PermissionDenied: the actor lacks ``privacy:read``.
    """
    visible = restrict(actor, Incident.objects.all(), Perm.PRIVACY_READ).exclude(status=Incident.Status.CLOSED)
    return list(
        IncidentReminder.objects.filter(incident__in=visible, acknowledged_at__isnull=True)
        .select_related("incident")
        .order_by("due_at", "kind")
    )


def get_reminder(actor: User, reminder_id: int) -> IncidentReminder:
    """One reminder. Raises PermissionDenied (no ``privacy:read``) or NotFound."""
    visible = restrict(actor, Incident.objects.all(), Perm.PRIVACY_READ)
    found = IncidentReminder.objects.filter(pk=reminder_id, incident__in=visible).first()
    if found is None:
        raise NotFound("reminder")
    return found


def open_requests(actor: User) -> list[DataRequest]:
    """Data requests still to be decided (oldest first), with their correction details.

    Raises:
        PermissionDenied: the actor lacks ``privacy:read``.
    """
    qs = restrict(actor, DataRequest.objects.all(), Perm.PRIVACY_READ)
    return list(
        qs.filter(status=DataRequest.Status.RECEIVED)
        .select_related("party", "correction", "correction__requested_by")
        .order_by("received_at")
    )


def get_data_request(actor: User, request_id: object) -> DataRequest:
    """One data request. Raises PermissionDenied (no ``privacy:read``) or NotFound."""
    return get_visible(restrict(actor, DataRequest.objects.all(), Perm.PRIVACY_READ), request_id, "data request")


def find_party(actor: User, reference: str) -> Party:
    """A party the actor may see, by id or source id (``client:3687``, or
    ``synthetic-us:person:0`` with the source system first).

    Raises:
        NotFound: nothing matches, or the actor may not see it.
    """
    reference = reference.strip()
    visible = restrict(actor, Party.objects.all(), Perm.PARTIES_READ)
    if as_uuid(reference) is not None:
        return get_visible(visible, reference, "party")
    parts = reference.split(":")
    system, source_id = ("berka", reference) if len(parts) == 2 else (parts[0], ":".join(parts[1:]))
    found = visible.filter(source_system=system, source_id=source_id).first() if len(parts) >= 2 else None
    if found is None:
        raise NotFound("party")
    return found


@dataclass
class PartyPrivacy:
    """One party's privacy state: current consents, the consent history (newest first), contact
    preferences, notice deliveries, data requests, legal holds (None for staff without
    ``privacy:read``) and the contact decisions in force now."""

    party: Party
    current: list[tuple[str, str, str]]
    history: list[Consent]
    preference: ContactPreference | None
    notices: list[PrivacyNoticeDelivery]
    requests: list[DataRequest]
    holds: list[LegalHold] | None
    marketing: dict[str, bool] = field(default_factory=dict)


def party_privacy(actor: User, party_id: object, *, history: int = 50) -> PartyPrivacy:
    """The privacy page of one party (see :class:`PartyPrivacy`).

    Raises:
        PermissionDenied: the actor lacks ``parties:read``.
        NotFound: no such party, or the actor may not see it.
    """
    party = get_visible(restrict(actor, Party.objects.all(), Perm.PARTIES_READ), party_id, "party")
    latest = _latest(party)
    holds = None
    if actor.has_perm_code(Perm.PRIVACY_READ):
        holds = list(LegalHold.objects.filter(party=party).order_by("-placed_at"))
    state = contact_state(party)
    return PartyPrivacy(
        party=party,
        current=sorted((p, c, s) for (p, c), s in latest.items()),
        history=list(
            Consent.objects.filter(party=party).select_related("recorded_by").order_by("-recorded_at", "-id")[:history]
        ),
        preference=ContactPreference.objects.filter(party=party).first(),
        notices=list(PrivacyNoticeDelivery.objects.filter(party=party).order_by("-delivered_at")),
        requests=list(DataRequest.objects.filter(party=party).select_related("correction").order_by("-received_at")),
        holds=holds,
        marketing={c: c in state.marketing_consent and c not in state.blocked_channels for c in contact_rules.CHANNELS},
    )


def own_correction_requests(actor: User) -> list[DataRequest]:
    """Correction requests about the parties ``actor`` may see (a customer: their own), newest
    first, with their details."""
    parties = visible_party_ids(actor)
    qs = DataRequest.objects.filter(kind=DataRequest.Kind.CORRECTION)
    if parties is not None:
        qs = qs.filter(party_id__in=parties)
    elif actor.kind == User.Kind.CUSTOMER or not actor.has_perm_code(Perm.PRIVACY_READ):
        return []
    return list(qs.select_related("party", "correction").order_by("-received_at"))
