"""Console privacy screens: the privacy desk (incidents, due reminders, request queue), one
incident, and one party's privacy page with its forms. The permission matrix is generated from
ROLE_PERMISSIONS and the permission each screen declares."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from bankcrm.audit.models import AuditEvent
from bankcrm.authz.permissions import ROLE_PERMISSIONS, Perm, Role
from bankcrm.core import clock
from bankcrm.parties.models import ContactPoint, Party
from bankcrm.parties.services import assign_relationship_manager
from bankcrm.privacy import corrections, deletion, incidents
from bankcrm.privacy.models import Consent, DataRequest, Incident, IncidentReminder, LegalHold
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
STAFF_ROLES = [r for r in Role if r != Role.CUSTOMER]
TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "bankcrm" / "console" / "templates" / "console"
MY_TEMPLATES = ["privacy_desk.html", "incident.html", "party_privacy.html", "_consents.html", "_clocks.html"]


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=clock.bank_zone())  # type: ignore[misc]


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    return make_staff("privacy-con", ["privacy_officer"])


@pytest.fixture
def open_incident(officer) -> Incident:  # type: ignore[no-untyped-def]
    return incidents.open_incident(
        actor=officer,
        title="Lost backup tape",
        description="A courier lost a backup tape of the statement archive.",
        discovered_at=clock.now() - dt.timedelta(hours=40),
        determined_at=clock.now() - dt.timedelta(hours=30),
        severity="critical",
        data_categories=["name", "account_number"],
    )


# --- generated permission matrix -------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    name: str
    method: str
    path: str  # {party}, {incident}
    perm: Perm
    body: dict[str, str] | None = None


SCREENS = [
    Screen("desk", "GET", "/privacy/", Perm.PRIVACY_READ),
    Screen("incident", "GET", "/privacy/incidents/{incident}/", Perm.PRIVACY_READ),
    Screen("party privacy", "GET", "/parties/{party}/privacy/", Perm.PARTIES_READ),
    Screen(
        "record consent",
        "POST",
        "/parties/{party}/privacy/consents/",
        Perm.PRIVACY_REQUEST,
        {"purpose": "do_not_call", "channel": "", "status": "granted", "source": "phone"},
    ),
    Screen(
        "open incident",
        "POST",
        "/privacy/incidents/",
        Perm.PRIVACY_MANAGE,
        {
            "title": "t",
            "description": "d",
            "severity": "low",
            "categories": "email",
            "discovered_at": "1998-12-01T09:00",
            "customer_target_hours": "72",
        },
    ),
    Screen("place hold", "POST", "/parties/{party}/privacy/holds/", Perm.PRIVACY_MANAGE, {"reason": "Subpoena 1"}),
]


def _expected(role: Role, screen: Screen) -> bool:
    return screen.perm in ROLE_PERMISSIONS[role]


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
def test_privacy_screen_matrix(client: Client, client_3687: Party, officer, role: Role, screen: Screen) -> None:  # type: ignore[no-untyped-def]
    incident = incidents.open_incident(
        actor=officer,
        title="Matrix incident",
        description="Matrix.",
        discovered_at=clock.now() - dt.timedelta(hours=1),
        severity="low",
        data_categories=["email"],
    )
    user = make_staff(f"m-{role.value}", [role.value], is_superuser=role == Role.ADMINISTRATOR)
    if role == Role.RELATIONSHIP_MANAGER:  # sees only the book: put the party in it
        assign_relationship_manager(actor=None, manager=user, parties=Party.objects.filter(pk=client_3687.pk))
    client.force_login(user)
    path = screen.path.format(party=client_3687.pk, incident=incident.pk)
    before = (Incident.objects.count(), Consent.objects.count(), LegalHold.objects.count())
    response = client.post(path, screen.body) if screen.method == "POST" else client.get(path)
    after = (Incident.objects.count(), Consent.objects.count(), LegalHold.objects.count())
    if _expected(role, screen):
        assert response.status_code in {200, 303}, (role, screen.name, response.status_code)
        assert (after != before) is (screen.method == "POST")
    else:
        assert response.status_code in {403, 404}, (role, screen.name, response.status_code)
        assert after == before
        assert "Matrix incident" not in response.content.decode()


def test_anonymous_users_go_to_sign_in(client: Client) -> None:
    for path in ("/privacy/", f"/privacy/incidents/{uuid.uuid4()}/", f"/parties/{uuid.uuid4()}/privacy/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- the desk and one incident ---------------------------------------------------------------


def test_desk_shows_clocks_reminders_and_the_request_queue(
    client: Client, officer, open_incident: Incident, client_3687: Party
) -> None:  # type: ignore[no-untyped-def]
    agent = make_staff("desk-agent", ["call_centre_agent"])
    request = corrections.request_correction(
        actor=agent, party=client_3687, field="phone", proposed_value="+420 777 000 111", channel="phone"
    )
    incidents.remind_deadlines()  # determined 30 hours ago: the 12-hour regulator reminder is due
    client.force_login(officer)
    html = client.get("/privacy/").content.decode()
    assert "Lost backup tape" in html and "Critical" in html
    assert 'data-clock="regulator"' in html and "running" in html
    assert "12 hours before the deadline" in html and "Acknowledge" in html
    assert "+420 777 000 111" in html and f"/privacy/requests/{request.pk}/decide/" in html
    assert 'href="/privacy/"' in html  # the navigation link

    auditor = make_staff("desk-auditor", ["auditor"])
    client.force_login(auditor)
    html = client.get("/privacy/").content.decode()
    assert "Lost backup tape" in html
    assert "+420 777 000 111" not in html and "Register incident" not in html and "Acknowledge" not in html


def test_acknowledging_a_reminder_over_htmx_removes_the_row(client: Client, officer, open_incident: Incident) -> None:  # type: ignore[no-untyped-def]
    reminder = incidents.remind_deadlines()[0]
    client.force_login(officer)
    response = client.post(f"/privacy/reminders/{reminder.pk}/acknowledge/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert IncidentReminder.objects.get(pk=reminder.pk).acknowledged_by == officer
    assert client.post("/privacy/reminders/999999/acknowledge/").status_code == 404


def test_opening_an_incident_from_the_desk(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer)
    bad = client.post("/privacy/incidents/", {"title": "", "description": "", "severity": "low", "discovered_at": ""})
    assert bad.status_code == 422
    assert "discovered_at" in bad.content.decode() and not Incident.objects.exists()
    with clock.frozen(at(2024, 6, 10, 12, 0)):
        response = client.post(
            "/privacy/incidents/",
            {
                "title": "Misdirected mail",
                "description": "Statements posted to old addresses.",
                "severity": "medium",
                "categories": ["name", "address", "account_number"],
                "discovered_at": "2024-06-07T17:00",
                "customer_target_hours": "48",
                "reg_sp_applies": "on",
            },
        )
    incident = Incident.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/privacy/incidents/{incident.pk}/"
    assert incident.discovered_at == at(2024, 6, 7, 17, 0)  # a local time in the bank's zone
    assert (incident.sensitive_information, incident.reg_sp_applies, incident.customer_target_hours) == (True, True, 48)
    with clock.frozen(at(2024, 6, 10, 12, 0)):
        page = client.get(response["Location"]).content.decode()
    # Reg S-P: 30 calendar days after Friday 7 June 17:00 is Sunday 7 July 17:00.
    assert "Sun 2024-07-07 17:00" in page and "17 CFR 248.30" in page
    assert "waiting for the determination" in page


def test_working_an_incident_to_closure(client: Client, officer, open_incident: Incident, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer)
    base = f"/privacy/incidents/{open_incident.pk}/"
    missing = client.post(base + "parties/", {"parties": "client:3687\nclient:99999999"})
    assert missing.status_code == 422 and "client:99999999" in missing.content.decode()
    assert client.post(base + "parties/", {"parties": f"client:3687\n{client_3687.pk}"}).status_code == 303
    assert list(open_incident.affected.values_list("party_id", flat=True)) == [client_3687.pk]
    refused = client.post(base + "close/", {"resolution": "Done"})
    assert refused.status_code == 422 and "regulator_notified_at" in refused.content.decode()
    assert client.post(base + "regulator-notice/", {"regulator": "OCC", "reference": "R-1"}).status_code == 303
    assert client.post(base + "customer-notices/", {"channel": "post"}).status_code == 303
    stale = client.post(
        base + "update/", {"version": "1", "severity": "low", "customer_target_hours": "72", "determined_at": ""}
    )
    assert stale.status_code == 409
    assert client.post(base + "close/", {"resolution": "Tape recovered; customers told."}).status_code == 303
    open_incident.refresh_from_db()
    assert open_incident.status == "closed" and open_incident.regulator == "OCC"
    page = client.get(base).content.decode()
    assert "Close incident" not in page and "<td>met</td>" in page


def test_update_records_the_determination(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(at(2024, 6, 8, 9, 0)):
        incident = incidents.open_incident(
            actor=officer,
            title="Phishing",
            description="Credentials phished.",
            discovered_at=at(2024, 6, 7, 8, 0),
            severity="high",
            data_categories=["credentials"],
        )
        client.force_login(officer)
        response = client.post(
            f"/privacy/incidents/{incident.pk}/update/",
            {"version": "1", "severity": "high", "customer_target_hours": "24", "determined_at": "2024-06-07T17:00"},
        )
        assert response.status_code == 303
        page = client.get(f"/privacy/incidents/{incident.pk}/").content.decode()
    assert "Sun 2024-06-09 05:00" in page  # Friday 17:00 + 36 hours
    assert AuditEvent.objects.get(action="privacy.incident.update").payload == {
        "fields": ["determined_at", "customer_target_hours"]
    }


# --- one party's privacy page ------------------------------------------------------------------


def test_party_page_for_an_agent_shows_consents_but_not_holds(client: Client, client_3687: Party) -> None:
    agent = make_staff("pp-agent", ["call_centre_agent"])
    client.force_login(agent)
    html = client.get(f"/parties/{client_3687.pk}/privacy/").content.decode()
    assert "Consents and opt-outs" in html and "Record choice" in html and "Record request" in html
    assert "Legal holds" not in html
    page360 = client.get(f"/parties/{client_3687.pk}/").content.decode()
    assert f'href="/parties/{client_3687.pk}/privacy/"' in page360


def test_recording_a_consent_over_htmx_and_plain_post(client: Client, client_3687: Party) -> None:
    agent = make_staff("pp-agent2", ["call_centre_agent"])
    client.force_login(agent)
    url = f"/parties/{client_3687.pk}/privacy/consents/"
    fragment = client.post(
        url,
        {"purpose": "marketing", "channel": "email", "status": "granted", "source": "phone"},
        HTTP_HX_REQUEST="true",
    )
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body and 'id="consents"' in body
    assert "email: yes" in body
    bad = client.post(url, {"purpose": "marketing", "channel": "", "status": "granted", "source": "phone"})
    assert bad.status_code == 422 and "channel" in bad.content.decode()
    plain = client.post(url, {"purpose": "do_not_call", "channel": "", "status": "granted", "source": "branch"})
    assert plain.status_code == 303 and plain["Location"].endswith("/privacy/#consent-h")
    consent = Consent.objects.order_by("-id").first()
    assert consent is not None and (consent.purpose, consent.source, consent.recorded_by) == (
        "do_not_call",
        "branch",
        agent,
    )


def test_correction_from_the_party_page_decided_on_the_desk(client: Client, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    agent = make_staff("pp-agent3", ["branch_agent"])
    client.force_login(agent)
    url = f"/parties/{client_3687.pk}/privacy/corrections/"
    bad = client.post(url, {"field": "email", "proposed_value": "nope", "channel": "branch"})
    assert bad.status_code == 422 and "proposed_value" in bad.content.decode()
    assert (
        client.post(url, {"field": "email", "proposed_value": "new@example.com", "channel": "branch"}).status_code
        == 303
    )
    request = DataRequest.objects.get(kind="correction")
    assert client.post(f"/privacy/requests/{request.pk}/decide/", {"decision": "approve"}).status_code == 403
    client.force_login(officer)
    rejected = client.post(f"/privacy/requests/{request.pk}/decide/", {"decision": "reject", "reason": ""})
    assert rejected.status_code == 422 and "reason" in rejected.content.decode()
    approved = client.post(f"/privacy/requests/{request.pk}/decide/", {"decision": "approve"})
    assert approved.status_code == 303
    assert ContactPoint.objects.get(party=client_3687, kind="email").value == "new@example.com"
    html = client.get(f"/parties/{client_3687.pk}/privacy/").content.decode()
    assert "Completed" in html


def test_placing_and_releasing_a_legal_hold(client: Client, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer)
    base = f"/parties/{client_3687.pk}/privacy/holds/"
    assert client.post(base, {"reason": " "}).status_code == 422
    assert client.post(base, {"reason": "Subpoena 98-3"}).status_code == 303
    hold = LegalHold.objects.get(party=client_3687)
    html = client.get(f"/parties/{client_3687.pk}/privacy/").content.decode()
    assert "Subpoena 98-3" in html and "active" in html
    other = deletion.place_legal_hold(
        actor=officer, party=Party.objects.get(source_system="berka", source_id="client:692"), reason="Other"
    )
    assert client.post(f"{base}{other.pk}/release/").status_code == 404  # not this party's hold
    assert client.post(f"{base}{hold.pk}/release/").status_code == 303
    hold.refresh_from_db()
    assert hold.released_at is not None


# --- conventions -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MY_TEMPLATES)
def test_templates_have_no_inline_script_or_style(name: str) -> None:
    text = (TEMPLATES / name).read_text()
    assert "<script" not in text and "<style" not in text and " style=" not in text
    assert not re.search(r"\son[a-z]+=", text)


def test_the_desk_is_translated(client: Client, officer) -> None:  # type: ignore[no-untyped-def]
    client.force_login(officer)
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="es")
    html = response.content.decode()
    assert response.status_code == 200 and "Cerrar sesión" in html and "Mesa de privacidad" in html
    assert "Privacy desk" not in html
    assert "隐私工作台" in client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_desk_masks_a_proposed_date_of_birth(client: Client, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    agent = make_staff("desk-dob", ["branch_agent"])
    corrections.request_correction(
        actor=agent, party=client_3687, field="date_of_birth", proposed_value="1961-07-04", channel="branch"
    )
    client.force_login(officer)
    html = client.get("/privacy/").content.decode()
    assert "1961-••-••" in html and "1961-07-04" not in html
