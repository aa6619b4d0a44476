"""Authorization: a generated matrix (every API endpoint and console view x anonymous, a customer
and every staff role) plus record scoping (relationship-manager books, shares, AML
confidentiality) and field masking.

Expected outcomes are derived from ``ROLE_PERMISSIONS`` and the permission each endpoint declares,
not written by hand: adding a role or an endpoint extends the matrix."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from bankcrm.authz.permissions import ROLE_PERMISSIONS, Perm, Role
from bankcrm.cases import services as cases
from bankcrm.core import clock
from bankcrm.holdings.models import Account
from bankcrm.identity import mfa
from bankcrm.identity import services as identity
from bankcrm.identity.models import CustomerLink, User
from bankcrm.interactions.models import Interaction
from bankcrm.kyc import selectors as kyc_selectors
from bankcrm.kyc import services as kyc
from bankcrm.kyc.engine.risk import default_config
from bankcrm.kyc.engine.verification import SCREENING_REASONS
from bankcrm.kyc.models import Onboarding
from bankcrm.monitoring.models import Alert
from bankcrm.parties.models import Party
from bankcrm.parties.services import assign_relationship_manager, share_party
from bankcrm.privacy import crypto
from bankcrm.screening.models import ScreeningHit, WatchList, WatchListEntry, WatchListVersion
from tests.conftest import make_staff
from tests.kyc_data import person

pytestmark = pytest.mark.django_db
STAFF_ROLES = [r for r in Role if r != Role.CUSTOMER]
ACTORS = ["anonymous", "customer", *[r.value for r in STAFF_ROLES]]


@dataclass(frozen=True)
class Endpoint:
    """One API operation or console view and the permission it needs."""

    name: str
    method: str
    path: str  # with {party}, {account}, {alert}, {case}, {hit}, {onboarding}
    perm: Perm | None  # None: any signed-in staff member (the answer is scoped)
    api: bool
    body: dict[str, Any] | None = None
    htmx: bool = False
    aml: bool = False  # AML-confidential: invisible (404 / empty) without aml:read
    portal: bool = False  # the customer portal: customers only
    staff: bool = False  # staff only, even where a customer holds the permission
    interaction: bool = True  # an allowed POST records one interaction on the timeline
    ok: frozenset[int] = frozenset({200, 201})  # the answers an allowed request may get


def _applicant(given_name: str, tax_id: str, document: str, **changes: Any) -> dict[str, Any]:
    """A valid individual CIP application (tests.kyc_data) for someone else: another tax id and
    document, the document valid for five years from today (the matrix runs on the real clock)."""
    expires = (clock.today() + dt.timedelta(days=5 * 365)).isoformat()
    id_document = {"type": "drivers_license", "number": document, "issuing_country": "US", "issuing_region": "NY"}
    return person(given_name=given_name, tax_id=tax_id, id_document=id_document | {"expires_on": expires}, **changes)


INTERACTION = {"channel": "phone", "direction": "inbound", "purpose": "check", "summary": "Matrix test."}
ENDPOINTS = [
    Endpoint("api: search parties", "GET", "/api/v1/parties?search=3687", Perm.PARTIES_READ, True),
    Endpoint("api: party 360", "GET", "/api/v1/parties/{party}", Perm.PARTIES_READ, True),
    Endpoint("api: account transactions", "GET", "/api/v1/accounts/{account}/transactions", Perm.ACCOUNTS_READ, True),
    Endpoint("api: log interaction", "POST", "/api/v1/interactions", Perm.INTERACTIONS_WRITE, True, INTERACTION),
    Endpoint("api: list alerts", "GET", "/api/v1/alerts", Perm.PARTIES_READ, True, aml=True),
    Endpoint("api: one alert", "GET", "/api/v1/alerts/{alert}", Perm.PARTIES_READ, True, aml=True),
    Endpoint(
        "api: submit complaint",
        "POST",
        "/api/v1/complaints",
        Perm.CASES_WRITE,
        True,
        {"narrative": "I was charged an overdraft fee twice.", "channel": "web"},
    ),
    Endpoint("api: one complaint", "GET", "/api/v1/complaints/{case}", Perm.CASES_READ, True),
    Endpoint(
        "api: complaint transition",
        "POST",
        "/api/v1/complaints/{case}/transitions",
        Perm.CASES_MANAGE,
        True,
        {"action": "start", "version": 1},
        interaction=False,
    ),
    Endpoint(
        "api: confirm classification",
        "POST",
        "/api/v1/complaints/{case}/classification",
        Perm.CASES_WRITE,
        True,
        {"version": 1, "product": "Checking or savings account"},
        staff=True,
        interaction=False,
    ),
    Endpoint("api: case queue", "GET", "/api/v1/cases", Perm.CASES_READ, True),
    Endpoint(
        "api: assign case",
        "POST",
        "/api/v1/cases/{case}/assignment",
        Perm.CASES_MANAGE,
        True,
        {"version": 1, "assignee_id": None},
        interaction=False,
    ),
    Endpoint(
        "api: screening check",
        "POST",
        "/api/v1/screening/check",
        Perm.SCREENING_CHECK,
        True,
        {"name": "Nobody In Particular"},
        interaction=False,
    ),
    Endpoint("api: screening hits", "GET", "/api/v1/screening/hits", Perm.AML_READ, True),
    Endpoint(
        "api: screening disposition",
        "POST",
        "/api/v1/screening/hits/{hit}/disposition",
        Perm.AML_MANAGE,
        True,
        {"disposition": "false_positive", "reason": "different date of birth"},
        interaction=False,
    ),
    Endpoint(
        "api: open onboarding",
        "POST",
        "/api/v1/onboarding",
        Perm.PARTIES_WRITE,
        True,
        _applicant("Nadia", "345-67-8901", "D7654321") | {"submit": True},
        interaction=False,
    ),
    # Customers hold parties:read: the list answers with their own applications (none here).
    Endpoint("api: onboardings", "GET", "/api/v1/onboarding", Perm.PARTIES_READ, True),
    # The record carries the risk rating and internal reasons: staff only (applicants have the portal).
    Endpoint("api: one onboarding", "GET", "/api/v1/onboarding/{onboarding}", Perm.PARTIES_READ, True, staff=True),
    Endpoint(
        "api: onboarding evidence",
        "POST",
        "/api/v1/onboarding/{onboarding}/evidence",
        Perm.PARTIES_WRITE,
        True,
        {"party_id": "{onboarding_party}", "kind": "public_database", "result": "pass", "elements": ["address"]},
        interaction=False,
    ),
    Endpoint(
        "api: onboarding transition",
        "POST",
        "/api/v1/onboarding/{onboarding}/transitions",
        Perm.PARTIES_WRITE,
        True,
        {"action": "refer", "reason": "The address needs a second look."},
        interaction=False,
    ),
    Endpoint(
        "api: onboarding decision",
        "POST",
        "/api/v1/onboarding/{onboarding}/decisions",
        Perm.AML_MANAGE,
        True,
        {"action": "fail", "reason": "The identity document was reported stolen."},
        interaction=False,
    ),
    Endpoint("api: risk rating", "GET", "/api/v1/kyc/parties/{party}/risk", Perm.PARTIES_READ, True, staff=True),
    Endpoint(
        "api: rate again", "POST", "/api/v1/kyc/parties/{party}/risk", Perm.AML_MANAGE, True, {}, interaction=False
    ),
    Endpoint(
        "api: CDD answers",
        "POST",
        "/api/v1/kyc/parties/{party}/cdd",
        Perm.PARTIES_WRITE,
        True,
        {"occupation": "employee", "products": ["checking"]},
        interaction=False,
    ),
    Endpoint("api: risk model", "GET", "/api/v1/kyc/risk-model", Perm.AML_READ, True),
    Endpoint(
        "api: propose risk model",
        "POST",
        "/api/v1/kyc/risk-model",
        Perm.AML_MANAGE,
        True,
        {"config": default_config(), "reason": "Matrix test"},
        interaction=False,
        ok=frozenset({202}),  # accepted: in force only once a second officer approves it
    ),
    Endpoint("console: KYC desk", "GET", "/kyc/", Perm.PARTIES_READ, False),
    Endpoint("console: onboarding form", "GET", "/kyc/new/", Perm.PARTIES_WRITE, False),
    Endpoint("console: onboarding page", "GET", "/kyc/{onboarding}/", Perm.PARTIES_READ, False),
    Endpoint("console: party risk", "GET", "/kyc/parties/{party}/", Perm.PARTIES_READ, False),
    Endpoint("console: risk model", "GET", "/kyc/model/", Perm.AML_READ, False),
    Endpoint("console: case queue", "GET", "/cases/", Perm.CASES_READ, False),
    Endpoint("console: case page", "GET", "/cases/{case}/", Perm.CASES_READ, False),
    Endpoint("console: screening check", "GET", "/screening/check/", Perm.SCREENING_CHECK, False),
    Endpoint("portal: complaints", "GET", "/portal/complaints/", Perm.CASES_READ, False, portal=True),
    Endpoint("portal: home", "GET", "/portal/", Perm.PARTIES_READ, False, portal=True),
    Endpoint("console: home", "GET", "/", Perm.PARTIES_READ, False),
    Endpoint("console: audit log", "GET", "/audit/", Perm.AUDIT_READ, False),
    Endpoint("console: search", "GET", "/parties/?q=3687", Perm.PARTIES_READ, False),
    Endpoint("console: 360", "GET", "/parties/{party}/", Perm.PARTIES_READ, False),
    Endpoint("console: transactions", "GET", "/parties/{party}/transactions/", Perm.ACCOUNTS_READ, False, htmx=True),
    Endpoint(
        "console: log interaction",
        "POST",
        "/parties/{party}/interactions/",
        Perm.INTERACTIONS_WRITE,
        False,
        INTERACTION,
        htmx=True,
    ),
]


@pytest.fixture
def world(client_3687):  # type: ignore[no-untyped-def]
    """The bank subset, one user per role (all with MFA), a customer linked to client 3687, an
    AML alert, a complaint and an open screening hit on client 3687, and a CIP onboarding opened
    at a branch (pending verification); the relationship manager's book holds client 3687 and the
    onboarded customer."""
    users: dict[str, User] = {}
    for role in STAFF_ROLES:
        users[role.value] = make_staff(f"u-{role.value}", [role.value], is_superuser=role == Role.ADMINISTRATOR)
    customer = identity.create_user(
        actor=None,
        username="customer-3687",
        password="correct horse battery",
        roles=["customer"],
        kind=User.Kind.CUSTOMER,
    )
    mfa.enrol_totp(actor=None, user=customer)  # customers need a second factor too (FFIEC 2021)
    CustomerLink.objects.create(user=customer, party=client_3687, method="test")
    users["customer"] = customer
    onboarding = kyc.start_onboarding(
        actor=users["branch_agent"], data=_applicant("Maria", "123-45-6789", "D1234567"), submit=True
    )
    assign_relationship_manager(
        actor=None,
        manager=users["relationship_manager"],
        parties=Party.objects.filter(pk__in=[client_3687.pk, onboarding.party_id]),
    )
    alert = Alert.objects.create(party=client_3687, scenario="structuring", score=87, is_synthetic=True)
    account = Account.objects.get(source_system="berka", source_id="account:3050")
    case = cases.open_case(
        actor=None,
        kind="complaint",
        party=client_3687,
        channel="phone",
        narrative="My card was charged twice for one purchase.",
        record_interaction=False,
    )
    version = WatchListVersion.objects.create(
        watch_list=WatchList.objects.create(code="internal", name="Internal"), version="2026-01-01", source_sha256="x"
    )
    entry = WatchListEntry.objects.create(version=version, entry_id="I-1", name="Somebody Else", fingerprint="f")
    hit = ScreeningHit.objects.create(
        party=client_3687,
        entry=entry,
        score=Decimal("0.9"),
        matched_name="Somebody Else",
        explanation="test",
        party_fingerprint="p",
    )
    onboarding.refresh_from_db()
    return {
        "users": users,
        "party": client_3687,
        "account": account,
        "alert": alert,
        "case": case,
        "hit": hit,
        "onboarding": onboarding,
    }


def _expected(actor: str, ep: Endpoint) -> str:
    """ "deny" (401/302/403/404, no data), "hidden" (AML-confidential: an empty list or 404, exactly
    as for a record that does not exist) or "allow"."""
    if actor == "anonymous":
        return "deny"
    role = Role(actor)
    if ep.perm is not None and ep.perm not in ROLE_PERMISSIONS[role]:
        return "deny"
    if ep.portal:
        return "allow" if actor == "customer" else "deny"
    if ep.staff and actor == "customer":
        return "deny"
    if actor == "customer" and not ep.api:
        return "deny"  # the staff console is for staff; customers have the portal
    if ep.aml and Perm.AML_READ not in ROLE_PERMISSIONS[role]:
        return "hidden"
    return "allow"


def _ids(world: dict[str, Any]) -> dict[str, str]:
    """What the placeholders of paths and top-level body strings stand for."""
    return {
        "party": str(world["party"].id),
        "account": str(world["account"].id),
        "alert": str(world["alert"].id),
        "case": str(world["case"].id),
        "hit": str(world["hit"].id),
        "onboarding": str(world["onboarding"].id),
        "onboarding_party": str(world["onboarding"].party_id),
    }


def _secrets(world: dict[str, Any]) -> list[str]:
    """Text that a denied request must not see: the customers' names, the alert's scenario and
    the onboarding's reference."""
    onboarding = world["onboarding"]
    return [world["party"].legal_name, "structuring", onboarding.party.legal_name, onboarding.reference]


