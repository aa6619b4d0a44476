"""Every number the AML scenarios use, with defaults chosen from the rules and first principles.

The Django side stores these in the database (changed through maker-checker approval, audited) and
builds a :class:`Thresholds` with :meth:`Thresholds.from_mapping`. Money is in US cents; windows are
calendar days unless the name says otherwise. How each default was chosen is on its field; none was
tuned on labelled data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from bankcrm.monitoring.engine.types import EngineInputError

__all__ = ["Thresholds"]

_MAX_CYCLE_LENGTH = 8


@dataclass(frozen=True)
class Thresholds:
    """Scenario parameters. Construct with keywords; invalid values raise :class:`EngineInputError`.

    Attributes (defaults and why):
        ctr_threshold_cents: 1,000,000 (USD 10,000). CTR when a party's cash-in or cash-out on one
            business day is **more than** this (31 CFR 1010.311; exactly 10,000.00 does not trigger).
        structuring_floor_cents: 900,000. "Just under" the CTR threshold means the top 10 % below it:
            a cash transaction (or a business day's split cash) of floor <= amount <= threshold.
        structuring_window_days: 14. Near-threshold cash units each within two calendar weeks of the
            previous one form one run (spans a weekend and the next week's business days).
        structuring_min_events: 2. "Repeated": two near-threshold units in a run already avoid a CTR
            that one deposit would have caused (31 USC 5324).
        rapid_window_days: 3. Money in and (mostly) out again within 3 calendar days (Friday-Monday).
        rapid_min_in_cents: 500,000 (USD 5,000): the SAR floor (31 CFR 1020.320); below it no SAR
            would follow, so no alert is useful.
        rapid_out_ratio_pct: 90. At least 90 % of what came in went out (pass-through).
        baseline_months: 6. A party's baseline is its mean monthly turnover over the 6 full calendar
            months before the month examined; parties with less history have no baseline.
        baseline_multiplier: 5. A month's turnover at least 5x the baseline ...
        baseline_min_cents: 1,000,000 ... and at least USD 10,000 (small accounts are not alerted on).
        high_risk_min_cents: 300,000 (USD 3,000, the funds-transfer recordkeeping threshold,
            31 CFR 1010.410): a party's monthly total with counterparties in high-risk jurisdictions.
        high_risk_country_codes: ISO2 codes; ``None`` means :func:`high_risk_countries` (FATF lists).
        dormant_days: 365. An account with no customer activity for a year is dormant.
        dormant_window_days: 30. Activity counted in the 30 days from reactivation ...
        dormant_min_cents: 500,000 ... alerted from USD 5,000 (SAR floor).
        dormant_ignore_channels: ``("internal",)``: bank postings (interest, fees) are not customer
            activity and neither end nor start dormancy.
        round_unit_major: 1,000. A round amount is a whole multiple of 1,000 units of its currency.
        round_min_each_cents: 100,000. Only round amounts of at least USD 1,000 count ...
        round_min_count: 3 ... at least 3 of them in a calendar month ...
        round_min_total_cents: 1,000,000 ... together at least USD 10,000.
        fan_window_days: 30 (even). Fan-in/fan-out count distinct counterparties in 30-day windows
            that start every 15 days (any 15-day span lies inside one window).
        fan_in_min_counterparties: 5. Money from at least 5 different accounts in one window.
        fan_out_min_counterparties: 5. Money to at least 5 different accounts in one window.
        cycle_min_length, cycle_max_length: 2 and 6 accounts. Longer cycles are not searched (the
            search is a bounded self-join, one join per hop).
        cycle_window_days: 30. All hops of a cycle within 30 days of its first hop.
        cycle_amount_tolerance_pct: 20. The smallest hop moves at least 80 % of the largest hop's
            amount (money going round loses little on the way; fees and skims stay under 20 %).
        cycle_time_ordered: True. Each hop is booked on or after the previous one (money can only
            go round forward in time).
        max_evidence_txns: 1,000. Evidence lists longer than this keep the largest amounts (the
            facts say so).
    """

    ctr_threshold_cents: int = 1_000_000
    structuring_floor_cents: int = 900_000
    structuring_window_days: int = 14
    structuring_min_events: int = 2
    rapid_window_days: int = 3
    rapid_min_in_cents: int = 500_000
    rapid_out_ratio_pct: int = 90
    baseline_months: int = 6
    baseline_multiplier: int = 5
    baseline_min_cents: int = 1_000_000
    high_risk_min_cents: int = 300_000
    high_risk_country_codes: frozenset[str] | None = None
    dormant_days: int = 365
    dormant_window_days: int = 30
    dormant_min_cents: int = 500_000
    dormant_ignore_channels: tuple[str, ...] = ("internal",)
    round_unit_major: int = 1_000
    round_min_each_cents: int = 100_000
    round_min_count: int = 3
    round_min_total_cents: int = 1_000_000
    fan_window_days: int = 30
    fan_in_min_counterparties: int = 5
    fan_out_min_counterparties: int = 5
    cycle_min_length: int = 2
    cycle_max_length: int = 6
    cycle_window_days: int = 30
    cycle_amount_tolerance_pct: int = 20
    cycle_time_ordered: bool = True
    max_evidence_txns: int = 1_000

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                raise EngineInputError(f"thresholds.{f.name}: expected an integer, got {value!r}")
            if f.type == "int" and value < (0 if f.name == "cycle_amount_tolerance_pct" else 1):
                raise EngineInputError(f"thresholds.{f.name}: must be positive, got {value}")
        if not self.structuring_floor_cents <= self.ctr_threshold_cents:
            raise EngineInputError("thresholds.structuring_floor_cents: must not exceed ctr_threshold_cents")
        if self.rapid_out_ratio_pct > 100:
            raise EngineInputError("thresholds.rapid_out_ratio_pct: must be 1-100")
        if self.cycle_amount_tolerance_pct > 100:
            raise EngineInputError("thresholds.cycle_amount_tolerance_pct: must be 0-100")
        if self.fan_window_days < 2 or self.fan_window_days % 2:
            raise EngineInputError("thresholds.fan_window_days: must be an even number >= 2 (windows start every half)")
        if not 2 <= self.cycle_min_length <= self.cycle_max_length <= _MAX_CYCLE_LENGTH:
            raise EngineInputError(
                f"thresholds.cycle_max_length: need 2 <= cycle_min_length <= cycle_max_length <= {_MAX_CYCLE_LENGTH}"
            )
        if not isinstance(self.cycle_time_ordered, bool):
            raise EngineInputError("thresholds.cycle_time_ordered: expected a boolean")
        codes = self.high_risk_country_codes
        if codes is not None:
            if isinstance(codes, str) or not all(isinstance(c, str) and len(c) == 2 and c.isupper() for c in codes):
                raise EngineInputError("thresholds.high_risk_country_codes: expected ISO 3166-1 alpha-2 codes")
            object.__setattr__(self, "high_risk_country_codes", frozenset(codes))
        channels = self.dormant_ignore_channels
        if isinstance(channels, str) or not all(isinstance(c, str) for c in channels):
            raise EngineInputError("thresholds.dormant_ignore_channels: expected a sequence of channel names")
        object.__setattr__(self, "dormant_ignore_channels", tuple(channels))

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Thresholds:
        """Defaults overridden by ``values`` (e.g. rows from the database).

        Raises:
            EngineInputError: an unknown name, or an invalid value (named).
        """
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise EngineInputError(f"thresholds.{unknown[0]}: unknown threshold")
        return cls(**values)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready copy (country codes sorted, tuples as lists), e.g. for an alert's facts."""
        out: dict[str, object] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    @property
    def history_days(self) -> int:
        """Calendar days of history before ``date_from`` the tables should hold so that every
        scenario sees its whole look-back (baseline months, dormancy, windows, weekend roll-over)."""
        return max(
            self.structuring_window_days + 7,
            self.rapid_window_days,
            (self.baseline_months + 1) * 31,
            self.dormant_days + 1,
            self.fan_window_days,
            self.cycle_window_days,
        )
