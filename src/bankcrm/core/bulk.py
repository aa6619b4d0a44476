"""Fast batched INSERT of model instances for data-set loads.

Django's ``bulk_create`` prepares every value through the full field API (about 60 µs per row
here), which alone would take the Berka import past its 5-second target. This helper reads the
already-defaulted attribute values of unsaved instances, converts them with one precomputed
converter per column (the same adaptations Django applies: UUID as 32 hex characters and dates as
ISO text on SQLite, JSON through ``connection.ops.adapt_json_value``, datetimes through
``connection.ops.adapt_datetimefield_value``) and sends them with ``executemany`` (SQLite) or
``COPY`` (PostgreSQL). Model ``save()`` logic and signals are skipped, exactly as with
``bulk_create``; callers run it inside their transaction and audit per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


def _identity(value: Any) -> Any:
    return value


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    kind = target.get_internal_type()
    sqlite = connection.vendor == "sqlite"
    if kind == "UUIDField":
        return (lambda v: v.hex if v is not None else None) if sqlite else _identity
    if kind == "DateField":
        return (lambda v: v.isoformat() if v is not None else None) if sqlite else _identity
    if kind == "DateTimeField":
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: adapt(v) if v is not None else None
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        adapt_json = connection.ops.adapt_json_value
        return lambda v: adapt_json(v, encoder)
    if kind == "BinaryField":
        return lambda v: bytes(v) if v is not None else None
    return _identity


def insert_instances(model: type[models.Model], objects: Sequence[models.Model], *, batch_size: int = 5000) -> int:
    """INSERT unsaved ``objects`` of ``model`` (auto-increment keys are left to the database).

    Returns:
        The number of rows inserted.

    Raises:
        django.db.IntegrityError: a constraint is violated (the caller's transaction rolls back).
    """
    if not objects:
        return 0
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    columns = [str(f.column) for f in fields]
    attnames = [f.attname for f in fields]
    converters = [_converter(f) for f in fields]
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    for start in range(0, len(objects), batch_size):
        chunk = objects[start : start + batch_size]
        rows = [
            tuple(conv(getattr(obj, name)) for conv, name in zip(converters, attnames, strict=True)) for obj in chunk
        ]
        # wrap_database_errors: raw-driver errors surface as django.db errors (IntegrityError, ...).
        with connection.wrap_database_errors, connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cur.cursor.executemany(
                    f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
    return len(objects)


def analyze(models_: Sequence[type[models.Model]]) -> None:
    """Refresh the query planner's statistics for these tables after a bulk load, so the first
    searches do not run on plans made for empty tables (PostgreSQL ANALYZE; SQLite ANALYZE)."""
    with connection.cursor() as cur:
        for model in models_:
            cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
