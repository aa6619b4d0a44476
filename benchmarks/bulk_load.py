"""Benchmark: bulk load of a million ledger rows (``replicate_berka``) vs row-by-row ORM inserts.

Run: ``.venv/bin/python benchmarks/bulk_load.py [--database sqlite|postgres|both] [--transactions N]``

Per database, in its own subprocess on a new, empty database: ``migrate``, ``import_berka`` of
``data/berka-pkdd99`` (timed, but not the headline), then
``replicate_berka(actor=None, transactions=N)`` (N = 1,000,000 by default).

Replication rule (``src/bankcrm/datasets/replicate.py``): replica r = 1, 2, ... gives every
Berka account that has transactions (in Berka account-id order) a new synthetic person party
(deterministic Czech-style identity keyed by 10,000,000 + 100,000 * r + Berka account id, same
branch) owning one new synthetic account, and copies every transaction of the source account
onto it with the same booking date, direction, amount, balance, operation and purpose (and the
other ledger fields); replicas are added until N rows exist and the last replica is cut at N.
Rows are flagged synthetic and carry ``load_batch = "replica:N"``; a re-run with the same N does
nothing.

Figures:

- **ours (headline)**: ``result.transactions / result.load_seconds``: rows/s of
  ``bulk_load_transactions`` alone (multi-row ``executemany`` on SQLite, binary ``COPY`` on
  PostgreSQL), commit not included;
- set-up seconds (reading the Berka ledger, creating the replica parties, accounts and roles) and
  the wall time of the whole ``replicate_berka`` call, commit included;
- **baseline**: ``Transaction.objects.create()`` one row per call for a ``--orm-sample`` (default
  20,000) sample with the same field values as the first replicated rows (Berka transactions
  re-targeted to the replica accounts), inside one ``transaction.atomic`` (no per-row commit)
  that is rolled back at the end, so the database is left as the bulk load made it.

Target: >= 100,000 rows/s. No timing is asserted.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import _harness as h

DATA = Path("data/berka-pkdd99")
TARGET = ">= 100,000 rows/s"
TARGET_ROWS_PER_SECOND = 100_000
RULE = (
    "replica r=1,2,...: each Berka account with transactions -> new synthetic party + account "
    "(key 10,000,000 + 100,000*r + Berka account id, same branch), all its transactions copied "
    "(same date, direction, amount, balance, operation, purpose); replicas added account by account "
    "until N rows; rows synthetic, load_batch 'replica:N' (src/bankcrm/datasets/replicate.py)"
)


def add_args(p: argparse.ArgumentParser) -> list[str]:
    p.add_argument("--transactions", type=int, default=1_000_000, help="rows to replicate (default 1,000,000)")
    p.add_argument("--orm-sample", type=int, default=20_000, help="rows for the ORM baseline (default 20,000)")
    return ["transactions", "orm_sample"]


def worker(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction

    from bankcrm.datasets.berka.loader import import_berka
    from bankcrm.datasets.replicate import replicate_berka
    from bankcrm.holdings.models import Transaction
    from bankcrm.holdings.services import COLUMNS

    t0 = time.perf_counter()
    import_berka(actor=None, directory=DATA)
    import_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = replicate_berka(actor=None, transactions=args.transactions)
    wall_s = time.perf_counter() - t0

    # Baseline: the first replicated rows, inserted again one ORM create() per row, rolled back.
    label = f"replica:{args.transactions}"
    sample = list(Transaction.objects.filter(load_batch=label).order_by("id").values(*COLUMNS)[: args.orm_sample])
    before = Transaction.objects.count()
    with transaction.atomic():
        t0 = time.perf_counter()
        for kwargs in sample:
            Transaction.objects.create(**kwargs)
        orm_s = time.perf_counter() - t0
        transaction.set_rollback(True)
    after = Transaction.objects.count()

    with connection.cursor() as cur:
        cur.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        server = cur.fetchone()[0]
    return {
        "vendor": connection.vendor,
        "server": server,
        "import_s": import_s,
        "transactions": result.transactions,
        "accounts": result.accounts,
        "skipped": result.skipped,
        "setup_s": result.setup_seconds,
        "load_s": result.load_seconds,
        "wall_s": wall_s,
        "orm_rows": len(sample),
        "orm_s": orm_s,
        "orm_rolled_back": before == after,
        "transactions_in_db": after,
    }


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]], info: list[tuple[str, str]]) -> None:
    print()
    print(h.table(["machine", ""], info, "Machine", left=(0, 1)))
    print()
    print(f"Replication rule: {RULE}")
    print()
    rows = []
    for vendor, r in results.items():
        ours = r["transactions"] / r["load_s"] if r["load_s"] else 0.0
        base = r["orm_rows"] / r["orm_s"] if r["orm_s"] else 0.0
        met = "met" if ours >= TARGET_ROWS_PER_SECOND else "NOT met"
        rows.append(
            [
                vendor,
                h.num(r["transactions"]),
                h.num(ours),
                h.num(base),
                h.ratio(ours, base),
                f"{TARGET} ({met})",
            ]
        )
    print(
        h.table(
            ["database", "rows loaded", "bulk rows/s (ours)", "ORM rows/s (baseline)", "ratio", "target"],
            rows,
            f"Bulk load of {args.transactions:,} replicated transactions vs ORM create() per row",
            left=(0, 5),
        )
    )
    print()
    rows = []
    for vendor, r in results.items():
        rows.append(
            [
                vendor,
                h.secs(r["load_s"]),
                h.secs(r["setup_s"]),
                h.num(r["accounts"]),
                h.secs(r["wall_s"]),
                f"{h.num(r['orm_rows'])} rows in {h.secs(r['orm_s'])}",
                h.secs(r["import_s"]),
            ]
        )
    print(
        h.table(
            [
                "database",
                "bulk load",
                "set-up",
                "replica accounts",
                "replicate wall (+commit)",
                "ORM baseline",
                "Berka import (untimed in headline)",
            ],
            rows,
            "Times",
        )
    )
    print()
    for vendor, r in results.items():
        print(
            f"{vendor}: transactions in db after the run: {r['transactions_in_db']:,}; ORM sample rolled back: "
            f"{'yes' if r['orm_rolled_back'] else 'NO'}; skipped: {r['skipped']}; server {r['server']}"
        )
    print(f"Target: {TARGET} (bulk load only). Figures are wall-clock (time.perf_counter); nothing is asserted.")


if __name__ == "__main__":
    h.main(__file__, __doc__.splitlines()[0], worker, report, add_args)
