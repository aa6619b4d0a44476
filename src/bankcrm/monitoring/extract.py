"""Extraction of the OLTP tables into Arrow for the scenario engine (DESIGN decision 4): an
explicit schema (never inferred: SQLite would hand decimals back as floats and ADBC returns
PostgreSQL NUMERIC as strings), amounts converted to USD cents with the rate table
(:class:`~bankcrm.monitoring.models.FxRate`), exact integer arithmetic, banker's rounding.

DuckDB cannot download its sqlite/postgres scanners offline, so rows are streamed through the ORM
connection and handed over as Arrow record batches.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal

import pyarrow as pa

from bankcrm.core.money import exponent
from bankcrm.holdings.models import Account, AccountRole, Transaction
from bankcrm.monitoring.engine.schema import ACCOUNTS_SCHEMA, PARTIES_SCHEMA, TRANSACTIONS_SCHEMA
from bankcrm.monitoring.models import FxRate
from bankcrm.parties.models import Party

CHUNK = 50_000


class MissingRate(ValueError):
    """No FX rate covers a currency on a date; the message names both."""


class RateTable:
    """USD per unit of each currency, effective-dated (the latest ``valid_from`` on or before the date)."""

    def __init__(self) -> None:
        self._by_currency: dict[str, tuple[list[dt.date], list[int]]] = {}
        for rate in FxRate.objects.order_by("currency", "valid_from"):
            dates, values = self._by_currency.setdefault(rate.currency, ([], []))
            dates.append(rate.valid_from)
            values.append(rate.usd_per_unit_micro)

    def to_usd_cents(self, amount_minor: int, currency: str, on: dt.date) -> int:
        """``amount_minor`` of ``currency`` in USD cents on ``on``.

        Raises:
            MissingRate: no rate for the currency on or before ``on``.
        """
        if currency == "USD":
            return amount_minor
        table = self._by_currency.get(currency)
        i = bisect.bisect_right(table[0], on) - 1 if table else -1
        if table is None or i < 0:
            raise MissingRate(f"no USD rate for {currency} on {on}: add one (FxRate) before monitoring")
        units = Decimal(amount_minor).scaleb(-exponent(currency))
        usd = units * Decimal(table[1][i]).scaleb(-6)
        return int((usd * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _owners() -> dict[object, str]:
    """account pk -> its primary owner's party id (earliest owner role)."""
    owners: dict[object, str] = {}
    rows = AccountRole.objects.filter(role=AccountRole.Role.OWNER).order_by(
        "account_id", "effective_from", "created_at"
    )
    for account_id, party_id in rows.values_list("account_id", "party_id"):
        owners.setdefault(account_id, str(party_id))
    return owners


def _orphan(account_id: object) -> str:
    # The engine needs a subject for every row; an account without an owner is its own subject
    # (its alerts cannot be attached to a party and are skipped by the caller).
    return f"account:{account_id}"


def transactions_table(date_from: dt.date | None, date_to: dt.date) -> pa.Table:
    """Transactions booked in ``[date_from, date_to]`` with :data:`TRANSACTIONS_SCHEMA`.

    Raises:
        MissingRate: a transaction's currency has no rate for its date.
    """
    owners = _owners()
    branch_of = dict(Account.objects.values_list("pk", "branch_id"))
    rates = RateTable()
    qs = Transaction.objects.filter(booking_date__lte=date_to)
    if date_from is not None:
        qs = qs.filter(booking_date__gte=date_from)
    fields = (
        "id",
        "account_id",
        "booking_date",
        "amount_minor",
        "currency",
        "direction",
        "is_cash",
        "channel",
        "counterparty_account",
        "country",
    )

    def batches() -> Iterator[pa.RecordBatch]:
        columns: dict[str, list[object]] = {f.name: [] for f in TRANSACTIONS_SCHEMA}
        count = 0
        for txn_id, account_id, booked, amount, currency, direction, cash, channel, counterparty, country in (
            qs.order_by("id").values_list(*fields).iterator(chunk_size=CHUNK)
        ):
            columns["txn_id"].append(txn_id)
            columns["account_id"].append(str(account_id))
            columns["party_id"].append(owners.get(account_id) or _orphan(account_id))
            columns["booking_date"].append(booked)
            columns["amount_usd_cents"].append(rates.to_usd_cents(amount, currency, booked))
            columns["direction"].append(direction)
            columns["is_cash"].append(bool(cash))
            columns["channel"].append(channel or "")
            branch = branch_of.get(account_id)
            columns["branch_id"].append(str(branch) if branch is not None else None)
            columns["counterparty_account"].append(counterparty or None)
            columns["counterparty_country"].append(country or None)
            columns["currency"].append(currency)
            columns["amount_minor"].append(amount)
            count += 1
            if count == CHUNK:
                yield pa.RecordBatch.from_pydict(columns, schema=TRANSACTIONS_SCHEMA)
                columns = {f.name: [] for f in TRANSACTIONS_SCHEMA}
                count = 0
        if count:
            yield pa.RecordBatch.from_pydict(columns, schema=TRANSACTIONS_SCHEMA)

    return pa.Table.from_batches(list(batches()), schema=TRANSACTIONS_SCHEMA)


def accounts_table() -> pa.Table:
    """Every account with its opening date and primary owner (:data:`ACCOUNTS_SCHEMA`)."""
    owners = _owners()
    rows = list(Account.objects.values_list("pk", "opened_on"))
    return pa.Table.from_pydict(
        {
            "account_id": [str(pk) for pk, _ in rows],
            "opened_on": [opened for _, opened in rows],
            "party_id": [owners.get(pk) or _orphan(pk) for pk, _ in rows],
        },
        schema=ACCOUNTS_SCHEMA,
    )


def parties_table() -> pa.Table:
    """Every party with its country (nationality, else residence) and risk rating (:data:`PARTIES_SCHEMA`)."""
    rows = list(Party.objects.values_list("pk", "nationality", "residence_country", "risk_rating"))
    return pa.Table.from_pydict(
        {
            "party_id": [str(pk) for pk, *_ in rows],
            "country": [(nat or res or None) for _, nat, res, _ in rows],
            "risk_rating": [risk for *_, risk in rows],
        },
        schema=PARTIES_SCHEMA,
    )


def tables(date_from: dt.date | None, date_to: dt.date) -> dict[str, pa.Table]:
    """The engine's input tables for a period."""
    return {
        "transactions": transactions_table(date_from, date_to),
        "accounts": accounts_table(),
        "parties": parties_table(),
    }
