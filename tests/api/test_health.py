"""API root: health without authentication, bearer tokens, problem+json errors, request ids."""

from __future__ import annotations

import pytest
from django.test import Client

from bankcrm.identity import services as identity

pytestmark = pytest.mark.django_db


def test_health_answers_without_authentication(client: Client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}
    assert response["X-Request-ID"]


def test_request_id_is_echoed_when_sane(client: Client) -> None:
    response = client.get("/api/v1/health", HTTP_X_REQUEST_ID="abc12345-test")
    assert response["X-Request-ID"] == "abc12345-test"
    response = client.get("/api/v1/health", HTTP_X_REQUEST_ID="bad id with spaces")
    assert response["X-Request-ID"] != "bad id with spaces"


def test_anonymous_request_gets_401_problem(client: Client) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_bearer_token_authenticates_and_revocation_stops_it(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=agent_user, scopes=["parties:read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.secret}"}
    response = client.get("/api/v1/me", **auth)
    assert response.status_code == 200
    assert response.json() == {"username": "agent", "kind": "staff", "scopes": ["parties:read"]}
    identity.revoke_token(actor=None, prefix=issued.token.prefix)
    assert client.get("/api/v1/me", **auth).status_code == 401


def test_wrong_secret_with_right_prefix_is_refused(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    issued = identity.create_token(actor=None, user=agent_user)
    forged = issued.secret[:-4] + ("AAAA" if not issued.secret.endswith("AAAA") else "BBBB")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {forged}").status_code == 401


def test_openapi_docs_are_served_locally(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/health" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr.net" not in docs.content and b"unpkg.com" not in docs.content
