"""Reads of parties, already scoped to the actor: search and the customer 360."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from bankcrm.authz import masking
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require, restrict
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.core.lookup import get_visible
from bankcrm.core.pagination import decode_cursor, encode_cursor
from bankcrm.holdings import selectors as holdings
from bankcrm.holdings.models import AccountRole
from bankcrm.identity.models import User
from bankcrm.interactions.models import Interaction
from bankcrm.parties import birth
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
    qs = matching_parties(actor, query=query)
    if cursor:
        name, last_id = decode_cursor(cursor, 2)
        qs = qs.filter(Q(search_name__gt=name) | Q(search_name=name, id__gt=last_id))
    rows = list(qs.select_related("branch")[: limit + 1])
    next_cursor = encode_cursor([rows[limit - 1].search_name, str(rows[limit - 1].id)]) if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def matching_parties(actor: User, *, query: str = "") -> QuerySet[Party]:
    """Every visible party :func:`search_parties` would list for ``query`` (all pages), ordered
    by folded name, then id.

    Raises:
        PermissionDenied: the actor may not read parties.
    """
    qs = visible_parties(actor)
    term = query.strip()
    if term:
        qs = qs.filter(_match(term))
    return qs.order_by("search_name", "id")


def query_kind(query: str) -> str:
    """What a search term is taken as: ``"all"``, ``"party_id"``, ``"source_id"``,
    ``"account_number"``, ``"tax_id"`` or ``"name"`` (for audit records, which must not hold the
    term itself when it is a number)."""
    term = query.strip()
    if not term:
        return "all"
    try:
        uuid.UUID(term)
        return "party_id"
    except ValueError:
        pass
    if _SOURCE_REF.match(term.lower()):
        return "source_id"
    digits = re.sub(r"[\s-]", "", term)
    if digits.isdigit():
        return {12: "account_number", 9: "tax_id"}.get(len(digits), "source_id")
    return "name"


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


# Dates of birth and ages for authorised code paths ------------------------------------------------


def date_of_birth(actor: User, party_id: uuid.UUID | str) -> dt.date | None:
    """The full date of birth of a visible party, for code acting for a person who may see it
    (``parties:date_of_birth``); the read is audited as ``pii.read`` (field
    ``party.date_of_birth``, never the value). None when none is held.

    Raises:
        PermissionDenied: the actor lacks ``parties:date_of_birth`` (or ``parties:read``).
        NotFound: as :func:`get_party`.
    """
    require(actor, Perm.DATE_OF_BIRTH_READ)
    party = get_party(actor, party_id)
    born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
    if born is not None:
        from bankcrm.audit import services as audit

        audit.record_standalone(
            actor=actor,
            action="pii.read",
            subject_type="party",
            subject_id=str(party.pk),
            payload={"field": birth.FIELD},
        )
    return born


def ages(actor: User, party_ids: Iterable[uuid.UUID | str], *, on: dt.date | None = None) -> dict[uuid.UUID, int]:
    """Age in completed years on ``on`` (default: the clock's today) of each visible party whose
    date of birth is held, for features that need an age, not a birth date (elder-financial-abuse
    signals, the CFPB "Older American" tag at 62: :func:`bankcrm.parties.birth.is_older_american`).
    Parties not visible to the actor, without a date of birth, or born after ``on`` are left out.
    Not audited: an age shows no more than the birth year every reader already sees.

    Raises:
        PermissionDenied: the actor may not read parties.
    """
    day = on or clock.today()
    wanted = {uuid.UUID(str(i)) for i in party_ids}
    result: dict[uuid.UUID, int] = {}
    rows = visible_parties(actor).filter(pk__in=wanted, date_of_birth_encrypted__isnull=False)
    for pk, blob in rows.values_list("pk", "date_of_birth_encrypted").iterator(chunk_size=2000):
        born = birth.decrypt_date_of_birth(blob)
        if born is not None and born <= day:
            result[pk] = birth.age_on(born, day)
    return result


def age(actor: User, party_id: uuid.UUID | str, *, on: dt.date | None = None) -> int | None:
    """The age of one visible party (see :func:`ages`); None when no date of birth is held.

    Raises:
        NotFound: as :func:`get_party`.
    """
    party = get_party(actor, party_id)
    return ages(actor, [party.pk], on=on).get(party.pk)


# Customer-data export ------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "party_id",
    "kind",
    "legal_name",
    "date_of_birth",
    "formation_date",
    "tax_id_type",
    "tax_id",
    "account_numbers",
    "branch",
    "segment",
    "kyc_status",
    "risk_rating",
    "source_system",
    "source_id",
]
EXPORT_CHUNK = 500


@dataclass
class PartyExport:
    """A customer-data export of the parties matching a search, as the actor may see them.

    ``count`` rows; ``unmasked`` names the fields the actor sees in full (for the audit record);
    :meth:`rows` yields one list per party in :data:`EXPORT_COLUMNS` order, masked exactly as on
    the console (:mod:`bankcrm.authz.masking`).
    """

    actor: User
    queryset: QuerySet[Party]
    count: int
    unmasked: list[str]

    def rows(self) -> Iterator[list[str]]:
        """Rows in name order, read in chunks of 500 parties (keyset, so a long export holds no
        server-side cursor open across yields)."""
        last: tuple[str, uuid.UUID] | None = None
        while True:
            qs = self.queryset
            if last is not None:
                qs = qs.filter(Q(search_name__gt=last[0]) | Q(search_name=last[0], id__gt=last[1]))
            chunk = list(qs.select_related("branch")[:EXPORT_CHUNK])
            if not chunk:
                return
            yield from self._chunk_rows(chunk)
            last = (chunk[-1].search_name, chunk[-1].pk)

    def _chunk_rows(self, chunk: list[Party]) -> Iterator[list[str]]:
        actor = self.actor
        born = masking.dates_of_birth(actor, chunk, audit_read=False)
        numbers = _account_numbers(actor, [p.pk for p in chunk])
        for p in chunk:
            tax = masking.party_tax_id(actor, p, audit_read=False)
            yield [
                str(p.pk),
                p.kind,
                p.legal_name,
                born[p.pk] or "",
                p.formation_date.isoformat() if p.formation_date else "",
                p.tax_id_type if tax else "",
                tax or "",
                " ".join(masking.account_number(actor, n) for n in numbers.get(p.pk, [])),
                p.branch.code if p.branch else "",
                p.segment,
                p.kyc_status,
                p.risk_rating,
                p.source_system,
                p.source_id,
            ]


def _account_numbers(actor: User, party_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Party pk -> numbers of the visible accounts it holds in a role in force today."""
    if not actor.has_perm_code(Perm.ACCOUNTS_READ):
        return {}
    today = clock.today()
    roles = (
        AccountRole.objects.filter(party_id__in=party_ids)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .order_by("account__number")
        .values_list("party_id", "account_id", "account__number")
    )
    rows = list(roles)
    visible = set(holdings.visible_accounts(actor).filter(pk__in={a for _, a, _ in rows}).values_list("pk", flat=True))
    result: dict[uuid.UUID, list[str]] = {}
    for party_id, account_id, number in rows:
        if account_id in visible and number not in result.setdefault(party_id, []):
            result[party_id].append(number)
    return result


def party_export(actor: User, *, query: str = "") -> PartyExport:
    """The export of every party :func:`search_parties` finds for ``query`` (all pages), scoped
    to the actor and masked for them (see :class:`PartyExport`).

    Raises:
        PermissionDenied: the actor may not read parties.
    """
    qs = matching_parties(actor, query=query)
    full = {
        "date_of_birth": Perm.DATE_OF_BIRTH_READ,
        "tax_id": Perm.TAX_ID_READ,
        "account_numbers": Perm.ACCOUNT_NUMBER_READ,
    }
    unmasked = [name for name, perm in full.items() if actor.has_perm_code(perm)]
    return PartyExport(actor=actor, queryset=qs, count=qs.count(), unmasked=unmasked)
