"""The case engine on a real database: intake (classification, signals, clocks, routing,
duplicates, timeline), the status machine with pauses, optimistic locking, maker-checker closure
with relief, attachments, AML confidentiality, breach queues and escalation."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from tests.conftest import make_staff

from bankcrm.audit.models import AuditEvent
from bankcrm.cases import approvals, selectors, services
from bankcrm.cases.models import Approval, Case, CaseClock
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, ValidationFailed
from bankcrm.interactions.models import Interaction

NY = ZoneInfo("America/New_York")
#: Tuesday 1 December 2026, 10:00 New York.
DEC_1 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=NY)
OVERDRAFT = (
    "I was charged three overdraft fees of $35 on my checking account even though my paycheck was "
    "deposited the same morning. The bank reordered my debit card purchases from largest to smallest "
    "so that more fees would apply. I want the fees refunded."
)
UNAUTHORIZED = (
    "There are two debit card transactions on my checking account that I did not make, at a store in "
    "another state, for $480 and $220. I still have my card. I reported them the day I saw my statement "
    "and want the money put back on my account."
)


@pytest.fixture
def officer(db):  # type: ignore[no-untyped-def]
    return make_staff("officer", ["complaints_officer"])


@pytest.fixture
def checker(db):  # type: ignore[no-untyped-def]
    return make_staff("checker", ["complaints_officer"])


def _open(actor, party, narrative=OVERDRAFT, channel="cfpb_portal", at=DEC_1, **kw):  # type: ignore[no-untyped-def]
    with clock.frozen(at):
        return services.open_case(
            actor=actor, kind="complaint", party=party, channel=channel, narrative=narrative, **kw
        )


def _dues(case: Case) -> dict[str, str]:
    return {c.key: c.effective_due.isoformat() for c in CaseClock.objects.filter(case=case)}


def test_cfpb_portal_complaint_gets_classification_clocks_team_and_timeline(agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(agent_user, client_3687)
    assert case.reference.startswith("CMP-") and case.status == "new"
    assert case.suggested_classification["product_class"] == "checking_savings"
    assert case.product_class == "checking_savings" and case.classification_confirmed_at is None
    # Sub-fields carry the suggested value itself (a plain string that fits the column).
    assert case.sub_product == case.suggested_classification["sub_product"]["value"] != ""
    assert isinstance(case.issue, str) and 0 < len(case.issue) <= 160
    assert "cfpb_portal" in case.regimes
    # 15 and 60 calendar days (not moved off weekends: 30 Jan 2027 is a Saturday); internal SLAs
    # 2 and 15 business days counted from Wednesday 2 December.
    assert _dues(case) == {
        "cfpb_response": "2026-12-16",
        "cfpb_final": "2027-01-30",
        "sla_acknowledgement": "2026-12-03",
        "sla_resolution": "2026-12-22",
    }
    assert case.team is not None and case.team.code == "regulatory"
    intake = Interaction.objects.get(case_id=case.pk)
    assert intake.party_id == client_3687.pk and intake.direction == "inbound"
    event = AuditEvent.objects.filter(action="case.open").latest("sequence")
    assert event.payload["reference"] == case.reference and OVERDRAFT[:20] not in str(event.payload)


def test_reg_e_error_notice_clocks_follow_the_facts(officer, client_3687) -> None:  # type: ignore[no-untyped-def]
    friday = dt.datetime(2026, 12, 18, 9, 0, tzinfo=NY)
    case = _open(officer, client_3687, narrative=UNAUTHORIZED, channel="phone", at=friday)
    assert "reg_e" in case.regimes and any(s["code"] == "reg_e_error" for s in case.signals)
    assert case.team is not None and case.team.code == "disputes"
    # 10 business days from Friday 18 Dec: Christmas (Fri 25) and New Year (Fri 1) are holidays.
    assert _dues(case)["reg_e_investigation"] == "2027-01-05"
    assert _dues(case)["reg_e_provisional_credit"] == "2027-01-05"
    with clock.frozen(dt.datetime(2026, 12, 28, 12, tzinfo=NY)):
        case = services.update_dispute_facts(
            actor=officer, case=case, expected_version=case.version, provisional_credit_on=dt.date(2026, 12, 28)
        )
    # Timely provisional credit: 45 calendar days; the provisional-credit notice within 2 bd.
    assert _dues(case)["reg_e_investigation"] == "2027-02-01"
    assert _dues(case)["reg_e_provisional_credit_notice"] == "2026-12-30"
    with clock.frozen(dt.datetime(2026, 12, 28, 12, tzinfo=NY)):
        case = services.update_dispute_facts(
            actor=officer, case=case, expected_version=case.version, point_of_sale=True
        )
    assert _dues(case)["reg_e_investigation"] == "2027-03-18"  # 90 days for point-of-sale transfers


def test_invalid_intake_names_every_field_and_writes_nothing(agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    before = (Case.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        _open(agent_user, client_3687, narrative="   ", channel="pigeon")
    assert {p.field for p in exc.value.problems} == {"narrative", "channel"}
    assert (Case.objects.count(), AuditEvent.objects.count()) == before


def test_duplicate_submission_is_linked_not_rejected(agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    first = _open(agent_user, client_3687)
    second = _open(agent_user, client_3687, narrative=OVERDRAFT + " Please.", at=DEC_1 + dt.timedelta(days=2))
    assert second.duplicate_of_id == first.pk and second.duplicate_score >= 90
    other = _open(agent_user, client_3687, narrative=UNAUTHORIZED, at=DEC_1 + dt.timedelta(days=3))
    assert other.duplicate_of_id is None


def test_status_machine_pauses_internal_clocks_only_and_sets_timely_flag(officer, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(officer, client_3687)
    with clock.frozen(dt.datetime(2026, 12, 2, 9, tzinfo=NY)):
        case = services.transition(actor=officer, case=case, action="start", expected_version=case.version)
        with pytest.raises(ValidationFailed) as exc:
            services.transition(actor=officer, case=case, action="await_customer", expected_version=case.version)
        assert exc.value.problems[0].field == "reason"
        case = services.transition(
            actor=officer,
            case=case,
            action="await_customer",
            expected_version=case.version,
            reason="statements requested",
        )
    assert CaseClock.objects.get(case=case, key="sla_resolution").paused_since == dt.date(2026, 12, 2)
    assert CaseClock.objects.get(case=case, key="cfpb_response").paused_since is None
    with clock.frozen(dt.datetime(2026, 12, 7, 9, tzinfo=NY)):  # Monday: 3 business days later
        case = services.transition(actor=officer, case=case, action="resume", expected_version=case.version)
    dues = _dues(case)
    assert dues["sla_resolution"] == "2026-12-28"  # 22 Dec + 3 business days (25 Dec is a holiday)
    assert dues["cfpb_response"] == "2026-12-16"  # legal clocks never pause
    with clock.frozen(dt.datetime(2026, 12, 10, 15, tzinfo=NY)):
        case = services.transition(
            actor=officer,
            case=case,
            action="respond",
            expected_version=case.version,
            company_response="Closed with explanation",
            resolution_summary="The fees followed the posted order of the day; we explained the order and the opt-out.",
            root_causes=["fee disclosure"],
        )
    assert case.status == "responded" and case.timely_response is True
    stopped = dict(CaseClock.objects.filter(case=case).values_list("key", "stopped_on"))
    assert stopped["cfpb_response"] == dt.date(2026, 12, 10) and stopped["cfpb_final"] is None
    letter = case.attachments.get()
    assert letter.content_type == "text/plain" and case.reference.encode() in letter.file.read()
    with clock.frozen(dt.datetime(2026, 12, 11, 15, tzinfo=NY)):
        case = services.transition(actor=officer, case=case, action="close", expected_version=case.version)
    assert case.status == "closed" and not CaseClock.objects.filter(case=case, stopped_on__isnull=True).exists()
    with clock.frozen(dt.datetime(2026, 12, 14, 9, tzinfo=NY)):
        case = services.transition(
            actor=officer, case=case, action="reopen", expected_version=case.version, reason="customer disagrees"
        )
    assert case.status == "in_progress" and case.reopened_count == 1
    assert _dues(case)["sla_reopened"] == "2027-01-06"  # 15 bd from Mon 14 Dec (25 Dec, 1 Jan holidays)
    assert list(case.transitions.values_list("action", flat=True)) == [
        "start",
        "await_customer",
        "resume",
        "respond",
        "close",
        "reopen",
    ]


def test_second_save_of_a_stale_version_is_a_conflict_and_changes_nothing(officer, checker, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(officer, client_3687)
    seen_by_both = case.version
    services.transition(actor=officer, case=case, action="start", expected_version=seen_by_both)
    with pytest.raises(Conflict, match="changed by someone else"):
        services.assign(actor=checker, case=case, expected_version=seen_by_both, assignee=checker)
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.assignee_id is None and fresh.status == "in_progress" and fresh.version == seen_by_both + 1


def test_closure_with_monetary_relief_needs_a_second_person(officer, checker, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(officer, client_3687)
    with clock.frozen(DEC_1 + dt.timedelta(days=3)):
        case = services.transition(
            actor=officer,
            case=case,
            action="close",
            expected_version=case.version,
            company_response="Closed with monetary relief",
            relief="105.00",
            resolution_summary="We refunded the three overdraft fees.",
        )
    assert case.status == "pending_approval" and case.relief_minor is None
    approval = Approval.objects.get(subject_id=str(case.pk), status="pending")
    with pytest.raises(PermissionDenied):
        approvals.approve(actor=officer, approval=approval)
    agent = make_staff("agent2", ["call_centre_agent"])
    with pytest.raises(PermissionDenied):
        approvals.approve(actor=agent, approval=approval)
    with pytest.raises(ValidationFailed):
        approvals.reject(actor=checker, approval=approval, reason=" ")
    with clock.frozen(DEC_1 + dt.timedelta(days=4)):
        approvals.approve(actor=checker, approval=approval, reason="fees confirmed")
    case.refresh_from_db()
    assert case.status == "closed" and case.relief_minor == 10500 and case.relief_currency == "USD"
    assert case.company_response == "Closed with monetary relief" and case.timely_response is True
    with pytest.raises(Conflict):
        approvals.approve(actor=checker, approval=approval)
    actions = list(AuditEvent.objects.filter(subject_id=str(case.pk)).values_list("action", flat=True))
    assert "approval.request" in actions and "approval.approve" in actions


def test_rejected_closure_returns_the_case_to_work(officer, checker, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(officer, client_3687)
    case = services.transition(
        actor=officer,
        case=case,
        action="close",
        expected_version=case.version,
        company_response="Closed with monetary relief",
        relief="35",
    )
    approval = Approval.objects.get(subject_id=str(case.pk), status="pending")
    approvals.reject(actor=checker, approval=approval, reason="only one fee was wrong")
    case.refresh_from_db()
    assert case.status == "in_progress" and case.transitions.last().reason == "only one fee was wrong"


def test_relief_rules(officer, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(officer, client_3687)
    with pytest.raises(ValidationFailed) as exc:
        services.transition(
            actor=officer,
            case=case,
            action="close",
            expected_version=case.version,
            company_response="Closed with monetary relief",
        )
    assert [p.field for p in exc.value.problems] == ["relief"]
    with pytest.raises(ValidationFailed) as exc:
        services.transition(actor=officer, case=case, action="close", expected_version=case.version)
    assert [p.field for p in exc.value.problems] == ["company_response"]
    with pytest.raises(ValidationFailed) as exc:
        services.transition(actor=officer, case=case, action="fly", expected_version=case.version)
    assert "allowed: start, respond, close" in exc.value.problems[0].message


def test_attachments_are_sniffed_and_limited(agent_user, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(agent_user, client_3687)
    pdf = services.add_attachment(actor=agent_user, case=case, filename="../statement.pdf", content=b"%PDF-1.4\n%...")
    assert pdf.content_type == "application/pdf" and pdf.filename == "statement.pdf" and pdf.size == 13
    with pytest.raises(ValidationFailed, match=r"invoice\.pdf: type application/x-msdownload"):
        services.add_attachment(
            actor=agent_user, case=case, filename="invoice.pdf", content=b"MZ\x90\x00" + b"\x00" * 60
        )
    with pytest.raises(ValidationFailed, match="larger than 10 MiB"):
        services.add_attachment(actor=agent_user, case=case, filename="big.txt", content=b"a" * (10 * 1024 * 1024 + 1))
    assert case.attachments.count() == 1


def test_aml_investigations_are_invisible_without_aml_read(officer, client_3687) -> None:  # type: ignore[no-untyped-def]
    aml = make_staff("aml", ["bsa_aml_officer"])
    with pytest.raises(PermissionDenied):
        services.open_case(
            actor=officer, kind="aml_investigation", party=client_3687, channel="system", narrative="structuring alert"
        )
    case = services.open_case(
        actor=aml, kind="aml_investigation", party=client_3687, channel="system", narrative="structuring alert"
    )
    assert case.reference.startswith("AML-")
    assert not selectors.visible_cases(officer).filter(pk=case.pk).exists()
    assert selectors.visible_cases(aml).filter(pk=case.pk).exists()
    assert case.pk not in [c.pk for c in selectors.list_cases(officer, limit=100).items]


def test_breached_and_due_soon_queues_and_one_escalation(officer, client_3687) -> None:  # type: ignore[no-untyped-def]
    case = _open(officer, client_3687)
    with clock.frozen(dt.datetime(2026, 12, 15, 9, tzinfo=NY)):
        # sla_acknowledgement (3 Dec) has breached; cfpb_response (16 Dec) is in its warning window.
        assert [c.pk for c in selectors.list_cases(officer, breached=True).items] == [case.pk]
        assert [c.pk for c in selectors.list_cases(officer, due_soon=True).items] == [case.pk]
        assert services.refresh_clocks() == {"warned": 1, "escalated": 1}
        assert services.refresh_clocks() == {"warned": 0, "escalated": 0}
    case.refresh_from_db()
    assert case.priority == "urgent" and case.escalated_at is not None
    assert AuditEvent.objects.filter(action="case.clock.breach", subject_id=str(case.pk)).count() == 1
    with clock.frozen(dt.datetime(2026, 12, 2, 9, tzinfo=NY)):
        assert selectors.list_cases(officer, breached=True).items == []


def test_classification_correction_changes_regimes_and_clocks(officer, client_3687) -> None:  # type: ignore[no-untyped-def]
    narrative = (
        "I was billed twice for the same purchase of $250 at an electronics store on my credit card statement. "
        "I disputed the duplicate charge but it is still there."
    )
    case = _open(officer, client_3687, narrative=narrative, channel="web")
    with clock.frozen(DEC_1 + dt.timedelta(hours=2)):
        case = services.confirm_classification(
            actor=officer,
            case=case,
            expected_version=case.version,
            product="Credit card",
            issue="Problem with a purchase",
        )
    assert case.product_class == "credit_card" and "reg_z" in case.regimes
    dues = _dues(case)
    assert dues["reg_z_acknowledgement"] == "2026-12-31"  # 30 calendar days
    with pytest.raises(ValidationFailed) as exc:
        services.confirm_classification(actor=officer, case=case, expected_version=case.version, product="Spaceship")
    assert exc.value.problems[0].field == "product"
