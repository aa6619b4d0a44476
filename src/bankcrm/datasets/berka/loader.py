"""Load a validated Berka data set into BankCRM (``bankcrm import berka DIR``).

Mapping (Berka & Sochorová, PKDD'99 guide):

- district -> :class:`~bankcrm.holdings.models.Branch` (code ``CZnnn``, region, statistics);
- client -> person :class:`~bankcrm.parties.models.Party`: date of birth (stored encrypted) and
  sex from ``birth_number`` (sex is a restricted field), the birth number itself encrypted, a
  synthetic Czech-style identity (name, address in the client's district, e-mail at example.com,
  fictional phone, passport-style id) flagged ``synthetic_identity``;
- disposition -> :class:`~bankcrm.holdings.models.AccountRole` (OWNER -> owner, DISPONENT ->
  authorized user); an account with both forms a household, and the disponent is recorded as an
  authorized signer for the owner;
- account -> :class:`~bankcrm.holdings.models.Account` (synthetic number, statement frequency,
  last known balance and its date); loan, card, order -> Loan, Card, StandingOrder;
- trans -> :class:`~bankcrm.holdings.models.Transaction` through
  :func:`~bankcrm.holdings.services.bulk_load_transactions`.

Source ids are kept (``source_system="berka"``, ``source_id="client:42"``), so a second run
creates nothing and says so. Validation of every file happens before the single transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from bankcrm.core import clock
from bankcrm.core.bulk import analyze
from bankcrm.datasets.berka.parser import BerkaData, parse_directory
from bankcrm.datasets.common import (
    LoadReport,
    Progress,
    count_unchanged,
    create_in_batches,
    existing_source_ids,
    no_progress,
)
from bankcrm.datasets.models import DataLoad
from bankcrm.datasets.synthetic import czech_identity
from bankcrm.holdings import services as holdings
from bankcrm.holdings.models import (
    Account,
    AccountRole,
    Branch,
    Card,
    Loan,
    Product,
    StandingOrder,
    Transaction,
)
from bankcrm.holdings.numbers import make_account_number
from bankcrm.identity.models import User
from bankcrm.parties.birth import encrypt_date_of_birth
from bankcrm.parties.models import (
    ContactPoint,
    Household,
    HouseholdMember,
    IdentityDocument,
    Party,
    PartyRelationship,
)
from bankcrm.parties.text import fold
from bankcrm.privacy import crypto

LOADED_MODELS = (
    Branch,
    Party,
    ContactPoint,
    IdentityDocument,
    Account,
    AccountRole,
    PartyRelationship,
    Household,
    HouseholdMember,
    Loan,
    Card,
    StandingOrder,
    Transaction,
)
SOURCE = "berka"
SYNTHETIC_SOURCE = "synthetic-berka"
CURRENCY = "CZK"


def _dataset_sha256(files: dict[str, str]) -> str:
    joined = "\n".join(f"{name}={digest}" for name, digest in sorted(files.items()))
    return hashlib.sha256(joined.encode()).hexdigest()


def ensure_products(*, actor: User | None) -> dict[str, Product]:
    """The Berka product catalog (current account, loan), created once."""
    from bankcrm.audit import services as audit

    wanted = {
        "CZ-CURRENT": {"name": "Current account (CZK)", "type": Product.Type.CHECKING, "currency": CURRENCY},
        "CZ-LOAN": {"name": "Consumer loan (CZK)", "type": Product.Type.LOAN, "currency": CURRENCY},
    }
    existing = {p.code: p for p in Product.objects.filter(code__in=wanted)}
    for code, fields in wanted.items():
        if code not in existing:
            existing[code] = Product.objects.create(code=code, **fields)
            audit.record(actor=actor, action="holdings.product.create", subject_type="product", subject_id=code)
    return existing


def import_berka(*, actor: User | None, directory: Path, progress: Progress = no_progress) -> LoadReport:
    """Validate every file in ``directory``, then load what is not loaded yet, in one transaction.

    Returns:
        :class:`LoadReport` with created and unchanged counts per entity.

    Raises:
        ValidationFailed: malformed input (file:line, field, message); nothing is written.
    """
    data = parse_directory(directory)
    with transaction.atomic():
        report = _load(actor=actor, data=data, progress=progress)
        if report.changed_anything:
            DataLoad.objects.create(
                source=SOURCE,
                label=_dataset_sha256(data.file_sha256),
                files=data.file_sha256,
                counts=report.created,
                actor=actor,
                finished_at=clock.now(),
            )
    if report.changed_anything:
        analyze(LOADED_MODELS)
    return report


def _load(*, actor: User | None, data: BerkaData, progress: Progress) -> LoadReport:
    report = LoadReport(source=SOURCE, files=dict(data.file_sha256))
    sha = data.file_sha256
    trans_file = next(n for n in sha if n.startswith("trans"))

    def create(model, objects, entity, file):  # type: ignore[no-untyped-def]
        return create_in_batches(
            actor=actor,
            model=model,
            objects=objects,
            entity=entity,
            source=file,
            source_sha256=sha[file],
            report=report,
            progress=progress,
        )

    # Branches -------------------------------------------------------------------------------
    have = existing_source_ids(Branch, SOURCE)
    new_branches = [
        Branch(
            code=f"CZ{d.district_id:03d}",
            name=d.name,
            region=d.region,
            country="CZ",
            attributes=d.attributes,
            source_system=SOURCE,
            source_id=f"district:{d.district_id}",
        )
        for d in data.districts
        if f"district:{d.district_id}" not in have
    ]
    create(Branch, new_branches, "branches", "district.asc")
    report.unchanged["branches"] = len(data.districts) - len(new_branches)
    branch_pk = existing_source_ids(Branch, SOURCE)
    districts = {d.district_id: d for d in data.districts}

    products = ensure_products(actor=actor)

    # Parties with their synthetic identity -----------------------------------------------------
    have = existing_source_ids(Party, SOURCE)
    parties: list[Party] = []
    contacts: list[ContactPoint] = []
    documents: list[IdentityDocument] = []
    ring = crypto.keyring()
    for c in data.clients:
        sid = f"client:{c.client_id}"
        if sid in have:
            continue
        district = districts[c.district_id]
        ident = czech_identity(client_id=c.client_id, sex=c.sex, district_name=district.name, region=district.region)
        name = f"{ident.given_name} {ident.family_name}"
        party = Party(
            kind=Party.Kind.PERSON,
            legal_name=name,
            given_name=ident.given_name,
            family_name=ident.family_name,
            search_name=fold(name),
            date_of_birth_encrypted=encrypt_date_of_birth(c.date_of_birth, ring=ring),
            sex=c.sex,
            nationality="CZ",
            residence_country="CZ",
            source_pii_encrypted=crypto.encrypt(c.birth_number, field="party.source_pii", ring=ring),
            language="cs",
            segment="retail",
            branch_id=branch_pk[f"district:{c.district_id}"],
            synthetic_identity=True,
            source_system=SOURCE,
            source_id=sid,
        )
        parties.append(party)
        base = f"client:{c.client_id}"
        common = {"party": party, "is_synthetic": True, "source_system": SYNTHETIC_SOURCE}
        contacts += [
            ContactPoint(
                kind=ContactPoint.Kind.ADDRESS,
                line1=ident.street_line,
                city=ident.city,
                region=ident.region,
                postal_code=ident.postal_code,
                country="CZ",
                is_primary=True,
                source_id=f"{base}:address",
                **common,
            ),
            ContactPoint(
                kind=ContactPoint.Kind.PHONE,
                purpose=ContactPoint.Purpose.MOBILE,
                value=ident.phone,
                is_primary=True,
                source_id=f"{base}:phone",
                **common,
            ),
            ContactPoint(
                kind=ContactPoint.Kind.EMAIL,
                value=ident.email,
                is_primary=True,
                source_id=f"{base}:email",
                **common,
            ),
        ]
        documents.append(
            IdentityDocument(
                party=party,
                type=IdentityDocument.Type.PASSPORT,
                number_encrypted=crypto.encrypt(ident.id_document_number, field="identity_document.number", ring=ring),
                number_index=crypto.blind_index(ident.id_document_number, field="identity_document.number", ring=ring),
                issuing_country=ident.id_document_country,
                is_synthetic=True,
                source_system=SYNTHETIC_SOURCE,
                source_id=f"{base}:passport",
            )
        )
    create(Party, parties, "parties", "client.asc")
    create(ContactPoint, contacts, "contact_points", "client.asc")
    create(IdentityDocument, documents, "identity_documents", "client.asc")
    count_unchanged(report, "contact_points", ContactPoint.objects.filter(source_system=SYNTHETIC_SOURCE))
    count_unchanged(report, "identity_documents", IdentityDocument.objects.filter(source_system=SYNTHETIC_SOURCE))
    report.unchanged["parties"] = len(data.clients) - len(parties)
    party_pk = existing_source_ids(Party, SOURCE)

    # Accounts with their last known balance -------------------------------------------------------
    last_balance: dict[int, tuple[dt.date, int]] = {}
    for t in data.transactions:  # the parser puts each account's day in booking (balance-chain) order
        prev = last_balance.get(t.account_id)
        if prev is None or t.booking_date >= prev[0]:
            last_balance[t.account_id] = (t.booking_date, t.balance_minor)
    have = existing_source_ids(Account, SOURCE)
    accounts = []
    for a in data.accounts:
        sid = f"account:{a.account_id}"
        if sid in have:
            continue
        as_of, balance = last_balance.get(a.account_id) or (None, None)
        accounts.append(
            Account(
                number=make_account_number(a.district_id, a.account_id),
                product=products["CZ-CURRENT"],
                branch_id=branch_pk[f"district:{a.district_id}"],
                currency=CURRENCY,
                opened_on=a.opened_on,
                statement_frequency=a.statement_frequency,
                balance_minor=balance,
                balance_as_of=as_of,
                source_system=SOURCE,
                source_id=sid,
            )
        )
    create(Account, accounts, "accounts", "account.asc")
    report.unchanged["accounts"] = len(data.accounts) - len(accounts)
    account_pk = existing_source_ids(Account, SOURCE)
    opened = {a.account_id: a.opened_on for a in data.accounts}

    # Dispositions -> account roles, relationships, households -------------------------------------
    have = existing_source_ids(AccountRole, SOURCE)
    roles = [
        AccountRole(
            account_id=account_pk[f"account:{d.account_id}"],
            party_id=party_pk[f"client:{d.client_id}"],
            role=AccountRole.Role.OWNER if d.role == "owner" else AccountRole.Role.AUTHORIZED_USER,
            effective_from=opened[d.account_id],
            source_system=SOURCE,
            source_id=f"disp:{d.disp_id}",
        )
        for d in data.dispositions
        if f"disp:{d.disp_id}" not in have
    ]
    create(AccountRole, roles, "account_roles", "disp.asc")
    report.unchanged["account_roles"] = len(data.dispositions) - len(roles)

    owner_of = {d.account_id: d.client_id for d in data.dispositions if d.role == "owner"}
    disponents = [d for d in data.dispositions if d.role != "owner"]
    have = existing_source_ids(PartyRelationship, SOURCE)
    relationships = [
        PartyRelationship(
            from_party_id=party_pk[f"client:{d.client_id}"],
            to_party_id=party_pk[f"client:{owner_of[d.account_id]}"],
            type=PartyRelationship.Type.AUTHORIZED_SIGNER,
            effective_from=opened[d.account_id],
            source_system=SOURCE,
            source_id=f"disp:{d.disp_id}",
        )
        for d in disponents
        if f"disp:{d.disp_id}" not in have
    ]
    create(PartyRelationship, relationships, "relationships", "disp.asc")
    report.unchanged["relationships"] = len(disponents) - len(relationships)

    family = dict(Party.objects.filter(source_system=SOURCE).values_list("source_id", "family_name"))
    households, members = _households(data, party_pk, existing_source_ids(Household, SOURCE), family)
    create(Household, households, "households", "disp.asc")
    create(HouseholdMember, members, "household_members", "disp.asc")
    count_unchanged(report, "household_members", HouseholdMember.objects.filter(household__source_system=SOURCE))
    report.unchanged["households"] = len({d.account_id for d in disponents}) - len(households)

    # Loans, cards, standing orders ---------------------------------------------------------------
    have = existing_source_ids(Loan, SOURCE)
    loans = [
        Loan(
            account_id=account_pk[f"account:{x.account_id}"],
            granted_on=x.granted_on,
            amount_minor=x.amount_minor,
            currency=CURRENCY,
            duration_months=x.duration_months,
            payment_minor=x.payment_minor,
            status=x.status,
            source_system=SOURCE,
            source_id=f"loan:{x.loan_id}",
        )
        for x in data.loans
        if f"loan:{x.loan_id}" not in have
    ]
    create(Loan, loans, "loans", "loan.asc")
    report.unchanged["loans"] = len(data.loans) - len(loans)

    disp_by_id = {d.disp_id: d for d in data.dispositions}
    have = existing_source_ids(Card, SOURCE)
    cards = [
        Card(
            account_id=account_pk[f"account:{disp_by_id[x.disp_id].account_id}"],
            holder_id=party_pk[f"client:{disp_by_id[x.disp_id].client_id}"],
            type=x.type,
            issued_on=x.issued_on,
            source_system=SOURCE,
            source_id=f"card:{x.card_id}",
        )
        for x in data.cards
        if f"card:{x.card_id}" not in have
    ]
    create(Card, cards, "cards", "card.asc")
    report.unchanged["cards"] = len(data.cards) - len(cards)

    have = existing_source_ids(StandingOrder, SOURCE)
    orders = [
        StandingOrder(
            account_id=account_pk[f"account:{x.account_id}"],
            counterparty_bank=x.bank_to,
            counterparty_account=x.account_to,
            amount_minor=x.amount_minor,
            currency=CURRENCY,
            purpose=x.purpose,
            source_system=SOURCE,
            source_id=f"order:{x.order_id}",
        )
        for x in data.orders
        if f"order:{x.order_id}" not in have
    ]
    create(StandingOrder, orders, "standing_orders", "order.asc")
    report.unchanged["standing_orders"] = len(data.orders) - len(orders)

    # Transactions ----------------------------------------------------------------------------------
    have_t = set(
        Transaction.objects.filter(source_system=SOURCE).values_list("source_id", flat=True).iterator(chunk_size=20_000)
    )
    rows = [
        holdings.TransactionRow(
            account_id=account_pk[f"account:{t.account_id}"],
            booking_date=t.booking_date,
            direction=t.direction,
            amount_minor=t.amount_minor,
            currency=CURRENCY,
            balance_after_minor=t.balance_minor,
            type=t.type,
            operation=t.operation,
            purpose=t.purpose,
            is_cash=t.is_cash,
            channel=t.channel,
            counterparty_bank=t.bank,
            counterparty_account=t.account,
            country="CZ",
            source_system=SOURCE,
            source_id=f"trans:{t.trans_id}",
        )
        for t in data.transactions
        if f"trans:{t.trans_id}" not in have_t
    ]
    total = len(rows)
    if rows:
        done = 0

        def counted():  # type: ignore[no-untyped-def]
            nonlocal done
            for row in rows:
                yield row
                done += 1
                if done % 10_000 == 0 or done == total:
                    progress("transactions", done, total)

        holdings.bulk_load_transactions(
            actor=actor,
            rows=counted(),
            source=trans_file,
            source_sha256=sha[trans_file],
            load_batch=f"berka:{sha[trans_file][:16]}",
            validate=False,  # the parser already checked every field
        )
    report.created["transactions"] = total
    report.unchanged["transactions"] = len(data.transactions) - total
    return report


@dataclass
class _Cluster:
    account: int
    head: int | None = None
    clients: list[int] = field(default_factory=list)


def _households(
    data: BerkaData, party_pk: dict[str, Any], have: dict[str, Any], family: dict[str, str]
) -> tuple[list[Household], list[HouseholdMember]]:
    """One household per account that has both an OWNER and a DISPONENT; clients linked through
    several such accounts end up in one household (union of the account groups)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_account: dict[int, list[tuple[int, str]]] = {}
    for d in data.dispositions:
        by_account.setdefault(d.account_id, []).append((d.client_id, d.role))
    groups = {a: m for a, m in by_account.items() if len(m) > 1}
    for members in groups.values():
        first = find(members[0][0])
        for cid, _ in members[1:]:
            parent[find(cid)] = first
    clusters: dict[int, _Cluster] = {}
    for account_id in sorted(groups):
        members = groups[account_id]
        cluster = clusters.setdefault(find(members[0][0]), _Cluster(account=account_id))
        for cid, role in members:
            if cid not in cluster.clients:
                cluster.clients.append(cid)
            if role == "owner" and cluster.head is None:
                cluster.head = cid
    households: list[Household] = []
    memberships: list[HouseholdMember] = []
    for cluster in clusters.values():
        sid = f"account:{cluster.account}"
        if sid in have:
            continue
        head = cluster.head
        household = Household(
            name=f"{family.get(f'client:{head}', '')} household (account {cluster.account})".strip(),
            source_system=SOURCE,
            source_id=sid,
        )
        households.append(household)
        for cid in cluster.clients:
            memberships.append(
                HouseholdMember(
                    household=household,
                    party_id=party_pk[f"client:{cid}"],
                    role=HouseholdMember.Role.HEAD if cid == head else HouseholdMember.Role.MEMBER,
                )
            )
    return households, memberships
