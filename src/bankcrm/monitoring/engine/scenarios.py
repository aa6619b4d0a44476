"""The non-graph AML scenarios as Ibis expressions (pure engine, no Django import).

Every scenario is a function ``(ctx) -> list[AlertCandidate]``: the rule is one or two Ibis
expressions (group-bys, window functions with ``range`` frames over integer day numbers, joins),
executed on the run's backend; only the few triggering rows come back to Python, where the alert's
facts and sentence are written. Nothing here is DuckDB-specific SQL: the same expressions compile
for PostgreSQL and PySpark (``ibis.to_sql(expr, dialect=...)``).

Conventions: ``day`` is days since 1970-01-01, ``bday`` the CTR business day (booking date rolled
forward on the Federal Reserve calendar, 31 CFR 1010.313), ``month`` is ``year * 12 + month - 1``.
Transactions after ``date_to`` never take part; earlier history (before ``date_from``) is used as
context (baselines, dormancy, runs that started earlier), and an alert is emitted when its activity
period ends inside the run's range. Scores: ``scaled_score(base, ratio)`` = base + 10 points per
doubling of how far the rule's figure exceeds its threshold, capped at 100.

Rules (figures from :class:`Thresholds`, defaults in brackets):

- ``ctr``: a party's cash-in or cash-out on one business day, over all its accounts and branches,
  is more than ``ctr_threshold_cents`` [$10,000]; in and out are totalled separately, never netted;
  weekend and holiday cash counts on the next business day. Score base 50 (a report is due; not by
  itself suspicious). One alert per party and business day.
- ``structuring``: per party and direction, *near-threshold units*: a cash transaction with
  ``structuring_floor_cents`` <= amount <= ``ctr_threshold_cents`` [$9,000-$10,000], or a business
  day whose cash total is in that band although every single transaction is below it (split across
  accounts, branches or visits). Units each within ``structuring_window_days`` [14] of the previous
  one form a run; a run of at least ``structuring_min_events`` [2] units alerts. Base 80.
- ``rapid_movement``: per account, a day with money in after which, within ``rapid_window_days``
  [3] days (that day included), at least ``rapid_min_in_cents`` [$5,000] came in and at least
  ``rapid_out_ratio_pct`` [90 %] of it went out. Such days each within the window of the previous
  one form one alert. Base 60.
- ``baseline_deviation``: a party's turnover (in + out) in a calendar month is at least
  ``baseline_multiplier`` [5] times its mean monthly turnover over the previous ``baseline_months``
  [6] months and at least ``baseline_min_cents`` [$10,000]; parties with less history are skipped.
  Base 50.
- ``high_risk_geography``: a party's transactions with counterparties in high-risk jurisdictions
  (:func:`high_risk_countries`, FATF) total at least ``high_risk_min_cents`` [$3,000] in a calendar
  month. Base 60, 80 when a FATF call-for-action country is involved.
- ``dormant_reactivation``: an account without customer activity (``dormant_ignore_channels``
  excluded) for at least ``dormant_days`` [365] since its previous activity or its opening moves at
  least ``dormant_min_cents`` [$5,000] within ``dormant_window_days`` [30] of waking up. Base 50.
- ``round_amounts``: a party's transactions that are whole multiples of ``round_unit_major``
  [1,000] units of their own currency and at least ``round_min_each_cents`` [$1,000]: at least
  ``round_min_count`` [3] in a calendar month, together at least ``round_min_total_cents``
  [$10,000]. Base 40.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from bankcrm.core.money import MINOR_UNITS
from bankcrm.monitoring.engine.context import (
    SHIFT,
    Context,
    cut_evidence,
    from_day,
    group_evidence,
    month_end,
    month_start,
    scaled_score,
    usd,
)
from bankcrm.monitoring.engine.geography import FATF_CALL_FOR_ACTION, high_risk_countries
from bankcrm.monitoring.engine.types import AlertCandidate, alert_key

_CASH_WORD = {"credit": "cash deposit", "debit": "cash withdrawal"}


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith(("ch", "sh", "s", "x")) else f"{n} {word}s"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# CTR --------------------------------------------------------------------------------------------------


def ctr_rows(ctx: Context, threshold_cents: int) -> list[dict[str, Any]]:
    """Party-business-days whose cash-in or cash-out is more than ``threshold_cents``.

    31 CFR 1010.311 (more than $10,000), 1010.313 (aggregation by or for one person per business
    day across all branches; cash-in and cash-out totalled separately; night, weekend and holiday
    activity counts on the next business day). Business days in [date_from, date_to] only: a
    Saturday before ``date_from`` counts toward a Monday inside the range, and a business day after
    ``date_to`` is not complete yet, so it is left to the next run.

    Returns:
        Dicts sorted by (business_day, party_id), each with ``party_id``, ``business_day`` (date),
        ``cash_in_cents``, ``cash_out_cents``, ``cash_in_reportable`` / ``cash_out_reportable``
        (bool: that total is over the threshold), ``cash_in_txn_ids``, ``cash_out_txn_ids``
        (sorted lists), ``account_ids``, ``branch_ids`` (sorted, non-null), ``booking_dates``
        (sorted dates) and ``threshold_cents``.
    """
    tx = ctx.tx
    cash = tx.filter(tx.is_cash, tx.bday <= ctx.day_to)
    if ctx.day_from is not None:
        cash = cash.filter(cash.bday >= ctx.day_from)
    credit = cash.direction == "credit"
    sums = cash.group_by(["party_id", "bday"]).aggregate(
        cash_in=cash.amount_usd_cents.sum(where=credit).coalesce(0),
        cash_out=cash.amount_usd_cents.sum(where=~credit).coalesce(0),
    )
    trig = sums.filter((sums.cash_in > threshold_cents) | (sums.cash_out > threshold_cents))
    ev = cash.join(trig.select("party_id", "bday"), ["party_id", "bday"]).select(
        "party_id", "bday", "txn_id", "direction", "amount_usd_cents", "account_id", "branch_id", "booking_date"
    )
    groups: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.decoded(ctx.fetch(ev)).to_pylist():
        groups[(row["party_id"], row["bday"])].append(row)
    out: list[dict[str, Any]] = []
    for (party_id, bday), rows in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        cin = [r for r in rows if r["direction"] == "credit"]
        cout = [r for r in rows if r["direction"] == "debit"]
        cash_in = sum(r["amount_usd_cents"] for r in cin)
        cash_out = sum(r["amount_usd_cents"] for r in cout)
        out.append(
            {
                "party_id": party_id,
                "business_day": from_day(bday),
                "cash_in_cents": cash_in,
                "cash_out_cents": cash_out,
                "cash_in_reportable": cash_in > threshold_cents,
                "cash_out_reportable": cash_out > threshold_cents,
                "cash_in_txn_ids": sorted(r["txn_id"] for r in cin),
                "cash_out_txn_ids": sorted(r["txn_id"] for r in cout),
                "account_ids": sorted({r["account_id"] for r in rows}),
                "branch_ids": sorted({r["branch_id"] for r in rows if r["branch_id"] is not None}),
                "booking_dates": sorted({r["booking_date"] for r in rows}),
                "threshold_cents": threshold_cents,
            }
        )
    return out


def ctr(ctx: Context) -> list[AlertCandidate]:
    """``ctr`` alerts: one per party and business day with reportable cash (see :func:`ctr_rows`)."""
    threshold = ctx.th.ctr_threshold_cents
    alerts = []
    for agg in ctr_rows(ctx, threshold):
        parts = []
        if agg["cash_in_reportable"]:
            parts.append(f"cash in of {usd(agg['cash_in_cents'])}")
        if agg["cash_out_reportable"]:
            parts.append(f"cash out of {usd(agg['cash_out_cents'])}")
        top = max(agg["cash_in_cents"], agg["cash_out_cents"])
        bday: dt.date = agg["business_day"]
        dates: list[dt.date] = agg["booking_dates"]
        n_acc, n_br = len(agg["account_ids"]), len(agg["branch_ids"])
        explanation = (
            f"{_cap(' and '.join(parts))} on business day {bday.isoformat()} "
            f"(across {_plural(n_acc, 'account')} and {_plural(n_br, 'branch')}"
            f"{', booked ' + dates[0].isoformat() + ' to ' + dates[-1].isoformat() if len(dates) > 1 else ''}) "
            f"is more than the {usd(threshold)} CTR threshold (31 CFR 1010.311, 1010.313)."
        )
        facts: dict[str, object] = {
            "business_day": bday.isoformat(),
            "cash_in_cents": agg["cash_in_cents"],
            "cash_out_cents": agg["cash_out_cents"],
            "cash_in_reportable": agg["cash_in_reportable"],
            "cash_out_reportable": agg["cash_out_reportable"],
            "cash_in_txn_ids": agg["cash_in_txn_ids"],
            "cash_out_txn_ids": agg["cash_out_txn_ids"],
            "branch_ids": agg["branch_ids"],
            "booking_dates": [d.isoformat() for d in dates],
            "threshold_cents": threshold,
            "rule": "31 CFR 1010.311/1010.313",
        }
        alerts.append(
            AlertCandidate(
                scenario="ctr",
                party_id=agg["party_id"],
                account_ids=tuple(agg["account_ids"]),
                period_start=dates[0],
                period_end=bday,
                score=scaled_score(50, top / threshold),
                txn_ids=tuple(sorted(agg["cash_in_txn_ids"] + agg["cash_out_txn_ids"])),
                facts=facts,
                explanation=explanation,
                key=alert_key("ctr", agg["party_id"], bday),
            )
        )
    return alerts


# Structuring ----------------------------------------------------------------------------------------


def structuring(ctx: Context) -> list[AlertCandidate]:
    """``structuring`` alerts (31 USC 5324; 31 CFR 1010.314): runs of near-threshold cash units."""
    th = ctx.th
    floor, ceiling, window = th.structuring_floor_cents, th.ctr_threshold_cents, th.structuring_window_days
    tx = ctx.tx
    cash = tx.filter(tx.is_cash, tx.bday <= ctx.day_to)
    in_band = cash.amount_usd_cents.between(floor, ceiling)
    daily = cash.group_by(["party_id", "direction", "bday"]).aggregate(
        total=cash.amount_usd_cents.sum(),
        n=cash.count(),
        n_band=cash.count(where=in_band),
    )
    split_day = (daily.n_band == 0) & (daily.n >= 2) & daily.total.between(floor, ceiling)
    daily = daily.mutate(
        units=ibis.ifelse(daily.n_band > 0, daily.n_band, ibis.ifelse(split_day, 1, 0)),
        split=ibis.ifelse(split_day, 1, 0),
    )
    units = daily.filter(daily.units > 0)
    w = ibis.window(group_by=[units.party_id, units.direction], order_by=units.bday)
    prev = units.bday.lag().over(w)
    units = units.mutate(new_run=ibis.ifelse(prev.isnull() | (units.bday - prev > window), 1, 0))
    units = units.mutate(run=units.new_run.cumsum(group_by=[units.party_id, units.direction], order_by=units.bday))
    runs = units.group_by(["party_id", "direction", "run"]).aggregate(
        start=units.bday.min(),
        end=units.bday.max(),
        units=units.units.sum(),
        n_band=units.n_band.sum(),
        split_days=units.split.sum(),
    )
    runs = runs.filter(runs.units >= th.structuring_min_events)
    if ctx.day_from is not None:
        runs = runs.filter(runs.end >= ctx.day_from)
    runs = runs.mutate(run_id=ibis.row_number().over(order_by=[runs.party_id, runs.direction, runs.start]))
    run_rows = ctx.fetch(runs)
    if run_rows.num_rows == 0:
        return []
    runs_t = ibis.memtable(run_rows.select(["run_id", "party_id", "direction", "start", "end"]))
    unit_days = units.select("party_id", "direction", "bday")
    ev = cash.join(unit_days, ["party_id", "direction", "bday"]).join(runs_t, ["party_id", "direction"])
    ev = ev.filter(ev.bday.between(ev.start, ev.end)).select(
        "run_id", "txn_id", "amount_usd_cents", "account_id", "branch_id", "bday"
    )
    ev_rows = ctx.fetch(ev)
    detail: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.decoded(ev_rows.select(["run_id", "account_id", "branch_id", "bday"])).to_pylist():
        detail[row["run_id"]].append(row)
    evidence = group_evidence(ev_rows.select(["run_id", "txn_id", "amount_usd_cents"]), "run_id")
    alerts = []
    for run in ctx.decoded(run_rows).to_pylist():
        ids, amounts = evidence[run["run_id"]]
        rows = detail[run["run_id"]]
        accounts = sorted({r["account_id"] for r in rows})
        branches = sorted({r["branch_id"] for r in rows if r["branch_id"] is not None})
        days = sorted({r["bday"] for r in rows})
        start, end = from_day(run["start"]), from_day(run["end"])
        word = _CASH_WORD[run["direction"]]
        total = int(amounts.sum())
        facts: dict[str, object] = {
            "direction": run["direction"],
            "near_threshold_transactions": run["n_band"],
            "split_days": run["split_days"],
            "units": run["units"],
            "business_days": [from_day(d).isoformat() for d in days],
            "total_cents": total,
            "account_count": len(accounts),
            "branch_ids": branches,
            "band_cents": [floor, ceiling],
            "window_days": window,
            "min_events": th.structuring_min_events,
            "rule": "31 USC 5324; 31 CFR 1010.314",
        }
        txn_ids = cut_evidence(ids, amounts, th.max_evidence_txns, facts)
        how = []
        if run["n_band"]:
            how.append(f"{_plural(run['n_band'], word)} of {usd(floor)}-{usd(ceiling)} each")
        if run["split_days"]:
            how.append(
                f"{_plural(run['split_days'], 'business day')} of split {word}s totalling {usd(floor)}-{usd(ceiling)}"
            )
        explanation = (
            f"{_cap(' and '.join(how))} between {start.isoformat()} and {end.isoformat()} "
            f"({_plural(len(days), 'business day')}, {_plural(len(accounts), 'account')}, "
            f"{_plural(len(branches), 'branch')}; {usd(total)} in all), each within {window} days of the "
            f"previous, stay just under the {usd(ceiling)} CTR threshold: possible structuring (31 USC 5324)."
        )
        alerts.append(
            AlertCandidate(
                scenario="structuring",
                party_id=run["party_id"],
                account_ids=tuple(accounts),
                period_start=start,
                period_end=end,
                score=min(100, 80 + 5 * (run["units"] - th.structuring_min_events)),
                txn_ids=txn_ids,
                facts=facts,
                explanation=explanation,
                key=alert_key("structuring", run["party_id"], start, run["direction"]),
            )
        )
    return alerts


# Rapid movement -------------------------------------------------------------------------------------


def rapid_movement(ctx: Context) -> list[AlertCandidate]:
    """``rapid_movement`` alerts: money in and (mostly) out again within a few days, per account."""
    th = ctx.th
    n_days = th.rapid_window_days
    # Prune before aggregating and windowing (a sort of every account-day): a day's window
    # [d, d + n] lies in its block of n + 1 days or the next one, so it can only reach the floor
    # when those two blocks' credits do. Other blocks are dropped; a kept day whose next block was
    # dropped gets a partial (smaller) in_w, below the floor anyway: no alert is lost or invented.
    length = n_days + 1
    tx = ctx.tx.mutate(blk=(ctx.tx.day + SHIFT) // length)
    credit = tx.direction == "credit"
    blocks = tx.group_by(["account_id", "blk"]).aggregate(bin=tx.amount_usd_cents.sum(where=credit).coalesce(0))
    following = blocks.select("account_id", blk=blocks.blk - 1, nin=blocks.bin)
    pairs = blocks.left_join(following, ["account_id", "blk"])
    heavy = pairs.filter(pairs.bin + pairs.nin.coalesce(0) >= th.rapid_min_in_cents).select(
        account_id=pairs.account_id, blk=pairs.blk
    )
    keep = heavy.union(heavy.mutate(blk=heavy.blk + 1), distinct=True)
    sub = tx.join(keep, ["account_id", "blk"], how="semi")
    credit = sub.direction == "credit"
    daily = sub.group_by(["account_id", "day"]).aggregate(
        cin=sub.amount_usd_cents.sum(where=credit).coalesce(0),
        cout=sub.amount_usd_cents.sum(where=~credit).coalesce(0),
    )
    fwd = ibis.window(group_by=daily.account_id, order_by=daily.day, range=(0, n_days))
    daily = daily.mutate(in_w=daily.cin.sum().over(fwd), out_w=daily.cout.sum().over(fwd))
    anchors = daily.filter(
        daily.cin > 0,
        daily.in_w >= th.rapid_min_in_cents,
        daily.out_w * 100 >= daily.in_w * th.rapid_out_ratio_pct,
    )
    w = ibis.window(group_by=anchors.account_id, order_by=anchors.day)
    prev = anchors.day.lag().over(w)
    anchors = anchors.mutate(new_ep=ibis.ifelse(prev.isnull() | (anchors.day - prev > n_days), 1, 0))
    anchors = anchors.mutate(ep=anchors.new_ep.cumsum(group_by=anchors.account_id, order_by=anchors.day))
    eps = anchors.group_by(["account_id", "ep"]).aggregate(
        start=anchors.day.min(),
        last=anchors.day.max(),
        max_in_w=anchors.in_w.max(),
        anchors=anchors.count(),
    )
    if ctx.day_from is not None:
        eps = eps.filter(eps.last + n_days >= ctx.day_from)
    eps = eps.mutate(ep_id=ibis.row_number().over(order_by=[eps.account_id, eps.start]))
    ep_rows = ctx.fetch(eps)
    if ep_rows.num_rows == 0:
        return []
    eps_t = ibis.memtable(ep_rows.select(["ep_id", "account_id", "start", "last"]))
    ev = ctx.tx.join(eps_t, "account_id")
    ev = ev.filter(ev.day.between(ev.start, ev.last + n_days)).select(
        "ep_id", "txn_id", "amount_usd_cents", "direction", "day"
    )
    ev_rows = ctx.fetch(ev)
    evidence = group_evidence(ev_rows.select(["ep_id", "txn_id", "amount_usd_cents"]), "ep_id")
    flows: dict[int, dict[str, int]] = defaultdict(lambda: {"credit": 0, "debit": 0, "last": 0})
    for row in ev_rows.select(["ep_id", "direction", "amount_usd_cents", "day"]).to_pylist():
        f = flows[row["ep_id"]]
        f[row["direction"]] += row["amount_usd_cents"]
        f["last"] = max(f["last"], row["day"])
    alerts = []
    for ep in ctx.decoded(ep_rows).to_pylist():
        ids, amounts = evidence[ep["ep_id"]]
        f = flows[ep["ep_id"]]
        start, end = from_day(ep["start"]), from_day(f["last"])
        if not ctx.in_range(start, end):
            continue
        account = ep["account_id"]
        facts: dict[str, object] = {
            "in_cents": f["credit"],
            "out_cents": f["debit"],
            "largest_window_in_cents": ep["max_in_w"],
            "window_days": n_days,
            "min_in_cents": th.rapid_min_in_cents,
            "out_ratio_pct": th.rapid_out_ratio_pct,
        }
        txn_ids = cut_evidence(ids, amounts, th.max_evidence_txns, facts)
        explanation = (
            f"Account {account} received {usd(f['credit'])} and paid out {usd(f['debit'])} between "
            f"{start.isoformat()} and {end.isoformat()}: at least {th.rapid_out_ratio_pct}% of money in "
            f"left again within {n_days} days (rapid movement of funds)."
        )
        alerts.append(
            AlertCandidate(
                scenario="rapid_movement",
                party_id=ctx.account_party[account],
                account_ids=(account,),
                period_start=start,
                period_end=end,
                score=scaled_score(60, ep["max_in_w"] / th.rapid_min_in_cents),
                txn_ids=txn_ids,
                facts=facts,
                explanation=explanation,
                key=alert_key("rapid_movement", account, start),
            )
        )
    return alerts


# Monthly party scenarios ------------------------------------------------------------------------------


def _monthly_alerts(
    ctx: Context,
    scenario: str,
    triggered: ir.Table,
    source: ir.Table,
    build: Callable[[dict[str, Any], list[dict[str, Any]], dict[str, object]], tuple[int, str]],
) -> list[AlertCandidate]:
    """Alerts for (party_id, month) rows of ``triggered``; evidence = ``source`` rows of that party-month.

    ``build(row, evidence_rows, facts)`` fills ``facts`` and returns (score, explanation).
    """
    if ctx.month_from is not None:
        triggered = triggered.filter(triggered.month >= ctx.month_from)
    triggered = triggered.mutate(alert_id=ibis.row_number().over(order_by=[triggered.party_id, triggered.month]))
    trig_rows = ctx.fetch(triggered)
    if trig_rows.num_rows == 0:
        return []
    trig_t = ibis.memtable(trig_rows.select(["alert_id", "party_id", "month"]))
    ev = source.join(trig_t, ["party_id", "month"]).select(
        "alert_id", "txn_id", "amount_usd_cents", "account_id", "counterparty_country", "day"
    )
    ev_rows = ctx.fetch(ev)
    evidence = group_evidence(ev_rows.select(["alert_id", "txn_id", "amount_usd_cents"]), "alert_id")
    detail: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in ctx.decoded(
        ev_rows.select(["alert_id", "account_id", "counterparty_country", "amount_usd_cents", "day"])
    ).to_pylist():
        detail[row["alert_id"]].append(row)
    alerts = []
    for row in ctx.decoded(trig_rows).to_pylist():
        rows = detail[row["alert_id"]]
        ids, amounts = evidence[row["alert_id"]]
        m = row["month"]
        start = month_start(m)
        end = min(month_end(m), ctx.date_to)
        facts: dict[str, object] = {"month": start.strftime("%Y-%m")}
        score, explanation = build(row, rows, facts)
        txn_ids = cut_evidence(ids, amounts, ctx.th.max_evidence_txns, facts)
        alerts.append(
            AlertCandidate(
                scenario=scenario,
                party_id=row["party_id"],
                account_ids=tuple(sorted({r["account_id"] for r in rows})),
                period_start=start,
                period_end=end,
                score=score,
                txn_ids=txn_ids,
                facts=facts,
                explanation=explanation,
                key=alert_key(scenario, row["party_id"], start),
            )
        )
    return alerts


def baseline_deviation(ctx: Context) -> list[AlertCandidate]:
    """``baseline_deviation`` alerts: a month far above the party's own recent months."""
    th = ctx.th
    months, mult = th.baseline_months, th.baseline_multiplier
    tx = ctx.tx
    monthly = tx.group_by(["party_id", "month"]).aggregate(turnover=tx.amount_usd_cents.sum(), n=tx.count())
    first = monthly.group_by("party_id").aggregate(first_month=monthly.month.min())
    # Only months over the floor can alert, and they are few: their baselines come from a join on
    # the party's earlier months rather than a window over every party-month (a full sort).
    cand = monthly.filter(monthly.turnover >= th.baseline_min_cents).join(first, "party_id")
    cand = cand.filter(cand.first_month <= cand.month - months).select("party_id", "month", "turnover", "n")
    hist = monthly.select("party_id", hist_month=monthly.month, hist_turnover=monthly.turnover)
    paired = cand.join(
        hist,
        [cand.party_id == hist.party_id, hist.hist_month >= cand.month - months, hist.hist_month < cand.month],
        how="left",
    )
    based = paired.group_by([paired.party_id, paired.month, paired.turnover, paired.n]).aggregate(
        base_sum=paired.hist_turnover.sum().coalesce(0)
    )
    trig = based.filter(based.turnover * months >= based.base_sum * mult)

    def build(row: dict[str, Any], rows: list[dict[str, Any]], facts: dict[str, object]) -> tuple[int, str]:
        baseline = row["base_sum"] // months
        turnover = row["turnover"]
        ratio = turnover * months / row["base_sum"] if row["base_sum"] else float("inf")
        facts.update(
            turnover_cents=turnover,
            baseline_monthly_cents=baseline,
            ratio=None if ratio == float("inf") else round(ratio, 1),
            transactions=row["n"],
            baseline_months=months,
            multiplier=mult,
            min_cents=th.baseline_min_cents,
        )
        times = "with no activity in the months before" if not row["base_sum"] else f"{ratio:.1f} times"
        explanation = (
            f"Turnover of {usd(turnover)} in {facts['month']} ({_plural(row['n'], 'transaction')}) is {times} "
            f"the party's mean of {usd(baseline)} a month over the previous {months} months "
            f"(alert from {mult}x and {usd(th.baseline_min_cents)})."
        )
        score = scaled_score(50, turnover / max(mult * baseline, th.baseline_min_cents))
        return score, explanation

    return _monthly_alerts(ctx, "baseline_deviation", trig, tx, build)


