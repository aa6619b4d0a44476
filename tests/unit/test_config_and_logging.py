"""Typed environment settings, PII-scrubbing log filter and name folding."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bankcrm.config.env import ConfigurationError, load_env
from bankcrm.core.logging import ScrubPIIFilter, scrub
from bankcrm.parties.text import fold


def test_env_defaults_and_generated_secret_key(tmp_path: Path) -> None:
    env = load_env({"BANKCRM_VAR_DIR": str(tmp_path)})
    assert env.environment == "dev"
    assert env.as_of is None
    assert env.time_zone == "America/New_York"
    assert env.database_url == f"sqlite:///{tmp_path / 'bankcrm.sqlite3'}"
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == env.secret_key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert load_env({"BANKCRM_VAR_DIR": str(tmp_path)}).secret_key == env.secret_key


def test_env_as_of_and_postgres_url(tmp_path: Path) -> None:
    env = load_env(
        {
            "BANKCRM_VAR_DIR": str(tmp_path),
            "BANKCRM_AS_OF": "1998-12-31",
            "BANKCRM_ENV": "demo",
            "DATABASE_URL": "postgres://u@h:5432/db",
        }
    )
    assert env.as_of == dt.date(1998, 12, 31)
    assert env.is_demo
    assert env.database_url == "postgres://u@h:5432/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BANKCRM_AS_OF", "31/12/1998"),
        ("BANKCRM_ENV", "production!"),
        ("BANKCRM_TIME_ZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://x"),
    ],
)
def test_invalid_settings_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_env({"BANKCRM_VAR_DIR": str(tmp_path), name: value})


def test_scrub_removes_tax_ids_emails_phones_and_birth_numbers() -> None:
    text = "ssn 123-45-6789 ein 847212535 mail jana.novakova.0001@example.com tel +420793045964 rc 706213/1234 acct 055000005763"
    cleaned = scrub(text)
    for secret in ("123-45-6789", "847212535", "jana.novakova", "+420793045964", "706213", "055000005763"):
        assert secret not in cleaned
    assert "[TAX-ID]" in cleaned and "[EMAIL]" in cleaned and "[PHONE]" in cleaned


def test_log_filter_scrubs_formatted_arguments() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "party %s has ssn %s", ("p1", "123-45-6789"), None)
    ScrubPIIFilter().filter(record)
    assert record.getMessage() == "party p1 has ssn [TAX-ID]"


def test_fold_is_case_and_accent_insensitive() -> None:
    assert fold("  Dvořáková   JANA ") == "dvorakova jana"
    assert fold("Šťastný") == fold("stastny")
    assert fold("\uff26\uff55\uff4c\uff4c") == "full"  # full-width letters


def test_demo_clock_saved_in_var_is_used_unless_overridden(tmp_path: Path) -> None:
    import datetime as dt

    (tmp_path / "as_of").write_text("1998-12-31\n")
    assert load_env({"BANKCRM_VAR_DIR": str(tmp_path)}).as_of == dt.date(1998, 12, 31)
    explicit = load_env({"BANKCRM_VAR_DIR": str(tmp_path), "BANKCRM_AS_OF": "1999-01-04"})
    assert explicit.as_of == dt.date(1999, 1, 4)
    (tmp_path / "as_of").write_text("not a date")
    with pytest.raises(ConfigurationError, match="BANKCRM_AS_OF"):
        load_env({"BANKCRM_VAR_DIR": str(tmp_path)})
