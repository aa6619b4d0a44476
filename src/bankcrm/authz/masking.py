"""Field-level masking: full account numbers, tax ids and ID document numbers are shown only to
actors holding the matching permission; everyone else sees the last four characters."""

from __future__ import annotations

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
        field: ``"tax_id"``, ``"id_document:<uuid>"`` or ``"account:<uuid>"`` (an account the party holds).

    Raises:
        PermissionDenied: the actor lacks ``pii:reveal``.
        ValidationFailed: the reason is shorter than 10 characters, or the field is unknown.
    """
    from django.core.exceptions import PermissionDenied

    from bankcrm.audit import services as audit
    from bankcrm.core.errors import FieldProblem, ValidationFailed
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
        payload={"field": kind, "reason": reason[:500]},
    )
    return value
