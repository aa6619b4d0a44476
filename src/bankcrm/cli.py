"""The ``bankcrm`` command line (Typer). Each command calls the same services as the API.

Every command honours ``DATABASE_URL``, ``BANKCRM_ENV``, ``BANKCRM_AS_OF`` and ``BANKCRM_VAR_DIR``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(help="BankCRM: compliance-first CRM for US banks.", no_args_is_help=True)
import_app = typer.Typer(help="Load data sets.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(user_app, name="user")
keys_app = typer.Typer(help="Field-encryption keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
lists_app = typer.Typer(help="Watch lists (OFAC SDN, consolidated, 314(a), internal).", no_args_is_help=True)
app.add_typer(lists_app, name="lists")
monitor_app = typer.Typer(help="AML transaction monitoring, CTRs and 314(a) searches.", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")
mail_app = typer.Typer(help="E-mail intake.", no_args_is_help=True)
app.add_typer(mail_app, name="mail")
privacy_app = typer.Typer(help="Data-subject requests.", no_args_is_help=True)
app.add_typer(privacy_app, name="privacy")

# soft_wrap: never break tokens, URLs or commands across lines when output is not a terminal.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DEMO_AS_OF = "1998-12-31"
DEFAULT_BERKA_DIR = Path("data/berka-pkdd99")
DEMO_RM_BRANCHES = ("CZ049", "CZ001")
DEMO_USERS: tuple[tuple[str, list[str], bool], ...] = (
    ("demo-admin", ["administrator"], True),
    ("demo-rm", ["relationship_manager"], False),
    ("demo-agent", ["branch_agent"], False),
    ("demo-callcentre", ["call_centre_agent"], False),
    ("demo-complaints", ["complaints_officer"], False),
    # A second complaints officer: the checker of demo-complaints' relief closures (maker-checker).
    ("demo-complaints2", ["complaints_officer"], False),
    ("demo-aml", ["bsa_aml_officer"], False),
    ("demo-privacy", ["privacy_officer"], False),
    ("demo-auditor", ["auditor"], False),
)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bankcrm.config.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(code)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _run_with_progress(fn: Any, **kwargs: Any) -> Any:
    with _progress() as bar:
        tasks: dict[str, Any] = {}

        def progress(entity: str, done: int, total: int) -> None:
            if entity not in tasks:
                tasks[entity] = bar.add_task(entity, total=total)
            bar.update(tasks[entity], completed=done, total=total)

        return fn(progress=progress, **kwargs)


def _print_report(report: Any) -> None:
    table = Table(title=f"{report.source}: rows created / already present")
    table.add_column("entity")
    table.add_column("created", justify="right")
    table.add_column("unchanged", justify="right")
    for entity in sorted(set(report.created) | set(report.unchanged)):
        table.add_row(entity, str(report.created.get(entity, 0)), str(report.unchanged.get(entity, 0)))
    out.print(table)
    if report.changed_anything:
        out.print(f"{report.source}: loaded {sum(report.created.values())} new rows.")
    else:
        out.print(f"{report.source}: already loaded; nothing changed.")


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    _setup()
    _migrate(verbosity=1)


@import_app.command("berka")
def import_berka(
    directory: Annotated[Path, typer.Argument(help="Folder with the Berka .asc files")] = DEFAULT_BERKA_DIR,
) -> None:
    """Validate, then load the Berka / PKDD'99 files (idempotent; nothing written on bad input)."""
    _setup()
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.datasets.berka.loader import import_berka as load

    try:
        report = _run_with_progress(load, actor=None, directory=directory)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    _print_report(report)


@import_app.command("synthetic-us")
def import_synthetic_us() -> None:
    """Load the seeded synthetic US parties (SSN/ITIN/EIN flows), flagged synthetic."""
    _setup()
    from bankcrm.datasets.us_synthetic import import_us_synthetic

    _print_report(_run_with_progress(import_us_synthetic, actor=None))