def _request(client: Client, actor: str, ep: Endpoint, world: dict[str, Any]):  # type: ignore[no-untyped-def]
    ids = _ids(world)
    path = ep.path.format(**ids)
    headers: dict[str, str] = {}
    if actor != "anonymous":
        user = world["users"][actor]
        if ep.api:
            scopes = [p.value for p in user.permissions()]
            secret = identity.create_token(actor=None, user=user, scopes=scopes).secret
            headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        else:
            client.force_login(user)
    if ep.htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    if ep.method == "POST":
        if ep.api:
            filled = {k: v.format(**ids) if isinstance(v, str) else v for k, v in (ep.body or {}).items()}
            body = {"party_id": ids["party"]} | filled
            return client.post(path, json.dumps(body), content_type="application/json", **headers)
        return client.post(path, ep.body, **headers)
    return client.get(path, **headers)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
def test_authorization_matrix(client: Client, world, actor: str, ep: Endpoint) -> None:  # type: ignore[no-untyped-def]
    response = _request(client, actor, ep, world)
    body = response.content.decode()
    expected = _expected(actor, ep)
    if expected == "deny":
        codes = ({401} if ep.api else {302}) if actor == "anonymous" else {403, 404}
        assert response.status_code in codes, (actor, ep.name, response.status_code)
        assert not [s for s in _secrets(world) if s in body], (actor, ep.name)
        assert Interaction.objects.count() == 0
        onboarding = world["onboarding"]
        assert list(Onboarding.objects.values_list("pk", "version")) == [(onboarding.pk, onboarding.version)]
    elif expected == "hidden":
        assert "structuring" not in body and str(world["alert"].id) not in body
        if "{alert}" in ep.path:
            assert response.status_code == 404
        else:
            assert response.status_code == 200 and response.json() == {"items": [], "next_cursor": None}
    else:
        assert response.status_code in ep.ok, (actor, ep.name, response.status_code, body[:300])
        if ep.aml:
            assert "structuring" in body
        if ep.method == "POST":
            assert Interaction.objects.count() == (1 if ep.interaction else 0)


