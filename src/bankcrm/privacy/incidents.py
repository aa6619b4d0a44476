"""The incident register: incidents of unauthorized access to customer information, their
affected parties, the notices given and the reminders of notification deadlines.

Every write needs ``privacy:manage`` and records an audit event (ids, field names, counts and
states: never the description or customer data). The clocks come from the pure engine
:mod:`bankcrm.privacy.incident_rules` (36 hours to the regulator after the determination; customers
as soon as possible, with an internal target and, under SEC Reg S-P, 30 days from awareness).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, FieldProblem, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.parties.models import Party
from bankcrm.privacy import incident_rules as rules
from bankcrm.privacy.contact_rules import CHANNELS
from bankcrm.privacy.models import Incident, IncidentParty, IncidentReminder


class _Unset:
    """Marks an argument that was not given (``None`` may be a real value: clear the field)."""


UNSET: Any = _Unset()

#: Allowed status changes (closing has its own checks in :func:`close_incident`).
TRANSITIONS = {
    Incident.Status.OPEN: {Incident.Status.CONTAINED, Incident.Status.CLOSED},
    Incident.Status.CONTAINED: {Incident.Status.CLOSED},
    Incident.Status.CLOSED: set(),
}


def customers_notified_at(incident: Incident) -> dt.datetime | None:
    """When the last affected party was notified; None while any is outstanding or none is known."""
    stamps = list(incident.affected.values_list("notified_at", flat=True))
    if not stamps or any(s is None for s in stamps):
        return None
    return max(s for s in stamps if s is not None)


def facts_of(incident: Incident) -> rules.IncidentFacts:
    """The engine's view of ``incident``."""
    return rules.IncidentFacts(
        discovered_at=incident.discovered_at,
        determined_at=incident.determined_at,
        sensitive_information=incident.sensitive_information,
        reg_sp_applies=incident.reg_sp_applies,
        customer_target_hours=incident.customer_target_hours,
        customer_notice_exempt=bool(incident.customer_notice_exemption),
        regulator_notified_at=incident.regulator_notified_at,
        customers_notified_at=customers_notified_at(incident),
    )


def clocks_of(incident: Incident, *, now: dt.datetime | None = None) -> tuple[rules.Clock, ...]:
    """The regulator, customer-target and Reg S-P clocks of ``incident`` at ``now`` (default the
    clock's now), in the bank's time zone."""
    return rules.clocks(facts_of(incident), now=now or clock.now(), zone=clock.bank_zone())


def _check(incident: Incident, problems: list[FieldProblem]) -> None:
    """Validate the incident as it would be saved; raise with every problem found."""
    if not incident.title.strip():
        problems.append(FieldProblem("title", "give the incident a title"))
    elif len(incident.title) > 200:
        problems.append(FieldProblem("title", "at most 200 characters"))
    if not incident.description.strip():
        problems.append(FieldProblem("description", "describe what happened (no customer data)"))
    elif len(incident.description) > 4000:
        problems.append(FieldProblem("description", "at most 4000 characters"))
    if incident.severity not in Incident.Severity.values:
        problems.append(FieldProblem("severity", f"must be one of {', '.join(Incident.Severity.values)}"))
    categories = incident.data_categories
    if not isinstance(categories, list) or not categories:
        problems.append(FieldProblem("data_categories", "name at least one category of data"))
    else:
        unknown = [c for c in categories if c not in rules.CATEGORIES]
        if unknown:
            allowed = ", ".join(rules.CATEGORIES)
            problems.append(FieldProblem("data_categories", f"unknown {', '.join(map(str, unknown))}; use {allowed}"))
        elif rules.involves_sensitive_information(categories) and not incident.sensitive_information:
            problems.append(
                FieldProblem("sensitive_information", "the data categories include sensitive customer information")
            )
    if len(incident.customer_notice_exemption) > 500:
        problems.append(FieldProblem("customer_notice_exemption", "at most 500 characters"))
    if incident.discovered_at is None:
        problems.append(FieldProblem("discovered_at", "say when the bank became aware of the incident"))
        raise ValidationFailed(problems)
    now = clock.now()
    for name in ("discovered_at", "determined_at"):
        value = getattr(incident, name)
        if value is not None and value.tzinfo is not None and value > now:
            problems.append(FieldProblem(name, "cannot be in the future"))
    facts = rules.IncidentFacts(
        discovered_at=incident.discovered_at,
        determined_at=incident.determined_at,
        customer_target_hours=incident.customer_target_hours,
        regulator_notified_at=incident.regulator_notified_at,
    )
    problems += [FieldProblem(f, m) for f, m in rules.problems(facts)]
    if problems:
        raise ValidationFailed(problems)


