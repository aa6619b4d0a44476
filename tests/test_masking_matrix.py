"""Masking per role, generated from ``ROLE_PERMISSIONS``: date of birth, tax id and account number
of one synthetic US person as every role sees them in the API (360 and search), on the console
(360 and search pages) and in the customer-data CSV export; and the export's own rules (step-up,
a search first, scoping, an audit event without values). Adding a role or changing what a role
holds changes the expectations here without editing the test."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from bankcrm.audit.models import AuditEvent
from bankcrm.authz.permissions import ROLE_PERMISSIONS, Perm, Role
from bankcrm.datasets.us_synthetic import import_us_synthetic
from bankcrm.holdings.models import Account
from bankcrm.identity import mfa
from bankcrm.identity import services as identity
from bankcrm.identity.models import CustomerLink, User
from bankcrm.parties import selectors
from bankcrm.parties.birth import decrypt_date_of_birth
from bankcrm.parties.models import Party
from bankcrm.parties.services import assign_relationship_manager
from bankcrm.privacy import crypto
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"
STAFF_ROLES = [r for r in Role if r != Role.CUSTOMER]
#: The three masked values, the permission that shows each in full, and the channels showing it.
FIELDS = {
    "date_of_birth": Perm.DATE_OF_BIRTH_READ,
    "tax_id": Perm.TAX_ID_READ,
    "account_number": Perm.ACCOUNT_NUMBER_READ,
}
CHANNELS = {
    "api 360": {"date_of_birth", "tax_id", "account_number"},
    "api search": {"date_of_birth"},
    "console 360": {"date_of_birth", "tax_id", "account_number"},
    "console search": {"date_of_birth"},
    "csv export": {"date_of_birth", "tax_id", "account_number"},
}


@pytest.fixture
def subject(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Synthetic US person 0 (SSN, date of birth, one account) and one user per role; the
    relationship manager's book holds the person, the customer is linked to them."""
    import_us_synthetic(actor=None)
    person = Party.objects.get(source_system="synthetic-us", source_id="person:0")
    account = Account.objects.get(roles__party=person)
    born = decrypt_date_of_birth(person.date_of_birth_encrypted)
    assert born is not None
    users = {r.value: make_staff(f"m-{r.value}", [r.value], is_superuser=r == Role.ADMINISTRATOR) for r in STAFF_ROLES}
    customer = identity.create_user(
        actor=None, username="m-customer", password=PASSWORD, roles=["customer"], kind=User.Kind.CUSTOMER
    )
    mfa.enrol_totp(actor=None, user=customer)
    CustomerLink.objects.create(user=customer, party=person, method="test")
    users["customer"] = customer
    assign_relationship_manager(
        actor=None, manager=users["relationship_manager"], parties=Party.objects.filter(pk=person.pk)
    )
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    return {
        "person": person,
        "users": users,
        "plain": {"date_of_birth": born.isoformat(), "tax_id": ssn, "account_number": account.number},
        "masked": {
            "date_of_birth": f"{born.year}-••-••",
            "tax_id": "•••••" + ssn[-4:],
            "account_number": "••••••••" + account.number[-4:],
        },
    }


def _body(client: Client, subject: dict[str, Any], role: str, channel: str) -> str:
    person, user = subject["person"], subject["users"][role]
    if channel.startswith("api"):
        auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=user).secret}
        url = f"/api/v1/parties/{person.pk}" if channel == "api 360" else "/api/v1/parties"
        response = client.get(url, {} if channel == "api 360" else {"search": person.legal_name}, **auth)
        assert response.status_code == 200, (role, channel, response.status_code)
        return json.dumps(response.json(), ensure_ascii=False)  # the wire format escapes "•"
    else:
        client.force_login(user)
        if channel == "console 360":
            response = client.get(f"/parties/{person.pk}/")
        elif channel == "console search":
            response = client.get("/parties/", {"q": person.legal_name})
        else:
            client.post("/accounts/reauthenticate/", {"password": PASSWORD})
            response = client.get("/parties/export.csv", {"q": person.legal_name})
            assert response.status_code == 200, (role, response.status_code)
            return b"".join(response.streaming_content).decode()
    assert response.status_code == 200, (role, channel, response.status_code)
    return response.content.decode()