def high_risk_geography(ctx: Context) -> list[AlertCandidate]:
    """``high_risk_geography`` alerts: monthly activity with counterparties in FATF-listed countries."""
    th = ctx.th
    codes = th.high_risk_country_codes if th.high_risk_country_codes is not None else high_risk_countries()
    if not codes:
        return []
    tx = ctx.tx
    hr = tx.filter(tx.counterparty_country.isin(sorted(codes)))
    monthly = hr.group_by(["party_id", "month"]).aggregate(total=hr.amount_usd_cents.sum(), n=hr.count())
    trig = monthly.filter(monthly.total >= th.high_risk_min_cents)
    trig = trig.join(ctx.parties.select("party_id", party_country=ctx.parties.country), "party_id", how="left")
    trig = trig.select(trig.party_id, trig.month, trig.total, trig.n, trig.party_country)

    def build(row: dict[str, Any], rows: list[dict[str, Any]], facts: dict[str, object]) -> tuple[int, str]:
        by_country: dict[str, int] = defaultdict(int)
        for r in rows:
            by_country[r["counterparty_country"]] += r["amount_usd_cents"]
        countries = sorted(by_country)
        black = sorted(set(countries) & FATF_CALL_FOR_ACTION)
        facts.update(
            total_cents=row["total"],
            transactions=row["n"],
            by_country_cents=dict(sorted(by_country.items())),
            call_for_action_countries=black,
            party_country=row["party_country"],
            party_country_high_risk=row["party_country"] in codes,
            min_cents=th.high_risk_min_cents,
            list_source="FATF public statements of 21 February 2025"
            if th.high_risk_country_codes is None
            else "bank-supplied list",
        )
        explanation = (
            f"{_plural(row['n'], 'transaction')} totalling {usd(row['total'])} in {facts['month']} with "
            f"counterparties in high-risk jurisdictions ({', '.join(countries)}) reach the "
            f"{usd(th.high_risk_min_cents)} monthly alert level."
        )
        return scaled_score(80 if black else 60, row["total"] / th.high_risk_min_cents), explanation

    return _monthly_alerts(ctx, "high_risk_geography", trig, hr, build)


