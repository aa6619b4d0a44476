"""The NinjaAPI root under ``/api/v1``: auth, problem+json errors, version and health."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from bankcrm import __version__
from bankcrm.api.auth import TokenAuth
from bankcrm.core import clock
from bankcrm.core.errors import Conflict, NotFound, ValidationFailed

api = NinjaAPI(
    title="BankCRM API",
    version="1",
    description="Compliance-first CRM for US banks. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url="/docs",
)

PROBLEM = "application/problem+json"


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", errors: list[Any] | None = None
) -> HttpResponse:
    """An RFC 9457 problem document; ``errors`` is a per-field list ``[{field, message}]``."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    body["request_id"] = getattr(request, "request_id", "")
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    return response


def _field_name(loc: tuple[object, ...] | list[object]) -> str:
    """``("body", "payload", "party_id")`` -> ``"party_id"``; ``("query", "limit")`` -> ``"limit"``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body" and len(parts) > 2:
        parts = parts[2:]  # drop the view's argument name
    elif parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [{"field": _field_name(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors]
    return problem(request, 422, "Invalid input", errors=errors)


@api.exception_handler(ValidationFailed)
def _failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    return problem(
        request, 422, "Invalid input", errors=[{"field": p.field, "message": p.message} for p in exc.problems]
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(request, 401, "Authentication required", "Send Authorization: Bearer <token>.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return problem(request, 404, "Not found")


@api.exception_handler(Conflict)
def _conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return problem(request, 409, "Conflict", str(exc))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(request, 403, "Forbidden", str(exc))


@api.exception_handler(HttpError)
def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc))


class HealthRead(Schema):
    status: str
    version: str
    database: str
    as_of: str


class WhoAmIRead(Schema):
    username: str
    kind: str
    scopes: list[str]


@api.get("/health", auth=None, response=HealthRead, tags=["system"])
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness and database reachability; no authentication."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {
        "status": "ok",
        "version": __version__,
        "database": connection.vendor,
        "as_of": clock.today().isoformat(),
    }


@api.get("/me", response=WhoAmIRead, tags=["system"])
def me(request: HttpRequest) -> dict[str, Any]:
    """The user and scopes behind the bearer token."""
    token = request.auth  # type: ignore[attr-defined]
    return {"username": token.user.username, "kind": token.user.kind, "scopes": list(token.scopes)}


def _mount() -> None:
    from bankcrm.cases.api import cases, complaints
    from bankcrm.holdings.api import router as accounts
    from bankcrm.interactions.api import router as interactions
    from bankcrm.kyc.api import kyc, onboarding
    from bankcrm.monitoring.api import router as alerts
    from bankcrm.parties.api import router as parties
    from bankcrm.screening.api import router as screening

    api.add_router("/parties", parties)
    api.add_router("/accounts", accounts)
    api.add_router("/interactions", interactions)
    api.add_router("/alerts", alerts)
    api.add_router("/complaints", complaints)
    api.add_router("/cases", cases)
    api.add_router("/onboarding", onboarding)
    api.add_router("/kyc", kyc)
    api.add_router("/screening", screening)


_mount()
