"""Bearer-token authentication for the REST API (DESIGN decision 2), with per-operation scopes.

``TokenAuth(Perm.X)`` authenticates the token and then requires the scope on the token and the
permission on its user; a missing scope is answered 403 before the request body is validated
(django-ninja runs authentication before parsing the body).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer

from bankcrm.authz.permissions import Perm
from bankcrm.identity import services as identity


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.auth`` to the token and ``request.user``
    to its owner. Unknown, expired or revoked tokens get 401; a missing scope 403."""

    def __init__(self, scope: Perm | None = None) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = identity.authenticate_token(token)
        if found is None:
            return None
        request.user = found.user
        if self.scope is not None:
            if self.scope.value not in found.scopes:
                raise HttpError(403, f"this token lacks the {self.scope.value} scope")
            if not found.user.has_perm_code(self.scope):
                raise HttpError(403, f"{self.scope.value} permission required")
        return found
