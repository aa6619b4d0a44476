"""CDD/EDD risk rating on the database: ratings from real inputs (profile, accounts, transactions,
AML history), EDD sign-off through maker-checker, risk-model changes through maker-checker,
periodic reviews and what each reader may see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from tests.kyc_data import NOW, TODAY, frozen_clock, make_kyc_staff, no_screening, person  # noqa: F401

from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, ValidationFailed
from bankcrm.holdings.models import Account, AccountRole, Branch, Product, Transaction
from bankcrm.kyc import selectors, services, tasks
from bankcrm.kyc.engine.risk import default_config
from bankcrm.kyc.models import CddProfile, EddReview, PeriodicReview, RiskAssessment, RiskModelVersion

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock", "no_screening")]


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    return make_kyc_staff()


def onboard(staff, **changes):  # type: ignore[no-untyped-def]
    return services.start_onboarding(actor=staff["agent"], data=person(**changes)).party


def test_a_foreign_pep_is_rated_high_and_gets_an_edd_checklist(staff) -> None:  # type: ignore[no-untyped-def]
    party = onboard(staff, cdd={"occupation": "employee", "products": ["checking"], "pep_status": "foreign"})
    assessment = RiskAssessment.objects.get(party=party)
    # PEP 15 + not screened 7.5 + no expected activity 5 = 27.50 (medium by score), raised to high
    # by the foreign-PEP floor.
    assert (str(assessment.score), assessment.score_rating, assessment.rating) == ("27.50", "medium", "high")
    assert assessment.floors_applied == ["pep: foreign -> at least high"]
    assert assessment.next_review_on == dt.date(2026, 6, 2)
    review = EddReview.objects.get(party=party)
    assert review.status == "open" and [i["code"] for i in review.items] == [
        "purpose",
        "source_of_funds",
        "source_of_wealth",
        "expected_activity",
        "adverse_media",
    ]
    # A second high rating does not open a second review.
    services.rate_party(actor=staff["officer"], party=party)
    assert EddReview.objects.filter(party=party).count() == 1


def test_edd_sign_off_is_maker_checker(staff) -> None:  # type: ignore[no-untyped-def]
    party = onboard(staff, cdd={"occupation": "employee", "products": ["checking"], "pep_status": "foreign"})
    review = EddReview.objects.get(party=party)
    maker, checker = staff["officer"], staff["checker"]
    with pytest.raises(PermissionDenied):
        services.record_edd_item(actor=staff["agent"], review=review, code="purpose", done=True, note="x")
    with pytest.raises(ValidationFailed) as exc:
        services.record_edd_item(actor=maker, review=review, code="purpose", done=True)
    assert exc.value.problems[0].field == "note"
    with pytest.raises(ValidationFailed) as exc:
        services.submit_edd(actor=maker, review=review)
    assert exc.value.problems[0].message == (
        "complete every item first: purpose, source_of_funds, source_of_wealth, expected_activity, adverse_media"
    )
    for item in review.items:
        services.record_edd_item(actor=maker, review=review, code=item["code"], done=True, note="Checked: file 17.")
    approval = services.submit_edd(actor=maker, review=review)
    review.refresh_from_db()
    assert (review.status, review.approval_id) == ("pending_approval", approval.pk)
    with pytest.raises(PermissionDenied):
        services.decide_edd(actor=maker, review=review, approve=True)
    with pytest.raises(ValidationFailed):
        services.decide_edd(actor=checker, review=review, approve=False, reason="")
    services.decide_edd(
        actor=checker, review=review, approve=False, reason="Source of wealth needs the 2024 tax return."
    )
    review.refresh_from_db()
    assert (review.status, review.rejection_reason) == ("open", "Source of wealth needs the 2024 tax return.")
    services.submit_edd(actor=maker, review=review)
    services.decide_edd(actor=checker, review=review, approve=True)
    review.refresh_from_db()
    assert (review.status, review.signed_off_by, review.signed_off_at) == ("approved", checker, NOW)
    actions = list(
        AuditEvent.objects.filter(subject_type="edd_review").order_by("sequence").values_list("action", flat=True)
    )
    assert actions[-6:] == [
        "approval.reject",
        "kyc.edd.return",
        "approval.request",
        "kyc.edd.submit",
        "approval.approve",
        "kyc.edd.signoff",
    ]
    with pytest.raises(ValidationFailed):
        services.record_edd_item(actor=maker, review=review, code="purpose", done=False)


def test_a_risk_model_change_needs_a_second_person_and_rerates(  # type: ignore[no-untyped-def]
    staff, django_capture_on_commit_callbacks
) -> None:
    party = onboard(staff)
    assert party.risk_rating == "low" and selectors.active_risk_model()[0] == 1
    maker, checker = staff["officer"], staff["checker"]
    bad = default_config()
    bad["weights"]["geography"] = 30
    with pytest.raises(ValidationFailed) as exc:
        services.propose_risk_model(actor=maker, config=bad, reason="")
    assert [p.field for p in exc.value.problems] == ["config.weights", "reason"]
    with pytest.raises(PermissionDenied):
        services.propose_risk_model(actor=staff["agent"], config=default_config(), reason="x")
    config = default_config()
    config["thresholds"] = {"medium": "5", "high": "50"}
    version = services.propose_risk_model(actor=maker, config=config, reason="Board decision 2025-05: stricter medium.")
    assert (version.number, version.status, selectors.active_risk_model()[0]) == (2, "proposed", 1)
    proposed = AuditEvent.objects.filter(action="kyc.risk_model.propose").get()
    assert proposed.payload == {"version": 2, "from_version": 1, "changed": ["thresholds.medium"]}
    with pytest.raises(Conflict):
        services.propose_risk_model(actor=maker, config=config, reason="again")
    approval = selectors.get_pending_model_approval(checker)
    from bankcrm.cases import approvals

    with pytest.raises(PermissionDenied):
        approvals.approve(actor=maker, approval=approval)
    with django_capture_on_commit_callbacks(execute=True):
        approvals.approve(actor=checker, approval=approval)
    assert list(RiskModelVersion.objects.order_by("number").values_list("number", "status")) == [
        (1, "retired"),
        (2, "active"),
    ]
    # The re-rating task ran with model 2: the same 7.50 is now medium (>= 5).
    party.refresh_from_db()
    latest = RiskAssessment.objects.filter(party=party).order_by("-assessed_at").first()
    assert latest is not None
    assert (latest.model_number, latest.reason, str(latest.score), latest.rating, latest.previous_rating) == (
        2,
        "model_change",
        "7.50",
        "medium",
        "low",
    )
    assert party.risk_rating == "medium"
    rated = AuditEvent.objects.filter(action="kyc.risk.rate").order_by("-sequence").first()
    assert rated is not None and (rated.payload["changed"], rated.payload["previous"]) == (True, "low")


def test_periodic_reviews_open_when_due_and_completing_one_sets_the_next(staff) -> None:  # type: ignore[no-untyped-def]
    party = onboard(staff)
    assert CddProfile.objects.get(party=party).next_review_on == dt.date(2028, 6, 2)
    assert services.open_due_reviews(today=dt.date(2028, 6, 1)) == 0
    assert services.open_due_reviews(today=dt.date(2028, 6, 2)) == 1
    assert services.open_due_reviews(today=dt.date(2028, 6, 3)) == 0  # one open review per party
    review = PeriodicReview.objects.get(party=party)
    assert (review.status, review.due_on) == ("open", dt.date(2028, 6, 2))
    assert [r.pk for r in selectors.due_reviews(staff["officer"])] == [review.pk]
    with pytest.raises(PermissionDenied):
        selectors.due_reviews(staff["agent"])
    with clock.frozen(dt.datetime(2028, 6, 5, 9, 0, tzinfo=NOW.tzinfo)):
        assessment = services.complete_review(actor=staff["officer"], review=review, note="Profile unchanged.")
    review.refresh_from_db()
    assert (review.status, review.assessment_id, assessment.reason) == ("completed", assessment.pk, "periodic_review")
    profile = CddProfile.objects.get(party=party)
    assert (profile.next_review_on, profile.last_reviewed_on) == (dt.date(2031, 6, 5), dt.date(2028, 6, 5))
    with pytest.raises(ValidationFailed):
        services.complete_review(actor=staff["officer"], review=review)


def test_the_scheduled_task_opens_due_reviews(staff) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(NOW):
        party = onboard(staff)
    CddProfile.objects.filter(party=party).update(next_review_on=clock.today() - dt.timedelta(days=1))
    result = tasks.open_due_reviews.enqueue()
    assert result.return_value == 1
    assert PeriodicReview.objects.filter(party=party, status="open").count() == 1
    from bankcrm.core.scheduler import JOBS

    assert ("kyc.open_due_reviews", "bankcrm.kyc.tasks.open_due_reviews") in {(j.name, j.task) for j in JOBS}


def test_actual_activity_against_expected_and_held_products(staff) -> None:  # type: ignore[no-untyped-def]
    # Expected 1,000.00 a month, 100.00 of it cash; booked in the last 90 days: 9,000.00 of which
    # 3,600.00 cash: per month 3,000.00 (3.00x: high) and 1,200.00 cash (12.00x: high).
    party = onboard(
        staff,
        cdd={
            "occupation": "employee",
            "products": ["checking"],
            "expected_monthly_amount": "1000.00",
            "expected_cash_amount": "100.00",
        },
    )
    branch = Branch.objects.create(code="T1", name="Test", region="NY", country="US")
    product = Product.objects.create(code="T-WIRE", name="Wires", type="checking", currency="USD")
    account = Account.objects.create(
        number="900000000001", product=product, branch=branch, currency="USD", opened_on=dt.date(2025, 1, 2)
    )
    AccountRole.objects.create(account=account, party=party, role="owner")
    rows = [
        (TODAY - dt.timedelta(days=10), 540_000, False),
        (TODAY - dt.timedelta(days=40), 360_000, True),
        (TODAY - dt.timedelta(days=120), 9_999_900, True),  # outside the window
    ]
    Transaction.objects.bulk_create(
        [
            Transaction(account=account, booking_date=d, direction="credit", amount_minor=m, currency="USD", is_cash=c)
            for d, m, c in rows
        ]
    )
    assessment = services.rate_party(actor=staff["officer"], party=party)
    activity = next(f for f in assessment.factors if f["factor"] == "activity")
    assert (activity["level"], activity["value"], activity["points"]) == ("high", "3.00x expected", "10.00")
    assert (assessment.inputs["actual_monthly_minor"], assessment.inputs["actual_cash_minor"]) == (300_000, 120_000)
    # 7.5 (not screened) + 10 (activity high) = 17.50: still low.
    assert (assessment.score, assessment.rating) == (Decimal("17.50"), "low")


def test_cdd_update_rerates_and_is_audited(staff) -> None:  # type: ignore[no-untyped-def]
    party = onboard(staff)
    assessment = services.update_cdd_profile(
        actor=staff["agent"],
        party=party,
        data={"occupation": "money_services", "products": ["checking", "international_wire"], "pep_status": "domestic"},
        adverse_media=True,
    )
    # Occupation high 15 + wires 5 + PEP domestic 7.5 + not screened 7.5 + no expectation 5 + adverse 1 event 2.5 = 42.50.
    assert (str(assessment.score), assessment.rating, assessment.reason) == ("42.50", "medium", "cdd_update")
    event = AuditEvent.objects.filter(action="kyc.cdd.update").get()
    assert event.payload["changed"] == [
        "occupation",
        "pep_status",
        "products",
        "expected_monthly_minor",
        "adverse_media",
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.update_cdd_profile(actor=staff["agent"], party=party, data={"occupation": "pirate", "products": []})
    assert [p.field for p in exc.value.problems] == ["cdd.occupation", "cdd.products"]


def test_confidential_factors_and_the_score_are_for_the_bsa_team(staff) -> None:  # type: ignore[no-untyped-def]
    party = onboard(staff)
    front = selectors.party_risk(staff["caller"], party)
    assert front.score is None and front.edd is None and not front.confidential_visible
    assert {f["factor"]: f["restricted"] for f in front.factors} == {
        "geography": False,
        "occupation": False,
        "products": False,
        "channel": False,
        "pep": False,
        "screening": True,
        "adverse_history": True,
        "activity": False,
    }
    assert "level" not in next(f for f in front.factors if f["factor"] == "screening")
    aml = selectors.party_risk(staff["officer"], party)
    assert (
        aml.score == Decimal("7.50") and next(f for f in aml.factors if f["factor"] == "screening")["level"] == "medium"
    )
