"""The privacy screens in a real browser under the console's Content-Security-Policy: the privacy
desk, an incident, a party's privacy page with the htmx consent form and reminder button; every
page passes axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.e2e.conftest import axe_violations

from bankcrm.core import clock
from bankcrm.identity import mfa
from bankcrm.identity import services as identity
from bankcrm.privacy import corrections, incidents
from bankcrm.privacy.models import Consent, IncidentReminder

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "a long passphrase for the privacy test"


@pytest.fixture
def officer(bank):  # type: ignore[no-untyped-def]
    user = identity.create_user(actor=None, username="privacy.dvorak", password=PASSWORD, roles=["privacy_officer"])
    mfa.enrol_totp(actor=None, user=user)
    return user


def _sign_in(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.fill("input[name=code]", mfa.current_code(mfa.totp_secret(user)))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_privacy_screens_in_the_browser(page: Any, live_server: Any, officer: Any, client_3687: Any) -> None:
    agent = identity.create_user(actor=None, username="cc.agent", password=PASSWORD, roles=["call_centre_agent"])
    incident = incidents.open_incident(
        actor=officer,
        title="Statement archive exposed",
        description="A misconfigured share exposed statement PDFs.",
        discovered_at=clock.now() - dt.timedelta(hours=40),
        determined_at=clock.now() - dt.timedelta(hours=30),
        severity="high",
        data_categories=["name", "account_number"],
    )
    incidents.add_affected_parties(actor=officer, incident=incident, parties=[client_3687])
    incidents.remind_deadlines()
    corrections.request_correction(
        actor=agent, party=client_3687, field="phone", proposed_value="+420 602 111 222", channel="phone"
    )
    base = live_server.url
    _sign_in(page, base, officer)

    page.click("text=Privacy")
    page.wait_for_url(f"{base}/privacy/")
    assert page.get_by_role("heading", name="Privacy desk").is_visible()
    assert page.get_by_text("+420 602 111 222").is_visible()
    assert axe_violations(page) == []
    reminder = IncidentReminder.objects.get()
    page.click(f"#reminder-{reminder.pk} button")
    page.wait_for_selector(f"#reminder-{reminder.pk}", state="detached")  # htmx removed the row
    reminder.refresh_from_db()
    assert reminder.acknowledged_by == officer

    page.click("text=Statement archive exposed")
    page.wait_for_url(f"{base}/privacy/incidents/{incident.pk}/")
    assert page.locator("tr[data-clock=regulator]").inner_text().count("running") == 1
    assert axe_violations(page) == []

    page.goto(f"{base}/parties/{client_3687.pk}/")
    page.click("#party-privacy")
    page.wait_for_url(f"{base}/parties/{client_3687.pk}/privacy/")
    assert axe_violations(page) == []
    page.select_option("#con-purpose", "marketing")
    page.select_option("#con-channel", "sms")
    page.select_option("#con-status", "granted")
    page.select_option("#con-source", "phone")
    page.click("text=Record choice")
    page.wait_for_selector("text=sms: yes")  # the htmx fragment replaced the consents block
    assert Consent.objects.get(party=client_3687).channel == "sms"
    assert page.url == f"{base}/parties/{client_3687.pk}/privacy/"
    assert axe_violations(page) == []
