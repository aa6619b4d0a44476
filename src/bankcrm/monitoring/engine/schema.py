"""Input tables of the AML scenario engine: explicit Arrow schemas and their validation.

The Django side extracts the OLTP tables to Arrow with these schemas (DESIGN decision 4: an explicit
schema, because SQLite would otherwise sum decimals in floating point and ADBC returns PostgreSQL
NUMERIC as strings) and hands them to :func:`bankcrm.monitoring.engine.run_scenarios`.

``transactions`` (:data:`TRANSACTIONS_SCHEMA`), one row per booked ledger movement:

=========================  ========  ========  ==========================================================
column                     type      nullable  meaning
=========================  ========  ========  ==========================================================
``txn_id``                 int64     no        ledger key, unique
``account_id``             string    no        the bank's account (must be in ``accounts``)
``party_id``               string    no        the account's primary owner (CTR aggregates per person)
``booking_date``           date32    no        booking date (bank's local date)
``amount_usd_cents``       int64     no        amount in US cents, >= 0 (converted at the rate table)
``direction``              string    no        ``"credit"`` (money in) or ``"debit"`` (money out)
``is_cash``                bool      no        currency (cash) changed hands: CTR and structuring
``channel``                string    no        ``branch``, ``atm``, ``transfer``, ``internal``, ``online``
``branch_id``              string    yes       branch where it happened (cash), for the evidence
``counterparty_account``   string    yes       the other account of a transfer; for a transfer between
                                               two of the bank's accounts it must be that account's
                                               ``account_id``, so both sides meet in the graph
``counterparty_country``   string    yes       ISO 3166-1 alpha-2 of the other side
``currency``               string    no        ISO 4217 of the original amount
``amount_minor``           int64     no        original amount in that currency's minor units, >= 0
=========================  ========  ========  ==========================================================

``accounts`` (:data:`ACCOUNTS_SCHEMA`): ``account_id`` string (unique), ``opened_on`` date32
(nullable: unknown), ``party_id`` string. ``parties`` (:data:`PARTIES_SCHEMA`): ``party_id`` string
(unique), ``country`` string (nullable ISO2), ``risk_rating`` string (nullable).

Columns may arrive in any order and with castable types (e.g. int32 amounts, large_string);
extra columns are ignored. In nullable string columns an empty string means null (the Django
models store "no counterparty" as ``""``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from bankcrm.monitoring.engine.types import EngineInputError

__all__ = [
    "ACCOUNTS_SCHEMA",
    "PARTIES_SCHEMA",
    "TABLE_SCHEMAS",
    "TRANSACTIONS_SCHEMA",
    "prepare_tables",
]

TRANSACTIONS_SCHEMA = pa.schema(
    [
        pa.field("txn_id", pa.int64(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("party_id", pa.string(), nullable=False),
        pa.field("booking_date", pa.date32(), nullable=False),
        pa.field("amount_usd_cents", pa.int64(), nullable=False),
        pa.field("direction", pa.string(), nullable=False),
        pa.field("is_cash", pa.bool_(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("branch_id", pa.string(), nullable=True),
        pa.field("counterparty_account", pa.string(), nullable=True),
        pa.field("counterparty_country", pa.string(), nullable=True),
        pa.field("currency", pa.string(), nullable=False),
        pa.field("amount_minor", pa.int64(), nullable=False),
    ]
)
"""Arrow schema of the ``transactions`` input table."""

ACCOUNTS_SCHEMA = pa.schema(
    [
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("opened_on", pa.date32(), nullable=True),
        pa.field("party_id", pa.string(), nullable=False),
    ]
)
"""Arrow schema of the ``accounts`` input table."""

PARTIES_SCHEMA = pa.schema(
    [
        pa.field("party_id", pa.string(), nullable=False),
        pa.field("country", pa.string(), nullable=True),
        pa.field("risk_rating", pa.string(), nullable=True),
    ]
)
"""Arrow schema of the ``parties`` input table."""

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "transactions": TRANSACTIONS_SCHEMA,
    "accounts": ACCOUNTS_SCHEMA,
    "parties": PARTIES_SCHEMA,
}
"""Input table name -> its Arrow schema."""


def _conform(name: str, table: object, schema: pa.Schema) -> pa.Table:
    """``table`` cast to ``schema`` (columns in schema order), or :class:`EngineInputError`."""
    if not isinstance(table, pa.Table):
        raise EngineInputError(f"{name}: expected a pyarrow.Table, got {type(table).__name__}")
    arrays = []
    for f in schema:
        if f.name not in table.column_names:
            raise EngineInputError(f"{name}.{f.name}: missing column")
        col = table.column(f.name)
        if col.type != f.type:
            try:
                col = col.cast(f.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                raise EngineInputError(f"{name}.{f.name}: expected {f.type}, got {col.type}") from None
        if f.nullable and pa.types.is_string(f.type):
            empty = pc.equal(col, "")
            # Only copy the column when it has empty strings to null out (a 10M-row copy costs ~1 s).
            if pc.any(empty).as_py():
                col = pc.if_else(empty, pa.scalar(None, pa.string()), col)
        if not f.nullable and col.null_count:
            raise EngineInputError(f"{name}.{f.name}: {col.null_count} null value(s) in a required column")
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=schema)


def _check_unique(name: str, col: pa.ChunkedArray) -> None:
    # Fast path: extraction hands ids over in strictly increasing order (primary-key order), which
    # proves uniqueness in one vectorised pass; otherwise count the distinct values (hashing).
    if len(col) > 1 and pa.types.is_integer(col.type):
        flat = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        if pc.all(pc.greater(flat.slice(1), flat.slice(0, len(flat) - 1))).as_py():
            return
    if pc.count_distinct(col).as_py() != len(col):
        raise EngineInputError(f"{name}: values must be unique")


def prepare_tables(tables: Mapping[str, object]) -> dict[str, pa.Table]:
    """Validate the three input tables and return them conformed to their schemas.

    Args:
        tables: ``{"transactions": ..., "accounts": ..., "parties": ...}`` as ``pyarrow.Table``.

    Returns:
        The same three names mapped to tables with exactly :data:`TABLE_SCHEMAS` (nothing added).

    Raises:
        EngineInputError: a table or column is missing, a type cannot be cast safely, a required
            column holds nulls, ``amount_usd_cents`` or ``amount_minor`` is negative, ``direction`` is
            not ``credit``/``debit``, a key is duplicated, or a transaction names an account (or an
            account a party) that is not in the other table. The message names the field.
    """
    if not isinstance(tables, Mapping):
        raise EngineInputError(
            f"tables: expected a mapping of table name to pyarrow.Table, got {type(tables).__name__}"
        )
    out: dict[str, pa.Table] = {}
    for name, schema in TABLE_SCHEMAS.items():
        if name not in tables:
            raise EngineInputError(f"{name}: missing table (expected {', '.join(TABLE_SCHEMAS)})")
        out[name] = _conform(name, tables[name], schema)
    tx, acc, par = out["transactions"], out["accounts"], out["parties"]
    for col in ("amount_usd_cents", "amount_minor"):
        if len(tx) and pc.min(tx[col]).as_py() < 0:
            raise EngineInputError(f"transactions.{col}: amounts must be >= 0 (direction gives the sign)")
    bad = pc.invert(pc.is_in(tx["direction"], value_set=pa.array(["credit", "debit"])))
    if pc.any(bad).as_py():
        first = tx["direction"].filter(bad)[0].as_py()
        raise EngineInputError(f"transactions.direction: expected 'credit' or 'debit', got {first!r}")
    _check_unique("transactions.txn_id", tx["txn_id"])
    _check_unique("accounts.account_id", acc["account_id"])
    _check_unique("parties.party_id", par["party_id"])
    unknown = pc.invert(pc.is_in(tx["account_id"], value_set=acc["account_id"].combine_chunks()))
    if pc.any(unknown).as_py():
        first = tx["account_id"].filter(unknown)[0].as_py()
        raise EngineInputError(f"transactions.account_id: {first!r} is not in accounts")
    unknown = pc.invert(pc.is_in(acc["party_id"], value_set=par["party_id"].combine_chunks()))
    if pc.any(unknown).as_py():
        first = acc["party_id"].filter(unknown)[0].as_py()
        raise EngineInputError(f"accounts.party_id: {first!r} is not in parties")
    return out
