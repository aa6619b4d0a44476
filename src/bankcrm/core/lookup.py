"""Fetching one record by id out of an already scoped queryset."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.db.models import Model, QuerySet

from bankcrm.core.errors import NotFound

M = TypeVar("M", bound=Model)


def as_uuid(value: object) -> uuid.UUID | None:
    """``value`` as a UUID, or None when it is not one."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def get_visible(queryset: QuerySet[M], record_id: object, what: str) -> M:
    """The record with primary key ``record_id`` in ``queryset`` (already scoped to the actor).

    Raises:
        NotFound: the id is malformed, the record does not exist, or the actor may not see it: the
            three are indistinguishable on purpose.
    """
    pk = as_uuid(record_id)
    found = queryset.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound(what)
    return found
