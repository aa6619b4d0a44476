"""The AML scenarios re-implemented with pandas and numpy: the baseline of ``benchmarks/monitoring.py``.

Same rules, same thresholds (:class:`bankcrm.monitoring.engine.Thresholds`), same input tables
(the engine's Arrow schemas) and the same alert keys as ``bankcrm.monitoring.engine`` (whose module
docstrings in ``scenarios.py`` and ``graph.py`` state the rules); written independently of the
engine's code, as a data engineer would with pandas: vectorized ``groupby`` aggregations, ``merge``
joins, ``shift``/``cumsum`` for runs and episodes, and for the forward range windows ("the days d
to d + n of this account") a sorted cumulative sum read with ``numpy.searchsorted`` (pandas'
``rolling`` looks backwards and needs a datetime index; this form is faster than a groupby-rolling
and gives the same sums). No Python loop runs over transactions or accounts; Python loops only
roll the distinct booking dates forward to business days, turn the few triggered rows into alert
records and group the cycle instances found into episodes (all three as the engine does).

Scope: the whole history (``date_from=None``) up to the last booking date (``date_to=None``), which
is how the benchmark runs the engine; the engine's ``date_from`` filters are not reproduced.

Each alert comes back as a dict: ``key`` (``scenario:subject[:qualifier]:YYYY-MM-DD``),
``scenario``, ``start`` and ``end`` (ISO dates of the activity period), ``evidence`` (number of
evidence transactions) and ``ids`` (their ``txn_id`` values, ascending). Scores and sentences are
not computed.

Public API: ``run(tables, *, thresholds, timings=None) -> list[dict]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from bankcrm.core.calendar import FED
from bankcrm.core.money import MINOR_UNITS
from bankcrm.monitoring.engine import Thresholds, high_risk_countries

__all__ = ["run"]

EPOCH = dt.date(1970, 1, 1)
SHIFT = 100_000  # keeps window arithmetic on non-negative numbers, as in the engine


def _iso(day: int) -> str:
    return (EPOCH + dt.timedelta(days=int(day))).isoformat()


def _month_first(month: int) -> dt.date:
    """First day of month index ``year * 12 + month - 1``."""
    return dt.date(int(month) // 12, int(month) % 12 + 1, 1)


def _month_iso(month: int) -> str:
    return _month_first(month).isoformat()


def _month_day(month: int) -> int:
    return (_month_first(month) - EPOCH).days


@dataclass
class Data:
    """The prepared ledger: ``tx`` (one row per transaction, integer codes), the code books and the run's end."""

    tx: pd.DataFrame
    account_names: np.ndarray  # code -> account id (the bank's accounts first)
    party_names: np.ndarray  # code -> party id
    n_accounts: int
    opened_day: np.ndarray  # account code -> opening day (days since 1970-01-01), NaN unknown
    day_to: int


# Preparation ----------------------------------------------------------------------------------------------


def _blank_to_null(s: pd.Series) -> pd.Series:
    return s.mask(s == "")


