"""Reads of parties, already scoped to the actor: search and the customer 360."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import restrict
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.core.lookup import get_visible
from bankcrm.core.pagination import decode_cursor, encode_cursor
from bankcrm.holdings import selectors as holdings
from bankcrm.holdings.models import AccountRole
from bankcrm.identity.models import User
from bankcrm.interactions.models import Interaction
from bankcrm.parties.models import HouseholdMember, Party, PartyRelationship
from bankcrm.parties.text import fold
from bankcrm.privacy import crypto

MAX_PAGE = 100
_SOURCE_REF = re.compile(r"^(?:(?P<system>[a-z-]+):)?(?P<kind>client|account|party):(?P<id>\d+)$")


def visible_parties(actor: User) -> QuerySet[Party]:
    """Parties the actor may read (merged-away duplicates excluded)."""
    return restrict(actor, Party.objects.filter(merged_into__isnull=True), Perm.PARTIES_READ)


@dataclass
class Page:
    """One page of results and the cursor of the next page (None at the end)."""

    items: list[Any]
    next_cursor: str | None


def search_parties(actor: User, *, query: str = "", cursor: str | None = None, limit: int = 25) -> Page:
    """Find parties by name (accent- and case-insensitive, every word must match), account
    number (12 digits), exact tax id (9 digits, with or without dashes; blind index), party id
    (UUID) or source id (``client:42``, ``berka:client:42`` or a bare Berka client id ``42``).
    Ordered by folded name, then id; keyset-paginated.

    Raises:
        ValidationFailed: bad ``limit`` or ``cursor``.
        PermissionDenied: the actor may not read parties.
    """
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed([FieldProblem("limit", f"must be between 1 and {MAX_PAGE}")])
    qs = visible_parties(actor)
    term = query.strip()
    if term:
        qs = qs.filter(_match(term))
    qs = qs.order_by("search_name", "id")
    if cursor:
        name, last_id = decode_cursor(cursor, 2)
        qs = qs.filter(Q(search_name__gt=name) | Q(search_name=name, id__gt=last_id))
    rows = list(qs.select_related("branch")[: limit + 1])
    next_cursor = encode_cursor([rows[limit - 1].search_name, str(rows[limit - 1].id)]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def _source(system: str, source_id: str) -> Q:
    # The non-empty condition lets SQLite use the partial unique index on (source_system, source_id).
    return Q(source_system=system, source_id=source_id) & ~Q(source_id="")


def _holds(**account_lookup: str) -> Q:
    # An uncorrelated IN (sub-select) rather than a join: a party holding one account in two roles
    # is listed once without DISTINCT, and SQLite evaluates it once instead of per party (EXISTS).
    return Q(pk__in=AccountRole.objects.filter(**account_lookup).values("party_id"))


def _match(term: str) -> Q:
    try:
        return Q(id=uuid.UUID(term))
    except ValueError:
        pass
    ref = _SOURCE_REF.match(term.lower())
    if ref:
        system = ref.group("system") or "berka"
        kind = "client" if ref.group("kind") == "party" else ref.group("kind")
        if kind == "account":
            return _holds(account__source_system=system, account__source_id=f"account:{ref['id']}")
        return _source(system, f"client:{ref['id']}")
    digits = re.sub(r"[\s-]", "", term)
    if digits.isdigit():
        if len(digits) == 12:
            return _holds(account__number=digits)
        if len(digits) == 9:  # SSN / ITIN / EIN: exact match through the blind index, no decryption
            return Q(tax_id_index=crypto.blind_index(digits, field="party.tax_id"))
        return _source("berka", f"client:{int(digits)}")
    condition = Q()
    for word in fold(term).split():
        condition &= Q(search_name__contains=word)
    return condition


@dataclass
class Party360:
    """Everything the bank knows about one party, as of ``as_of``."""

    party: Party
    as_of: dt.date
    relationships: list[PartyRelationship] = field(default_factory=list)
    household: dict[str, Any] | None = None
    accounts: list[holdings.AccountView] = field(default_factory=list)
    loans: list[Any] = field(default_factory=list)
    cards: list[Any] = field(default_factory=list)
    standing_orders: list[Any] = field(default_factory=list)
    transactions: list[Any] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    contact_points: list[Any] = field(default_factory=list)
    identity_documents: list[Any] = field(default_factory=list)


def get_party(actor: User, party_id: uuid.UUID | str) -> Party:
    """One visible party.

    Raises:
        NotFound: no such party, or the actor may not see it (indistinguishable).
    """
    return get_visible(visible_parties(actor).select_related("branch", "relationship_manager"), party_id, "party")


def party_360(actor: User, party_id: uuid.UUID | str, *, transactions: int = 50, interactions: int = 50) -> Party360:
    """The customer 360 of one party: profile, contact points, relationships in force, household,
    accounts with balances as of the clock's date, loans, cards, standing orders, the last
    ``transactions`` transactions across the party's accounts and the last ``interactions``.

    Raises:
        NotFound: as :func:`get_party`.
    """
    party = get_party(actor, party_id)
    as_of = clock.today()
    view = Party360(party=party, as_of=as_of)
    view.contact_points = list(party.contact_points.order_by("kind", "-is_primary"))
    view.identity_documents = list(party.identity_documents.order_by("type"))
    in_force = Q(effective_from__isnull=True) | Q(effective_from__lte=as_of)
    in_force &= Q(effective_to__isnull=True) | Q(effective_to__gte=as_of)
    view.relationships = list(
        PartyRelationship.objects.filter(in_force)
        .filter(Q(from_party=party) | Q(to_party=party))
        .select_related("from_party", "to_party")
        .order_by("type", "effective_from")
    )
    membership = (
        HouseholdMember.objects.filter(party=party).select_related("household").order_by("-effective_from").first()
    )
    if membership is not None:
        members = (
            HouseholdMember.objects.filter(household=membership.household)
            .select_related("party")
            .order_by("role", "party__search_name")
        )
        view.household = {"household": membership.household, "members": list(members)}
    account_views = holdings.accounts_of_party(actor, party, as_of=as_of)
    view.accounts = account_views
    account_ids = [a.account.pk for a in account_views]
    view.loans = holdings.loans_for(account_ids)
    view.cards = holdings.cards_for(account_ids)
    view.standing_orders = holdings.standing_orders_for(account_ids)
    view.transactions = holdings.recent_transactions(account_ids, limit=transactions, until=as_of)
    view.interactions = timeline(party, limit=interactions)
    return view


def timeline(party: Party, *, limit: int = 50) -> list[Interaction]:
    """The party's last ``limit`` interactions, newest first (the party is already visible)."""
    return list(Interaction.objects.filter(party=party).select_related("staff").order_by("-occurred_at")[:limit])
