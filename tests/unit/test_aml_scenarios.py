"""AML scenario engine: planted positives and near misses per scenario, on small hand-built Arrow tables.

Dates are chosen on the Federal Reserve calendar: 2024-03-02 is a Saturday, 2024-03-04 a Monday,
2024-07-04 (Thursday) Independence Day, 2022-12-25 a Sunday whose holiday is observed on Monday
2022-12-26. Set ``AML_IBIS_POSTGRES_URL`` (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run
every scenario test on the Ibis PostgreSQL backend as well.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from bankcrm.monitoring.engine import (
    ACCOUNTS_SCHEMA,
    PARTIES_SCHEMA,
    SCENARIOS,
    TRANSACTIONS_SCHEMA,
    AlertCandidate,
    EngineInputError,
    Thresholds,
    ctr_aggregates,
    high_risk_countries,
    run_scenarios,
)
from bankcrm.monitoring.engine.context import connect

D = dt.date
SAT, SUN, MON, TUE, FRI = D(2024, 3, 2), D(2024, 3, 3), D(2024, 3, 4), D(2024, 3, 5), D(2024, 3, 8)
OPENED = D(2024, 1, 2)

_BACKENDS = ["duckdb"] + (["postgres"] if os.environ.get("AML_IBIS_POSTGRES_URL") else [])


@pytest.fixture(params=_BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``None`` (the default in-process DuckDB) or an open Ibis PostgreSQL connection."""
    if request.param == "duckdb":
        yield None
        return
    import ibis

    con = ibis.connect(os.environ["AML_IBIS_POSTGRES_URL"])
    yield con
    con.disconnect()


class Book:
    """A tiny bank: parties, accounts and ledger rows with readable defaults."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.accounts: dict[str, dict[str, Any]] = {}
        self.parties: dict[str, dict[str, Any]] = {}

    def account(self, account_id: str, party_id: str, *, opened: dt.date = OPENED, country: str = "US") -> str:
        self.parties.setdefault(party_id, {"party_id": party_id, "country": country, "risk_rating": "low"})
        self.accounts[account_id] = {"account_id": account_id, "opened_on": opened, "party_id": party_id}
        return account_id

    def txn(
        self,
        account_id: str,
        day: dt.date,
        cents: int,
        direction: str = "credit",
        *,
        cash: bool = False,
        branch: str | None = "B1",
        cp: str | None = None,
        country: str | None = None,
        channel: str | None = None,
        currency: str = "USD",
        minor: int | None = None,
    ) -> int:
        if account_id not in self.accounts:
            self.account(account_id, "P-" + account_id)
        txn_id = len(self.rows) + 1
        self.rows.append(
            {
                "txn_id": txn_id,
                "account_id": account_id,
                "party_id": self.accounts[account_id]["party_id"],
                "booking_date": day,
                "amount_usd_cents": cents,
                "direction": direction,
                "is_cash": cash,
                "channel": channel or ("branch" if cash else "transfer"),
                "branch_id": branch,
                "counterparty_account": cp,
                "counterparty_country": country,
                "currency": currency,
                "amount_minor": cents if minor is None else minor,
            }
        )
        return txn_id

    def transfer(self, src: str, dst: str, day: dt.date, cents: int) -> tuple[int, int]:
        """A transfer between two of the bank's accounts: both ledger sides."""
        return self.txn(src, day, cents, "debit", cp=dst), self.txn(dst, day, cents, "credit", cp=src)

    def tables(self) -> dict[str, pa.Table]:
        return {
            "transactions": pa.Table.from_pylist(self.rows, schema=TRANSACTIONS_SCHEMA),
            "accounts": pa.Table.from_pylist(list(self.accounts.values()), schema=ACCOUNTS_SCHEMA),
            "parties": pa.Table.from_pylist(list(self.parties.values()), schema=PARTIES_SCHEMA),
        }

    def run(
        self,
        scenario: str,
        connection: Any = None,
        *,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        **thresholds: Any,
    ) -> list[AlertCandidate]:
        return run_scenarios(
            self.tables(),
            thresholds=Thresholds(**thresholds),
            date_from=date_from,
            date_to=date_to,
            scenarios=[scenario],
            connection=connection,
        )


# CTR ---------------------------------------------------------------------------------------------------


def test_ctr_exactly_ten_thousand_does_not_trigger_one_cent_more_does(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 1_000_000, cash=True)
    book.txn("A2", MON, 1_000_001, cash=True)
    alerts = book.run("ctr", backend)
    assert [(a.party_id, a.period_end, a.txn_ids) for a in alerts] == [("P-A2", MON, (2,))]
    alert = alerts[0]
    assert alert.key == "ctr:P-A2:2024-03-04"
    assert alert.score == 50
    assert alert.facts["cash_in_cents"] == 1_000_001
    assert alert.facts["cash_out_cents"] == 0
    assert alert.facts["cash_in_reportable"] is True
    assert alert.facts["cash_out_reportable"] is False
    assert alert.explanation == (
        "Cash in of $10,000.01 on business day 2024-03-04 (across 1 account and 1 branch) is more than "
        "the $10,000.00 CTR threshold (31 CFR 1010.311, 1010.313)."
    )


