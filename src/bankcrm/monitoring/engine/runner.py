"""Entry points of the AML scenario engine: :func:`run_scenarios` and :func:`ctr_aggregates`."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from bankcrm.monitoring.engine import graph, scenarios
from bankcrm.monitoring.engine.context import Context, add_derived_columns, connect, encode_ids
from bankcrm.monitoring.engine.schema import prepare_tables
from bankcrm.monitoring.engine.thresholds import Thresholds
from bankcrm.monitoring.engine.types import SCENARIOS, AlertCandidate, EngineInputError

__all__ = ["REGISTRY", "ctr_aggregates", "run_scenarios"]

REGISTRY: dict[str, Callable[[Context], list[AlertCandidate]]] = {
    "ctr": scenarios.ctr,
    "structuring": scenarios.structuring,
    "rapid_movement": scenarios.rapid_movement,
    "baseline_deviation": scenarios.baseline_deviation,
    "high_risk_geography": scenarios.high_risk_geography,
    "dormant_reactivation": scenarios.dormant_reactivation,
    "round_amounts": scenarios.round_amounts,
    "fan_in": graph.fan_in,
    "fan_out": graph.fan_out,
    "cycle": graph.cycle,
}
"""Scenario name -> implementation; keys are exactly :data:`SCENARIOS`."""


def _loose(table: pa.Table) -> ibis.Table:
    """``table`` as an Ibis memtable with every column nullable (validation is done; Ibis refuses
    unions of columns that differ only in nullability)."""
    return ibis.memtable(table.cast(pa.schema([f.with_nullable(True) for f in table.schema])))


def _check_date(name: str, value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise EngineInputError(f"{name}: expected a datetime.date or None, got {value!r}")
    return value


def _selected(names: Collection[str] | None) -> list[str]:
    if names is None:
        return list(SCENARIOS)
    if isinstance(names, str):
        raise EngineInputError("scenarios: expected a collection of scenario names, got one string")
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise EngineInputError(f"scenarios: unknown scenario {unknown[0]!r} (known: {', '.join(SCENARIOS)})")
    return [s for s in SCENARIOS if s in set(names)]


@contextmanager
def _context(
    tables: Mapping[str, object],
    thresholds: Thresholds,
    date_from: object,
    date_to: object,
    backend: str,
    connection: Any,
) -> Iterator[Context | None]:
    """Validated inputs registered on a backend; ``None`` when there is nothing to look at."""
    if not isinstance(thresholds, Thresholds):
        raise EngineInputError(f"thresholds: expected a Thresholds instance, got {type(thresholds).__name__}")
    d_from, d_to = _check_date("date_from", date_from), _check_date("date_to", date_to)
    if d_from is not None and d_to is not None and d_from > d_to:
        raise EngineInputError(f"date_from: {d_from} is after date_to {d_to}")
    prepared = prepare_tables(tables)
    tx = prepared["transactions"]
    if d_to is None:
        if len(tx) == 0:
            yield None
            return
        d_to = pc.max(tx["booking_date"]).as_py()
    assert d_to is not None
    tx = tx.filter(pc.less_equal(tx["booking_date"], pa.scalar(d_to, pa.date32())))
    if len(tx) == 0:
        yield None
        return
    tx = add_derived_columns(tx)
    accounts = prepared["accounts"]
    account_party = dict(zip(accounts["account_id"].to_pylist(), accounts["party_id"].to_pylist(), strict=True))
    accounts = accounts.append_column("opened_day", pc.cast(accounts["opened_on"], pa.int32()))
    coded, account_names, party_names = encode_ids(
        {"transactions": tx, "accounts": accounts, "parties": prepared["parties"]}
    )
    con = connection if connection is not None else connect(backend)
    try:
        yield Context(
            con=con,
            tx=_loose(coded["transactions"]),
            accounts=_loose(coded["accounts"]),
            parties=_loose(coded["parties"]),
            th=thresholds,
            date_from=d_from,
            date_to=d_to,
            account_party=account_party,
            account_names=account_names,
            party_names=party_names,
            n_accounts=len(accounts),
        )
    finally:
        if connection is None:
            con.disconnect()


def run_scenarios(
    tables: Mapping[str, pa.Table],
    *,
    thresholds: Thresholds,
    date_from: dt.date | None,
    date_to: dt.date | None,
    scenarios: Collection[str] | None = None,
    backend: str = "duckdb",
    connection: Any = None,
    timings: dict[str, float] | None = None,
) -> list[AlertCandidate]:
    """Run the AML monitoring scenarios over Arrow tables and return the alerts they raise.

    Args:
        tables: ``{"transactions", "accounts", "parties"}`` as ``pyarrow.Table`` with the schemas of
            :mod:`bankcrm.monitoring.engine.schema`. They should reach ``thresholds.history_days``
            before ``date_from`` so baselines, dormancy and runs that began earlier are seen.
        thresholds: every figure the rules use (:class:`Thresholds`).
        date_from: first day of the period examined (``None``: from the first transaction). Alerts
            whose activity ends before it are not returned; older transactions are context.
        date_to: last day (``None``: the last booking date). Later transactions are ignored.
        scenarios: names from :data:`SCENARIOS` (``None``: all).
        backend: ``"duckdb"`` (in-process, in memory, extensions never installed or loaded).
        connection: an open Ibis backend to run on instead (e.g. ``ibis.postgres.connect(...)``);
            the same expressions are used, and the connection is left open.
        timings: when given, filled with wall seconds: ``"prepare"`` (validation, derived columns,
            connection) and one entry per scenario run (for benchmarks).

    Returns:
        :class:`AlertCandidate` list ordered by scenario (as in :data:`SCENARIOS`), period start and
        key. Keys are stable across re-runs of the same activity (the caller deduplicates).

    Raises:
        EngineInputError: invalid tables (see :func:`prepare_tables`), thresholds, dates, scenario
            names or backend; the message names the field.
    """
    names = _selected(scenarios)
    clock = time.perf_counter()
    with _context(tables, thresholds, date_from, date_to, backend, connection) as ctx:
        if timings is not None:
            timings["prepare"] = time.perf_counter() - clock
        if ctx is None:
            return []
        alerts: list[AlertCandidate] = []
        for name in names:
            clock = time.perf_counter()
            alerts.extend(REGISTRY[name](ctx))
            if timings is not None:
                timings[name] = time.perf_counter() - clock
    order = {s: i for i, s in enumerate(SCENARIOS)}
    alerts.sort(key=lambda a: (order[a.scenario], a.period_start, a.key))
    return alerts


def ctr_aggregates(
    tables: Mapping[str, pa.Table],
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    threshold_cents: int = 1_000_000,
    backend: str = "duckdb",
    connection: Any = None,
) -> list[dict[str, Any]]:
    """Per party and business day, the cash-in and cash-out totals that call for a CTR.

    31 CFR 1010.311/1010.313: cash by or for one person (``party_id``, over all accounts and
    branches) is totalled per business day, cash-in and cash-out separately (never netted); night,
    weekend and holiday cash counts on the next Federal Reserve business day; a total **more than**
    ``threshold_cents`` is reportable (exactly $10,000.00 is not). Only business days in
    [date_from, date_to] whose cash-in or cash-out is reportable are returned.

    Returns:
        Dicts sorted by (business_day, party_id) with ``party_id``, ``business_day`` (date),
        ``cash_in_cents``, ``cash_out_cents``, ``cash_in_reportable``, ``cash_out_reportable``,
        ``cash_in_txn_ids``, ``cash_out_txn_ids``, ``account_ids``, ``branch_ids``,
        ``booking_dates`` and ``threshold_cents``.

    Raises:
        EngineInputError: invalid tables, dates, threshold or backend (the message names the field).
    """
    if not isinstance(threshold_cents, int) or isinstance(threshold_cents, bool) or threshold_cents < 1:
        raise EngineInputError(f"threshold_cents: expected a positive integer, got {threshold_cents!r}")
    th = Thresholds(ctr_threshold_cents=threshold_cents, structuring_floor_cents=min(900_000, threshold_cents))
    with _context(tables, th, date_from, date_to, backend, connection) as ctx:
        if ctx is None:
            return []
        return scenarios.ctr_rows(ctx, threshold_cents)
