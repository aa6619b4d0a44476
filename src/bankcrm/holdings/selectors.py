"""Reads of accounts and their ledgers, scoped to the actor."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import restrict
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.core.lookup import get_visible
from bankcrm.core.pagination import decode_cursor, encode_cursor
from bankcrm.holdings.models import Account, AccountRole, Card, Loan, StandingOrder, Transaction
from bankcrm.identity.models import User


@dataclass
class AccountView:
    """An account as one party holds it, with the balance as of a date.

    ``balance_minor`` is None when unknown: no booked balance on or before ``as_of`` (the public
    Berka ledger stops at 1994-03-31). ``balance_date`` is the booking date it was taken from.
    """

    account: Account
    role: str
    balance_minor: int | None
    balance_date: dt.date | None


def visible_accounts(actor: User) -> QuerySet[Account]:
    """Accounts the actor may read."""
    return restrict(actor, Account.objects.all(), Perm.ACCOUNTS_READ)


def get_account(actor: User, account_id: uuid.UUID | str) -> Account:
    """One visible account.

    Raises:
        NotFound: no such account or not visible.
    """
    return get_visible(visible_accounts(actor).select_related("product", "branch"), account_id, "account")


def balance_as_of(account: Account, as_of: dt.date) -> tuple[int | None, dt.date | None]:
    """(balance in minor units, date it was booked) on ``as_of``: the balance after the last
    transaction booked on or before that date (file order within a day), else the account's
    recorded balance if dated on or before ``as_of`` (an account opened without ledger rows),
    else (None, None)."""
    last = (
        Transaction.objects.filter(account=account, booking_date__lte=as_of, balance_after_minor__isnull=False)
        .order_by("-booking_date", "-id")
        .values_list("balance_after_minor", "booking_date")
        .first()
    )
    if last is not None:
        return last[0], last[1]
    if account.balance_minor is not None and account.balance_as_of is not None and account.balance_as_of <= as_of:
        return account.balance_minor, account.balance_as_of
    return None, None


def accounts_of_party(actor: User, party: Any, *, as_of: dt.date) -> list[AccountView]:
    """The party's visible accounts (any role in force on ``as_of``) with balances as of that date."""
    roles = list(
        AccountRole.objects.filter(party=party)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=as_of))
        .select_related("account", "account__product", "account__branch")
        .order_by("account__opened_on", "account__number")
    )
    # Scope by primary key (a short IN list), not with a sub-select over every account.
    visible = set(visible_accounts(actor).filter(pk__in=[r.account_id for r in roles]).values_list("pk", flat=True))
    views = []
    for role in roles:
        if role.account_id not in visible:
            continue
        balance, date = balance_as_of(role.account, as_of)
        views.append(AccountView(account=role.account, role=role.role, balance_minor=balance, balance_date=date))
    return views


def loans_for(account_ids: list[uuid.UUID]) -> list[Loan]:
    """Loans on these accounts, newest first."""
    return list(Loan.objects.filter(account_id__in=account_ids).select_related("account").order_by("-granted_on"))


def cards_for(account_ids: list[uuid.UUID]) -> list[Card]:
    """Cards on these accounts, newest first."""
    return list(
        Card.objects.filter(account_id__in=account_ids).select_related("holder", "account").order_by("-issued_on")
    )


def standing_orders_for(account_ids: list[uuid.UUID]) -> list[StandingOrder]:
    """Standing orders from these accounts."""
    return list(StandingOrder.objects.filter(account_id__in=account_ids).select_related("account").order_by("purpose"))


def recent_transactions(account_ids: list[uuid.UUID], *, limit: int, until: dt.date) -> list[Transaction]:
    """The last ``limit`` transactions booked on or before ``until`` across these accounts."""
    if not account_ids:
        return []
    return list(
        Transaction.objects.filter(account_id__in=account_ids, booking_date__lte=until).order_by(
            "-booking_date", "-id"
        )[:limit]
    )


@dataclass
class TransactionPage:
    """A page of an account's ledger, newest first, and the cursor of the next page."""

    items: list[Transaction]
    next_cursor: str | None


def account_transactions(
    actor: User,
    account_id: uuid.UUID | str,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> TransactionPage:
    """An account's transactions in ``[date_from, date_to]`` (inclusive), newest first,
    keyset-paginated on (booking date, id).

    Raises:
        NotFound: the account is not visible.
        ValidationFailed: ``date_from`` after ``date_to``, bad ``limit`` or ``cursor``.
    """
    problems = []
    if date_from and date_to and date_from > date_to:
        problems.append(FieldProblem("date_from", "must not be after date_to"))
    if not 1 <= limit <= 200:
        problems.append(FieldProblem("limit", "must be between 1 and 200"))
    if problems:
        raise ValidationFailed(problems)
    account = get_account(actor, account_id)
    qs = Transaction.objects.filter(account=account)
    if date_from:
        qs = qs.filter(booking_date__gte=date_from)
    if date_to:
        qs = qs.filter(booking_date__lte=date_to)
    if cursor:
        day, last_id = decode_cursor(cursor, 2)
        try:
            day = dt.date.fromisoformat(day)
            last_id = int(last_id)
        except (TypeError, ValueError):
            raise ValidationFailed([FieldProblem("cursor", "is not a cursor returned by this API")]) from None
        qs = qs.filter(Q(booking_date__lt=day) | Q(booking_date=day, id__lt=last_id))
    rows = list(qs.order_by("-booking_date", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return TransactionPage(
        items=rows, next_cursor=encode_cursor([rows[-1].booking_date.isoformat(), rows[-1].id]) if more else None
    )
