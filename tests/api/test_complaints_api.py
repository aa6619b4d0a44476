"""``/api/v1/complaints`` and ``/api/v1/cases``: intake with deadlines and a suggested
classification, reads, transitions with optimistic locking, queues with filters."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from tests.api.conftest import bearer
from tests.conftest import make_staff

from bankcrm.core import clock

NY = ZoneInfo("America/New_York")
NARRATIVE = (
    "My mortgage servicer applied my extra principal payment to escrow instead of the loan balance for "
    "three months in a row, and my escrow statement does not show where the money went."
)


@pytest.fixture
def officer_auth(db) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return bearer(make_staff("officer", ["complaints_officer"]))


def _post(client: Client, path: str, body: dict, auth: dict[str, str], **extra: str):  # type: ignore[no-untyped-def,type-arg]
    return client.post(path, json.dumps(body), content_type="application/json", **auth, **extra)


def test_complaint_intake_returns_deadlines_and_suggested_product(client: Client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(dt.datetime(2026, 12, 1, 10, tzinfo=NY)):
        response = _post(
            client,
            "/api/v1/complaints",
            {"party_id": str(client_3687.pk), "narrative": NARRATIVE, "channel": "cfpb_portal"},
            agent_auth,
            HTTP_IDEMPOTENCY_KEY="intake-1",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        again = _post(
            client,
            "/api/v1/complaints",
            {"party_id": str(client_3687.pk), "narrative": NARRATIVE, "channel": "cfpb_portal"},
            agent_auth,
            HTTP_IDEMPOTENCY_KEY="intake-1",
        )
    assert again.json()["id"] == body["id"] and again["Idempotent-Replayed"] == "true"
    assert body["suggested_classification"]["product"] == "Mortgage"
    assert body["status"] == "new" and body["reference"].startswith("CMP-")
    dues = {d["key"]: (d["due"], d["day_kind"]) for d in body["deadlines"]}
    assert dues["cfpb_response"] == ("2026-12-16", "calendar")
    assert dues["cfpb_final"] == ("2027-01-30", "calendar")
    assert dues["sla_resolution"] == ("2026-12-22", "business")
    fetched = client.get(f"/api/v1/complaints/{body['id']}", **agent_auth).json()
    assert fetched["deadlines"] == body["deadlines"] or {d["key"] for d in fetched["deadlines"]} == set(dues)


def test_bad_complaint_gets_problem_details_per_field(client: Client, agent_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    response = _post(
        client, "/api/v1/complaints", {"party_id": str(client_3687.pk), "narrative": " ", "channel": "fax"}, agent_auth
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == {"narrative", "channel"}


def test_transitions_need_manage_and_the_current_version(client: Client, agent_auth, officer_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    created = _post(
        client,
        "/api/v1/complaints",
        {"party_id": str(client_3687.pk), "narrative": NARRATIVE, "channel": "web"},
        agent_auth,
    ).json()
    path = f"/api/v1/complaints/{created['id']}/transitions"
    assert _post(client, path, {"action": "start", "version": created["version"]}, agent_auth).status_code == 403
    started = _post(client, path, {"action": "start", "version": created["version"]}, officer_auth)
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    stale = _post(
        client, path, {"action": "await_customer", "version": created["version"], "reason": "x"}, officer_auth
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.json()["detail"]
    closed = _post(
        client,
        path,
        {
            "action": "close",
            "version": started.json()["version"],
            "company_response": "Closed with explanation",
            "resolution_summary": "The payments were re-applied to principal.",
            "root_causes": ["payment processing"],
        },
        officer_auth,
    ).json()
    assert closed["status"] == "closed" and closed["timely_response"] is True
    assert all(d["stopped_on"] for d in closed["deadlines"])


def test_case_queue_filters(client: Client, agent_auth, officer_auth, client_3687) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(dt.datetime(2026, 12, 1, 10, tzinfo=NY)):
        created = _post(
            client,
            "/api/v1/complaints",
            {"party_id": str(client_3687.pk), "narrative": NARRATIVE, "channel": "phone"},
            agent_auth,
        ).json()
    with clock.frozen(dt.datetime(2026, 12, 4, 10, tzinfo=NY)):
        breached = client.get("/api/v1/cases?kind=complaint&status=open&breached=true", **officer_auth).json()
        assert [c["id"] for c in breached["items"]] == [created["id"]]  # acknowledgement was due 3 Dec
        assert client.get("/api/v1/cases?assignee=none", **officer_auth).json()["items"][0]["id"] == created["id"]
        assert client.get("/api/v1/cases?assignee=me", **officer_auth).json()["items"] == []
        bad = client.get("/api/v1/cases?status=sleeping", **officer_auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
