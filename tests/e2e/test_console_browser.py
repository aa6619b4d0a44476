"""The main job in a real browser: sign in, find a real Berka client, open the 360 page, page
through transactions, log an interaction and see it on the timeline; every page passes axe-core's
WCAG 2.1 AA rules."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import override_settings
from tests.e2e.conftest import axe_violations

from bankcrm.identity import mfa
from bankcrm.identity import services as identity

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "a long passphrase for the browser test"


@pytest.fixture
def staff(bank):  # type: ignore[no-untyped-def]
    from bankcrm.parties.models import Party
    from bankcrm.parties.services import assign_relationship_manager

    user = identity.create_user(actor=None, username="rm.novak", password=PASSWORD, roles=["relationship_manager"])
    mfa.enrol_totp(actor=None, user=user)
    # The relationship manager's book: the household of account 3050 (clients 3687 and 3688).
    book = Party.objects.filter(source_system="berka", source_id__in=["client:3687", "client:3688"])
    assign_relationship_manager(actor=None, manager=user, parties=book)
    return user


def _sign_in(page: Any, base: str, user: Any) -> None:
    """Password, then the TOTP code: staff sign-in always takes both factors."""

    def password_step() -> None:
        page.goto(f"{base}/accounts/login/")
        assert axe_violations(page) == []
        page.fill("input[name=login]", "rm.novak")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/accounts/2fa/authenticate/")

    password_step()
    assert axe_violations(page) == []
    # Skipping the second factor: a protected page sends the browser back to the pending step.
    page.goto(f"{base}/parties/")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.fill("input[name=code]", mfa.current_code(mfa.totp_secret(user)))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@override_settings(BANKCRM_AS_OF=dt.date(1998, 12, 31))
def test_main_job_in_the_browser(page: Any, live_server: Any, staff: Any, client_3687: Any) -> None:
    base = live_server.url
    _sign_in(page, base, staff)
    assert page.get_by_text("Signed in as rm.novak").is_visible()
    assert axe_violations(page) == []

    # Search a real Berka client by its client id; htmx swaps the results in.
    page.click("text=Customers")
    page.fill("#q", "3687")
    page.wait_for_selector(f"#results a:has-text('{client_3687.legal_name}')")
    assert axe_violations(page) == []
    page.click(f"#results a:has-text('{client_3687.legal_name}')")
    page.wait_for_url(re.compile(rf"/parties/{client_3687.id}/$"))

    # The 360 page: accounts, loan, card, standing orders, household, transactions.
    assert page.locator("h1").inner_text().startswith(client_3687.legal_name)
    accounts = page.locator("section[aria-labelledby=acc-h]")
    assert "Current account (CZK)" in accounts.inner_text()
    assert "82,896.00 CZK" in page.locator("section[aria-labelledby=loan-h]").inner_text()
    assert "Classic" in page.locator("section[aria-labelledby=card-h]").inner_text()
    assert "household" in page.locator("section[aria-labelledby=rel-h]").inner_text()
    assert axe_violations(page) == []

    rows = page.locator("#transactions tbody tr")
    assert rows.count() == 25
    newest_first = rows.first.locator("td").first.inner_text()
    page.click("#txn-older")
    page.wait_for_function(
        "first => document.querySelector('#transactions tbody tr td').innerText !== first", arg=newest_first
    )
    older = page.locator("#transactions tbody tr").first.locator("td").first.inner_text()
    assert older <= newest_first
    # Date filter: January 1994 only.
    page.fill("#txn-from", "1994-01-01")
    page.fill("#txn-to", "1994-01-31")
    page.click("#transactions button[type=submit]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#transactions tbody tr td:first-child')]"
        ".every(td => td.innerText.startsWith('1994-01'))"
    )

    # Log an interaction; the timeline refreshes in place.
    page.select_option("#int-channel", "phone")
    page.fill("#int-purpose", "loan question")
    page.fill("#int-summary", "Client asked for the remaining loan balance.")
    page.click("#timeline button[type=submit]")
    page.wait_for_selector("ol.timeline li:has-text('Client asked for the remaining loan balance.')")
    assert "rm.novak" in page.locator("ol.timeline li").first.inner_text()
    assert axe_violations(page) == []


def test_console_language_switch(page: Any, live_server: Any, staff: Any) -> None:
    base = live_server.url
    _sign_in(page, base, staff)
    page.select_option("#language", "es")
    page.wait_for_selector("text=Cerrar sesión")
    assert page.locator("html").get_attribute("lang") == "es"
    assert axe_violations(page) == []
