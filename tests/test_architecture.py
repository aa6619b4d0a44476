"""Architecture rules from DESIGN.md that a test can enforce."""

from __future__ import annotations

import ast
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

SRC = Path(__file__).resolve().parent.parent / "src" / "bankcrm"
#: Computational engines: plain Python, importable without Django.
ENGINES = [
    "bankcrm.core.calendar",
    "bankcrm.core.money",
    "bankcrm.audit.chain",
    "bankcrm.datasets.synthetic",
    "bankcrm.datasets.berka.parser",
    "bankcrm.holdings.numbers",
    "bankcrm.parties.birth",
    "bankcrm.parties.text",
    "bankcrm.cases.engine.workflow",
    "bankcrm.cases.engine.clocks",
    "bankcrm.cases.engine.taxonomy",
    "bankcrm.cases.engine.signals",
    "bankcrm.cases.engine.classifier",
    "bankcrm.cases.engine.cfpb_data",
    "bankcrm.kyc.engine.validation",
    "bankcrm.kyc.engine.workflow",
    "bankcrm.kyc.engine.verification",
    "bankcrm.kyc.engine.risk",
    "bankcrm.screening.engine",
    "bankcrm.screening.engine.types",
    "bankcrm.screening.engine.normalize",
    "bankcrm.screening.engine.index",
    "bankcrm.screening.engine.dates",
    "bankcrm.screening.engine.countries",
    "bankcrm.screening.engine.ofac",
    "bankcrm.monitoring.engine",
    "bankcrm.monitoring.engine.types",
    "bankcrm.monitoring.engine.schema",
    "bankcrm.monitoring.engine.thresholds",
    "bankcrm.monitoring.engine.geography",
    "bankcrm.monitoring.engine.context",
    "bankcrm.monitoring.engine.scenarios",
    "bankcrm.monitoring.engine.graph",
    "bankcrm.monitoring.engine.runner",
]


@pytest.mark.parametrize("module", ENGINES)
def test_engines_import_without_django(module: str) -> None:
    code = f"import sys, {module}; assert not [m for m in sys.modules if m.split('.')[0] == 'django']"
    env = {"PYTHONPATH": str(SRC.parent)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr


def _manager_queries(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    return [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}
    ]


def test_api_and_view_modules_do_not_query_model_managers() -> None:
    """Reads go through selectors (scoped), writes through services (DESIGN conventions 1 and 3)."""
    offenders: list[str] = []
    for path in SRC.rglob("*.py"):
        if path.name in {"api.py", "views.py", "root.py", "auth.py"} or path.parent.name == "api":
            offenders += _manager_queries(path)
    assert offenders == []


def test_migrations_are_up_to_date(db) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()} (exit {exc.code})")


def test_money_columns_are_integers() -> None:
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if not model.__module__.startswith("bankcrm."):
            continue
        for field in model._meta.concrete_fields:
            if field.name.endswith("_minor"):
                assert isinstance(field, models.BigIntegerField), f"{model.__name__}.{field.name}"
            assert not isinstance(field, models.FloatField), f"{model.__name__}.{field.name} is a float"


def test_every_money_amount_column_is_in_minor_units() -> None:
    """Any column named like an amount or balance must be a ``*_minor`` integer (or a date/time)."""
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if not model.__module__.startswith("bankcrm."):
            continue
        for field in model._meta.concrete_fields:
            moneyish = any(w in field.name for w in ("amount", "balance", "payment"))
            if moneyish and not isinstance(field, models.DateField | models.DateTimeField):
                assert field.name.endswith("_minor"), f"{model.__name__}.{field.name}"
