"""Benchmark: HTTP latency of the customer 360 and party search, against the raw SQL floor.

Run: ``.venv/bin/python benchmarks/latency.py [--database sqlite|postgres|both] [--requests N]
[--transactions 1000000]``

Per database, in its own subprocess on a new, empty database (``_harness.fresh_database``), with
``BANKCRM_AS_OF=1998-12-31`` (the demo's clock) for every command:

1. untimed set-up through the real command line: ``bankcrm migrate``, ``bankcrm import berka``,
   ``bankcrm import replicate --transactions N`` (1,000,000 by default), ``bankcrm user create
   bench --role call_centre_agent`` (a role that sees every customer; password from
   ``BANKCRM_PASSWORD``) and ``bankcrm token create --user bench`` (the token is the last line of its output);
2. sampling with ``random.Random(42)``: ``--requests`` parties from all visible parties (Berka and
   replica), and as many search terms, a third of each kind: the first five letters of the last
   word of a random party's ``search_name`` (a family name), a Berka client id as digits, and the
   12-digit number of a random account that has a holder;
3. for every sampled request, the selector and the serializer the view runs (``party_360`` +
   ``party_360_read``, ``search_parties`` + ``party_read``) once under
   ``CaptureQueriesContext``, which gives the exact SQL statements Django sends; then the same
   calls again, timed, without capture (the in-process ORM figure); and ten requests of each kind
   through ``django.test.Client`` to count the statements of the whole request (token
   authentication included);
4. ``bankcrm serve --host 127.0.0.1 --port <free port>`` (gunicorn, its defaults of 2 workers x 4
   threads) as a subprocess; wait for ``GET /api/v1/health``; 20 warm-up requests; then, one at a
   time on one keep-alive ``http.client.HTTPConnection``, ``--requests`` ``GET
   /api/v1/parties/{id}`` followed by ``--requests`` ``GET /api/v1/parties?search=<term>``, each
   with ``Authorization: Bearer <token>``, timed with ``time.perf_counter`` from sending the
   request to having read the whole body. Every response must be 200 and its JSON is parsed and
   checked (the 360 must be of the party asked for; searches by client id or account number must
   find something), so a broken endpoint cannot look fast. Then SIGINT to the server;
5. the floor: the captured SQL strings of each request re-executed in order, ``fetchall()`` on
   each, on one persistent raw DB-API connection (``sqlite3`` / ``psycopg``, autocommit), after
   20 untimed warm-up requests. That is the time the database needs to answer exactly what the
   request asks of it, with no Python object building, serialization, middleware or HTTP.

Targets: p95 <= 30 ms (360 read), p95 <= 50 ms (search), HTTP wall time. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import _harness as h

AS_OF = "1998-12-31"
SEED = 42
WARMUP = 20
CLIENT_SAMPLE = 10
TARGETS = {"360 read": 30.0, "search": 50.0}
SEARCH_KINDS = ("family name", "client id", "account number")


def add_args(p: argparse.ArgumentParser) -> list[str]:
    p.add_argument("--requests", type=int, default=300, help="timed requests per kind (default 300)")
    p.add_argument("--transactions", type=int, default=1_000_000, help="replicated transactions (default 1,000,000)")
    return ["requests", "transactions"]


# Worker: set-up through the command line --------------------------------------------------------------


def _cli(*args: str, env: dict[str, str]) -> str:
    """Run ``bankcrm ARGS``; return its stdout, or stop with its output on failure."""
    command = [str(Path(sys.executable).parent / "bankcrm"), *args]
    proc = subprocess.run(command, env=env, cwd=h.REPO, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"`bankcrm {' '.join(args)}` failed (exit status {proc.returncode})")
    return proc.stdout


def set_up(transactions: int) -> tuple[str, dict[str, float]]:
    """Load the database through the CLI; return the API token and the seconds each step took."""
    env = dict(os.environ)
    env["BANKCRM_PASSWORD"] = secrets.token_urlsafe(18)
    steps: dict[str, float] = {}
    for name, args in (
        ("migrate", ["migrate"]),
        ("import berka", ["import", "berka"]),
        ("import replicate", ["import", "replicate", "--transactions", str(transactions)]),
        ("user create", ["user", "create", "bench", "--role", "call_centre_agent"]),
    ):
        t0 = time.perf_counter()
        _cli(*args, env=env)
        steps[name] = time.perf_counter() - t0
    t0 = time.perf_counter()
    lines = _cli("token", "create", "--user", "bench", env=env).strip().splitlines()
    steps["token create"] = time.perf_counter() - t0
    if not lines:
        raise SystemExit("`bankcrm token create` printed no token")
    return lines[-1].strip(), steps


# Worker: sampling ---------------------------------------------------------------------------------------


def sample(n: int) -> tuple[list[str], list[tuple[str, str]], int]:
    """``n`` party ids and ``n`` (kind, term) searches, seeded; also the number of parties."""
    import random

    from bankcrm.holdings.models import AccountRole
    from bankcrm.parties.models import Party

    rng = random.Random(SEED)
    parties = list(
        Party.objects.filter(merged_into__isnull=True)
        .order_by("id")
        .values_list("id", "search_name", "source_system", "source_id")
    )
    ids = [str(p[0]) for p in rng.sample(parties, min(n, len(parties)))]
    clients = sorted(
        int(p[3].split(":", 1)[1]) for p in parties if p[2] == "berka" and re.fullmatch(r"client:\d+", p[3])
    )
    numbers = sorted(set(AccountRole.objects.values_list("account__number", flat=True)))
    kinds = [SEARCH_KINDS[i % len(SEARCH_KINDS)] for i in range(n)]
    rng.shuffle(kinds)
    searches = []
    for kind in kinds:
        if kind == "family name":
            words = rng.choice(parties)[1].split()
            term = words[-1][:5] if words else "a"
        elif kind == "client id":
            term = str(rng.choice(clients))
        else:
            term = rng.choice(numbers)
        searches.append((kind, term))
    return ids, searches, len(parties)


# Worker: in-process capture and timing -----------------------------------------------------------------


def _calls(actor: Any, ids: Sequence[str], searches: Sequence[tuple[str, str]]) -> dict[str, list[Callable[[], Any]]]:
    """What each view does below HTTP: the selector and the serializer, per request."""
    from bankcrm.parties import selectors
    from bankcrm.parties.schemas import party_360_read, party_read

    def read(pid: str) -> Callable[[], Any]:
        return lambda: party_360_read(selectors.party_360(actor, pid), actor)

    def find(term: str) -> Callable[[], Any]:
        def run() -> Any:
            page = selectors.search_parties(actor, query=term)
            return {"items": [party_read(p) for p in page.items], "next_cursor": page.next_cursor}

        return run

    return {"360 read": [read(i) for i in ids], "search": [find(t) for _, t in searches]}


def capture(calls: dict[str, list[Callable[[], Any]]]) -> tuple[dict[str, list[list[str]]], dict[str, list[float]]]:
    """The SQL each request issues (captured once), and the in-process time of each (not captured)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sql: dict[str, list[list[str]]] = {}
    timed: dict[str, list[float]] = {}
    for kind, fns in calls.items():
        sql[kind] = []
        for fn in fns:
            with CaptureQueriesContext(connection) as ctx:
                fn()
            sql[kind].append([q["sql"] for q in ctx.captured_queries])
        for fn in fns[:WARMUP]:
            fn()
        timed[kind] = []
        for fn in fns:
            t0 = time.perf_counter()
            fn()
            timed[kind].append((time.perf_counter() - t0) * 1000)
    return sql, timed