def _writable(actor: User, incident: Incident) -> Incident:
    """The incident re-read under a row lock (two officers' writes to one incident are
    serialized), after checking the permission and that it is not closed."""
    require(actor, Perm.PRIVACY_MANAGE)
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status == Incident.Status.CLOSED:
        raise ValidationFailed([FieldProblem("status", "the incident is closed")])
    return locked


def _touch(incident: Incident) -> None:
    incident.updated_at = clock.now()
    incident.version += 1
    incident.save()


@transaction.atomic
def open_incident(
    *,
    actor: User,
    title: str,
    description: str,
    discovered_at: dt.datetime,
    severity: str,
    data_categories: list[str],
    sensitive_information: bool | None = None,
    reg_sp_applies: bool = False,
    determined_at: dt.datetime | None = None,
    customer_target_hours: int = rules.DEFAULT_CUSTOMER_TARGET_HOURS,
) -> Incident:
    """Register an incident.

    Args:
        discovered_at: when the bank became aware (starts the customer clocks).
        determined_at: when it was determined to be a notification incident (starts the
            regulator's 36 hours), if already known.
        data_categories: codes from :data:`bankcrm.privacy.incident_rules.CATEGORIES`.
        sensitive_information: None derives it from the categories; False is refused when a
            category is sensitive.
        reg_sp_applies: customers of a broker-dealer affiliate are affected (SEC Reg S-P).
        customer_target_hours: the internal "as soon as possible" target, 1..720 hours.

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
        ValidationFailed: naming each bad field (empty title or description, unknown severity
            or category, naive or future times, determination before discovery, target out of
            range); nothing is written.
    """
    require(actor, Perm.PRIVACY_MANAGE)
    categories = list(dict.fromkeys(data_categories))
    if sensitive_information is None:
        sensitive_information = rules.involves_sensitive_information(categories)
    incident = Incident(
        title=title.strip(),
        description=description.strip(),
        discovered_at=discovered_at,
        determined_at=determined_at,
        severity=severity,
        data_categories=categories,
        sensitive_information=sensitive_information,
        reg_sp_applies=reg_sp_applies,
        customer_target_hours=customer_target_hours,
        opened_by=actor,
    )
    _check(incident, [])
    incident.save()
    audit.record(
        actor=actor,
        action="privacy.incident.open",
        subject_type="incident",
        subject_id=str(incident.pk),
        payload={
            "severity": severity,
            "categories": categories,
            "sensitive": sensitive_information,
            "reg_sp": reg_sp_applies,
            "determined": determined_at is not None,
        },
    )
    return incident


@transaction.atomic
def update_incident(
    *,
    actor: User,
    incident: Incident,
    expected_version: int | None = None,
    title: str = UNSET,
    description: str = UNSET,
    severity: str = UNSET,
    data_categories: list[str] = UNSET,
    sensitive_information: bool = UNSET,
    reg_sp_applies: bool = UNSET,
    determined_at: dt.datetime | None = UNSET,
    customer_target_hours: int = UNSET,
    customer_notice_exemption: str = UNSET,
    status: str = UNSET,
) -> Incident:
    """Change the given fields of an open incident (arguments left out stay as they are).
    ``status`` may move to ``contained`` here; closing is :func:`close_incident`.

    Returns:
        The updated incident (version incremented when anything changed).

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
        Conflict: ``expected_version`` is not the stored version (someone else changed it).
        ValidationFailed: the incident is closed, a status change is not allowed, or a field is
            invalid (as :func:`open_incident`); nothing changes.
    """
    incident = _writable(actor, incident)
    if expected_version is not None and expected_version != incident.version:
        raise Conflict(f"incident {incident.pk}: version {expected_version} is stale (now {incident.version})")
    given = {
        "title": title.strip() if isinstance(title, str) else title,
        "description": description.strip() if isinstance(description, str) else description,
        "severity": severity,
        "data_categories": list(dict.fromkeys(data_categories))
        if isinstance(data_categories, list)
        else data_categories,
        "sensitive_information": sensitive_information,
        "reg_sp_applies": reg_sp_applies,
        "determined_at": determined_at,
        "customer_target_hours": customer_target_hours,
        "customer_notice_exemption": customer_notice_exemption.strip()
        if isinstance(customer_notice_exemption, str)
        else customer_notice_exemption,
    }
    if (
        sensitive_information is UNSET
        and isinstance(data_categories, list)
        and rules.involves_sensitive_information(data_categories)
    ):
        given["sensitive_information"] = True
    changed = [name for name, value in given.items() if value is not UNSET and getattr(incident, name) != value]
    for name in changed:
        setattr(incident, name, given[name])
    problems: list[FieldProblem] = []
    if status is not UNSET and status != incident.status:
        if status != Incident.Status.CONTAINED or status not in TRANSITIONS[Incident.Status(incident.status)]:
            problems.append(FieldProblem("status", f"cannot change from {incident.status} to {status} here"))
        else:
            incident.status = status
            changed.append("status")
    _check(incident, problems)
    if changed:
        _touch(incident)
        audit.record(
            actor=actor,
            action="privacy.incident.update",
            subject_type="incident",
            subject_id=str(incident.pk),
            payload={"fields": changed},
        )
    return incident


