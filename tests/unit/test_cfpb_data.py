"""Tests for the CFPB file parser (bankcrm.cases.engine.cfpb_data): the shipped files and malformed copies."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from pathlib import Path

import pytest

from bankcrm.cases.engine.cfpb_data import (
    SAMPLE_FILE,
    SUPPLEMENT_FILE,
    find_data_file,
    iter_complaints,
    iter_supplement,
    labeled_narratives,
    read_complaints,
)
from bankcrm.cases.engine.taxonomy import CCDB_COLUMNS, CompanyResponse, ConsumerConsent, SubmittedVia, Tag
from bankcrm.core.errors import ValidationFailed

DATA = Path(__file__).resolve().parents[2] / "data" / "cfpb-complaints"


@pytest.fixture(scope="module")
def complaints():  # type: ignore[no-untyped-def]
    return read_complaints(DATA / SAMPLE_FILE)


def test_shipped_sample_counts(complaints) -> None:  # type: ignore[no-untyped-def]
    assert len(complaints) == 8468
    assert sum(c.narrative is not None for c in complaints) == 3105
    assert len({c.complaint_id for c in complaints}) == 8468
    assert complaints[0].date_received == dt.date(2012, 2, 7)
    assert max(c.date_received for c in complaints) < dt.date(2023, 5, 1)


def test_first_shipped_complaint_is_typed(complaints) -> None:  # type: ignore[no-untyped-def]
    c = complaints[0]
    assert c.complaint_id == "21494"
    assert (c.product, c.product_class, c.sub_product) == (
        "Mortgage",
        "mortgage",
        "Home equity loan or line of credit",
    )
    assert c.issue == "Loan servicing, payments, escrow account"
    assert c.sub_issue is None and c.narrative is None and c.company_public_response is None
    assert (c.company, c.state, c.zip_code, c.tags) == ("JPMORGAN CHASE & CO.", "CA", "90706", ())
    assert c.consumer_consent is None
    assert c.submitted_via is SubmittedVia.REFERRAL
    assert c.date_sent == dt.date(2012, 2, 8)
    assert c.company_response is CompanyResponse.CLOSED_WITHOUT_RELIEF
    assert (c.timely, c.consumer_disputed, c.line) == (True, True, 2)


def test_tags_consent_and_disputed_values(complaints) -> None:  # type: ignore[no-untyped-def]
    tags = {c.tags for c in complaints}
    assert tags == {(), (Tag.SERVICEMEMBER,), (Tag.OLDER_AMERICAN,), (Tag.OLDER_AMERICAN, Tag.SERVICEMEMBER)}
    assert {c.consumer_consent for c in complaints if c.narrative} == {ConsumerConsent.PROVIDED}
    assert {c.consumer_disputed for c in complaints} == {None, True, False}
    assert sum(not c.timely for c in complaints) == 142


def test_shipped_supplement_and_labeled_narratives() -> None:
    rows = list(iter_supplement(DATA / SUPPLEMENT_FILE))
    assert len(rows) == 3947
    assert (rows[0].row_index, rows[0].product, rows[0].product_class, rows[0].line) == (
        549162,
        "Credit card",
        "credit_card",
        2,
    )
    assert rows[0].narrative.startswith("I recently opened an account with citi simplicity")
    examples = labeled_narratives(DATA)
    assert len(examples) == 3105 + 3947
    assert [e.source for e in examples[3104:3106]] == ["sample", "supplement"]
    assert examples[-1].ref == f"supplement:{rows[-1].row_index}"
    assert examples[-1].issue is None and examples[-1].date_received is None


# --- malformed copies ---------------------------------------------------------------------------------

GOOD = {
    "Date received": "2019-05-02",
    "Product": "Debt collection",
    "Sub-product": "Medical debt",
    "Issue": "Attempts to collect debt not owed",
    "Sub-issue": "Debt is not yours",
    "Consumer complaint narrative": "First line\nsecond line of the same narrative",
    "Company public response": "",
    "Company": "ACME COLLECTIONS",
    "State": "TX",
    "ZIP code": "750XX",
    "Tags": "Older American, Servicemember",
    "Consumer consent provided?": "Consent provided",
    "Submitted via": "Web",
    "Date sent to company": "2019-05-02",
    "Company response to consumer": "Closed with explanation",
    "Timely response?": "Yes",
    "Consumer disputed?": "N/A",
    "Complaint ID": "3230001",
}


def write_sample(path: Path, rows: list[dict[str, str]], *, gz: bool = False) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CCDB_COLUMNS)
    for row in rows:
        writer.writerow([row[c] for c in CCDB_COLUMNS])
    data = buf.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def problems_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_plain_and_gzip_read_alike(tmp_path: Path) -> None:
    rows = [GOOD, {**GOOD, "Complaint ID": "3230002", "Consumer complaint narrative": ""}]
    plain = read_complaints(write_sample(tmp_path / "s.csv", rows))
    packed = read_complaints(write_sample(tmp_path / "s.csv.gz", rows, gz=True))
    assert plain == packed
    assert plain[0].narrative == "First line\nsecond line of the same narrative"
    assert plain[0].tags == (Tag.OLDER_AMERICAN, Tag.SERVICEMEMBER)
    assert plain[0].consumer_disputed is None
    # The first record spans lines 2-3 (embedded newline), so the second starts on line 4.
    assert [c.line for c in plain] == [2, 4]
    assert plain[1].narrative is None


def test_errors_name_file_line_and_column(tmp_path: Path) -> None:
    rows = [
        GOOD,
        {**GOOD, "Complaint ID": "3230002", "Date received": "05/02/2019"},
        {**GOOD, "Complaint ID": "3230003", "Product": "Credit cards", "Timely response?": "Maybe"},
        {**GOOD, "Complaint ID": "3230001"},
    ]
    path = write_sample(tmp_path / "bad.csv", rows)
    with pytest.raises(ValidationFailed) as exc:
        read_complaints(path)
    assert problems_of(exc) == [
        "bad.csv:4: Date received: expected a date YYYY-MM-DD, got '05/02/2019'",
        "bad.csv:6: Product: unknown CFPB product 'Credit cards'",
        "bad.csv:6: Timely response?: expected Yes or No, got 'Maybe'",
        "bad.csv:8: Complaint ID: 3230001 repeats line 2",
    ]


def test_iter_complaints_stops_at_the_first_bad_record(tmp_path: Path) -> None:
    rows = [GOOD, {**GOOD, "Complaint ID": "x1", "Submitted via": "Pigeon"}]
    path = write_sample(tmp_path / "bad.csv.gz", rows, gz=True)
    seen = []
    with pytest.raises(ValidationFailed) as exc:
        for complaint in iter_complaints(path):
            seen.append(complaint.complaint_id)
    assert seen == ["3230001"]
    assert problems_of(exc)[0].startswith("bad.csv.gz:4: Submitted via: unknown value 'Pigeon' (expected one of 'Web',")
    assert problems_of(exc)[1] == "bad.csv.gz:4: Complaint ID: expected a numeric Complaint ID, got 'x1'"


def test_unknown_enum_values_and_empty_required_cells(tmp_path: Path) -> None:
    rows = [
        {
            **GOOD,
            "Company response to consumer": "Closed with a smile",
            "Tags": "VIP",
            "Issue": " ",
            "Consumer disputed?": "Perhaps",
        }
    ]
    with pytest.raises(ValidationFailed) as exc:
        read_complaints(write_sample(tmp_path / "bad.csv", rows))
    found = problems_of(exc)
    assert "bad.csv:2: Issue: is empty" in found
    assert "bad.csv:2: Consumer disputed?: expected Yes or No, got 'Perhaps'" in found
    assert any(p.startswith("bad.csv:2: Tags: unknown value 'VIP'") for p in found)
    assert any(
        p.startswith("bad.csv:2: Company response to consumer: unknown value 'Closed with a smile'") for p in found
    )


def test_header_field_count_and_encoding_errors(tmp_path: Path) -> None:
    wrong_header = tmp_path / "h.csv"
    wrong_header.write_text("Date,Product\n2019-01-01,Mortgage\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        read_complaints(wrong_header)
    assert problems_of(exc)[0].startswith("h.csv:1: header: expected ['Date received',")

    short = write_sample(tmp_path / "short.csv", [GOOD])
    short.write_bytes(short.read_bytes() + b"2019-01-01,Mortgage\n")
    with pytest.raises(ValidationFailed) as exc:
        read_complaints(short)
    assert problems_of(exc) == ["short.csv:4: row: expected 18 fields, found 2"]

    latin = write_sample(tmp_path / "latin.csv", [GOOD])
    latin.write_bytes(latin.read_bytes().replace(b"ACME", b"AC\xc9ME"))
    with pytest.raises(ValidationFailed) as exc:
        read_complaints(latin)
    # Line of the bad byte itself: the record starts on line 2, its narrative runs into line 3.
    assert problems_of(exc) == ["latin.csv:3: encoding: not UTF-8: byte 0xc9"]


def test_supplement_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "supp.csv"
    path.write_text(
        ',Product,Consumer complaint narrative\n1,Mortgage,"Escrow\nproblem"\n2,Loans,text\n', encoding="utf-8"
    )
    rows = []
    with pytest.raises(ValidationFailed) as exc:
        rows.extend(iter_supplement(path))
    assert [r.line for r in rows] == [2]
    assert problems_of(exc) == ["supp.csv:4: Product: unknown CFPB product 'Loans'"]
    path.write_text(",Product,Consumer complaint narrative\nabc,Mortgage, \n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        list(iter_supplement(path))
    assert problems_of(exc) == [
        "supp.csv:2: row index: expected the row index of the 2016 dump (digits), got 'abc'",
        "supp.csv:2: Consumer complaint narrative: is empty",
    ]


def test_find_data_file_accepts_the_plain_form(tmp_path: Path) -> None:
    (tmp_path / "supplement_product_narrative.csv").write_text("x", encoding="utf-8")
    assert find_data_file(tmp_path, SUPPLEMENT_FILE) == tmp_path / "supplement_product_narrative.csv"
    with pytest.raises(ValidationFailed) as exc:
        find_data_file(tmp_path, SAMPLE_FILE)
    assert problems_of(exc) == [f"{tmp_path}: file: complaints_sample.csv.gz (or its plain form) not found"]
