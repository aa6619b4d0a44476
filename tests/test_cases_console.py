"""Console and portal pages of the case engine (Django test client; the browser test drives the
same pages end to end): a stale save keeps the user's input, queues, reports, CCDB export, and
customers filing and following their own complaints in the portal."""

from __future__ import annotations

import csv
import io

from django.test import Client

from bankcrm.cases import services
from bankcrm.cases.engine.taxonomy import CCDB_COLUMNS
from bankcrm.cases.models import Case
from bankcrm.identity import mfa
from bankcrm.identity import services as identity
from bankcrm.identity.models import CustomerLink, User
from tests.conftest import make_staff

NARRATIVE = "The bank charged me a monthly maintenance fee on my savings account that I was told would be free."


def test_stale_save_in_the_console_is_409_and_keeps_the_input(client: Client, client_3687) -> None:  # type: ignore[no-untyped-def]
    officer = make_staff("officer", ["complaints_officer"])
    other = make_staff("other", ["complaints_officer"])
    case = services.open_case(actor=officer, kind="complaint", party=client_3687, channel="phone", narrative=NARRATIVE)
    stale = case.version
    services.transition(actor=other, case=case, action="start", expected_version=stale)
    client.force_login(officer)
    response = client.post(
        f"/cases/{case.pk}/transition/",
        {
            "action": "respond",
            "version": stale,
            "company_response": "Closed with explanation",
            "resolution_summary": "Our letter of 2 December explained the fee waiver conditions.",
            "reason": "",
            "relief": "",
            "root_causes": "fee disclosure",
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "someone else changed this case" in body
    assert "Our letter of 2 December explained the fee waiver conditions." in body  # nothing lost
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_queue_report_and_ccdb_export(client: Client, client_3687) -> None:  # type: ignore[no-untyped-def]
    officer = make_staff("officer", ["complaints_officer"])
    case = services.open_case(actor=officer, kind="complaint", party=client_3687, channel="web", narrative=NARRATIVE)
    client.force_login(officer)
    queue = client.get("/cases/", {"queue": "unassigned"})
    assert queue.status_code == 200 and case.reference in queue.content.decode()
    assert client.get("/cases/", {"kind": "nonsense"}).status_code == 200  # error shown, not a crash
    report = client.get("/cases/reports/")
    assert report.status_code == 200 and 'id="r-total">1<' in report.content.decode()
    export = client.get("/cases/reports/ccdb.csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert tuple(rows[0]) == CCDB_COLUMNS
    assert rows[1][CCDB_COLUMNS.index("Complaint ID")] == case.reference
    assert rows[1][CCDB_COLUMNS.index("Consumer complaint narrative")] == ""  # not published without consent
    assert rows[1][CCDB_COLUMNS.index("Company response to consumer")] == "In progress"


def test_customer_files_and_follows_own_complaints(client: Client, client_3687) -> None:  # type: ignore[no-untyped-def]
    customer = identity.create_user(
        actor=None, username="cust", password="correct horse battery", roles=["customer"], kind=User.Kind.CUSTOMER
    )
    CustomerLink.objects.create(user=customer, party=client_3687)
    mfa.enrol_totp(actor=None, user=customer)
    someone_else = make_staff("officer", ["complaints_officer"])
    client.force_login(customer)
    response = client.post("/portal/complaints/", {"subject": "Fee", "narrative": NARRATIVE})
    assert response.status_code == 200 and "was received" in response.content.decode()
    mine = Case.objects.get(party=client_3687)
    assert mine.channel == "web" and mine.opened_by_id == customer.pk
    services.add_note(actor=someone_else, case=mine, body="internal: check fee schedule v3")
    page = client.get("/portal/complaints/").content.decode()
    assert mine.reference in page and "internal: check fee schedule" not in page
    assert client.get(f"/cases/{mine.pk}/").status_code in (302, 403)  # the staff console is not for customers
    empty = client.post("/portal/complaints/", {"subject": "", "narrative": " "})
    assert empty.status_code == 422
