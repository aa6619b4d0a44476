"""Revealing a masked identifier: pii:reveal, a stated reason, step-up re-authentication, audit."""

from __future__ import annotations

import pytest
from django.test import Client

from bankcrm.audit.models import AuditEvent
from bankcrm.datasets.us_synthetic import import_us_synthetic
from bankcrm.identity.models import User
from bankcrm.parties.models import Party
from bankcrm.privacy import crypto
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def person(db):  # type: ignore[no-untyped-def]
    import_us_synthetic(actor=None)
    return Party.objects.get(source_system="synthetic-us", source_id="person:0")


def _signed_in(username: str, roles: list[str]) -> Client:
    make_staff(username, roles)
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_aml_officer_sees_masked_values_and_a_reveal_form(person) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in("aml", ["bsa_aml_officer"])
    page = client.get(f"/parties/{person.id}/").content.decode()
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    assert ssn not in page and "•••••" + ssn[-4:] in page
    assert 'name="reason"' in page and "Reveal" in page


def test_reveal_needs_step_up_then_shows_the_value_and_audits_the_reason(person) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in("aml", ["bsa_aml_officer"])
    url = f"/parties/{person.id}/reveal/"
    form = {"field": "tax_id", "reason": "SAR investigation 2026-114: confirm identity"}
    first = client.post(url, form, HTTP_HX_REQUEST="true")
    assert first.status_code == 204 and first["HX-Redirect"].startswith("/accounts/reauthenticate/")
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    shown = client.post(url, form, HTTP_HX_REQUEST="true").content.decode()
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    assert ssn in shown
    event = AuditEvent.objects.get(action="pii.reveal")
    assert event.payload == {"field": "tax_id", "reason": form["reason"]}
    assert ssn not in str(event.payload)


def test_reveal_refuses_a_missing_reason_and_foreign_fields(person) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in("privacy", ["privacy_officer"])
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    url = f"/parties/{person.id}/reveal/"
    short = client.post(url, {"field": "tax_id", "reason": "because"}, HTTP_HX_REQUEST="true").content.decode()
    assert "at least 10 characters" in short
    other = Party.objects.get(source_system="synthetic-us", source_id="person:1")
    foreign_doc = other.identity_documents.get()
    bad = client.post(
        url, {"field": f"id_document:{foreign_doc.pk}", "reason": "checking a document"}, HTTP_HX_REQUEST="true"
    )
    assert "not an identifier of this party" in bad.content.decode()
    assert not AuditEvent.objects.filter(action="pii.reveal").exists()


def test_roles_without_pii_reveal_cannot_reveal(person) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in("agent2", ["call_centre_agent"])
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post(f"/parties/{person.id}/reveal/", {"field": "tax_id", "reason": "just curious, honestly"})
    assert response.status_code == 403
    assert 'name="reason"' not in client.get(f"/parties/{person.id}/").content.decode()
