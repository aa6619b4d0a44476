"""A customer signs into the portal in a real browser: password, then TOTP; sees their own
account; every page passes axe-core's WCAG 2.1 AA rules under the enforced CSP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from tests.e2e.conftest import axe_violations

from bankcrm.holdings.models import Account
from bankcrm.identity import mfa
from bankcrm.identity import services as identity
from bankcrm.parties.models import ContactPoint

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "a customer's long passphrase"


@override_settings(BANKCRM_AS_OF=dt.date(1998, 12, 31))
def test_customer_enrols_and_signs_into_the_portal(page: Any, live_server: Any, client_3687: Any) -> None:
    base = live_server.url
    account = Account.objects.get(source_system="berka", source_id="account:3050")
    postcode = ContactPoint.objects.get(party=client_3687, kind="address").postal_code

    page.goto(f"{base}/portal/enrol/")
    assert axe_violations(page) == []
    page.fill("#username", "vaclav")
    page.fill("#password", PASSWORD)
    page.fill("#account_number", account.number)
    page.fill("#date_of_birth", "1972-02-06")  # Berka birth number 720206
    page.fill("#postal_code", postcode)
    page.click("button[type=submit]")
    # Enrolled and signed in, but no second factor yet: straight to TOTP set-up (after step-up).
    page.wait_for_url(lambda url: "/accounts/" in url)
    assert "/portal/" not in page.url.split("?")[0]

    # Set the second factor up out of band (an authenticator app would scan the QR code), then
    # sign in again the way a customer does every day: password, then the code.
    user = identity.User.objects.get(username="vaclav")
    mfa.enrol_totp(actor=None, user=user)
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", "vaclav")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.fill("input[name=code]", mfa.current_code(mfa.totp_secret(user)))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/portal/")
    text = page.locator("main").inner_text()
    assert client_3687.legal_name in text and account.number in text and "Recent transactions" in text
    assert axe_violations(page) == []
