"""Regulated-kind signals: bankcrm.cases.engine.signals.

Planted positives (one narrative per rule or phrasing) and near misses: negations, the same words on
an unrelated product, and the combined "credit card or prepaid card" class split between Reg E and
Reg Z. Product classes are given both as CFPB product names and as canonical-looking keys.
"""

from __future__ import annotations

import pytest

from bankcrm.cases.engine.signals import Signal, SignalCode, detect_signals

CHECKING = "Checking or savings account"
CARD_OR_PREPAID = "Credit card or prepaid card"
MONEY_TRANSFER = "Money transfer, virtual currency, or money service"
MORTGAGE = "Mortgage"
CREDIT_REPORTING = "Credit reporting, credit repair services, or other personal consumer reports"


def signals(
    narrative: str, *, product: str | None = None, channel: str | None = None, **kw: object
) -> dict[str, Signal]:
    got = detect_signals(narrative, product_class=product, channel=channel, **kw)  # type: ignore[arg-type]
    codes = [s.code for s in got]
    assert len(codes) == len(set(codes))
    return {s.code.value: s for s in got}


def codes(narrative: str, **kw: object) -> set[str]:
    return set(signals(narrative, **kw))  # type: ignore[arg-type]


# --- Reg E -----------------------------------------------------------------------------------------


def test_reg_e_unauthorized_atm_withdrawals() -> None:
    got = signals("Someone used my debit card at an ATM and made withdrawals I did not authorize.", product=CHECKING)
    assert set(got) == {"reg_e_error"}
    sig = got["reg_e_error"]
    assert sig.code is SignalCode.REG_E_ERROR
    assert sig.rule == "12 CFR 1005.11(a)"
    assert sig.evidence == ("debit card", "ATM", "did not authorize")


def test_reg_e_unknown_product_needs_an_electronic_instrument() -> None:
    got = signals("There is an unauthorized Zelle payment of $900 from my account.")
    assert got["reg_e_error"].evidence == ("unauthorized", "Zelle")
    # Same complaint without an instrument: nothing tells us it was electronic.
    assert codes("There is an unauthorized payment of $900 from my account.") == set()


def test_reg_e_missing_direct_deposit_canonical_class() -> None:
    got = signals("My direct deposit is missing from my savings account.", product="checking_savings")
    assert got["reg_e_error"].evidence == ("direct deposit", "deposit is missing")


def test_reg_e_atm_did_not_dispense() -> None:
    got = signals("The ATM did not dispense the cash but my account was debited $200.", product=CHECKING)
    assert got["reg_e_error"].evidence == ("ATM did not dispense",)


def test_reg_e_money_transfer_instrument_implied() -> None:
    got = signals("The recipient did not receive the money I sent to my sister.", product=MONEY_TRANSFER)
    assert got["reg_e_error"].evidence == ("did not receive the money",)


def test_reg_e_prepaid_story_on_combined_card_class_is_not_reg_z() -> None:
    got = signals("Unauthorized charges appeared on my prepaid card last week.", product=CARD_OR_PREPAID)
    assert set(got) == {"reg_e_error"}
    assert got["reg_e_error"].evidence == ("Unauthorized", "prepaid")


def test_reg_e_curly_apostrophe_and_line_breaks() -> None:
    got = signals("I didn\u2019t\nauthorize the ACH debit.", product=CHECKING)
    assert got["reg_e_error"].evidence == ("didn't authorize", "ACH")


@pytest.mark.parametrize(
    ("narrative", "product"),
    [
        # negated
        ("There was no fraud on my debit card; I simply want to close the account.", CHECKING),
        # "doesn't make sense" is not "I didn't make this transfer"
        ("The monthly debit card fee doesn't make sense to me.", CHECKING),
        # a paper check, no error words
        ("I wrote a check and the bank returned it for insufficient funds.", CHECKING),
        # unrelated product
        ("There is an unauthorized hard inquiry on my credit report.", CREDIT_REPORTING),
        ("The servicer withdrew an unauthorized ACH payment for escrow.", MORTGAGE),
        # a credit card story on the combined class is Reg Z, not Reg E
        ("There is an unauthorized charge on my credit card.", CARD_OR_PREPAID),
    ],
)
def test_reg_e_near_misses(narrative: str, product: str) -> None:
    assert "reg_e_error" not in codes(narrative, product=product)


# --- Reg Z -----------------------------------------------------------------------------------------


