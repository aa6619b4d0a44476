"""Opaque cursors for keyset pagination (DESIGN decision 7)."""

from __future__ import annotations

import base64
import json
from typing import Any

from bankcrm.core.errors import FieldProblem, ValidationFailed


def encode_cursor(values: list[Any]) -> str:
    """The sort-key values of the last row of a page as an opaque cursor (URL-safe base64 JSON)."""
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    """Inverse of :func:`encode_cursor`, expecting ``size`` values.

    Raises:
        ValidationFailed: the cursor was not produced by us (field ``cursor``).
    """
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or len(values) != size:
        raise ValidationFailed([FieldProblem("cursor", "is not a cursor returned by this API")])
    return values
