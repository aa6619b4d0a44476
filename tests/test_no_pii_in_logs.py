"""No PII in application logs or error pages: representative flows with seeded SSNs, e-mail
addresses and account numbers, the real logging configuration, and a search of the output."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from bankcrm.datasets.us_synthetic import import_us_synthetic
from bankcrm.holdings.models import Account
from bankcrm.identity import services as identity
from bankcrm.parties.models import Party
from bankcrm.privacy import crypto

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output():  # type: ignore[no-untyped-def]
    """The application's own console handler (with its filters), writing into a buffer."""
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler and h.filters]
    assert handlers, "the console handler of settings.LOGGING is not installed"
    buffer = io.StringIO()
    previous = [h.setStream(buffer) for h in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def test_flows_with_pii_leave_no_pii_in_logs_or_error_pages(client: Client, agent_user, log_output, bank) -> None:  # type: ignore[no-untyped-def]
    import_us_synthetic(actor=None)
    person = Party.objects.get(source_system="synthetic-us", source_id="person:0")
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    dashed = f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"
    email = person.contact_points.get(kind="email").value
    number = Account.objects.get(source_id="account:3050").number
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=agent_user).secret}
    pages = [
        client.get("/api/v1/parties", {"search": dashed}, **auth),
        client.get("/api/v1/parties", {"search": number}, **auth),
        client.get(f"/api/v1/parties/{ssn}", **auth),  # 422: not a UUID
        client.get(f"/api/v1/accounts/{number}/transactions", **auth),  # 422
        client.get(f"/nowhere/{dashed}/{email}"),  # 404 page
        client.post(
            "/api/v1/interactions",
            json.dumps(
                {"party_id": str(person.id), "channel": "fax", "direction": "in", "purpose": email, "summary": dashed}
            ),
            content_type="application/json",
            **auth,
        ),  # 422
        client.post("/accounts/login/", {"login": email, "password": dashed}),  # failed sign-in
    ]
    logging.getLogger("bankcrm.test").warning("customer %s wrote from %s about %s", dashed, email, ssn)
    output = log_output.getvalue()
    assert "Unprocessable Entity" in output or "Not Found" in output  # the flows did log
    for secret in (ssn, dashed, email, number):
        assert secret not in output, secret
    for page in pages[2:5]:
        body = page.content.decode()
        for secret in (ssn, dashed, email, number):
            assert secret not in body, (page.status_code, secret)
