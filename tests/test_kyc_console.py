"""KYC pages of the staff console and the portal (Django test client): the onboarding form with
field-level errors and kept input, the onboarding page (evidence, decisions), a party's risk page
(masked factors, CDD answers, EDD sign-off by a second person), the risk model and self-service
onboarding."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from bankcrm.identity import mfa
from bankcrm.identity import services as identity
from bankcrm.identity.models import User
from bankcrm.kyc import services
from bankcrm.kyc.engine.risk import default_config
from bankcrm.kyc.models import EddReview, Onboarding, RiskModelVersion
from bankcrm.parties.models import IdentityDocument, Party, PartyRelationship
from tests.kyc_data import frozen_clock, make_kyc_staff, no_screening, organization, person  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock", "no_screening")]


@pytest.fixture
def staff(db) -> dict[str, User]:  # type: ignore[no-untyped-def]
    return make_kyc_staff(mfa=True)


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A nested application as the console form posts it (``person.address.city`` ...)."""
    flat: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            flat |= flatten(value, f"{prefix}.{key}" if prefix else key)
    elif isinstance(data, list) and prefix == "cdd.products":
        flat[prefix] = data
    elif isinstance(data, list):
        for i, item in enumerate(data):
            flat |= flatten(item, f"{prefix}[{i}]")
    elif isinstance(data, bool):
        if data:
            flat[prefix] = "on"
    else:
        flat[prefix] = str(data)
    return flat


def test_the_form_shows_every_problem_next_to_its_field_and_keeps_the_input(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff["agent"])
    page = client.get("/kyc/new/", {"kind": "organization"}).content.decode()
    assert "Beneficial owner 4" in page and "Important information about procedures for opening a new account" in page
    form = flatten(person(tax_id="000-12-3456", email="not-an-email"))
    form.pop("cip_notice_acknowledged")
    form["kind"] = "person"
    response = client.post("/kyc/new/", form)
    body = response.content.decode()
    assert response.status_code == 422
    assert "Nothing was opened" in body
    assert '<a href="#f-person-tax-id">person.tax_id</a>' in body
    assert 'id="f-person-email" name="person.email" type="email" value="not-an-email"' in body
    assert 'aria-invalid="true" aria-describedby="f-person-email-err"' in body
    assert "the customer must be given the CIP notice" in body
    assert 'value="Lopez"' in body  # input kept
    assert Party.objects.count() == 0


def test_onboarding_through_the_console_to_verified(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff["agent"])
    form = flatten(person()) | {"kind": "person", "submit": "on"}
    response = client.post("/kyc/new/", form)
    assert response.status_code == 302
    onboarding = Onboarding.objects.get()
    assert response["Location"] == f"/kyc/{onboarding.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert onboarding.reference in page and "Pending verification" in page and "D1234567" not in page
    assert "****4567" in page or "4567" in page  # the document number shown masked
    document = IdentityDocument.objects.get(party=onboarding.party)
    response = client.post(
        f"/kyc/{onboarding.pk}/evidence/",
        {
            "party": str(onboarding.party_id),
            "kind": "drivers_license",
            "result": "pass",
            "elements": ["name", "date_of_birth", "address", "id_number"],
            "identity_document": str(document.pk),
            "checked_on": "2025-06-02",
            "reference": "counter",
        },
    )
    assert response.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.status == "verified"
    page = client.get(f"/kyc/{onboarding.pk}/").content.decode()
    assert 'id="onboarding-status">Verified<' in page and "every CIP element verified" in page
    bad = client.post(f"/kyc/{onboarding.pk}/evidence/", {"party": str(onboarding.party_id), "kind": "passport"})
    assert bad.status_code == 422 and "evidence can no longer be added" in bad.content.decode()