def test_matrix_covers_every_api_operation(client: Client) -> None:
    """Every operation in the OpenAPI document is in the matrix (health is public)."""
    schema = client.get("/api/v1/openapi.json").json()
    declared = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    covered = {
        (
            e.method,
            e.path.split("?")[0]
            .replace("{party}", "{party_id}")
            .replace("{account}", "{account_id}")
            .replace("{alert}", "{alert_id}")
            .replace("{case}", "{case_id}")
            .replace("{hit}", "{hit_id}")
            .replace("{onboarding}", "{onboarding_id}"),
        )
        for e in ENDPOINTS
        if e.api
    }
    public = {("GET", "/api/v1/health"), ("GET", "/api/v1/me")}
    assert declared - public <= covered, declared - public - covered


def test_portal_onboarding_is_public_and_an_application_is_shown_only_to_its_applicant(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    """The portal application form is outside the matrix: prospects (anonymous) and customers may
    apply, staff are sent to the console form. The status page of an onboarding opened at a branch
    is 404 to everyone in the portal, exactly like an unknown one."""
    status_url = f"/portal/onboarding/{world['onboarding'].id}/"
    unknown_url = "/portal/onboarding/00000000-0000-0000-0000-000000000000/"
    assert client.get("/portal/onboarding/").status_code == 200
    assert client.get(status_url).status_code == client.get(unknown_url).status_code == 404
    for actor in ACTORS[1:]:
        signed_in = Client()
        signed_in.force_login(world["users"][actor])
        form = signed_in.get("/portal/onboarding/")
        if actor == "customer":
            assert form.status_code == 200, actor
        else:
            assert (form.status_code, form["Location"]) == (302, "/kyc/new/"), actor
        status = signed_in.get(status_url)
        assert status.status_code == 404, actor
        assert not [s for s in _secrets(world) if s in status.content.decode()], actor
    assert Onboarding.objects.count() == 1


def test_customer_lists_only_their_own_applications_and_never_reads_the_record(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    customer = world["users"]["customer"]
    data = _applicant("Pat", "456-78-9012", "D2345678", email="pat@example.com") | {"channel": "web"}
    own = kyc.start_onboarding(actor=customer, data=data, submit=True, self_service=True)
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=customer).secret}
    listed = client.get("/api/v1/onboarding", **auth)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(i["id"], i["reference"], i["status"]) for i in items] == [
        (str(own.pk), own.reference, "pending_verification")
    ]
    assert set(items[0]) == {"id", "reference", "party_id", "name", "kind", "status", "channel", "created_at"}
    for onboarding in (own, world["onboarding"]):
        record = client.get(f"/api/v1/onboarding/{onboarding.pk}", **auth)
        assert record.status_code == 403 and "risk" not in record.content.decode()


