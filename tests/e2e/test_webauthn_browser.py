"""WebAuthn as the second factor, in a real browser with Chromium's virtual authenticator (the
DevTools WebAuthn domain): a staff user adds a security key, signs out, and signs in with the
password and the key instead of a TOTP code. Runs under the enforced Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from bankcrm.identity import mfa
from bankcrm.identity import services as identity

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
PASSWORD = "a long passphrase for the key test"


def test_security_key_as_second_factor(page: Any, live_server: Any, db: Any) -> None:
    base = live_server.url
    user = identity.create_user(actor=None, username="key.user", password=PASSWORD, roles=["branch_agent"])
    mfa.enrol_totp(actor=None, user=user)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )

    def password_step() -> None:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=login]", "key.user")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/accounts/2fa/authenticate/")

    password_step()
    page.fill("input[name=code]", mfa.current_code(mfa.totp_secret(user)))
    page.click("form:not(#webauthn_form):not(#logout-from-stage) button[type=submit]")
    page.wait_for_url(f"{base}/")

    # Add a key: a sensitive change, so allauth asks for the password again first.
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.click("main form[action='/accounts/reauthenticate/'] button[type=submit]")
        page.wait_for_url(f"{base}/accounts/2fa/webauthn/add/")
    page.fill("input[name=name]", "desk key")
    page.click("#mfa_webauthn_add")
    page.wait_for_function("() => !location.pathname.endsWith('/webauthn/add/')")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    # Sign out and back in with the key.
    page.goto(f"{base}/")
    page.click("header form[action='/accounts/logout/'] button")
    page.wait_for_url(lambda url: "/accounts/" in url or url.rstrip("/") == base)
    password_step()
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(f"{base}/")
    assert page.get_by_text("Signed in as key.user").is_visible()
