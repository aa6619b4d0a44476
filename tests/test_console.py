"""Staff console shell: sign-in required, counts shown, translations served."""

from __future__ import annotations

import datetime as dt

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


# --- customer search and 360 (Django test client; the browser tests drive the same pages) -------


def test_search_page_finds_a_real_client(client: Client, agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    page = client.get("/parties/", {"q": "3687"})
    assert page.status_code == 200
    assert client_3687.legal_name in page.content.decode()
    fragment = client.get("/parties/", {"q": client_3687.family_name}, HTTP_HX_REQUEST="true").content.decode()
    assert client_3687.legal_name in fragment and "<html" not in fragment


def test_360_page_shows_accounts_loan_card_transactions_and_household(client: Client, agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    from django.test import override_settings

    client.force_login(agent_user)
    with override_settings(BANKCRM_AS_OF=dt.date(1998, 12, 31)):
        html = client.get(f"/parties/{client_3687.id}/").content.decode()
    for text in (
        "Accounts",
        "82,896.00 CZK",
        "6,908.00 CZK",
        "Classic",
        "Standing orders",
        "household",
        "Older transactions",
    ):
        assert text in html, text
    assert "Balances as of 1998-12-31" in html


def test_transactions_fragment_pages_and_filters(client: Client, agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    url = f"/parties/{client_3687.id}/transactions/"
    first = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert first.count("<tr>") == 26  # header + 25 rows
    january = client.get(url, {"from": "1994-01-01", "to": "1994-01-31"}, HTTP_HX_REQUEST="true").content.decode()
    assert "1994-01-" in january and "1993-" not in january
    bad = client.get(url, {"from": "1994-02-01", "to": "1994-01-01"}, HTTP_HX_REQUEST="true").content.decode()
    assert "date_from" in bad
    assert client.get(url).status_code == 302  # a plain request goes to the whole page


def test_log_interaction_from_the_page(client: Client, agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    from bankcrm.interactions.models import Interaction

    client.force_login(agent_user)
    url = f"/parties/{client_3687.id}/interactions/"
    form = {
        "channel": "phone",
        "direction": "inbound",
        "purpose": "loan question",
        "summary": "Asked for a payoff quote.",
    }
    fragment = client.post(url, form, HTTP_HX_REQUEST="true").content.decode()
    assert "Asked for a payoff quote." in fragment
    invalid = client.post(url, form | {"summary": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert "was not saved" in invalid and "summary" in invalid
    assert Interaction.objects.filter(party=client_3687).count() == 1
    plain = client.post(url, form | {"summary": ""})
    assert plain.status_code == 422


def test_unknown_party_page_is_404(client: Client, agent_user, bank) -> None:  # type: ignore[no-untyped-def]
    import uuid

    client.force_login(agent_user)
    assert client.get(f"/parties/{uuid.uuid4()}/").status_code == 404
