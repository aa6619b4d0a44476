"""``bankcrm lists import``, ``bankcrm screen --json`` and ``bankcrm monitor run --json`` as a
user runs them, in a subprocess against a fresh database."""

from __future__ import annotations

import json
from pathlib import Path

from tests.service.test_screening_service import V1, V2, write_sdn
from tests.test_cli import bankcrm


def test_lists_import_screen_json_and_bad_input(cli_env: dict[str, str], tmp_path: Path) -> None:
    bankcrm(cli_env, "migrate")
    first = bankcrm(cli_env, "lists", "import", str(write_sdn(tmp_path / "2023-01-05", V1)))
    assert "ofac-sdn 2023-01-05: 3 entries (first version)" in first.stdout
    second = bankcrm(cli_env, "lists", "import", str(write_sdn(tmp_path / "2023-02-01", V2)))
    assert "+1 added, -1 removed, 1 changed since 2023-01-05" in second.stdout
    again = bankcrm(cli_env, "lists", "import", str(tmp_path / "2023-02-01"))
    assert "3 entries" in again.stdout  # the same files: nothing new
    result = bankcrm(cli_env, "screen", "ACME SHIPPING LTD", "--json")
    body = json.loads(result.stdout)  # JSON only on stdout
    assert body["lists"] == [{"list": "ofac-sdn", "version": "2023-02-01"}]
    assert body["hits"][0]["entry_id"] == "401" and body["hits"][0]["score"] >= body["threshold"]
    bad = bankcrm(cli_env, "screen", "X", "--dob", "yesterday", "--json", check=False)
    assert bad.returncode == 2 and "date_of_birth" in bad.stderr
    unknown = bankcrm(cli_env, "lists", "import", str(tmp_path), check=False)
    assert unknown.returncode == 2 and "--list" in unknown.stderr


def test_monitor_run_json_on_an_empty_bank(cli_env: dict[str, str]) -> None:
    bankcrm(cli_env, "migrate")
    result = bankcrm(cli_env, "monitor", "run", "--to", "1998-12-31", "--json")
    body = json.loads(result.stdout)
    assert body["alerts"] == [] and body["to"] == "1998-12-31" and body["transactions"] == 0
    assert "extracting transactions" in result.stderr  # progress goes to stderr
    bad = bankcrm(cli_env, "monitor", "run", "--from", "1999-13-01", check=False)
    assert bad.returncode == 2 and "--from" in bad.stderr
