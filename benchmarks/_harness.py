"""Shared plumbing for the benchmark scripts in this folder (not a benchmark itself).

Django reads its settings from the environment at import time, so every database is measured in
a subprocess: the parent script creates a fresh database (a temporary ``BANKCRM_VAR_DIR`` with
``DATABASE_URL`` unset for SQLite, a new ``bankcrm_bench_<pid>`` database for PostgreSQL),
re-invokes itself with ``--worker VENDOR`` and reads one JSON result line from the worker's
stdout. The developer's ``var/bankcrm.sqlite3`` is never opened.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULT_MARKER = "BENCH_RESULT "
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


# Command line ----------------------------------------------------------------------------------------


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument(
        "--pg-admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL),
        help="server to create the scratch database on (connects to its maintenance db); "
        f"default {DEFAULT_PG_ADMIN_URL} or $BENCH_PG_ADMIN_URL",
    )
    p.add_argument("--worker", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    return p


def vendors(choice: str) -> list[str]:
    return ["sqlite", "postgres"] if choice == "both" else [choice]


# Worker side -------------------------------------------------------------------------------------------


def setup_django() -> None:
    """Configure Django from the environment the parent prepared and create the schema."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bankcrm.config.settings"
    os.environ["BANKCRM_ENV"] = "dev"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def emit(result: dict[str, Any]) -> None:
    """Hand the worker's result to the parent (one marked JSON line on stdout)."""
    sys.stdout.write(RESULT_MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()


# Parent side -------------------------------------------------------------------------------------------


def _pg_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def _pg_url_for(admin_url: str, dbname: str) -> str:
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{dbname}"


@contextmanager
def fresh_database(vendor: str, admin_url: str) -> Iterator[dict[str, str]]:
    """Environment for a worker on a new, empty database; everything is removed afterwards."""
    var_dir = tempfile.mkdtemp(prefix=f"bankcrm_bench_{vendor}_")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BANKCRM_ENV", "BANKCRM_AS_OF")}
    env["BANKCRM_VAR_DIR"] = var_dir
    env["BANKCRM_ENV"] = "dev"
    env["DJANGO_SETTINGS_MODULE"] = "bankcrm.config.settings"
    env["PYTHONUNBUFFERED"] = "1"
    dbname = f"bankcrm_bench_{os.getpid()}"
    created = False
    try:
        if vendor == "postgres":
            from psycopg import sql

            with _pg_connect(admin_url) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(dbname)))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            created = True
            env["DATABASE_URL"] = _pg_url_for(admin_url, dbname)
        yield env
    finally:
        if created:
            from psycopg import sql

            with _pg_connect(admin_url) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        shutil.rmtree(var_dir, ignore_errors=True)


def run_worker(script: str, vendor: str, admin_url: str, extra_args: Sequence[str] = ()) -> dict[str, Any]:
    """Run ``script --worker vendor`` on a fresh database and return its JSON result."""
    with fresh_database(vendor, admin_url) as env:
        proc = subprocess.run(
            [sys.executable, script, "--worker", vendor, *extra_args],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
    results = [line[len(RESULT_MARKER) :] for line in proc.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    other = [line for line in proc.stdout.splitlines() if not line.startswith(RESULT_MARKER)]
    if other:
        sys.stderr.write("\n".join(other) + "\n")
    if proc.returncode != 0 or not results:
        raise SystemExit(f"{vendor} worker failed (exit status {proc.returncode}); see its output above")
    return json.loads(results[-1])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _pg_version(admin_url: str) -> str:
    try:
        with _pg_connect(admin_url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except Exception as exc:  # the server may simply not be running
        return f"unreachable ({exc.__class__.__name__})"


def machine_info(admin_url: str, with_postgres: bool) -> list[tuple[str, str]]:
    import django

    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count() or 0
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    info = [
        ("nproc", str(affinity)),
        ("cpu", _cpu_model()),
        ("memory", mem or "unknown"),
        ("os", platform.platform()),
        ("python", platform.python_version()),
        ("django", django.get_version()),
        ("sqlite", sqlite3.sqlite_version),
        ("temp dir", tempfile.gettempdir()),
    ]
    if with_postgres:
        info.append(("postgres server", _pg_version(admin_url)))
    return info


# Output ------------------------------------------------------------------------------------------------


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "", left: Sequence[int] = (0,)) -> str:
    """Plain-text table; columns listed in ``left`` are left-aligned, the others right-aligned."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        padded = [v.ljust(w) if i in left else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths, strict=True))]
        return "  ".join(padded).rstrip()

    out = [title] if title else []
    out += [line(list(headers)), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def num(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def secs(value: float) -> str:
    return f"{value:.2f} s"


def ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.1f}x" if baseline else "n/a"


def main(
    script: str,
    description: str,
    worker: Callable[[argparse.Namespace], dict[str, Any]],
    report: Callable[[argparse.Namespace, dict[str, dict[str, Any]], list[tuple[str, str]]], None],
    add_args: Callable[[argparse.ArgumentParser], list[str]] | None = None,
) -> None:
    """Parse arguments; as a worker measure one database, otherwise orchestrate and print."""
    p = parser(description)
    forwarded_names = add_args(p) if add_args else []
    args = p.parse_args()
    if args.worker:
        setup_django()
        emit(worker(args))
        return
    extra: list[str] = []
    for name in forwarded_names:
        extra += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    chosen = vendors(args.database)
    info = machine_info(args.pg_admin_url, "postgres" in chosen)
    results: dict[str, dict[str, Any]] = {}
    for vendor in chosen:
        print(f"... measuring {vendor}", file=sys.stderr, flush=True)
        results[vendor] = run_worker(script, vendor, args.pg_admin_url, extra)
    report(args, results, info)
