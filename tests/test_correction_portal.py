"""Portal: a customer asks for a correction of their own details and follows the outcome."""

from __future__ import annotations

import pytest
from django.test import Client

from bankcrm.identity import mfa
from bankcrm.identity import services as identity
from bankcrm.identity.models import CustomerLink, User
from bankcrm.parties.models import ContactPoint, Party
from bankcrm.privacy import corrections
from bankcrm.privacy.models import DataRequest
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(client_3687: Party) -> User:
    user = identity.create_user(
        actor=None,
        username="portal-3687",
        password="correct horse battery",
        roles=["customer"],
        kind=User.Kind.CUSTOMER,
    )
    mfa.enrol_totp(actor=None, user=user)
    CustomerLink.objects.create(user=user, party=client_3687, method="test")
    return user


def test_customer_requests_a_correction_and_sees_the_answer(client: Client, customer: User, client_3687: Party) -> None:
    client.force_login(customer)
    page = client.get("/portal/corrections/")
    assert page.status_code == 200 and "Correct your details" in page.content.decode()
    bad = client.post("/portal/corrections/", {"field": "email", "proposed_value": "not an address"})
    assert bad.status_code == 422 and not DataRequest.objects.exists()
    sent = client.post("/portal/corrections/", {"field": "email", "proposed_value": "me@example.com"})
    assert sent.status_code == 303 and sent["Location"] == "/portal/corrections/?sent=1"
    request = DataRequest.objects.get()
    assert (request.party, request.correction.channel, request.correction.requested_by) == (
        client_3687,
        "web",
        customer,
    )
    assert "being checked" in client.get("/portal/corrections/?sent=1").content.decode()

    officer = make_staff("privacy-portal", ["privacy_officer"])
    corrections.decide_correction(actor=officer, request=request, approve=False, reason="Please verify in branch")
    html = client.get("/portal/corrections/").content.decode()
    assert "not corrected" in html and "Please verify in branch" in html
    assert ContactPoint.objects.get(party=client_3687, kind="email").value != "me@example.com"


def test_a_customer_cannot_aim_at_another_party(client: Client, customer: User) -> None:
    other = Party.objects.get(source_system="berka", source_id="client:692")
    client.force_login(customer)
    # With one linked party the form has no party choice: a forged id falls back to their own.
    client.post(
        "/portal/corrections/", {"party": str(other.pk), "field": "phone", "proposed_value": "+420 601 000 000"}
    )
    assert not DataRequest.objects.filter(party=other).exists()


def test_staff_cannot_use_the_portal_page(client: Client) -> None:
    client.force_login(make_staff("cc-portal", ["call_centre_agent"]))
    assert client.get("/portal/corrections/").status_code == 403
