"""``Idempotency-Key`` handling for POST endpoints (DESIGN decision 7).

A client may send ``Idempotency-Key: <1-128 visible characters>``. The first request with a key
runs and its status and JSON body are stored with a SHA-256 of the request body, in the same
transaction as the write. A retry with the same key and body gets the stored response (and the
header ``Idempotent-Replayed: true``) without writing again; the same key with a different body or
endpoint gets 422.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.core.models import IdempotencyRecord

_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


def run_idempotent(request: HttpRequest, handler: Callable[[], tuple[int, Any]]) -> tuple[int, Any, bool]:
    """Run ``handler`` (returning ``(status, json_body)``) at most once per Idempotency-Key.

    Returns:
        ``(status, body, replayed)``.

    Raises:
        ValidationFailed: malformed key, or a key reused with another request (field ``Idempotency-Key``).
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        with transaction.atomic():
            status, body = handler()
        return status, body, False
    if not _KEY.match(key):
        raise ValidationFailed([FieldProblem("Idempotency-Key", "must be 1 to 128 visible ASCII characters")])
    digest = hashlib.sha256(request.body).hexdigest()
    user = request.user
    if not user.is_authenticated:
        raise PermissionError("Idempotency-Key requires an authenticated request")

    def replay(record: IdempotencyRecord) -> tuple[int, Any, bool]:
        if (record.request_sha256, record.method, record.path) != (digest, request.method, request.path):
            raise ValidationFailed(
                [FieldProblem("Idempotency-Key", "was already used for a different request; use a new key")]
            )
        return record.status, record.response, True

    existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if existing is not None:
        return replay(existing)
    try:
        with transaction.atomic():
            status, body = handler()
            IdempotencyRecord.objects.create(
                user=user,
                key=key,
                method=request.method or "",
                path=request.path,
                request_sha256=digest,
                status=status,
                response=body,
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its outcome.
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is None:
            raise
        return replay(record)
    return status, body, False


def idempotent_json(request: HttpRequest, handler: Callable[[], tuple[int, Any]]) -> Any:
    """:func:`run_idempotent` answered as a ``JsonResponse``, marked ``Idempotent-Replayed: true``
    when it replays a stored outcome (the POST endpoints' common ending).

    Raises:
        ValidationFailed: as :func:`run_idempotent`.
    """
    from django.http import JsonResponse

    status, body, replayed = run_idempotent(request, handler)
    response = JsonResponse(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response
