"""Writes to parties."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Role
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.parties import birth
from bankcrm.parties.models import ContactPoint, Party, PartyShare
from bankcrm.parties.text import fold


@transaction.atomic
def assign_relationship_manager(*, actor: User | None, manager: User, parties: QuerySet[Party]) -> int:
    """Put ``parties`` in ``manager``'s book (one audit event with the count and the first ids).

    Raises:
        ValidationFailed: ``manager`` is not a relationship manager (field ``manager``).
    """
    if Role.RELATIONSHIP_MANAGER.value not in manager.roles:
        raise ValidationFailed([FieldProblem("manager", f"{manager.username} is not a relationship manager")])
    ids = list(parties.values_list("pk", flat=True))
    changed = Party.objects.filter(pk__in=ids).update(relationship_manager=manager, updated_at=clock.now())
    audit.record(
        actor=actor,
        action="party.relationship_manager.assign",
        subject_type="user",
        subject_id=str(manager.pk),
        payload={"parties": changed, "first": [str(i) for i in ids[:10]]},
    )
    return changed


@transaction.atomic
def share_party(*, actor: User | None, party: Party, user: User, expires_at: dt.datetime | None = None) -> PartyShare:
    """Share ``party`` into ``user``'s view (e.g. cover for a colleague), optionally until a time.

    Raises:
        ValidationFailed: ``expires_at`` is naive or already past.
    """
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= clock.now()):
        raise ValidationFailed([FieldProblem("expires_at", "must be a future, timezone-aware instant")])
    share, _ = PartyShare.objects.update_or_create(
        party=party, user=user, defaults={"granted_by": actor, "expires_at": expires_at}
    )
    audit.record(
        actor=actor,
        action="party.share",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"user": str(user.pk), "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return share


#: Fields a correction request may change (see :mod:`bankcrm.privacy.corrections`): columns of
#: the party, its date of birth (stored encrypted), and its primary e-mail, phone and address.
CORRECTABLE_PARTY_FIELDS = ("legal_name", "given_name", "family_name", "nationality", "residence_country", "language")
EARLIEST_BIRTH_YEAR = 1900
CORRECTABLE_CONTACT_FIELDS = (
    "email",
    "phone",
    "address.line1",
    "address.line2",
    "address.city",
    "address.region",
    "address.postal_code",
    "address.country",
)
CORRECTABLE_FIELDS = (*CORRECTABLE_PARTY_FIELDS, "date_of_birth", *CORRECTABLE_CONTACT_FIELDS)
_MAX_LENGTH = {
    "legal_name": 200,
    "given_name": 100,
    "family_name": 100,
    "address.line1": 200,
    "address.line2": 200,
    "address.city": 100,
    "address.region": 100,
    "address.postal_code": 16,
}
_COUNTRY_FIELDS = {"nationality", "residence_country", "address.country"}
_PHONE = re.compile(r"^\+?[0-9 ()./-]{7,24}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$")


def clean_correction(field: str, value: str) -> str:
    """The normalized value a correction of ``field`` would store (countries upper case, e-mail
    domain lower case, a date of birth as ISO ``YYYY-MM-DD`` between 1900 and today, surrounding
    spaces trimmed).

    Raises:
        ValidationFailed: ``field`` is not correctable (field ``field``) or ``value`` is not valid
            for it (field ``proposed_value``).
    """
    if field not in CORRECTABLE_FIELDS:
        raise ValidationFailed([FieldProblem("field", f"must be one of {', '.join(CORRECTABLE_FIELDS)}")])
    value = value.strip()
    problem = ""
    if not value:
        problem = "give the correct value"
    elif field in _MAX_LENGTH and len(value) > _MAX_LENGTH[field]:
        problem = f"at most {_MAX_LENGTH[field]} characters"
    elif field in _COUNTRY_FIELDS:
        value = value.upper()
        if len(value) != 2 or not value.isascii() or not value.isalpha():
            problem = "a two-letter ISO 3166 country code"
    elif field == "language":
        value = value.lower()
        if not _LANGUAGE.match(value):
            problem = "a language code such as en, es or zh-hans"
    elif field == "email":
        local, _sep, domain = value.rpartition("@")
        value = f"{local}@{domain.lower()}"
        try:
            validate_email(value)
        except DjangoValidationError:
            problem = "a valid e-mail address"
    elif field == "phone" and not _PHONE.match(value):
        problem = "a phone number: digits, spaces and + ( ) . - only"
    elif field == "date_of_birth":
        try:
            born = dt.date.fromisoformat(value)
        except ValueError:
            problem = "a date as YYYY-MM-DD"
        else:
            if born.year < EARLIEST_BIRTH_YEAR or born > clock.today():
                problem = f"a date between {EARLIEST_BIRTH_YEAR}-01-01 and today"
            value = born.isoformat()
    if problem:
        raise ValidationFailed([FieldProblem("proposed_value", f"{field}: {problem}")])
    return value


@transaction.atomic
def correct_party(*, actor: User | None, party: Party, field: str, value: str, request_id: str = "") -> list[str]:
    """Apply an approved correction of one field (see :data:`CORRECTABLE_FIELDS`) and return the
    names of the columns changed. The audit event (``party.correct``) names the field and the
    columns, never the old or new value. A date of birth is stored only encrypted
    (:mod:`bankcrm.parties.birth`). A corrected e-mail, phone or address is no longer verified.
    E-mail and phone are created when the party has none; an address part needs an address.

    Raises:
        ValidationFailed: as :func:`clean_correction`; an address part for a party without an
            address (field ``field``). Nothing is written.
    """
    value = clean_correction(field, value)
    changed: list[str] = []
    if field == "date_of_birth":
        party.date_of_birth_encrypted = birth.encrypt_date_of_birth(dt.date.fromisoformat(value))
        changed.append("date_of_birth_encrypted")
        party.updated_at = clock.now()
        party.version += 1
        party.save(update_fields=[*changed, "updated_at", "version"])
    elif field in CORRECTABLE_PARTY_FIELDS:
        setattr(party, field, value)
        changed.append(field)
        if field == "legal_name":
            party.search_name = fold(value)
            changed.append("search_name")
        party.updated_at = clock.now()
        party.version += 1
        party.save(update_fields=[*changed, "updated_at", "version"])
    else:
        kind = ContactPoint.Kind.ADDRESS if field.startswith("address.") else ContactPoint.Kind(field)
        point = party.contact_points.filter(kind=kind).order_by("-is_primary", "created_at").first()
        if point is None and kind == ContactPoint.Kind.ADDRESS:
            raise ValidationFailed([FieldProblem("field", "the party has no address to correct")])
        if point is None:
            point = ContactPoint(party=party, kind=kind, is_primary=True)
        column = field.removeprefix("address.") if kind == ContactPoint.Kind.ADDRESS else "value"
        setattr(point, column, value)
        point.verified_at = None
        point.updated_at = clock.now()
        point.save()
        changed += [f"contact_point.{column}", "contact_point.verified_at"]
    audit.record(
        actor=actor,
        action="party.correct",
        subject_type="party",
        subject_id=str(party.pk),
        payload={"field": field, "changed": changed, "request": request_id},
    )
    return changed
