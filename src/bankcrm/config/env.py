"""One typed object holding every setting that comes from the environment.

Variables (all optional):

- ``DATABASE_URL``: ``sqlite:///path`` or ``postgres://user@host:port/db``; default SQLite
  ``var/bankcrm.sqlite3``.
- ``BANKCRM_ENV``: ``dev`` (default), ``demo``, ``test`` or ``prod``. Demo users and printed
  secrets exist only in ``demo``.
- ``BANKCRM_AS_OF``: ISO date (``1998-12-31``) that the clock treats as "today"; empty for the
  real date, or the date ``bankcrm demo`` saved in ``var/as_of`` for its database.
- ``BANKCRM_TIME_ZONE``: the bank's IANA time zone, default ``America/New_York``.
- ``BANKCRM_VAR_DIR``: where the database, generated keys and media live, default ``./var``.
- ``BANKCRM_DATA_DIR``: the shipped data sets (CFPB complaints, ...), default the repository's ``data/``
  (or ``./data`` when the package is not run from a checkout).
- ``BANKCRM_SECRET_KEY``: overrides the key generated into ``var/secret_key``.
- ``BANKCRM_ALLOWED_HOSTS``: comma-separated host names, default ``localhost,127.0.0.1``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENVIRONMENTS = ("dev", "demo", "test", "prod")


class ConfigurationError(ValueError):
    """A setting from the environment is invalid; the message names the variable."""


@dataclass(frozen=True)
class Env:
    """Settings read once from ``os.environ`` (see the module docstring for each variable)."""

    database_url: str
    environment: str
    as_of: dt.date | None
    time_zone: str
    var_dir: Path
    data_dir: Path
    secret_key: str
    allowed_hosts: tuple[str, ...]

    @property
    def is_demo(self) -> bool:
        return self.environment == "demo"


def _parse_as_of(raw: str) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigurationError(f"BANKCRM_AS_OF: expected an ISO date like 1998-12-31, got {raw!r}") from exc


def _secret_key(var_dir: Path, override: str) -> str:
    if override:
        return override
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Written 0600 and never committed (var/ is ignored): DESIGN decision 13.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


AS_OF_FILE = "as_of"


def _saved_as_of(var_dir: Path) -> str:
    """The clock date ``bankcrm demo`` saved in ``var/as_of``, so later commands on the demo
    database run on the demo's business date (empty when there is none)."""
    path = var_dir / AS_OF_FILE
    return path.read_text().strip() if path.is_file() else ""


def _data_dir(override: str) -> Path:
    if override:
        return Path(override).resolve()
    checkout = Path(__file__).resolve().parents[3] / "data"
    return checkout if checkout.is_dir() else (Path.cwd() / "data").resolve()


def load_env(environ: dict[str, str] | None = None) -> Env:
    """Build an :class:`Env` from ``environ`` (default ``os.environ``).

    Raises:
        ConfigurationError: naming the variable that holds an invalid value.
    """
    e = dict(os.environ if environ is None else environ)
    var_dir = Path(e.get("BANKCRM_VAR_DIR") or Path.cwd() / "var").resolve()
    environment = (e.get("BANKCRM_ENV") or "dev").strip().lower()
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(f"BANKCRM_ENV: expected one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    time_zone = (e.get("BANKCRM_TIME_ZONE") or "America/New_York").strip()
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(f"BANKCRM_TIME_ZONE: unknown time zone {time_zone!r}") from exc
    database_url = (e.get("DATABASE_URL") or "").strip() or f"sqlite:///{var_dir / 'bankcrm.sqlite3'}"
    if not database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ConfigurationError("DATABASE_URL: expected a sqlite:/// or postgres:// URL")
    hosts = tuple(
        h.strip() for h in (e.get("BANKCRM_ALLOWED_HOSTS") or "localhost,127.0.0.1,[::1]").split(",") if h.strip()
    )
    return Env(
        database_url=database_url,
        environment=environment,
        as_of=_parse_as_of(e.get("BANKCRM_AS_OF", "") or _saved_as_of(var_dir)),
        time_zone=time_zone,
        var_dir=var_dir,
        data_dir=_data_dir(e.get("BANKCRM_DATA_DIR", "")),
        secret_key=_secret_key(var_dir, e.get("BANKCRM_SECRET_KEY", "")),
        allowed_hosts=hosts,
    )
