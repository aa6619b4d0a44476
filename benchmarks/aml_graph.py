"""Quality of the graph AML scenarios (fan-in, fan-out, cycles) on the AMLSim sample, beside a baseline.

Data: ``data/amlsim-sample/20K_fanin200cycle200`` (IBM AMLSim, synthetic: 20,000 accounts, 120,558
transfers, 200 planted fan-in and 200 planted cycle patterns; labels per account, ``isFraud``, with
no typology). Mapping onto the engine's input tables:

- every AMLSim account is one of the bank's accounts (``account_id`` = node id) owned by its own
  party, opened on 2019-01-01;
- every transfer becomes two ledger rows, a debit on the sender and a credit on the receiver, each
  naming the other account as ``counterparty_account`` (non-cash, channel ``transfer``, USD; the
  ``value`` column read as a decimal and converted to cents exactly);
- simulation step *n* is booked on 2019-01-01 + *n* days (AMLSim steps are days).

Measured: ``run_scenarios(..., scenarios=["fan_in", "fan_out", "cycle"])`` with the default
:class:`Thresholds` (chosen from first principles, not from these labels). An account is *flagged*
when it is the subject of an alert (``account_ids``); a second view adds the counterparties the
alerts name (fan-in/fan-out counterparties; a cycle's accounts are already its subjects).
Precision = flagged and labelled / flagged; recall = flagged and labelled / labelled.

Baseline (same run): accounts ranked by in-degree (number of distinct accounts that sent them
money over the whole sample; ties broken by ascending node id), cut at the same number of accounts
as the scenarios flagged. With the same number flagged, precision ratio = recall ratio = ratio of
true positives.

``--sensitivity`` adds runs with other windows and an unordered cycle search. Those rows are
computed against the labels for information only; the defaults were not changed after seeing
them.

Run: ``.venv/bin/python benchmarks/aml_graph.py [--sensitivity]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from _harness import table  # noqa: E402
from bankcrm.monitoring.engine import (  # noqa: E402
    ACCOUNTS_SCHEMA,
    PARTIES_SCHEMA,
    TRANSACTIONS_SCHEMA,
    AlertCandidate,
    Thresholds,
    run_scenarios,
)

DATA = REPO / "data" / "amlsim-sample" / "20K_fanin200cycle200"
BASE = dt.date(2019, 1, 1)
GRAPH = ["fan_in", "fan_out", "cycle"]


def load() -> tuple[dict[str, pa.Table], set[str], dict[str, int]]:
    """Engine tables, the labelled account ids and every account's in-degree (distinct senders)."""
    labelled: set[str] = set()
    nodes: list[str] = []
    with (DATA / "nodes.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            nodes.append(row["nodeid"])
            if row["isFraud"] == "1":
                labelled.add(row["nodeid"])
    cols: dict[str, list[Any]] = defaultdict(list)
    senders: dict[str, set[str]] = defaultdict(set)
    txn_id = 0
    with (DATA / "transactions.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            src, dst = row["sourceNodeId"], row["targetNodeId"]
            cents = int(Decimal(row["value"]) * 100)
            day = BASE + dt.timedelta(days=int(row["time"]))
            senders[dst].add(src)
            for account, other, direction in ((src, dst, "debit"), (dst, src, "credit")):
                txn_id += 1
                cols["txn_id"].append(txn_id)
                cols["account_id"].append(account)
                cols["party_id"].append("P" + account)
                cols["booking_date"].append(day)
                cols["amount_usd_cents"].append(cents)
                cols["direction"].append(direction)
                cols["counterparty_account"].append(other)
    n = txn_id
    tx = pa.table(
        {
            **cols,
            "is_cash": [False] * n,
            "channel": ["transfer"] * n,
            "branch_id": pa.nulls(n, pa.string()),
            "counterparty_country": pa.nulls(n, pa.string()),
            "currency": ["USD"] * n,
            "amount_minor": cols["amount_usd_cents"],
        }
    ).select(TRANSACTIONS_SCHEMA.names)
    tables = {
        "transactions": tx.cast(TRANSACTIONS_SCHEMA),
        "accounts": pa.table(
            {"account_id": nodes, "opened_on": [BASE] * len(nodes), "party_id": ["P" + a for a in nodes]},
            schema=ACCOUNTS_SCHEMA,
        ),
        "parties": pa.table(
            {"party_id": ["P" + a for a in nodes], "country": ["US"] * len(nodes), "risk_rating": ["low"] * len(nodes)},
            schema=PARTIES_SCHEMA,
        ),
    }
    return tables, labelled, {a: len(senders.get(a, ())) for a in nodes}


def flagged(alerts: list[AlertCandidate], *, with_counterparties: bool) -> set[str]:
    out: set[str] = set()
    for a in alerts:
        out.update(a.account_ids)
        if with_counterparties:
            out.update(str(x) for x in a.facts.get("counterparty_accounts", []))  # type: ignore[attr-defined]
    return out


def baseline_top(in_degree: dict[str, int], n: int) -> set[str]:
    ranked = sorted(in_degree, key=lambda a: (-in_degree[a], int(a)))
    return set(ranked[:n])


def score(flag: set[str], labelled: set[str]) -> tuple[int, float, float]:
    tp = len(flag & labelled)
    return tp, (tp / len(flag) if flag else 0.0), tp / len(labelled)


def evaluate(
    name: str, th: Thresholds, tables: dict[str, pa.Table], labelled: set[str], in_degree: dict[str, int]
) -> dict[str, Any]:
    t0 = time.perf_counter()
    alerts = run_scenarios(tables, thresholds=th, date_from=None, date_to=None, scenarios=GRAPH)
    wall = time.perf_counter() - t0
    per: dict[str, int] = defaultdict(int)
    for a in alerts:
        per[a.scenario] += 1
    views = {}
    for view, with_cp in (("subjects", False), ("subjects+counterparties", True)):
        flag = flagged(alerts, with_counterparties=with_cp)
        base = baseline_top(in_degree, len(flag))
        views[view] = {"n": len(flag), "ours": score(flag, labelled), "baseline": score(base, labelled)}
    return {"name": name, "wall": wall, "alerts": dict(per), "views": views, "alert_list": alerts}


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def print_result(res: dict[str, Any]) -> None:
    alerts = ", ".join(f"{s} {res['alerts'].get(s, 0):,}" for s in GRAPH)
    rows = []
    for view, v in res["views"].items():
        tp, p, r = v["ours"]
        btp, bp, br = v["baseline"]
        rows.append(
            [
                view,
                f"{v['n']:,}",
                f"{tp:,}",
                pct(p),
                pct(r),
                f"{btp:,}",
                pct(bp),
                pct(br),
                f"{tp / btp:.2f}x" if btp else "n/a",
            ]
        )
    headers = [
        "view",
        "flagged",
        "ours: TP",
        "precision",
        "recall",
        "in-degree top-N: TP",
        "precision",
        "recall",
        "ratio",
    ]
    title = f"\n{res['name']}: alerts {alerts}; wall {res['wall']:.2f} s (validation + 3 scenarios)"
    print(table(headers, rows, title))


def per_scenario(tables: dict[str, pa.Table], labelled: set[str], in_degree: dict[str, int]) -> None:
    rows = []
    for s in GRAPH:
        t0 = time.perf_counter()
        alerts = run_scenarios(tables, thresholds=Thresholds(), date_from=None, date_to=None, scenarios=[s])
        wall = time.perf_counter() - t0
        flag = flagged(alerts, with_counterparties=False)
        tp, p, r = score(flag, labelled)
        btp, _, _ = score(baseline_top(in_degree, len(flag)), labelled)
        rows.append([s, f"{len(alerts):,}", f"{len(flag):,}", f"{tp:,}", pct(p), pct(r), f"{btp:,}", f"{wall:.2f} s"])
    headers = ["scenario", "alerts", "flagged", "TP", "precision", "recall", "in-degree top-N: TP", "wall"]
    print(table(headers, rows, "\nEach graph scenario alone (default thresholds, subjects view)"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sensitivity", action="store_true", help="also run other windows (computed against the labels)")
    args = p.parse_args()
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    print(
        f"machine: nproc {nproc}, python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"ibis {ibis.__version__}, pyarrow {pa.__version__}"
    )
    t0 = time.perf_counter()
    tables, labelled, in_degree = load()
    load_s = time.perf_counter() - t0
    n_tx = tables["transactions"].num_rows
    print(
        f"AMLSim 20K_fanin200cycle200: {len(in_degree):,} accounts, {len(labelled):,} labelled "
        f"({pct(len(labelled) / len(in_degree))}), {n_tx // 2:,} transfers = {n_tx:,} ledger rows; "
        f"CSV -> Arrow {load_s:.2f} s (not in the wall times)"
    )
    default = evaluate("Default thresholds (first principles)", Thresholds(), tables, labelled, in_degree)
    print_result(default)
    per_scenario(tables, labelled, in_degree)
    if args.sensitivity:
        print("\nSensitivity (computed against the labels, for information; the defaults were not changed after it)")
        variants = [
            ("fan windows of 150 days (the whole sample)", Thresholds(fan_window_days=150)),
            ("cycles without time order, 150-day window", Thresholds(cycle_time_ordered=False, cycle_window_days=150)),
            (
                "both of the above",
                Thresholds(fan_window_days=150, cycle_time_ordered=False, cycle_window_days=150),
            ),
        ]
        for name, th in variants:
            print_result(evaluate(name, th, tables, labelled, in_degree))


if __name__ == "__main__":
    main()