@import_app.command("replicate")
def import_replicate(
    transactions: Annotated[int, typer.Option(help="Total synthetic transactions to reach")] = 1_000_000,
) -> None:
    """Replicate the real Berka transactions onto synthetic accounts (rule: docs/data-model.md)."""
    _setup()
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.datasets.replicate import replicate_berka

    try:
        result = _run_with_progress(replicate_berka, actor=None, transactions=transactions)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    if result.skipped:
        out.print(f"replica:{transactions} already loaded; nothing changed.")
    else:
        out.print(
            f"loaded {result.transactions:,} transactions on {result.accounts:,} synthetic accounts: "
            f"set-up {result.setup_seconds:.1f} s, bulk load {result.load_seconds:.1f} s "
            f"({result.rows_per_second:,.0f} rows/s)"
        )


@import_app.command("cfpb")
def import_cfpb_cmd(
    path: Annotated[
        Path | None, typer.Argument(help="A CCDB-layout CSV (.csv or .csv.gz); default: the sample")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Load only the first N rows")] = None,
) -> None:
    """Load the real CFPB complaint sample as complaints of demo parties (needs Berka loaded first)."""
    _setup()
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.datasets.cfpb import import_cfpb

    try:
        report = _run_with_progress(import_cfpb, actor=None, path=path, limit=limit)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    _print_report(report)


DEFAULT_SDN_DIR = Path("data/ofac-sdn/2023-12-28")
DEFAULT_CONS_DIR = Path("data/ofac-consolidated-non-sdn/2025-12-19")


def _guess_list(source: Path) -> str:
    if source.is_dir() and (source / "sdn.csv").exists():
        return "ofac-sdn"
    if source.is_dir() and (source / "cons_prim.csv").exists():
        return "ofac-cons"
    return ""


def _rescreen_pending() -> None:
    """Run the queued re-screens now, once: the latest pending run covers every active list."""
    from bankcrm.screening import services as screening
    from bankcrm.screening.models import ScreeningRun

    pending = list(ScreeningRun.objects.filter(status=ScreeningRun.Status.RUNNING, parties_done=0).order_by("pk"))
    if not pending:
        return
    *older, run = pending
    done = _run_with_progress(
        lambda progress: screening.rescreen_all(run_id=run.pk, progress=lambda d, t: progress("screening", d, t))
    )
    # The older queued runs are covered by this one (same active versions or newer).
    ScreeningRun.objects.filter(pk__in=[r.pk for r in older]).update(status=ScreeningRun.Status.DONE)
    out.print(
        f"screened {done.parties_done:,} parties in {(done.duration_ms or 0) / 1000:.2f} s: "
        f"{done.hits_created} new hit(s)"
    )


def _import_list(source: Path, list_code: str, version: str, rescreen: bool) -> None:
    from bankcrm.screening import services as screening
    from bankcrm.screening.models import ScreeningRun, WatchListVersion

    existed = WatchListVersion.objects.filter(watch_list__code=list_code, version=version).exists()
    row = screening.import_list(
        actor=None, list_code=list_code, source=source, version=version, enqueue_rescreen=not rescreen
    )
    if existed:
        out.print(f"{list_code} {row.version}: already imported ({row.entry_count:,} entries); nothing changed")
        return
    delta = row.delta or {}
    change = (
        f"+{len(delta['added'])} added, -{len(delta['removed'])} removed, "
        f"{len(delta['changed'])} changed since {delta['previous']}"
        if delta
        else "first version"
    )
    out.print(f"{list_code} {row.version}: {row.entry_count:,} entries ({change})")
    run = ScreeningRun.objects.filter(reason=f"{list_code} {version} imported").order_by("-pk").first()
    if rescreen and run is not None and run.status != ScreeningRun.Status.DONE:
        done = _run_with_progress(
            lambda progress: screening.rescreen_all(run_id=run.pk, progress=lambda d, t: progress("screening", d, t))
        )
        out.print(
            f"re-screened {done.parties_done:,} parties in {(done.duration_ms or 0) / 1000:.2f} s: "
            f"{done.hits_created} new hit(s)"
        )


@lists_app.command("import")
def lists_import(
    source: Annotated[Path, typer.Argument(help="OFAC CSV folder, or a 314(a) / internal CSV file")],
    list_code: Annotated[
        str, typer.Option("--list", help="ofac-sdn, ofac-cons, 314a or internal (guessed for OFAC)")
    ] = "",
    version: Annotated[str, typer.Option(help="List date YYYY-MM-DD (default: the folder name)")] = "",
    rescreen: Annotated[bool, typer.Option(help="Re-screen every party now (else the worker does)")] = True,
) -> None:
    """Import a list version (kept beside earlier ones, with the delta), then re-screen every party."""
    _setup()
    from bankcrm.core.errors import ValidationFailed

    code = list_code or _guess_list(source)
    if not code:
        raise _fail("--list: say which list this is (ofac-sdn, ofac-cons, 314a, internal)", code=2)
    try:
        _import_list(source, code, version or source.name, rescreen)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None


@app.command()
def screen(
    name: Annotated[str, typer.Argument(help="The name to check")],
    dob: Annotated[str | None, typer.Option("--dob", help="Date of birth YYYY-MM-DD or YYYY")] = None,
    country: Annotated[str | None, typer.Option(help="ISO country code")] = None,
    entity_type: Annotated[str | None, typer.Option("--type", help="person, organization, vessel, aircraft")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON only")] = False,
) -> None:
    """Screen a name against the active watch lists (same answer as POST /api/v1/screening/check)."""
    _setup()
    from pydantic import ValidationError as PydanticError

    from bankcrm.screening.api import ScreeningCheckCreate, check_payload

    try:
        query = ScreeningCheckCreate(name=name, date_of_birth=dob, country=country, entity_type=entity_type)
    except PydanticError as exc:
        raise _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()), code=2) from None
    result = check_payload(query.name, query.date_of_birth, query.country, query.entity_type)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    table = Table(
        title=f"Threshold {result['threshold']}; lists: "
        + ", ".join(f"{v['list']} {v['version']}" for v in result["lists"])
    )
    for column in ("score", "list", "entry", "name", "matched", "why"):
        table.add_column(column)
    for h in result["hits"]:
        table.add_row(f"{h['score']:.2f}", h["list"], h["entry_id"], h["name"], h["matched_name"], h["explanation"])
    out.print(table)


