"""Data-subject access: everything the bank holds about a party, as JSON and as a readable
HTML report. Identifiers are decrypted: the report goes to the data subject. Records the bank must
not disclose are withheld with their legal basis (AML alerts and SARs: 31 USC 5318(g)(2))."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.core import clock
from bankcrm.holdings.models import Account, Card, Loan, StandingOrder, Transaction
from bankcrm.identity.models import CustomerLink, User
from bankcrm.interactions.models import Interaction
from bankcrm.parties import birth
from bankcrm.parties.models import HouseholdMember, Party, PartyRelationship
from bankcrm.privacy import crypto
from bankcrm.privacy.models import Consent, ContactPreference, DataRequest, PrivacyNoticeDelivery

_SKIP = {
    "tax_id_encrypted",
    "tax_id_index",
    "date_of_birth_encrypted",
    "source_pii_encrypted",
    "number_encrypted",
    "number_index",
}
WITHHELD = [
    {
        "category": "AML monitoring alerts and suspicious activity reports",
        "legal_basis": "31 USC 5318(g)(2): a bank may not disclose a SAR or information that would reveal one",
    }
]


def _plain(obj: Any) -> dict[str, Any]:
    """Every stored field of ``obj`` (timestamps included) except ciphertexts and blind indexes."""
    data = {f.attname: f.value_from_object(obj) for f in obj._meta.concrete_fields if f.attname not in _SKIP}
    return {
        k: (str(v) if not isinstance(v, int | float | bool | str | list | dict | type(None)) else v)
        for k, v in data.items()
    }


def access_report(*, actor: User, party: Party) -> dict[str, Any]:
    """Build the complete access report for ``party`` and record the request as completed
    (``privacy.dsar.access`` audit event with the section counts, never the contents).

    Raises:
        PermissionDenied: the actor lacks ``pii:reveal`` (privacy officers fulfil requests).
    """
    require(actor, Perm.PII_REVEAL)
    accounts = Account.objects.filter(roles__party=party).distinct()
    account_ids = list(accounts.values_list("pk", flat=True))
    profile = _plain(party)
    born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
    profile["date_of_birth"] = born.isoformat() if born else None
    if party.tax_id_encrypted:
        profile["tax_id"] = crypto.decrypt(party.tax_id_encrypted, field="party.tax_id")
    if party.source_pii_encrypted:
        profile["source_identifier"] = crypto.decrypt(party.source_pii_encrypted, field="party.source_pii")
    documents = []
    for d in party.identity_documents.all():
        row = _plain(d)
        row["number"] = crypto.decrypt(d.number_encrypted, field="identity_document.number")
        documents.append(row)
    report: dict[str, Any] = {
        "generated_at": clock.now().isoformat(),
        "party": profile,
        "contact_points": [_plain(c) for c in party.contact_points.all()],
        "identity_documents": documents,
        "relationships": [
            _plain(r)
            for r in PartyRelationship.objects.filter(from_party=party)
            | PartyRelationship.objects.filter(to_party=party)
        ],
        "households": [_plain(m.household) | {"role": m.role} for m in HouseholdMember.objects.filter(party=party)],
        "accounts": [_plain(a) for a in accounts],
        "account_roles": [_plain(r) for r in party.account_roles.all()],
        "loans": [_plain(x) for x in Loan.objects.filter(account_id__in=account_ids)],
        "cards": [_plain(x) for x in Card.objects.filter(account_id__in=account_ids)],
        "standing_orders": [_plain(x) for x in StandingOrder.objects.filter(account_id__in=account_ids)],
        "transactions": [
            _plain(t) for t in Transaction.objects.filter(account_id__in=account_ids).order_by("booking_date", "id")
        ],
        "interactions": [_plain(i) for i in Interaction.objects.filter(party=party).order_by("occurred_at")],
        "consents": [_plain(c) for c in Consent.objects.filter(party=party).order_by("recorded_at", "id")],
        "contact_preferences": [_plain(p) for p in ContactPreference.objects.filter(party=party)],
        "privacy_notices": [_plain(n) for n in PrivacyNoticeDelivery.objects.filter(party=party)],
        "online_access": [
            {"username": link.user.username, "verified_at": str(link.verified_at)}
            for link in CustomerLink.objects.filter(party=party)
        ],
        "withheld": WITHHELD,
    }
    counts = {k: len(v) for k, v in report.items() if isinstance(v, list)}
    with transaction.atomic():
        request = DataRequest.objects.create(
            party=party,
            kind=DataRequest.Kind.ACCESS,
            status=DataRequest.Status.COMPLETED,
            completed_at=clock.now(),
            handled_by=actor,
            outcome={"sections": counts},
        )
        audit.record(
            actor=actor,
            action="privacy.dsar.access",
            subject_type="party",
            subject_id=str(party.pk),
            payload={"request": str(request.pk), "sections": counts},
        )
    return report


def render_html(report: dict[str, Any]) -> str:
    """The access report as a self-contained HTML page (no external assets)."""
    from django.template.loader import render_to_string

    sections = [("party", [report["party"]])] + [
        (name.replace("_", " "), rows) for name, rows in report.items() if isinstance(rows, list)
    ]
    return render_to_string("privacy/access_report.html", {"report": report, "sections": sections})