@transaction.atomic
def add_affected_parties(*, actor: User, incident: Incident, parties: Iterable[Party]) -> int:
    """Link ``parties`` to the incident (parties already linked are left alone).

    Returns:
        How many were added.

    Raises:
        PermissionDenied, ValidationFailed: as :func:`update_incident` (closed incident).
    """
    incident = _writable(actor, incident)
    present = set(incident.affected.values_list("party_id", flat=True))
    new = [p for p in dict.fromkeys(parties) if p.pk not in present]
    IncidentParty.objects.bulk_create(IncidentParty(incident=incident, party=p, added_by=actor) for p in new)
    if new:
        _touch(incident)
        audit.record(
            actor=actor,
            action="privacy.incident.parties.add",
            subject_type="incident",
            subject_id=str(incident.pk),
            payload={"added": len(new), "parties": [str(p.pk) for p in new[:50]]},
        )
    return len(new)


@transaction.atomic
def remove_affected_party(*, actor: User, incident: Incident, party: Party) -> None:
    """Unlink a party added by mistake.

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
        ValidationFailed: the incident is closed; the party is not linked (field ``party``); the
            party was already notified (field ``party``: the notice stays on record).
    """
    incident = _writable(actor, incident)
    link = incident.affected.filter(party=party).first()
    if link is None:
        raise ValidationFailed([FieldProblem("party", "is not an affected party of this incident")])
    if link.notified_at is not None:
        raise ValidationFailed([FieldProblem("party", "was already notified; the notice stays on record")])
    link.delete()
    _touch(incident)
    audit.record(
        actor=actor,
        action="privacy.incident.parties.remove",
        subject_type="incident",
        subject_id=str(incident.pk),
        payload={"party": str(party.pk)},
    )


def _notice_time(incident: Incident, at: dt.datetime | None, field: str) -> dt.datetime:
    at = at or clock.now()
    if at.tzinfo is None:
        raise ValidationFailed([FieldProblem(field, "must be timezone-aware")])
    if at > clock.now():
        raise ValidationFailed([FieldProblem(field, "cannot be in the future")])
    if at < incident.discovered_at:
        raise ValidationFailed([FieldProblem(field, "cannot be before the incident was discovered")])
    return at


@transaction.atomic
def record_regulator_notice(
    *, actor: User, incident: Incident, regulator: str, notified_at: dt.datetime | None = None, reference: str = ""
) -> Incident:
    """Record that the bank's primary federal regulator was notified (stops the 36-hour clock).

    Args:
        regulator: who was notified, e.g. "OCC", "FDIC", "Federal Reserve".
        notified_at: when (default now); reference: the regulator's case or e-mail reference.

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
        ValidationFailed: closed incident; no regulator named; a time that is naive, in the
            future or before discovery (field ``notified_at``); a notice already recorded.
    """
    incident = _writable(actor, incident)
    if incident.regulator_notified_at is not None:
        raise ValidationFailed([FieldProblem("notified_at", "the regulator notice is already recorded")])
    if not regulator.strip() or len(regulator.strip()) > 64:
        raise ValidationFailed([FieldProblem("regulator", "name the regulator notified (at most 64 characters)")])
    if len(reference) > 100:
        raise ValidationFailed([FieldProblem("reference", "at most 100 characters")])
    incident.regulator_notified_at = _notice_time(incident, notified_at, "notified_at")
    incident.regulator, incident.regulator_reference = regulator.strip(), reference.strip()
    _touch(incident)
    regulator_clock = clocks_of(incident)[0]
    audit.record(
        actor=actor,
        action="privacy.incident.regulator_notice",
        subject_type="incident",
        subject_id=str(incident.pk),
        payload={
            "regulator": incident.regulator,
            "notified_at": incident.regulator_notified_at.isoformat(),
            "clock": regulator_clock.state.value,
        },
    )
    return incident