def test_reg_z_duplicate_charge() -> None:
    got = signals("I was charged twice for the same purchase on my credit card.", product="Credit card")
    assert set(got) == {"reg_z_billing_error"}
    assert got["reg_z_billing_error"].rule == "12 CFR 1026.13(a)"
    assert got["reg_z_billing_error"].evidence == ("charged twice", "credit card")


def test_reg_z_payment_not_credited_canonical_class() -> None:
    got = signals("I paid $300 on March 3 but my payment was not credited.", product="credit_card_prepaid")
    assert got["reg_z_billing_error"].evidence == ("payment was not credited",)


def test_reg_z_goods_not_delivered() -> None:
    got = signals("I bought a sofa with my card and the merchandise was never delivered.", product=CARD_OR_PREPAID)
    assert got["reg_z_billing_error"].evidence == ("merchandise was never delivered",)


def test_reg_z_unknown_product_needs_credit_card_words() -> None:
    assert signals("There is a fraudulent charge on my credit card.")["reg_z_billing_error"].evidence == (
        "fraudulent charge",
        "credit card",
    )
    assert "reg_z_billing_error" not in codes("There is a fraudulent charge on my account.")


def test_reg_z_dispute_filed() -> None:
    got = signals("I submitted a dispute for the charge from the hotel.", product=CARD_OR_PREPAID)
    assert got["reg_z_billing_error"].evidence == ("submitted a dispute",)


@pytest.mark.parametrize(
    ("narrative", "product"),
    [
        ("The servicer did not apply my payment to the principal.", MORTGAGE),
        ("I was charged twice for the appraisal.", MORTGAGE),
        ("My credit card rewards points expired.", "Credit card"),
        ("The interest rate on my credit card doesn't make sense.", "Credit card"),
    ],
)
def test_reg_z_near_misses(narrative: str, product: str) -> None:
    assert "reg_z_billing_error" not in codes(narrative, product=product)


# --- CFPB portal -------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["cfpb_portal", "CFPB portal", "cfpb-portal", "CFPB"])
def test_cfpb_portal_channel(channel: str) -> None:
    got = signals("Please look into my account.", channel=channel)
    assert set(got) == {"cfpb_portal"}
    assert got["cfpb_portal"].evidence == (f"channel={channel}",)


@pytest.mark.parametrize("channel", [None, "web", "phone", "email", "referral"])
def test_other_channels(channel: str | None) -> None:
    assert codes("The CFPB portal told me to call you.", channel=channel) == set()


# --- UDAAP -------------------------------------------------------------------------------------------


def test_udaap_deception_and_hidden_fees() -> None:
    got = signals("The banker misled me and there were hidden fees everywhere.", product=CHECKING)
    assert got["udaap"].evidence == ("misled", "hidden fees")
    assert got["udaap"].rule == "12 USC 5531, 5536"


def test_udaap_not_told_and_account_opened_without_consent() -> None:
    got = signals("I was never told about the overdraft fee. They opened a credit card without my consent.")
    assert got["udaap"].evidence == ("never told", "opened a credit card without my consent")


@pytest.mark.parametrize(
    "narrative",
    [
        "The fees were clearly disclosed and not misleading.",
        "There were no hidden fees, I just want a refund.",
        "I could not tell whether the branch was open.",
        "I was not deceived; I only want to close my account.",
    ],
)
def test_udaap_near_misses(narrative: str) -> None:
    assert "udaap" not in codes(narrative, product=CHECKING)


# --- fair lending -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("narrative", "basis", "phrase"),
    [
        ("My loan application was denied because I am a woman.", "sex", "because I am a woman"),
        ("The lender discriminated against me because of my race.", "race or color", "because of my race"),
        ("They denied the loan because of my age.", "age", "because of my age"),
        (
            "I was denied credit because I receive public assistance.",
            "public assistance",
            "because I receive public assistance",
        ),
        ("I believe the mortgage denial was racial discrimination.", "race or color", "racial"),
    ],
)
def test_fair_lending_positives(narrative: str, basis: str, phrase: str) -> None:
    sig = signals(narrative)["fair_lending"]
    assert sig.evidence[0] == f"basis={basis}"
    assert phrase in sig.evidence


def test_fair_lending_credit_product_supplies_the_context() -> None:
    sig = signals("The officer made it clear he was biased against Muslims.", product=MORTGAGE)["fair_lending"]
    assert sig.evidence == ("basis=religion", "biased", "Muslims")
    # The same words about a teller at a checking account are not about a credit decision.
    assert "fair_lending" not in codes("The teller made it clear he was biased against Muslims.", product=CHECKING)


