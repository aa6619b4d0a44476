"""``/api/v1/onboarding`` and ``/api/v1/kyc``: CIP onboarding with field-level problems,
idempotency, evidence, transitions and decisions, risk reads masked by permission, CDD updates and
the risk model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from tests.api.conftest import bearer
from tests.kyc_data import frozen_clock, make_kyc_staff, no_screening, organization, person  # noqa: F401

from bankcrm.kyc.engine.risk import default_config
from bankcrm.kyc.models import Onboarding
from bankcrm.parties.models import Party

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock", "no_screening")]


@pytest.fixture
def tokens(db) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    return {name: bearer(user) for name, user in make_kyc_staff().items()}


def post(client: Client, path: str, body: Any, auth: dict[str, str], **headers: str):  # type: ignore[no-untyped-def]
    return client.post(path, json.dumps(body), content_type="application/json", **auth, **headers)


def test_onboarding_is_created_and_submitted(client, tokens) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/api/v1/onboarding", {**person(), "submit": True}, tokens["agent"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("KYC-")
    assert (body["status"], body["kind"], body["channel"], body["risk_rating"]) == (
        "pending_verification",
        "person",
        "branch",
        "low",
    )
    assert body["subjects"] == [
        {
            "party_id": body["party_id"],
            "role": "applicant",
            "name": "Maria Elena Lopez",
            "ownership_percent": None,
            "title": "",
            "existing_customer": False,
            "missing": ["name", "date_of_birth", "address", "id_number"],
        }
    ]
    assert [t["to_status"] for t in body["transitions"]] == ["started", "pending_verification"]
    assert body["actions"] == ["refer"]
    assert "123456789" not in response.content.decode()


def test_bad_input_gets_every_field_and_creates_nothing(client, tokens) -> None:  # type: ignore[no-untyped-def]
    data = organization()
    data["beneficial_owners"][0]["ownership_percent"] = "10"
    data["control_person"] = {}
    data["organization"]["address"]["postal_code"] = "ABCDE"
    response = post(client, "/api/v1/onboarding", data, tokens["agent"])
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": "organization.address.postal_code", "message": "must be a ZIP code: 5 digits or ZIP+4 (12345-6789)"},
        {
            "field": "beneficial_owners[0].ownership_percent",
            "message": "a beneficial owner holds 25% to 100% (31 CFR 1010.230); leave out smaller holders",
        },
        {"field": "control_person", "message": "is required"},
    ]
    typed = post(client, "/api/v1/onboarding", {"kind": "person", "beneficial_owners": "many"}, tokens["agent"])
    assert typed.status_code == 422 and typed.json()["errors"][0]["field"] == "beneficial_owners"
    assert Party.objects.count() == 0 and Onboarding.objects.count() == 0


def test_idempotency_key_replays_the_first_answer(client, tokens) -> None:  # type: ignore[no-untyped-def]
    first = post(client, "/api/v1/onboarding", person(), tokens["agent"], HTTP_IDEMPOTENCY_KEY="onb-1")
    again = post(client, "/api/v1/onboarding", person(), tokens["agent"], HTTP_IDEMPOTENCY_KEY="onb-1")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert first.json() == again.json() and Onboarding.objects.count() == 1


def test_evidence_transitions_and_decisions(client, tokens) -> None:  # type: ignore[no-untyped-def]
    created = post(client, "/api/v1/onboarding", {**person(), "submit": True}, tokens["agent"]).json()
    url = f"/api/v1/onboarding/{created['id']}"
    evidence = {
        "party_id": created["party_id"],
        "kind": "public_database",
        "result": "fail",
        "elements": ["address"],
        "reference": "LN-77",
    }
    response = post(client, f"{url}/evidence", evidence, tokens["agent"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "manual_review" and body["outcome"]["failures"] == {created["party_id"]: ["address"]}
    assert body["evidence"][0]["reference"] == "LN-77" and body["evidence"][0]["method"] == "non_documentary"
    stale = post(client, f"{url}/decisions", {"action": "verify", "reason": "ok", "version": 1}, tokens["officer"])
    assert stale.status_code == 409
    forbidden = post(client, f"{url}/decisions", {"action": "verify", "reason": "ok"}, tokens["agent"])
    assert forbidden.status_code == 403
    via_transitions = post(client, f"{url}/transitions", {"action": "verify", "reason": "ok"}, tokens["agent"])
    assert via_transitions.status_code == 403
    decided = post(
        client,
        f"{url}/decisions",
        {"action": "verify", "reason": "Lease agreement confirms the address.", "version": body["version"]},
        tokens["officer"],
    )
    assert decided.status_code == 200, decided.content
    assert (decided.json()["status"], decided.json()["decision_reason"]) == (
        "verified",
        "Lease agreement confirms the address.",
    )
    wrong = post(client, f"{url}/transitions", {"action": "submit"}, tokens["agent"])
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "action"
    listed = client.get("/api/v1/onboarding", {"status": "verified"}, **tokens["agent"]).json()
    assert [i["id"] for i in listed["items"]] == [created["id"]]
    assert client.get("/api/v1/onboarding", {"status": "nope"}, **tokens["agent"]).status_code == 422


def test_an_entity_onboarding_lists_owners_and_control_person(client, tokens) -> None:  # type: ignore[no-untyped-def]
    response = post(client, "/api/v1/onboarding", organization(), tokens["agent"])
    assert response.status_code == 201, response.content
    subjects = [(s["role"], s["name"], s["ownership_percent"], s["title"]) for s in response.json()["subjects"]]
    assert subjects == [
        ("applicant", "Lopez Bakery LLC", None, ""),
        ("beneficial_owner", "Jan Novak", "60", ""),
        ("beneficial_owner", "Ann Lee", "25", ""),
        ("control_person", "Jan Novak", None, "Managing member"),
    ]


def test_risk_reads_are_masked_by_permission(client, tokens) -> None:  # type: ignore[no-untyped-def]
    party_id = post(client, "/api/v1/onboarding", person(), tokens["agent"]).json()["party_id"]
    url = f"/api/v1/kyc/parties/{party_id}/risk"
    front = client.get(url, **tokens["caller"]).json()
    assert (front["rating"], front["score"], front["score_rating"], front["next_review_on"]) == (
        "low",
        None,
        None,
        "2028-06-02",
    )
    screening = next(f for f in front["factors"] if f["factor"] == "screening")
    assert screening == {
        "factor": "screening",
        "weight": 15,
        "restricted": True,
        "value": None,
        "level": None,
        "points": None,
        "floor": None,
    }
    full = client.get(url, **tokens["officer"]).json()
    assert (
        full["score"] == "7.50" and next(f for f in full["factors"] if f["factor"] == "screening")["level"] == "medium"
    )
    assert post(client, url, {}, tokens["agent"]).status_code == 403
    assert post(client, url, {}, tokens["officer"]).json()["reason"] == "manual"
    cdd = post(
        client,
        f"/api/v1/kyc/parties/{party_id}/cdd",
        {"occupation": "casino_gaming", "products": ["checking"], "pep_status": "foreign"},
        tokens["agent"],
    )
    assert cdd.status_code == 200, cdd.content
    assert (cdd.json()["rating"], cdd.json()["edd_status"]) == ("high", None)  # the caller cannot see EDD
    assert client.get(url, **tokens["officer"]).json()["edd_status"] == "open"
    bad = post(client, f"/api/v1/kyc/parties/{party_id}/cdd", {"occupation": "pirate"}, tokens["agent"])
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["cdd.occupation", "cdd.products"]


def test_the_risk_model_is_read_and_changed_by_the_bsa_team(client, tokens) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/kyc/risk-model", **tokens["agent"]).status_code == 403
    model = client.get("/api/v1/kyc/risk-model", **tokens["officer"]).json()
    assert (model["version"], model["pending_version"], model["config"]["thresholds"]) == (
        1,
        None,
        {"medium": "25", "high": "50"},
    )
    config = default_config()
    config["review_months"]["high"] = 6
    proposed = post(client, "/api/v1/kyc/risk-model", {"config": config, "reason": "Annual review"}, tokens["officer"])
    assert proposed.status_code == 202 and proposed.json() == {
        "version": 2,
        "status": "proposed",
        "reason": "Annual review",
    }
    assert client.get("/api/v1/kyc/risk-model", **tokens["officer"]).json()["pending_version"] == 2
    config["weights"]["pep"] = -1
    bad = post(client, "/api/v1/kyc/risk-model", {"config": config, "reason": "x"}, tokens["checker"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "config.weights.pep"