def _date_option(value: str | None, name: str) -> Any:
    import datetime as dt

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{name}: must be a date YYYY-MM-DD", code=2) from None


@monitor_app.command("run")
def monitor_run(
    date_from: Annotated[str | None, typer.Option("--from", help="First booking date (default: all history)")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last booking date (default: the clock's date)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only JSON on stdout (progress on stderr)")] = False,
) -> None:
    """Run every scenario over the period: new alerts become AML cases; alerts still open or
    already closed (suppressed) are listed as such. Also drafts the CTRs due."""
    _setup()
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.monitoring import services as monitoring

    start, end = _date_option(date_from, "--from"), _date_option(date_to, "--to")
    try:
        run, alerts = monitoring.run_monitoring(
            actor=None, date_from=start, date_to=end, progress=lambda m: err.print(m)
        )
        ctrs = monitoring.generate_ctrs(actor=None, date_from=start, date_to=end)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    if as_json:
        body = {
            "run": run.pk,
            "from": str(start) if start else None,
            "to": str(run.date_to),
            "transactions": run.transactions,
            "alerts": alerts,
            "counts": {"new": run.alerts_new, "open": run.alerts_open, "suppressed": run.alerts_suppressed},
            "ctrs_drafted": len(ctrs),
        }
        print(json.dumps(body, ensure_ascii=False))
        return
    table = Table(title=f"Monitoring {start or 'all history'} .. {run.date_to}: {run.transactions:,} transactions")
    for column in ("status", "scenario", "period", "score", "explanation"):
        table.add_column(column)
    for a in alerts:
        table.add_row(
            a["status"], a["scenario"], f"{a['period_start']}..{a['period_end']}", str(a["score"]), a["explanation"]
        )
    out.print(table)
    out.print(
        f"{run.alerts_new} new, {run.alerts_open} still open, {run.alerts_suppressed} suppressed; "
        f"{len(ctrs)} CTR(s) drafted"
    )


@monitor_app.command("search-314a")
def monitor_search_314a() -> None:
    """Search the active FinCEN 314(a) subject list against accounts (12 months) and transactions (6 months)."""
    _setup()
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.monitoring import fincen314a

    try:
        result = fincen314a.search(actor=None)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    out.print(
        f"314(a) {result.list_version.version}: {result.parties_searched:,} parties searched, "
        f"{len(result.matches)} match(es); report positive matches by {result.due_on}"
    )


@mail_app.command("ingest")
def mail_ingest(
    directory: Annotated[Path, typer.Argument(help="Folder of .eml files")],
    kind: Annotated[str, typer.Option(help="complaint or service_request")] = "complaint",
) -> None:
    """Read every .eml file: match the sender to a customer, open a case (or add a reply to its
    case), record the e-mail on the timeline. Idempotent by Message-ID."""
    _setup()
    from bankcrm.cases.mail import ingest_directory
    from bankcrm.core.errors import ValidationFailed

    if kind not in ("complaint", "service_request"):
        raise _fail("--kind: must be complaint or service_request", code=2)
    try:
        report = ingest_directory(directory, kind=kind)
    except ValidationFailed as exc:
        raise _fail(str(exc), code=2) from None
    out.print(
        f"{report.opened} case(s) opened ({report.unmatched} with an unmatched sender), "
        f"{report.replies} repl(ies) added, {report.skipped} already ingested, {len(report.errors)} error(s)"
    )
    for reference in report.references:
        out.print(f"  {reference}")
    for problem in report.errors:
        err.print(f"error: {problem}")
    if report.errors:
        raise typer.Exit(1)


def _demo_credentials_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "demo_credentials.json"


def _ensure_demo_users() -> dict[str, str]:
    """Create the demo staff users once (BANKCRM_ENV=demo only); passwords kept in var/ (0600)."""
    from bankcrm.identity import mfa
    from bankcrm.identity import services as identity
    from bankcrm.identity.models import User

    path = _demo_credentials_path()
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    for username, roles, admin in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            password = saved.get(username) or secrets.token_urlsafe(12)
            user = identity.create_user(
                actor=None,
                username=username,
                password=password,
                roles=roles,
                is_superuser=admin,
                display_name=username.replace("-", " ").title(),
            )
            saved[username] = password
        if mfa.totp_secret(user) is None:
            mfa.enrol_totp(actor=None, user=user)
        if "relationship_manager" in roles and not user.book.exists():
            from bankcrm.parties.models import Party
            from bankcrm.parties.services import assign_relationship_manager

            # demo-rm's book: every client of two branches (Semily holds client 3687).
            book = Party.objects.filter(branch__code__in=DEMO_RM_BRANCHES)
            assign_relationship_manager(actor=None, manager=user, parties=book)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(saved, fh, indent=1)
    return saved


def _load_demo() -> None:
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.datasets.berka.loader import import_berka as load_berka
    from bankcrm.datasets.us_synthetic import import_us_synthetic

    try:
        _print_report(_run_with_progress(load_berka, actor=None, directory=DEFAULT_BERKA_DIR))
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    _print_report(_run_with_progress(import_us_synthetic, actor=None))
    from bankcrm.datasets.cfpb import import_cfpb
    from bankcrm.datasets.demo_cases import open_demo_complaints

    _print_report(_run_with_progress(import_cfpb, actor=None))
    from bankcrm.core.errors import ValidationFailed as Invalid
    from bankcrm.datasets.demo_aml import load_demo_cash_activity, load_demo_watchlist_lookalikes

    added = load_demo_cash_activity()
    if added:
        out.print(f"demo: {added} synthetic cash transactions (flagged) for the CTR and structuring scenarios")
    if load_demo_watchlist_lookalikes():
        out.print("demo: 2 synthetic customers resembling an SDN entry (flagged) for the screening review queue")
    for directory, code in ((DEFAULT_SDN_DIR, "ofac-sdn"), (DEFAULT_CONS_DIR, "ofac-cons")):
        try:
            _import_list(directory, code, directory.name, rescreen=False)
        except Invalid as exc:
            raise _fail(str(exc)) from None
    _rescreen_pending()
    opened = open_demo_complaints()
    if opened:
        out.print(f"demo: opened {opened} current complaints (flagged synthetic) so the queues show live clocks")


def _print_counts() -> None:
    from bankcrm.datasets import selectors

    table = Table(title="The demo bank")
    table.add_column("Berka (real, anonymised)")
    table.add_column("rows", justify="right")
    for k, v in selectors.berka_counts().items():
        table.add_row(k, f"{v:,}")
    out.print(table)
    syn = Table(title="Synthetic additions (flagged synthetic)")
    syn.add_column("entity")
    syn.add_column("rows", justify="right")
    for k, v in selectors.synthetic_counts().items():
        syn.add_row(k, f"{v:,}")
    out.print(syn)


@app.command()
def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Load and run the demo tasks inline, then exit")] = False,
    host: str = "localhost",
    port: int = 8000,
) -> None:
    """Migrate, load the demo bank (Berka + flagged synthetic additions) with the clock at
    1998-12-31, create demo users, then serve web + worker + scheduler (or exit with --no-serve)."""
    os.environ.setdefault("BANKCRM_ENV", "demo")
    os.environ.setdefault("BANKCRM_AS_OF", DEMO_AS_OF)
    _setup()
    from django.conf import settings

    _migrate()
    if settings.BANKCRM_AS_OF:
        # Later commands on this database (token, monitor run, mail ingest) use the demo's date.
        (Path(settings.VAR_DIR) / "as_of").write_text(str(settings.BANKCRM_AS_OF) + "\n")
    _load_demo()
    credentials = _ensure_demo_users() if settings.BANKCRM_ENV == "demo" else {}
    if no_serve:
        from bankcrm.audit.tasks import verify_chain
        from bankcrm.cases.tasks import refresh_clocks
        from bankcrm.monitoring.tasks import run_monitoring

        monitored = run_monitoring.call()
        out.print(
            f"task monitoring.run: {monitored['new']} new alert(s), {monitored['open']} open, "
            f"{monitored['suppressed']} suppressed, {monitored['ctrs']} CTR(s) drafted"
        )

        clocks = refresh_clocks.call()
        out.print(f"task cases.refresh_clocks: {clocks['warned']} warned, {clocks['escalated']} escalated")
        result = verify_chain.call()
        chain = "intact" if result["broken_at"] is None else f"broken at sequence {result['broken_at']}"
        out.print(f"task audit.verify_chain: {result['checked']} events checked, chain {chain}")
    _print_counts()
    out.print(f"Clock: business date {settings.BANKCRM_AS_OF or 'today'} (BANKCRM_AS_OF)")
    if credentials:
        from bankcrm.identity import mfa
        from bankcrm.identity.models import User

        command = os.path.relpath(Path(sys.executable).parent / "bankcrm")
        out.print(f"\nSign in at http://{host}:{port}/accounts/login/ with one of these demo users.")
        out.print("Multi-factor authentication is mandatory: add the TOTP secret to an authenticator app,")
        out.print(f"or print the current code with `{command} otp USER`.")
        for username, password in credentials.items():
            secret = mfa.totp_secret(User.objects.get(username=username))
            out.print(f"  {username:<16} password: {password}   TOTP secret: {secret}")
        out.print(f"API: {command} token create --user demo-admin  (prints a bearer token on its last line)")
    elif settings.BANKCRM_ENV != "demo":
        out.print("(no demo users: BANKCRM_ENV is not 'demo')")
    if no_serve:
        return
    children = [
        subprocess.Popen([sys.executable, "-m", "bankcrm.cli", "worker"]),
        subprocess.Popen([sys.executable, "-m", "bankcrm.cli", "scheduler"]),
    ]
    try:
        _serve(host, port)
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _serve(host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    from gunicorn.app.base import BaseApplication

    from bankcrm.config.wsgi import application

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            # No query strings in the access log: searches carry names, tax ids, account numbers.
            self.cfg.set("access_log_format", '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms')
            self.cfg.set("timeout", 120)
            self.cfg.set("graceful_timeout", 15)
            self.cfg.set("keepalive", 2)
            # gunicorn 27's control socket would live in ~/.gunicorn, shared by every instance.
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return application

    out.print(f"Serving BankCRM on http://{host}:{port}/ (API docs: http://{host}:{port}/api/v1/docs)")
    _App().run()


@app.command()
def serve(
    host: str = "localhost",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes")] = 2,
    threads: Annotated[int, typer.Option(help="threads per worker")] = 4,
) -> None:
    """Serve an existing database over HTTP (gunicorn)."""
    _setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()):
        raise _fail("the database schema is not up to date: run `bankcrm migrate` first")
    _serve(host, port, workers, threads)


@app.command()
def worker() -> None:
    """Run the background task worker (django-tasks database backend)."""
    _setup()
    from django.core.management import call_command

    call_command("db_worker", "--queue-name", "*")


@app.command()
def scheduler(tick: Annotated[float, typer.Option(help="seconds between checks")] = 30.0) -> None:
    """Enqueue periodic jobs when due (audit chain verification, ...)."""
    _setup()
    from bankcrm.core.scheduler import run_forever

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    out.print("scheduler running")
    run_forever(tick=tick, stop=stopping)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="username")],
    scopes: Annotated[str | None, typer.Option(help="comma-separated permissions, e.g. parties:read")] = None,
    expires: Annotated[int, typer.Option(help="days until expiry")] = 90,
    name: str = "",
) -> None:
    """Issue an API token; the token is printed alone on the last line (shown only once)."""
    _setup()
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.identity import services as identity
    from bankcrm.identity.models import User

    found = User.objects.filter(username=user).first()
    if found is None:
        raise _fail(f"--user: no user named {user!r}")
    try:
        scope_list = identity.parse_scopes(scopes) if scopes is not None else None
        issued = identity.create_token(actor=None, user=found, scopes=scope_list, expires_days=expires, name=name)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    err.print(
        f"token {issued.token.prefix} for {user}, scopes {','.join(issued.token.scopes)}, "
        f"expires {issued.token.expires_at:%Y-%m-%d}"
    )
    print(issued.secret)


