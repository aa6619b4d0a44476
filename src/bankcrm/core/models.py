"""Abstract base models shared by every domain app."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from bankcrm.core import clock


class BaseModel(models.Model):
    """UUID primary key, creation/update instants from :mod:`bankcrm.core.clock`, and an integer
    ``version`` for optimistic locking (a stale write gets 409; DESIGN decision 7)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class SourcedModel(BaseModel):
    """A record that may come from an external data set: ``source_system`` + ``source_id`` keep the
    source's own key (e.g. ``berka`` / ``client:42``) so imports are idempotent and traceable;
    ``is_synthetic`` flags generated rows (DESIGN decision 9)."""

    source_system = models.CharField(_("source system"), max_length=32, blank=True, default="")
    source_id = models.CharField(_("source id"), max_length=64, blank=True, default="")
    is_synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        abstract = True


def unique_source(name: str) -> models.UniqueConstraint:
    """At most one row per (source_system, source_id) when a source id is set: what makes
    data-set imports idempotent."""
    return models.UniqueConstraint(fields=["source_system", "source_id"], condition=~models.Q(source_id=""), name=name)


class MoneyField(models.BigIntegerField):
    """Integer minor units; the currency lives in a sibling ``CharField`` (DESIGN decision 4)."""


class ScheduledRun(models.Model):
    """One enqueued run of a periodic job for one time slot (see :mod:`bankcrm.core.scheduler`)."""

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField()
    enqueued_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_unique_slot")]

    def __str__(self) -> str:
        return f"{self.job} slot {self.slot}"


class IdempotencyRecord(models.Model):
    """The stored outcome of a POST sent with an ``Idempotency-Key`` (DESIGN decision 7): a retry
    with the same key and body gets the same response; the same key with another body is refused."""

    user = models.ForeignKey("identity.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
