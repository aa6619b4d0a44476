"""Transfer-graph AML scenarios: fan-in, fan-out and cycles, as Ibis expressions (no Django import).

The graph: an edge ``src -> dst`` for every transfer, from either side of the ledger: a debit on
account A with counterparty B is ``A -> B``, a credit on A with counterparty B is ``B -> A``. A
transfer between two of the bank's accounts appears on both sides; counts use distinct
counterparties and the cycle search takes one amount per (src, dst, day), so it is not counted twice.
External counterparties (other banks' accounts) are nodes too.

Rules (figures from :class:`Thresholds`, defaults in brackets):

- ``fan_in`` / ``fan_out``: one of the bank's accounts receives money from (sends money to) at least
  ``fan_in_min_counterparties`` / ``fan_out_min_counterparties`` [5] distinct accounts within one
  window of ``fan_window_days`` [30] days. Windows start every ``fan_window_days / 2`` days from
  1970-01-01 (hopping windows), so every span of 15 days lies wholly inside one window and spans up
  to 30 days usually do; overlapping triggered windows of one account make one alert.
  *Deviation from an exact rolling window:* a rolling count of *distinct* counterparties needs
  ``COUNT(DISTINCT ...) OVER (RANGE ...)``, which DuckDB has but PostgreSQL and Spark do not; fixed
  hopping windows are a plain ``GROUP BY`` on every backend and give calendar-stable keys.
  Base score 60.
- ``cycle``: money leaves an account and comes back to it through 1 to ``cycle_max_length - 1``
  other accounts (cycle of ``cycle_min_length``-``cycle_max_length`` [2-6] accounts, all distinct),
  every hop within ``cycle_window_days`` [30] of the first, the smallest hop's amount at least
  ``100 - cycle_amount_tolerance_pct`` [80 %] of the largest hop's (so the rule does not depend on
  where the search starts), and (``cycle_time_ordered`` [true])
  each hop booked on or after the previous one. *Deviation:* the search is a bounded self-join (one
  join per hop, each level materialised), not a recursive query, so longer cycles are not found.
  Base score 75, +5 per account beyond 2.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from bankcrm.monitoring.engine.context import SHIFT, Context, cut_evidence, from_day, group_evidence, scaled_score, usd
from bankcrm.monitoring.engine.types import AlertCandidate, alert_key, digest


def _transfers(ctx: Context) -> ir.Table:
    tx = ctx.tx
    cp = tx.counterparty_account
    return tx.filter(cp.notnull(), cp != tx.account_id)


def flows(ctx: Context, *, inbound: bool) -> ir.Table:
    """Flows into (``inbound``) or out of each of the bank's accounts: ``centre``, ``other``,
    ``day``, ``txn_id``, ``amount_usd_cents``; a transfer between two of the bank's accounts is seen
    from both ledger sides."""
    t = _transfers(ctx)
    near, far = ("credit", "debit") if inbound else ("debit", "credit")
    direct = t.filter(t.direction == near).select(
        centre=t.account_id,
        other=t.counterparty_account,
        day=t.day,
        txn_id=t.txn_id,
        amount_usd_cents=t.amount_usd_cents,
    )
    mirrored = t.filter(t.direction == far, t.counterparty_account < ctx.n_accounts).select(
        centre=t.counterparty_account,
        other=t.account_id,
        day=t.day,
        txn_id=t.txn_id,
        amount_usd_cents=t.amount_usd_cents,
    )
    return direct.union(mirrored, distinct=False)


def _fan(ctx: Context, *, inbound: bool) -> list[AlertCandidate]:
    th = ctx.th
    scenario = "fan_in" if inbound else "fan_out"
    k = th.fan_in_min_counterparties if inbound else th.fan_out_min_counterparties
    width, half = th.fan_window_days, th.fan_window_days // 2
    f = flows(ctx, inbound=inbound)
    phased = [
        f.mutate(wstart=((f.day + SHIFT + phase * half) // width) * width - SHIFT - phase * half) for phase in (0, 1)
    ]
    fw = phased[0].union(phased[1], distinct=False)
    wins = fw.group_by(["centre", "wstart"]).aggregate(n_cp=fw.other.nunique())
    trig = wins.filter(wins.n_cp >= k)
    prev = trig.wstart.lag().over(ibis.window(group_by=trig.centre, order_by=trig.wstart))
    trig = trig.mutate(new_ep=ibis.ifelse(prev.isnull() | (trig.wstart - prev >= width), 1, 0))
    trig = trig.mutate(ep=trig.new_ep.cumsum(group_by=trig.centre, order_by=trig.wstart))
    eps = trig.group_by(["centre", "ep"]).aggregate(
        start=trig.wstart.min(), end=trig.wstart.max() + (width - 1), max_cp=trig.n_cp.max(), windows=trig.count()
    )
    if ctx.day_from is not None:
        eps = eps.filter(eps.end >= ctx.day_from)
    eps = eps.mutate(ep_id=ibis.row_number().over(order_by=[eps.centre, eps.start]))
    ep_rows = ctx.fetch(eps)
    if ep_rows.num_rows == 0:
        return []
    eps_t = ibis.memtable(ep_rows.select(["ep_id", "centre", "start", "end"]))
    ev = f.join(eps_t, "centre")
    ev = ev.filter(ev.day.between(ev.start, ev.end)).select("ep_id", "txn_id", "amount_usd_cents", "other", "day")
    ev_rows = ctx.fetch(ev)
    evidence = group_evidence(ev_rows.select(["ep_id", "txn_id", "amount_usd_cents"]), "ep_id")
    others: dict[int, set[str]] = defaultdict(set)
    span: dict[int, list[int]] = {}
    for row in ctx.decoded(ev_rows.select(["ep_id", "other", "day"])).to_pylist():
        others[row["ep_id"]].add(row["other"])
        lo_hi = span.setdefault(row["ep_id"], [row["day"], row["day"]])
        lo_hi[0], lo_hi[1] = min(lo_hi[0], row["day"]), max(lo_hi[1], row["day"])
    alerts = []
    for ep in ctx.decoded(ep_rows).to_pylist():
        ids, amounts = evidence[ep["ep_id"]]
        centre = ep["centre"]
        start, end = from_day(span[ep["ep_id"]][0]), from_day(span[ep["ep_id"]][1])
        if not ctx.in_range(start, end):
            continue
        cps = sorted(others[ep["ep_id"]])
        total = int(amounts.sum())
        facts: dict[str, object] = {
            "counterparty_accounts": cps,
            "counterparties": len(cps),
            "max_counterparties_in_window": ep["max_cp"],
            "windows": ep["windows"],
            "total_cents": total,
            "window_days": width,
            "min_counterparties": k,
        }
        txn_ids = cut_evidence(ids, amounts, th.max_evidence_txns, facts)
        way = "received money from" if inbound else "sent money to"
        explanation = (
            f"Account {centre} {way} {ep['max_cp']} distinct accounts within {width} days "
            f"({len(cps)} between {start.isoformat()} and {end.isoformat()}, {usd(total)} in all; "
            f"alert from {k}): {'fan-in' if inbound else 'fan-out'} pattern."
        )
        alerts.append(
            AlertCandidate(
                scenario=scenario,
                party_id=ctx.account_party[centre],
                account_ids=(centre,),
                period_start=start,
                period_end=end,
                score=scaled_score(60, ep["max_cp"] / k),
                txn_ids=txn_ids,
                facts=facts,
                explanation=explanation,
                key=alert_key(scenario, centre, from_day(ep["start"])),
            )
        )
    return alerts


def fan_in(ctx: Context) -> list[AlertCandidate]:
    """``fan_in`` alerts (see the module docstring)."""
    return _fan(ctx, inbound=True)


def fan_out(ctx: Context) -> list[AlertCandidate]:
    """``fan_out`` alerts (see the module docstring)."""
    return _fan(ctx, inbound=False)


# Cycles -----------------------------------------------------------------------------------------------


def _edge_rows(ctx: Context) -> ir.Table:
    """Every transfer as (src, dst, day, txn_id, amount_usd_cents, side): side 0 = payer's ledger."""
    t = _transfers(ctx)
    paid = t.filter(t.direction == "debit").select(
        src=t.account_id,
        dst=t.counterparty_account,
        day=t.day,
        txn_id=t.txn_id,
        amount_usd_cents=t.amount_usd_cents,
        side=ibis.literal(0),
    )
    got = t.filter(t.direction == "credit").select(
        src=t.counterparty_account,
        dst=t.account_id,
        day=t.day,
        txn_id=t.txn_id,
        amount_usd_cents=t.amount_usd_cents,
        side=ibis.literal(1),
    )
    return paid.union(got, distinct=False)