def test_ctr_aggregates_one_person_across_accounts_and_branches(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1")
    book.account("A2", "P1")
    book.txn("A1", MON, 600_000, cash=True, branch="B1")
    book.txn("A2", MON, 400_001, cash=True, branch="B2")
    alerts = book.run("ctr", backend)
    assert len(alerts) == 1
    assert alerts[0].party_id == "P1"
    assert alerts[0].account_ids == ("A1", "A2")
    assert alerts[0].facts["branch_ids"] == ["B1", "B2"]
    assert alerts[0].facts["cash_in_cents"] == 1_000_001


def test_ctr_does_not_combine_different_people_or_non_cash(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 600_000, cash=True)
    book.txn("A2", MON, 600_000, cash=True)
    book.txn("A3", MON, 5_000_000, cash=False)
    assert book.run("ctr", backend) == []


def test_ctr_weekend_cash_counts_on_monday(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1")
    book.txn("A1", SAT, 500_000, cash=True)
    book.txn("A1", SUN, 300_000, cash=True)
    book.txn("A1", MON, 200_001, cash=True)
    alerts = book.run("ctr", backend)
    assert len(alerts) == 1
    assert (alerts[0].period_start, alerts[0].period_end) == (SAT, MON)
    assert alerts[0].facts["business_day"] == "2024-03-04"
    assert alerts[0].facts["booking_dates"] == ["2024-03-02", "2024-03-03", "2024-03-04"]
    assert alerts[0].txn_ids == (1, 2, 3)


def test_ctr_friday_is_its_own_business_day(backend: Any) -> None:
    book = Book()
    book.txn("A1", D(2024, 3, 1), 500_000, cash=True)  # Friday
    book.txn("A1", SAT, 500_001, cash=True)  # counts on Monday
    assert book.run("ctr", backend) == []


def test_ctr_holiday_and_sunday_holiday_observed_on_monday(backend: Any) -> None:
    book = Book()
    book.txn("A1", D(2024, 7, 4), 600_000, cash=True)  # Independence Day (Thursday) -> Friday 5 July
    book.txn("A1", D(2024, 7, 5), 400_001, cash=True)
    # Christmas 2022 is a Sunday, observed Monday 26th: Sat, Sun and Mon all count on Tuesday 27th.
    book.txn("A2", D(2022, 12, 24), 300_000, cash=True)
    book.txn("A2", D(2022, 12, 25), 300_000, cash=True)
    book.txn("A2", D(2022, 12, 26), 300_000, cash=True)
    book.txn("A2", D(2022, 12, 27), 100_001, cash=True)
    alerts = book.run("ctr", backend)
    assert [(a.party_id, a.facts["business_day"], a.facts["cash_in_cents"]) for a in alerts] == [
        ("P-A2", "2022-12-27", 1_000_001),
        ("P-A1", "2024-07-05", 1_000_001),
    ]


def test_ctr_cash_in_and_cash_out_are_not_netted(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 1_500_000, "credit", cash=True)
    book.txn("A1", MON, 900_000, "debit", cash=True)  # net 600,000 would not be reportable
    book.txn("A2", MON, 600_000, "credit", cash=True)
    book.txn("A2", MON, 600_000, "debit", cash=True)  # 1,200,000 moved, but neither side is over
    book.txn("A3", MON, 1_000_001, "debit", cash=True)
    alerts = book.run("ctr", backend)
    assert [(a.party_id, a.facts["cash_in_cents"], a.facts["cash_out_cents"]) for a in alerts] == [
        ("P-A1", 1_500_000, 900_000),
        ("P-A3", 0, 1_000_001),
    ]
    assert alerts[0].facts["cash_out_reportable"] is False
    assert alerts[1].facts["cash_out_reportable"] is True
    assert alerts[1].explanation.startswith("Cash out of $10,000.01 on business day 2024-03-04")


def test_ctr_range_is_by_business_day(backend: Any) -> None:
    book = Book()
    book.txn("A1", SAT, 600_000, cash=True)  # before date_from, but counts on Monday
    book.txn("A1", MON, 400_001, cash=True)
    book.txn("A2", FRI, 1_100_000, cash=True)
    book.txn("A3", D(2024, 3, 9), 1_100_000, cash=True)  # Saturday: Monday 11th is after date_to
    alerts = book.run("ctr", backend, date_from=SUN, date_to=D(2024, 3, 9))
    assert [(a.party_id, a.facts["business_day"]) for a in alerts] == [("P-A1", "2024-03-04"), ("P-A2", "2024-03-08")]


def test_ctr_aggregates_shape() -> None:
    book = Book()
    book.account("A1", "P1")
    book.account("A2", "P1")
    book.txn("A1", SAT, 700_000, cash=True, branch="B2")
    book.txn("A2", MON, 300_001, cash=True, branch=None)
    book.txn("A1", MON, 200_000, "debit", cash=True)
    book.txn("A1", MON, 900_000, "credit")  # not cash
    assert ctr_aggregates(book.tables(), date_from=None, date_to=None) == [
        {
            "party_id": "P1",
            "business_day": MON,
            "cash_in_cents": 1_000_001,
            "cash_out_cents": 200_000,
            "cash_in_reportable": True,
            "cash_out_reportable": False,
            "cash_in_txn_ids": [1, 2],
            "cash_out_txn_ids": [3],
            "account_ids": ["A1", "A2"],
            "branch_ids": ["B1", "B2"],
            "booking_dates": [SAT, MON],
            "threshold_cents": 1_000_000,
        }
    ]
    assert ctr_aggregates(book.tables(), date_from=None, date_to=None, threshold_cents=1_000_001) == []


# Structuring -------------------------------------------------------------------------------------------


def test_structuring_repeated_cash_just_under_threshold_across_days(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 950_000, cash=True)
    book.txn("A1", D(2024, 3, 18), 950_000, cash=True)  # 14 days later: still the same run
    alerts = book.run("structuring", backend)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.party_id, a.period_start, a.period_end, a.txn_ids, a.score) == ("P-A1", MON, D(2024, 3, 18), (1, 2), 80)
    assert a.key == "structuring:P-A1:credit:2024-03-04"
    assert a.facts["near_threshold_transactions"] == 2
    assert a.facts["total_cents"] == 1_900_000
    assert a.explanation == (
        "2 cash deposits of $9,000.00-$10,000.00 each between 2024-03-04 and 2024-03-18 (2 business days, "
        "1 account, 1 branch; $19,000.00 in all), each within 14 days of the previous, stay just under the "
        "$10,000.00 CTR threshold: possible structuring (31 USC 5324)."
    )


def test_structuring_near_misses(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 899_999, cash=True)  # just below the band, twice
    book.txn("A1", TUE, 899_999, cash=True)
    book.txn("A2", MON, 950_000, cash=True)  # 15 days apart: two separate single units
    book.txn("A2", D(2024, 3, 19), 950_000, cash=True)
    book.txn("A3", MON, 950_000, cash=True)  # one deposit only
    book.txn("A4", MON, 1_000_001, cash=True)  # over the threshold: CTR, not "just under"
    book.txn("A4", TUE, 1_000_001, cash=True)
    book.txn("A5", MON, 950_000, "credit", cash=True)  # one in, one out: directions are separate
    book.txn("A5", TUE, 950_000, "debit", cash=True)
    book.txn("A6", MON, 950_000, cash=False)  # not cash
    book.txn("A6", TUE, 950_000, cash=False)
    assert book.run("structuring", backend) == []


def test_structuring_exactly_ten_thousand_is_just_under(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 1_000_000, cash=True)
    book.txn("A1", TUE, 900_000, cash=True)
    alerts = book.run("structuring", backend)
    assert [a.txn_ids for a in alerts] == [(1, 2)]


def test_structuring_across_accounts_and_branches_same_day(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1")
    book.account("A2", "P1")
    book.txn("A1", MON, 950_000, cash=True, branch="B1")
    book.txn("A2", MON, 960_000, cash=True, branch="B2")
    alerts = book.run("structuring", backend)
    assert len(alerts) == 1
    assert alerts[0].account_ids == ("A1", "A2")
    assert alerts[0].facts["branch_ids"] == ["B1", "B2"]
    assert alerts[0].facts["business_days"] == ["2024-03-04"]


def test_structuring_split_days_under_the_threshold(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1")
    book.account("A2", "P1")
    book.txn("A1", MON, 480_000, cash=True, branch="B1")  # 9,700 split over two branches
    book.txn("A2", MON, 490_000, cash=True, branch="B2")
    book.txn("A1", D(2024, 3, 9), 450_000, cash=True, branch="B3")  # Saturday -> Monday 11th
    book.txn("A2", D(2024, 3, 11), 500_000, cash=True, branch="B1")  # 9,500 on business day 11th
    book.txn("A1", D(2024, 3, 20), 300_000, cash=True)  # a lone small deposit: not a unit
    alerts = book.run("structuring", backend)
    assert len(alerts) == 1
    a = alerts[0]
    assert a.facts["split_days"] == 2
    assert a.facts["near_threshold_transactions"] == 0
    assert a.facts["business_days"] == ["2024-03-04", "2024-03-11"]
    assert a.txn_ids == (1, 2, 3, 4)
    assert a.facts["branch_ids"] == ["B1", "B2", "B3"]


def test_structuring_single_split_day_is_not_repeated(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 480_000, cash=True)
    book.txn("A1", MON, 490_000, cash=True)
    book.txn("A1", TUE, 480_000, cash=True)  # 4,800 alone on Tuesday: below the band
    assert book.run("structuring", backend) == []


def test_structuring_key_is_stable_when_the_range_starts_inside_the_run(backend: Any) -> None:
    book = Book()
    for day in (MON, D(2024, 3, 12), D(2024, 3, 20)):
        book.txn("A1", day, 950_000, cash=True)
    full = book.run("structuring", backend)
    later = book.run("structuring", backend, date_from=D(2024, 3, 15))
    after = book.run("structuring", backend, date_from=D(2024, 3, 21))
    assert [a.key for a in full] == [a.key for a in later] == ["structuring:P-A1:credit:2024-03-04"]
    assert full[0].score == 85  # 3 units: 80 + 5
    assert after == []


# Rapid movement ----------------------------------------------------------------------------------------


def test_rapid_movement_in_and_out_within_the_window(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 2_000_000, "credit", cp="X1")
    book.txn("A1", D(2024, 3, 7), 1_800_000, "debit", cp="X2")  # 3 days later, exactly 90 %
    alerts = book.run("rapid_movement", backend)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.account_ids, a.period_start, a.period_end, a.txn_ids) == (("A1",), MON, D(2024, 3, 7), (1, 2))
    assert a.facts["in_cents"] == 2_000_000
    assert a.facts["out_cents"] == 1_800_000
    assert a.score == 80  # 60 + 10 * log2(20,000 / 5,000)
    assert a.key == "rapid_movement:A1:2024-03-04"


def test_rapid_movement_near_misses(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 2_000_000, "credit")
    book.txn("A1", TUE, 1_799_999, "debit")  # 89.99 %
    book.txn("A2", MON, 2_000_000, "credit")
    book.txn("A2", FRI, 2_000_000, "debit")  # 4 days later
    book.txn("A3", MON, 499_999, "credit")  # below the SAR floor
    book.txn("A3", MON, 499_999, "debit")
    book.txn("A4", MON, 2_000_000, "debit")  # out before in
    book.txn("A4", TUE, 2_000_000, "credit")
    assert book.run("rapid_movement", backend) == []


# Baseline deviation ------------------------------------------------------------------------------------


def _monthly(book: Book, account: str, cents: int, months: int, year: int = 2023) -> None:
    for m in range(1, months + 1):
        book.txn(account, D(year, m, 10), cents)


def test_baseline_deviation_month_far_above_own_history(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1", opened=D(2023, 1, 1))
    _monthly(book, "A1", 100_000, 6)  # $1,000 a month, Jan-Jun
    book.txn("A1", D(2023, 7, 3), 600_000)
    book.txn("A1", D(2023, 7, 20), 400_000, "debit")  # July turnover $10,000 = 10x
    alerts = book.run("baseline_deviation", backend)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.party_id, a.period_start, a.period_end) == ("P1", D(2023, 7, 1), D(2023, 7, 20))
    assert a.facts["turnover_cents"] == 1_000_000
    assert a.facts["baseline_monthly_cents"] == 100_000
    assert a.facts["ratio"] == 10.0
    assert a.txn_ids == (7, 8)
    assert a.key == "baseline_deviation:P1:2023-07-01"


def test_baseline_deviation_near_misses(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1", opened=D(2023, 1, 1))
    _monthly(book, "A1", 250_000, 6)  # baseline $2,500: 5x is $12,500
    book.txn("A1", D(2023, 7, 3), 1_249_999)
    book.account("A2", "P2", opened=D(2023, 1, 1))
    _monthly(book, "A2", 100_000, 6)
    book.txn("A2", D(2023, 7, 3), 999_999)  # 10x the baseline but under $10,000
    book.account("A3", "P3", opened=D(2023, 2, 1))
    for m in range(2, 7):  # only 5 months of history
        book.txn("A3", D(2023, m, 10), 100_000)
    book.txn("A3", D(2023, 7, 3), 5_000_000)
    assert book.run("baseline_deviation", backend) == []
    book.txn("A1", D(2023, 7, 4), 1)  # now exactly 5x
    assert [a.party_id for a in book.run("baseline_deviation", backend)] == ["P1"]


# High-risk geography -----------------------------------------------------------------------------------


def test_high_risk_countries_source_list() -> None:
    codes = high_risk_countries()
    assert len(codes) == 28
    assert {"KP", "IR", "MM", "NG", "VN", "LA", "NP"} <= codes
    assert "PH" not in codes  # removed from the grey list on 21 February 2025


def test_high_risk_geography_monthly_total(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 300_000, "debit", cp="IR-1", country="IR")
    book.txn("A2", MON, 150_000, "debit", country="NG")
    book.txn("A2", D(2024, 3, 28), 150_000, "credit", country="NG")
    alerts = book.run("high_risk_geography", backend)
    assert [(a.party_id, a.score, a.facts["total_cents"]) for a in alerts] == [
        ("P-A1", 80, 300_000),
        ("P-A2", 60, 300_000),
    ]
    assert alerts[0].facts["call_for_action_countries"] == ["IR"]
    assert alerts[1].txn_ids == (2, 3)
    assert alerts[1].key == "high_risk_geography:P-A2:2024-03-01"


def test_high_risk_geography_near_misses_and_own_list(backend: Any) -> None:
    book = Book()
    book.txn("A1", MON, 299_999, "debit", country="IR")
    book.txn("A2", D(2024, 2, 28), 150_000, "debit", country="NG")  # two months, $1,500 each
    book.txn("A2", MON, 150_000, "debit", country="NG")
    book.txn("A3", MON, 5_000_000, "debit", country="DE")
    assert book.run("high_risk_geography", backend) == []
    alerts = book.run("high_risk_geography", backend, high_risk_country_codes=frozenset({"DE"}))
    assert [a.party_id for a in alerts] == ["P-A3"]
    assert alerts[0].facts["list_source"] == "bank-supplied list"


# Dormant reactivation ----------------------------------------------------------------------------------


def test_dormant_account_reactivated(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1", opened=D(2022, 12, 1))
    book.txn("A1", D(2023, 1, 10), 10_000)
    book.txn("A1", D(2023, 6, 30), 50, channel="internal")  # interest posting: not customer activity
    book.txn("A1", D(2024, 1, 10), 300_000)  # 365 days later
    book.txn("A1", D(2024, 2, 9), 200_000, "debit")  # day 30 of the window
    book.txn("A1", D(2024, 2, 10), 900_000, "debit")  # day 31: outside
    alerts = book.run("dormant_reactivation", backend)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.period_start, a.period_end, a.txn_ids) == (D(2024, 1, 10), D(2024, 2, 9), (3, 4))
    assert a.facts["idle_days"] == 365
    assert a.facts["idle_since"] == "2023-01-10"
    assert a.facts["moved_cents"] == 500_000
    assert a.key == "dormant_reactivation:A1:2024-01-10"


def test_dormant_near_misses(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1", opened=D(2022, 12, 1))
    book.txn("A1", D(2023, 1, 10), 10_000)
    book.txn("A1", D(2024, 1, 9), 500_000)  # 364 days: not yet dormant
    book.account("A2", "P2", opened=D(2022, 12, 1))
    book.txn("A2", D(2023, 1, 10), 10_000)
    book.txn("A2", D(2024, 1, 10), 499_999)  # dormant, but under $5,000
    book.account("A3", "P3", opened=D(2023, 6, 1))
    book.txn("A3", D(2024, 1, 10), 5_000_000)  # first activity 223 days after opening
    assert book.run("dormant_reactivation", backend) == []


def test_dormant_since_opening(backend: Any) -> None:
    book = Book()
    book.account("A1", "P1", opened=D(2022, 1, 3))
    book.txn("A1", D(2024, 1, 10), 600_000)
    alerts = book.run("dormant_reactivation", backend)
    assert len(alerts) == 1
    assert alerts[0].facts["idle_since_is_opening"] is True
    assert alerts[0].score == 62  # 50 + int(10 * log2(1.2)) + 10 (idle more than twice as long)


# Round amounts -----------------------------------------------------------------------------------------


def test_round_amounts_in_a_month(backend: Any) -> None:
    book = Book()
    book.txn("A1", D(2024, 3, 1), 500_000, "debit")
    book.txn("A1", D(2024, 3, 11), 300_000, "debit")
    book.txn("A1", D(2024, 3, 21), 400_000, "credit", currency="CZK", minor=10_000_000)  # CZK 100,000.00
    book.txn("A1", D(2024, 3, 22), 123_456, "debit")  # not round
    alerts = book.run("round_amounts", backend)
    assert len(alerts) == 1
    assert alerts[0].txn_ids == (1, 2, 3)
    assert alerts[0].facts["total_cents"] == 1_200_000
    assert alerts[0].key == "round_amounts:P-A1:2024-03-01"


def test_round_amounts_near_misses(backend: Any) -> None:
    book = Book()
    book.txn("A1", D(2024, 3, 1), 500_000)
    book.txn("A1", D(2024, 3, 2), 500_000)
    book.txn("A1", D(2024, 3, 3), 500_001)  # one cent off: only 2 round
    book.txn("A2", D(2024, 3, 1), 100_000)
    book.txn("A2", D(2024, 3, 2), 100_000)
    book.txn("A2", D(2024, 3, 3), 100_000)  # 3 round but $3,000 in all
    book.txn("A3", D(2024, 3, 1), 500_000)
    book.txn("A3", D(2024, 3, 2), 500_000)
    book.txn("A3", D(2024, 4, 1), 500_000)  # third one in the next month
    book.txn("A4", D(2024, 3, 1), 40_000, currency="CZK", minor=1_000_000)  # round, but $400
    book.txn("A4", D(2024, 3, 2), 500_000)
    book.txn("A4", D(2024, 3, 3), 500_000)
    assert book.run("round_amounts", backend) == []


def test_round_amounts_zero_decimal_currency(backend: Any) -> None:
    book = Book()
    for day in (1, 2, 3):
        book.txn("A1", D(2024, 3, day), 700_000, currency="JPY", minor=1_000_000)  # JPY 1,000,000
    assert [a.txn_ids for a in book.run("round_amounts", backend)] == [(1, 2, 3)]


# Fan-in / fan-out --------------------------------------------------------------------------------------


def test_fan_in_from_five_distinct_accounts(backend: Any) -> None:
    book = Book()
    for i in range(5):
        book.txn("A1", D(2024, 3, 4 + i), 20_000, "credit", cp=f"EXT{i}")
    alerts = book.run("fan_in", backend)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.account_ids, a.period_start, a.period_end, a.txn_ids) == (("A1",), MON, FRI, (1, 2, 3, 4, 5))
    assert a.facts["counterparty_accounts"] == ["EXT0", "EXT1", "EXT2", "EXT3", "EXT4"]
    assert a.score == 60


def test_fan_in_near_misses(backend: Any) -> None:
    book = Book()
    for i in range(4):  # four senders
        book.txn("A1", D(2024, 3, 4 + i), 20_000, cp=f"EXT{i}")
    for i in range(6):  # one sender, six times
        book.txn("A2", D(2024, 3, 4 + i), 20_000, cp="EXT9")
    for i in range(5):  # five senders, 16 days apart
        book.txn("A3", D(2024, 1, 1) + dt.timedelta(days=16 * i), 20_000, cp=f"EXT{i}")
    for i in range(5):  # money out, not in
        book.txn("A4", D(2024, 3, 4 + i), 20_000, "debit", cp=f"EXT{i}")
    assert book.run("fan_in", backend) == []


def test_fan_in_internal_transfers_count_each_sender_once(backend: Any) -> None:
    book = Book()
    ids: list[int] = []
    for i in range(5):
        ids += book.transfer(f"S{i}", "A1", D(2024, 3, 4 + i), 30_000)
    alerts = book.run("fan_in", backend)
    assert len(alerts) == 1
    assert alerts[0].facts["counterparties"] == 5
    assert alerts[0].txn_ids == tuple(ids)  # both ledger sides are evidence


def test_fan_out_to_five_distinct_accounts(backend: Any) -> None:
    book = Book()
    for i in range(5):
        book.txn("A1", D(2024, 3, 4 + i), 20_000, "debit", cp=f"EXT{i}")
    for i in range(4):
        book.txn("A2", D(2024, 3, 4 + i), 20_000, "debit", cp=f"EXT{i}")
    alerts = book.run("fan_out", backend)
    assert [(a.account_ids, a.facts["counterparties"]) for a in alerts] == [(("A1",), 5)]
    assert alerts[0].key.startswith("fan_out:A1:")


def test_fan_in_key_is_stable_across_ranges(backend: Any) -> None:
    book = Book()
    for i in range(6):
        book.txn("A1", D(2024, 3, 4 + i), 20_000, cp=f"EXT{i}")
    keys = {a.key for a in book.run("fan_in", backend)}
    keys_later = {a.key for a in book.run("fan_in", backend, date_from=D(2024, 3, 9))}
    assert keys == keys_later and len(keys) == 1


# Cycles ------------------------------------------------------------------------------------------------


def test_cycle_through_three_accounts(backend: Any) -> None:
    book = Book()
    ids = [
        *book.transfer("A1", "A2", D(2024, 3, 1), 1_000_000),
        *book.transfer("A2", "A3", D(2024, 3, 5), 950_000),
        *book.transfer("A3", "A1", D(2024, 3, 20), 900_000),
    ]
    alerts = book.run("cycle", backend)
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.party_id, a.account_ids, a.period_start, a.period_end) == (
        "P-A1",
        ("A1", "A2", "A3"),
        D(2024, 3, 1),
        D(2024, 3, 20),
    )
    assert a.txn_ids == tuple(sorted(ids))
    assert a.facts["path"] == ["A1", "A2", "A3", "A1"]
    assert a.facts["hop_cents"] == [1_000_000, 950_000, 900_000]
    assert a.score == 80
    assert a.explanation.startswith(
        "Money went round 3 accounts (A1 -> A2 -> A3 -> A1) between 2024-03-01 and 2024-03-20"
    )


def test_cycle_near_misses(backend: Any) -> None:
    book = Book()
    # amount falls by more than 20 % of the first hop
    book.transfer("A1", "A2", D(2024, 3, 1), 1_000_000)
    book.transfer("A2", "A3", D(2024, 3, 2), 1_000_000)
    book.transfer("A3", "A1", D(2024, 3, 3), 799_999)
    # every hop within 20 % of the first, but the smallest is 69 % of the largest
    book.transfer("D1", "D2", D(2024, 3, 1), 1_000_000)
    book.transfer("D2", "D3", D(2024, 3, 2), 820_000)
    book.transfer("D3", "D1", D(2024, 3, 3), 1_180_000)
    # last hop 31 days after the first
    book.transfer("B1", "B2", D(2024, 3, 1), 1_000_000)
    book.transfer("B2", "B3", D(2024, 3, 2), 1_000_000)
    book.transfer("B3", "B1", D(2024, 4, 1), 1_000_000)
    # hops out of time order: the money could not have gone round
    book.transfer("C1", "C2", D(2024, 3, 10), 1_000_000)
    book.transfer("C2", "C3", D(2024, 3, 5), 1_000_000)
    book.transfer("C3", "C1", D(2024, 3, 12), 1_000_000)
    assert book.run("cycle", backend) == []
    unordered = book.run("cycle", backend, cycle_time_ordered=False)
    assert [a.facts["path"] for a in unordered] == [["C1", "C2", "C3", "C1"]]


def test_cycle_through_an_external_account(backend: Any) -> None:
    book = Book()
    book.txn("A1", D(2024, 3, 1), 500_000, "debit", cp="EXT-9")
    book.txn("A2", D(2024, 3, 3), 480_000, "credit", cp="EXT-9")
    book.transfer("A2", "A1", D(2024, 3, 4), 470_000)
    alerts = book.run("cycle", backend)
    assert len(alerts) == 1
    assert alerts[0].facts["path"] == ["A1", "EXT-9", "A2", "A1"]
    assert alerts[0].account_ids == ("A1", "A2")
    assert alerts[0].txn_ids == (1, 2, 3, 4)


def test_cycle_of_two_and_length_limits(backend: Any) -> None:
    book = Book()
    book.transfer("A1", "A2", D(2024, 3, 1), 1_000_000)
    book.transfer("A2", "A1", D(2024, 3, 2), 1_000_000)
    assert [a.facts["length"] for a in book.run("cycle", backend)] == [2]
    assert book.run("cycle", backend, cycle_min_length=3) == []


# Whole runs, keys, inputs ------------------------------------------------------------------------------


def _mixed_book() -> Book:
    book = Book()
    book.txn("A1", MON, 1_000_001, cash=True)
    book.txn("A2", MON, 950_000, cash=True)
    book.txn("A2", TUE, 950_000, cash=True)
    for i in range(5):
        book.txn("A3", D(2024, 3, 4 + i), 20_000, cp=f"EXT{i}")
    return book


def test_run_all_scenarios_is_ordered_and_repeatable() -> None:
    book = _mixed_book()
    first = run_scenarios(book.tables(), thresholds=Thresholds(), date_from=None, date_to=None)
    again = run_scenarios(book.tables(), thresholds=Thresholds(), date_from=None, date_to=None)
    assert [(a.scenario, a.key) for a in first] == [
        ("ctr", "ctr:P-A1:2024-03-04"),
        ("structuring", "structuring:P-A2:credit:2024-03-04"),
        ("fan_in", "fan_in:A3:2024-02-22"),  # the hopping window that holds all five senders
    ]
    assert first == again
    assert len({a.key for a in first}) == len(first)
    for alert in first:
        assert 0 <= alert.score <= 100
        assert list(alert.txn_ids) == sorted(alert.txn_ids)


def test_facts_are_json_ready() -> None:
    import json

    book = _mixed_book()
    book.txn("A4", MON, 300_000, "debit", country="IR")
    book.transfer("A5", "A6", MON, 500_000)
    book.transfer("A6", "A5", TUE, 490_000)
    alerts = run_scenarios(book.tables(), thresholds=Thresholds(), date_from=None, date_to=None)
    assert {a.scenario for a in alerts} == {
        "ctr",
        "structuring",
        "rapid_movement",
        "fan_in",
        "high_risk_geography",
        "cycle",
    }
    for alert in alerts:
        assert json.loads(json.dumps(alert.facts)) == alert.facts
        assert all(type(i) is int for i in alert.txn_ids)


def test_date_to_ignores_later_transactions() -> None:
    book = _mixed_book()
    alerts = run_scenarios(
        book.tables(), thresholds=Thresholds(), date_from=None, date_to=MON, scenarios=["structuring", "ctr"]
    )
    assert [a.scenario for a in alerts] == ["ctr"]


def test_empty_ledger_gives_no_alerts() -> None:
    assert run_scenarios(Book().tables(), thresholds=Thresholds(), date_from=None, date_to=None) == []


def test_duckdb_never_installs_or_loads_extensions() -> None:
    con = connect()
    try:
        rows = con.raw_sql(
            "select current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')"
        ).fetchall()
    finally:
        con.disconnect()
    assert rows == [(False, False)]


def test_scenario_list() -> None:
    assert SCENARIOS == (
        "ctr",
        "structuring",
        "rapid_movement",
        "baseline_deviation",
        "high_risk_geography",
        "dormant_reactivation",
        "round_amounts",
        "fan_in",
        "fan_out",
        "cycle",
    )


def _tables_with(**changes: Any) -> dict[str, pa.Table]:
    book = Book()
    book.txn("A1", MON, 100)
    tables = book.tables()
    rows = tables["transactions"].to_pylist()
    rows[0].update(changes)
    tables["transactions"] = pa.Table.from_pylist(rows)
    return tables


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"transactions": None}, "accounts: missing table"),
        (_tables_with(amount_usd_cents=-1), "transactions.amount_usd_cents: amounts must be >= 0"),
        (_tables_with(direction="in"), "transactions.direction: expected 'credit' or 'debit', got 'in'"),
        (_tables_with(account_id="NOPE"), "transactions.account_id: 'NOPE' is not in accounts"),
        (_tables_with(booking_date=None), "transactions.booking_date: 1 null value(s) in a required column"),
        (_tables_with(booking_date="yesterday"), "transactions.booking_date: expected date32[day], got string"),
        (_tables_with(booking_date=D(1980, 1, 1)), "transactions.booking_date: year 1980 is outside"),
    ],
)
def test_bad_tables_name_the_field(tables: dict[str, Any], message: str) -> None:
    if "transactions" in tables and tables["transactions"] is None:
        tables = {"transactions": Book().tables()["transactions"]}
    with pytest.raises(EngineInputError) as err:
        run_scenarios(tables, thresholds=Thresholds(), date_from=None, date_to=None)
    assert str(err.value).startswith(message)


