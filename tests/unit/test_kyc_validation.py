"""CIP application validation (31 CFR 1020.220, 1010.230): every problem named by its field path,
exact cleaned values for good input."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from bankcrm.core.errors import ValidationFailed
from bankcrm.kyc.engine.validation import validate_application, validate_cdd

TODAY = dt.date(2025, 6, 1)


def person_app(**person: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "person",
        "channel": "branch",
        "cip_notice_acknowledged": True,
        "person": {
            "given_name": "Maria",
            "middle_name": "Elena",
            "family_name": "Lopez",
            "date_of_birth": "1980-04-02",
            "nationality": "US",
            "tax_id_type": "ssn",
            "tax_id": "123-45-6789",
            "address": {
                "line1": "10 Main St",
                "city": "Albany",
                "region": "ny",
                "postal_code": "12207",
                "country": "us",
            },
            "phone": "(518) 555-0142",
            "email": "Maria.Lopez@Example.COM",
        },
        "cdd": {"occupation": "employee", "products": ["checking"], "expected_monthly_amount": "3000.50"},
    }
    base["person"].update(person)
    return base


def org_app() -> dict[str, Any]:
    return {
        "kind": "organization",
        "channel": "web",
        "cip_notice_acknowledged": True,
        "organization": {
            "legal_name": "Lopez Bakery LLC",
            "formation_date": "2015-03-01",
            "formation_country": "US",
            "tax_id": "12-3456789",
            "industry": "311811",
            "address": {"line1": "5 Elm St", "city": "Austin", "region": "TX", "postal_code": "73301", "country": "US"},
        },
        "beneficial_owners": [
            {
                "given_name": "Jan",
                "family_name": "Novak",
                "date_of_birth": "1970-01-01",
                "nationality": "CZ",
                "ownership_percent": "60",
                "id_document": {"type": "national_id", "number": "700101/0005", "issuing_country": "CZ"},
                "address": {"line1": "Na Prikope 1", "city": "Praha", "postal_code": "110 00", "country": "CZ"},
            },
            {
                "given_name": "Ann",
                "family_name": "Lee",
                "date_of_birth": "1985-07-15",
                "nationality": "US",
                "tax_id_type": "ssn",
                "tax_id": "234-56-7890",
                "ownership_percent": "25",
                "address": {
                    "line1": "7 Oak Ave",
                    "city": "Austin",
                    "region": "TX",
                    "postal_code": "73301",
                    "country": "US",
                },
            },
        ],
        "control_person": {"owner": 0, "title": "Managing member"},
        "certification": {"name": "Jan Novak", "title": "Managing member", "certified": True},
        "cdd": {"products": ["checking", "international_wire"], "expected_countries": "CZ, DE"},
    }


def problems(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as exc:
        validate_application(raw, today=TODAY)
    return {p.field: p.message for p in exc.value.problems}


def test_a_complete_individual_application_is_cleaned() -> None:
    app = validate_application(person_app(), today=TODAY)
    p = app.person
    assert p is not None
    assert (p.full_name, p.tax_id, p.tax_id_type) == ("Maria Elena Lopez", "123456789", "ssn")
    assert (p.phone, p.email) == ("+15185550142", "Maria.Lopez@example.com")
    assert (p.address.region, p.address.country, p.residence_country) == ("NY", "US", "US")
    assert app.cdd.expected_monthly_minor == 300050 and app.cdd.currency == "USD" and app.cdd.pep_status == "none"
    assert app.individuals == [("applicant", p)]


def test_every_bad_field_is_named_and_nothing_is_returned() -> None:
    raw = person_app(
        given_name="M4ria",
        family_name="",
        date_of_birth="2030-01-01",
        tax_id="900-12-3456",
        address={"line1": "P.O. Box 12", "city": "Albany", "region": "ZZ", "postal_code": "1220", "country": "US"},
        phone="12",
        email="maria@localhost",
    )
    raw["cip_notice_acknowledged"] = False
    raw["cdd"] = {"occupation": "wizard", "products": ["gold"], "expected_monthly_amount": "12.345"}
    found = problems(raw)
    assert set(found) == {
        "cip_notice_acknowledged",
        "person.given_name",
        "person.family_name",
        "person.date_of_birth",
        "person.tax_id",
        "person.address.line1",
        "person.address.region",
        "person.address.postal_code",
        "person.phone",
        "person.email",
        "cdd.occupation",
        "cdd.products",
        "cdd.expected_monthly_amount",
    }
    assert found["person.address.line1"].startswith("a street address is required (CIP)")
    assert found["person.date_of_birth"] == "is in the future"
    assert found["cdd.expected_monthly_amount"] == "at most 2 decimals for USD"


@pytest.mark.parametrize(
    ("tax_type", "tax_id", "message"),
    [
        ("ssn", "078-05-1120", "not a valid SSN"),  # the famous Woolworth wallet-card number, blacklisted
        ("ssn", "000-12-3456", "not a valid SSN"),
        ("ssn", "912-70-1234", "(it is an ITIN: choose ITIN)"),
        ("itin", "123-45-6789", "(it is an SSN: choose SSN)"),
    ],
)
def test_us_tax_ids_are_checked_with_stdnum(tax_type: str, tax_id: str, message: str) -> None:
    found = problems(person_app(nationality="MX", tax_id_type=tax_type, tax_id=tax_id))
    assert message in found["person.tax_id"]


def test_an_itin_is_accepted_for_a_non_us_person() -> None:
    app = validate_application(person_app(nationality="MX", tax_id_type="itin", tax_id="912-70-1234"), today=TODAY)
    assert app.person is not None and (app.person.tax_id_type, app.person.tax_id) == ("itin", "912701234")


def test_a_us_person_needs_an_ssn_and_a_foreigner_an_id_number() -> None:
    assert problems(person_app(tax_id_type="", tax_id=""))["person.tax_id"] == (
        "a US person's Social Security number is required (CIP)"
    )
    found = problems(person_app(nationality="FR", tax_id_type="", tax_id=""))
    assert "passport, alien id or other government photo-id" in found["person.id_document"]


def test_foreign_ids_passports_and_expiry() -> None:
    passport = {"type": "passport", "number": "12AB34567", "issuing_country": "FR", "expires_on": "2030-01-01"}
    app = validate_application(
        person_app(nationality="FR", tax_id_type="", tax_id="", id_document=passport), today=TODAY
    )
    assert app.person is not None and app.person.id_document is not None
    assert (app.person.id_document.number, app.person.id_document.expires_on) == ("12AB34567", dt.date(2030, 1, 1))
    expired = {**passport, "expires_on": "2025-05-31"}
    found = problems(person_app(nationality="FR", tax_id_type="", tax_id="", id_document=expired))
    assert found == {"person.id_document.expires_on": "the document has expired"}
    short = {**passport, "number": "AB12"}
    assert problems(person_app(nationality="FR", tax_id_type="", tax_id="", id_document=short)) == {
        "person.id_document.number": "a passport number has 6 to 9 letters and digits"
    }


def test_a_czech_birth_number_must_match_the_date_of_birth() -> None:
    doc = {"type": "national_id", "number": "700101/0005", "issuing_country": "CZ"}
    ok = validate_application(
        person_app(nationality="CZ", tax_id_type="", tax_id="", date_of_birth="1970-01-01", id_document=doc),
        today=TODAY,
    )
    assert ok.person is not None and ok.person.id_document is not None
    assert ok.person.id_document.number == "7001010005"
    found = problems(
        person_app(nationality="CZ", tax_id_type="", tax_id="", date_of_birth="1970-01-02", id_document=doc)
    )
    assert found == {"person.id_document.number": "does not match the date of birth"}


@pytest.mark.parametrize(
    ("born", "message"),
    [
        ("1900-01-01", "implausible: more than 120 years ago"),
        ("2010-01-01", "must be at least 18 years old"),
        ("1980-02-30", "must be a date as YYYY-MM-DD"),
    ],
)
def test_date_of_birth_plausibility(born: str, message: str) -> None:
    assert problems(person_app(date_of_birth=born))["person.date_of_birth"] == message


def test_born_exactly_120_or_18_years_ago_is_accepted() -> None:
    assert validate_application(person_app(date_of_birth="1905-06-01"), today=TODAY).person is not None
    assert validate_application(person_app(date_of_birth="2007-06-01"), today=TODAY).person is not None


def test_military_addresses_are_street_addresses() -> None:
    apo = {"line1": "Unit 2050 Box 4190", "city": "APO", "region": "AE", "postal_code": "09096", "country": "US"}
    assert validate_application(person_app(address=apo), today=TODAY).person is not None
    apo_box = {**apo, "line1": "PSC 1234 PO Box 56"}
    assert validate_application(person_app(address=apo_box), today=TODAY).person is not None
    wrong = {**apo, "region": "NY"}
    assert problems(person_app(address=wrong)) == {"person.address.region": "an APO/FPO/DPO address uses AA, AE or AP"}


def test_a_legal_entity_with_owners_control_person_and_certification() -> None:
    app = validate_application(org_app(), today=TODAY)
    assert app.organization is not None and app.organization.tax_id == "123456789"
    assert [o.ownership_bp for o in app.beneficial_owners] == [6000, 2500]
    assert app.control_owner_index == 0 and app.control_person is not None
    assert (app.control_person.full_name, app.control_person.title) == ("Jan Novak", "Managing member")
    assert [(role, p.full_name) for role, p in app.individuals] == [
        ("beneficial_owner", "Jan Novak"),
        ("beneficial_owner", "Ann Lee"),
    ]
    assert app.cdd.expected_countries == ("CZ", "DE") and app.cdd.occupation == ""


def test_entity_rules_of_31_cfr_1010_230() -> None:
    raw = org_app()
    raw["beneficial_owners"][1]["ownership_percent"] = "24.99"
    raw["beneficial_owners"].append(copy.deepcopy(raw["beneficial_owners"][0]) | {"ownership_percent": "50"})
    raw["control_person"] = {}
    raw["certification"] = {"name": "Jan Novak", "title": "", "certified": False}
    raw["organization"]["tax_id"] = "00-0000000"
    found = problems(raw)
    assert found == {
        "beneficial_owners[1].ownership_percent": (
            "a beneficial owner holds 25% to 100% (31 CFR 1010.230); leave out smaller holders"
        ),
        "beneficial_owners": "ownership adds up to 110%, more than 100%",
        "control_person": "is required",
        "certification.certified": (
            "the person opening the account must certify the beneficial owners and control person "
            "(31 CFR 1010.230, Appendix A)"
        ),
        "certification.title": "is required",
        "organization.tax_id": "not a valid EIN: 9 digits with a valid IRS campus prefix",
    }


def test_no_owner_reaches_25_percent_is_allowed_but_one_control_person_is_required() -> None:
    raw = org_app()
    raw["beneficial_owners"] = []
    raw["control_person"] = {
        "given_name": "Ann",
        "family_name": "Lee",
        "title": "CEO",
        "date_of_birth": "1985-07-15",
        "nationality": "US",
        "tax_id_type": "ssn",
        "tax_id": "234-56-7890",
        "address": {"line1": "7 Oak Ave", "city": "Austin", "region": "TX", "postal_code": "73301", "country": "US"},
    }
    app = validate_application(raw, today=TODAY)
    assert app.beneficial_owners == () and app.control_owner_index is None
    assert app.individuals[0][0] == "control_person" and app.individuals[0][1].title == "CEO"


def test_a_control_person_index_must_name_an_owner_and_the_same_person_is_not_entered_twice() -> None:
    raw = org_app()
    raw["control_person"] = {"owner": 5, "title": "CEO"}
    assert problems(raw) == {"control_person.owner": "must be the index of one of the beneficial owners"}
    raw["control_person"] = {**raw["beneficial_owners"][1], "title": "CEO"}
    raw["control_person"].pop("ownership_percent")
    assert problems(raw) == {"control_person": "is beneficial_owners[1]: send owner 1 with the title instead"}


def test_self_service_needs_an_email_and_entity_sections_only_for_entities() -> None:
    raw = person_app(email="")
    with pytest.raises(ValidationFailed) as exc:
        validate_application(raw, today=TODAY, require_email=True)
    assert [(p.field, p.message) for p in exc.value.problems] == [("person.email", "is required to apply online")]
    raw = person_app()
    raw["beneficial_owners"] = [{}]
    assert problems(raw) == {"beneficial_owners": "only for a legal-entity (organization) application"}


def test_a_wrong_kind_stops_early() -> None:
    assert problems({"kind": "trust", "channel": "branch", "cip_notice_acknowledged": True}) == {
        "kind": "must be one of person, organization"
    }


def test_cdd_answers_alone() -> None:
    cdd = validate_cdd(
        {"pep_status": "foreign", "products": "checking private_banking", "currency": "czk"}, "organization"
    )
    assert (cdd.pep_status, cdd.products, cdd.currency, cdd.occupation) == (
        "foreign",
        ("checking", "private_banking"),
        "CZK",
        "",
    )
    with pytest.raises(ValidationFailed) as exc:
        validate_cdd(
            {"products": ["checking"], "expected_monthly_amount": "100", "expected_cash_amount": "200"}, "person"
        )
    assert {p.field for p in exc.value.problems} == {"cdd.occupation", "cdd.expected_cash_amount"}
