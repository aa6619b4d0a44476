"""``/api/v1/parties``: search and the customer 360."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from bankcrm.api.auth import TokenAuth
from bankcrm.authz import masking
from bankcrm.authz.permissions import Perm
from bankcrm.parties import selectors
from bankcrm.parties.schemas import Party360Read, PartyPage, party_360_read, party_read

router = Router(tags=["parties"])


class PartySearch(Schema):
    search: str = ""
    cursor: str | None = None
    limit: int = 25


@router.get("", response=PartyPage, auth=TokenAuth(Perm.PARTIES_READ), summary="Search parties")
def search(request: HttpRequest, params: Query[PartySearch]) -> dict[str, Any]:
    """Search by name (accent- and case-insensitive; every word must match), 12-digit account
    number, exact tax id, party id, or source id (``client:42``, ``berka:client:42`` or a bare
    Berka client id). Results are ordered by name; follow ``next_cursor`` for more. Dates of birth
    show the year only unless the caller holds ``parties:date_of_birth``."""
    if len(params.search) > 200:
        raise HttpError(422, "search: at most 200 characters")
    page = selectors.search_parties(request.user, query=params.search, cursor=params.cursor, limit=params.limit)  # type: ignore[arg-type]
    born = masking.dates_of_birth(request.user, page.items)  # type: ignore[arg-type]
    return {"items": [party_read(p, date_of_birth=born[p.pk]) for p in page.items], "next_cursor": page.next_cursor}


@router.get("/{party_id}", response=Party360Read, auth=TokenAuth(Perm.PARTIES_READ), summary="Customer 360")
def party_360(request: HttpRequest, party_id: uuid.UUID) -> dict[str, Any]:
    """Everything the bank knows about one party, with balances as of the clock's date, the last
    50 transactions across its accounts and its interaction timeline."""
    return party_360_read(selectors.party_360(request.user, party_id), request.user)  # type: ignore[arg-type]
