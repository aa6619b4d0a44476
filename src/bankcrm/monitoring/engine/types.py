"""Result and error types of the AML scenario engine (pure engine, no Django import)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

__all__ = ["SCENARIOS", "AlertCandidate", "EngineInputError", "alert_key"]

#: Every scenario the engine knows, in the order :func:`run_scenarios` reports them.
SCENARIOS: tuple[str, ...] = (
    "ctr",
    "structuring",
    "rapid_movement",
    "baseline_deviation",
    "high_risk_geography",
    "dormant_reactivation",
    "round_amounts",
    "fan_in",
    "fan_out",
    "cycle",
)


class EngineInputError(ValueError):
    """An input table, column, value, threshold or argument is invalid.

    The message starts with the field it is about (``transactions.amount_usd_cents``,
    ``thresholds.ctr_threshold_cents``, ``scenarios``, ...), so the caller can show it as is.
    """


def alert_key(scenario: str, subject: str, period_start: date, *qualifiers: str) -> str:
    """Stable dedupe key: ``scenario:subject[:qualifier...]:YYYY-MM-DD``.

    ``subject`` is a party or account id, or for multi-account scenarios a digest of the sorted
    account ids (:func:`digest`). The key depends only on the data, never on the run's date range, so
    a re-run over the same activity yields the same key (the caller suppresses what it already has).
    """
    parts = [scenario, subject, *qualifiers, period_start.isoformat()]
    return ":".join(parts)


def digest(ids: tuple[str, ...]) -> str:
    """16 hex digits of SHA-256 over the ids joined by a newline: a short, stable name for a set."""
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class AlertCandidate:
    """One alert a scenario raised; the caller turns it into an ``Alert`` row (or drops it as known).

    Attributes:
        scenario: one of :data:`SCENARIOS`.
        party_id: the party the alert is about (for account-level scenarios the account's owner; for
            a cycle the owner of the account where the money started). ``None`` only when no
            account of the bank is involved, which the engine never emits today.
        account_ids: the bank's accounts involved, sorted.
        period_start, period_end: first and last day of the activity the alert covers (inclusive).
        score: 0-100; higher is more urgent (formula per scenario in ``scenarios.py``).
        txn_ids: the evidence, sorted ascending: the transactions the rule counted.
        facts: JSON-ready figures (ints, strings, bools, lists of them; dates as ISO strings; money
            in USD cents with ``*_cents`` names), including the thresholds used.
        explanation: one English sentence a person can read.
        key: stable dedupe key (:func:`alert_key`).
    """

    scenario: str
    party_id: str | None
    account_ids: tuple[str, ...]
    period_start: date
    period_end: date
    score: int
    txn_ids: tuple[int, ...]
    facts: dict[str, object] = field(hash=False)
    explanation: str
    key: str