def _edges(ctx: Context) -> ir.Table:
    """One edge per (src, dst, day); amount = the larger of the two ledger sides' totals (they are
    equal when both sides are the bank's, and only one side exists otherwise). Edges that cannot lie
    on a cycle (no way in to their source or out of their target) are dropped."""
    rows = _edge_rows(ctx)
    edges = rows.group_by(["src", "dst", "day"]).aggregate(
        amount=ibis.greatest(
            rows.amount_usd_cents.sum(where=rows.side == 0).coalesce(0),
            rows.amount_usd_cents.sum(where=rows.side == 1).coalesce(0),
        )
    )
    return edges.filter(edges.src.isin(edges.dst), edges.dst.isin(edges.src))


def _cycle_instances(ctx: Context) -> list[dict[str, Any]]:
    """Closed paths found by the bounded self-join; each ``{"nodes": (...), "days": (...),
    "amounts": (...)}`` where hop i goes nodes[i] -> nodes[i+1] (the last back to nodes[0])."""
    th = ctx.th
    ordered, width, tol = th.cycle_time_ordered, th.cycle_window_days, th.cycle_amount_tolerance_pct
    edges_arrow = ctx.fetch(_edges(ctx))
    if edges_arrow.num_rows == 0:
        return []
    e = ibis.memtable(edges_arrow)
    first = e if ordered else e.filter(e.dst > e.src)
    paths = ctx.fetch(
        first.select(
            n0=first.src,
            n1=first.dst,
            h1=first.day,
            m1=first.amount,
            dmin=first.day,
            dmax=first.day,
            amin=first.amount,
            amax=first.amount,
        )
    )
    found: list[dict[str, Any]] = []
    for k in range(1, th.cycle_max_length):
        if paths.num_rows == 0:
            break
        p = ibis.memtable(paths)
        last_day = p[f"h{k}"]
        cond = [
            p[f"n{k}"] == e.src,
            ibis.greatest(p.amax, e.amount) * (100 - tol) <= ibis.least(p.amin, e.amount) * 100,
            e.day <= p.dmin + width,
            (e.day >= last_day) if ordered else (e.day >= p.dmax - width),
        ]
        j = p.join(e, cond)
        hop_cols = {f"n{i}": j[f"n{i}"] for i in range(k + 1)}
        hop_cols |= {f"h{i}": j[f"h{i}"] for i in range(1, k + 1)}
        hop_cols |= {f"m{i}": j[f"m{i}"] for i in range(1, k + 1)}
        if k + 1 >= th.cycle_min_length:
            closed = j.filter(j.dst == j.n0).select(**hop_cols, **{f"h{k + 1}": j.day, f"m{k + 1}": j.amount})
            for row in ctx.fetch(closed).to_pylist():
                codes = tuple(row[f"n{i}"] for i in range(k + 1))
                found.append(
                    {
                        "codes": codes,
                        "nodes": tuple(ctx.account_names[c].as_py() for c in codes),
                        "days": tuple(row[f"h{i}"] for i in range(1, k + 2)),
                        "amounts": tuple(row[f"m{i}"] for i in range(1, k + 2)),
                    }
                )
        if k + 1 >= th.cycle_max_length:
            break
        fresh = [j.dst != j[f"n{i}"] for i in range(k + 1)]
        if not ordered:
            fresh.append(j.dst > j.n0)
        nxt = j.filter(*fresh).select(
            **hop_cols,
            **{f"n{k + 1}": j.dst, f"h{k + 1}": j.day, f"m{k + 1}": j.amount},
            dmin=ibis.least(j.dmin, j.day),
            amin=ibis.least(j.amin, j.amount),
            amax=ibis.greatest(j.amax, j.amount),
            dmax=ibis.greatest(j.dmax, j.day),
        )
        paths = ctx.fetch(nxt)
    return found


