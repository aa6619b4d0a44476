"""Deletion requests: erase what may go, keep what must stay, and say why for each kept item.

Retention rules applied (REGULATORY_FACTS.md; not legal advice):

- CIP identifying information (name, date of birth, address, identification number) is kept for
  five years after the last account is closed (31 CFR 1020.220(a)(3)(ii)).
- Transactions and account records are BSA records, kept five years (31 CFR 1010.430).
- Consent and opt-out history is proof of the customer's choices (Reg P, TCPA do-not-call
  records 5 years): kept.
- A party under legal hold is not changed at all.
- Everything else (e-mail, phone, marketing preferences, portal logins) is erased now. When no
  retention applies, the identifying fields are erased too and encrypted identifiers are
  crypto-shredded (ciphertext and blind index removed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import require
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.holdings.models import Account
from bankcrm.identity.models import CustomerLink, User
from bankcrm.parties.models import ContactPoint, Party
from bankcrm.parties.text import fold
from bankcrm.privacy.models import ContactPreference, DataRequest, LegalHold

CIP_YEARS = 5
CIP_BASIS = "31 CFR 1020.220(a)(3)(ii): CIP records kept 5 years after the account is closed"
BSA_BASIS = "31 CFR 1010.430: BSA records (transactions, accounts) kept 5 years"
CONSENT_BASIS = "Proof of consent and opt-out choices (Reg P 12 CFR 1016; TCPA do-not-call records)"
OPEN_CASE_BASIS = "An open complaint, dispute or investigation: identity kept until the case is closed"
CASE_BASIS = "Case records (complaints: Reg E 12 CFR 1005.13 / Reg Z 1026.25 record retention; AML: 31 CFR 1020.320(d))"


def has_open_cases(party: Party) -> bool:
    """Whether the party has a case that is not closed (it keeps the identity data the case needs)."""
    from bankcrm.cases.models import Case

    return Case.objects.filter(party=party).exclude(status="closed").exists()


def _cip_retention_ends(party: Party) -> dt.date | None:
    """None when CIP records must be kept indefinitely for now (an account is still open), else
    the date the 5-year period after the last closure ends (in the past when it has)."""
    accounts = Account.objects.filter(roles__party=party).distinct()
    if not accounts.exists():
        return dt.date.min
    if accounts.filter(Q(closed_on__isnull=True) | ~Q(status=Account.Status.CLOSED)).exists():
        return None
    last = max(a.closed_on for a in accounts if a.closed_on)
    try:
        return last.replace(year=last.year + CIP_YEARS)
    except ValueError:  # closed on 29 February: keep until 1 March, the later reading
        return dt.date(last.year + CIP_YEARS, 3, 1)


def cip_retention_ends(party: Party) -> dt.date | None:
    """The CIP retention rule above, for other retention jobs (the scheduled purge).

    Returns:
        None while an account is still open; ``datetime.date.min`` when the party never held an
        account (no CIP period applies); else the day the 5-year period after the last closure
        ends (31 CFR 1020.220(a)(3)(ii)).
    """
    return _cip_retention_ends(party)


@transaction.atomic
def erase_party(*, actor: User, party: Party, reason: str) -> DataRequest:
    """Fulfil a deletion request for ``party`` under the rules in the module docstring.

    Returns:
        The completed :class:`DataRequest`; ``outcome`` lists ``erased`` items and ``kept`` items
        with their legal basis.

    Raises:
        PermissionDenied: the actor lacks ``pii:reveal`` (privacy officers handle requests).
        ValidationFailed: a legal hold is active (field ``party``) or no reason is given.
    """
    require(actor, Perm.PII_REVEAL)
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "state the request being fulfilled")])
    request = apply_erasure(actor=actor, party=party, reason=reason)
    audit.record(
        actor=actor,
        action="privacy.dsar.delete",
        subject_type="party",
        subject_id=str(party.pk),
        payload={
            "request": str(request.pk),
            "erased": request.outcome["erased"],
            "kept": sorted(request.outcome["kept"]),
        },
    )
    return request


@transaction.atomic
def apply_erasure(*, actor: User | None, party: Party, reason: str) -> DataRequest:
    """The erasure of :func:`erase_party` without its permission check and audit event, for
    callers that check and audit themselves (the scheduled retention purge writes one event per
    batch). ``actor`` None is the system.

    Raises:
        ValidationFailed: a legal hold is active (field ``party``).
    """
    if LegalHold.objects.filter(party=party, released_at__isnull=True).exists():
        raise ValidationFailed([FieldProblem("party", "is under legal hold: nothing may be erased")])
    today = clock.today()
    ends = _cip_retention_ends(party)
    keep_cip = ends is None or ends > today
    open_cases = has_open_cases(party)
    erased: list[str] = []
    kept: dict[str, str] = {}

    # Not needed for any retention rule: erased now.
    removed = ContactPoint.objects.filter(party=party, kind__in=[ContactPoint.Kind.EMAIL, ContactPoint.Kind.PHONE])
    if removed.delete()[0]:
        erased.append("contact_points.email_phone")
    if ContactPreference.objects.filter(party=party).delete()[0]:
        erased.append("contact_preferences")
    links = CustomerLink.objects.filter(party=party)
    users = [link.user for link in links]
    if links.delete()[0]:
        erased.append("online_access")
        for user in users:
            if not CustomerLink.objects.filter(user=user).exists():
                user.is_active = False
                user.set_unusable_password()
                user.save(update_fields=["is_active", "password"])
    party.vulnerability_flags = []
    erased.append("vulnerability_flags")

    if keep_cip or open_cases:
        if keep_cip:
            basis = CIP_BASIS + (f" (until {ends.isoformat()})" if ends else " (an account is still open)")
        else:
            basis = OPEN_CASE_BASIS
        for item in ("legal_name", "date_of_birth", "address", "identity_documents", "tax_id"):
            kept[item] = basis
    else:
        anonymous = f"Erased party {str(party.pk)[:8]}"
        party.legal_name, party.given_name, party.family_name = anonymous, "", ""
        party.search_name = fold(anonymous)
        party.other_names = []
        party.date_of_birth_encrypted = None  # crypto-shredded like the tax id
        party.sex = ""
        party.tax_id_encrypted, party.tax_id_index = None, ""  # crypto-shredded: no ciphertext left
        party.source_pii_encrypted = None
        party.contact_points.all().delete()
        party.identity_documents.all().delete()
        erased += ["legal_name", "date_of_birth", "address", "identity_documents", "tax_id", "source_identifier"]
    if Account.objects.filter(roles__party=party).exists():
        kept["accounts_and_transactions"] = BSA_BASIS
    if party.consents.exists():
        kept["consent_history"] = CONSENT_BASIS
    if party.cases.exists():
        kept["cases"] = OPEN_CASE_BASIS if open_cases else CASE_BASIS
    party.updated_at = clock.now()
    party.version += 1
    party.save()
    outcome: dict[str, Any] = {"erased": erased, "kept": kept, "reason": reason.strip()[:500]}
    request = DataRequest.objects.create(
        party=party,
        kind=DataRequest.Kind.DELETION,
        status=DataRequest.Status.COMPLETED,
        completed_at=clock.now(),
        handled_by=actor,
        outcome=outcome,
    )
    return request


@transaction.atomic
def place_legal_hold(*, actor: User, party: Party, reason: str) -> LegalHold:
    """Put ``party`` under legal hold (audited).

    Raises:
        ValidationFailed: no reason given.
    """
    require(actor, Perm.PII_REVEAL)
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "state the matter the hold is for")])
    # The party row lock orders this with a running retention purge: it sees the hold or is done.
    list(Party.objects.select_for_update().filter(pk=party.pk).values_list("pk", flat=True))
    hold = LegalHold.objects.create(party=party, reason=reason.strip()[:500], placed_by=actor)
    audit.record(actor=actor, action="privacy.legal_hold.place", subject_type="party", subject_id=str(party.pk))
    return hold


@transaction.atomic
def place_case_hold(*, actor: User, case: Any, reason: str) -> LegalHold:
    """Put one case (and so its party's data) under legal hold (audited).

    Raises:
        ValidationFailed: no reason, or the case has no party to hold.
    """
    require(actor, Perm.PII_REVEAL)
    if not reason.strip():
        raise ValidationFailed([FieldProblem("reason", "state the matter the hold is for")])
    if case.party_id is None:
        raise ValidationFailed([FieldProblem("case", "has no party: identify the customer first")])
    list(Party.objects.select_for_update().filter(pk=case.party_id).values_list("pk", flat=True))
    hold = LegalHold.objects.create(party_id=case.party_id, case=case, reason=reason.strip()[:500], placed_by=actor)
    audit.record(
        actor=actor,
        action="privacy.legal_hold.place",
        subject_type="case",
        subject_id=str(case.pk),
        payload={"party": str(case.party_id)},
    )
    return hold


@transaction.atomic
def release_legal_hold(*, actor: User, hold: LegalHold) -> LegalHold:
    """Release a legal hold (audited; releasing twice keeps the first time)."""
    require(actor, Perm.PII_REVEAL)
    if hold.released_at is None:
        hold.released_at = clock.now()
        hold.save(update_fields=["released_at"])
        audit.record(
            actor=actor, action="privacy.legal_hold.release", subject_type="party", subject_id=str(hold.party_id)
        )
    return hold