@transaction.atomic
def record_customer_notices(
    *,
    actor: User,
    incident: Incident,
    channel: str,
    notified_at: dt.datetime | None = None,
    parties: Iterable[Party] | None = None,
) -> int:
    """Record that affected parties were notified (default: every party not yet notified).

    Returns:
        How many parties were newly recorded as notified (0 when all already were).

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
        ValidationFailed: closed incident; unknown channel; a bad time (field ``notified_at``);
            a party that is not affected (field ``parties``).
    """
    incident = _writable(actor, incident)
    if channel not in CHANNELS:
        raise ValidationFailed([FieldProblem("channel", f"must be one of {', '.join(CHANNELS)}")])
    at = _notice_time(incident, notified_at, "notified_at")
    pending = incident.affected.filter(notified_at__isnull=True)
    if parties is not None:
        ids = {p.pk for p in parties}
        unknown = ids - set(incident.affected.values_list("party_id", flat=True))
        if unknown:
            raise ValidationFailed([FieldProblem("parties", f"{len(unknown)} party(ies) are not affected parties")])
        pending = pending.filter(party_id__in=ids)
    count = pending.update(notified_at=at, notice_channel=channel)
    if count:
        _touch(incident)
        audit.record(
            actor=actor,
            action="privacy.incident.customer_notice",
            subject_type="incident",
            subject_id=str(incident.pk),
            payload={
                "notified": count,
                "channel": channel,
                "outstanding": incident.affected.filter(notified_at__isnull=True).count(),
            },
        )
    return count


@transaction.atomic
def close_incident(*, actor: User, incident: Incident, resolution: str) -> Incident:
    """Close an incident once no notice is still owed.

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
        ValidationFailed: already closed; no resolution (field ``resolution``); a clock still
            open: the regulator notice (field ``regulator_notified_at``) or customer notices
            (field ``customer_notices``) not yet recorded. Nothing changes.
    """
    incident = _writable(actor, incident)
    problems: list[FieldProblem] = []
    if not resolution.strip():
        problems.append(FieldProblem("resolution", "say how the incident was resolved"))
    for c in clocks_of(incident):
        if c.open and c.kind == rules.ClockKind.REGULATOR:
            problems.append(FieldProblem("regulator_notified_at", "record the regulator notice first"))
        elif c.open and not any(p.field == "customer_notices" for p in problems):
            problems.append(FieldProblem("customer_notices", "record the notices to every affected customer first"))
    if problems:
        raise ValidationFailed(problems)
    incident.status = Incident.Status.CLOSED
    incident.closed_at = clock.now()
    incident.resolution = resolution.strip()[:4000]
    _touch(incident)
    audit.record(
        actor=actor,
        action="privacy.incident.close",
        subject_type="incident",
        subject_id=str(incident.pk),
        payload={"clocks": {c.kind.value: c.state.value for c in clocks_of(incident)}},
    )
    return incident


@transaction.atomic
def acknowledge_reminder(*, actor: User, reminder: IncidentReminder) -> IncidentReminder:
    """Take a reminder off the list of due items (acknowledging twice keeps the first time).

    Raises:
        PermissionDenied: the actor lacks ``privacy:manage``.
    """
    require(actor, Perm.PRIVACY_MANAGE)
    if reminder.acknowledged_at is None:
        reminder.acknowledged_at, reminder.acknowledged_by = clock.now(), actor
        reminder.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit.record(
            actor=actor,
            action="privacy.incident.reminder.acknowledge",
            subject_type="incident",
            subject_id=str(reminder.incident_id),
            payload={"reminder": reminder.pk, "clock": reminder.kind, "slot": reminder.slot},
        )
    return reminder


def remind_deadlines(*, now: dt.datetime | None = None) -> list[IncidentReminder]:
    """Record a reminder for every open clock of every incident not closed whose reminder slot
    (12 h / 4 h / at the deadline for the regulator; see
    :data:`bankcrm.privacy.incident_rules.REMINDER_LEADS`) has come, with an audit event each.
    Idempotent: one reminder per incident, clock, slot and deadline, even with concurrent runs.

    Returns:
        The reminders created by this run.
    """
    now = now or clock.now()
    created: list[IncidentReminder] = []
    for incident in Incident.objects.exclude(status=Incident.Status.CLOSED).order_by("discovered_at"):
        for c in clocks_of(incident, now=now):
            slot = rules.reminder_slot(c, now=now)
            if slot is None or c.due_at is None:
                continue
            name, _at = slot
            key = {"incident": incident, "kind": c.kind.value, "slot": name, "due_at": c.due_at}
            if IncidentReminder.objects.filter(**key).exists():
                continue
            try:
                with transaction.atomic():
                    reminder = IncidentReminder.objects.create(**key, created_at=now)
                    audit.record(
                        actor=None,
                        action="privacy.incident.reminder",
                        subject_type="incident",
                        subject_id=str(incident.pk),
                        payload={
                            "clock": c.kind.value,
                            "slot": name,
                            "due_at": c.due_at.isoformat(),
                            "state": c.state.value,
                        },
                    )
            except IntegrityError:
                continue  # another run recorded it first
            created.append(reminder)
    return created
