"""Tests for the CFPB vocabulary (bankcrm.cases.engine.taxonomy): product classes across eras, enums, columns."""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from bankcrm.cases.engine.taxonomy import (
    CCDB_COLUMNS,
    PRODUCT_CLASSES,
    CompanyResponse,
    ConsumerConsent,
    CurrentProduct,
    ProductClass,
    SubmittedVia,
    Tag,
    canonical_product,
    class_of_current_product,
    current_product,
    display_name,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "cfpb-complaints"
SRC = Path(__file__).resolve().parents[2] / "src"

#: Every product value of REGULATORY_FACTS.md 3.1 (current, 2017-2023, before 2017) -> expected class.
EXPECTED = {
    # current
    "Checking or savings account": "checking_savings",
    "Credit card": "credit_card",
    "Credit reporting or other personal consumer reports": "credit_reporting",
    "Debt collection": "debt_collection",
    "Debt or credit management": "debt_management",
    "Money transfer, virtual currency, or money service": "money_transfer",
    "Mortgage": "mortgage",
    "Payday loan, title loan, personal loan, or advance loan": "consumer_loan",
    "Prepaid card": "credit_card",
    "Student loan": "student_loan",
    "Vehicle loan or lease": "consumer_loan",
    # April 2017 to 2023
    "Credit card or prepaid card": "credit_card",
    "Credit reporting, credit repair services, or other personal consumer reports": "credit_reporting",
    "Payday loan, title loan, or personal loan": "consumer_loan",
    # before April 2017
    "Bank account or service": "checking_savings",
    "Consumer Loan": "consumer_loan",
    "Credit reporting": "credit_reporting",
    "Money transfers": "money_transfer",
    "Other financial service": "money_transfer",
    "Payday loan": "consumer_loan",
    "Virtual currency": "money_transfer",
}


@pytest.mark.parametrize(("raw", "expected"), sorted(EXPECTED.items()))
def test_every_product_of_every_era_maps_to_its_class(raw: str, expected: str) -> None:
    assert canonical_product(raw) == expected
    assert isinstance(canonical_product(raw), ProductClass)


def test_the_mapping_table_is_exactly_the_documented_one() -> None:
    table = {name: info.product_class.value for info in PRODUCT_CLASSES.values() for name in info.raw_names}
    assert table == EXPECTED
    assert set(PRODUCT_CLASSES) == set(ProductClass)


def test_case_and_surrounding_spaces_are_ignored() -> None:
    assert canonical_product("  bank ACCOUNT or service ") == "checking_savings"
    assert canonical_product("CONSUMER LOAN") == "consumer_loan"


@pytest.mark.parametrize("raw", ["Credit cards", "", "   ", "Mortgage loan", "Bank account"])
def test_unknown_products_raise_naming_the_value(raw: str) -> None:
    with pytest.raises(ValueError, match=r"product: unknown CFPB product") as info:
        canonical_product(raw)
    assert repr(raw) in str(info.value)


def test_display_names_are_current_cfpb_names() -> None:
    assert display_name("checking_savings") == "Checking or savings account"
    assert display_name(ProductClass.CREDIT_REPORTING) == "Credit reporting or other personal consumer reports"
    assert display_name("credit_card") == "Credit card / Prepaid card"
    assert display_name("consumer_loan") == (
        "Payday loan, title loan, personal loan, or advance loan / Vehicle loan or lease"
    )
    every_current = {p for info in PRODUCT_CLASSES.values() for p in info.current_products}
    assert every_current == set(CurrentProduct)
    with pytest.raises(ValueError, match="product_class: unknown product class 'cards'"):
        display_name("cards")


@pytest.mark.parametrize(
    ("raw", "sub_product", "expected"),
    [
        ("Bank account or service", "Checking account", "Checking or savings account"),
        ("Credit card or prepaid card", "General-purpose credit card or charge card", "Credit card"),
        ("Credit card or prepaid card", "Store credit card", "Credit card"),
        ("Credit card or prepaid card", "General-purpose prepaid card", "Prepaid card"),
        ("Credit card or prepaid card", "Government benefit card", "Prepaid card"),
        ("Credit card", None, "Credit card"),
        ("Prepaid card", None, "Prepaid card"),
        ("Consumer Loan", "Vehicle loan", "Vehicle loan or lease"),
        ("Consumer Loan", "Vehicle lease", "Vehicle loan or lease"),
        ("Consumer Loan", "Installment loan", "Payday loan, title loan, personal loan, or advance loan"),
        ("Consumer Loan", None, None),
        ("Consumer Loan", "", None),
        ("Payday loan", None, "Payday loan, title loan, personal loan, or advance loan"),
        (
            "Payday loan, title loan, or personal loan",
            "Title loan",
            "Payday loan, title loan, personal loan, or advance loan",
        ),
        ("Vehicle loan or lease", "Lease", "Vehicle loan or lease"),
    ],
)
def test_current_product_uses_the_sub_product_in_merged_classes(
    raw: str, sub_product: str | None, expected: str | None
) -> None:
    assert current_product(raw, sub_product) == expected


def test_class_of_current_product() -> None:
    assert class_of_current_product("Prepaid card") == "credit_card"
    assert class_of_current_product("Vehicle loan or lease") == "consumer_loan"
    with pytest.raises(ValueError, match="product: 'Consumer Loan' is not a current CFPB product"):
        class_of_current_product("Consumer Loan")


def test_company_responses_current_and_legacy() -> None:
    assert [r.value for r in CompanyResponse if not r.is_legacy] == [
        "Closed with explanation",
        "Closed with monetary relief",
        "Closed with non-monetary relief",
        "In progress",
        "Untimely response",
    ]
    assert [r.value for r in CompanyResponse if r.is_legacy] == [
        "Closed",
        "Closed with relief",
        "Closed without relief",
    ]
    assert CompanyResponse("Closed with monetary relief").is_closed
    assert not CompanyResponse.IN_PROGRESS.is_closed
    assert not CompanyResponse.UNTIMELY_RESPONSE.is_closed


def test_submitted_via_tags_and_consent_values() -> None:
    assert [v.value for v in SubmittedVia] == ["Web", "Phone", "Email", "Postal mail", "Fax", "Referral"]
    assert [t.value for t in Tag] == ["Older American", "Servicemember"]
    assert ConsumerConsent("Consent withdrawn") is ConsumerConsent.WITHDRAWN


def test_ccdb_columns_match_the_shipped_file_header() -> None:
    assert len(CCDB_COLUMNS) == 18
    assert CCDB_COLUMNS[0] == "Date received"
    assert CCDB_COLUMNS[-1] == "Complaint ID"
    with gzip.open(DATA / "complaints_sample.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == CCDB_COLUMNS


def test_every_value_in_the_shipped_sample_is_known() -> None:
    with gzip.open(DATA / "complaints_sample.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["Company response to consumer"] for r in rows} <= {r.value for r in CompanyResponse}
    assert {r["Submitted via"] for r in rows} <= {v.value for v in SubmittedVia}
    classes = {canonical_product(r["Product"]) for r in rows}
    assert classes == set(ProductClass) - {ProductClass.DEBT_MANAGEMENT}


@pytest.mark.parametrize(
    "module",
    ["bankcrm.cases.engine.taxonomy", "bankcrm.cases.engine.cfpb_data", "bankcrm.cases.engine.classifier"],
)
def test_engine_modules_import_without_django(module: str) -> None:
    code = f"import sys, {module}; assert not [m for m in sys.modules if m.split('.')[0] == 'django']"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PYTHONPATH": str(SRC)}, check=False
    )
    assert result.returncode == 0, result.stderr
