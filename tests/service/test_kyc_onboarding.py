"""CIP onboarding on the database: what an application creates (encrypted as the parties app
stores it), what a bad one does not, verification evidence and the status machine, beneficial
owners and control person, the screening hook and re-screening on identity changes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from tests.kyc_data import NOW, TODAY, frozen_clock, make_kyc_staff, no_screening, organization, person  # noqa: F401

from bankcrm.audit.models import AuditEvent
from bankcrm.core.errors import Conflict, ValidationFailed
from bankcrm.kyc import integration, services
from bankcrm.kyc.models import CddProfile, Onboarding, OnboardingSubject, RiskAssessment, VerificationEvidence
from bankcrm.parties.birth import decrypt_date_of_birth
from bankcrm.parties.models import ContactPoint, IdentityDocument, Party, PartyRelationship
from bankcrm.privacy import crypto

#: The screening seam before the fixtures replace it (for the test against the real screening app).
REAL_SCREENING = integration.screening_function
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock", "no_screening")]


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return make_kyc_staff()


@pytest.fixture
def fake_screening(monkeypatch):  # type: ignore[no-untyped-def]
    """A stand-in ``screen_party`` recording its calls; ``state["value"]`` is the state reported."""
    calls: list[tuple[Any, Any, str]] = []
    state = {"value": "clear"}

    def screen_party(*, actor: Any, party: Any, reason: str) -> None:
        calls.append((actor, party.pk, reason))

    monkeypatch.setattr(integration, "screening_function", lambda: screen_party)
    monkeypatch.setattr(integration, "screening_state", lambda ids: state["value"])
    return {"calls": calls, "state": state}


ALL = ["name", "date_of_birth", "address", "id_number"]


def payloads() -> str:
    return json.dumps([e.payload for e in AuditEvent.objects.all()])


def test_an_individual_is_onboarded_with_encrypted_identifiers_and_rated(staff) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(actor=staff["agent"], data=person())
    party = onboarding.party
    assert (party.kind, party.legal_name, party.given_name, party.family_name) == (
        "person",
        "Maria Elena Lopez",
        "Maria",
        "Lopez",
    )
    assert (party.search_name, party.nationality, party.residence_country) == ("maria elena lopez", "US", "US")
    assert crypto.decrypt(party.tax_id_encrypted, field="party.tax_id") == "123456789"
    assert party.tax_id_index == crypto.blind_index("123456789", field="party.tax_id")
    assert decrypt_date_of_birth(party.date_of_birth_encrypted) == dt.date(1980, 4, 2)
    doc = IdentityDocument.objects.get(party=party)
    assert (doc.type, doc.issuing_region, doc.expires_on) == ("drivers_license", "NY", dt.date(2029, 4, 2))
    assert crypto.decrypt(doc.number_encrypted, field="identity_document.number") == "D1234567"
    contacts = {c.kind: c for c in ContactPoint.objects.filter(party=party)}
    assert (contacts["address"].line1, contacts["address"].postal_code) == ("10 Main St", "12207")
    assert (contacts["phone"].value, contacts["email"].value) == ("+15185550142", "maria.lopez@example.com")
    assert all(c.is_primary and c.verified_at is None for c in contacts.values())

    assert onboarding.reference.startswith("KYC-") and onboarding.status == "started"
    assert (onboarding.channel, onboarding.cip_notice_version, onboarding.opened_by) == (
        "branch",
        "cip-notice-v1",
        staff["agent"],
    )
    assert list(onboarding.subjects.values_list("role", flat=True)) == ["applicant"]
    party.refresh_from_db()
    assert (party.kyc_status, party.risk_rating) == ("started", "low")
    profile = CddProfile.objects.get(party=party)
    assert (profile.occupation, profile.expected_monthly_minor, profile.channel, profile.currency) == (
        "employee",
        300050,
        "branch",
        "USD",
    )
    # Not screened (medium, 15 x 0.5 = 7.5), everything else low: 7.50, low, reviewed in 36 months.
    assessment = RiskAssessment.objects.get(party=party)
    assert (str(assessment.score), assessment.rating, assessment.reason, assessment.next_review_on) == (
        "7.50",
        "low",
        "onboarding",
        dt.date(2028, 6, 2),
    )
    assert profile.next_review_on == dt.date(2028, 6, 2)
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert actions[-2:] == ["kyc.onboarding.start", "kyc.risk.rate"]
    text = payloads()
    assert "123456789" not in text and "Lopez" not in text and "1980-04-02" not in text and "D1234567" not in text


def test_an_invalid_application_writes_nothing(staff) -> None:  # type: ignore[no-untyped-def]
    before = (Party.objects.count(), Onboarding.objects.count(), AuditEvent.objects.count())
    data = person(tax_id="000-00-0000", date_of_birth="")
    data["cip_notice_acknowledged"] = False
    with pytest.raises(ValidationFailed) as exc:
        services.start_onboarding(actor=staff["agent"], data=data)
    assert [p.field for p in exc.value.problems] == ["cip_notice_acknowledged", "person.date_of_birth", "person.tax_id"]
    assert (Party.objects.count(), Onboarding.objects.count(), AuditEvent.objects.count()) == before


def test_permissions_and_duplicates(staff) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.start_onboarding(actor=staff["caller"], data=person())
    services.start_onboarding(actor=staff["agent"], data=person())
    with pytest.raises(ValidationFailed) as exc:
        services.start_onboarding(actor=staff["agent"], data=person())
    assert [(p.field, p.message) for p in exc.value.problems] == [
        ("person.tax_id", "a customer with this tax id already exists: serve them from their record")
    ]
    online = person()
    online["channel"] = "web"
    with pytest.raises(ValidationFailed) as exc:
        services.start_onboarding(actor=None, data=online, self_service=True)
    assert exc.value.problems[0].message == "we cannot open this relationship online; please call us or visit a branch"
    with pytest.raises(PermissionDenied):
        services.start_onboarding(actor=staff["agent"], data=online, self_service=True)


def test_a_legal_entity_with_owners_control_person_and_an_existing_customer(staff) -> None:  # type: ignore[no-untyped-def]
    from tests.kyc_data import ANN

    ann = services.start_onboarding(
        actor=staff["agent"], data=person(**ANN, middle_name="", email="", phone="", id_document=None)
    ).party
    onboarding = services.start_onboarding(actor=staff["agent"], data=organization())
    org = onboarding.party
    assert (org.kind, org.legal_name, org.industry, org.nationality, org.tax_id_type) == (
        "organization",
        "Lopez Bakery LLC",
        "311811",
        "US",
        "ein",
    )
    assert crypto.decrypt(org.tax_id_encrypted, field="party.tax_id") == "123456789"
    jan = Party.objects.get(legal_name="Jan Novak")
    subjects = [
        (s.role, s.party_id, s.ownership_bp, s.title, s.reused) for s in onboarding.subjects.order_by("position")
    ]
    assert subjects == [
        ("applicant", org.pk, None, "", False),
        ("beneficial_owner", jan.pk, 6000, "", False),
        ("beneficial_owner", ann.pk, 2500, "", True),
        ("control_person", jan.pk, None, "Managing member", False),
    ]
    relationships = sorted(
        (r.type, r.from_party_id == jan.pk, r.ownership_bp, r.effective_from)
        for r in PartyRelationship.objects.filter(to_party=org)
    )
    assert relationships == [
        ("beneficial_owner", False, 2500, TODAY),
        ("beneficial_owner", True, 6000, TODAY),
        ("control_person", True, None, TODAY),
    ]
    assert Party.objects.filter(legal_name="Ann Lee").count() == 1  # linked, not duplicated
    assert (onboarding.certifier_name, onboarding.certified_at is not None) == ("Jan Novak", True)
    jan_doc = IdentityDocument.objects.get(party=jan)
    assert (jan_doc.type, jan_doc.issuing_country) == ("national_id", "CZ")
    # Channel web 5 + wires 5 + not screened 7.5 + no expected activity 5 = 22.50: low.
    assessment = RiskAssessment.objects.get(party=org)
    assert (str(assessment.score), assessment.rating) == ("22.50", "low")
    factors = {f["factor"]: f for f in assessment.factors}
    assert factors["geography"]["value"] == "US (nationality)" and factors["occupation"]["value"] == "NAICS 311811"
    assert assessment.inputs["countries"]["owners"] == ["CZ", "US"]
    start = AuditEvent.objects.filter(action="kyc.onboarding.start").last()
    assert start is not None and start.payload["linked_existing"] == 1 and start.payload["beneficial_owners"] == 2
    services.transition_onboarding(actor=staff["agent"], onboarding=onboarding, action="submit")
    statuses = dict(Party.objects.filter(pk__in=[org.pk, jan.pk, ann.pk]).values_list("legal_name", "kyc_status"))
    # Jan was created by this onboarding and follows it; Ann keeps the status of her own onboarding.
    assert statuses == {
        "Lopez Bakery LLC": "pending_verification",
        "Jan Novak": "pending_verification",
        "Ann Lee": "started",
    }


def test_evidence_verifies_and_the_status_follows(staff) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(actor=staff["agent"], data=person(), submit=True)
    onboarding.refresh_from_db()
    assert onboarding.status == "pending_verification"
    assert onboarding.outcome["decision"] == "pending"
    assert onboarding.outcome["missing"] == {str(onboarding.party_id): ALL}
    party = onboarding.party
    document = IdentityDocument.objects.get(party=party)
    services.add_evidence(
        actor=staff["agent"],
        onboarding=onboarding,
        party=party,
        kind="drivers_license",
        result="pass",
        elements=["name", "date_of_birth", "id_number"],
        identity_document=document,
        reference="DL-CHECK-1",
    )
    onboarding.refresh_from_db()
    assert (onboarding.status, onboarding.outcome["missing"]) == ("pending_verification", {str(party.pk): ["address"]})
    services.add_evidence(
        actor=staff["agent"],
        onboarding=onboarding,
        party=party,
        kind="consumer_reporting_agency",
        result="pass",
        elements=["address"],
    )
    onboarding.refresh_from_db()
    party.refresh_from_db()
    assert (onboarding.status, party.kyc_status, onboarding.decided_by) == ("verified", "verified", None)
    assert list(onboarding.transitions.values_list("action", "to_status")) == [
        ("start", "started"),
        ("submit", "pending_verification"),
        ("verify", "verified"),
    ]
    assert onboarding.transitions.last().reason == "automatic: every CIP element verified"  # type: ignore[union-attr]
    assert ContactPoint.objects.get(party=party, kind="address").verified_at == NOW
    evidence = VerificationEvidence.objects.get(kind="drivers_license")
    assert (evidence.method, evidence.document_expires_on, evidence.reference) == (
        "documentary",
        dt.date(2029, 4, 2),
        "DL-CHECK-1",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.add_evidence(
            actor=staff["agent"], onboarding=onboarding, party=party, kind="passport", result="pass", elements=ALL
        )
    assert exc.value.problems[0].field == "onboarding"


def test_bad_evidence_is_refused_with_every_field(staff) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(actor=staff["agent"], data=person(), submit=True)
    other = services.start_onboarding(actor=staff["agent"], data=person(tax_id="234-56-7890", id_document=None)).party
    with pytest.raises(ValidationFailed) as exc:
        services.add_evidence(
            actor=staff["agent"],
            onboarding=onboarding,
            party=other,
            kind="articles_of_incorporation",
            result="maybe",
            elements=["name", "shoe_size"],
            checked_on=dt.date(2025, 6, 3),
            reference="x" * 65,
        )
    assert [p.field for p in exc.value.problems] == ["party", "kind", "result", "elements", "checked_on", "reference"]
    with pytest.raises(ValidationFailed) as exc:
        services.add_evidence(
            actor=staff["agent"],
            onboarding=onboarding,
            party=onboarding.party,
            kind="passport",
            result="pass",
            elements=ALL,
            document_expires_on=dt.date(2025, 6, 1),
        )
    assert [(p.field, p.message) for p in exc.value.problems] == [
        ("document_expires_on", "the document had expired (2025-06-01)")
    ]
    assert VerificationEvidence.objects.count() == 0


def test_a_failed_check_is_referred_and_only_the_bsa_team_decides(staff) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(actor=staff["agent"], data=person(), submit=True)
    services.add_evidence(
        actor=staff["agent"],
        onboarding=onboarding,
        party=onboarding.party,
        kind="public_database",
        result="fail",
        elements=["address"],
    )
    onboarding.refresh_from_db()
    assert onboarding.status == "manual_review"
    assert onboarding.transitions.last().reason.startswith("automatic: recommendation failed: identity could not")  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        services.transition_onboarding(actor=staff["agent"], onboarding=onboarding, action="verify", reason="ok")
    with pytest.raises(ValidationFailed) as exc:
        services.transition_onboarding(actor=staff["officer"], onboarding=onboarding, action="fail")
    assert exc.value.problems[0].field == "reason"
    with pytest.raises(Conflict):
        services.transition_onboarding(
            actor=staff["officer"], onboarding=onboarding, action="fail", reason="x", expected_version=1
        )
    services.transition_onboarding(
        actor=staff["officer"],
        onboarding=onboarding,
        action="verify",
        reason="Utility bill seen at the branch confirms the address.",
        expected_version=onboarding.version,
    )
    onboarding.refresh_from_db()
    assert (onboarding.status, onboarding.decided_by, onboarding.party.kyc_status) == (
        "verified",
        staff["officer"],
        "verified",
    )
    with pytest.raises(ValidationFailed) as exc:
        services.transition_onboarding(actor=staff["officer"], onboarding=onboarding, action="fail", reason="x")
    assert exc.value.problems[0].message == "cannot fail an onboarding that is verified (allowed: none)"


def test_verify_out_of_pending_only_follows_from_evidence(staff) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(actor=staff["agent"], data=person(), submit=True)
    with pytest.raises(ValidationFailed) as exc:
        services.transition_onboarding(actor=staff["officer"], onboarding=onboarding, action="verify", reason="ok")
    assert exc.value.problems[0].message.startswith("verification follows from the evidence")


def test_failing_an_onboarding_opens_an_aml_case(staff) -> None:  # type: ignore[no-untyped-def]
    from bankcrm.cases.models import Case

    onboarding = services.start_onboarding(actor=staff["agent"], data=person(), submit=True)
    services.transition_onboarding(
        actor=staff["agent"], onboarding=onboarding, action="refer", reason="documents look altered"
    )
    services.transition_onboarding(
        actor=staff["officer"], onboarding=onboarding, action="fail", reason="Driver's license is forged."
    )
    onboarding.refresh_from_db()
    case = Case.objects.get(pk=onboarding.case_id)
    assert (case.kind, case.party_id, case.channel) == ("aml_investigation", onboarding.party_id, "system")
    assert case.subject == f"CIP verification failed: {onboarding.reference}"
    assert onboarding.party.kyc_status == "failed"
    # A failed CIP counts as adverse history at the next rating: 1 event, medium (5 x 0.5 = 2.5).
    assessment = services.rate_party(actor=staff["officer"], party=onboarding.party)
    assert {f["factor"]: f["value"] for f in assessment.factors}["adverse_history"] == "2 event(s)"  # case + failure


def test_screening_is_called_for_every_subject_and_an_open_hit_is_referred(staff, fake_screening) -> None:  # type: ignore[no-untyped-def]
    onboarding = services.start_onboarding(actor=staff["agent"], data=organization())
    subjects = set(OnboardingSubject.objects.filter(onboarding=onboarding).values_list("party_id", flat=True))
    assert len(subjects) == 3  # the entity, Jan (owner and control person), Ann
    assert sorted(str(p) for _a, p, _r in fake_screening["calls"]) == sorted(str(s) for s in subjects)
    assert {(a, r) for a, _p, r in fake_screening["calls"]} == {(None, "onboarding")}

    fake_screening["state"]["value"] = "open"
    single = services.start_onboarding(actor=staff["agent"], data=person(), submit=True)
    services.add_evidence(
        actor=staff["agent"], onboarding=single, party=single.party, kind="passport", result="pass", elements=ALL
    )
    single.refresh_from_db()
    assert single.status == "manual_review"
    assert single.outcome["reasons"] == ["a possible watch-list match awaits its disposition"]
    # The open hit also sets a medium floor on the rating (screening: open -> at least medium).
    single.party.refresh_from_db()
    assert single.party.risk_rating == "medium"


def test_identity_changes_are_rescreened(staff, fake_screening, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from bankcrm.parties.services import correct_party

    party = services.start_onboarding(actor=staff["agent"], data=person()).party
    fake_screening["calls"].clear()
    changed = services.update_identity(
        actor=staff["agent"], party=party, legal_name="Maria Elena Lopez Garcia", nationality="mx"
    )
    assert changed == ["legal_name", "nationality"]
    assert fake_screening["calls"] == [(None, party.pk, "identity_change")]
    party.refresh_from_db()
    assert (party.search_name, party.nationality) == ("maria elena lopez garcia", "MX")
    assert services.update_identity(actor=staff["agent"], party=party, nationality="MX") == []
    assert services.update_identity(actor=staff["agent"], party=party, date_of_birth=dt.date(1980, 4, 3)) == [
        "date_of_birth"
    ]
    assert len(fake_screening["calls"]) == 2
    event = AuditEvent.objects.filter(action="kyc.identity.update").first()
    assert event is not None and event.payload == {"changed": ["legal_name", "nationality"]}
    # A change made elsewhere (an approved privacy correction) is screened once it commits.
    fake_screening["calls"].clear()
    with django_capture_on_commit_callbacks(execute=True):
        correct_party(actor=None, party=party, field="legal_name", value="Maria Garcia")
    assert fake_screening["calls"] == [(None, party.pk, "identity_change")]
    with django_capture_on_commit_callbacks(execute=True):
        correct_party(actor=None, party=party, field="language", value="es")
    assert len(fake_screening["calls"]) == 1  # the language is not screened


def test_the_real_screening_app_is_called_at_onboarding(staff, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without the fixtures: the screening app's own ``screen_party`` runs (no list imported in
    this database, so no hit) and the rating sees the state ``clear``."""
    real = REAL_SCREENING()
    if real is None:
        pytest.skip("the screening app does not provide screen_party in this checkout")
    calls = []

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs["reason"])
        return real(**kwargs)

    monkeypatch.setattr(integration, "screening_function", lambda: spy)
    onboarding = services.start_onboarding(actor=staff["agent"], data=person())
    assert calls == ["onboarding"]
    assessment = RiskAssessment.objects.get(party=onboarding.party)
    assert {f["factor"]: f["value"] for f in assessment.factors}["screening"] == "clear"
    assert str(assessment.score) == "0.00"
