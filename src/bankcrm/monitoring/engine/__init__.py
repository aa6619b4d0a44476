"""AML transaction-monitoring scenario engine (pure computation, no Django import).

Scenarios are Ibis expressions executed by DuckDB in-process on Arrow tables (DESIGN: analytics
on an embedded engine that scales out: the same expressions run on the PostgreSQL or PySpark Ibis
backends, passed as ``connection=``). The Django side extracts the OLTP tables to Arrow with the
schemas in :mod:`.schema`, loads :class:`Thresholds` from the database and turns the returned
:class:`AlertCandidate` list into alerts and AML cases.

Public API::

    run_scenarios(tables, *, thresholds, date_from, date_to, scenarios=None, backend="duckdb",
                  connection=None) -> list[AlertCandidate]
    ctr_aggregates(tables, *, date_from, date_to, threshold_cents=1_000_000, backend="duckdb",
                   connection=None) -> list[dict]
    high_risk_countries() -> frozenset[str]
    Thresholds, AlertCandidate, EngineInputError, SCENARIOS,
    TRANSACTIONS_SCHEMA, ACCOUNTS_SCHEMA, PARTIES_SCHEMA, prepare_tables

The rules are listed in :mod:`.scenarios` (non-graph) and :mod:`.graph` (fan-in, fan-out, cycles).
"""

from bankcrm.monitoring.engine.geography import high_risk_countries
from bankcrm.monitoring.engine.runner import ctr_aggregates, run_scenarios
from bankcrm.monitoring.engine.schema import (
    ACCOUNTS_SCHEMA,
    PARTIES_SCHEMA,
    TABLE_SCHEMAS,
    TRANSACTIONS_SCHEMA,
    prepare_tables,
)
from bankcrm.monitoring.engine.thresholds import Thresholds
from bankcrm.monitoring.engine.types import SCENARIOS, AlertCandidate, EngineInputError

__all__ = [
    "ACCOUNTS_SCHEMA",
    "PARTIES_SCHEMA",
    "SCENARIOS",
    "TABLE_SCHEMAS",
    "TRANSACTIONS_SCHEMA",
    "AlertCandidate",
    "EngineInputError",
    "Thresholds",
    "ctr_aggregates",
    "high_risk_countries",
    "prepare_tables",
    "run_scenarios",
]
