"""GET /api/v1/accounts/{id}/transactions and POST /api/v1/interactions."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from tests.api.conftest import bearer

from bankcrm.audit.models import AuditEvent
from bankcrm.holdings.models import Account, Transaction
from bankcrm.interactions.models import Interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def account_3050(bank) -> Account:  # type: ignore[no-untyped-def]
    return Account.objects.get(source_system="berka", source_id="account:3050")


def test_transactions_page_through_the_whole_ledger(client: Client, agent_auth, account_3050) -> None:  # type: ignore[no-untyped-def]
    ids: list[int] = []
    cursor = None
    while True:
        params = {"limit": 20} | ({"cursor": cursor} if cursor else {})
        response = client.get(f"/api/v1/accounts/{account_3050.id}/transactions", params, **agent_auth)
        assert response.status_code == 200
        body = response.json()
        ids += [t["id"] for t in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(ids) == len(set(ids)) == 76 == Transaction.objects.filter(account=account_3050).count()


def test_transactions_date_range_is_inclusive(client: Client, agent_auth, account_3050) -> None:  # type: ignore[no-untyped-def]
    params = {"date_from": "1994-01-01", "date_to": "1994-01-31", "limit": 200}
    body = client.get(f"/api/v1/accounts/{account_3050.id}/transactions", params, **agent_auth).json()
    expected = Transaction.objects.filter(
        account=account_3050, booking_date__gte="1994-01-01", booking_date__lte="1994-01-31"
    ).count()
    assert len(body["items"]) == expected > 0
    assert all("1994-01-01" <= t["booking_date"] <= "1994-01-31" for t in body["items"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "1994-02-01", "date_to": "1994-01-01"}, "date_from"),
        ({"date_from": "1994-02-30"}, "date_from"),
        ({"limit": 500}, "limit"),
        ({"cursor": "bm9wZQ"}, "cursor"),
    ],
)
def test_bad_transaction_queries_get_422(client: Client, agent_auth, account_3050, params, field) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/accounts/{account_3050.id}/transactions", params, **agent_auth)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


def test_unknown_account_is_404(client: Client, agent_auth, bank) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/api/v1/accounts/{uuid.uuid4()}/transactions", **agent_auth).status_code == 404


def _post(client: Client, auth: dict[str, str], body: dict, **headers: str):  # type: ignore[no-untyped-def,type-arg]
    return client.post("/api/v1/interactions", json.dumps(body), content_type="application/json", **auth, **headers)


def test_log_interaction_appears_on_the_timeline(client: Client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    body = {
        "party_id": str(client_3687.id),
        "channel": "phone",
        "direction": "inbound",
        "purpose": "balance enquiry",
        "summary": "Asked about the loan's remaining instalments.",
    }
    response = _post(client, agent_auth, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["staff"] == "agent" and created["channel"] == "phone"
    timeline = client.get(f"/api/v1/parties/{client_3687.id}", **agent_auth).json()["interactions"]
    assert [i["id"] for i in timeline] == [created["id"]]
    assert AuditEvent.objects.filter(action="interaction.create", subject_id=str(client_3687.id)).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"summary": "   "}, "summary"),
        ({"summary": "x" * 4001}, "summary"),
        ({"purpose": ""}, "purpose"),
        ({"occurred_at": "2999-01-01T10:00:00+00:00"}, "occurred_at"),
        ({"party_id": "not-a-uuid"}, "party_id"),
    ],
)
def test_invalid_interaction_gets_422_and_writes_nothing(
    client: Client, agent_auth, client_3687, change, field
) -> None:  # type: ignore[no-untyped-def]
    body = {
        "party_id": str(client_3687.id),
        "channel": "branch",
        "direction": "inbound",
        "purpose": "visit",
        "summary": "Came in.",
    } | change
    events = AuditEvent.objects.count()
    response = _post(client, agent_auth, body)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Interaction.objects.count() == 0 and AuditEvent.objects.count() == events


def test_account_of_another_party_is_refused(client: Client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    other = Account.objects.get(source_id="account:576")
    body = {
        "party_id": str(client_3687.id),
        "channel": "branch",
        "direction": "inbound",
        "purpose": "visit",
        "summary": "Came in.",
        "account_id": str(other.id),
    }
    response = _post(client, agent_auth, body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["account_id"]


def test_idempotency_key_replays_and_refuses_reuse(client: Client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    body = {
        "party_id": str(client_3687.id),
        "channel": "chat",
        "direction": "inbound",
        "purpose": "card",
        "summary": "Lost card.",
    }
    first = _post(client, agent_auth, body, HTTP_IDEMPOTENCY_KEY="retry-123")
    second = _post(client, agent_auth, body, HTTP_IDEMPOTENCY_KEY="retry-123")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Interaction.objects.count() == 1
    reused = _post(client, agent_auth, body | {"summary": "Something else."}, HTTP_IDEMPOTENCY_KEY="retry-123")
    assert reused.status_code == 422
    assert reused.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Interaction.objects.count() == 1


def test_missing_scope_is_403_before_the_body_is_validated(client: Client, agent_user, bank) -> None:  # type: ignore[no-untyped-def]
    read_only = bearer(agent_user, scopes=["parties:read"])
    response = client.post("/api/v1/interactions", "{not json", content_type="application/json", **read_only)
    assert response.status_code == 403
    assert client.post("/api/v1/interactions", "{}", content_type="application/json").status_code == 401