def test_missing_column_and_duplicate_ids() -> None:
    tables = Book().tables()
    tables["transactions"] = tables["transactions"].drop_columns(["is_cash"])
    with pytest.raises(EngineInputError, match=r"^transactions\.is_cash: missing column$"):
        run_scenarios(tables, thresholds=Thresholds(), date_from=None, date_to=None)
    book = Book()
    book.txn("A1", MON, 100)
    book.txn("A1", MON, 100)
    tables = book.tables()
    rows = tables["transactions"].to_pylist()
    rows[1]["txn_id"] = 1
    tables["transactions"] = pa.Table.from_pylist(rows, schema=TRANSACTIONS_SCHEMA)
    with pytest.raises(EngineInputError, match=r"^transactions\.txn_id: values must be unique$"):
        run_scenarios(tables, thresholds=Thresholds(), date_from=None, date_to=None)


def test_empty_strings_in_nullable_columns_mean_null() -> None:
    book = Book()
    for i in range(5):
        book.txn("A1", D(2024, 3, 4 + i), 20_000, cp="", branch="", country="")
    assert run_scenarios(book.tables(), thresholds=Thresholds(), date_from=None, date_to=None) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"structuring_floor_cents": 1_000_001}, "thresholds.structuring_floor_cents: must not exceed"),
        ({"ctr_threshold_cents": 0}, "thresholds.ctr_threshold_cents: must be positive"),
        ({"ctr_threshold_cents": 10_000.5}, "thresholds.ctr_threshold_cents: expected an integer"),
        ({"fan_window_days": 31}, "thresholds.fan_window_days: must be an even number"),
        ({"cycle_max_length": 9}, "thresholds.cycle_max_length: need 2 <="),
        ({"high_risk_country_codes": frozenset({"Iran"})}, "thresholds.high_risk_country_codes: expected ISO"),
        ({"rapid_out_ratio_pct": 101}, "thresholds.rapid_out_ratio_pct: must be 1-100"),
    ],
)
def test_bad_thresholds_name_the_field(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EngineInputError) as err:
        Thresholds(**kwargs)
    assert str(err.value).startswith(message)


