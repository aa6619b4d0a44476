"""Encryption at rest, proven on the database itself: after seeding parties and running the flows
that read, reveal and export their identifiers, raw SQL over every column of every table finds
no plaintext SSN and no plaintext date of birth; exact-SSN search still works through the blind
index; the migration that encrypted dates of birth works forwards and backwards."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.datasets.us_synthetic import import_us_synthetic
from bankcrm.identity.models import User
from bankcrm.parties.birth import decrypt_date_of_birth
from bankcrm.parties.models import Party
from bankcrm.privacy import crypto, dsar

PASSWORD = "correct horse battery"


def _text(value: Any) -> str:
    """A column value as the text someone reading the database would see."""
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).decode("latin-1")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _every_value() -> Iterator[tuple[str, str, str]]:
    """(table, column, value as text) for every cell of every table, read with raw SQL."""
    with connection.cursor() as cur:
        for table in connection.introspection.table_names(cur):
            columns = [c.name for c in connection.introspection.get_table_description(cur, table)]
            # Table names come from the database's own catalogue, quoted.
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cur.fetchall():
                for column, value in zip(columns, row, strict=True):
                    yield table, column, _text(value)


def _find(needles: dict[str, str]) -> list[str]:
    """Where any needle (label -> plaintext) occurs in the database: ``table.column: label``."""
    return sorted(
        {
            f"{table}.{column}: {label}"
            for table, column, text in _every_value()
            for label, needle in needles.items()
            if needle in text
        }
    )


def _ssn_forms(ssn: str) -> list[str]:
    return [ssn, f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"]


@pytest.mark.django_db
def test_raw_sql_finds_no_plaintext_ssn_or_date_of_birth(client_3687, client: Client) -> None:  # type: ignore[no-untyped-def]
    import_us_synthetic(actor=None)
    people = list(Party.objects.exclude(date_of_birth_encrypted__isnull=True))
    births = {str(p.pk): decrypt_date_of_birth(p.date_of_birth_encrypted) for p in people}
    ssns = {
        str(p.pk): crypto.decrypt(p.tax_id_encrypted, field="party.tax_id")
        for p in Party.objects.filter(tax_id_type__in=["ssn", "itin"])
    }
    # 15 Berka clients of the subset + 20 synthetic US persons; 20 SSNs/ITINs.
    assert (len(births), len(ssns)) == (Party.objects.filter(kind="person").count(), 20)
    assert len(births) == 35 and all(isinstance(b, dt.date) for b in births.values())
    assert births[str(client_3687.pk)] == dt.date(1972, 2, 6)

    # The flows that handle the plaintext: full reads (branch agent), a reveal whose reason quotes
    # the SSN, a CSV export, a data-subject access report.
    person = Party.objects.get(source_system="synthetic-us", source_id="person:0")
    ssn = ssns[str(person.pk)]
    branch = make_staff("branch1", ["branch_agent"])
    client.force_login(branch)
    assert ssn[-4:] in client.get(f"/parties/{person.pk}/").content.decode()
    aml = make_staff("aml1", ["bsa_aml_officer"])
    client.force_login(aml)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    reason = f"Caller quoted SSN {ssn[:3]}-{ssn[3:5]}-{ssn[5:]} and DOB; SAR 2026-114"
    for field in ("tax_id", "date_of_birth"):
        shown = client.post(f"/parties/{person.pk}/reveal/", {"field": field, "reason": reason}, HTTP_HX_REQUEST="true")
        assert shown.status_code == 200
    assert births[str(person.pk)].isoformat() in shown.content.decode()
    export = client.get("/parties/export.csv", {"q": ssn})
    assert export.status_code == 200 and len(b"".join(export.streaming_content).splitlines()) == 2
    dsar.access_report(actor=make_staff("privacy1", ["privacy_officer"]), party=person)
    assert AuditEvent.objects.filter(action="pii.reveal").count() == 2

    needles = {f"ssn {pk} {form}": form for pk, s in ssns.items() for form in _ssn_forms(s)}
    needles |= {f"dob {pk}": born.isoformat() for pk, born in births.items()}
    assert _find(needles) == []
    # The scan does see plaintext where it exists: a legal name, and a date stored in a DATE column.
    assert _find({"name": person.legal_name, "txn": "1994-03-31"}) != []
    stored = AuditEvent.objects.filter(action="pii.reveal").first()
    assert stored is not None and "[TAX-ID]" in stored.payload["reason"]


@pytest.mark.django_db
def test_exact_ssn_search_still_works_through_the_blind_index(client: Client) -> None:
    import_us_synthetic(actor=None)
    person = Party.objects.get(source_system="synthetic-us", source_id="person:7")
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    client.force_login(make_staff("agent9", ["call_centre_agent"]))
    for term in _ssn_forms(ssn):
        page = client.get("/parties/", {"q": term}).content.decode()
        assert person.legal_name in page and "1 customer shown" in page
    assert "No customer matches." in client.get("/parties/", {"q": "000000001"}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_migration_encrypts_existing_dates_of_birth_and_drops_the_column() -> None:
    from django.db.migrations.executor import MigrationExecutor

    before = [("parties", "0003_partyshare")]
    after = [("parties", "0004_date_of_birth_encrypted")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("parties", "Party")
        old.objects.create(
            kind="person", legal_name="Ann Old", search_name="ann old", date_of_birth=dt.date(1931, 5, 7)
        )
        old.objects.create(kind="organization", legal_name="Old Co", search_name="old co", source_id="x:1")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        with connection.cursor() as cur:
            columns = [c.name for c in connection.introspection.get_table_description(cur, "parties_party")]
        assert "date_of_birth" not in columns and "date_of_birth_encrypted" in columns
        new = executor.loader.project_state(after).apps.get_model("parties", "Party")
        ann = new.objects.get(legal_name="Ann Old")
        assert decrypt_date_of_birth(ann.date_of_birth_encrypted) == dt.date(1931, 5, 7)
        assert new.objects.get(legal_name="Old Co").date_of_birth_encrypted is None
        assert _find({"dob": "1931-05-07"}) == []

        executor = MigrationExecutor(connection)
        executor.migrate(before)  # and back: decrypted into the recreated column
        old = executor.loader.project_state(before).apps.get_model("parties", "Party")
        assert old.objects.get(legal_name="Ann Old").date_of_birth == dt.date(1931, 5, 7)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.count() == 0  # nothing else was touched