@pytest.mark.parametrize("role", [r.value for r in STAFF_ROLES])
def test_kyc_reads_show_watch_list_results_only_with_aml_read(client: Client, world, role: str) -> None:  # type: ignore[no-untyped-def]
    """An open screening hit on the onboarded customer sends the onboarding to manual review and
    raises the screening factor; readers without aml:read see neither (31 USC 5318(g)(2))."""
    onboarding = world["onboarding"]
    party = onboarding.party
    ScreeningHit.objects.create(
        party=party,
        entry=world["hit"].entry,
        score=Decimal("0.95"),
        matched_name=party.legal_name,
        explanation="test",
        party_fingerprint="q",
    )
    kyc.evaluate_onboarding(actor=None, onboarding=onboarding)
    kyc.rate_party(actor=None, party=party)
    aml = Perm.AML_READ in ROLE_PERMISSIONS[Role(role)]
    reason = SCREENING_REASONS["open"] if aml else kyc_selectors.REDACTED
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=world["users"][role]).secret}

    response = client.get(f"/api/v1/onboarding/{onboarding.pk}", **auth)
    record = response.json()
    assert (record["status"], record["outcome"]["decision"], record["outcome"]["reasons"]) == (
        "manual_review",
        "manual_review",
        [reason],
    )
    assert record["outcome"].get("screening") == ("open" if aml else None)
    assert record["transitions"][-1]["reason"] == f"automatic: recommendation manual_review: {reason}"
    assert ("watch-list" in response.content.decode()) is aml

    risk = client.get(f"/api/v1/kyc/parties/{party.pk}/risk", **auth).json()
    screening = next(f for f in risk["factors"] if f["factor"] == "screening")
    if aml:
        assert (screening["value"], screening["level"], screening["restricted"]) == ("open", "medium", False)
        assert risk["score"] is not None
    else:
        assert (screening["value"], screening["level"], screening["restricted"]) == (None, None, True)
        assert risk["score"] is None and risk["score_rating"] is None
        assert not [f for f in risk["floors_applied"] if f.startswith("screening")]

    client.force_login(world["users"][role])
    page = client.get(f"/kyc/{onboarding.pk}/")
    assert page.status_code == 200 and ("watch-list" in page.content.decode()) is aml


