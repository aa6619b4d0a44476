"""The auditor's console view of the audit log: filters, verification, CSV export with step-up."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from bankcrm.audit.models import AuditEvent
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def auditor_client(db) -> Client:  # type: ignore[no-untyped-def]
    user = make_staff("auditor1", ["auditor"])
    client = Client()
    client.force_login(user)
    return client


def test_only_audit_readers_see_the_log(client: Client, agent_user, auditor_client: Client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    assert client.get("/audit/").status_code == 403
    page = auditor_client.get("/audit/")
    assert page.status_code == 200 and "identity.user.create" in page.content.decode()
    assert 'href="/audit/"' in page.content.decode()  # the menu shows it to auditors


def test_filters_by_action_and_actor(auditor_client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    page = auditor_client.get("/audit/", {"action": "mfa.added"}).content.decode()
    assert "identity.mfa.added" in page and "identity.user.create" not in page
    none = auditor_client.get("/audit/", {"actor": "nobody"}).content.decode()
    assert "No events match." in none
    bad = auditor_client.get("/audit/", {"from": "31/12/1998"}).content.decode()
    assert "from: enter the date as YYYY-MM-DD" in bad


def test_verify_button_reports_an_intact_chain(auditor_client: Client) -> None:
    fragment = auditor_client.post("/audit/verify/", HTTP_HX_REQUEST="true").content.decode()
    assert "Intact:" in fragment


def test_csv_export_needs_step_up_and_is_audited(auditor_client: Client) -> None:
    first = auditor_client.get("/audit/export.csv", {"action": "identity"})
    assert first.status_code == 302 and first.url.startswith("/accounts/reauthenticate/")
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    auditor_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    export = auditor_client.get("/audit/export.csv", {"action": "identity"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:4] == ["sequence", "occurred_at", "actor", "action"]
    assert len(rows) > 1 and all("identity" in r[3] for r in rows[1:])
    event = AuditEvent.objects.get(action="audit.export")
    assert event.payload["filters"] == {"action": "identity"} and event.payload["rows"] == len(rows) - 1
