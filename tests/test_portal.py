"""The customer portal: enrolment with identity verification, MFA, own accounts only."""

from __future__ import annotations

import pytest
from django.test import Client

from bankcrm.audit.models import AuditEvent
from bankcrm.holdings.models import Account
from bankcrm.identity import mfa
from bankcrm.identity.models import CustomerLink, User
from bankcrm.parties.models import ContactPoint

pytestmark = pytest.mark.django_db
PASSWORD = "my own long passphrase"


@pytest.fixture
def details(client_3687):  # type: ignore[no-untyped-def]
    account = Account.objects.get(source_system="berka", source_id="account:3050")
    address = ContactPoint.objects.get(party=client_3687, kind="address")
    return {
        "username": "vaclav",
        "password": PASSWORD,
        "account_number": account.number,
        "date_of_birth": "1972-02-06",  # Berka birth number 720206 (a man)
        "postal_code": address.postal_code,
    }


def test_enrolment_links_the_login_and_requires_a_second_factor(client: Client, details, client_3687) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/portal/enrol/", details)
    assert response.status_code == 302
    user = User.objects.get(username="vaclav")
    assert user.kind == "customer" and user.roles == ["customer"]
    assert list(CustomerLink.objects.filter(user=user).values_list("party_id", flat=True)) == [client_3687.pk]
    assert AuditEvent.objects.filter(action="identity.customer.enrol").exists()
    # No second factor yet: the portal sends the customer to set one up first.
    page = client.get("/portal/")
    assert page.status_code == 302 and page.url.startswith("/accounts/2fa/totp/activate/")
    # The password was typed a moment ago: set-up does not ask for it again.
    assert client.get(page.url).status_code == 200
    mfa.enrol_totp(actor=None, user=user)
    home = client.get("/portal/").content.decode()
    assert client_3687.legal_name in home and details["account_number"] in home


@pytest.mark.parametrize(
    "change",
    [{"date_of_birth": "1950-01-01"}, {"postal_code": "999 99"}, {"account_number": "000000000000"}],
)
def test_wrong_details_get_one_generic_answer_and_nothing_is_created(client: Client, details, change) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/portal/enrol/", details | change)
    assert response.status_code == 422
    assert "We could not verify these details" in response.content.decode()
    assert not User.objects.filter(username="vaclav").exists()
    assert AuditEvent.objects.filter(action="identity.customer.enrol_refused").count() == 1


def test_weak_password_is_refused_naming_the_field(client: Client, details) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/portal/enrol/", details | {"password": "password"})
    assert response.status_code == 422 and "too common" in response.content.decode()
    assert not User.objects.filter(username="vaclav").exists()


def test_enrolment_attempts_are_throttled(client: Client, details) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.post("/portal/enrol/", details | {"postal_code": "000 00"})
    response = client.post("/portal/enrol/", details)  # right details, but too many attempts
    assert response.status_code == 422 and "Too many attempts" in response.content.decode()
    assert not User.objects.filter(username="vaclav").exists()


def test_customer_sign_in_goes_to_the_portal(client: Client, details) -> None:  # type: ignore[no-untyped-def]
    Client().post("/portal/enrol/", details)
    user = User.objects.get(username="vaclav")
    mfa.enrol_totp(actor=None, user=user)
    client.post("/accounts/login/", {"login": "vaclav", "password": PASSWORD})
    done = client.post("/accounts/2fa/authenticate/", {"code": mfa.current_code(mfa.totp_secret(user))})
    assert done.status_code == 302 and done.url == "/portal/"
    assert client.get("/").status_code == 403  # the staff console is not for customers


def test_staff_cannot_use_the_portal(client: Client, agent_user) -> None:  # type: ignore[no-untyped-def]
    client.force_login(agent_user)
    assert client.get("/portal/").status_code == 403