def full_request_statements(
    token: str, ids: Sequence[str], searches: Sequence[tuple[str, str]], sql: dict[str, list[list[str]]]
) -> dict[str, Any]:
    """Statements of the whole request path (auth, view, serializer) for the first requests of
    each kind, via the test client, and those of them the selector capture did not see."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    out: dict[str, Any] = {}
    for kind, paths in (
        ("360 read", [f"/api/v1/parties/{i}" for i in ids[:CLIENT_SAMPLE]]),
        ("search", [_search_path(t) for _, t in searches[:CLIENT_SAMPLE]]),
    ):
        counts = []
        extra: dict[str, int] = {}
        for path, selector_sql in zip(paths, sql[kind], strict=False):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"test client: GET {path} -> {response.status_code}")
            counts.append(len(ctx.captured_queries))
            expected = [_shape(s) for s in selector_sql]
            for q in ctx.captured_queries:
                shape = _shape(q["sql"])
                if shape in expected:
                    expected.remove(shape)
                else:
                    key = _label(shape, 90)
                    extra[key] = extra.get(key, 0) + 1
        out[kind] = {"mean": sum(counts) / len(counts), "min": min(counts), "max": max(counts), "extra": extra}
    return out


# Worker: HTTP ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _search_path(term: str) -> str:
    return "/api/v1/parties?" + urllib.parse.urlencode({"search": term})


class KeepAlive:
    """One persistent HTTP/1.1 connection; reconnects (and counts it) if the server closed it."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.reconnects = 0

    def get(self, path: str) -> tuple[int, bytes, float]:
        """(status, body, milliseconds) of one GET; the time covers send to last body byte."""
        for attempt in (1, 2):
            try:
                t0 = time.perf_counter()
                self.conn.request("GET", path, headers=self.headers)
                response = self.conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - t0) * 1000
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, body, elapsed
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.reconnects += 1
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "bankcrm"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as fh:
        server = subprocess.Popen(command, env=dict(os.environ), cwd=h.REPO, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stderr.write(log.read_text(errors="replace")[-4000:])
            raise SystemExit(f"`bankcrm serve` exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/health")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200 and json.loads(body).get("as_of") == AS_OF:
                return server
            if response.status == 200:
                raise SystemExit(f"health check: clock is not at {AS_OF}: {body!r}")
        except (ConnectionError, OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    stop_server(server)
    raise SystemExit("`bankcrm serve` did not answer /api/v1/health within 90 s")


def stop_server(server: subprocess.Popen[bytes]) -> int | None:
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return server.returncode


def http_phase(port: int, token: str, ids: Sequence[str], searches: Sequence[tuple[str, str]]) -> dict[str, Any]:
    client = KeepAlive(port, token)
    result: dict[str, Any] = {"checks": {}}
    try:
        # Warm-up: both endpoints, requests outside the timed ones' order.
        for i in range(WARMUP):
            path = f"/api/v1/parties/{ids[-1 - i % len(ids)]}" if i % 2 else _search_path(searches[-1 - i][1])
            status, _, _ = client.get(path)
            if status != 200:
                raise SystemExit(f"warm-up: GET {path} -> {status}")

        times, transactions, accounts = [], 0, 0
        for pid in ids:
            path = f"/api/v1/parties/{pid}"
            status, body, ms = client.get(path)
            if status != 200:
                raise SystemExit(f"GET {path} -> {status}: {body[:300]!r}")
            doc = json.loads(body)
            if doc["party"]["id"] != pid or doc["as_of"] != AS_OF:
                raise SystemExit(f"GET {path}: answered for party {doc['party']['id']} as of {doc['as_of']}")
            transactions += len(doc["transactions"])
            accounts += len(doc["accounts"])
            times.append(ms)
        result["360 read"] = times
        result["checks"]["360 read"] = {"transactions": transactions / len(ids), "accounts": accounts / len(ids)}

        times = []
        hits: dict[str, list[int]] = {k: [] for k in SEARCH_KINDS}
        for kind, term in searches:
            path = _search_path(term)
            status, body, ms = client.get(path)
            if status != 200:
                raise SystemExit(f"GET {path} -> {status}: {body[:300]!r}")
            items = json.loads(body)["items"]
            hits[kind].append(len(items))
            times.append(ms)
        result["search"] = times
        result["checks"]["search"] = {
            k: {"n": len(v), "mean_items": sum(v) / len(v) if v else 0, "zero": sum(1 for x in v if x == 0)}
            for k, v in hits.items()
        }
        missing = {k: v["zero"] for k, v in result["checks"]["search"].items() if k != "family name" and v["zero"]}
        if missing:
            raise SystemExit(f"searches for terms taken from the data found nothing: {missing}")
        result["reconnects"] = client.reconnects
    finally:
        client.close()
    return result


# Worker: the raw SQL floor ------------------------------------------------------------------------------

_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w\"])-?\d+(?:\.\d+)?(?![\w\"])")
_LIST = re.compile(r"\(\s*\?(?:\s*,\s*\?)+\s*\)")


def _shape(sql: str) -> str:
    """The statement with its literals replaced by ``?`` (to group identical statements)."""
    s = _NUMBER.sub("?", _STRING.sub("?", sql))
    return _LIST.sub("(?, ...)", s)


_QUALIFIER = re.compile(r'"\w+"\.')
_TAIL = re.compile(r" (?:ORDER BY|LIMIT) ")


def _label(shape: str, width: int = 150) -> str:
    """Short name of a statement: its first table, WHERE, ORDER BY and LIMIT (joins left out)."""
    s = _QUALIFIER.sub("", shape).replace('"', "")
    verb = s.split(None, 1)[0].upper() if s.strip() else ""
    table = re.search(r" FROM (\w+)", s) or re.search(r"^\s*UPDATE (\w+)", s)
    at = s.find(" WHERE ")
    if at < 0:
        tail = _TAIL.search(s)
        at = tail.start() if tail else len(s)
    joins = s.count(" JOIN ")
    text = f"{verb} {table.group(1) if table else '?'}{f' (+{joins} joins)' if joins else ''}{s[at:]}"
    return text if len(text) <= width else text[: width - 3] + "..."


_STATS_TABLES = ("parties_party", "holdings_account", "holdings_accountrole", "holdings_transaction")


def analyzed_tables() -> str:
    """PostgreSQL: which of the big tables have planner statistics yet (the loaders do not run
    ANALYZE; autovacuum does, within about a minute of the load). Empty on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) FROM pg_stat_user_tables "
            "WHERE relname = ANY(%s) ORDER BY relname",
            [list(_STATS_TABLES)],
        )
        rows = cur.fetchall()
    return ", ".join(f"{name} {'yes' if done else 'NO'}" for name, done in rows)


def connection_overhead(samples: int = 50) -> dict[str, float]:
    """Per-request connection cost outside the captured SQL, in ms: SQLite (CONN_MAX_AGE=0) opens
    a new Django connection for every request (connect, register functions, init_command pragmas);
    PostgreSQL (CONN_MAX_AGE=60 with health checks) runs ``SELECT 1`` on its kept connection."""
    from django.db import connection

    times = []
    for _ in range(samples):
        if connection.vendor == "sqlite":
            connection.close()
            t0 = time.perf_counter()
            connection.ensure_connection()
        else:
            connection.ensure_connection()
            t0 = time.perf_counter()
            connection.is_usable()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"what": "connect" if connection.vendor == "sqlite" else "health check", "p50": times[len(times) // 2]}


def raw_connection() -> tuple[Any, str]:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        raw = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
        raw.execute("PRAGMA cache_size=-65536")
        return raw, "sqlite"
    import psycopg

    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True), "postgres"


def _explain(raw: Any, vendor: str, sql: str) -> list[str]:
    cur = raw.cursor()
    if vendor == "sqlite":
        cur.execute("EXPLAIN QUERY PLAN " + sql)
        return [str(r[-1])[:160] for r in cur.fetchall()][:12]
    cur.execute("EXPLAIN ANALYZE " + sql)
    return [str(r[0])[:160] for r in cur.fetchall()][:14]


def floor_phase(sql: dict[str, list[list[str]]]) -> dict[str, Any]:
    raw, vendor = raw_connection()
    out: dict[str, Any] = {}
    try:
        cur = raw.cursor()

        def run(statements: Sequence[str], per: dict[str, list[Any]] | None) -> float:
            total = 0.0
            seen: dict[str, int] = {}
            for s in statements:
                t0 = time.perf_counter()
                cur.execute(s)
                cur.fetchall()
                ms = (time.perf_counter() - t0) * 1000
                total += ms
                if per is not None:
                    shape = _shape(s)
                    entry = per.setdefault(shape, [0, 0.0, 0, 0.0, s])  # count, ms, max per request, max ms, slowest
                    entry[0] += 1
                    entry[1] += ms
                    seen[shape] = seen.get(shape, 0) + 1
                    entry[2] = max(entry[2], seen[shape])
                    if ms > entry[3]:
                        entry[3], entry[4] = ms, s
            return total

        for kind, requests in sql.items():
            for statements in requests[:WARMUP]:
                run(statements, None)
            per: dict[str, list[Any]] = {}
            times = [run(statements, per) for statements in requests]
            grand = sum(times) or 1.0
            top = sorted(per.items(), key=lambda kv: -kv[1][1])
            out[kind] = {
                "times": times,
                "statements": [len(s) for s in requests],
                "top": [
                    {
                        "label": _label(shape),
                        "count": v[0],
                        "share": v[1] / grand,
                        "mean_ms": v[1] / v[0],
                        "max_per_request": v[2],
                    }
                    for shape, v in top[:5]
                ],
                "plan": _explain(raw, vendor, top[0][1][4]) if top else [],
                "plan_of": _label(top[0][0]) if top else "",
            }
    finally:
        raw.close()
    return out


# Worker: the whole run -----------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["BANKCRM_AS_OF"] = AS_OF
    token, steps = set_up(args.transactions)

    os.environ["DJANGO_SETTINGS_MODULE"] = "bankcrm.config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from bankcrm.holdings.models import Transaction
    from bankcrm.identity.models import User

    actor = User.objects.get(username="bench")
    stats_before = analyzed_tables()
    t0 = time.perf_counter()
    ids, searches, parties = sample(args.requests)
    sql, orm = capture(_calls(actor, ids, searches))
    statements_full = full_request_statements(token, ids, searches, sql)
    capture_s = time.perf_counter() - t0
    overhead = connection_overhead()
    transactions_in_db = Transaction.objects.count()
    with connection.cursor() as cur:
        cur.execute("select sqlite_version()" if connection.vendor == "sqlite" else "show server_version")
        server_version = cur.fetchone()[0]
    connection.close()

    port = _free_port()
    server = start_server(port, Path(settings.VAR_DIR) / "serve.log")
    t0 = time.perf_counter()
    try:
        measured = http_phase(port, token, ids, searches)
    finally:
        exit_status = stop_server(server)
    http_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    floor = floor_phase(sql)
    floor_s = time.perf_counter() - t0
    stats_after = analyzed_tables()
    return {
        "vendor": connection.vendor,
        "server": server_version,
        "parties": parties,
        "transactions_in_db": transactions_in_db,
        "setup": steps,
        "capture_s": capture_s,
        "http_s": http_s,
        "floor_s": floor_s,
        "server_exit": exit_status,
        "http": {k: measured[k] for k in TARGETS},
        "checks": measured["checks"],
        "reconnects": measured["reconnects"],
        "orm": orm,
        "floor": floor,
        "full": statements_full,
        "overhead": overhead,
        "stats": [stats_before, stats_after],
        "debug": bool(settings.DEBUG),
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    }


# Parent: report ----------------------------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    """Percentile with linear interpolation between closest ranks (numpy's default)."""
    s = sorted(values)
    if not s:
        return math.nan
    k = (len(s) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]], info: list[tuple[str, str]]) -> None:
    print()
    print(h.table(["machine", ""], info, "Machine", left=(0, 1)))
    for vendor, r in results.items():
        print()
        rows = []
        for kind, target in TARGETS.items():
            web, floor = r["http"][kind], r["floor"][kind]["times"]
            stmts = r["floor"][kind]["statements"]
            p95, f95 = pct(web, 95), pct(floor, 95)
            rows.append(
                [
                    kind,
                    len(web),
                    ms(pct(web, 50)),
                    ms(p95),
                    ms(pct(web, 99)),
                    ms(pct(floor, 50)),
                    ms(f95),
                    ms(pct(floor, 99)),
                    f"{p95 / f95:.1f}x" if f95 else "n/a",
                    f"{sum(stmts) / len(stmts):.1f} ({min(stmts)}-{max(stmts)})",
                    f"p95 <= {target:.0f} ms ({kind}): {'met' if p95 <= target else 'missed'}",
                ]
            )
        print(
            h.table(
                [
                    "kind",
                    "requests",
                    "HTTP p50",
                    "p95",
                    "p99",
                    "SQL floor p50",
                    "p95",
                    "p99",
                    "p95 ratio",
                    "SQL stmts/request",
                    "target",
                ],
                rows,
                f"{vendor}: latency in ms, {r['parties']:,} parties, {r['transactions_in_db']:,} transactions, "
                f"as of {AS_OF}",
                left=(0, 10),
            )
        )
        print()
        rows = []
        for kind in TARGETS:
            web, orm, floor = r["http"][kind], r["orm"][kind], r["floor"][kind]["times"]
            full = r["full"][kind]
            rows.append(
                [
                    kind,
                    ms(pct(web, 50)),
                    ms(pct(orm, 50)),
                    ms(pct(floor, 50)),
                    ms(pct(web, 50) - pct(orm, 50)),
                    ms(pct(orm, 50) - pct(floor, 50)),
                    ms(pct(orm, 95)),
                    f"{full['mean']:.1f} ({full['min']}-{full['max']})",
                ]
            )
        print(
            h.table(
                [
                    "kind",
                    "HTTP p50",
                    "in-process p50",
                    "SQL floor p50",
                    "HTTP - in-process",
                    "in-process - floor",
                    "in-process p95",
                    f"stmts, whole request ({CLIENT_SAMPLE})",
                ],
                rows,
                f"{vendor}: where the time goes (ms, p50s; in-process = selector + serializer in the worker, no HTTP)",
            )
        )
        for kind in TARGETS:
            print()
            top = r["floor"][kind]["top"]
            rows = [
                [f"{t['share'] * 100:.0f}%", f"{t['mean_ms']:.2f}", t["count"], t["max_per_request"], t["label"]]
                for t in top
            ]
            print(
                h.table(
                    ["share", "mean ms", "runs", "max/request", "statement (literals as ?)"],
                    rows,
                    f"{vendor}: {kind}: SQL statements by share of the floor",
                    left=(4,),
                )
            )
            print(f"plan of the slowest run of: {r['floor'][kind]['plan_of']}")
            for line in r["floor"][kind]["plan"]:
                print(f"    {line}")
        checks = r["checks"]
        s = checks["search"]
        print()
        print(
            f"{vendor}: 360 reads averaged {checks['360 read']['accounts']:.2f} accounts and "
            f"{checks['360 read']['transactions']:.1f} transactions; searches: "
            + ", ".join(f"{k} {v['n']} (mean {v['mean_items']:.1f} items, {v['zero']} empty)" for k, v in s.items())
        )
        for kind in TARGETS:
            extra = r["full"][kind]["extra"]
            listed = "; ".join(f"{n}x {label}" for label, n in extra.items()) or "none"
            print(f"{vendor}: {kind}: statements of the whole request not issued by selector+serializer: {listed}")
        setup = ", ".join(f"{k} {v:.1f} s" for k, v in r["setup"].items())
        print(
            f"{vendor}: set-up (untimed): {setup}; capture {r['capture_s']:.1f} s, HTTP {r['http_s']:.1f} s, "
            f"floor {r['floor_s']:.1f} s; reconnects {r['reconnects']}; server exit status {r['server_exit']}; "
            f"DEBUG={r['debug']}, CONN_MAX_AGE={r['conn_max_age']}; server {r['server']}"
        )
        if r["stats"][0]:
            print(
                f"{vendor}: planner statistics (analyzed?) before sampling: {r['stats'][0]}; "
                f"after the floor: {r['stats'][1]}"
            )
        o = r["overhead"]
        print(f"{vendor}: per-request connection {o['what']} outside the captured SQL (p50 of 50): {o['p50']:.2f} ms")
    print()
    print(
        "Targets: p95 <= 30 ms (360 read), p95 <= 50 ms (search), HTTP wall time per request on one keep-alive "
        "connection, sequential. Nothing is asserted."
    )


# Entry point -------------------------------------------------------------------------------------------


def main() -> None:
    p = h.parser(__doc__.splitlines()[0])
    names = add_args(p)
    args = p.parse_args()
    if args.worker:
        h.emit(worker(args))
        return
    extra: list[str] = []
    for name in names:
        extra += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    chosen = h.vendors(args.database)
    info = h.machine_info(args.pg_admin_url, "postgres" in chosen)
    results: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for vendor in chosen:
        print(f"... measuring {vendor}", file=sys.stderr, flush=True)
        results[vendor] = h.run_worker(__file__, vendor, args.pg_admin_url, extra)
    report(args, results, info)
    print(f"Total run time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
