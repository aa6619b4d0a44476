"""Deletion requests respect retention (CIP, BSA, consent proof) and legal holds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.core.errors import ValidationFailed
from bankcrm.datasets.us_synthetic import import_us_synthetic
from bankcrm.holdings.models import Account, Transaction
from bankcrm.parties.birth import decrypt_date_of_birth
from bankcrm.parties.models import ContactPoint, IdentityDocument, Party
from bankcrm.privacy import crypto, deletion, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    return make_staff("privacy2", ["privacy_officer"])


def test_open_account_keeps_cip_and_bsa_records_with_their_basis(client_3687, officer) -> None:  # type: ignore[no-untyped-def]
    services.record_consent(actor=None, party=client_3687, purpose="do_not_call", status="granted", source="phone")
    transactions = Transaction.objects.filter(account__roles__party=client_3687).count()
    request = deletion.erase_party(actor=officer, party=client_3687, reason="Customer letter of 1998-12-01")
    client_3687.refresh_from_db()
    assert set(ContactPoint.objects.filter(party=client_3687).values_list("kind", flat=True)) == {"address"}
    assert decrypt_date_of_birth(client_3687.date_of_birth_encrypted) == dt.date(1972, 2, 6)
    assert client_3687.legal_name != ""
    assert "31 CFR 1020.220(a)(3)(ii)" in request.outcome["kept"]["date_of_birth"]
    assert "31 CFR 1010.430" in request.outcome["kept"]["accounts_and_transactions"]
    assert "consent_history" in request.outcome["kept"]
    assert "contact_points.email_phone" in request.outcome["erased"]
    assert Transaction.objects.filter(account__roles__party=client_3687).count() == transactions
    assert AuditEvent.objects.filter(action="privacy.dsar.delete").count() == 1


def test_party_without_accounts_is_erased_and_crypto_shredded(officer) -> None:  # type: ignore[no-untyped-def]
    import_us_synthetic(actor=None)
    person = Party.objects.get(source_system="synthetic-us", source_id="person:3")
    Account.objects.filter(roles__party=person).update(status=Account.Status.CLOSED, closed_on=dt.date(1990, 1, 1))
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    name = person.legal_name
    request = deletion.erase_party(actor=officer, party=person, reason="Request 77")
    person.refresh_from_db()
    assert person.legal_name.startswith("Erased party") and person.date_of_birth_encrypted is None
    assert person.tax_id_encrypted is None and person.tax_id_index == ""
    assert not IdentityDocument.objects.filter(party=person).exists()
    assert not ContactPoint.objects.filter(party=person).exists()
    assert "tax_id" in request.outcome["erased"] and "date_of_birth" not in request.outcome["kept"]
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM parties_party WHERE source_id = %s", ["person:3"])
        row = str(cur.fetchall())
    assert name not in row and ssn not in row


def test_legal_hold_blocks_deletion_until_released(client_3687, officer) -> None:  # type: ignore[no-untyped-def]
    hold = deletion.place_legal_hold(actor=officer, party=client_3687, reason="Subpoena 1998-44")
    with pytest.raises(ValidationFailed, match="legal hold"):
        deletion.erase_party(actor=officer, party=client_3687, reason="Customer letter")
    assert ContactPoint.objects.filter(party=client_3687).count() == 3
    deletion.release_legal_hold(actor=officer, hold=hold)
    deletion.erase_party(actor=officer, party=client_3687, reason="Customer letter")
    assert ContactPoint.objects.filter(party=client_3687).count() == 1


def test_open_case_keeps_identity_and_case_hold_blocks_erasure(officer) -> None:  # type: ignore[no-untyped-def]
    from bankcrm.cases import services as cases
    from bankcrm.cases.engine.workflow import Status

    import_us_synthetic(actor=None)
    person = Party.objects.get(source_system="synthetic-us", source_id="person:4")
    Account.objects.filter(roles__party=person).update(status=Account.Status.CLOSED, closed_on=dt.date(1990, 1, 1))
    agent = make_staff("agent9", ["call_centre_agent"])
    case = cases.open_case(
        actor=agent, kind="complaint", party=person, channel="phone", narrative="My closed account was charged a fee."
    )
    request = deletion.erase_party(actor=officer, party=person, reason="Request 78")
    person.refresh_from_db()
    assert not person.legal_name.startswith("Erased party")  # CIP expired, but the open case needs it
    assert request.outcome["kept"]["legal_name"] == deletion.OPEN_CASE_BASIS
    assert request.outcome["kept"]["cases"] == deletion.OPEN_CASE_BASIS
    hold = deletion.place_case_hold(actor=officer, case=case, reason="Litigation 2026-14")
    assert hold.case_id == case.pk and hold.party_id == person.pk
    case.status = Status.CLOSED
    case.save(update_fields=["status"])
    with pytest.raises(ValidationFailed, match="legal hold"):
        deletion.erase_party(actor=officer, party=person, reason="Request 79")
    deletion.release_legal_hold(actor=officer, hold=hold)
    request = deletion.erase_party(actor=officer, party=person, reason="Request 80")
    person.refresh_from_db()
    assert person.legal_name.startswith("Erased party") and request.outcome["kept"]["cases"] == deletion.CASE_BASIS