@token_app.command("revoke")
def token_revoke(prefix: Annotated[str, typer.Argument(help="the token's prefix (second part)")]) -> None:
    """Revoke a token by its prefix."""
    _setup()
    from bankcrm.core.errors import NotFound
    from bankcrm.identity import services as identity

    try:
        token = identity.revoke_token(actor=None, prefix=prefix)
    except NotFound as exc:
        raise _fail(str(exc)) from None
    out.print(f"token {token.prefix} revoked at {token.revoked_at:%Y-%m-%d %H:%M:%S %Z}")


@app.command()
def otp(username: Annotated[str, typer.Argument(help="a demo user")]) -> None:
    """Print the current TOTP code of a demo user alone on the last line (only users created by
    ``bankcrm demo``, or any user with BANKCRM_ENV=demo or test: it reads a second factor)."""
    _setup()
    from django.conf import settings

    from bankcrm.identity import mfa
    from bankcrm.identity.models import User

    demo_users = json.loads(path.read_text()) if (path := _demo_credentials_path()).exists() else {}
    if settings.BANKCRM_ENV not in {"demo", "test"} and username not in demo_users:
        raise _fail("otp: only for the demo's users (it reads a user's second factor)")
    user = User.objects.filter(username=username).first()
    secret = mfa.totp_secret(user) if user is not None else None
    if secret is None:
        raise _fail(f"USER: {username!r} has no TOTP authenticator")
    print(mfa.current_code(secret))


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[list[str], typer.Option("--role", help="role code; repeat for several")],
    admin: bool = False,
) -> None:
    """Create a staff user; the password is read from the BANKCRM_PASSWORD variable or prompted."""
    _setup()
    from bankcrm.core.errors import ValidationFailed
    from bankcrm.identity import services as identity

    password = os.environ.get("BANKCRM_PASSWORD") or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        identity.create_user(actor=None, username=username, password=password, roles=role, is_superuser=admin)
    except ValidationFailed as exc:
        raise _fail(str(exc)) from None
    out.print(f"user {username} created")


