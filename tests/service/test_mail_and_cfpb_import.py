"""E-mail intake (``bankcrm mail ingest``) and the CFPB sample import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bankcrm.cases import reports
from bankcrm.cases.engine.taxonomy import CCDB_COLUMNS
from bankcrm.cases.mail import ingest_directory
from bankcrm.cases.models import Case, CaseAttachment, CaseClock
from bankcrm.datasets.cfpb import import_cfpb
from bankcrm.interactions.models import Interaction
from bankcrm.parties.models import ContactPoint

BODY = "My debit card was charged twice for the same ATM withdrawal of $200 on my checking account."


def _eml(path: Path, *, sender: str, subject: str, body: str, message_id: str, extra: str = "") -> None:
    path.write_text(
        f"From: Customer <{sender}>\nTo: complaints@bank.example\nSubject: {subject}\n"
        f"Message-ID: <{message_id}>\nDate: Tue, 01 Dec 1998 10:00:00 -0500\n{extra}"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    )


def test_mail_ingest_matches_threads_and_is_idempotent(tmp_path: Path, client_3687) -> None:  # type: ignore[no-untyped-def]
    address = ContactPoint.objects.filter(party=client_3687, kind="email").values_list("value", flat=True).first()
    assert address
    _eml(tmp_path / "1.eml", sender=address.upper(), subject="Double ATM charge", body=BODY, message_id="m1@x")
    _eml(
        tmp_path / "2.eml",
        sender=address,
        subject="Re: Double ATM charge",
        body="Here is my statement.",
        message_id="m2@x",
        extra="In-Reply-To: <m1@x>\n",
    )
    _eml(tmp_path / "3.eml", sender="stranger@nowhere.example", subject="Fees", body="Why the fee?", message_id="m3@x")
    _eml(
        tmp_path / "3b.eml",
        sender="stranger@nowhere.example",
        subject="Re: Fees",
        body="Still waiting.",
        message_id="m3b@x",
        extra="In-Reply-To: <m3@x>\n",
    )
    (tmp_path / "4.eml").write_text("Subject: no sender\n\nhello\n")
    report = ingest_directory(tmp_path)
    assert (report.opened, report.unmatched, report.replies) == (2, 1, 2)
    assert report.errors == ["4.eml: From: no sender address"]
    case = Case.objects.get(source_system="email", source_id="m1@x")
    assert case.party_id == client_3687.pk and case.channel == "email" and "reg_e" in case.regimes
    assert Interaction.objects.filter(case_id=case.pk).count() == 2  # the intake and the reply
    assert Case.objects.get(source_id="m3@x").party_id is None
    again = ingest_directory(tmp_path)
    assert (again.opened, again.replies, again.skipped) == (0, 0, 4)
    unmatched = Case.objects.get(source_id="m3@x")
    assert unmatched.notes.filter(body__contains="Still waiting.").count() == 1  # the reply, once
    assert Case.objects.filter(source_system="email").count() == 2


def test_cfpb_import_keeps_ids_dates_outcomes_and_exports_in_ccdb_layout(client_3687, agent_user) -> None:  # type: ignore[no-untyped-def]
    report = import_cfpb(actor=None, limit=300)
    assert report.created["complaints"] == 300
    assert import_cfpb(actor=None, limit=300).created.get("complaints", 0) == 0
    first = Case.objects.get(source_system="cfpb", source_id="21494")
    assert first.received_at.date().isoformat() == "2012-02-07" and first.channel == "cfpb_portal"
    assert (first.product, first.company_response, first.timely_response) == ("Mortgage", "Closed without relief", True)
    assert first.status == "closed" and first.external["submitted_via"] == "Referral"
    closed = Case.objects.filter(source_system="cfpb", status="closed")
    assert closed.exists() and not CaseClock.objects.filter(case__in=closed, stopped_on__isnull=True).exists()
    assert CaseClock.objects.filter(case=first, key="cfpb_response").exists()
    lines = "".join(reports.ccdb_rows(agent_user))
    rows = list(csv.reader(io.StringIO(lines)))
    assert tuple(rows[0]) == CCDB_COLUMNS and len(rows) == 301
    by_id = {r[CCDB_COLUMNS.index("Complaint ID")]: r for r in rows[1:]}
    assert by_id[first.source_id][CCDB_COLUMNS.index("Product")] == first.product
    assert CaseAttachment.objects.count() == 0
