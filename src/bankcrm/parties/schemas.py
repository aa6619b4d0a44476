"""API schemas for parties and the customer 360."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from typing import Any

from ninja import Schema

from bankcrm.api.common import MoneyRead, money
from bankcrm.authz import masking


class BranchRead(Schema):
    code: str
    name: str
    region: str


class PartyRead(Schema):
    id: uuid.UUID
    kind: str
    legal_name: str
    given_name: str
    family_name: str
    #: "YYYY-MM-DD" with parties:date_of_birth, else the year only ("1970-••-••"); None if unknown.
    date_of_birth: str | None
    segment: str
    risk_rating: str
    kyc_status: str
    language: str
    branch: BranchRead | None
    source_system: str
    source_id: str
    synthetic_identity: bool
    is_synthetic: bool


class PartyPage(Schema):
    """A page of parties; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[PartyRead]
    next_cursor: str | None


class ContactPointRead(Schema):
    kind: str
    purpose: str
    value: str
    line1: str
    city: str
    region: str
    postal_code: str
    country: str
    is_primary: bool
    is_synthetic: bool


class StaffRead(Schema):
    username: str
    display_name: str


class TaxIdRead(Schema):
    type: str
    value: str  # masked (last four) unless the reader holds parties:tax_id


class IdentityDocumentRead(Schema):
    type: str
    number: str  # masked (last four) unless the reader holds parties:id_document
    issuing_country: str
    issuing_region: str
    expires_on: dt.date | None


class PartyDetailRead(PartyRead):
    formation_date: dt.date | None
    nationality: str
    residence_country: str
    industry: str
    vulnerability_flags: list[str]
    relationship_manager: StaffRead | None
    contact_points: list[ContactPointRead]
    tax_id: TaxIdRead | None
    identity_documents: list[IdentityDocumentRead]


class PartyRef(Schema):
    id: uuid.UUID
    legal_name: str


class RelationshipRead(Schema):
    type: str
    direction: str  # "outgoing": this party is <type> of other; "incoming": other is <type> of this party
    other: PartyRef
    ownership_percent: float | None
    effective_from: dt.date | None
    effective_to: dt.date | None


class HouseholdMemberRead(Schema):
    party: PartyRef
    role: str


class HouseholdRead(Schema):
    id: uuid.UUID
    name: str
    members: list[HouseholdMemberRead]


class AccountSummaryRead(Schema):
    id: uuid.UUID
    number: str
    product: str
    currency: str
    status: str
    role: str
    opened_on: dt.date
    statement_frequency: str
    branch: BranchRead
    balance: MoneyRead | None
    balance_date: dt.date | None


class LoanRead(Schema):
    id: uuid.UUID
    account_number: str
    granted_on: dt.date
    amount: MoneyRead
    duration_months: int
    monthly_payment: MoneyRead
    status: str
    status_label: str


class CardRead(Schema):
    id: uuid.UUID
    account_number: str
    holder: PartyRef
    type: str
    issued_on: dt.date


class StandingOrderRead(Schema):
    id: uuid.UUID
    account_number: str
    counterparty_bank: str
    counterparty_account: str
    amount: MoneyRead
    purpose: str


class TransactionRead(Schema):
    id: int
    account_id: uuid.UUID
    booking_date: dt.date
    direction: str
    amount: MoneyRead
    balance_after: MoneyRead | None
    operation: str
    purpose: str
    is_cash: bool
    channel: str
    counterparty_bank: str
    counterparty_account: str


class InteractionRead(Schema):
    id: uuid.UUID
    party_id: uuid.UUID
    channel: str
    direction: str
    purpose: str
    summary: str
    occurred_at: dt.datetime
    staff: str | None


class Party360Read(Schema):
    """The customer 360: everything the bank knows about one party, as of ``as_of``."""

    as_of: dt.date
    party: PartyDetailRead
    relationships: list[RelationshipRead]
    household: HouseholdRead | None
    accounts: list[AccountSummaryRead]
    loans: list[LoanRead]
    cards: list[CardRead]
    standing_orders: list[StandingOrderRead]
    transactions: list[TransactionRead]
    interactions: list[InteractionRead]


# Converters from selector results to the schemas above -------------------------------------------


def branch_read(branch: Any) -> dict[str, Any] | None:
    return None if branch is None else {"code": branch.code, "name": branch.name, "region": branch.region}


def party_read(p: Any, *, date_of_birth: str | None) -> dict[str, Any]:
    """A party as :class:`PartyRead`; ``date_of_birth`` is already masked for the reader
    (:func:`bankcrm.authz.masking.date_of_birth` or ``dates_of_birth``)."""
    return {
        "id": p.id,
        "kind": p.kind,
        "legal_name": p.legal_name,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "date_of_birth": date_of_birth,
        "segment": p.segment,
        "risk_rating": p.risk_rating,
        "kyc_status": p.kyc_status,
        "language": p.language,
        "branch": branch_read(p.branch),
        "source_system": p.source_system,
        "source_id": p.source_id,
        "synthetic_identity": p.synthetic_identity,
        "is_synthetic": p.is_synthetic,
    }