MATRIX = [
    (role.value, channel)
    for role in Role
    for channel in CHANNELS
    if role != Role.CUSTOMER or channel.startswith("api")  # the console is for staff
]


@pytest.mark.parametrize(("role", "channel"), MATRIX)
def test_masking_matrix(client: Client, subject: dict[str, Any], role: str, channel: str) -> None:
    body = _body(client, subject, role, channel)
    assert subject["person"].legal_name in body
    for name in CHANNELS[channel]:
        full = FIELDS[name] in ROLE_PERMISSIONS[Role(role)]
        plain, masked = subject["plain"][name], subject["masked"][name]
        if full:
            assert plain in body, (role, channel, name)
        else:
            assert plain not in body and masked in body, (role, channel, name)


def test_the_matrix_covers_every_role_and_both_outcomes() -> None:
    assert {r for r, _ in MATRIX} == {r.value for r in Role}
    for perm in FIELDS.values():
        holders = {r for r in Role if perm in ROLE_PERMISSIONS[r]}
        assert holders and holders != set(Role)  # some roles see each field in full, some masked


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_needs_step_up_and_records_counts_and_filters_not_values(client: Client, subject) -> None:  # type: ignore[no-untyped-def]
    auditor = subject["users"]["auditor"]
    client.force_login(auditor)
    ssn = subject["plain"]["tax_id"]
    first = client.get("/parties/export.csv", {"q": ssn})
    assert first.status_code == 302 and first.url.startswith("/accounts/reauthenticate/")
    assert not AuditEvent.objects.filter(action="parties.export").exists()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.get("/parties/export.csv", {"q": ssn})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="customers.csv"'
    rows = _csv(response)
    assert rows[0] == selectors.EXPORT_COLUMNS
    assert len(rows) == 2 and rows[1][0] == str(subject["person"].pk)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["date_of_birth"], row["tax_id_type"], row["tax_id"]) == (subject["plain"]["date_of_birth"], "ssn", ssn)
    assert row["account_numbers"] == subject["plain"]["account_number"]
    event = AuditEvent.objects.get(action="parties.export")
    assert event.actor == auditor and event.subject_type == "party_search"
    assert event.payload == {
        "filters": {"kind": "tax_id"},
        "rows": 1,
        "unmasked": ["date_of_birth", "tax_id", "account_numbers"],
    }
    assert ssn not in str(event.payload)
    # Exported in full: the export event is the record, not one pii.read per value.
    assert not AuditEvent.objects.filter(action="pii.read", actor=auditor).exists()


def test_export_of_a_name_search_lists_every_chunk_masked(  # type: ignore[no-untyped-def]
    client: Client, subject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 5)  # several chunks without thousands of rows
    agent = subject["users"]["call_centre_agent"]
    client.force_login(agent)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    term = "a"
    expected = [str(pk) for pk in selectors.matching_parties(agent, query=term).values_list("pk", flat=True)]
    assert len(expected) == 22  # of the 25 synthetic US parties, 22 have an "a" in their name
    rows = _csv(client.get("/parties/export.csv", {"q": term}))
    assert [r[0] for r in rows[1:]] == expected  # in name order, none lost or repeated between chunks
    assert all("•" in r[6] for r in rows[1:] if r[6])  # tax ids: never in full for an agent
    event = AuditEvent.objects.get(action="parties.export")
    assert event.payload == {"filters": {"kind": "name", "q": "a"}, "rows": 22, "unmasked": []}


def test_export_is_scoped_to_the_relationship_managers_book(client: Client, subject) -> None:  # type: ignore[no-untyped-def]
    rm = subject["users"]["relationship_manager"]
    other = Party.objects.get(source_system="synthetic-us", source_id="person:1")
    other_ssn = crypto.decrypt(other.tax_id_encrypted, field="party.tax_id")
    client.force_login(rm)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert len(_csv(client.get("/parties/export.csv", {"q": other_ssn}))) == 1  # header only
    rows = _csv(client.get("/parties/export.csv", {"q": "a"}))
    assert [r[0] for r in rows[1:]] == [str(subject["person"].pk)]