@keys_app.command("rotate")
def keys_rotate(
    retire: Annotated[bool, typer.Option("--retire", help="then drop keys no value uses any more")] = False,
) -> None:
    """Make a new data key active and re-encrypt every encrypted value with it (resumable: re-run
    after an interruption carries on with the same key; older keys keep decrypting meanwhile)."""
    _setup()
    from bankcrm.privacy import keys

    report = keys.rotate(actor=None)
    state = "new key" if report.new_key else "resumed with key"
    out.print(f"{state} {report.active}; re-encrypted: {report.reencrypted or 'nothing left to do'}")
    if retire:
        removed = keys.retire(actor=None)
        out.print(f"retired keys: {', '.join(removed) if removed else 'none'}")


@privacy_app.command("access")
def privacy_access(
    party: Annotated[str, typer.Argument(help="party id, or a source id such as client:3687 or synthetic-us:person:0")],
    user: Annotated[str, typer.Option("--user", help="the privacy officer fulfilling the request")],
    folder: Annotated[
        Path | None, typer.Option("--out", help="folder for access-report.json and .html (default var/dsar/)")
    ] = None,
) -> None:
    """Export everything held about a party (JSON and a readable HTML report)."""
    _setup()
    if folder is None:
        from django.conf import settings

        # Never the working directory: the report holds personal data, and var/ is not committed.
        folder = Path(settings.VAR_DIR) / "dsar"
    folder.mkdir(parents=True, exist_ok=True)
    import uuid

    from django.core.exceptions import PermissionDenied

    from bankcrm.identity.models import User
    from bankcrm.parties.models import Party
    from bankcrm.privacy import dsar

    actor = User.objects.filter(username=user).first()
    if actor is None:
        raise _fail(f"--user: no user named {user!r}")
    parts = party.split(":")
    try:
        found = Party.objects.filter(pk=uuid.UUID(party)).first()
    except ValueError:
        system, source_id = ("berka", party) if len(parts) == 2 else (parts[0], ":".join(parts[1:]))
        found = Party.objects.filter(source_system=system, source_id=source_id).first()
    if found is None:
        raise _fail(f"PARTY: no party {party!r}")
    try:
        report = dsar.access_report(actor=actor, party=found)
    except PermissionDenied as exc:
        raise _fail(f"--user: {exc}") from None
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "access-report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (folder / "access-report.html").write_text(dsar.render_html(report))
    out.print(f"wrote {folder / 'access-report.json'} and {folder / 'access-report.html'}")


