"""``/api/v1/accounts``: an account's ledger."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from bankcrm.api.auth import TokenAuth
from bankcrm.authz.permissions import Perm
from bankcrm.holdings import selectors
from bankcrm.parties.schemas import TransactionRead, transaction_read

router = Router(tags=["accounts"])


class TransactionQuery(Schema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    cursor: str | None = None
    limit: int = 50


class TransactionPage(Schema):
    """A page of transactions, newest first; pass ``next_cursor`` back as ``cursor``."""

    items: list[TransactionRead]
    next_cursor: str | None


@router.get(
    "/{account_id}/transactions",
    response=TransactionPage,
    auth=TokenAuth(Perm.ACCOUNTS_READ),
    summary="Account transactions",
)
def transactions(request: HttpRequest, account_id: uuid.UUID, params: Query[TransactionQuery]) -> dict[str, Any]:
    """Transactions booked between ``date_from`` and ``date_to`` (inclusive), newest first."""
    page = selectors.account_transactions(
        request.user,  # type: ignore[arg-type]
        account_id,
        date_from=params.date_from,
        date_to=params.date_to,
        cursor=params.cursor,
        limit=params.limit,
    )
    return {"items": [transaction_read(t) for t in page.items], "next_cursor": page.next_cursor}
