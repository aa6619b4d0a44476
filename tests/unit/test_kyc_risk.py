"""The CDD/EDD risk-factor model with hand-computed examples under the shipped configuration:
weights geography 20, occupation 15, products 10, channel 10, PEP 15, screening 15, activity 10,
adverse history 5; points low 0, medium 50, high 100; medium from 25, high from 50."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from bankcrm.kyc.engine.risk import (
    DEFAULT_CONFIG,
    RiskInputs,
    default_config,
    edd_checklist,
    next_review_date,
    rate,
    validate_config,
)

LOW = RiskInputs(
    party_kind="person",
    countries={"nationality": ("US",), "residence": ("US",), "address": ("US",)},
    occupation="employee",
    products=("checking",),
    channel="branch",
    pep_status="none",
    screening="clear",
    expected_monthly_minor=300_000,
    actual_monthly_minor=200_000,
    expected_cash_minor=None,
    actual_cash_minor=None,
    adverse_events=0,
)


def points(result) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    return {f.factor: f.points for f in result.factors}


def test_everything_low_scores_zero_and_is_reviewed_in_three_years() -> None:
    result = rate(LOW, DEFAULT_CONFIG)
    assert (result.rating, result.score, result.review_months) == ("low", Decimal("0.00"), 36)
    assert {f.level for f in result.factors} == {"low"}
    assert [f.factor for f in result.factors] == [
        "geography",
        "occupation",
        "products",
        "channel",
        "pep",
        "screening",
        "activity",
        "adverse_history",
    ]
    assert result.factors[-2].value == "0.67x expected"


def test_worked_example_of_the_module_docstring() -> None:
    # Real-estate agent 15 x 0.5 = 7.5; online 10 x 0.5 = 5; international wires 10 x 0.5 = 5;
    # activity 2.00x expected (>= 1.5) 10 x 0.5 = 5: 22.5 < 25, low.
    inputs = replace(
        LOW,
        occupation="real_estate_agent",
        channel="web",
        products=("checking", "international_wire"),
        actual_monthly_minor=600_000,
    )
    result = rate(inputs, DEFAULT_CONFIG)
    assert points(result) == {
        "geography": Decimal("0.00"),
        "occupation": Decimal("7.50"),
        "products": Decimal("5.00"),
        "channel": Decimal("5.00"),
        "pep": Decimal("0.00"),
        "screening": Decimal("0.00"),
        "activity": Decimal("5.00"),
        "adverse_history": Decimal("0.00"),
    }
    assert (result.score, result.rating, result.review_months) == (Decimal("22.50"), "low", 36)
    assert {f.factor: f.value for f in result.factors}["products"] == "international_wire"
    # One adverse event (5 x 0.5 = 2.5) reaches the medium threshold exactly: 25.00.
    result = rate(replace(inputs, adverse_events=1), DEFAULT_CONFIG)
    assert (result.score, result.rating, result.review_months) == (Decimal("25.00"), "medium", 24)


def test_a_foreign_pep_is_high_whatever_the_score() -> None:
    result = rate(replace(LOW, pep_status="foreign"), DEFAULT_CONFIG)
    assert (result.score, result.score_rating, result.rating, result.review_months) == (
        Decimal("15.00"),
        "low",
        "high",
        12,
    )
    assert result.floors_applied == ("pep: foreign -> at least high",)
    # A domestic PEP's floor is medium; an open watch-list hit also sets medium.
    assert rate(replace(LOW, pep_status="domestic"), DEFAULT_CONFIG).rating == "medium"
    assert rate(replace(LOW, screening="open"), DEFAULT_CONFIG).rating == "medium"
    assert rate(replace(LOW, screening="true_match"), DEFAULT_CONFIG).rating == "high"


def test_high_by_score() -> None:
    # Iran 20 + money services 15 + private banking 10 + introducer 10 = 55 >= 50.
    inputs = replace(
        LOW,
        countries={"nationality": ("US",), "residence": ("IR",)},
        occupation="money_services",
        products=("private_banking",),
        channel="introducer",
    )
    result = rate(inputs, DEFAULT_CONFIG)
    assert (result.score, result.score_rating, result.rating, result.floors_applied) == (
        Decimal("55.00"),
        "high",
        "high",
        (),
    )
    assert result.factors[0].value == "IR (residence)"


def test_geography_takes_the_worst_country_and_names_its_role() -> None:
    inputs = replace(LOW, countries={"nationality": ("US",), "expected": ("MX", "NG", "KP")})
    geography = rate(inputs, DEFAULT_CONFIG).factors[0]
    assert (geography.value, geography.level, geography.points) == ("KP (expected)", "high", Decimal("20.00"))
    medium = rate(replace(LOW, countries={"address": ("NG",)}), DEFAULT_CONFIG).factors[0]
    assert (medium.value, medium.level, medium.points) == ("NG (address)", "medium", Decimal("10.00"))


@pytest.mark.parametrize(
    ("naics", "level", "shown"),
    [
        ("522390", "high", "NAICS 522390 (rule 5223)"),
        ("722511", "medium", "NAICS 722511 (rule 722)"),
        ("541511", "low", "NAICS 541511"),
        ("", "medium", "unknown"),
    ],
)
def test_an_entity_is_rated_by_its_naics_industry_longest_prefix(naics: str, level: str, shown: str) -> None:
    factor = rate(replace(LOW, party_kind="organization", occupation=naics), DEFAULT_CONFIG).factors[1]
    assert (factor.level, factor.value) == (level, shown)


def test_activity_compares_volume_and_cash_with_what_was_declared() -> None:
    cash = replace(
        LOW,
        expected_monthly_minor=100_000,
        actual_monthly_minor=90_000,
        expected_cash_minor=10_000,
        actual_cash_minor=40_000,
    )
    factor = rate(cash, DEFAULT_CONFIG).factors[6]
    assert (factor.level, factor.value, factor.points) == ("high", "cash 4.00x expected", Decimal("10.00"))
    unknown = rate(replace(LOW, expected_monthly_minor=None), DEFAULT_CONFIG).factors[6]
    assert (unknown.level, unknown.value) == ("medium", "no expected activity declared or no activity data")
    assert rate(replace(LOW, actual_monthly_minor=450_000), DEFAULT_CONFIG).factors[6].level == "medium"  # 1.5x
    assert rate(replace(LOW, actual_monthly_minor=900_000), DEFAULT_CONFIG).factors[6].level == "high"  # 3.0x


def test_adverse_history_counts() -> None:
    levels = [rate(replace(LOW, adverse_events=n), DEFAULT_CONFIG).factors[7].level for n in (0, 1, 2, 5)]
    assert levels == ["low", "medium", "high", "high"]


def test_a_changed_configuration_changes_the_result() -> None:
    config = default_config()
    config["thresholds"] = {"medium": "20", "high": "50"}
    config["review_months"] = {"low": 60, "medium": 24, "high": 6}
    inputs = replace(
        LOW,
        occupation="real_estate_agent",
        channel="web",
        products=("international_wire",),
        actual_monthly_minor=600_000,
    )
    assert (rate(inputs, config).rating, rate(inputs, config).review_months) == ("medium", 24)
    assert rate(LOW, config).review_months == 60
    config["floors"]["geography"] = {"RU": "high"}
    result = rate(replace(LOW, countries={"residence": ("RU",)}), config)
    assert (result.rating, result.floors_applied) == ("high", ("geography: RU (residence) -> at least high",))
    assert DEFAULT_CONFIG["thresholds"] == {"medium": "25", "high": "50"}  # the default was not touched


def test_the_shipped_configuration_is_valid() -> None:
    assert validate_config(DEFAULT_CONFIG) == []


def test_configuration_problems_are_named() -> None:
    config = default_config()
    config["weights"]["pep"] = 5
    config["thresholds"] = {"medium": "60", "high": "50"}
    config["review_months"] = {"low": 12, "medium": 24, "high": 36}
    config["levels"]["geography"]["high"] = ["Iran"]
    config["floors"]["pep"] = {"foreign": "extreme"}
    config["edd_checklist"] = []
    found = {p.field: p.message for p in validate_config(config)}
    assert found == {
        "weights": "must add up to 100 (they add up to 90)",
        "thresholds": "must satisfy 0 < medium < high <= 100",
        "review_months": "a riskier customer must be reviewed at least as often (low >= medium >= high)",
        "levels.geography.high": "two-letter upper-case country codes",
        "floors.pep": "minimum ratings are low, medium, high",
        "edd_checklist": "must list at least one item",
    }
    assert [p.field for p in validate_config({"weights": {}})][:2] == ["points", "thresholds"]


@pytest.mark.parametrize(
    ("rated", "months", "due"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(1998, 12, 31), 36, dt.date(2001, 12, 31)),
        (dt.date(1998, 12, 31), 24, dt.date(2000, 12, 31)),
    ],
)
def test_next_review_dates(rated: dt.date, months: int, due: dt.date) -> None:
    assert next_review_date(rated, months) == due


def test_edd_checklist_by_kind() -> None:
    person = [i["code"] for i in edd_checklist(DEFAULT_CONFIG, "person")]
    entity = [i["code"] for i in edd_checklist(DEFAULT_CONFIG, "organization")]
    assert person == ["purpose", "source_of_funds", "source_of_wealth", "expected_activity", "adverse_media"]
    assert entity == [*person, "ownership_structure", "site_visit"]
    assert edd_checklist(DEFAULT_CONFIG, "person")[0] == {
        "code": "purpose",
        "label": "Purpose and intended nature of the relationship documented",
        "done": False,
        "note": "",
    }
