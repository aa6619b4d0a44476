"""Load the small seeded set of synthetic US parties (``bankcrm import synthetic-us``).

20 persons (SSN, every fifth an ITIN) and 5 organizations (EIN) from
:func:`bankcrm.datasets.synthetic.us_parties`, each with address, phone, e-mail, an identity
document, and a USD checking account at a synthetic New York branch; each organization has two
beneficial owners (50% and 25%) and a control person among the persons. Everything is flagged
synthetic (DESIGN decision 9). Tax ids and document numbers are stored only encrypted with a
blind index. Idempotent by source id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Model

from bankcrm.core import clock
from bankcrm.datasets.common import (
    LoadReport,
    Progress,
    count_unchanged,
    create_in_batches,
    existing_source_ids,
    no_progress,
)
from bankcrm.datasets.models import DataLoad
from bankcrm.datasets.synthetic import SyntheticOrganization, SyntheticPerson, us_parties
from bankcrm.holdings.models import Account, AccountRole, Branch, Product
from bankcrm.holdings.numbers import make_account_number
from bankcrm.identity.models import User
from bankcrm.parties.birth import encrypt_date_of_birth
from bankcrm.parties.models import ContactPoint, IdentityDocument, Party, PartyRelationship
from bankcrm.parties.text import fold
from bankcrm.privacy import crypto

SOURCE = "synthetic-us"
BRANCH_NUMBER = 900
#: Ages of the synthetic persons are computed as of the demo's clock date.
AS_OF = dt.date(1998, 12, 31)


def import_us_synthetic(*, actor: User | None, progress: Progress = no_progress) -> LoadReport:
    """Create the synthetic US parties that are not there yet, in one transaction."""
    report = LoadReport(source=SOURCE)
    people = us_parties(as_of=AS_OF)
    ring = crypto.keyring()
    with transaction.atomic():
        branch = Branch.objects.filter(code="US900").first()
        report.unchanged["branches"] = int(branch is not None)
        if branch is None:
            branch = Branch(
                code="US900",
                name="New York (synthetic)",
                region="NY",
                country="US",
                is_synthetic=True,
                source_system=SOURCE,
                source_id="branch:900",
            )
            create_in_batches(
                actor=actor,
                model=Branch,
                objects=[branch],
                entity="branches",
                source=SOURCE,
                source_sha256="",
                report=report,
                progress=progress,
            )
        product = Product.objects.filter(code="US-CHECKING").first()
        report.unchanged["products"] = int(product is not None)
        if product is None:
            product = Product(
                code="US-CHECKING",
                name="Everyday checking (USD)",
                type=Product.Type.CHECKING,
                currency="USD",
                rate_bp=10,
                fee_schedule={"monthly_maintenance_minor": 0},
            )
            create_in_batches(
                actor=actor,
                model=Product,
                objects=[product],
                entity="products",
                source=SOURCE,
                source_sha256="",
                report=report,
                progress=progress,
            )
        have = existing_source_ids(Party, SOURCE)
        parties: list[Party] = []
        contacts: list[ContactPoint] = []
        documents: list[IdentityDocument] = []
        accounts: list[Account] = []
        roles: list[AccountRole] = []
        for i, p in enumerate(people):
            sid = f"{'person' if isinstance(p, SyntheticPerson) else 'organization'}:{i}"
            if sid in have:
                continue
            party = _party(p, sid, branch, ring)
            parties.append(party)
            contacts += _contacts(p, party, sid)
            if isinstance(p, SyntheticPerson):
                documents.append(
                    IdentityDocument(
                        party=party,
                        type=IdentityDocument.Type.DRIVERS_LICENSE,
                        number_encrypted=crypto.encrypt(
                            p.id_document_number, field="identity_document.number", ring=ring
                        ),
                        number_index=crypto.blind_index(
                            p.id_document_number, field="identity_document.number", ring=ring
                        ),
                        issuing_country="US",
                        issuing_region=p.id_document_region or "",
                        is_synthetic=True,
                        source_system=SOURCE,
                        source_id=f"{sid}:document",
                    )
                )
            account = Account(
                number=make_account_number(BRANCH_NUMBER, 90_000_000 + i),
                product=product,
                branch=branch,
                currency="USD",
                opened_on=dt.date(1998, 1, 2),
                balance_minor=0,
                balance_as_of=dt.date(1998, 1, 2),
                is_synthetic=True,
                source_system=SOURCE,
                source_id=f"{sid}:account",
            )
            accounts.append(account)
            roles.append(
                AccountRole(
                    account=account,
                    party=party,
                    role=AccountRole.Role.OWNER,
                    effective_from=account.opened_on,
                    is_synthetic=True,
                    source_system=SOURCE,
                    source_id=f"{sid}:owner",
                )
            )

        def create(model: type[Model], objects: Sequence[Model], entity: str) -> None:
            create_in_batches(
                actor=actor,
                model=model,
                objects=objects,
                entity=entity,
                source=SOURCE,
                source_sha256="",
                report=report,
                progress=progress,
            )
            count_unchanged(report, entity, model._default_manager.filter(source_system=SOURCE))

        create(Party, parties, "parties")
        create(ContactPoint, contacts, "contact_points")
        create(IdentityDocument, documents, "identity_documents")
        create(Account, accounts, "accounts")
        create(AccountRole, roles, "account_roles")
        create(PartyRelationship, _ownership(people), "relationships")
        if report.changed_anything:
            DataLoad.objects.create(
                source=SOURCE,
                label="us_parties:v1",
                counts=report.created,
                actor=actor,
                finished_at=clock.now(),
            )
    return report


def _party(p: SyntheticPerson | SyntheticOrganization, sid: str, branch: Branch, ring: crypto.Keyring) -> Party:
    if isinstance(p, SyntheticPerson):
        name = p.full_name
        tax_id, tax_type = p.tax_id or "", p.tax_id_type or ""
        extra: dict[str, Any] = {
            "given_name": p.given_name,
            "family_name": p.family_name,
            "date_of_birth_encrypted": encrypt_date_of_birth(p.date_of_birth, ring=ring) if p.date_of_birth else None,
            "sex": p.sex,
            "kind": Party.Kind.PERSON,
        }
    else:
        name, tax_id, tax_type = p.legal_name, p.ein, "ein"
        extra = {
            "formation_date": p.formation_date,
            "industry": p.industry,
            "kind": Party.Kind.ORGANIZATION,
            "segment": "small_business",
        }
    return Party(
        legal_name=name,
        search_name=fold(name),
        nationality="US",
        residence_country="US",
        tax_id_type=tax_type,
        tax_id_encrypted=crypto.encrypt(tax_id, field="party.tax_id", ring=ring) if tax_id else None,
        tax_id_index=crypto.blind_index(tax_id, field="party.tax_id", ring=ring) if tax_id else "",
        language="en",
        branch=branch,
        is_synthetic=True,
        synthetic_identity=True,
        source_system=SOURCE,
        source_id=sid,
        **extra,
    )


def _contacts(p: SyntheticPerson | SyntheticOrganization, party: Party, sid: str) -> list[ContactPoint]:
    common = {"party": party, "is_synthetic": True, "source_system": SOURCE, "is_primary": True}
    region = p.region if isinstance(p, SyntheticPerson) else p.state
    purpose = ContactPoint.Purpose.HOME if isinstance(p, SyntheticPerson) else ContactPoint.Purpose.REGISTERED
    return [
        ContactPoint(
            kind=ContactPoint.Kind.ADDRESS,
            purpose=purpose,
            line1=p.street_line,
            city=p.city,
            region=region,
            postal_code=p.postal_code,
            country="US",
            source_id=f"{sid}:address",
            **common,
        ),
        ContactPoint(kind=ContactPoint.Kind.PHONE, value=p.phone, source_id=f"{sid}:phone", **common),
        ContactPoint(kind=ContactPoint.Kind.EMAIL, value=p.email, source_id=f"{sid}:email", **common),
    ]


def _ownership(people: list[SyntheticPerson | SyntheticOrganization]) -> list[PartyRelationship]:
    """Beneficial owners (31 CFR 1010.230: each individual with >= 25%) and a control person."""
    have = existing_source_ids(PartyRelationship, SOURCE)
    by_sid = existing_source_ids(Party, SOURCE)
    persons = [i for i, p in enumerate(people) if isinstance(p, SyntheticPerson)]
    result = []
    for i, p in enumerate(people):
        if not isinstance(p, SyntheticOrganization):
            continue
        org = by_sid.get(f"organization:{i}")
        k = i - len(persons)
        links = [
            (persons[(2 * k) % len(persons)], PartyRelationship.Type.BENEFICIAL_OWNER, 5000),
            (persons[(2 * k + 1) % len(persons)], PartyRelationship.Type.BENEFICIAL_OWNER, 2500),
            (persons[(2 * k) % len(persons)], PartyRelationship.Type.CONTROL_PERSON, None),
        ]
        for person, rel_type, bp in links:
            sid = f"organization:{i}:{rel_type}:{person}"
            if sid in have or org is None:
                continue
            result.append(
                PartyRelationship(
                    from_party_id=by_sid[f"person:{person}"],
                    to_party_id=org,
                    type=rel_type,
                    ownership_bp=bp,
                    effective_from=p.formation_date,
                    is_synthetic=True,
                    source_system=SOURCE,
                    source_id=sid,
                )
            )
    return result
