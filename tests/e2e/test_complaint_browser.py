"""A complaint from intake to closure in the console, in a real browser: intake from the 360 page,
model-suggested classification confirmed by the officer, assignment, response with a CFPB
category, closure; the queue shows it; every page passes axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import make_staff
from tests.e2e.conftest import axe_violations

from bankcrm.identity import mfa

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
NARRATIVE = (
    "I was charged a $35 overdraft fee on my checking account although my salary had been deposited "
    "that morning. I asked the branch to refund it and nobody called me back."
)


def _sign_in(page: Any, base: str, user: Any) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    page.fill("input[name=code]", mfa.current_code(mfa.totp_secret(user)))
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_complaint_from_intake_to_closure(page: Any, live_server: Any, client_3687: Any) -> None:
    officer = make_staff("officer.cruz", ["complaints_officer"])
    base = live_server.url
    _sign_in(page, base, officer)

    page.goto(f"{base}/parties/{client_3687.pk}/")
    page.click("#open-case")
    assert axe_violations(page) == []
    page.select_option("#c-channel", "phone")
    page.fill("#c-subject", "Overdraft fee not refunded")
    page.fill("#c-narrative", NARRATIVE)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/cases/*/")
    reference = page.locator("h1").inner_text().split()[0]
    assert reference.startswith("CMP-")
    assert "Suggested: Checking or savings account" in page.locator("#suggestion").inner_text()
    assert page.locator("#deadlines tbody tr").count() >= 2
    assert page.locator("#case-status").inner_text() == "new"
    assert axe_violations(page) == []

    page.select_option("#k-product", "Checking or savings account")
    page.fill("#k-issue", "Managing an account")
    page.click("#confirm-classification")
    page.wait_for_load_state()
    assert "Confirmed" in page.locator("#class-h + p, #class-h ~ p").all_inner_texts()[-1]

    page.select_option("#a-user", label="officer.cruz")
    page.click("#assign")
    page.wait_for_load_state()
    assert page.locator("#case-assignee").inner_text() == "officer.cruz"

    page.select_option("#t-action", "respond")
    page.select_option("#t-response", "Closed with explanation")
    page.fill("#t-summary", "The fee was charged before the deposit posted; we explained the posting order.")
    page.fill("#t-causes", "posting order")
    page.click("#apply-action")
    page.wait_for_load_state()
    assert page.locator("#case-status").inner_text() == "responded"
    assert "Closed with explanation" in page.locator("#case-response").inner_text()

    page.select_option("#t-action", "close")
    page.click("#apply-action")
    page.wait_for_load_state()
    assert page.locator("#case-status").inner_text() == "closed"
    assert axe_violations(page) == []

    page.goto(f"{base}/cases/?queue=all")
    assert page.get_by_role("link", name=reference).is_visible()
    assert axe_violations(page) == []
    page.goto(f"{base}/cases/reports/")
    assert page.locator("#r-total").inner_text() == "1"
    assert axe_violations(page) == []
