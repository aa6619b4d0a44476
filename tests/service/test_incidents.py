"""The incident register: open, update, affected parties, notices, close, and deadline reminders
(real database; the clock is frozen so deadlines are exact)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, ValidationFailed
from bankcrm.parties.models import Party
from bankcrm.privacy import incidents, tasks
from bankcrm.privacy.incident_rules import ClockKind, ClockState
from bankcrm.privacy.models import Incident, IncidentReminder

pytestmark = pytest.mark.django_db


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=clock.bank_zone())  # type: ignore[misc]


# Discovered Thursday 6 June 2024 10:00, determined a notification incident Friday 7 June 17:00:
# the regulator is due Sunday 9 June 05:00 (36 wall-clock hours; the weekend counts).
DISCOVERED = at(2024, 6, 6, 10, 0)
DETERMINED = at(2024, 6, 7, 17, 0)
REGULATOR_DUE = at(2024, 6, 9, 5, 0)


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    return make_staff("privacy-inc", ["privacy_officer"])


@pytest.fixture
def incident(officer) -> Incident:  # type: ignore[no-untyped-def]
    with clock.frozen(at(2024, 6, 7, 18, 0)):
        return incidents.open_incident(
            actor=officer,
            title="Statement e-mails sent to the wrong customers",
            description="A batch job mixed up recipients of the May statements.",
            discovered_at=DISCOVERED,
            determined_at=DETERMINED,
            severity="high",
            data_categories=["name", "account_number", "balances"],
            reg_sp_applies=True,
        )


def _states(incident: Incident, now: dt.datetime) -> dict[ClockKind, ClockState]:
    return {c.kind: c.state for c in incidents.clocks_of(incident, now=now)}


def test_open_derives_sensitive_information_and_starts_the_clocks(incident: Incident) -> None:
    assert incident.sensitive_information is True  # account numbers are sensitive customer information
    assert incident.customer_target_hours == 72
    regulator, target, reg_sp = incidents.clocks_of(incident, now=at(2024, 6, 8, 12, 0))
    assert (regulator.due_at, regulator.state) == (REGULATOR_DUE, ClockState.RUNNING)
    assert target.due_at == at(2024, 6, 9, 10, 0)  # 72 hours after discovery, a Sunday
    assert reg_sp.due_at == at(2024, 7, 6, 10, 0)  # 30 calendar days after discovery, a Saturday
    event = AuditEvent.objects.get(action="privacy.incident.open")
    assert event.subject_id == str(incident.pk)
    assert event.payload == {
        "severity": "high",
        "categories": ["name", "account_number", "balances"],
        "sensitive": True,
        "reg_sp": True,
        "determined": True,
    }
    assert "batch job" not in str(event.payload)


def test_bad_input_names_every_field_and_writes_nothing(officer) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at(2024, 6, 7, 18, 0)), pytest.raises(ValidationFailed) as caught:
        incidents.open_incident(
            actor=officer,
            title=" ",
            description="x",
            discovered_at=DISCOVERED,
            determined_at=at(2024, 6, 5, 0, 0),
            severity="dire",
            data_categories=["tax_id"],
            sensitive_information=False,
            customer_target_hours=0,
        )
    assert sorted(p.field for p in caught.value.problems) == [
        "customer_target_hours",
        "determined_at",
        "sensitive_information",
        "severity",
        "title",
    ]
    assert not Incident.objects.exists() and not AuditEvent.objects.filter(action__startswith="privacy.").exists()


def test_future_discovery_and_unknown_category_are_refused(officer) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at(2024, 6, 7, 18, 0)), pytest.raises(ValidationFailed) as caught:
        incidents.open_incident(
            actor=officer,
            title="t",
            description="d",
            discovered_at=at(2024, 6, 8, 0, 0),
            severity="low",
            data_categories=["gossip"],
        )
    assert {p.field for p in caught.value.problems} == {"discovered_at", "data_categories"}


@pytest.mark.parametrize("role", ["call_centre_agent", "auditor", "bsa_aml_officer"])
def test_only_privacy_officers_write_the_register(role: str) -> None:
    user = make_staff(f"u-{role}", [role])
    with pytest.raises(PermissionDenied):
        incidents.open_incident(
            actor=user,
            title="t",
            description="d",
            discovered_at=DISCOVERED,
            severity="low",
            data_categories=["email"],
        )


def test_update_names_changed_fields_and_refuses_a_stale_version(officer, incident: Incident) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at(2024, 6, 7, 19, 0)):
        updated = incidents.update_incident(
            actor=officer,
            incident=incident,
            expected_version=1,
            description="Recipients mixed up; 3 e-mails recalled.",
            customer_target_hours=48,
            status="contained",
        )
        assert (updated.version, updated.status, updated.customer_target_hours) == (2, "contained", 48)
        event = AuditEvent.objects.get(action="privacy.incident.update")
        assert event.payload == {"fields": ["description", "customer_target_hours", "status"]}
        with pytest.raises(Conflict):
            incidents.update_incident(actor=officer, incident=incident, expected_version=1, severity="low")
        with pytest.raises(ValidationFailed, match="status"):
            incidents.update_incident(actor=officer, incident=incident, status="closed")
    incident.refresh_from_db()
    assert incident.severity == "high"


def test_affected_parties_notices_and_closing(officer, incident: Incident, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    other = Party.objects.get(source_system="berka", source_id="client:3688")
    with clock.frozen(at(2024, 6, 8, 9, 0)):
        assert incidents.add_affected_parties(actor=officer, incident=incident, parties=[client_3687, other]) == 2
        assert incidents.add_affected_parties(actor=officer, incident=incident, parties=[client_3687]) == 0
        with pytest.raises(ValidationFailed) as caught:
            incidents.close_incident(actor=officer, incident=incident, resolution="Done")
        assert {p.field for p in caught.value.problems} == {"regulator_notified_at", "customer_notices"}
        incidents.record_regulator_notice(actor=officer, incident=incident, regulator="OCC", reference="OCC-24-1")
        with pytest.raises(ValidationFailed, match="already recorded"):
            incidents.record_regulator_notice(actor=officer, incident=incident, regulator="OCC")
        assert incidents.record_customer_notices(actor=officer, incident=incident, channel="post", parties=[other]) == 1
        with pytest.raises(ValidationFailed, match="already notified"):
            incidents.remove_affected_party(actor=officer, incident=incident, party=other)
    incident.refresh_from_db()
    states = _states(incident, at(2024, 6, 8, 9, 0))
    assert states[ClockKind.REGULATOR] == ClockState.MET
    assert states[ClockKind.CUSTOMER_TARGET] == ClockState.RUNNING  # one customer still to notify
    with clock.frozen(at(2024, 6, 10, 12, 0)):
        assert incidents.record_customer_notices(actor=officer, incident=incident, channel="email") == 1
        closed = incidents.close_incident(actor=officer, incident=incident, resolution="Customers and OCC notified.")
    assert closed.status == "closed" and closed.closed_at == at(2024, 6, 10, 12, 0)
    states = _states(closed, at(2024, 6, 10, 12, 0))
    # Notified Monday 12:00: after the 72-hour target (Sunday 10:00), within Reg S-P's 30 days.
    assert states[ClockKind.CUSTOMER_TARGET] == ClockState.MET_LATE and states[ClockKind.REG_SP] == ClockState.MET
    notice = AuditEvent.objects.get(action="privacy.incident.regulator_notice")
    assert notice.payload["clock"] == "met" and notice.payload["regulator"] == "OCC"
    assert AuditEvent.objects.filter(action="privacy.incident.customer_notice").count() == 2
    close = AuditEvent.objects.get(action="privacy.incident.close")
    assert close.payload == {"clocks": {"regulator": "met", "customer_target": "met_late", "reg_sp": "met"}}
    with pytest.raises(ValidationFailed, match="closed"):
        incidents.add_affected_parties(actor=officer, incident=closed, parties=[client_3687])


def test_notice_times_are_checked(officer, incident: Incident) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at(2024, 6, 8, 9, 0)):
        for when, message in ((at(2024, 6, 5, 0, 0), "before"), (at(2024, 6, 9, 0, 0), "future")):
            with pytest.raises(ValidationFailed, match=message):
                incidents.record_regulator_notice(actor=officer, incident=incident, regulator="OCC", notified_at=when)
        with pytest.raises(ValidationFailed, match="channel"):
            incidents.record_customer_notices(actor=officer, incident=incident, channel="pigeon")
    incident.refresh_from_db()
    assert incident.regulator_notified_at is None


def test_reminders_before_and_at_the_deadline_are_recorded_once(officer, incident: Incident) -> None:  # type: ignore[no-untyped-def]
    def run(now: dt.datetime) -> list[tuple[str, str]]:
        return [(r.kind, r.slot) for r in incidents.remind_deadlines(now=now)]

    assert run(at(2024, 6, 8, 9, 59)) == []
    # Saturday 17:00: 12 hours before the regulator's deadline, and past the customer target's
    # 24-hour reminder (Saturday 10:00): one reminder each.
    assert run(at(2024, 6, 8, 17, 0)) == [("regulator", "due-12h"), ("customer_target", "due-24h")]
    assert run(at(2024, 6, 8, 17, 15)) == []  # idempotent per clock and slot
    assert run(at(2024, 6, 9, 1, 0)) == [("regulator", "due-4h")]
    assert run(at(2024, 6, 9, 5, 0)) == [("regulator", "due")]
    assert run(at(2024, 6, 9, 5, 0)) == []
    events = AuditEvent.objects.filter(action="privacy.incident.reminder")
    assert events.count() == 4 and all(e.actor_label == "system" for e in events)
    reminder = IncidentReminder.objects.get(kind="regulator", slot="due")
    assert reminder.due_at == REGULATOR_DUE
    with clock.frozen(at(2024, 6, 9, 6, 0)):
        incidents.acknowledge_reminder(actor=officer, reminder=reminder)
        incidents.record_regulator_notice(actor=officer, incident=incident, regulator="OCC")
    assert reminder.acknowledged_at == at(2024, 6, 9, 6, 0)
    assert ("regulator", "due") not in run(at(2024, 6, 9, 7, 0))  # met: no more regulator reminders


def test_a_moved_deadline_gets_its_own_reminders(officer, incident: Incident) -> None:  # type: ignore[no-untyped-def]
    incidents.remind_deadlines(now=at(2024, 6, 8, 17, 0))
    with clock.frozen(at(2024, 6, 8, 17, 30)):
        incidents.update_incident(actor=officer, incident=incident, determined_at=at(2024, 6, 8, 9, 0))
    # Determined Saturday 09:00 now: due Sunday 21:00, its 12-hour reminder at Sunday 09:00.
    assert [(r.kind, r.slot) for r in incidents.remind_deadlines(now=at(2024, 6, 9, 9, 0))] == [
        ("regulator", "due-12h"),
        ("customer_target", "due-4h"),
    ]


def test_the_scheduled_task_records_reminders(incident: Incident) -> None:
    with clock.frozen(at(2024, 6, 9, 1, 0)):
        assert tasks.remind_incident_deadlines.call() == {"reminders": 2}
        assert tasks.remind_incident_deadlines.call() == {"reminders": 0}