def test_thresholds_from_mapping() -> None:
    th = Thresholds.from_mapping({"ctr_threshold_cents": 2_000_000, "structuring_floor_cents": 1_800_000})
    assert (th.ctr_threshold_cents, th.structuring_floor_cents, th.structuring_window_days) == (
        2_000_000,
        1_800_000,
        14,
    )
    assert th.as_dict()["dormant_ignore_channels"] == ["internal"]
    assert th.history_days == 366
    with pytest.raises(EngineInputError, match=r"^thresholds\.ctr_limit: unknown threshold$"):
        Thresholds.from_mapping({"ctr_limit": 1})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenarios": ["ctr", "smurfing"]}, "scenarios: unknown scenario 'smurfing'"),
        ({"scenarios": "ctr"}, "scenarios: expected a collection"),
        ({"date_from": D(2024, 3, 5), "date_to": D(2024, 3, 4)}, "date_from: 2024-03-05 is after date_to"),
        ({"date_from": dt.datetime(2024, 3, 4, tzinfo=dt.UTC)}, "date_from: expected a datetime.date"),
        ({"backend": "sqlite"}, "backend: 'sqlite' cannot be opened by name"),
    ],
)
def test_bad_arguments_name_the_field(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"thresholds": Thresholds(), "date_from": None, "date_to": None} | kwargs
    with pytest.raises(EngineInputError) as err:
        run_scenarios(_mixed_book().tables(), **args)
    assert str(err.value).startswith(message)