def round_amounts(ctx: Context) -> list[AlertCandidate]:
    """``round_amounts`` alerts: several large round amounts in one calendar month."""
    th = ctx.th
    units = pa.table(
        {
            "currency": list(MINOR_UNITS),
            "round_unit": [th.round_unit_major * 10**e for e in MINOR_UNITS.values()],
        }
    )
    tx = ctx.tx
    cur = ibis.memtable(units)
    joined = tx.left_join(cur, "currency")
    # Currencies without a known exponent are assumed to have 2 minor digits (most of ISO 4217).
    unit = joined.round_unit.coalesce(th.round_unit_major * 100)
    rnd = joined.filter(
        joined.amount_minor > 0,
        joined.amount_minor % unit == 0,
        joined.amount_usd_cents >= th.round_min_each_cents,
    ).select(*tx.columns)
    monthly = rnd.group_by(["party_id", "month"]).aggregate(total=rnd.amount_usd_cents.sum(), n=rnd.count())
    trig = monthly.filter(monthly.n >= th.round_min_count, monthly.total >= th.round_min_total_cents)

    def build(row: dict[str, Any], rows: list[dict[str, Any]], facts: dict[str, object]) -> tuple[int, str]:
        facts.update(
            round_transactions=row["n"],
            total_cents=row["total"],
            round_unit_major=th.round_unit_major,
            min_each_cents=th.round_min_each_cents,
            min_count=th.round_min_count,
            min_total_cents=th.round_min_total_cents,
        )
        explanation = (
            f"{_plural(row['n'], 'transaction')} in {facts['month']} are whole multiples of "
            f"{th.round_unit_major:,} units of their currency and at least {usd(th.round_min_each_cents)} each, "
            f"{usd(row['total'])} in all (round-amount pattern)."
        )
        score = scaled_score(40 + 5 * (row["n"] - th.round_min_count), row["total"] / th.round_min_total_cents)
        return score, explanation

    return _monthly_alerts(ctx, "round_amounts", trig, rnd, build)


