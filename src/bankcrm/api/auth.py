"""Bearer-token authentication for the REST API (DESIGN decision 2)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from bankcrm.identity import services as identity


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.auth`` to the token and
    ``request.user`` to its owner. Unknown, expired or revoked tokens get 401."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = identity.authenticate_token(token)
        if found is None:
            return None
        request.user = found.user
        return found
