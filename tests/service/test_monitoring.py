"""Transaction monitoring on a real database: the demo's planted synthetic cash activity gives a
CTR and a structuring alert and no CTR for the exact-$10,000 near miss; alerts are deduplicated
and suppressed once closed; CTR drafts; the SAR workflow with its clock and maker-checker; FX
conversion; threshold changes through approval; confidentiality towards a call-centre agent."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from tests.conftest import make_staff

from bankcrm.api.root import api  # noqa: F401 - mounts the routers
from bankcrm.cases import approvals
from bankcrm.cases import selectors as case_selectors
from bankcrm.cases.models import Approval, CaseClock
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, NotFound, ValidationFailed
from bankcrm.datasets.demo_aml import load_demo_cash_activity
from bankcrm.datasets.us_synthetic import import_us_synthetic
from bankcrm.monitoring import extract, sar, selectors, services
from bankcrm.monitoring.models import Alert, ScenarioThreshold
from bankcrm.parties.models import Party

NY = ZoneInfo("America/New_York")
AS_OF = dt.datetime(1998, 12, 31, 17, tzinfo=NY)


@pytest.fixture
def demo_cash(bank):  # type: ignore[no-untyped-def]
    import_us_synthetic(actor=None)
    assert load_demo_cash_activity() == 8
    assert load_demo_cash_activity() == 0  # idempotent
    return {n: Party.objects.get(source_system="synthetic-us", source_id=f"person:{n}") for n in (1, 2, 3)}


@pytest.fixture
def aml(db):  # type: ignore[no-untyped-def]
    return make_staff("aml", ["bsa_aml_officer"])


def test_fx_conversion_is_exact_with_bankers_rounding(db) -> None:  # type: ignore[no-untyped-def]
    rates = extract.RateTable()
    # 100,000.00 CZK at 0.030989 USD/CZK (1998) = 3,098.90 USD.
    assert rates.to_usd_cents(10_000_000, "CZK", dt.date(1998, 6, 1)) == 309_890
    assert rates.to_usd_cents(12_345, "USD", dt.date(1998, 6, 1)) == 12_345
    with pytest.raises(extract.MissingRate, match="EUR"):
        rates.to_usd_cents(100, "EUR", dt.date(1998, 6, 1))


def test_planted_cash_gives_ctr_and_structuring_alerts_and_dedupes(demo_cash, aml) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(AS_OF):
        run, alerts = services.run_monitoring(actor=aml)
    by = {(a["scenario"], a["party_id"]) for a in alerts}
    assert ("ctr", str(demo_cash[1].pk)) in by
    assert ("structuring", str(demo_cash[2].pk)) in by
    assert ("ctr", str(demo_cash[3].pk)) not in by  # exactly $10,000.00 does not trigger
    assert all(a["status"] == "new" for a in alerts) and run.alerts_new == len(alerts)
    ctr_alert = Alert.objects.get(scenario="ctr", party=demo_cash[1])
    assert ctr_alert.case is not None and ctr_alert.case.kind == "aml_investigation"
    with clock.frozen(AS_OF):
        again, second = services.run_monitoring(actor=aml)
    assert again.alerts_new == 0 and {a["status"] for a in second} == {"open"}
    Alert.objects.filter(pk=ctr_alert.pk).update(status=Alert.Status.CLOSED)
    with clock.frozen(AS_OF):
        _, third = services.run_monitoring(actor=aml)
    assert {a["status"] for a in third if a["id"] == str(ctr_alert.pk)} == {"suppressed"}


def test_ctr_draft_aggregates_the_business_day(demo_cash, aml) -> None:  # type: ignore[no-untyped-def]
    with clock.frozen(AS_OF):
        ctrs = services.generate_ctrs(actor=aml)
        assert services.generate_ctrs(actor=aml) == []  # idempotent
    assert [(c.party_id, c.business_day) for c in ctrs] == [(demo_cash[1].pk, dt.date(1998, 12, 7))]
    ctr = ctrs[0]
    # Saturday's $6,000 counts on Monday with Monday's $4,500 (two accounts, two branches); cash out apart.
    assert (ctr.cash_in_usd_minor, ctr.cash_out_usd_minor) == (1_050_000, 300_000)
    assert ctr.due_on == dt.date(1998, 12, 22)
    assert ctr.report["part_ii_amount_and_type"]["cash_in_usd"] == "10500.00"


def test_sar_workflow_clock_and_four_eyes(demo_cash, aml) -> None:  # type: ignore[no-untyped-def]
    checker = make_staff("aml2", ["bsa_aml_officer"])
    with clock.frozen(AS_OF):
        services.run_monitoring(actor=aml)
        case = Alert.objects.get(scenario="structuring").case
        report = sar.start_sar(actor=aml, case=case, detected_on=dt.date(1998, 12, 20), suspect_identified=False)
    assert report.due_on == dt.date(1999, 2, 18)  # no suspect: 30 + 30 days
    assert CaseClock.objects.get(case=case, key="sar_filing").due == dt.date(1999, 2, 18)
    with clock.frozen(AS_OF):
        report = sar.update_sar(actor=aml, sar=report, suspect_identified=True)
        assert report.due_on == dt.date(1999, 1, 19)
        with pytest.raises(ValidationFailed) as exc:
            sar.request_filing(actor=aml, sar=report)
        assert {p.field for p in exc.value.problems} == {"narrative", "activity_from"}
        report = sar.update_sar(
            actor=aml,
            sar=report,
            narrative="Three cash deposits of $9,500, $9,800 and $9,400 on consecutive business days, each just under the CTR threshold.",
            activity_from=dt.date(1998, 12, 14),
            activity_to=dt.date(1998, 12, 16),
            amount_usd="28700.00",
        )
        approval = sar.request_filing(actor=aml, sar=report)
        with pytest.raises(PermissionDenied):
            approvals.approve(actor=aml, approval=approval)
        approvals.approve(actor=checker, approval=approval)
        report.refresh_from_db()
        assert report.status == "approved"
        with pytest.raises(ValidationFailed):
            sar.record_filing(actor=aml, sar=report, bsa_id=" ")
        report = sar.record_filing(actor=aml, sar=report, bsa_id="31000123456789")
        with pytest.raises(Conflict):
            sar.update_sar(actor=aml, sar=report, narrative="x")
    assert report.retain_until == dt.date(2003, 12, 31) and report.continuing_review_on == dt.date(1999, 3, 31)
    doc = sar.sar_document(report)
    assert (
        doc["part_ii_activity"]["total_amount_usd"] == "28700.00"
        and "structuring" in doc["part_ii_activity"]["categories"]
    )
    assert "Confidential" in sar.sar_report_html(report)


def test_a_call_centre_agent_cannot_tell_an_alert_or_sar_exists(client, demo_cash, aml) -> None:  # type: ignore[no-untyped-def]
    from tests.api.conftest import bearer

    with clock.frozen(AS_OF):
        services.run_monitoring(actor=aml)
        case = Alert.objects.get(scenario="ctr").case
        report = sar.start_sar(actor=aml, case=case, detected_on=dt.date(1998, 12, 20))
    agent = make_staff("agent", ["call_centre_agent"])
    assert not selectors.visible_alerts(agent).exists()
    assert not case_selectors.visible_cases(agent).filter(kind="aml_investigation").exists()
    with pytest.raises(NotFound):
        selectors.get_sar(agent, report.pk)
    auth = bearer(agent)
    assert client.get("/api/v1/alerts", **auth).json()["items"] == []
    alert = Alert.objects.get(scenario="ctr")
    assert client.get(f"/api/v1/alerts/{alert.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/complaints/{case.pk}", **auth).status_code == 404
    assert all(c["kind"] != "aml_investigation" for c in client.get("/api/v1/cases?limit=100", **auth).json()["items"])
    client.force_login(agent)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    page = client.get(f"/parties/{demo_cash[1].pk}/").content.decode()
    assert case.reference not in page and "structuring" not in page


def test_threshold_changes_need_a_second_person(db, aml) -> None:  # type: ignore[no-untyped-def]
    services.ensure_thresholds()
    assert ScenarioThreshold.objects.get(name="ctr_threshold_cents").value == "1000000"
    approval = services.propose_threshold(actor=aml, name="structuring_window_days", value="21", reason="policy review")
    assert services.current_thresholds().structuring_window_days == 14  # nothing changes before approval
    with pytest.raises(ValidationFailed):
        services.propose_threshold(actor=aml, name="no_such_threshold", value="1", reason="x")
    with pytest.raises(ValidationFailed):
        services.propose_threshold(actor=aml, name="structuring_window_days", value="three weeks", reason="x")
    with pytest.raises(PermissionDenied):
        approvals.approve(actor=aml, approval=approval)
    checker = make_staff("aml2", ["bsa_aml_officer"])
    approvals.approve(actor=checker, approval=approval)
    assert Approval.objects.get(pk=approval.pk).status == "approved"
    assert services.current_thresholds().structuring_window_days == 21