# Pruned expressions against plain Python references on random ledgers ----------------------------------


def _random_book(seed: int) -> Book:
    import random

    rnd = random.Random(seed)
    book = Book()
    for a in range(6):
        book.account(f"A{a}", f"P{a % 4}", opened=D(2023, 1, 1) + dt.timedelta(days=rnd.randrange(0, 60)))
    bursts = [rnd.randrange(0, 500) for _ in range(6)]  # busy spells, with quiet months between
    for _ in range(rnd.randrange(30, 90)):
        a = f"A{rnd.randrange(6)}"
        day = D(2023, 3, 1) + dt.timedelta(days=rnd.choice(bursts) + rnd.randrange(0, 6))
        cents = rnd.choice([rnd.randrange(1, 50_000), rnd.randrange(100_000, 700_000)])
        book.txn(
            a,
            day,
            cents,
            rnd.choice(["credit", "debit"]),
            cash=rnd.random() < 0.5,
            channel="internal" if rnd.random() < 0.1 else None,
        )
    return book


def _reference_rapid(book: Book, th: Thresholds) -> set[str]:
    from collections import defaultdict

    n = th.rapid_window_days
    flows: dict[str, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in book.rows:
        flows[r["account_id"]][r["booking_date"]][0 if r["direction"] == "credit" else 1] += r["amount_usd_cents"]
    keys = set()
    for account, days in flows.items():
        anchors = []
        for d, (cin, _) in sorted(days.items()):
            span = [days[x] for x in days if d <= x <= d + dt.timedelta(days=n)]
            in_w, out_w = sum(s[0] for s in span), sum(s[1] for s in span)
            if cin > 0 and in_w >= th.rapid_min_in_cents and out_w * 100 >= in_w * th.rapid_out_ratio_pct:
                anchors.append(d)
        for i, d in enumerate(anchors):
            if i == 0 or (d - anchors[i - 1]).days > n:
                keys.add(f"rapid_movement:{account}:{d.isoformat()}")
    return keys


def _reference_dormant(book: Book, th: Thresholds) -> set[str]:
    keys = set()
    for account, info in book.accounts.items():
        rows = [r for r in book.rows if r["account_id"] == account and r["channel"] not in th.dormant_ignore_channels]
        days = sorted({r["booking_date"] for r in rows})
        for i, d in enumerate(days):
            since = days[i - 1] if i else info["opened_on"]
            moved = sum(
                r["amount_usd_cents"]
                for r in rows
                if d <= r["booking_date"] <= d + dt.timedelta(days=th.dormant_window_days)
            )
            if (d - since).days >= th.dormant_days and moved >= th.dormant_min_cents:
                keys.add(f"dormant_reactivation:{account}:{d.isoformat()}")
    return keys


def _reference_ctr(book: Book, th: Thresholds) -> set[str]:
    from collections import defaultdict

    from bankcrm.core.calendar import FED

    totals: dict[tuple[str, dt.date, str], int] = defaultdict(int)
    for r in book.rows:
        if r["is_cash"]:
            totals[(r["party_id"], FED.roll_forward(r["booking_date"]), r["direction"])] += r["amount_usd_cents"]
    return {f"ctr:{p}:{d.isoformat()}" for (p, d, _), total in totals.items() if total > th.ctr_threshold_cents}


@pytest.mark.parametrize("seed", range(12))
def test_scenarios_match_plain_python_references(seed: int) -> None:
    book = _random_book(seed)
    th = Thresholds(
        ctr_threshold_cents=600_000,
        structuring_floor_cents=500_000,
        dormant_days=60,
        dormant_window_days=10,
        dormant_min_cents=100_000,
        rapid_min_in_cents=200_000,
    )
    alerts = run_scenarios(
        book.tables(),
        thresholds=th,
        date_from=None,
        date_to=None,
        scenarios=["ctr", "rapid_movement", "dormant_reactivation"],
    )
    got = {a.key for a in alerts}
    want = _reference_ctr(book, th) | _reference_rapid(book, th) | _reference_dormant(book, th)
    assert got == want