def test_read_only_token_gets_403_on_every_write_endpoint(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    admin = world["users"]["administrator"]
    reads = [p.value for p in Perm if p.endswith(":read")]
    secret = identity.create_token(actor=None, user=admin, scopes=reads).secret
    schema = client.get("/api/v1/openapi.json").json()
    writes = [(m, p) for p, ops in schema["paths"].items() for m in ops if m in {"post", "put", "patch", "delete"}]
    assert writes
    for method, path in writes:
        response = getattr(client, method)(
            path, "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}"
        )
        assert response.status_code == 403, (method, path)


def test_auditor_reads_everything_and_changes_nothing(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    auditor = world["users"]["auditor"]
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=auditor).secret}
    assert client.get(f"/api/v1/parties/{world['party'].id}", **auth).status_code == 200
    assert "structuring" in client.get("/api/v1/alerts", **auth).content.decode()
    body = json.dumps(INTERACTION | {"party_id": str(world["party"].id)})
    assert client.post("/api/v1/interactions", body, content_type="application/json", **auth).status_code == 403
    client.force_login(auditor)
    assert (
        client.post(f"/parties/{world['party'].id}/interactions/", INTERACTION, HTTP_HX_REQUEST="true").status_code
        == 403
    )
    assert Interaction.objects.count() == 0


