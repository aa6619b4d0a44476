"""Writes to holdings. ``bulk_load_transactions`` is the one path for high-volume ledger loads."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from django.db import connection, transaction

from bankcrm.audit import services as audit
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.core.money import MINOR_UNITS
from bankcrm.holdings.models import Transaction
from bankcrm.identity.models import User

DIRECTIONS = {c.value for c in Transaction.Direction}
CHANNELS = {c.value for c in Transaction.Channel} | {""}


class TransactionRow(NamedTuple):
    """One ledger row for :func:`bulk_load_transactions`; money in minor units of ``currency``."""

    account_id: uuid.UUID
    booking_date: dt.date
    direction: str
    amount_minor: int
    currency: str
    balance_after_minor: int | None = None
    type: str = ""
    operation: str = ""
    purpose: str = ""
    is_cash: bool = False
    channel: str = ""
    counterparty_bank: str = ""
    counterparty_account: str = ""
    country: str = ""
    source_system: str = ""
    source_id: str = ""
    is_synthetic: bool = False


COLUMNS = (*TransactionRow._fields, "load_batch")


@dataclass(frozen=True)
class BulkLoadResult:
    """Rows written, batches (one audit event each) and the load's batch label."""

    rows: int
    batches: int
    load_batch: str


def _check(row: TransactionRow, n: int) -> None:
    loc = f"row {n}"
    if row.direction not in DIRECTIONS:
        raise ValidationFailed([FieldProblem("direction", f"must be credit or debit, got {row.direction!r}", loc)])
    if not isinstance(row.amount_minor, int) or row.amount_minor < 0:
        raise ValidationFailed([FieldProblem("amount_minor", "must be a non-negative integer", loc)])
    if row.currency not in MINOR_UNITS:
        raise ValidationFailed([FieldProblem("currency", f"unsupported currency {row.currency!r}", loc)])
    if row.channel not in CHANNELS:
        raise ValidationFailed([FieldProblem("channel", f"unknown channel {row.channel!r}", loc)])


def _batches(rows: Iterable[TransactionRow], size: int) -> Iterator[list[TransactionRow]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


#: PostgreSQL types of COLUMNS, for binary COPY.
_PG_TYPES = (
    "uuid",
    "date",
    "text",
    "int8",
    "text",
    "int8",
    "text",
    "text",
    "text",
    "bool",
    "text",
    "text",
    "text",
    "text",
    "text",
    "text",
    "bool",
    "text",
)


def _insert_postgresql(batch: list[TransactionRow], load_batch: str) -> None:
    # Binary COPY: one round trip per batch and no text parsing on the server. Measured once while
    # choosing (196,408 rows, this machine): 1.0 s binary vs 2.1 s text formatting + text COPY.
    # wrap_database_errors: raw-driver errors surface as django.db errors (IntegrityError, ...).
    with (
        connection.wrap_database_errors,
        connection.cursor() as cur,
        cur.cursor.copy(f"COPY holdings_transaction ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(_PG_TYPES)
        for row in batch:
            copy.write_row((*row, load_batch))


def _insert_sqlite(batch: list[TransactionRow], load_batch: str) -> None:
    # Django stores UUIDs on SQLite as 32 hex characters; dates as ISO text. Rows of one account
    # come together, so the hex form is cached per account.
    hexes: dict[uuid.UUID, str] = {}
    params = []
    for r in batch:
        key = hexes.get(r[0])
        if key is None:
            key = hexes[r[0]] = r[0].hex
        params.append((key, r[1].isoformat(), *r[2:], load_batch))
    marks = ", ".join("?" for _ in COLUMNS)
    # wrap_database_errors: raw-driver errors surface as django.db errors (IntegrityError, ...).
    with connection.wrap_database_errors, connection.cursor() as cur:
        cur.cursor.executemany(
            f"INSERT INTO holdings_transaction ({', '.join(COLUMNS)}) VALUES ({marks})",  # noqa: S608 - fixed columns
            params,
        )


@contextlib.contextmanager
def _bulk_cache() -> Iterator[None]:
    # A million-row load maintains a (account, date) index with random keys: give SQLite's page
    # cache room (512 MiB) for the duration so index pages are not spilled and re-read.
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        previous = cur.fetchone()[0]
        cur.execute("PRAGMA cache_size=-524288")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size={int(previous)}")


def bulk_load_transactions(
    *,
    actor: User | None,
    rows: Iterable[TransactionRow],
    source: str,
    source_sha256: str = "",
    load_batch: str = "",
    batch_size: int = 50_000,
    validate: bool = True,
) -> BulkLoadResult:
    """Insert many transactions with batched multi-row inserts (SQLite) or COPY (PostgreSQL),
    writing one audit event per batch (row count, source, source SHA-256; DESIGN decision 3).

    Args:
        rows: rows whose ``account_id`` refers to existing accounts (foreign keys are enforced).
        source: what the rows come from (a file name or a generator rule), recorded in the audit.
        load_batch: label stored on every row (default: a new UUID), to find or undo a load.
        validate: check direction, amount, currency and channel of every row first.

    Raises:
        ValidationFailed: a row is invalid; nothing is written (the whole load is one transaction).
        django.db.IntegrityError: a row refers to a missing account or repeats a source id.
    """
    label = load_batch or uuid.uuid4().hex
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_sqlite
    total = batches = 0
    with transaction.atomic(), _bulk_cache():
        for batch in _batches(rows, batch_size):
            if validate:
                for i, row in enumerate(batch, start=total + 1):
                    _check(row, i)
            insert(batch, label)
            total += len(batch)
            batches += 1
            audit.record(
                actor=actor,
                action="holdings.transactions.bulk_load",
                subject_type="load_batch",
                subject_id=label,
                payload={
                    "batch": batches,
                    "rows": len(batch),
                    "source": source,
                    "source_sha256": source_sha256,
                    "first_row_sha256": hashlib.sha256(repr(batch[0]).encode()).hexdigest(),
                },
            )
    return BulkLoadResult(rows=total, batches=batches, load_batch=label)
