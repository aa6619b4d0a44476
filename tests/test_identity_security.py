"""Staff sign-in with a mandatory second factor, lockout, session timeouts, password policy
(NIST SP 800-63B) and the web security baseline."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from bankcrm.audit.models import AuditEvent
from bankcrm.identity import mfa
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def _password_step(client: Client, username: str = "agent", password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"login": username, "password": password})


def test_password_alone_does_not_sign_in(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    response = _password_step(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    # Half-way through sign-in, protected pages and the API stay closed.
    assert client.get("/").status_code == 302
    assert client.get("/").url.startswith("/accounts/login/")
    assert client.get("/parties/").status_code == 302


def test_second_factor_completes_sign_in(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    _password_step(client)
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and client.get("/").status_code == 302
    code = mfa.current_code(mfa.totp_secret(agent_user))
    done = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="identity.login", subject_id=str(agent_user.pk)).exists()


def test_a_used_totp_code_cannot_be_replayed(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    code = mfa.current_code(mfa.totp_secret(agent_user))
    _password_step(client)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    other = Client()
    _password_step(other)
    replay = other.post("/accounts/2fa/authenticate/", {"code": code})
    assert replay.status_code == 200  # the form again: the code was already used
    assert other.get("/").status_code == 302


def test_staff_without_a_second_factor_must_enrol_first(client: Client, db) -> None:  # type: ignore[no-untyped-def]
    make_staff("newhire", ["branch_agent"], mfa=False)
    response = _password_step(client, "newhire")
    assert response.status_code == 302
    for url in ("/", "/parties/"):
        page = client.get(url)
        assert page.status_code == 302 and page.url.startswith("/accounts/2fa/totp/activate/")
    assert client.get("/parties/", HTTP_HX_REQUEST="true").status_code == 403
    # Enrolment is a sensitive action: allauth asks for the password again (step-up), then shows
    # the TOTP secret and QR code.
    step_up = client.get("/accounts/2fa/totp/activate/")
    assert step_up.status_code == 302 and step_up.url.startswith("/accounts/reauthenticate/")
    client.post(step_up.url, {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200


def test_totp_secrets_are_stored_encrypted(agent_user) -> None:  # type: ignore[no-untyped-def]
    secret = mfa.totp_secret(agent_user)
    stored = Authenticator.objects.get(user=agent_user, type=Authenticator.Type.TOTP).data["secret"]
    assert secret and secret not in stored


def test_repeated_failures_lock_the_login_and_are_audited(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        assert _password_step(client, password="wrong horse battery").status_code == 200
    locked = _password_step(client)  # even the right password is refused now
    assert locked.status_code in {200, 429}
    assert client.get("/accounts/2fa/authenticate/").status_code != 200 or locked.status_code == 429
    assert AuditEvent.objects.filter(action="identity.login.failed").count() >= 5
    assert AuditEvent.objects.filter(action="identity.login.locked").count() == 1
    login_events = AuditEvent.objects.filter(action__startswith="identity.login.")
    assert "agent" not in " ".join(
        str(e.payload) + e.subject_id for e in login_events
    )  # the attempted name is stored only as a digest


def test_no_user_enumeration_on_login(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    unknown = _password_step(client, "nobody-here", "wrong horse battery").content.decode()
    wrong = _password_step(Client(), "agent", "wrong horse battery").content.decode()
    assert "not correct" in unknown and "not correct" in wrong


@override_settings(BANKCRM_SESSION_IDLE_SECONDS=60)
def test_idle_session_times_out(client: Client, agent_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    assert client.get("/").status_code == 200
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="identity.session.timeout").exists()


@override_settings(BANKCRM_SESSION_ABSOLUTE_SECONDS=3600)
def test_absolute_session_timeout(client: Client, agent_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    start = time.time()
    for minutes in (10, 20, 30, 40, 50):  # active all along: never idle
        monkeypatch.setattr(time, "time", lambda m=minutes: start + m * 60)
        assert client.get("/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 3601)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short7!", "password", "aaaaaaaaaaaa", "12345678", "87654321", "qwertyuiop", "abab" * 3, "x" * 129, "agent1234"],
)
def test_password_policy_refuses(password: str, agent_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        validate_password(password, user=agent_user)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "lowercaseonlypassphrase",
        "Zürich-Prague 1998",
        "the quick brown fox jumps over the lazy dog near the river bank ok",
    ],
)
def test_password_policy_accepts_without_composition_rules(password: str, agent_user) -> None:  # type: ignore[no-untyped-def]
    validate_password(password, user=agent_user)


def test_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    cookie = client.cookies.get("csrftoken")
    assert cookie is not None


def test_session_cookie_is_httponly(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    _password_step(client)
    done = client.post("/accounts/2fa/authenticate/", {"code": mfa.current_code(mfa.totp_secret(agent_user))})
    assert done.cookies["sessionid"]["httponly"] is True
    assert done.cookies["sessionid"]["samesite"] == "Lax"


def test_no_user_enumeration_on_password_reset(client: Client, db) -> None:  # type: ignore[no-untyped-def]
    make_staff("withmail", ["branch_agent"], mfa=True)
    from bankcrm.identity.models import User

    User.objects.filter(username="withmail").update(email="known@example.com")
    known = client.post("/accounts/password/reset/", {"email": "known@example.com"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_recovery_code_works_once_as_the_second_factor(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(agent_user).get_unused_codes()
    assert len(codes) == 10
    _password_step(client)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    other = Client()
    _password_step(other)
    assert other.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 200  # used up
    assert other.get("/").status_code == 302


@override_settings(BANKCRM_SESSION_IDLE_SECONDS=60)
def test_activity_keeps_the_session_alive_and_seen_is_not_rewritten_every_request(
    client: Client, agent_user, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from bankcrm.identity import sessions

    client.force_login(agent_user)
    start = time.time()
    for seconds in (10, 40, 80, 120):  # never 60 s without a request
        monkeypatch.setattr(time, "time", lambda s=seconds: start + s)
        assert client.get("/").status_code == 200
    seen = client.session[sessions.SEEN]
    monkeypatch.setattr(time, "time", lambda: start + 130)  # 10 s later: not rewritten
    assert client.get("/").status_code == 200
    assert client.session[sessions.SEEN] == seen
