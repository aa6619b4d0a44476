"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL
points at a server (pytest-django creates and drops the ``test_*`` database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.berka_subset import ACCOUNTS

REPO = Path(__file__).resolve().parent.parent
BERKA_DIR = REPO / "data" / "berka-pkdd99"


@pytest.fixture
def berka_dir() -> Path:
    """The real Berka files shipped in the repository."""
    return BERKA_DIR


def make_staff(username: str, roles: list[str], *, mfa: bool = True, **extra):  # type: ignore[no-untyped-def]
    """A staff user with password ``correct horse battery`` and (by default) a TOTP second factor."""
    from bankcrm.identity import mfa as mfa_
    from bankcrm.identity import services as identity

    user = identity.create_user(actor=None, username=username, password="correct horse battery", roles=roles, **extra)
    if mfa:
        mfa_.enrol_totp(actor=None, user=user)
    return user


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    return make_staff("admin", ["administrator"], is_superuser=True)


@pytest.fixture
def agent_user(db):  # type: ignore[no-untyped-def]
    return make_staff("agent", ["call_centre_agent"])


@pytest.fixture
def fresh_database_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A DATABASE_URL for an empty database of the same kind as the suite's (SQLite file in
    tmp_path, or a new PostgreSQL database dropped afterwards), for CLI subprocess tests."""
    import os
    import uuid

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'cli.sqlite3'}"
        return
    import psycopg

    base = url.rsplit("/", 1)[0]
    name = f"bankcrm_cli_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cli_env(tmp_path: Path, fresh_database_url: str) -> dict[str, str]:
    """Environment for running the ``bankcrm`` command in a subprocess against a fresh database."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANKCRM_", "DJANGO_"))}
    env.update({"DATABASE_URL": fresh_database_url, "BANKCRM_VAR_DIR": str(tmp_path / "var")})
    return env


#: Account 3050: owner client 3687 and disponent 3688 (a household), loan 5595, card 577 (classic,
#: issued 1994-02-15), 4 standing orders and 76 transactions.
API_ACCOUNTS = ACCOUNTS | {3050}


@pytest.fixture
def bank(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A small real bank: the Berka rows of API_ACCOUNTS."""
    from bankcrm.datasets.berka.loader import import_berka
    from tests.berka_subset import make_subset

    import_berka(actor=None, directory=make_subset(tmp_path / "berka", API_ACCOUNTS))


@pytest.fixture
def client_3687(bank):  # type: ignore[no-untyped-def]
    from bankcrm.parties.models import Party

    return Party.objects.get(source_system="berka", source_id="client:3687")
