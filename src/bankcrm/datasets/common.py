"""Shared plumbing for data-set loaders: idempotent batched creation with one audit event per
batch, progress reporting and the load report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from bankcrm.audit import services as audit
from bankcrm.core.bulk import insert_instances
from bankcrm.identity.models import User

M = TypeVar("M", bound=models.Model)
Progress = Callable[[str, int, int], None]
BATCH = 5_000


def no_progress(entity: str, done: int, total: int) -> None:
    """Default progress callback: does nothing."""


@dataclass
class LoadReport:
    """What a load did per entity: rows created and rows already present (unchanged)."""

    source: str
    created: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def changed_anything(self) -> bool:
        return any(self.created.values())

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "created": self.created, "unchanged": self.unchanged}


def existing_source_ids(model: type[models.Model], source_system: str) -> dict[str, Any]:
    """``source_id -> pk`` of the rows of ``model`` already loaded from ``source_system``."""
    manager = model._default_manager
    return dict(manager.filter(source_system=source_system).values_list("source_id", "pk"))


def create_in_batches(
    *,
    actor: User | None,
    model: type[M],
    objects: Sequence[M],
    entity: str,
    source: str,
    source_sha256: str,
    report: LoadReport,
    progress: Progress,
) -> list[M]:
    """Insert ``objects`` (:func:`~bankcrm.core.bulk.insert_instances`) in batches of 5,000, one
    audit event per batch (``datasets.load.batch``: entity, rows, source file and its SHA-256). Runs inside the
    caller's transaction."""
    total = len(objects)
    for start in range(0, total, BATCH):
        chunk = objects[start : start + BATCH]
        insert_instances(model, chunk)
        audit.record(
            actor=actor,
            action="datasets.load.batch",
            subject_type=entity,
            payload={"rows": len(chunk), "source": source, "source_sha256": source_sha256, "offset": start},
        )
        progress(entity, start + len(chunk), total)
    report.created[entity] = report.created.get(entity, 0) + total
    return list(objects)


def count_unchanged(report: LoadReport, entity: str, queryset: models.QuerySet[Any]) -> None:
    """After ``entity`` was created: rows of ``queryset`` (this source's rows) that were there before."""
    report.unchanged[entity] = queryset.count() - report.created.get(entity, 0)
