"""Field-level masking: full account numbers, tax ids and ID document numbers are shown only to
actors holding the matching permission; everyone else sees the last four characters. A date of
birth is shown in full with ``parties:date_of_birth``, else as its year only (``"1970-••-••"``).

Every path that shows these values to a person (API, console pages, CSV exports) goes through the
functions here, so the rules hold in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from bankcrm.authz.permissions import Perm
from bankcrm.core.lookup import as_uuid
from bankcrm.identity.models import User

MASK = "•"


def mask(value: str, *, keep: int = 4) -> str:
    """``"055000005763"`` -> ``"••••••••5763"`` (the last ``keep`` characters stay)."""
    if len(value) <= keep:
        return MASK * len(value)
    return MASK * (len(value) - keep) + value[-keep:]


def account_number(actor: User, number: str) -> str:
    """The account number as ``actor`` may see it (``accounts:full_number``)."""
    return number if actor.has_perm_code(Perm.ACCOUNT_NUMBER_READ) else mask(number)


def mask_date_of_birth(born: dt.date) -> str:
    """``date(1970, 12, 13)`` -> ``"1970-••-••"``: the year stays (enough for an age band)."""
    return f"{born.year:04d}-{MASK * 2}-{MASK * 2}"


def date_of_birth(actor: User, party: Any) -> str | None:
    """The party's date of birth as ``actor`` may see it: ``"YYYY-MM-DD"`` with
    ``parties:date_of_birth`` (the read is audited as ``pii.read``, field
    ``party.date_of_birth``), else ``"YYYY-••-••"``; None when none is held."""
    from bankcrm.parties import birth

    born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
    if born is None:
        return None
    if not actor.has_perm_code(Perm.DATE_OF_BIRTH_READ):
        return mask_date_of_birth(born)
    from bankcrm.audit import services as audit

    audit.record_standalone(
        actor=actor, action="pii.read", subject_type="party", subject_id=str(party.pk), payload={"field": birth.FIELD}
    )
    return born.isoformat()


def dates_of_birth(actor: User, parties: Iterable[Any], *, audit_read: bool = True) -> dict[Any, str | None]:
    """Party pk -> date of birth as ``actor`` may see it (see :func:`date_of_birth`), for a list of
    parties (a page of search results). Full values are audited as one ``pii.read`` event for the
    whole list (field and party ids, never the values) rather than one per party; a caller that
    audits the read itself (an export) passes ``audit_read=False``."""
    from bankcrm.parties import birth

    full = actor.has_perm_code(Perm.DATE_OF_BIRTH_READ)
    shown: dict[Any, str | None] = {}
    revealed: list[str] = []
    for party in parties:
        born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
        if born is None:
            shown[party.pk] = None
        elif full:
            shown[party.pk] = born.isoformat()
            revealed.append(str(party.pk))
        else:
            shown[party.pk] = mask_date_of_birth(born)
    if revealed and audit_read:
        from bankcrm.audit import services as audit

        audit.record_standalone(
            actor=actor,
            action="pii.read",
            subject_type="party",
            subject_id=revealed[0] if len(revealed) == 1 else "",
            payload={"field": birth.FIELD, "parties": revealed},
        )
    return shown


def party_tax_id(actor: User, party: Any, *, audit_read: bool = True) -> str | None:
    """The party's tax id as ``actor`` may see it (``parties:tax_id``: in full, else the last
    four); None when none is held. ``audit_read=False``: the caller audits the read (an export)."""
    from bankcrm.privacy import crypto

    if not party.tax_id_encrypted:
        return None
    plain = crypto.decrypt(party.tax_id_encrypted, field="party.tax_id")
    if not audit_read:
        return plain if actor.has_perm_code(Perm.TAX_ID_READ) else mask(plain)
    return sensitive_identifier(actor, Perm.TAX_ID_READ, plain, subject=str(party.pk), field="party.tax_id")


def sensitive_identifier(actor: User, perm: Perm, plaintext: str, *, subject: str, field: str) -> str:
    """A decrypted identifier as ``actor`` may see it: in full with ``perm`` (the read of unmasked
    PII is audited as ``pii.read`` with the field name, never the value), else its last four
    characters.

    Args:
        subject: id of the party the value belongs to; field: e.g. ``"party.tax_id"``.
    """
    if not actor.has_perm_code(perm):
        return mask(plaintext)
    from bankcrm.audit import services as audit

    audit.record_standalone(
        actor=actor, action="pii.read", subject_type="party", subject_id=subject, payload={"field": field}
    )
    return plaintext


def party_identifiers(actor: User, party: Any, documents: Any) -> tuple[dict[str, str] | None, list[dict[str, Any]]]:
    """The party's tax id and identity documents as ``actor`` may see them (see
    :func:`sensitive_identifier`): ``({"type", "value"} | None, [{"type", "number", ...}])``."""
    from bankcrm.privacy import crypto

    tax_id = None
    if party.tax_id_encrypted:
        plain = crypto.decrypt(party.tax_id_encrypted, field="party.tax_id")
        value = sensitive_identifier(actor, Perm.TAX_ID_READ, plain, subject=str(party.pk), field="party.tax_id")
        tax_id = {"type": party.tax_id_type, "value": value}
    shown = [
        {
            "id": str(d.pk),
            "type": d.type,
            "type_label": str(d.get_type_display()),
            "number": sensitive_identifier(
                actor,
                Perm.ID_DOCUMENT_READ,
                crypto.decrypt(d.number_encrypted, field="identity_document.number"),
                subject=str(party.pk),
                field="identity_document.number",
            ),
            "issuing_country": d.issuing_country,
            "issuing_region": d.issuing_region,
            "expires_on": d.expires_on,
        }
        for d in documents
    ]
    return tax_id, shown


MIN_REASON = 10


def reveal_identifier(*, actor: User, party: Any, field: str, reason: str) -> str:
    """The unmasked value of one identifier of ``party`` for an actor holding ``pii:reveal``, with
    a stated reason; audited as ``pii.reveal`` (field and reason, never the value). The caller
    must have checked step-up re-authentication (``identity.stepup``).

    Args:
        field: ``"tax_id"``, ``"date_of_birth"`` (answered ``"YYYY-MM-DD"``), ``"id_document:<uuid>"``
            or ``"account:<uuid>"`` (an account the party holds). The reason is stored with PII
            patterns (tax ids, account numbers, e-mails, phones) scrubbed out.

    Raises:
        PermissionDenied: the actor lacks ``pii:reveal``.
        ValidationFailed: the reason is shorter than 10 characters, or the field is unknown.
    """
    from django.core.exceptions import PermissionDenied

    from bankcrm.audit import services as audit
    from bankcrm.core.errors import FieldProblem, ValidationFailed
    from bankcrm.core.logging import scrub
    from bankcrm.parties import birth
    from bankcrm.privacy import crypto

    if not actor.has_perm_code(Perm.PII_REVEAL):
        raise PermissionDenied("pii:reveal required")
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed([FieldProblem("reason", f"state why, in at least {MIN_REASON} characters")])
    kind, _, ref = field.partition(":")
    ref_id = as_uuid(ref)
    value: str | None = None
    if kind == "tax_id" and party.tax_id_encrypted:
        value = crypto.decrypt(party.tax_id_encrypted, field="party.tax_id")
    elif kind == "date_of_birth" and party.date_of_birth_encrypted:
        born = birth.decrypt_date_of_birth(party.date_of_birth_encrypted)
        value = born.isoformat() if born else None
    elif kind == "id_document" and ref_id is not None:
        doc = party.identity_documents.filter(pk=ref_id).first()
        value = crypto.decrypt(doc.number_encrypted, field="identity_document.number") if doc else None
    elif kind == "account" and ref_id is not None:
        role = party.account_roles.select_related("account").filter(account_id=ref_id).first()
        value = role.account.number if role else None
    if value is None:
        raise ValidationFailed([FieldProblem("field", "is not an identifier of this party")])
    audit.record_standalone(
        actor=actor,
        action="pii.reveal",
        subject_type="party",
        subject_id=str(party.pk),
        # A reason is free text: someone may paste the very number they reveal into it.
        payload={"field": kind, "reason": scrub(reason[:500])},
    )
    return value
