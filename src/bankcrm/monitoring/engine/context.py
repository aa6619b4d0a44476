"""Shared plumbing of one engine run: the Ibis connection, the registered tables, day arithmetic,
money formatting, scoring and evidence handling (internal; the public API is in ``__init__``)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bankcrm.core.calendar import FED
from bankcrm.monitoring.engine.thresholds import Thresholds
from bankcrm.monitoring.engine.types import EngineInputError

EPOCH = dt.date(1970, 1, 1)

SHIFT = 100_000
"""Added to day numbers before integer division, so block indexes stay non-negative (SQL dialects
disagree on dividing negative integers)."""

BACKENDS = ("duckdb",)
"""Backends :func:`connect` can open by name. Others (PostgreSQL, PySpark) are passed in as an Ibis
connection (``connection=``); the expressions do not change."""


def connect(backend: str = "duckdb") -> ibis.BaseBackend:
    """A fresh in-process Ibis connection.

    DuckDB is opened in memory with ``autoinstall_known_extensions=false`` and
    ``autoload_known_extensions=false`` (DESIGN decision 13: it must never try to download an
    extension; none is needed, the data arrives as Arrow).

    Raises:
        EngineInputError: ``backend`` is not one of :data:`BACKENDS`.
    """
    if backend != "duckdb":
        raise EngineInputError(
            f"backend: {backend!r} cannot be opened by name (known: {', '.join(BACKENDS)}); "
            "pass an Ibis connection as connection= instead"
        )
    return ibis.duckdb.connect(autoinstall_known_extensions=False, autoload_known_extensions=False)


def to_day(d: dt.date) -> int:
    """Days since 1970-01-01 (the ``day`` columns)."""
    return (d - EPOCH).days


def from_day(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def month_index(d: dt.date) -> int:
    """``year * 12 + month - 1`` (the ``month`` columns)."""
    return d.year * 12 + d.month - 1


def month_start(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def month_end(m: int) -> dt.date:
    return month_start(m + 1) - dt.timedelta(days=1)


def usd(cents: int) -> str:
    """``1234567`` -> ``"$12,345.67"`` (exact: Decimal, no float)."""
    return f"${Decimal(int(cents)).scaleb(-2):,.2f}"


def scaled_score(base: int, ratio: float, per_doubling: int = 10) -> int:
    """``base`` plus ``per_doubling`` points for every doubling of ``ratio`` above 1, in 0-100."""
    if not ratio > 1:
        return max(0, min(100, base))
    if math.isinf(ratio):
        return 100
    return max(0, min(100, base + int(per_doubling * math.log2(ratio))))


def add_derived_columns(tx: pa.Table) -> pa.Table:
    """``transactions`` plus ``day`` (int32 days since epoch), ``bday`` (the CTR business day,
    31 CFR 1010.313: the booking date rolled forward to a Federal Reserve business day, as days
    since epoch) and ``month`` (int32 ``year * 12 + month - 1``).

    The business-day map is computed in Python over the distinct booking dates (our calendar,
    not the database's) and joined on as a plain column, so the scenarios stay portable.

    Raises:
        EngineInputError: a booking date is outside the calendar's 1990-2040 range.
    """
    dates = tx["booking_date"]
    day = pc.cast(dates, pa.int32())
    uniq = pc.unique(dates.combine_chunks())
    try:
        rolled = [to_day(FED.roll_forward(d)) for d in uniq.to_pylist()]
    except ValueError as exc:
        raise EngineInputError(f"transactions.booking_date: {exc}") from None
    bday = pc.take(pa.array(rolled, pa.int32()), pc.index_in(dates, value_set=uniq))
    month = pc.add(
        pc.multiply(pc.cast(pc.year(dates), pa.int32()), 12), pc.subtract(pc.cast(pc.month(dates), pa.int32()), 1)
    )
    return tx.append_column("day", day).append_column("bday", bday).append_column("month", month)


_ACCOUNT_CODE_COLUMNS = frozenset(
    {"account_id", "counterparty_account", "centre", "other", "src", "dst"} | {f"n{i}" for i in range(9)}
)


def encode_ids(tables: dict[str, pa.Table]) -> tuple[dict[str, pa.Table], pa.Array, pa.Array]:
    """Replace account and party ids by int32 codes (see :class:`Context`).

    Returns the tables and the two code books (``account_names``: the bank's accounts in table
    order, then the other counterparties; ``party_names``: the parties in table order).
    """
    tx, acc, par = tables["transactions"], tables["accounts"], tables["parties"]
    own = acc["account_id"].combine_chunks()
    others = tx["counterparty_account"].drop_null().combine_chunks()
    account_names = pc.unique(pa.concat_arrays([own, others]))  # first occurrence order: own first
    party_names = par["party_id"].combine_chunks()

    def code(col: pa.ChunkedArray, book: pa.Array) -> pa.ChunkedArray:
        return pc.index_in(col, value_set=book)

    def put(t: pa.Table, name: str, col: pa.ChunkedArray) -> pa.Table:
        return t.set_column(t.column_names.index(name), name, col)

    tx = put(tx, "account_id", code(tx["account_id"], account_names))
    tx = put(tx, "counterparty_account", code(tx["counterparty_account"], account_names))
    tx = put(tx, "party_id", code(tx["party_id"], party_names))
    acc = put(acc, "account_id", code(acc["account_id"], account_names))
    acc = put(acc, "party_id", code(acc["party_id"], party_names))
    par = put(par, "party_id", code(par["party_id"], party_names))
    return {"transactions": tx, "accounts": acc, "parties": par}, account_names, party_names


@dataclass
class Context:
    """One run: connection, registered tables (Ibis expressions), thresholds and the date range.

    ``tx`` holds the transactions booked on or before ``date_to`` with the derived columns of
    :func:`add_derived_columns`; ``accounts`` has ``opened_day`` added. ``day_from`` is ``None``
    when the run starts at the beginning of the data.

    Account and party ids are registered as int32 codes (grouping, sorting and joining on
    integers is markedly faster than on strings): ``account_id``, ``counterparty_account`` index
    ``account_names`` (the bank's accounts first, so a code below ``n_accounts`` is the bank's),
    ``party_id`` indexes ``party_names``. Results fetched with :meth:`fetch` keep the codes (to be
    registered again and joined); :meth:`decoded` turns them back into ids for Python.
    ``account_party`` maps the bank's account ids to their owners' party ids.
    """

    con: Any
    tx: ir.Table
    accounts: ir.Table
    parties: ir.Table
    th: Thresholds
    date_from: dt.date | None
    date_to: dt.date
    account_party: dict[str, str]
    account_names: pa.Array
    party_names: pa.Array
    n_accounts: int

    @property
    def day_from(self) -> int | None:
        return None if self.date_from is None else to_day(self.date_from)

    @property
    def day_to(self) -> int:
        return to_day(self.date_to)

    @property
    def month_from(self) -> int | None:
        return None if self.date_from is None else month_index(self.date_from)

    def fetch(self, expr: ir.Table) -> pa.Table:
        """Execute ``expr`` on the run's backend and return Arrow."""
        return self.con.to_pyarrow(expr)

    def decoded(self, table: pa.Table) -> pa.Table:
        """``table`` with code columns (``account_id``, ``counterparty_account``, ``centre``,
        ``other``, ``src``, ``dst``, ``n0``..``n8``; ``party_id``) replaced by the ids."""
        for i, name in enumerate(table.column_names):
            if name in _ACCOUNT_CODE_COLUMNS:
                table = table.set_column(i, name, pc.take(self.account_names, table[name]))
            elif name == "party_id":
                table = table.set_column(i, name, pc.take(self.party_names, table[name]))
        return table

    def in_range(self, start: dt.date, end: dt.date) -> bool:
        """True if the activity period [start, end] ends inside the run's range."""
        return (self.date_from is None or end >= self.date_from) and start <= self.date_to


def group_evidence(rows: pa.Table, key: str) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    """``rows`` (``key``, ``txn_id``, ``amount_usd_cents``) -> ``{key: (txn_ids, amounts)}``."""
    if rows.num_rows == 0:
        return {}
    rows = rows.sort_by([(key, "ascending"), ("txn_id", "ascending")])
    keys = rows[key].to_numpy()
    ids = rows["txn_id"].to_numpy()
    amounts = rows["amount_usd_cents"].to_numpy()
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [len(keys)]))
    return {keys[s].item(): (ids[s:e], amounts[s:e]) for s, e in zip(starts, ends, strict=True)}


def cut_evidence(ids: Iterable[int], amounts: Iterable[int], limit: int, facts: dict[str, object]) -> tuple[int, ...]:
    """Sorted evidence ids; above ``limit`` keep the largest amounts and say so in ``facts``."""
    ids_a = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64)
    am_a = np.asarray(list(amounts) if not isinstance(amounts, np.ndarray) else amounts, dtype=np.int64)
    facts["evidence_count"] = len(ids_a)
    if len(ids_a) > limit:
        order = np.lexsort((ids_a, -am_a))[:limit]
        ids_a = ids_a[order]
        facts["evidence_truncated"] = True
    return tuple(sorted(int(i) for i in ids_a))
