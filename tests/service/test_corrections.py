"""Correction requests: recorded by the customer or staff, decided by a privacy officer, applied
through the parties service; values never reach the audit log or sit in the clear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock
from bankcrm.core.errors import ValidationFailed
from bankcrm.identity import services as identity
from bankcrm.identity.models import CustomerLink, User
from bankcrm.parties import birth
from bankcrm.parties.models import ContactPoint, Party
from bankcrm.parties.text import fold
from bankcrm.privacy import corrections, crypto, deletion, keys
from bankcrm.privacy.models import CorrectionRequest, DataRequest

pytestmark = pytest.mark.django_db
NEW_EMAIL = "jana.novakova.correct@Example.COM"


@pytest.fixture
def agent(db):  # type: ignore[no-untyped-def]
    return make_staff("cc-agent", ["call_centre_agent"])


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    return make_staff("privacy-cor", ["privacy_officer"])


def _payloads() -> str:
    return str(list(AuditEvent.objects.values_list("payload", flat=True)))


def test_staff_request_is_stored_encrypted_and_audited_without_the_value(agent, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(dt.datetime(1998, 12, 1, 10, 0, tzinfo=clock.bank_zone())):
        request = corrections.request_correction(
            actor=agent, party=client_3687, field="email", proposed_value=NEW_EMAIL, channel="phone"
        )
    assert (request.kind, request.status) == ("correction", "received")
    correction = request.correction
    assert (correction.field, correction.channel, correction.requested_by) == ("email", "phone", agent)
    assert correction.due_at == dt.datetime(1999, 1, 15, 10, 0, tzinfo=clock.bank_zone())  # 45 calendar days
    assert corrections.proposed_value(request) == "jana.novakova.correct@example.com"  # domain folded
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM privacy_correctionrequest")
        assert "novakova" not in str(cur.fetchall()).lower()
    event = AuditEvent.objects.get(action="privacy.correction.request")
    assert event.payload == {"request": str(request.pk), "field": "email", "channel": "phone"}


def test_approval_applies_the_change_with_field_names_only(agent, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    request = corrections.request_correction(
        actor=agent, party=client_3687, field="email", proposed_value=NEW_EMAIL, channel="phone"
    )
    done = corrections.decide_correction(actor=officer, request=request, approve=True)
    assert done.status == "completed" and done.handled_by == officer
    assert done.outcome == {
        "decision": "approved",
        "field": "email",
        "changed": ["contact_point.value", "contact_point.verified_at"],
    }
    email = ContactPoint.objects.get(party=client_3687, kind="email")
    assert email.value == "jana.novakova.correct@example.com" and email.verified_at is None
    assert CorrectionRequest.objects.get(request=done).proposed_value_encrypted is None  # erased once decided
    correct = AuditEvent.objects.get(action="party.correct")
    assert correct.payload == {
        "field": "email",
        "changed": ["contact_point.value", "contact_point.verified_at"],
        "request": str(request.pk),
    }
    assert AuditEvent.objects.get(action="privacy.correction.approve").actor == officer
    assert "novakova" not in _payloads().lower()
    with pytest.raises(ValidationFailed, match="already decided"):
        corrections.decide_correction(actor=officer, request=request, approve=False, reason="again")


def test_legal_name_correction_refolds_the_search_name(agent, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    request = corrections.request_correction(
        actor=agent, party=client_3687, field="legal_name", proposed_value="  Jiřina Dvořáková ", channel="branch"
    )
    corrections.decide_correction(actor=officer, request=request, approve=True)
    client_3687.refresh_from_db()
    assert (client_3687.legal_name, client_3687.search_name) == ("Jiřina Dvořáková", fold("Jiřina Dvořáková"))
    assert client_3687.version == 2
    assert AuditEvent.objects.get(action="party.correct").payload["changed"] == ["legal_name", "search_name"]


def test_rejection_needs_a_reason_and_changes_nothing(agent, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    before = client_3687.residence_country
    request = corrections.request_correction(
        actor=agent, party=client_3687, field="residence_country", proposed_value="de", channel="phone"
    )
    with pytest.raises(ValidationFailed, match="reason"):
        corrections.decide_correction(actor=officer, request=request, approve=False, reason=" ")
    refused = corrections.decide_correction(
        actor=officer, request=request, approve=False, reason="Proof of address shows CZ"
    )
    assert refused.status == "refused"
    assert refused.outcome == {
        "decision": "rejected",
        "field": "residence_country",
        "reason": "Proof of address shows CZ",
    }
    assert refused.correction.decision_reason == "Proof of address shows CZ"
    client_3687.refresh_from_db()
    assert client_3687.residence_country == before
    assert AuditEvent.objects.get(action="privacy.correction.reject").payload == {
        "request": str(request.pk),
        "field": "residence_country",
    }


def test_the_requester_may_not_decide_and_agents_may_not_decide(agent, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    own = corrections.request_correction(
        actor=officer, party=client_3687, field="phone", proposed_value="+420 601 123 456", channel="phone"
    )
    with pytest.raises(ValidationFailed, match="may not decide"):
        corrections.decide_correction(actor=officer, request=own, approve=True)
    with pytest.raises(PermissionDenied):
        corrections.decide_correction(actor=agent, request=own, approve=True)
    assert DataRequest.objects.get(pk=own.pk).status == "received"


def test_a_legal_hold_blocks_approval(agent, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    request = corrections.request_correction(
        actor=agent, party=client_3687, field="given_name", proposed_value="Jiřina", channel="branch"
    )
    hold = deletion.place_legal_hold(actor=officer, party=client_3687, reason="Litigation 98-7")
    with pytest.raises(ValidationFailed, match="legal hold"):
        corrections.decide_correction(actor=officer, request=request, approve=True)
    assert DataRequest.objects.get(pk=request.pk).status == "received"
    deletion.release_legal_hold(actor=officer, hold=hold)
    corrections.decide_correction(actor=officer, request=request, approve=True)
    client_3687.refresh_from_db()
    assert client_3687.given_name == "Jiřina"


def test_customers_request_for_their_own_parties_only(client_3687: Party) -> None:
    customer = identity.create_user(
        actor=None, username="cust-3687", password="correct horse battery", roles=["customer"], kind=User.Kind.CUSTOMER
    )
    CustomerLink.objects.create(user=customer, party=client_3687, method="test")
    request = corrections.request_correction(
        actor=customer, party=client_3687, field="address.postal_code", proposed_value="150 00", channel="web"
    )
    assert request.correction.requested_by == customer
    other = Party.objects.get(source_system="berka", source_id="client:692")
    with pytest.raises(PermissionDenied):
        corrections.request_correction(
            actor=customer, party=other, field="email", proposed_value="a@example.com", channel="web"
        )


def test_relationship_managers_request_only_inside_their_book(client_3687: Party) -> None:
    rm = make_staff("rm-cor", ["relationship_manager"])
    auditor = make_staff("aud-cor", ["auditor"])
    for actor in (rm, auditor):  # not in the book / read-only role
        with pytest.raises(PermissionDenied):
            corrections.request_correction(
                actor=actor, party=client_3687, field="email", proposed_value="a@example.com", channel="branch"
            )
    assert not DataRequest.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "channel", "bad"),
    [
        ("tax_id", "123456789", "phone", {"field"}),
        ("email", "not-an-address", "phone", {"proposed_value"}),
        ("nationality", "Czech", "phone", {"proposed_value"}),
        ("phone", "call me", "pigeon", {"proposed_value", "channel"}),
        ("legal_name", "", "phone", {"proposed_value"}),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(
    agent, client_3687: Party, field: str, value: str, channel: str, bad: set[str]
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        corrections.request_correction(
            actor=agent, party=client_3687, field=field, proposed_value=value, channel=channel
        )
    assert {p.field for p in caught.value.problems} == bad
    assert not DataRequest.objects.exists() and not AuditEvent.objects.filter(action__startswith="privacy.").exists()


def test_an_address_part_needs_an_address(agent, officer) -> None:  # type: ignore[no-untyped-def]
    bare = Party.objects.create(kind="person", legal_name="No Address", search_name="no address")
    request = corrections.request_correction(
        actor=agent, party=bare, field="address.city", proposed_value="Brno", channel="phone"
    )
    with pytest.raises(ValidationFailed, match="no address"):
        corrections.decide_correction(actor=officer, request=request, approve=True)
    assert DataRequest.objects.get(pk=request.pk).status == "received"


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A key file of this test's own, set before any value is encrypted."""
    path = tmp_path / "keys.json"
    monkeypatch.setenv("BANKCRM_FIELD_KEYS", str(path))
    crypto.reset_keyring_cache()
    crypto.keyring()
    yield path
    crypto.reset_keyring_cache()