def test_an_entity_through_the_console_form(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff["agent"])
    form = flatten(organization()) | {"kind": "organization", "channel": "branch"}
    response = client.post("/kyc/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Party.objects.get(kind="organization")
    assert sorted(PartyRelationship.objects.filter(to_party=org).values_list("type", "ownership_bp")) == [
        ("beneficial_owner", 2500),
        ("beneficial_owner", 6000),
        ("control_person", None),
    ]
    assert Onboarding.objects.get().channel == "branch"


def test_a_stale_decision_is_409_and_only_the_bsa_team_decides(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(actor=staff["agent"], data=person(), submit=True)
    services.transition_onboarding(actor=staff["agent"], onboarding=onboarding, action="refer", reason="blurred photo")
    onboarding.refresh_from_db()
    client.force_login(staff["agent"])
    page = client.get(f"/kyc/{onboarding.pk}/").content.decode()
    assert "(decision)" not in page
    client.force_login(staff["officer"])
    page = client.get(f"/kyc/{onboarding.pk}/").content.decode()
    assert '<option value="verify">verify (decision)</option>' in page
    stale = client.post(f"/kyc/{onboarding.pk}/transition/", {"action": "verify", "reason": "ok", "version": "1"})
    assert stale.status_code == 409 and "someone else changed this onboarding" in stale.content.decode()
    done = client.post(
        f"/kyc/{onboarding.pk}/transition/",
        {"action": "verify", "reason": "Second photo ID seen.", "version": str(onboarding.version)},
    )
    assert done.status_code == 302
    onboarding.refresh_from_db()
    assert onboarding.status == "verified"


def test_the_risk_page_masks_for_the_front_office_and_edd_needs_a_second_person(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    party = services.start_onboarding(actor=staff["agent"], data=person()).party
    client.force_login(staff["caller"])
    page = client.get(f"/kyc/parties/{party.pk}/").content.decode()
    assert "restricted (BSA/AML)" in page and 'id="score"' not in page and "Enhanced due diligence" not in page
    client.force_login(staff["agent"])
    response = client.post(
        f"/kyc/parties/{party.pk}/cdd/",
        {
            "cdd.occupation": "employee",
            "cdd.products": ["checking"],
            "cdd.pep_status": "foreign",
            "adverse_media_shown": "1",
        },
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.risk_rating == "high"
    bad = client.post(f"/kyc/parties/{party.pk}/cdd/", {"cdd.occupation": "pirate"})
    assert bad.status_code == 422 and "cdd.occupation" in bad.content.decode()
    review = EddReview.objects.get(party=party)
    client.force_login(staff["officer"])
    page = client.get(f"/kyc/parties/{party.pk}/").content.decode()
    assert 'id="score">27.50<' in page and 'id="edd-status">Open<' in page
    for item in review.items:
        client.post(f"/kyc/edd/{review.pk}/item/", {"code": item["code"], "done": "on", "note": "File 9, page 2."})
    assert client.post(f"/kyc/edd/{review.pk}/submit/").status_code == 302
    page = client.get(f"/kyc/parties/{party.pk}/").content.decode()
    assert "the requester cannot" in page and 'id="edd-decide"' not in page
    client.force_login(staff["checker"])
    assert 'id="edd-decide"' in client.get(f"/kyc/parties/{party.pk}/").content.decode()
    assert client.post(f"/kyc/edd/{review.pk}/decide/", {"decision": "approve"}).status_code == 302
    review.refresh_from_db()
    assert (review.status, review.signed_off_by) == ("approved", staff["checker"])


def test_the_risk_model_page(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff["officer"])
    page = client.get("/kyc/model/").content.decode()
    assert "CDD/EDD risk model (v1 in force)" in page
    bad = client.post("/kyc/model/", {"config": "{not json", "reason": "x"})
    assert bad.status_code == 422 and "not valid JSON" in bad.content.decode()
    config = default_config()
    config["thresholds"]["medium"] = "20"
    assert client.post("/kyc/model/", {"config": json.dumps(config), "reason": "Tighter"}).status_code == 302
    assert "the proposer cannot" in client.get("/kyc/model/").content.decode()
    client.force_login(staff["checker"])
    assert client.post("/kyc/model/decide/", {"decision": "approve"}).status_code == 302
    assert RiskModelVersion.objects.get(status="active").number == 2
    client.force_login(staff["agent"])
    assert client.get("/kyc/model/").status_code == 403


def test_the_desk_lists_onboardings_and_the_bsa_queues(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(
        actor=staff["agent"],
        data=person(cdd={"occupation": "employee", "products": ["checking"], "pep_status": "foreign"}),
    )
    client.force_login(staff["caller"])
    page = client.get("/kyc/").content.decode()
    assert onboarding.reference in page and '<span data-status="started">1</span>' in page
    assert 'id="edd-queue"' not in page
    client.force_login(staff["officer"])
    page = client.get("/kyc/", {"status": "started"}).content.decode()
    assert 'id="edd-queue"' in page and "Maria Elena Lopez" in page
    assert 'href="/kyc/"' in client.get("/").content.decode()  # the nav link


def test_self_service_onboarding_in_the_portal(client: Client, staff) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/portal/onboarding/").content.decode()
    assert "Open an account" in page and 'name="channel"' not in page
    form = flatten(person()) | {"kind": "person"}
    form["person.email"] = ""
    missing = client.post("/portal/onboarding/", form)
    assert missing.status_code == 422 and "is required to apply online" in missing.content.decode()
    form["person.email"] = "maria@example.com"
    response = client.post("/portal/onboarding/", form)
    assert response.status_code == 302
    onboarding = Onboarding.objects.get()
    assert (onboarding.channel, onboarding.status, onboarding.opened_by, onboarding.applicant_user) == (
        "web",
        "pending_verification",
        None,
        None,
    )
    status = client.get(response["Location"]).content.decode()
    assert onboarding.reference in status and "We are verifying your identity" in status and "low" not in status
    assert Client().get(response["Location"]).status_code == 404  # another browser
    customer = identity.create_user(
        actor=None, username="cust", password="correct horse battery", roles=["customer"], kind=User.Kind.CUSTOMER
    )
    mfa.enrol_totp(actor=None, user=customer)
    other = Client()
    other.force_login(customer)
    org = flatten(organization()) | {"kind": "organization"}
    assert other.post("/portal/onboarding/", org).status_code == 302
    mine = Onboarding.objects.get(kind="organization")
    assert mine.applicant_user == customer and other.get(f"/portal/onboarding/{mine.pk}/").status_code == 200
    client.force_login(staff["agent"])
    assert client.get("/portal/onboarding/")["Location"] == "/kyc/new/"