def _canonical(nodes: tuple[str, ...]) -> tuple[str, ...]:
    """The rotation of a directed cycle that starts at its smallest node id."""
    i = nodes.index(min(nodes))
    return nodes[i:] + nodes[:i]


def cycle(ctx: Context) -> list[AlertCandidate]:
    """``cycle`` alerts (see the module docstring): one per cycle of accounts and episode."""
    th = ctx.th
    width = th.cycle_window_days
    by_cycle: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[Any, ...]] = set()
    for inst in _cycle_instances(ctx):
        nodes, codes = inst["nodes"], inst["codes"]
        hops = tuple(sorted((codes[i], codes[(i + 1) % len(codes)], inst["days"][i]) for i in range(len(codes))))
        canon = _canonical(nodes)
        if (canon, hops) in seen:
            continue
        seen.add((canon, hops))
        by_cycle[canon].append({**inst, "hops": hops, "start": min(inst["days"]), "end": max(inst["days"])})
    episodes: list[dict[str, Any]] = []
    for canon, insts in sorted(by_cycle.items()):
        insts.sort(key=lambda x: (x["start"], x["days"]))
        current: dict[str, Any] | None = None
        for inst in insts:
            if current is None or inst["start"] - current["start"] > width:
                current = {
                    "canon": canon,
                    "first": inst,
                    "start": inst["start"],
                    "end": inst["end"],
                    "hops": set(),
                    "n": 0,
                }
                episodes.append(current)
            current["end"] = max(current["end"], inst["end"])
            current["hops"].update(inst["hops"])
            current["n"] += 1
    episodes = [ep for ep in episodes if ctx.in_range(from_day(ep["start"]), from_day(ep["end"]))]
    if not episodes:
        return []
    hop_table = pa.table(
        {
            "ep_id": [i for i, ep in enumerate(episodes) for _ in ep["hops"]],
            "src": pa.array([h[0] for ep in episodes for h in sorted(ep["hops"])], pa.int32()),
            "dst": pa.array([h[1] for ep in episodes for h in sorted(ep["hops"])], pa.int32()),
            "day": pa.array([h[2] for ep in episodes for h in sorted(ep["hops"])], pa.int32()),
        }
    )
    rows = _edge_rows(ctx)
    ev = rows.join(ibis.memtable(hop_table), ["src", "dst", "day"]).select("ep_id", "txn_id", "amount_usd_cents")
    evidence = group_evidence(
        ctx.fetch(ev)
        .group_by(["ep_id", "txn_id"])
        .aggregate([("amount_usd_cents", "max")])
        .rename_columns(["ep_id", "txn_id", "amount_usd_cents"]),
        "ep_id",
    )

    def name(code: int) -> str:
        return str(ctx.account_names[code].as_py())

    alerts = []
    for i, ep in enumerate(episodes):
        first = ep["first"]
        path = first["nodes"]
        ours = [n for n in path if n in ctx.account_party]
        parties = sorted({ctx.account_party[n] for n in ours})
        start, end = from_day(ep["start"]), from_day(ep["end"])
        ids, amounts = evidence.get(i, ((), ()))
        facts: dict[str, object] = {
            "length": len(path),
            "path": [*path, path[0]],
            "hops": [
                {"from": name(a), "to": name(b), "date": from_day(d).isoformat()}
                for a, b, d in sorted(ep["hops"], key=lambda h: (h[2], name(h[0])))
            ],
            "first_hop_cents": first["amounts"][0],
            "hop_cents": list(first["amounts"]),
            "party_ids": parties,
            "instances": ep["n"],
            "window_days": width,
            "amount_tolerance_pct": th.cycle_amount_tolerance_pct,
            "time_ordered": th.cycle_time_ordered,
        }
        txn_ids = cut_evidence(ids, amounts, th.max_evidence_txns, facts)
        explanation = (
            f"Money went round {len(path)} accounts ({' -> '.join([*path, path[0]])}) between {start.isoformat()} "
            f"and {end.isoformat()}, starting with {usd(first['amounts'][0])}, no hop more than "
            f"{th.cycle_amount_tolerance_pct}% below the largest, all within {width} days: "
            "possible layering through a cycle."
        )
        alerts.append(
            AlertCandidate(
                scenario="cycle",
                party_id=ctx.account_party[ours[0]] if ours else None,
                account_ids=tuple(sorted(ours)),
                period_start=start,
                period_end=end,
                score=min(100, 75 + 5 * (len(path) - 2)),
                txn_ids=txn_ids,
                facts=facts,
                explanation=explanation,
                key=alert_key("cycle", digest(ep["canon"]), start),
            )
        )
    return alerts
