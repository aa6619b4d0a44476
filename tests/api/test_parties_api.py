"""GET /api/v1/parties (search) and /api/v1/parties/{id} (customer 360) on real Berka rows."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from tests.api.conftest import bearer

from bankcrm.holdings.models import Account
from bankcrm.parties.models import Party

pytestmark = pytest.mark.django_db
AS_OF = dt.date(1998, 12, 31)


def _search(client: Client, auth: dict[str, str], **params: object) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/parties", params, **auth)
    assert response.status_code == 200, response.content
    return response.json()


def test_search_by_name_is_accent_and_case_insensitive(client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    family = client_3687.family_name  # synthetic Czech name, e.g. with diacritics
    body = _search(client, agent_auth, search=family.upper())
    assert client_3687.legal_name in [p["legal_name"] for p in body["items"]]
    folded = _search(client, agent_auth, search=client_3687.search_name.split()[-1])
    assert str(client_3687.id) in [p["id"] for p in folded["items"]]
    both = _search(client, agent_auth, search=f"{client_3687.given_name} {family}")
    assert all(client_3687.given_name.lower()[:3] in p["legal_name"].lower() for p in both["items"])


def test_search_by_account_number_party_id_and_source_id(client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    number = Account.objects.get(source_id="account:3050").number
    by_number = _search(client, agent_auth, search=number)
    assert {p["source_id"] for p in by_number["items"]} == {"client:3687", "client:3688"}
    for term in ("client:3687", "berka:client:3687", "3687", str(client_3687.id)):
        items = _search(client, agent_auth, search=term)["items"]
        assert [p["source_id"] for p in items] == ["client:3687"], term
    assert _search(client, agent_auth, search="client:999999")["items"] == []


def test_search_pages_with_a_cursor_without_gaps_or_repeats(client, agent_auth, bank) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = _search(client, agent_auth, **params)
        seen += [p["id"] for p in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == Party.objects.count()


@pytest.mark.parametrize(("params", "field"), [({"limit": 0}, "limit"), ({"cursor": "garbage"}, "cursor")])
def test_bad_search_parameters_get_422_naming_the_field(client, agent_auth, bank, params, field) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/parties", params, **agent_auth)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]


@override_settings(BANKCRM_AS_OF=AS_OF)
def test_customer_360_of_a_real_berka_client(client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/parties/{client_3687.id}", **agent_auth)
    assert response.status_code == 200
    body = response.json()
    for key in ("party", "relationships", "household", "accounts", "loans", "cards", "standing_orders"):
        assert key in body
    assert body["as_of"] == "1998-12-31"
    assert body["party"]["branch"]["code"].startswith("CZ")
    assert {c["kind"] for c in body["party"]["contact_points"]} == {"address", "phone", "email"}
    (account,) = body["accounts"]
    assert account["role"] == "owner" and account["currency"] == "CZK"
    # The ledger stops at 1994-03-31: the balance is the last booked one, dated then.
    assert account["balance_date"] == "1994-03-31"
    assert account["balance"]["currency"] == "CZK" and account["balance"]["minor"] == int(
        Decimal(account["balance"]["amount"]) * 100
    )
    (loan,) = body["loans"]
    assert loan["amount"] == {"amount": "82896.00", "minor": 8289600, "currency": "CZK"}
    assert loan["monthly_payment"]["minor"] == 690800 and loan["status"] == "A" and loan["duration_months"] == 12
    (card,) = body["cards"]
    assert (card["type"], card["issued_on"]) == ("classic", "1994-02-15")
    assert len(body["standing_orders"]) == 4
    assert {m["role"] for m in body["household"]["members"]} == {"head", "member"}
    assert len(body["household"]["members"]) == 2
    (rel,) = body["relationships"]
    assert (rel["type"], rel["direction"]) == ("authorized_signer", "incoming")
    txns = body["transactions"]
    assert len(txns) == 50
    dates = [t["booking_date"] for t in txns]
    assert dates == sorted(dates, reverse=True)
    assert txns[0]["balance_after"] == account["balance"]


def test_360_of_unknown_party_is_404(client, agent_auth, bank) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/parties/{uuid.uuid4()}", **agent_auth)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/parties/not-a-uuid", **agent_auth).status_code == 422


def test_anonymous_and_unscoped_requests_are_refused(client, agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/parties").status_code == 401
    no_scope = bearer(agent_user, scopes=["accounts:read"])
    response = client.get(f"/api/v1/parties/{client_3687.id}", **no_scope)
    assert response.status_code == 403
    assert "parties:read" in response.json()["title"]


def test_search_by_exact_ssn_uses_the_blind_index(client, agent_auth, db) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from bankcrm.datasets.us_synthetic import import_us_synthetic
    from bankcrm.privacy import crypto

    import_us_synthetic(actor=None)
    person = Party.objects.get(source_system="synthetic-us", source_id="person:0")
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    for term in (ssn, f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"):
        items = _search(client, agent_auth, search=term)["items"]
        assert [p["id"] for p in items] == [str(person.id)]
    assert _search(client, agent_auth, search="123456780")["items"] == []
    # The database holds no plaintext SSN anywhere in the party table.
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM parties_party")
        rows = " ".join(str(r) for r in cur.fetchall())
    assert ssn not in rows