def transaction_read(t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "account_id": t.account_id,
        "booking_date": t.booking_date,
        "direction": t.direction,
        "amount": money(t.amount_minor, t.currency),
        "balance_after": money(t.balance_after_minor, t.currency),
        "operation": t.operation,
        "purpose": t.purpose,
        "is_cash": t.is_cash,
        "channel": t.channel,
        "counterparty_bank": t.counterparty_bank,
        "counterparty_account": t.counterparty_account,
    }


def interaction_read(i: Any) -> dict[str, Any]:
    return {
        "id": i.id,
        "party_id": i.party_id,
        "channel": i.channel,
        "direction": i.direction,
        "purpose": i.purpose,
        "summary": i.summary,
        "occurred_at": i.occurred_at,
        "staff": i.staff.username if i.staff_id else None,
    }


def party_360_read(view: Any, actor: Any) -> dict[str, Any]:
    """Serialize a :class:`bankcrm.parties.selectors.Party360` for ``actor`` (account numbers,
    tax id, identity documents and date of birth masked by permission: :mod:`bankcrm.authz.masking`)."""
    p = view.party
    number = functools.partial(masking.account_number, actor)
    tax_id, documents = masking.party_identifiers(actor, p, view.identity_documents)
    rm = p.relationship_manager
    detail = party_read(p, date_of_birth=masking.date_of_birth(actor, p)) | {
        "formation_date": p.formation_date,
        "nationality": p.nationality,
        "residence_country": p.residence_country,
        "industry": p.industry,
        "vulnerability_flags": list(p.vulnerability_flags),
        "relationship_manager": None if rm is None else {"username": rm.username, "display_name": rm.label},
        "contact_points": [
            {
                "kind": c.kind,
                "purpose": c.purpose,
                "value": c.value,
                "line1": c.line1,
                "city": c.city,
                "region": c.region,
                "postal_code": c.postal_code,
                "country": c.country,
                "is_primary": c.is_primary,
                "is_synthetic": c.is_synthetic,
            }
            for c in view.contact_points
        ],
        "tax_id": tax_id,
        "identity_documents": documents,
    }
    relationships = []
    for r in view.relationships:
        outgoing = r.from_party_id == p.id
        other = r.to_party if outgoing else r.from_party
        relationships.append(
            {
                "type": r.type,
                "direction": "outgoing" if outgoing else "incoming",
                "other": {"id": other.id, "legal_name": other.legal_name},
                "ownership_percent": None if r.ownership_bp is None else r.ownership_bp / 100,
                "effective_from": r.effective_from,
                "effective_to": r.effective_to,
            }
        )
    household = None
    if view.household is not None:
        h = view.household["household"]
        household = {
            "id": h.id,
            "name": h.name,
            "members": [
                {"party": {"id": m.party.id, "legal_name": m.party.legal_name}, "role": m.role}
                for m in view.household["members"]
            ],
        }
    return {
        "as_of": view.as_of,
        "party": detail,
        "relationships": relationships,
        "household": household,
        "accounts": [
            {
                "id": a.account.id,
                "number": number(a.account.number),
                "product": a.account.product.name,
                "currency": a.account.currency,
                "status": a.account.status,
                "role": a.role,
                "opened_on": a.account.opened_on,
                "statement_frequency": a.account.statement_frequency,
                "branch": branch_read(a.account.branch),
                "balance": money(a.balance_minor, a.account.currency),
                "balance_date": a.balance_date,
            }
            for a in view.accounts
        ],
        "loans": [
            {
                "id": x.id,
                "account_number": number(x.account.number),
                "granted_on": x.granted_on,
                "amount": money(x.amount_minor, x.currency),
                "duration_months": x.duration_months,
                "monthly_payment": money(x.payment_minor, x.currency),
                "status": x.status,
                "status_label": str(x.get_status_display()),
            }
            for x in view.loans
        ],
        "cards": [
            {
                "id": c.id,
                "account_number": number(c.account.number),
                "holder": {"id": c.holder.id, "legal_name": c.holder.legal_name},
                "type": c.type,
                "issued_on": c.issued_on,
            }
            for c in view.cards
        ],
        "standing_orders": [
            {
                "id": o.id,
                "account_number": number(o.account.number),
                "counterparty_bank": o.counterparty_bank,
                "counterparty_account": o.counterparty_account,
                "amount": money(o.amount_minor, o.currency),
                "purpose": o.purpose,
            }
            for o in view.standing_orders
        ],
        "transactions": [transaction_read(t) for t in view.transactions],
        "interactions": [interaction_read(i) for i in view.interactions],
    }