def test_call_centre_agent_cannot_tell_an_alert_exists(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    agent = world["users"]["call_centre_agent"]
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=agent).secret}
    listed = client.get("/api/v1/alerts", **auth)
    assert listed.status_code == 200 and listed.json() == {"items": [], "next_cursor": None}
    direct = client.get(f"/api/v1/alerts/{world['alert'].id}", **auth)
    unknown = client.get("/api/v1/alerts/00000000-0000-0000-0000-000000000000", **auth)
    assert direct.status_code == unknown.status_code == 404
    assert direct.json()["title"] == unknown.json()["title"]
    party = client.get(f"/api/v1/parties/{world['party'].id}", **auth).content.decode()
    assert "alert" not in party.lower() and "structuring" not in party


def test_relationship_manager_sees_only_the_book_and_shares(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    rm = world["users"]["relationship_manager"]
    other = Party.objects.get(source_system="berka", source_id="client:692")
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=rm).secret}
    found = client.get("/api/v1/parties", {"search": ""}, **auth).json()["items"]
    assert sorted(p["id"] for p in found) == sorted([str(world["party"].id), str(world["onboarding"].party_id)])
    assert client.get(f"/api/v1/parties/{other.id}", **auth).status_code == 404
    # KYC records follow the party: an onboarding outside the book is neither listed nor readable.
    outside = kyc.start_onboarding(
        actor=world["users"]["branch_agent"], data=_applicant("Lena", "567-89-0123", "D3456789")
    )
    listed = client.get("/api/v1/onboarding", **auth).json()["items"]
    assert [i["id"] for i in listed] == [str(world["onboarding"].id)]
    assert client.get(f"/api/v1/onboarding/{outside.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/kyc/parties/{outside.party_id}/risk", **auth).status_code == 404
    share_party(actor=None, party=other, user=rm, expires_at=clock.now() + dt.timedelta(days=1))
    assert client.get(f"/api/v1/parties/{other.id}", **auth).status_code == 200
    with clock.frozen(clock.now() + dt.timedelta(days=2)):
        assert client.get(f"/api/v1/parties/{other.id}", **auth).status_code in {401, 404}


