"""The ``bankcrm`` command, run as a user would, in a subprocess against a fresh database."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

BERKA = {
    "parties": 5369,
    "accounts": 4500,
    "loans": 682,
    "cards": 892,
    "standing_orders": 6471,
    "transactions": 49102,
}


def bankcrm(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "bankcrm.cli", *args],
        cwd=REPO,
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"bankcrm {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def _count(output: str, entity: str) -> int:
    """The figure for ``entity`` in the final "The demo bank" count tables."""
    tables = output[output.index("The demo bank") :]
    match = re.search(rf"│ {entity}\s+│\s+([\d,]+) │", tables)
    assert match, f"no {entity} row in:\n{output}"
    return int(match.group(1).replace(",", ""))


@pytest.mark.slow
def test_demo_no_serve_loads_the_bank_and_a_second_run_changes_nothing(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "BANKCRM_ENV": "demo"}
    first = bankcrm(env, "demo", "--no-serve")
    for entity, expected in BERKA.items():
        assert _count(first.stdout, entity) == expected, entity
    assert _count(first.stdout, "us_parties") == 25
    assert "berka: loaded" in first.stdout
    assert "demo-admin" in first.stdout and "password:" in first.stdout
    assert re.search(r"demo-admin\s+password: \S+\s+TOTP secret: [A-Z2-7]{32}", first.stdout)
    code = bankcrm(env, "otp", "demo-admin").stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d{6}", code)
    assert "Clock: business date 1998-12-31" in first.stdout
    assert re.search(r"audit.verify_chain: \d+ events checked, chain intact", first.stdout)

    second = bankcrm(env, "demo", "--no-serve")
    assert "berka: already loaded; nothing changed." in second.stdout
    assert "synthetic-us: already loaded; nothing changed." in second.stdout
    for entity, expected in BERKA.items():
        assert _count(second.stdout, entity) == expected, entity
    # The same demo passwords are printed again, not new ones.
    pw1 = re.search(r"demo-admin\s+password: (\S+)", first.stdout)
    pw2 = re.search(r"demo-admin\s+password: (\S+)", second.stdout)
    assert pw1 and pw2 and pw1.group(1) == pw2.group(1)

    token = bankcrm(env, "token", "create", "--user", "demo-admin", "--scopes", "parties:read,accounts:read")
    last_line = token.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"bcrm_[0-9a-f]{8}_[A-Za-z0-9_-]{40,}", last_line)
    prefix = last_line.split("_")[1]
    assert bankcrm(env, "token", "revoke", prefix).returncode == 0
    report_dir = Path(env["BANKCRM_VAR_DIR"]) / "dsar"
    bankcrm(env, "privacy", "access", "client:3687", "--user", "demo-privacy", "--out", str(report_dir))
    exported = json.loads((report_dir / "access-report.json").read_text())
    assert len(exported["transactions"]) == 76 and (report_dir / "access-report.html").exists()
    rotated = bankcrm(env, "keys", "rotate", "--retire").stdout
    assert "new key k2" in rotated and "retired keys: k1" in rotated
    assert re.fullmatch(r"\d{6}", bankcrm(env, "otp", "demo-admin").stdout.strip().splitlines()[-1])
    assert bankcrm(env, "audit", "verify").stdout.startswith("audit chain intact")


def test_demo_users_only_in_demo_environment(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "BANKCRM_ENV": "dev"}
    bankcrm(env, "migrate")
    refused = bankcrm(env, "otp", "demo-admin", check=False)
    assert refused.returncode == 1 and "only for the demo's users" in refused.stderr
    result = bankcrm(env, "token", "create", "--user", "demo-admin", check=False)
    assert result.returncode == 1
    assert "--user: no user named 'demo-admin'" in result.stderr


def test_import_of_a_missing_directory_names_it(cli_env: dict[str, str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    bankcrm(cli_env, "migrate")
    result = bankcrm(cli_env, "import", "berka", str(tmp_path / "nowhere"), check=False)
    assert result.returncode == 1
    assert "is not a directory" in result.stderr


def test_invalid_environment_value_is_named(cli_env: dict[str, str]) -> None:
    result = bankcrm({**cli_env, "BANKCRM_AS_OF": "31/12/1998"}, "migrate", check=False)
    assert result.returncode != 0
    assert "BANKCRM_AS_OF" in result.stderr
