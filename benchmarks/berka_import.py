"""Benchmark: the whole Berka import (``import_berka``) on a fresh SQLite and PostgreSQL database.

Run: ``.venv/bin/python benchmarks/berka_import.py [--database sqlite|postgres|both]``

What is measured, per database (each in its own subprocess on a new, empty database, after
``migrate``; process start and migrate are not timed):

- **whole import**: ``import_berka(actor=None, directory=data/berka-pkdd99)``: parse and validate
  every file, then load every entity in one transaction, commit included. Rows created is the sum
  of ``report.created``. Within it, the time spent parsing (``parse_directory``) and in
  ``bulk_load_transactions`` for the 49,102 transactions (commit not included: the commit is
  the import's) are timed by wrapping those two functions.
- **idempotent re-run**: the same call a second time, which must create nothing.
- **baseline**: the straightforward way to load ledger rows: ``Transaction.objects.create()``
  one row per call for the first ``--orm-sample`` (default 5,000) transactions of
  ``trans_head.asc`` with the same field values, onto the already imported accounts (only
  ``source_system`` differs, so the unique source key does not collide), all inside one
  ``transaction.atomic`` (no per-row commit: the baseline is not handicapped) that is then rolled
  back with ``transaction.set_rollback(True)``.

Ours vs baseline: ``bulk_load_transactions`` rows/s on the import's 49,102 transactions against
the ORM's rows/s. Target: whole Berka import < 5 s on SQLite. No timing is asserted.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import _harness as h

DATA = Path("data/berka-pkdd99")
TARGET = "whole Berka import < 5 s on SQLite"
TARGET_SECONDS = 5.0


def add_args(p: argparse.ArgumentParser) -> list[str]:
    p.add_argument("--orm-sample", type=int, default=5_000, help="rows for the ORM baseline (default 5,000)")
    return ["orm_sample"]


def worker(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction

    from bankcrm.datasets.berka import loader
    from bankcrm.datasets.common import existing_source_ids
    from bankcrm.holdings import services as holdings
    from bankcrm.holdings.models import Account, Transaction

    # Time the parse and the transaction bulk load inside the import by wrapping both functions
    # where the loader looks them up (two extra Python calls: no measurable overhead).
    t: dict[str, Any] = {"parse_s": 0.0, "txn_s": 0.0, "txn_rows": 0, "txn_batches": 0}
    captured: dict[str, Any] = {}
    real_parse, real_bulk = loader.parse_directory, holdings.bulk_load_transactions

    def timed_parse(directory: Path) -> Any:
        t0 = time.perf_counter()
        data = real_parse(directory)
        t["parse_s"] += time.perf_counter() - t0
        captured["data"] = data
        return data

    def timed_bulk(**kwargs: Any) -> Any:
        t0 = time.perf_counter()
        result = real_bulk(**kwargs)
        t["txn_s"] += time.perf_counter() - t0
        t["txn_rows"] += result.rows
        t["txn_batches"] += result.batches
        return result

    loader.parse_directory = timed_parse
    holdings.bulk_load_transactions = timed_bulk

    t0 = time.perf_counter()
    report = loader.import_berka(actor=None, directory=DATA)
    import_s = time.perf_counter() - t0
    first = dict(t)

    for key in t:
        t[key] = 0 if isinstance(t[key], int) else 0.0
    t0 = time.perf_counter()
    again = loader.import_berka(actor=None, directory=DATA)
    rerun_s = time.perf_counter() - t0

    # Baseline: Model.objects.create() per row, same Berka rows, one transaction, rolled back.
    data = captured["data"]
    account_pk = existing_source_ids(Account, loader.SOURCE)
    sample = [
        {
            "account_id": account_pk[f"account:{x.account_id}"],
            "booking_date": x.booking_date,
            "direction": x.direction,
            "amount_minor": x.amount_minor,
            "currency": loader.CURRENCY,
            "balance_after_minor": x.balance_minor,
            "type": x.type,
            "operation": x.operation,
            "purpose": x.purpose,
            "is_cash": x.is_cash,
            "channel": x.channel,
            "counterparty_bank": x.bank,
            "counterparty_account": x.account,
            "country": "CZ",
            "source_system": "bench-orm",
            "source_id": f"trans:{x.trans_id}",
        }
        for x in data.transactions[: args.orm_sample]
    ]
    before = Transaction.objects.count()
    with transaction.atomic():
        t0 = time.perf_counter()
        for kwargs in sample:
            Transaction.objects.create(**kwargs)
        orm_s = time.perf_counter() - t0
        transaction.set_rollback(True)
    after = Transaction.objects.count()

    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("select sqlite_version()")
        else:
            cur.execute("show server_version")
        server = cur.fetchone()[0]
    return {
        "vendor": connection.vendor,
        "server": server,
        "import_s": import_s,
        "created": report.created,
        "created_total": sum(report.created.values()),
        "parse_s": first["parse_s"],
        "txn_s": first["txn_s"],
        "txn_rows": first["txn_rows"],
        "txn_batches": first["txn_batches"],
        "rerun_s": rerun_s,
        "rerun_created_total": sum(again.created.values()),
        "rerun_unchanged_total": sum(again.unchanged.values()),
        "orm_rows": len(sample),
        "orm_s": orm_s,
        "orm_rolled_back": before == after,
        "transactions_in_db": after,
    }


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]], info: list[tuple[str, str]]) -> None:
    print()
    print(h.table(["machine", ""], info, "Machine", left=(0, 1)))
    print()
    rows = []
    for vendor, r in results.items():
        target = ""
        if vendor == "sqlite":
            target = f"target: {TARGET} ({'met' if r['import_s'] < TARGET_SECONDS else 'NOT met'})"
        rows.append(
            [
                vendor,
                h.secs(r["import_s"]),
                h.num(r["created_total"]),
                h.num(r["created_total"] / r["import_s"]),
                h.secs(r["parse_s"]),
                h.secs(r["txn_s"]),
                h.secs(r["rerun_s"]),
                target,
            ]
        )
    print(
        h.table(
            [
                "database",
                "whole import",
                "rows created",
                "rows/s",
                "of which parse",
                "transactions part",
                "2nd run (no-op)",
                "",
            ],
            rows,
            "Whole Berka import (import_berka: parse + validate + load + commit)",
            left=(0, 7),
        )
    )
    print()
    rows = []
    for vendor, r in results.items():
        ours = r["txn_rows"] / r["txn_s"] if r["txn_s"] else 0.0
        base = r["orm_rows"] / r["orm_s"] if r["orm_s"] else 0.0
        rows.append(
            [
                vendor,
                f"{h.num(ours)} rows/s ({h.num(r['txn_rows'])} rows, {h.secs(r['txn_s'])})",
                f"{h.num(base)} rows/s ({h.num(r['orm_rows'])} rows, {h.secs(r['orm_s'])})",
                h.ratio(ours, base),
            ]
        )
    print(
        h.table(
            ["database", "ours: bulk_load_transactions", "baseline: ORM create() per row", "ratio"],
            rows,
            "Transactions: ours vs baseline",
        )
    )
    print()
    for vendor, r in results.items():
        created = ", ".join(f"{k}={v:,}" for k, v in r["created"].items())
        print(f"{vendor}: created {created}")
        print(
            f"{vendor}: 2nd run created {r['rerun_created_total']:,} rows, {r['rerun_unchanged_total']:,} unchanged; "
            f"ORM sample rolled back: {'yes' if r['orm_rolled_back'] else 'NO'}; "
            f"transactions in db: {r['transactions_in_db']:,}; server {r['server']}"
        )
    print(f"Target: {TARGET}. Figures are wall-clock (time.perf_counter); nothing is asserted.")


if __name__ == "__main__":
    h.main(__file__, __doc__.splitlines()[0], worker, report, add_args)
