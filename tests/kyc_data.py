"""Applications and fixtures shared by the KYC service, API and console tests."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

#: Every KYC test runs on this business day (a Monday).
TODAY = dt.date(2025, 6, 2)
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=ZoneInfo("America/New_York"))

PERSON: dict[str, Any] = {
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
        "id_document": {
            "type": "drivers_license",
            "number": "D1234567",
            "issuing_country": "US",
            "issuing_region": "NY",
            "expires_on": "2029-04-02",
        },
        "address": {"line1": "10 Main St", "city": "Albany", "region": "NY", "postal_code": "12207", "country": "US"},
        "phone": "+1 518 555 0142",
        "email": "maria.lopez@example.com",
    },
    "cdd": {"occupation": "employee", "products": ["checking"], "expected_monthly_amount": "3000.50"},
}

ANN = {
    "given_name": "Ann",
    "family_name": "Lee",
    "date_of_birth": "1985-07-15",
    "nationality": "US",
    "tax_id_type": "ssn",
    "tax_id": "234-56-7890",
    "address": {"line1": "7 Oak Ave", "city": "Austin", "region": "TX", "postal_code": "73301", "country": "US"},
}

ORGANIZATION: dict[str, Any] = {
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
        "email": "info@lopez-bakery.example.com",
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
        {**ANN, "ownership_percent": "25"},
    ],
    "control_person": {"owner": 0, "title": "Managing member"},
    "certification": {"name": "Jan Novak", "title": "Managing member", "certified": True},
    "cdd": {"products": ["checking", "international_wire"], "expected_countries": ["CZ", "DE"]},
}


def person(**changes: Any) -> dict[str, Any]:
    """A copy of :data:`PERSON` with ``person`` fields replaced; ``cdd`` replaces the CDD section."""
    data = copy.deepcopy(PERSON)
    if "cdd" in changes:
        data["cdd"] = changes.pop("cdd")
    data["person"].update(changes)
    return data


def organization() -> dict[str, Any]:
    """A copy of :data:`ORGANIZATION`."""
    return copy.deepcopy(ORGANIZATION)


#: Test modules use these two with ``pytest.mark.usefixtures("frozen_clock", "no_screening")``.
@pytest.fixture
def frozen_clock():  # type: ignore[no-untyped-def]
    from bankcrm.core import clock

    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def no_screening(monkeypatch):  # type: ignore[no-untyped-def]
    """KYC as it works before the screening app provides ``screen_party`` (state ``not_screened``)."""
    from bankcrm.kyc import integration

    monkeypatch.setattr(integration, "screening_function", lambda: None)


def make_kyc_staff(*, mfa: bool = False) -> dict[str, Any]:
    """A branch agent (onboards), two BSA/AML officers (maker and checker) and a call-centre agent
    (with a TOTP factor when ``mfa``: the console needs one)."""
    from tests.conftest import make_staff

    return {
        "agent": make_staff("branch", ["branch_agent"], mfa=mfa),
        "officer": make_staff("bsa1", ["bsa_aml_officer"], mfa=mfa),
        "checker": make_staff("bsa2", ["bsa_aml_officer"], mfa=mfa),
        "caller": make_staff("caller", ["call_centre_agent"], mfa=mfa),
    }
