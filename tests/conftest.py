"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL
points at a server (pytest-django creates and drops the ``test_*`` database)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BERKA_DIR = REPO / "data" / "berka-pkdd99"


@pytest.fixture
def berka_dir() -> Path:
    """The real Berka files shipped in the repository."""
    return BERKA_DIR


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    from bankcrm.identity import services as identity

    return identity.create_user(actor=None, username="admin", password="correct horse battery", roles=["administrator"], is_superuser=True)


@pytest.fixture
def agent_user(db):  # type: ignore[no-untyped-def]
    from bankcrm.identity import services as identity

    return identity.create_user(actor=None, username="agent", password="correct horse battery", roles=["call_centre_agent"])
