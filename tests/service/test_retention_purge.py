"""The scheduled retention purge: former customers whose CIP period has ended are anonymized and
crypto-shredded (deletion.py's rules), legal holds block it, one audit event per batch, re-runs
change nothing, and a dry run writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from tests.conftest import make_staff
from typer.testing import CliRunner

from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock, scheduler
from bankcrm.core.models import ScheduledRun
from bankcrm.holdings.models import Account
from bankcrm.parties.models import Party
from bankcrm.privacy import deletion, retention, tasks
from bankcrm.privacy.models import DataRequest

pytestmark = pytest.mark.django_db
TODAY = dt.date(1998, 12, 31)


def _close_accounts(party: Party, on: dt.date) -> None:
    Account.objects.filter(roles__party=party).update(status=Account.Status.CLOSED, closed_on=on)


@pytest.fixture
def former(client_3687: Party) -> Party:
    """Client 3687 and household member 3688 share account 3050; all their accounts closed in 1992."""
    _close_accounts(client_3687, dt.date(1992, 6, 30))
    _close_accounts(Party.objects.get(source_system="berka", source_id="client:3688"), dt.date(1992, 6, 30))
    return client_3687


def _expired_ids() -> set[str]:
    return set(retention.purge_expired(dry_run=True, today=TODAY).expired)


def _purge_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="privacy.retention.purge").order_by("sequence"))


def test_dry_run_lists_expired_parties_and_writes_nothing(former: Party) -> None:
    household = Party.objects.get(source_system="berka", source_id="client:3688")
    events = AuditEvent.objects.count()
    report = retention.purge_expired(dry_run=True, today=TODAY)
    assert set(report.expired) == {str(former.pk), str(household.pk)}
    assert (report.purged, report.held, report.batches) == ([], [], 0)
    assert AuditEvent.objects.count() == events and not DataRequest.objects.exists()
    former.refresh_from_db()
    assert not former.legal_name.startswith("Erased")


def test_purge_anonymizes_with_one_event_per_batch_and_is_idempotent(former: Party) -> None:
    household = Party.objects.get(source_system="berka", source_id="client:3688")
    report = retention.purge_expired(today=TODAY, batch_size=1)
    assert sorted(report.purged) == sorted([str(former.pk), str(household.pk)]) and report.batches == 2
    for party in (former, household):
        party.refresh_from_db()
        assert party.legal_name == f"Erased party {str(party.pk)[:8]}"
        assert party.tax_id_encrypted is None and party.source_pii_encrypted is None
        assert not party.contact_points.exists() and not party.identity_documents.exists()
        request = DataRequest.objects.get(party=party)
        assert (request.kind, request.status, request.handled_by) == ("deletion", "completed", None)
        assert request.outcome["reason"] == retention.REASON and "legal_name" in request.outcome["erased"]
    events = _purge_events()
    assert [e.payload["parties"] for e in events] == [1, 1]
    assert {e.payload["ids"][0] for e in events} == {str(former.pk), str(household.pk)}
    assert events[0].actor_label == "system" and events[0].payload["rule"] == deletion.CIP_BASIS
    assert not AuditEvent.objects.filter(action="privacy.dsar.delete").exists()  # no per-party events

    again = retention.purge_expired(today=TODAY)
    assert (again.expired, again.purged, again.batches) == ([], [], 0)
    assert len(_purge_events()) == 2 and DataRequest.objects.count() == 2


def test_a_legal_hold_blocks_the_purge_until_released(former: Party) -> None:
    officer = make_staff("privacy-purge", ["privacy_officer"])
    hold = deletion.place_legal_hold(actor=officer, party=former, reason="Subpoena 98-12")
    report = retention.purge_expired(today=TODAY)
    assert report.held == [str(former.pk)] and str(former.pk) not in report.purged
    assert _purge_events()[0].payload["parties"] == 1  # the household member only
    former.refresh_from_db()
    assert not former.legal_name.startswith("Erased") and former.contact_points.count() == 3
    assert not DataRequest.objects.filter(party=former).exists()
    deletion.release_legal_hold(actor=officer, hold=hold)
    assert retention.purge_expired(today=TODAY).purged == [str(former.pk)]


def test_a_hold_placed_after_selection_is_still_honoured(former: Party, monkeypatch: pytest.MonkeyPatch) -> None:
    officer = make_staff("privacy-late", ["privacy_officer"])
    real = retention._held
    calls = {"n": 0}

    def held_later(ids: list[uuid.UUID]) -> set[uuid.UUID]:
        calls["n"] += 1
        if calls["n"] == 2:  # the re-check inside the batch: a hold arrived meanwhile
            deletion.place_legal_hold(actor=officer, party=former, reason="Late subpoena")
        return real(ids)

    monkeypatch.setattr(retention, "_held", held_later)
    report = retention.purge_expired(today=TODAY)
    assert str(former.pk) in report.held and str(former.pk) not in report.purged
    former.refresh_from_db()
    assert not former.legal_name.startswith("Erased")


def test_retention_not_over_keeps_the_party(client_3687: Party) -> None:
    # Open accounts: CIP records are kept while an account is open.
    assert _expired_ids() == set()
    # Closed on 1 July 1994: the 5 years end on 1 July 1999, after the as-of date.
    _close_accounts(client_3687, dt.date(1994, 7, 1))
    _close_accounts(Party.objects.get(source_system="berka", source_id="client:3688"), dt.date(1994, 7, 1))
    assert _expired_ids() == set()
    household = Party.objects.get(source_system="berka", source_id="client:3688")
    assert set(retention.purge_expired(today=dt.date(1999, 7, 1)).purged) == {str(client_3687.pk), str(household.pk)}


def test_parties_without_accounts_are_left_to_deletion_requests(db) -> None:  # type: ignore[no-untyped-def]
    Party.objects.create(kind="person", legal_name="Prospect", search_name="prospect")
    assert _expired_ids() == set()


def test_closed_on_29_february_ends_on_1_march(former: Party) -> None:
    _close_accounts(former, dt.date(1996, 2, 29))
    assert deletion.cip_retention_ends(former) == dt.date(2001, 3, 1)
    assert str(former.pk) not in retention.purge_expired(dry_run=True, today=dt.date(2001, 2, 28)).expired
    assert str(former.pk) in retention.purge_expired(dry_run=True, today=dt.date(2001, 3, 1)).expired


def test_scheduled_task_and_scheduler(former: Party) -> None:
    jobs = tuple(j for j in scheduler.JOBS if j.name.startswith("privacy."))
    assert {j.name for j in jobs} == {"privacy.remind_incident_deadlines", "privacy.purge_expired"}
    with clock.frozen(dt.datetime(1998, 12, 31, 3, 0, tzinfo=clock.bank_zone())):
        assert sorted(scheduler.run_due(jobs=jobs)) == sorted(j.name for j in jobs)  # tasks run inline in tests
        assert scheduler.run_due(jobs=jobs) == []  # same slot: not enqueued twice
        assert tasks.purge_expired.call() == {"expired": 0, "purged": 0, "held": 0}
    assert ScheduledRun.objects.filter(job="privacy.purge_expired").count() == 1
    assert len(_purge_events()) == 1
    former.refresh_from_db()
    assert former.legal_name.startswith("Erased party")


def test_cli_dry_run_then_purge(former: Party, monkeypatch: pytest.MonkeyPatch) -> None:
    from bankcrm import cli

    # Django is set up already; setting it up again would point logging at CliRunner's stream.
    monkeypatch.setattr(cli, "_setup", lambda: None)
    app = cli.app
    runner = CliRunner()
    with clock.frozen(dt.datetime(1998, 12, 31, 9, 0, tzinfo=clock.bank_zone())):
        dry = runner.invoke(app, ["privacy", "purge", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert f"{former.pk}  would purge" in dry.output
        assert "retention purge (dry run): 2 would be purged, 0 under legal hold, 0 batch(es) written" in dry.output
        assert not DataRequest.objects.exists()
        real = runner.invoke(app, ["privacy", "purge"])
        assert real.exit_code == 0, real.output
        assert "retention purge: 2 purged, 0 under legal hold, 1 batch(es) written" in real.output
    assert len(_purge_events()) == 1