def test_export_refuses_without_a_search_and_to_customers_and_anonymous(client: Client, subject) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/parties/export.csv", {"q": "a"}).status_code == 302  # to sign-in
    client.force_login(subject["users"]["customer"])
    assert client.get("/parties/export.csv", {"q": "a"}).status_code == 403
    client.force_login(subject["users"]["branch_agent"])
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    empty = client.get("/parties/export.csv", {"q": "  "})
    assert empty.status_code == 400 and b"q: search first" in empty.content
    assert not AuditEvent.objects.filter(action="parties.export").exists()


def test_search_results_offer_the_export_link(client: Client, subject) -> None:  # type: ignore[no-untyped-def]
    client.force_login(subject["users"]["call_centre_agent"])
    page = client.get("/parties/", {"q": subject["person"].legal_name}).content.decode()
    assert "/parties/export.csv?q=" in page and "Export all results as CSV" in page


def test_date_of_birth_reveal_goes_through_step_up_and_is_audited(client: Client, subject) -> None:  # type: ignore[no-untyped-def]
    person = subject["person"]
    client.force_login(subject["users"]["privacy_officer"])
    page = client.get(f"/parties/{person.pk}/").content.decode()
    assert subject["masked"]["date_of_birth"] in page and 'value="date_of_birth"' in page
    form = {"field": "date_of_birth", "reason": "Access request 2026-7: confirm identity"}
    first = client.post(f"/parties/{person.pk}/reveal/", form, HTTP_HX_REQUEST="true")
    assert first.status_code == 204 and not AuditEvent.objects.filter(action="pii.reveal").exists()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    shown = client.post(f"/parties/{person.pk}/reveal/", form, HTTP_HX_REQUEST="true").content.decode()
    assert subject["plain"]["date_of_birth"] in shown
    event = AuditEvent.objects.get(action="pii.reveal")
    assert event.payload == {"field": "date_of_birth", "reason": form["reason"]}


def test_full_date_of_birth_reads_are_audited_once_per_search_page(client: Client, subject) -> None:  # type: ignore[no-untyped-def]
    branch = subject["users"]["branch_agent"]
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=branch).secret}
    items = client.get("/api/v1/parties", {"search": "a", "limit": 10}, **auth).json()["items"]
    people = [i for i in items if i["date_of_birth"]]
    assert len(people) >= 2 and all("•" not in i["date_of_birth"] for i in people)
    (event,) = AuditEvent.objects.filter(action="pii.read", actor=branch)
    assert event.payload == {"field": "party.date_of_birth", "parties": [i["id"] for i in people]}


def test_audit_csv_scrubs_numbers_typed_into_reasons(client: Client, subject) -> None:  # type: ignore[no-untyped-def]
    """A reason is stored scrubbed; an event written before that rule (or by a direct call) is
    scrubbed again on export, and party ids survive."""
    from bankcrm.audit import services as audit

    ssn = subject["plain"]["tax_id"]
    audit.record_standalone(
        actor=None,
        action="pii.reveal",
        subject_type="party",
        subject_id=str(subject["person"].pk),
        payload={"field": "tax_id", "reason": f"caller gave {ssn}", "party": str(subject["person"].pk)},
    )
    client.force_login(subject["users"]["auditor"])
    page = client.get("/audit/", {"action": "pii.reveal"}).content.decode()
    assert ssn not in page and "[9-DIGITS]" in page
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    rows = _csv(client.get("/audit/export.csv", {"action": "pii.reveal"}))
    (row,) = rows[1:]
    assert ssn not in ",".join(row) and "[9-DIGITS]" in row[6] and str(subject["person"].pk) in row[6]


def test_age_selectors_for_authorised_code(subject) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.core.exceptions import PermissionDenied

    person, users = subject["person"], subject["users"]
    born = dt.date.fromisoformat(subject["plain"]["date_of_birth"])
    on = dt.date(2026, 1, 1)
    expected = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    assert selectors.age(users["marketing_analyst"], person.pk, on=on) == expected
    assert selectors.ages(
        users["relationship_manager"], [person.pk, Party.objects.get(source_id="person:1").pk], on=on
    ) == {person.pk: expected}  # person 1 is not in the manager's book
    assert selectors.date_of_birth(users["branch_agent"], person.pk) == born
    read = AuditEvent.objects.get(action="pii.read", actor=users["branch_agent"])
    assert read.payload == {"field": "party.date_of_birth"} and read.subject_id == str(person.pk)
    with pytest.raises(PermissionDenied):
        selectors.date_of_birth(users["call_centre_agent"], person.pk)
