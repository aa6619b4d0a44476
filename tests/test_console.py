"""Staff console shell: sign-in required, counts shown, translations served."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_requires_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sign_in_page_is_allauths(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="login"' in response.content and b'name="password"' in response.content


def test_public_sign_up_is_closed(client: Client) -> None:
    response = client.get("/accounts/signup/")
    assert b"Sign Up Closed" in response.content or response.status_code in {403, 404}


def test_signed_in_home_shows_counts(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Signed in as agent" in response.content
    assert b"Parties (Berka clients)" in response.content


@pytest.mark.parametrize(("language", "text"), [("es", "Cerrar sesión"), ("zh-hans", "退出登录")])
def test_console_shell_is_translated(client: Client, agent_user, language: str, text: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert text in response.content.decode()


def test_sign_in_with_password_reaches_the_console(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/accounts/login/", {"login": "agent", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/accounts/login/", {"login": "agent", "password": "wrong horse battery"})
    assert response.status_code == 200  # the form again, with an error
    assert client.get("/").status_code == 302