def test_customer_sees_only_their_own_party(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    customer = world["users"]["customer"]
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=customer).secret}
    items = client.get("/api/v1/parties", **auth).json()["items"]
    assert [p["source_id"] for p in items] == ["client:3687"]
    other = Party.objects.get(source_system="berka", source_id="client:692")
    assert client.get(f"/api/v1/parties/{other.id}", **auth).status_code == 404


@pytest.mark.parametrize(
    ("role", "masked"), [("call_centre_agent", True), ("branch_agent", False), ("marketing_analyst", True)]
)
def test_account_numbers_are_masked_without_the_permission(client: Client, world, role: str, masked: bool) -> None:  # type: ignore[no-untyped-def]
    user = world["users"][role]
    auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=user).secret}
    number = world["account"].number
    body = client.get(f"/api/v1/parties/{world['party'].id}", **auth).json()
    shown = body["accounts"][0]["number"]
    if masked:
        assert shown == "••••••••" + number[-4:] and number not in json.dumps(body)
    else:
        assert shown == number
    client.force_login(user)
    page = client.get(f"/parties/{world['party'].id}/").content.decode()
    if role != "marketing_analyst":
        assert (number in page) is (not masked)


def test_id_document_numbers_are_masked_and_full_reads_audited(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    from bankcrm.audit.models import AuditEvent

    document = world["party"].identity_documents.get()
    number = crypto.decrypt(document.number_encrypted, field="identity_document.number")
    for role, full in (("call_centre_agent", False), ("branch_agent", True)):
        user = world["users"][role]
        doc_reads = {"action": "pii.read", "actor": user, "payload__field": "identity_document.number"}
        before = AuditEvent.objects.filter(**doc_reads).count()
        auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=user).secret}
        body = client.get(f"/api/v1/parties/{world['party'].id}", **auth).json()
        shown = body["party"]["identity_documents"][0]["number"]
        assert shown == (number if full else "••••" + number[-4:])
        reads = AuditEvent.objects.filter(**doc_reads)
        assert reads.count() - before == (1 if full else 0)
        if full:
            event = reads.last()
            assert event.payload == {"field": "identity_document.number"} and number not in str(event.payload)


def test_tax_ids_are_masked_without_the_permission(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    from bankcrm.datasets.us_synthetic import import_us_synthetic

    import_us_synthetic(actor=None)
    person = Party.objects.get(source_system="synthetic-us", source_id="person:0")
    for role, full in (("call_centre_agent", False), ("bsa_aml_officer", False), ("auditor", True)):
        user = world["users"][role]
        auth = {"HTTP_AUTHORIZATION": "Bearer " + identity.create_token(actor=None, user=user).secret}
        tax = client.get(f"/api/v1/parties/{person.id}", **auth).json()["party"]["tax_id"]
        assert tax["type"] == "ssn"
        assert (len(tax["value"]) == 9 and tax["value"].isdigit()) is full
        if not full:
            assert tax["value"].startswith("•••••")
    client.force_login(world["users"]["call_centre_agent"])
    page = client.get(f"/parties/{person.id}/").content.decode()
    ssn = crypto.decrypt(person.tax_id_encrypted, field="party.tax_id")
    assert "•••••" + ssn[-4:] in page and ssn not in page