def test_key_rotation_reencrypts_pending_proposed_values(key_file: Path, client_3687: Party) -> None:
    agent = make_staff("cc-rot", ["call_centre_agent"])
    request = corrections.request_correction(
        actor=agent, party=client_3687, field="family_name", proposed_value="Dvořáková", channel="post"
    )
    report = keys.rotate(actor=None)
    assert report.reencrypted["correction.proposed_value"] == 1
    stored = CorrectionRequest.objects.get(request=request).proposed_value_encrypted
    assert keys.key_id_of(stored) == report.active == "k2"
    assert corrections.proposed_value(DataRequest.objects.get(pk=request.pk)) == "Dvořáková"


def test_date_of_birth_correction_is_encrypted_and_masked_for_the_officer(agent, officer, client_3687: Party) -> None:  # type: ignore[no-untyped-def]
    request = corrections.request_correction(
        actor=agent, party=client_3687, field="date_of_birth", proposed_value=" 1961-07-04 ", channel="branch"
    )
    # Privacy officers see dates of birth masked (no parties:date_of_birth); agents see nothing.
    assert corrections.proposed_value_for(officer, request) == "1961-••-••"
    assert corrections.proposed_value_for(agent, request) is None
    done = corrections.decide_correction(actor=officer, request=request, approve=True)
    assert done.outcome["changed"] == ["date_of_birth_encrypted"]
    client_3687.refresh_from_db()
    assert birth.decrypt_date_of_birth(client_3687.date_of_birth_encrypted) == dt.date(1961, 7, 4)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT * FROM parties_party WHERE id = %s",
            [client_3687.pk.hex if connection.vendor == "sqlite" else client_3687.pk],
        )
        party_row = str(cur.fetchall())
        cur.execute("SELECT * FROM privacy_correctionrequest")
        correction_rows = str(cur.fetchall())
    assert party_row != "[]" and "1961-07-04" not in party_row and "1961-07-04" not in correction_rows
    assert "1961-07-04" not in _payloads()


@pytest.mark.parametrize("value", ["04/07/1961", "2999-01-01", "1850-01-01"])
def test_impossible_dates_of_birth_are_refused(agent, client_3687: Party, value: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        corrections.request_correction(
            actor=agent, party=client_3687, field="date_of_birth", proposed_value=value, channel="branch"
        )
    assert [p.field for p in caught.value.problems] == ["proposed_value"]