@privacy_app.command("purge")
def privacy_purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list what would be purged; change nothing")] = False,
) -> None:
    """Anonymize and crypto-shred former customers whose retention has expired (CIP: 5 years after
    the last account closed); parties under legal hold are skipped. The scheduler runs it daily."""
    _setup()
    from bankcrm.privacy import retention

    report = retention.purge_expired(dry_run=dry_run)
    for party_id in report.expired:
        state = "legal hold: kept" if party_id in report.held else ("would purge" if dry_run else "purged")
        out.print(f"{party_id}  {state}")
    count = len(report.expired) - len(report.held) if dry_run else len(report.purged)
    out.print(
        f"retention purge{' (dry run)' if dry_run else ''}: {count} {'would be purged' if dry_run else 'purged'}, "
        f"{len(report.held)} under legal hold, {report.batches} batch(es) written"
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """Verify the audit hash chain; exits 1 naming the first broken sequence number."""
    _setup()
    from bankcrm.audit.services import verify_chain

    checked, broken = verify_chain()
    if broken is not None:
        raise _fail(
            f"audit chain broken at sequence {broken.sequence}: {broken.reason} ({checked} events intact before it)"
        )
    out.print(f"audit chain intact: {checked} events")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Run a Django management command (e.g. `bankcrm manage showmigrations`)."""
    _setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bankcrm manage", *ctx.args])


def main() -> None:
    """Console-script entry point. Files the process creates (database, keys) are private to
    its user: customer data never lands world-readable."""
    os.umask(0o077)
    app()


if __name__ == "__main__":
    main()