@pytest.mark.parametrize(
    "narrative",
    [
        "I was not discriminated against, but the loan fees are high.",
        "I don't think I was discriminated against because of my race, but the loan took months.",
        "The bank denied my loan because of my credit score.",
        "They discriminated by asking for my social security number on the loan application.",
        "The loan was declined because of a black mark on my credit report.",
    ],
)
def test_fair_lending_near_misses(narrative: str) -> None:
    assert "fair_lending" not in codes(narrative, product=MORTGAGE)


# --- elder financial exploitation ----------------------------------------------------------------


def test_elder_older_american_tag() -> None:
    got = signals(
        "A caller pretending to be my grandson scammed me into buying gift cards.",
        tags="Older American, Servicemember",
    )
    assert got["elder_abuse"].evidence == ("tag=Older American", "scammed", "gift cards")


def test_elder_consumer_age() -> None:
    got = signals("My nephew stole my checkbook and forged my signature.", consumer_age=70)
    assert got["elder_abuse"].evidence == ("age=70", "stole", "forged")


def test_elder_narrative_victim_words() -> None:
    got = signals("My 84-year-old mother was scammed by a man she met online.")
    assert got["elder_abuse"].evidence == ("84-year-old", "scammed")
    got = signals("My elderly father with dementia was exploited by his caregiver.")
    assert got["elder_abuse"].evidence == ("elderly father", "dementia", "exploited")


@pytest.mark.parametrize(
    ("narrative", "kw"),
    [
        ("The overdraft fees are far too high.", {"tags": "Older American"}),  # no exploitation
        ("I was scammed by an online seller.", {"consumer_age": 61}),  # under 62
        ("This is not a scam, I just want my refund.", {"tags": "Older American"}),  # negated
        ("My 25-year-old son stole my card.", {}),  # not an older victim
        ("I was scammed by an online seller.", {"tags": "Servicemember"}),
    ],
)
def test_elder_near_misses(narrative: str, kw: dict[str, object]) -> None:
    assert "elder_abuse" not in codes(narrative, **kw)


# --- combined, order, validation ------------------------------------------------------------------


def test_several_signals_in_code_order() -> None:
    got = detect_signals(
        "Someone used my debit card for withdrawals I did not authorize, and the bank misled me about it.",
        product_class=CHECKING,
        channel="cfpb_portal",
        tags="Older American",
        consumer_age=80,
    )
    assert [s.code for s in got] == [SignalCode.REG_E_ERROR, SignalCode.CFPB_PORTAL, SignalCode.UDAAP]


def test_empty_narrative() -> None:
    assert detect_signals("", product_class=None, channel=None) == []


@pytest.mark.parametrize("age", [-1, 151, True, 70.5])
def test_consumer_age_validated(age: object) -> None:
    with pytest.raises(ValueError, match="consumer_age"):
        detect_signals("x", product_class=None, channel=None, consumer_age=age)  # type: ignore[arg-type]


def test_narrative_type_checked() -> None:
    with pytest.raises(TypeError, match="narrative"):
        detect_signals(None, product_class=None, channel=None)  # type: ignore[arg-type]


# --- canonical classes of engine.taxonomy (plain strings, so this engine does not import it) --------


@pytest.mark.parametrize(
    ("product", "narrative", "expected"),
    [
        ("checking_savings", "An unauthorized debit card purchase hit my account.", {"reg_e_error"}),
        ("money_transfer", "The transfer was fraudulent.", {"reg_e_error"}),
        # credit_card also holds prepaid cards: the narrative decides which regulation applies
        ("credit_card", "Unauthorized charges appeared on my prepaid card.", {"reg_e_error"}),
        ("credit_card", "There is an unauthorized charge on my credit card.", {"reg_z_billing_error"}),
        ("credit_reporting", "There is an unauthorized charge on my credit card.", set()),
        ("debt_collection", "They took an unauthorized ACH payment from my checking account.", set()),
        ("consumer_loan", "The officer was biased against Muslims.", {"fair_lending"}),
        ("student_loan", "The officer was biased against Muslims.", {"fair_lending"}),
        ("debt_management", "The officer was biased against Muslims.", set()),
    ],
)
def test_canonical_product_classes(product: str, narrative: str, expected: set[str]) -> None:
    assert codes(narrative, product=product) == expected
