"""CIP verification evidence evaluation and the onboarding status machine."""

from __future__ import annotations

import datetime as dt

import pytest

from bankcrm.kyc.engine import workflow as wf
from bankcrm.kyc.engine.verification import Evidence, Subject, evaluate, method_of, required_elements

DAY = dt.date(2025, 6, 1)
ALL = frozenset({"name", "date_of_birth", "address", "id_number"})
APPLICANT = Subject(key="p", kind="person", role="applicant")


def ev(kind: str, result: str = "pass", elements: frozenset[str] = ALL, **kw) -> Evidence:  # type: ignore[no-untyped-def]
    return Evidence(
        subject=kw.pop("subject", "p"), kind=kind, result=result, elements=elements, checked_on=kw.pop("on", DAY), **kw
    )


def test_one_unexpired_photo_id_covering_every_element_verifies_an_individual() -> None:
    outcome = evaluate([APPLICANT], [ev("drivers_license", expires_on=dt.date(2027, 1, 1))], on=DAY)
    assert (outcome.decision, outcome.missing, outcome.failures, outcome.reasons) == ("verified", {}, {}, [])


def test_missing_elements_keep_it_pending() -> None:
    outcome = evaluate([APPLICANT], [ev("passport", elements=frozenset({"name", "date_of_birth"}))], on=DAY)
    assert (outcome.decision, outcome.missing) == ("pending", {"p": ["address", "id_number"]})
    assert evaluate([APPLICANT], [ev("passport", "inconclusive")], on=DAY).missing == {
        "p": ["name", "date_of_birth", "address", "id_number"]
    }


def test_a_failed_check_without_a_pass_fails_and_a_pass_and_a_fail_conflict() -> None:
    failed = evaluate(
        [APPLICANT],
        [
            ev("passport", elements=frozenset({"name", "date_of_birth", "id_number"})),
            ev("consumer_reporting_agency", "fail", frozenset({"address"})),
        ],
        on=DAY,
    )
    assert (failed.decision, failed.failures, failed.missing) == ("failed", {"p": ["address"]}, {"p": ["address"]})
    conflict = evaluate([APPLICANT], [ev("passport"), ev("public_database", "fail", frozenset({"address"}))], on=DAY)
    assert (conflict.decision, conflict.conflicts) == ("manual_review", {"p": ["address"]})


def test_watch_list_state_overrides() -> None:
    assert evaluate([APPLICANT], [ev("passport")], on=DAY, screening="open").decision == "manual_review"
    true_match = evaluate([APPLICANT], [ev("passport")], on=DAY, screening="true_match")
    assert (true_match.decision, true_match.reasons) == ("failed", ["a confirmed watch-list (sanctions) match"])
    assert evaluate([APPLICANT], [ev("passport")], on=DAY, screening="false_positive").decision == "verified"
    with pytest.raises(ValueError, match="screening"):
        evaluate([APPLICANT], [], on=DAY, screening="maybe")


def test_high_risk_needs_both_a_documentary_and_a_non_documentary_check() -> None:
    one = evaluate([APPLICANT], [ev("passport")], on=DAY, both_methods=True)
    assert (one.decision, one.missing) == ("pending", {"p": ["second_method"]})
    both = evaluate(
        [APPLICANT], [ev("passport"), ev("public_database", elements=frozenset({"address"}))], on=DAY, both_methods=True
    )
    assert both.decision == "verified"


def test_expired_documents_and_later_checks_do_not_count() -> None:
    expired = evaluate([APPLICANT], [ev("passport", expires_on=dt.date(2025, 5, 31))], on=DAY)
    assert expired.decision == "pending"
    assert expired.reasons == ["passport of p had expired when checked; it does not count"]
    later = evaluate([APPLICANT], [ev("passport", on=dt.date(2025, 6, 2))], on=DAY)
    assert later.decision == "pending"


def test_an_entity_needs_no_date_of_birth_and_every_owner_is_verified() -> None:
    entity = Subject(key="org", kind="organization", role="applicant")
    owner = Subject(key="bo", kind="person", role="beneficial_owner")
    assert required_elements("organization") == ("name", "address", "id_number")
    evidence = [ev("articles_of_incorporation", subject="org", elements=frozenset({"name", "address", "id_number"}))]
    pending = evaluate([entity, owner], evidence, on=DAY)
    assert (pending.decision, pending.missing) == ("pending", {"bo": ["name", "date_of_birth", "address", "id_number"]})
    verified = evaluate([entity, owner], [*evidence, ev("drivers_license", subject="bo")], on=DAY)
    assert verified.decision == "verified"
    assert method_of("business_license") == "documentary" and method_of("public_database") == "non_documentary"


def test_the_status_machine() -> None:
    assert wf.next_status("started", "submit") == wf.Status.PENDING_VERIFICATION
    assert wf.next_status("pending_verification", "refer") == wf.Status.MANUAL_REVIEW
    assert wf.next_status("manual_review", "verify") == wf.Status.VERIFIED
    assert wf.next_status("manual_review", "fail") == wf.Status.FAILED
    with pytest.raises(wf.InvalidTransition, match=r"cannot verify an onboarding that is started \(allowed: submit\)"):
        wf.next_status("started", "verify")
    with pytest.raises(wf.InvalidTransition, match=r"allowed: none"):
        wf.next_status("verified", "fail")
    assert [wf.is_open(s) for s in wf.Status] == [True, True, False, False, True]
    assert (wf.Status.MANUAL_REVIEW, wf.Action.VERIFY) in wf.DECISIONS
    assert (wf.Status.PENDING_VERIFICATION, wf.Action.REFER) not in wf.DECISIONS