# Dormant reactivation ---------------------------------------------------------------------------------


def dormant_reactivation(ctx: Context) -> list[AlertCandidate]:
    """``dormant_reactivation`` alerts: a long-idle account suddenly moving money."""
    th = ctx.th
    idle, window = th.dormant_days, th.dormant_window_days
    tx = ctx.tx
    act = tx
    if th.dormant_ignore_channels:
        act = tx.filter(~tx.channel.isin(list(th.dormant_ignore_channels)))
    scope = act
    if idle >= 2:
        # Prune before aggregating and windowing (a sort of every account-day): a gap of >= idle
        # days between two activity days holds a whole empty block of idle // 2 days, so only
        # accounts with an empty block between their first and last activity, or whose first
        # activity comes >= idle days after opening, can alert.
        size = idle // 2
        blk = (act.day + SHIFT) // size
        spans = act.group_by("account_id").aggregate(
            blocks=blk.nunique(), lo=blk.min(), hi=blk.max(), first_day=act.day.min()
        )
        spans = spans.join(ctx.accounts.select("account_id", "opened_day"), "account_id", how="left")
        candidates = spans.filter(
            (spans.blocks < spans.hi - spans.lo + 1) | (spans.first_day - spans.opened_day >= idle)
        ).select("account_id")
        scope = act.join(candidates, "account_id", how="semi")
    daily = scope.group_by(["account_id", "day"]).aggregate(amount=scope.amount_usd_cents.sum(), n=scope.count())
    daily = daily.join(ctx.accounts.select("account_id", "opened_day"), "account_id", how="left").select(
        "account_id", "day", "amount", "n", "opened_day"
    )
    prev = daily.day.lag().over(ibis.window(group_by=daily.account_id, order_by=daily.day))
    fwd = ibis.window(group_by=daily.account_id, order_by=daily.day, range=(0, window))
    daily = daily.mutate(
        since=prev.coalesce(daily.opened_day),
        woke=prev.isnull(),
        moved=daily.amount.sum().over(fwd),
    )
    trig = daily.filter(daily.day - daily.since >= idle, daily.moved >= th.dormant_min_cents)
    if ctx.day_from is not None:
        trig = trig.filter(trig.day >= ctx.day_from)
    trig = trig.mutate(alert_id=ibis.row_number().over(order_by=[trig.account_id, trig.day]))
    trig_rows = ctx.fetch(trig.select("alert_id", "account_id", "day", "since", "moved", "woke"))
    if trig_rows.num_rows == 0:
        return []
    trig_t = ibis.memtable(
        trig_rows.select(["alert_id", "account_id", "day"]).rename_columns(["alert_id", "account_id", "wake"])
    )
    ev = act.join(trig_t, "account_id")
    ev = ev.filter(ev.day.between(ev.wake, ev.wake + window)).select("alert_id", "txn_id", "amount_usd_cents", "day")
    ev_rows = ctx.fetch(ev)
    evidence = group_evidence(ev_rows.select(["alert_id", "txn_id", "amount_usd_cents"]), "alert_id")
    last_day: dict[int, int] = defaultdict(int)
    for row in ev_rows.select(["alert_id", "day"]).to_pylist():
        last_day[row["alert_id"]] = max(last_day[row["alert_id"]], row["day"])
    alerts = []
    for row in ctx.decoded(trig_rows).to_pylist():
        ids, amounts = evidence[row["alert_id"]]
        account = row["account_id"]
        wake, since = from_day(row["day"]), from_day(row["since"])
        idle_days = row["day"] - row["since"]
        facts: dict[str, object] = {
            "reactivation_date": wake.isoformat(),
            "idle_since": since.isoformat(),
            "idle_since_is_opening": row["woke"],
            "idle_days": idle_days,
            "moved_cents": row["moved"],
            "window_days": window,
            "dormant_days": idle,
            "min_cents": th.dormant_min_cents,
        }
        txn_ids = cut_evidence(ids, amounts, th.max_evidence_txns, facts)
        what = "opening" if row["woke"] else "its previous activity"
        explanation = (
            f"Account {account} was idle for {idle_days} days after {what} on {since.isoformat()}, then moved "
            f"{usd(row['moved'])} within {window} days from {wake.isoformat()} (dormant-account reactivation)."
        )
        score = scaled_score(50, row["moved"] / th.dormant_min_cents) + (10 if idle_days >= 2 * idle else 0)
        alerts.append(
            AlertCandidate(
                scenario="dormant_reactivation",
                party_id=ctx.account_party[account],
                account_ids=(account,),
                period_start=wake,
                period_end=from_day(last_day[row["alert_id"]]),
                score=min(100, score),
                txn_ids=txn_ids,
                facts=facts,
                explanation=explanation,
                key=alert_key("dormant_reactivation", account, wake),
            )
        )
    return alerts
