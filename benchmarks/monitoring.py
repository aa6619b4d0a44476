"""Benchmark: speed of the AML scenario engine (Ibis on DuckDB) beside a pandas implementation of the same rules.

Run: ``.venv/bin/python benchmarks/monitoring.py [--database sqlite|postgres|both] [--sizes 1000000[,10000000]]
[--repeat 3] [--planted 20000]``. The default (1M, both databases) takes about 3 minutes on the shared 2-core
VM at load average 3 (up to about 7 at load 6); ``--sizes 1000000,10000000`` adds about 4 minutes and needs
about 10 GB of free memory (the parent keeps the 10M tables' memory, a run takes up to 6 GB).

Data: the real Berka transactions (``data/berka-pkdd99``, 49,102 rows) replicated onto new synthetic
accounts and parties with ``replicate_berka`` (the foundation benchmark's rule, see
``benchmarks/bulk_load.py``) until the database holds exactly the smallest size (1,000,000 by default:
49,102 real rows + 950,898 replica rows).

Steps:

1. **Check on a planted ledger** (``--planted`` rows, 0 skips it): :func:`planted_ledger` is a small
   dense synthetic ledger on which every scenario fires; the engine and pandas must raise the same
   alerts (the Berka data only triggers two of the ten scenarios).
2. **Extraction** (per database, each in its own subprocess on a fresh database, ``_harness.py``):
   ``migrate``, ``import_berka``, ``replicate_berka`` (untimed), then ``extract.transactions_table(None,
   last booking date)``, ``accounts_table()`` and ``parties_table()`` timed: the Django ORM read into
   the engine's Arrow tables with USD conversion, as ``bankcrm monitor run`` does. The first worker
   also writes the tables to Arrow IPC files.
3. **Larger sizes** (e.g. 10,000,000) are made from the extracted tables in Arrow, not in the
   database: loading and extracting 10M rows through the ORM on the 2-core VM would take about
   half an hour per database (bulk load about 100,000 rows/s, extraction about 50,000 rows/s).
   Replica ``r`` = 1, 2, ... of the extracted table (:func:`scale`) gets new account, party and
   transaction ids (``<id>~r``, ``txn_id + r * (max + 1)``) and the same dates, amounts,
   directions, channels, branches and external counterparties; replicas are added until the size is
   reached, the last one cut in ledger order (as ``replicate_berka`` does).
4. **Scenarios**, per size, ``--repeat`` times each (default 3, alternating), every run in a fresh
   subprocess on the same Arrow files: the engine (``run_scenarios(tables, thresholds=Thresholds(),
   date_from=None, date_to=None, timings=...)``: all ten scenarios, default thresholds, whole history)
   and ``benchmarks/_pandas_aml.py`` (the same rules in pandas/numpy, vectorized, one thread). Each
   reports wall seconds per scenario and for its set-up ("prepare": validation, business-day and month
   columns, id coding), process CPU seconds (all threads) and peak resident memory
   (``VmHWM`` of the process, input tables included). Per figure the best of the repeats
   is kept (least seconds; the highest memory). Reading the Arrow files is not timed.
5. **Check**: the alert keys of both must be the same; for common keys the period and the evidence
   (count, and the transaction ids when the engine did not cut them at ``max_evidence_txns``) are
   compared too. Differences are printed.

Figures: per scenario engine seconds, pandas seconds, ratio and rows/s (transactions in the input
over the scenario's seconds); the **non-graph scenarios together** (the seven of ``scenarios.py``
plus the engine's set-up, which every run pays) in transactions/s, and without the set-up; the graph
scenarios (fan-in, fan-out, cycles) on their own; extraction rows/s per database; peak memory; the
1-minute load average after each run (the VM is shared).

Targets (issue 8): >= 1,000,000 transactions/s for the non-graph scenarios together (extraction
excluded); >= 5x the pandas baseline; peak memory under 4 GB at 10M; graph typologies reported on
their own. Nothing is asserted; the targets are printed beside the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _harness as h

REPO = Path(__file__).resolve().parent.parent
DATA = Path("data/berka-pkdd99")
NON_GRAPH = (
    "ctr",
    "structuring",
    "rapid_movement",
    "baseline_deviation",
    "high_risk_geography",
    "dormant_reactivation",
    "round_amounts",
)
GRAPH = ("fan_in", "fan_out", "cycle")
TARGET_RATE = 1_000_000
TARGET_RATIO = 5.0
TARGET_MEMORY_GB = 4.0


# Arguments ---------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s.replace("_", "")) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes: expected comma-separated integers, got {text!r}") from None
    if not sizes or sizes[0] <= 49_102:
        raise argparse.ArgumentTypeError("--sizes: every size must be above the 49,102 real Berka transactions")
    return sizes


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sizes",
        type=_sizes,
        default=[1_000_000],
        help="transaction counts, comma-separated (default 1000000; e.g. 1000000,10000000). The smallest is "
        "loaded into the database and extracted; larger ones are replicated from it in Arrow",
    )
    p.add_argument(
        "--repeat", type=int, default=3, help="runs of the engine and of pandas per size; best kept (default 3)"
    )
    p.add_argument(
        "--planted", type=int, default=20_000, help="rows of the planted check ledger (default 20000; 0 skips it)"
    )
    p.add_argument("--transactions", type=int, help=argparse.SUPPRESS)  # worker: rows in the database
    p.add_argument("--dump", help=argparse.SUPPRESS)  # worker: write the extracted tables here
    p.add_argument("--compute", choices=("engine", "pandas"), help=argparse.SUPPRESS)
    p.add_argument("--input", help=argparse.SUPPRESS)  # compute: Arrow IPC file of the three tables
    p.add_argument("--alerts", help=argparse.SUPPRESS)  # compute: write the alerts here (JSON lines)


# Arrow files: the three engine tables in one IPC file --------------------------------------------------


def write_tables(path: Path, tables: dict[str, Any]) -> None:
    """The three tables side by side: one IPC stream file per table (``path``.<name>)."""
    import pyarrow as pa

    for name, table in tables.items():
        with pa.OSFile(f"{path}.{name}", "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=1_000_000)


def read_tables(path: Path) -> dict[str, Any]:
    """The tables :func:`write_tables` wrote (memory-mapped, zero-copy)."""
    import pyarrow as pa

    # Memory-mapped, so the tables cost their size and nothing more (a buffered read leaves the
    # allocator holding about as much again, which would count in the peak memory).
    return {
        name: pa.ipc.open_file(pa.memory_map(f"{path}.{name}")).read_all()
        for name in ("transactions", "accounts", "parties")
    }


def scale(base: dict[str, Any], size: int) -> dict[str, Any]:
    """``base`` replicated onto new accounts, parties and transaction ids until ``size`` transactions.

    Replica 0 is ``base`` itself; replica r >= 1 renames every account and party ``<id>~r`` (an own
    counterparty account too, so transfers between the bank's accounts stay inside the replica) and
    shifts ``txn_id`` by ``r * (max + 1)``. The last replica is cut at ``size`` rows in ledger order
    and brings only the accounts (and their parties) it has rows for.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    tx0, acc0, par0 = base["transactions"], base["accounts"], base["parties"]
    if size <= tx0.num_rows:
        return {"transactions": tx0.slice(0, size), "accounts": acc0, "parties": par0}
    step = pc.max(tx0["txn_id"]).as_py() + 1
    own = acc0["account_id"].combine_chunks()
    txs, accs, pars = [tx0], [acc0], [par0]
    have = tx0.num_rows
    r = 0
    while have < size:
        r += 1
        take = min(tx0.num_rows, size - have)
        tx = tx0.slice(0, take)
        suffix = f"~{r}"

        def renamed(col: Any, suffix: str = suffix) -> Any:
            return pc.binary_join_element_wise(col, suffix, "")

        cp = tx["counterparty_account"]
        cp_own = pc.is_in(cp, value_set=own)
        tx = tx.set_column(0, "txn_id", pc.add(tx["txn_id"], r * step))
        for name in ("account_id", "party_id"):
            tx = tx.set_column(tx.column_names.index(name), name, renamed(tx[name]))
        tx = tx.set_column(
            tx.column_names.index("counterparty_account"), "counterparty_account", pc.if_else(cp_own, renamed(cp), cp)
        )
        used = pc.unique(tx0["account_id"].slice(0, take))
        acc = acc0.filter(pc.is_in(acc0["account_id"], value_set=used))
        parties_used = pc.unique(acc["party_id"])
        par = par0.filter(pc.is_in(par0["party_id"], value_set=parties_used))
        acc = acc.set_column(0, "account_id", renamed(acc["account_id"]))
        acc = acc.set_column(acc.column_names.index("party_id"), "party_id", renamed(acc["party_id"]))
        par = par.set_column(0, "party_id", renamed(par["party_id"]))
        txs.append(tx.cast(tx0.schema))
        accs.append(acc.cast(acc0.schema))
        pars.append(par.cast(par0.schema))
        have += take
    return {
        "transactions": pa.concat_tables(txs).combine_chunks(),
        "accounts": pa.concat_tables(accs).combine_chunks(),
        "parties": pa.concat_tables(pars).combine_chunks(),
    }


def planted_ledger(n: int, seed: int = 7) -> dict[str, Any]:
    """A small, dense synthetic ledger on which every scenario fires (for the engine/pandas check).

    300 accounts of 200 parties, ``n`` transactions over about 2.5 years in bursts (so some accounts
    go dormant), 40 % of amounts in $8,500-$10,500 (CTR and structuring), round amounts, cash,
    transfers inside a clique of 40 of the bank's accounts (cycles, fan-in/out seen from both
    sides) and to 60 external accounts, counterparties in FATF-listed countries, currencies with
    0 and 2 minor digits and one unknown to ISO 4217, some opening dates unknown.
    """
    import numpy as np
    import pyarrow as pa

    from bankcrm.monitoring.engine import ACCOUNTS_SCHEMA, PARTIES_SCHEMA, TRANSACTIONS_SCHEMA

    rng = np.random.default_rng(seed)
    n_acc, n_party, start = 300, 200, dt.date(2022, 1, 1)
    acc_ids = np.array([f"A{i:04d}" for i in range(n_acc)], dtype=object)
    par_ids = np.array([f"P{i:04d}" for i in range(n_party)], dtype=object)
    owner = rng.integers(0, n_party, n_acc)
    opened = [None if rng.random() < 0.05 else start - dt.timedelta(days=int(d)) for d in rng.integers(0, 400, n_acc)]
    acct = rng.integers(0, n_acc, n)
    day = (acct * 37 + rng.integers(0, 4, n) * 211) % 900 + rng.integers(0, 20, n)
    kind = rng.choice(np.array(["cash", "own", "external", "other"]), n, p=[0.35, 0.25, 0.2, 0.2])
    amt = np.where(rng.random(n) < 0.4, rng.integers(850_000, 1_050_000, n), rng.integers(100, 700_000, n))
    amt = np.where(rng.random(n) < 0.1, (amt // 100_000 + 1) * 100_000, amt)
    externals = np.array([f"X{i:03d}" for i in range(60)], dtype=object)
    cp = np.full(n, None, dtype=object)
    cp[kind == "own"] = acc_ids[rng.integers(0, 40, n)][kind == "own"]
    cp[kind == "external"] = externals[rng.integers(0, 60, n)][kind == "external"]
    currency = rng.choice(np.array(["USD", "CZK", "JPY", "XXX"]), n, p=[0.7, 0.1, 0.1, 0.1])
    channel = np.where(
        kind == "cash",
        "branch",
        np.where(kind == "other", rng.choice(np.array(["internal", "online"]), n), "transfer"),
    )
    countries = np.array(["CZ", "US", "IR", "NG", "VN", None], dtype=object)
    branches = np.array([None, "B0", "B1", "B2", "B3", "B4"], dtype=object)
    tx = pa.table(
        {
            "txn_id": np.arange(1, n + 1, dtype=np.int64) * 3,
            "account_id": acc_ids[acct],
            "party_id": par_ids[owner[acct]],
            "booking_date": pa.array(np.datetime64(start, "D") + day.astype("timedelta64[D]")).cast(pa.date32()),
            "amount_usd_cents": amt.astype(np.int64),
            "direction": np.where(rng.random(n) < 0.5, "credit", "debit"),
            "is_cash": kind == "cash",
            "channel": channel,
            "branch_id": branches[rng.integers(0, len(branches), n)],
            "counterparty_account": cp,
            "counterparty_country": countries[rng.integers(0, len(countries), n)],
            "currency": currency,
            "amount_minor": np.where(currency == "USD", amt, amt * 25).astype(np.int64),
        },
        schema=TRANSACTIONS_SCHEMA,
    )
    accounts = pa.table(
        {"account_id": acc_ids, "opened_on": pa.array(opened, pa.date32()), "party_id": par_ids[owner]},
        schema=ACCOUNTS_SCHEMA,
    )
    parties = pa.table(
        {"party_id": par_ids, "country": ["CZ"] * n_party, "risk_rating": ["low"] * n_party}, schema=PARTIES_SCHEMA
    )
    return {"transactions": tx, "accounts": accounts, "parties": parties}


# Extraction worker (one per database, harness) -----------------------------------------------------------


def extraction_worker(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Max

    from bankcrm.datasets.berka.loader import import_berka
    from bankcrm.datasets.replicate import replicate_berka
    from bankcrm.holdings.models import Transaction
    from bankcrm.monitoring import extract

    import_berka(actor=None, directory=DATA)
    real = Transaction.objects.count()
    replicate_berka(actor=None, transactions=args.transactions - real)
    in_db = Transaction.objects.count()
    last = Transaction.objects.aggregate(last=Max("booking_date"))["last"]

    gc.collect()
    t0 = time.perf_counter()
    tx = extract.transactions_table(None, last)
    tx_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    accounts = extract.accounts_table()
    parties = extract.parties_table()
    other_s = time.perf_counter() - t0
    if args.dump:
        write_tables(Path(args.dump), {"transactions": tx, "accounts": accounts, "parties": parties})
    with connection.cursor() as cur:
        cur.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        server = cur.fetchone()[0]
    return {
        "vendor": connection.vendor,
        "server": server,
        "real": real,
        "in_db": in_db,
        "rows": tx.num_rows,
        "accounts": accounts.num_rows,
        "parties": parties.num_rows,
        "last_day": last.isoformat(),
        "transactions_s": tx_s,
        "accounts_parties_s": other_s,
    }


# Compute workers (engine or pandas on one Arrow file) ---------------------------------------------------


def _rss_gb() -> float:
    """Peak resident memory of this process so far, in GiB.

    ``VmHWM`` from ``/proc/self/status``, not ``getrusage().ru_maxrss``: Linux carries the parent's
    peak across fork and exec into ``ru_maxrss``, so a child started by a parent holding the 10M
    tables would report the parent's memory."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024 / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # KiB on Linux


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _engine_alerts(alerts: list[Any]) -> list[dict[str, Any]]:
    out = []
    for a in alerts:
        truncated = bool(a.facts.get("evidence_truncated"))
        out.append(
            {
                "key": a.key,
                "scenario": a.scenario,
                "start": a.period_start.isoformat(),
                "end": a.period_end.isoformat(),
                "evidence": int(a.facts.get("evidence_count", len(a.txn_ids))),
                "ids": None if truncated else list(a.txn_ids),
            }
        )
    return out


def compute_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Read the tables, run the engine or the pandas baseline once, write its alerts, report times."""
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from bankcrm.monitoring.engine import Thresholds, run_scenarios

    tables = read_tables(Path(args.input))
    rows = tables["transactions"].num_rows
    input_bytes = sum(t.nbytes for t in tables.values())
    gc.collect()
    rss_input = _rss_gb()
    timings: dict[str, float] = {}
    cpu0, t0 = _cpu_s(), time.perf_counter()
    if args.compute == "engine":
        alerts = run_scenarios(tables, thresholds=Thresholds(), date_from=None, date_to=None, timings=timings)
        wall, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
        found = _engine_alerts(alerts)
    else:
        import _pandas_aml

        found = _pandas_aml.run(tables, thresholds=Thresholds(), timings=timings)
        wall, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
    peak = _rss_gb()
    with open(args.alerts, "w") as fh:
        for a in found:
            fh.write(json.dumps(a) + "\n")
    counts: dict[str, int] = {}
    for a in found:
        counts[a["scenario"]] = counts.get(a["scenario"], 0) + 1
    return {
        "what": args.compute,
        "rows": rows,
        "input_gb": input_bytes / 1024**3,
        "rss_input_gb": rss_input,
        "peak_gb": peak,
        "timings": timings,
        "wall_s": wall,
        "cpu_s": cpu,
        "alerts": counts,
        "versions": {"duckdb": duckdb.__version__, "pandas": pd.__version__, "pyarrow": pa.__version__},
    }


def run_compute(what: str, input_path: Path, alerts_path: Path) -> dict[str, Any]:
    """One ``--compute`` subprocess; its result with the load averages seen when it ended."""
    proc = subprocess.run(
        [sys.executable, __file__, "--compute", what, "--input", str(input_path), "--alerts", str(alerts_path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    results = [line[len(h.RESULT_MARKER) :] for line in proc.stdout.splitlines() if line.startswith(h.RESULT_MARKER)]
    if proc.returncode != 0 or not results:
        sys.stderr.write(proc.stdout)
        raise SystemExit(f"{what} run failed (exit status {proc.returncode}); see its output above")
    result: dict[str, Any] = json.loads(results[-1])
    result["load"] = os.getloadavg()[0]
    return result


def best_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per figure the best of the repeats: least seconds, most memory (peak), alerts of the last."""
    out = dict(runs[-1])
    out["timings"] = {name: min(r["timings"][name] for r in runs) for name in runs[0]["timings"]}
    for name in ("wall_s", "cpu_s"):
        out[name] = min(r[name] for r in runs)
    out["peak_gb"] = max(r["peak_gb"] for r in runs)
    out["loads"] = [r["load"] for r in runs]
    out["repeats"] = len(runs)
    return out


# Comparison ----------------------------------------------------------------------------------------------


def _load_alerts(path: Path) -> dict[str, dict[str, Any]]:
    with open(path) as fh:
        return {a["key"]: a for a in map(json.loads, fh)}


def compare(engine_path: Path, pandas_path: Path) -> dict[str, Any]:
    """Alert keys of both, and for common keys period and evidence; differences listed (at most 10)."""
    eng, pdx = _load_alerts(engine_path), _load_alerts(pandas_path)
    only_engine = sorted(set(eng) - set(pdx))
    only_pandas = sorted(set(pdx) - set(eng))
    differ = []
    for key in sorted(set(eng) & set(pdx)):
        e, p = eng[key], pdx[key]
        what = [f for f in ("start", "end", "evidence") if e[f] != p[f]]
        if e["ids"] is not None and e["ids"] != p["ids"]:
            what.append("txn ids")
        if what:
            differ.append(f"{key}: {', '.join(what)}")
    return {
        "engine": len(eng),
        "pandas": len(pdx),
        "only_engine": only_engine[:10],
        "only_engine_n": len(only_engine),
        "only_pandas": only_pandas[:10],
        "only_pandas_n": len(only_pandas),
        "differ": differ[:10],
        "differ_n": len(differ),
        "evidence_compared": sum(1 for k in set(eng) & set(pdx) if eng[k]["ids"] is not None),
    }


def check_line(check: dict[str, Any]) -> str:
    if not (check["only_engine_n"] or check["only_pandas_n"] or check["differ_n"]):
        return (
            f"alerts: engine {check['engine']:,}, pandas {check['pandas']:,}: the same keys, periods and evidence "
            f"counts ({check['evidence_compared']:,} evidence lists also compared id by id)"
        )
    return (
        f"alerts: engine {check['engine']:,}, pandas {check['pandas']:,}: DIFFERENT: "
        f"{check['only_engine_n']} only in the engine {check['only_engine']}, "
        f"{check['only_pandas_n']} only in pandas {check['only_pandas']}, {check['differ_n']} differ {check['differ']}"
    )


# Report ---------------------------------------------------------------------------------------------------


def _rate(rows: int, seconds: float) -> str:
    return h.num(rows / seconds) if seconds else "n/a"


def _row(label: str, alerts: object, rows: int, e: float, p: float) -> list[object]:
    return [label, alerts, h.secs(e), h.secs(p), h.ratio(p, e), _rate(rows, e), _rate(rows, p)]


HEADERS = ["scenario", "alerts", "engine", "pandas", "pandas/engine", "engine rows/s", "pandas rows/s"]


def report_size(size: int, eng: dict[str, Any], pdx: dict[str, Any], check: dict[str, Any]) -> list[str]:
    rows = eng["rows"]
    et, pt = eng["timings"], pdx["timings"]
    lines = []
    table = [_row("prepare (shared)", "", rows, et["prepare"], pt["prepare"])]
    table += [_row(n, eng["alerts"].get(n, 0), rows, et[n], pt[n]) for n in NON_GRAPH]
    e_sc, p_sc = sum(et[n] for n in NON_GRAPH), sum(pt[n] for n in NON_GRAPH)
    e_ng, p_ng = e_sc + et["prepare"], p_sc + pt["prepare"]
    table.append(_row("NON-GRAPH TOGETHER", "", rows, e_ng, p_ng))
    table.append(_row("  of which scenarios", "", rows, e_sc, p_sc))
    title = f"{size:,} transactions: non-graph scenarios, DuckDB engine vs pandas (best of {eng['repeats']})"
    lines.append(h.table(HEADERS, table, title))
    lines.append("")
    table = [_row(n, eng["alerts"].get(n, 0), rows, et[n], pt[n]) for n in GRAPH]
    table.append(_row("graph together", "", rows, sum(et[n] for n in GRAPH), sum(pt[n] for n in GRAPH)))
    lines.append(h.table(HEADERS, table, f"{size:,} transactions: graph scenarios, on their own"))
    lines.append("")
    rate, ratio = (rows / e_ng, p_ng / e_ng) if e_ng else (0.0, 0.0)
    lines.append(
        f"non-graph together (prepare included): {rate:,.0f} transactions/s, target >= {TARGET_RATE:,} "
        f"({'met' if rate >= TARGET_RATE else 'NOT met'}); {ratio:.1f}x pandas, target >= {TARGET_RATIO:.0f}x "
        f"({'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    memory = (
        f"peak memory (VmHWM, input tables included): engine {eng['peak_gb']:.2f} GB, pandas "
        f"{pdx['peak_gb']:.2f} GB; input tables {eng['input_gb']:.2f} GB in Arrow (memory-mapped; RSS after "
        f"opening them {eng['rss_input_gb']:.2f} GB)"
    )
    if size >= 10_000_000:
        memory += f"; target < {TARGET_MEMORY_GB:.0f} GB ({'met' if eng['peak_gb'] < TARGET_MEMORY_GB else 'NOT met'})"
    lines.append(memory)
    lines.append(
        f"whole run: engine {h.secs(eng['wall_s'])} wall, {h.secs(eng['cpu_s'])} CPU (all threads); pandas "
        f"{h.secs(pdx['wall_s'])} wall, {h.secs(pdx['cpu_s'])} CPU; 1-minute load average after each run: "
        f"engine {', '.join(f'{x:.1f}' for x in eng['loads'])}, pandas {', '.join(f'{x:.1f}' for x in pdx['loads'])}"
    )
    lines.append(check_line(check))
    return lines


def main() -> None:
    p = h.parser(__doc__.splitlines()[0])
    add_args(p)
    args = p.parse_args()
    if args.worker:
        h.setup_django()
        h.emit(extraction_worker(args))
        return
    if args.compute:
        h.emit(compute_worker(args))
        return
    sizes: list[int] = args.sizes
    chosen = h.vendors(args.database)
    info = h.machine_info(args.pg_admin_url, "postgres" in chosen)
    info.append(("load average at start", ", ".join(f"{x:.2f}" for x in os.getloadavg())))
    started = time.perf_counter()
    per_size = []
    with tempfile.TemporaryDirectory(prefix="bankcrm_bench_monitoring_") as tmp:
        work = Path(tmp)
        planted: dict[str, Any] = {}
        if args.planted:
            print(f"... planted ledger of {args.planted:,} rows: engine and pandas", file=sys.stderr, flush=True)
            write_tables(work / "planted", planted_ledger(args.planted))
            for what in ("engine", "pandas"):
                planted[what] = run_compute(what, work / "planted", work / f"planted-{what}.jsonl")
            planted["check"] = compare(work / "planted-engine.jsonl", work / "planted-pandas.jsonl")

        base = work / "base"
        extraction: dict[str, dict[str, Any]] = {}
        for i, vendor in enumerate(chosen):
            print(f"... {vendor}: load {sizes[0]:,} transactions, extract them", file=sys.stderr, flush=True)
            extra = ["--transactions", str(sizes[0])] + (["--dump", str(base)] if i == 0 else [])
            extraction[vendor] = h.run_worker(__file__, vendor, args.pg_admin_url, extra)

        for size in sizes:
            path = base
            if size != sizes[0]:
                print(f"... replicate to {size:,} transactions in Arrow", file=sys.stderr, flush=True)
                path = work / f"size{size}"
                scaled = scale(read_tables(base), size)
                write_tables(path, scaled)
                del scaled
                gc.collect()
            runs: dict[str, list[dict[str, Any]]] = {"engine": [], "pandas": []}
            for rep in range(args.repeat):
                for what in ("engine", "pandas"):
                    print(f"... {size:,}: {what} ({rep + 1}/{args.repeat})", file=sys.stderr, flush=True)
                    runs[what].append(run_compute(what, path, work / f"{what}{size}.jsonl"))
            check = compare(work / f"engine{size}.jsonl", work / f"pandas{size}.jsonl")
            per_size.append((size, best_of(runs["engine"]), best_of(runs["pandas"]), check))
            if path != base:
                for name in ("transactions", "accounts", "parties"):
                    Path(f"{path}.{name}").unlink()

    out: list[str] = []
    info += list(per_size[0][1]["versions"].items())
    out.append(h.table(["machine", ""], info, "Machine", left=(0, 1)))
    out.append("")
    rows = []
    for vendor, r in extraction.items():
        total = r["transactions_s"] + r["accounts_parties_s"]
        rows.append(
            [
                vendor,
                h.num(r["rows"]),
                h.secs(r["transactions_s"]),
                h.secs(r["accounts_parties_s"]),
                _rate(r["rows"], total),
                f"{r['accounts']:,} / {r['parties']:,}",
            ]
        )
    first = extraction[chosen[0]]
    out.append(
        h.table(
            [
                "database",
                "transactions",
                "transactions table",
                "accounts + parties",
                "transactions/s",
                "accounts / parties",
            ],
            rows,
            f"Extraction (monitoring.extract.tables: Django ORM -> Arrow, USD conversion), {first['real']:,} real "
            f"Berka rows + replicas, booked up to {first['last_day']}",
        )
    )
    out.append("")
    if planted:
        out.append(
            f"Check on a planted ledger ({args.planted:,} rows, every scenario fires: "
            + ", ".join(f"{k} {v:,}" for k, v in planted["engine"]["alerts"].items())
            + ")"
        )
        out.append(check_line(planted["check"]))
        out.append("")
    for size, eng, pdx, check in per_size:
        out += report_size(size, eng, pdx, check)
        out.append("")
    out.append(
        "Engine: Ibis expressions on in-process DuckDB (all cores); pandas: one thread. Reading the Arrow input "
        f"is not timed. Whole benchmark {time.perf_counter() - started:.0f} s; load average at the end: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    print("\n".join(out))


if __name__ == "__main__":
    main()