def prepare(tables: dict[str, pa.Table]) -> Data:
    """Validate like the engine, convert to pandas, code the ids and add ``day``, ``bday`` and ``month``.

    Raises:
        ValueError: negative amounts, an unknown direction, duplicate keys or unknown accounts/parties.
    """
    tx = tables["transactions"].to_pandas(date_as_object=False)
    acc = tables["accounts"].to_pandas(date_as_object=False)
    par = tables["parties"].to_pandas(date_as_object=False)
    for col in ("branch_id", "counterparty_account", "counterparty_country"):
        tx[col] = _blank_to_null(tx[col])
    if len(tx) and (tx["amount_usd_cents"].min() < 0 or tx["amount_minor"].min() < 0):
        raise ValueError("transactions: negative amount")
    if not tx["direction"].isin(["credit", "debit"]).all():
        raise ValueError("transactions.direction: expected credit or debit")
    for frame, col in ((tx, "txn_id"), (acc, "account_id"), (par, "party_id")):
        if frame[col].duplicated().any():
            raise ValueError(f"{col}: values must be unique")
    if not tx["account_id"].isin(acc["account_id"]).all():
        raise ValueError("transactions.account_id: not in accounts")
    if not acc["party_id"].isin(par["party_id"]).all():
        raise ValueError("accounts.party_id: not in parties")

    days = tx["booking_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    day_to = int(days.max())
    keep = days <= day_to
    tx, days = tx[keep], days[keep]

    # Account codes: the bank's accounts in table order, then the other counterparties.
    own = pd.Index(acc["account_id"])
    others = pd.Index(tx["counterparty_account"].dropna().unique()).difference(own, sort=False)
    book = own.append(others)
    account_names = book.to_numpy(dtype=object)
    parties = pd.Index(par["party_id"])
    cp = book.get_indexer(tx["counterparty_account"])  # -1 where null

    # CTR business day: the booking date rolled forward on the Federal Reserve calendar, computed
    # once per distinct date.
    lo = int(days.min())
    uniq = np.unique(days)
    rolled = np.array([(FED.roll_forward(EPOCH + dt.timedelta(days=int(d))) - EPOCH).days for d in uniq])
    lookup = np.zeros(int(uniq.max()) - lo + 1, dtype=np.int64)
    lookup[uniq - lo] = rolled
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12

    frame = pd.DataFrame(
        {
            "txn_id": tx["txn_id"].to_numpy(np.int64),
            "acct": book.get_indexer(tx["account_id"]).astype(np.int64),
            "party": parties.get_indexer(tx["party_id"]).astype(np.int64),
            "day": days,
            "bday": lookup[days - lo],
            "month": months,
            "amt": tx["amount_usd_cents"].to_numpy(np.int64),
            "credit": (tx["direction"] == "credit").to_numpy(),
            "cash": tx["is_cash"].to_numpy(bool),
            "channel": tx["channel"].astype("category").array,
            "cp": cp.astype(np.int64),
            "country": tx["counterparty_country"].astype("category").array,
            "currency": tx["currency"].astype("category").array,
            "minor": tx["amount_minor"].to_numpy(np.int64),
        }
    )
    opened = acc["opened_on"].to_numpy().astype("datetime64[D]")
    opened_day = np.where(np.isnat(opened), np.nan, opened.astype(np.int64).astype(float))
    return Data(
        tx=frame,
        account_names=account_names,
        party_names=parties.to_numpy(dtype=object),
        n_accounts=len(own),
        opened_day=opened_day,
        day_to=day_to,
    )


# Helpers ----------------------------------------------------------------------------------------------------


def _forward_sums(group: np.ndarray, day: np.ndarray, values: list[np.ndarray], width: int) -> list[np.ndarray]:
    """For rows sorted by (group, day): per row, the sums of ``values`` over the rows of the same
    group whose day lies in [day, day + width] (a forward RANGE window)."""
    span = int(day.max() - day.min()) + width + 1
    key = group.astype(np.int64) * span + (day - day.min())
    start = np.arange(len(key))
    stop = np.searchsorted(key, key + width, side="right")
    out = []
    for v in values:
        cs = np.concatenate(([0], np.cumsum(v, dtype=np.int64)))
        out.append(cs[stop] - cs[start])
    return out


def _runs(group_change: np.ndarray, gap: np.ndarray, limit: int, strict: bool = True) -> np.ndarray:
    """Run numbers for rows sorted by group and day: a new run at a new group or where the gap to
    the previous row is more than ``limit`` (``strict``) or at least ``limit``."""
    new = group_change | ((gap > limit) if strict else (gap >= limit))
    return np.cumsum(new)


def _alerts(
    scenario: str,
    trig: pd.DataFrame,
    evidence: pd.DataFrame,
    key: Callable[[Any], str],
    start: Callable[[Any, np.ndarray], int] | None = None,
    end: Callable[[Any, np.ndarray], int] | None = None,
) -> list[dict[str, Any]]:
    """Alert dicts for the rows of ``trig`` (column ``aid`` numbers them 0..n-1); ``evidence`` has
    ``aid``, ``txn_id`` and ``day``. ``start``/``end`` map (row, evidence days) to a day number."""
    if trig.empty:
        return []
    ev = evidence.drop_duplicates(["aid", "txn_id"]).sort_values(["aid", "txn_id"])
    aid = ev["aid"].to_numpy()
    ids = ev["txn_id"].to_numpy()
    days = ev["day"].to_numpy()
    bounds = np.searchsorted(aid, np.arange(len(trig) + 1))
    out = []
    for row in trig.itertuples(index=False):
        a, b = bounds[row.aid], bounds[row.aid + 1]
        d = days[a:b]
        out.append(
            {
                "key": key(row),
                "scenario": scenario,
                "start": _iso(start(row, d) if start else d.min()),
                "end": _iso(end(row, d) if end else d.max()),
                "evidence": int(b - a),
                "ids": ids[a:b].tolist(),
            }
        )
    return out


def _numbered(trig: pd.DataFrame) -> pd.DataFrame:
    trig = trig.reset_index(drop=True)
    trig["aid"] = np.arange(len(trig))
    return trig


# Non-graph scenarios ----------------------------------------------------------------------------------------


def ctr(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """Party and business day with cash-in or cash-out (separately) over the CTR threshold."""
    tx = d.tx
    cash = tx.loc[tx["cash"] & (tx["bday"] <= d.day_to), ["party", "bday", "credit", "amt", "txn_id", "day"]]
    cin = np.where(cash["credit"], cash["amt"], 0)
    sums = (
        cash.assign(cin=cin, cout=cash["amt"].to_numpy() - cin)
        .groupby(["party", "bday"], sort=False)[["cin", "cout"]]
        .sum()
    )
    limit = th.ctr_threshold_cents
    trig = _numbered(sums[(sums["cin"] > limit) | (sums["cout"] > limit)].reset_index()[["party", "bday"]])
    ev = cash.merge(trig, on=["party", "bday"])
    names = d.party_names
    return _alerts("ctr", trig, ev, key=lambda r: f"ctr:{names[r.party]}:{_iso(r.bday)}", end=lambda r, days: r.bday)


def structuring(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """Runs of near-threshold cash units (single transactions in the band, or split days) per party and direction."""
    tx = d.tx
    floor, ceiling, window = th.structuring_floor_cents, th.ctr_threshold_cents, th.structuring_window_days
    cash = tx.loc[tx["cash"] & (tx["bday"] <= d.day_to), ["party", "credit", "bday", "amt", "txn_id", "day"]]
    band = cash["amt"].between(floor, ceiling)
    daily = (
        cash.assign(band=band)
        .groupby(["party", "credit", "bday"])
        .agg(total=("amt", "sum"), n=("amt", "size"), n_band=("band", "sum"))
        .reset_index()
    )
    split = (daily["n_band"] == 0) & (daily["n"] >= 2) & daily["total"].between(floor, ceiling)
    daily["units"] = np.where(daily["n_band"] > 0, daily["n_band"], split.astype(np.int64))
    units = daily[daily["units"] > 0].copy()  # sorted by party, direction, day (groupby order)
    party, credit, bday = units["party"].to_numpy(), units["credit"].to_numpy(), units["bday"].to_numpy()
    change = np.ones(len(units), dtype=bool)
    change[1:] = (party[1:] != party[:-1]) | (credit[1:] != credit[:-1])
    gap = np.zeros(len(units), dtype=np.int64)
    gap[1:] = bday[1:] - bday[:-1]
    units["run"] = _runs(change, gap, window)
    runs = units.groupby("run").agg(units=("units", "sum"), start=("bday", "min"))
    good = runs.index[runs["units"] >= th.structuring_min_events]
    units = units[units["run"].isin(good)]
    trig = _numbered(
        units.groupby("run", as_index=False).agg(
            party=("party", "first"), credit=("credit", "first"), start=("bday", "min"), end=("bday", "max")
        )
    )
    days = units[["party", "credit", "bday", "run"]].merge(trig[["run", "aid"]], on="run")
    ev = cash.merge(days, on=["party", "credit", "bday"])
    names = d.party_names

    def key(r: Any) -> str:
        return f"structuring:{names[r.party]}:{'credit' if r.credit else 'debit'}:{_iso(r.start)}"

    return _alerts("structuring", trig, ev, key, start=lambda r, days: r.start, end=lambda r, days: r.end)


def rapid_movement(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """Days with money in after which, within the window, enough came in and most of it went out."""
    tx = d.tx
    n = th.rapid_window_days
    cin = np.where(tx["credit"], tx["amt"], 0)
    daily = (
        pd.DataFrame({"acct": tx["acct"], "day": tx["day"], "cin": cin, "cout": tx["amt"].to_numpy() - cin})
        .groupby(["acct", "day"])
        .sum()
        .reset_index()
    )
    acct, day = daily["acct"].to_numpy(), daily["day"].to_numpy()
    in_w, out_w = _forward_sums(acct, day, [daily["cin"].to_numpy(), daily["cout"].to_numpy()], n)
    hit = (
        (daily["cin"].to_numpy() > 0) & (in_w >= th.rapid_min_in_cents) & (out_w * 100 >= in_w * th.rapid_out_ratio_pct)
    )
    a_acct, a_day = acct[hit], day[hit]
    change = np.ones(len(a_acct), dtype=bool)
    change[1:] = a_acct[1:] != a_acct[:-1]
    gap = np.zeros(len(a_acct), dtype=np.int64)
    gap[1:] = a_day[1:] - a_day[:-1]
    anchors = pd.DataFrame({"acct": a_acct, "day": a_day, "ep": _runs(change, gap, n)})
    trig = _numbered(
        anchors.groupby("ep", as_index=False).agg(acct=("acct", "first"), start=("day", "min"), last=("day", "max"))
    )
    rows = tx.loc[tx["acct"].isin(trig["acct"]), ["acct", "day", "txn_id"]].merge(trig, on="acct")
    ev = rows[(rows["day"] >= rows["start"]) & (rows["day"] <= rows["last"] + n)]
    names = d.account_names
    return _alerts(
        "rapid_movement",
        trig,
        ev,
        key=lambda r: f"rapid_movement:{names[r.acct]}:{_iso(r.start)}",
        start=lambda r, days: r.start,
    )


def _monthly(d: Data, scenario: str, trig: pd.DataFrame, source: pd.DataFrame) -> list[dict[str, Any]]:
    """Alerts per (party, month) of ``trig``; evidence = the ``source`` rows of that party-month."""
    trig = _numbered(trig[["party", "month"]])
    ev = source[["party", "month", "txn_id", "day"]].merge(trig, on=["party", "month"])
    names = d.party_names
    return _alerts(
        scenario,
        trig,
        ev,
        key=lambda r: f"{scenario}:{names[r.party]}:{_month_iso(r.month)}",
        start=lambda r, days: _month_day(r.month),
        end=lambda r, days: min(_month_day(r.month + 1) - 1, d.day_to),
    )


def baseline_deviation(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """A party's month at least ``multiplier`` times its mean over the previous months (and over a floor)."""
    tx = d.tx
    months, mult = th.baseline_months, th.baseline_multiplier
    monthly = tx.groupby(["party", "month"]).agg(turnover=("amt", "sum")).reset_index()
    party, month, turnover = monthly["party"].to_numpy(), monthly["month"].to_numpy(), monthly["turnover"].to_numpy()
    first = monthly.groupby("party")["month"].transform("min").to_numpy()
    # Sum of the party's turnover in months [m - months, m - 1]: a sorted cumulative sum read twice.
    span = int(month.max() - month.min()) + months + 2
    base = month.min() - months - 1
    key = party * span + (month - base)
    cs = np.concatenate(([0], np.cumsum(turnover, dtype=np.int64)))
    hi = np.searchsorted(key, party * span + (month - 1 - base), side="right")
    lo = np.searchsorted(key, party * span + (month - months - 1 - base), side="right")
    base_sum = cs[hi] - cs[lo]
    hit = (turnover >= th.baseline_min_cents) & (first <= month - months) & (turnover * months >= base_sum * mult)
    return _monthly(d, "baseline_deviation", monthly[hit], tx)


def high_risk_geography(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """A party's monthly total with counterparties in high-risk jurisdictions over the floor."""
    codes = th.high_risk_country_codes if th.high_risk_country_codes is not None else high_risk_countries()
    if not codes:
        return []
    tx = d.tx
    hr = tx.loc[tx["country"].isin(sorted(codes)).to_numpy(), ["party", "month", "amt", "txn_id", "day"]]
    monthly = hr.groupby(["party", "month"]).agg(total=("amt", "sum")).reset_index()
    return _monthly(d, "high_risk_geography", monthly[monthly["total"] >= th.high_risk_min_cents], hr)


def round_amounts(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """At least N transactions in a month that are whole multiples of the round unit of their currency."""
    tx = d.tx
    # Currencies without a known exponent are taken to have 2 minor digits, as in the engine.
    currency = tx["currency"].array
    per_category = np.array(
        [th.round_unit_major * 10 ** MINOR_UNITS.get(c, 2) for c in currency.categories], dtype=np.int64
    )
    unit = per_category[currency.codes]
    minor = tx["minor"].to_numpy()
    keep = (minor > 0) & (minor % unit == 0) & (tx["amt"].to_numpy() >= th.round_min_each_cents)
    rnd = tx.loc[keep, ["party", "month", "amt", "txn_id", "day"]]
    monthly = rnd.groupby(["party", "month"]).agg(total=("amt", "sum"), n=("amt", "size")).reset_index()
    trig = monthly[(monthly["n"] >= th.round_min_count) & (monthly["total"] >= th.round_min_total_cents)]
    return _monthly(d, "round_amounts", trig, rnd)


def dormant_reactivation(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """An account idle for ``dormant_days`` (since its last activity or opening) that then moves enough money."""
    tx = d.tx
    idle, window = th.dormant_days, th.dormant_window_days
    act = tx[["acct", "day", "amt", "txn_id"]]
    if th.dormant_ignore_channels:
        act = act[~tx["channel"].isin(list(th.dormant_ignore_channels)).to_numpy()]
    daily = act.groupby(["acct", "day"]).agg(amount=("amt", "sum")).reset_index()
    acct, day = daily["acct"].to_numpy(), daily["day"].to_numpy()
    (moved,) = _forward_sums(acct, day, [daily["amount"].to_numpy()], window)
    first = np.ones(len(acct), dtype=bool)
    first[1:] = acct[1:] != acct[:-1]
    prev = np.empty(len(day), dtype=float)
    prev[1:] = day[:-1]
    since = np.where(first, d.opened_day[acct], prev)  # NaN (unknown opening) never compares true
    with np.errstate(invalid="ignore"):
        hit = (day - since >= idle) & (moved >= th.dormant_min_cents)
    trig = _numbered(pd.DataFrame({"acct": acct[hit], "wake": day[hit]}))
    rows = act.loc[act["acct"].isin(trig["acct"]), ["acct", "day", "txn_id"]].merge(trig, on="acct")
    ev = rows[(rows["day"] >= rows["wake"]) & (rows["day"] <= rows["wake"] + window)]
    names = d.account_names
    return _alerts(
        "dormant_reactivation",
        trig,
        ev,
        key=lambda r: f"dormant_reactivation:{names[r.acct]}:{_iso(r.wake)}",
        start=lambda r, days: r.wake,
    )


# Graph scenarios --------------------------------------------------------------------------------------------


def _transfers(d: Data) -> pd.DataFrame:
    tx = d.tx
    keep = (tx["cp"] >= 0) & (tx["cp"] != tx["acct"])
    return tx.loc[keep, ["acct", "cp", "day", "txn_id", "amt", "credit"]]


def _flows(d: Data, *, inbound: bool) -> pd.DataFrame:
    """(centre, other, day, txn_id): money into (out of) each of the bank's accounts, seen from both ledger sides."""
    t = _transfers(d)
    near = t["credit"] if inbound else ~t["credit"]
    direct = t.loc[near, ["acct", "cp", "day", "txn_id"]].rename(columns={"acct": "centre", "cp": "other"})
    far = t[~near & (t["cp"] < d.n_accounts)]
    mirrored = far[["cp", "acct", "day", "txn_id"]].rename(columns={"cp": "centre", "acct": "other"})
    return pd.concat([direct, mirrored], ignore_index=True)


def _fan(d: Data, th: Thresholds, *, inbound: bool) -> list[dict[str, Any]]:
    scenario = "fan_in" if inbound else "fan_out"
    k = th.fan_in_min_counterparties if inbound else th.fan_out_min_counterparties
    width, half = th.fan_window_days, th.fan_window_days // 2
    f = _flows(d, inbound=inbound)
    day = f["day"].to_numpy()
    phases = [
        pd.DataFrame(
            {
                "centre": f["centre"].to_numpy(),
                "wstart": ((day + SHIFT + p * half) // width) * width - SHIFT - p * half,
                "other": f["other"].to_numpy(),
            }
        )
        for p in (0, 1)
    ]
    fw = pd.concat(phases, ignore_index=True).drop_duplicates()
    wins = fw.groupby(["centre", "wstart"]).size().rename("n_cp").reset_index()
    trig = wins[wins["n_cp"] >= k]
    centre, wstart = trig["centre"].to_numpy(), trig["wstart"].to_numpy()
    change = np.ones(len(trig), dtype=bool)
    change[1:] = centre[1:] != centre[:-1]
    gap = np.zeros(len(trig), dtype=np.int64)
    gap[1:] = wstart[1:] - wstart[:-1]
    eps = trig.assign(ep=_runs(change, gap, width, strict=False))
    eps = _numbered(
        eps.groupby("ep", as_index=False).agg(
            centre=("centre", "first"), start=("wstart", "min"), last=("wstart", "max")
        )
    )
    rows = f[f["centre"].isin(eps["centre"])].merge(eps, on="centre")
    ev = rows[(rows["day"] >= rows["start"]) & (rows["day"] <= rows["last"] + width - 1)]
    names = d.account_names
    return _alerts(scenario, eps, ev, key=lambda r: f"{scenario}:{names[r.centre]}:{_iso(r.start)}")


def fan_in(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """An account receiving from at least N distinct accounts in one 30-day hopping window."""
    return _fan(d, th, inbound=True)


def fan_out(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """An account sending to at least N distinct accounts in one 30-day hopping window."""
    return _fan(d, th, inbound=False)


def _edge_rows(d: Data) -> pd.DataFrame:
    """Every transfer as (src, dst, day, txn_id, amt, side), side 0 = the payer's ledger row."""
    t = _transfers(d)
    paid = t.loc[~t["credit"], ["acct", "cp", "day", "txn_id", "amt"]].rename(columns={"acct": "src", "cp": "dst"})
    got = t.loc[t["credit"], ["cp", "acct", "day", "txn_id", "amt"]].rename(columns={"cp": "src", "acct": "dst"})
    return pd.concat([paid.assign(side=0), got.assign(side=1)], ignore_index=True)


def cycle(d: Data, th: Thresholds) -> list[dict[str, Any]]:
    """Money going round 2-6 distinct accounts, forward in time, within the window, amounts within the tolerance."""
    ordered, width, tol = th.cycle_time_ordered, th.cycle_window_days, th.cycle_amount_tolerance_pct
    rows = _edge_rows(d)
    side0 = np.where(rows["side"] == 0, rows["amt"], 0)
    edges = (
        rows.assign(s0=side0, s1=rows["amt"].to_numpy() - side0)
        .groupby(["src", "dst", "day"], as_index=False)[["s0", "s1"]]
        .sum()
    )
    edges["amount"] = np.maximum(edges["s0"], edges["s1"])
    edges = edges[edges["src"].isin(edges["dst"]) & edges["dst"].isin(edges["src"])][["src", "dst", "day", "amount"]]
    first = edges if ordered else edges[edges["dst"] > edges["src"]]
    paths = pd.DataFrame(
        {
            "n0": first["src"].to_numpy(),
            "n1": first["dst"].to_numpy(),
            "h1": first["day"].to_numpy(),
            "m1": first["amount"].to_numpy(),
        }
    )
    paths["dmin"] = paths["dmax"] = paths["h1"]
    paths["amin"] = paths["amax"] = paths["m1"]
    found: list[tuple[tuple[int, ...], tuple[int, ...]]] = []  # (node codes, hop days)
    for k in range(1, th.cycle_max_length):
        if paths.empty:
            break
        j = paths.merge(edges, left_on=f"n{k}", right_on="src")
        amax = np.maximum(j["amax"], j["amount"])
        amin = np.minimum(j["amin"], j["amount"])
        ok = (amax * (100 - tol) <= amin * 100) & (j["day"] <= j["dmin"] + width)
        ok &= (j["day"] >= j[f"h{k}"]) if ordered else (j["day"] >= j["dmax"] - width)
        j = j[ok]
        if k + 1 >= th.cycle_min_length:
            closed = j[j["dst"] == j["n0"]]
            nodes = closed[[f"n{i}" for i in range(k + 1)]].to_numpy()
            hops = closed[[*(f"h{i}" for i in range(1, k + 1)), "day"]].to_numpy()
            found += [(tuple(a), tuple(b)) for a, b in zip(nodes.tolist(), hops.tolist(), strict=True)]
        if k + 1 >= th.cycle_max_length:
            break
        fresh = np.ones(len(j), dtype=bool)
        for i in range(k + 1):
            fresh &= (j["dst"] != j[f"n{i}"]).to_numpy()
        if not ordered:
            fresh &= (j["dst"] > j["n0"]).to_numpy()
        j = j[fresh]
        paths = j[
            [*(f"n{i}" for i in range(k + 1)), *(f"h{i}" for i in range(1, k + 1)), *(f"m{i}" for i in range(1, k + 1))]
        ].copy()
        paths[f"n{k + 1}"] = j["dst"].to_numpy()
        paths[f"h{k + 1}"] = j["day"].to_numpy()
        paths[f"m{k + 1}"] = j["amount"].to_numpy()
        paths["dmin"] = np.minimum(j["dmin"], j["day"]).to_numpy()
        paths["dmax"] = np.maximum(j["dmax"], j["day"]).to_numpy()
        paths["amin"] = np.minimum(j["amin"], j["amount"]).to_numpy()
        paths["amax"] = np.maximum(j["amax"], j["amount"]).to_numpy()
    if not found:
        return []

    # Group the instances (few) into episodes per cycle of accounts, as the engine does.
    names = d.account_names
    by_cycle: dict[tuple[str, ...], list[tuple[int, int, tuple[int, ...], frozenset[Any]]]] = defaultdict(list)
    seen: set[tuple[Any, ...]] = set()
    for codes, days in found:
        path = tuple(str(names[c]) for c in codes)
        i = path.index(min(path))
        canon = path[i:] + path[:i]
        hops = tuple(sorted((codes[i], codes[(i + 1) % len(codes)], days[i]) for i in range(len(codes))))
        if (canon, hops) in seen:
            continue
        seen.add((canon, hops))
        by_cycle[canon].append((min(days), max(days), days, frozenset(hops)))
    episodes: list[dict[str, Any]] = []
    for canon, insts in sorted(by_cycle.items()):
        insts.sort(key=lambda x: (x[0], x[2]))
        current: dict[str, Any] | None = None
        for start, end, _, hops in insts:
            if current is None or start - current["start"] > width:
                current = {"canon": canon, "start": start, "end": end, "hops": set()}
                episodes.append(current)
            current["end"] = max(current["end"], end)
            current["hops"] |= hops
    hop_table = pd.DataFrame(
        [(i, s, t, day) for i, ep in enumerate(episodes) for s, t, day in ep["hops"]],
        columns=["aid", "src", "dst", "day"],
    )
    ev = rows[["src", "dst", "day", "txn_id"]].merge(hop_table, on=["src", "dst", "day"])
    trig = pd.DataFrame({"aid": np.arange(len(episodes))})

    def key(r: Any) -> str:
        ep = episodes[r.aid]
        digest = hashlib.sha256("\n".join(ep["canon"]).encode()).hexdigest()[:16]
        return f"cycle:{digest}:{_iso(ep['start'])}"

    return _alerts(
        "cycle",
        trig,
        ev,
        key,
        start=lambda r, days: episodes[r.aid]["start"],
        end=lambda r, days: episodes[r.aid]["end"],
    )


SCENARIOS: dict[str, Callable[[Data, Thresholds], list[dict[str, Any]]]] = {
    "ctr": ctr,
    "structuring": structuring,
    "rapid_movement": rapid_movement,
    "baseline_deviation": baseline_deviation,
    "high_risk_geography": high_risk_geography,
    "dormant_reactivation": dormant_reactivation,
    "round_amounts": round_amounts,
    "fan_in": fan_in,
    "fan_out": fan_out,
    "cycle": cycle,
}


def run(
    tables: dict[str, pa.Table], *, thresholds: Thresholds, timings: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """Every scenario over the whole history of ``tables`` (the engine's Arrow input tables).

    Returns alert dicts (see the module docstring) in scenario order. ``timings``, when given, gets
    ``"prepare"`` and one entry per scenario, in wall seconds.

    Raises:
        ValueError: invalid input (see :func:`prepare`).
    """
    clock = time.perf_counter()
    data = prepare(tables)
    if timings is not None:
        timings["prepare"] = time.perf_counter() - clock
    out: list[dict[str, Any]] = []
    for name, scenario in SCENARIOS.items():
        clock = time.perf_counter()
        out += scenario(data, thresholds)
        if timings is not None:
            timings[name] = time.perf_counter() - clock
    return out
