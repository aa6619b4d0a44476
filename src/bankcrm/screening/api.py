"""``/api/v1/screening``: check a name against the active watch lists; review hits (AML only)."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, field_validator

from bankcrm.api.auth import TokenAuth
from bankcrm.authz.permissions import Perm
from bankcrm.screening import selectors, services
from bankcrm.screening.engine import DEFAULT_THRESHOLD, ScreeningQuery

router = Router(tags=["screening"])


class ScreeningCheckCreate(Schema):
    name: str = Field(min_length=1, max_length=300)
    date_of_birth: str | None = Field(default=None, description="YYYY-MM-DD, YYYY-MM or YYYY")
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")
    entity_type: str | None = Field(default=None, description="person, organization, vessel or aircraft")

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
            try:
                dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
            return value
        raise ValueError("must be YYYY-MM-DD, YYYY-MM or YYYY")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) != 2 or not value.isalpha():
            raise ValueError("must be an ISO 3166-1 alpha-2 code")
        return value.upper()

    @field_validator("entity_type")
    @classmethod
    def _kind(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if value not in ("person", "organization", "vessel", "aircraft"):
            raise ValueError("must be person, organization, vessel or aircraft")
        return value


class HitRead(Schema):
    entry_id: str
    list: str
    name: str
    matched_name: str
    score: float
    # "list" is a field name here (the API's), so the builtin is spelled out.
    programs: builtins.list[str]
    explanation: str


class ListVersionRead(Schema):
    list: str
    version: str


class ScreeningCheckRead(Schema):
    hits: list[HitRead]
    threshold: float
    lists: list[ListVersionRead]


def check_payload(name: str, date_of_birth: str | None, country: str | None, entity_type: str | None) -> dict[str, Any]:
    """The ``POST /screening/check`` answer (shared with ``bankcrm screen --json``)."""
    query = ScreeningQuery(name=name, date_of_birth=date_of_birth, country=country, entity_type=entity_type)
    found, versions = services.check(query)
    return {
        "hits": [
            {
                "entry_id": h.entry_id,
                "list": h.list_code,
                "name": h.name,
                "matched_name": h.matched_name,
                "score": round(h.score, 4),
                "programs": list(h.programs),
                "explanation": h.explanation,
            }
            for h in sorted(found, key=lambda h: -h.score)
        ],
        "threshold": DEFAULT_THRESHOLD,
        "lists": [{"list": v.watch_list.code, "version": v.version} for v in versions],
    }


@router.post("/check", response=ScreeningCheckRead, auth=TokenAuth(Perm.SCREENING_CHECK), summary="Screen a name")
def check(request: HttpRequest, payload: ScreeningCheckCreate) -> dict[str, Any]:
    """Hits at or above the alert threshold against the active version of each list, best first
    (score in [0, 1]); ``entry_id`` is the list's own id (the OFAC entity number). Nothing is stored."""
    return check_payload(payload.name, payload.date_of_birth, payload.country, payload.entity_type)


class ReviewHitRead(Schema):
    id: int
    party_id: Any
    list: str
    entry_id: str
    score: float
    matched_name: str
    explanation: str
    status: str


class DispositionCreate(Schema):
    disposition: str = Field(description="true_match or false_positive")
    reason: str = Field(max_length=500)


def _hit(h: Any) -> dict[str, Any]:
    return {
        "id": h.pk,
        "party_id": h.party_id,
        "list": h.entry.version.watch_list.code,
        "entry_id": h.entry.entry_id,
        "score": h.score,
        "matched_name": h.matched_name,
        "explanation": h.explanation,
        "status": h.status,
    }


@router.get("/hits", response=list[ReviewHitRead], auth=TokenAuth(Perm.AML_READ), summary="Review queue")
def list_hits(request: HttpRequest, status: str = "open") -> list[dict[str, Any]]:
    """Hits waiting for review (or with ``status``), best score first; AML roles only."""
    return [_hit(h) for h in selectors.hits(request.user, status=status)[:200]]  # type: ignore[arg-type]


@router.post(
    "/hits/{hit_id}/disposition", response=ReviewHitRead, auth=TokenAuth(Perm.AML_MANAGE), summary="Decide a hit"
)
def dispose(request: HttpRequest, hit_id: int, payload: DispositionCreate) -> dict[str, Any]:
    """True match (blocks the party, opens an AML case) or false positive (remembered for the pair)."""
    hit = selectors.get_hit(request.user, hit_id)  # type: ignore[arg-type]
    decided = services.dispose_hit(
        actor=request.user,  # type: ignore[arg-type]
        hit=hit,
        disposition=payload.disposition,
        reason=payload.reason,
    )
    return _hit(decided)
