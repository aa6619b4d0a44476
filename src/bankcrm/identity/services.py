"""Writes for users and API tokens. Tokens: random secret shown once, stored as SHA-256 with a
lookup prefix, scoped, expiring, revocable (DESIGN decision 2)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Perm, Role
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, NotFound, ValidationFailed
from bankcrm.identity.models import ApiToken, User

TOKEN_PREFIX = "bcrm"  # noqa: S105 - a public marker, not a secret
_TOUCH_INTERVAL = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """The stored token row and the secret, which is never retrievable again."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(text: str) -> list[str]:
    """``"parties:read,accounts:read"`` -> validated permission names.

    Raises:
        ValidationFailed: a name is not in the permission vocabulary (field ``scopes``).
    """
    names = [s.strip() for s in text.split(",") if s.strip()]
    known = {p.value for p in Perm}
    bad = [n for n in names if n not in known]
    if bad:
        raise ValidationFailed(
            [FieldProblem("scopes", f"unknown permission(s) {', '.join(bad)}; known: {', '.join(sorted(known))}")]
        )
    return names


@transaction.atomic
def create_user(
    *,
    actor: User | None,
    username: str,
    password: str | None,
    roles: list[str],
    kind: str = User.Kind.STAFF,
    display_name: str = "",
    is_superuser: bool = False,
) -> User:
    """Create a staff or customer user with roles (role codes from :class:`Role`).

    Raises:
        ValidationFailed: unknown role, or the username is taken (field named).
    """
    problems = [FieldProblem("roles", f"unknown role {r!r}") for r in roles if r not in {x.value for x in Role}]
    if User.objects.filter(username=username).exists():
        problems.append(FieldProblem("username", f"{username!r} is already taken"))
    if problems:
        raise ValidationFailed(problems)
    user = User(
        username=username,
        kind=kind,
        roles=roles,
        display_name=display_name,
        is_staff=kind == User.Kind.STAFF and is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor,
        action="identity.user.create",
        subject_type="user",
        subject_id=str(user.pk),
        payload={"roles": roles, "kind": kind},
    )
    return user


@transaction.atomic
def create_token(
    *,
    actor: User | None,
    user: User,
    scopes: list[str] | None = None,
    expires_days: int | None = 90,
    name: str = "",
) -> IssuedToken:
    """Issue a token for ``user``. Default scopes: every permission the user holds. A token can
    never carry a scope its user lacks.

    Raises:
        ValidationFailed: a scope the user does not hold, or a non-positive expiry.
    """
    held = {p.value for p in user.permissions()}
    wanted = sorted(held) if scopes is None else scopes
    problems = [FieldProblem("scopes", f"user {user.username} does not hold {s}") for s in wanted if s not in held]
    if expires_days is not None and expires_days <= 0:
        problems.append(FieldProblem("expires", "must be a positive number of days"))
    if problems:
        raise ValidationFailed(problems)
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    now = clock.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        scopes=wanted,
        created_at=now,
        expires_at=now + dt.timedelta(days=expires_days) if expires_days else None,
    )
    audit.record(
        actor=actor,
        action="identity.token.create",
        subject_type="api_token",
        subject_id=prefix,
        payload={"user": str(user.pk), "scopes": wanted, "expires_days": expires_days},
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def revoke_token(*, actor: User | None, prefix: str) -> ApiToken:
    """Revoke the token with this prefix (idempotent: revoking twice keeps the first time).

    Raises:
        NotFound: no token has this prefix.
    """
    token = ApiToken.objects.select_for_update().filter(prefix=prefix).first()
    if token is None:
        raise NotFound(f"no token with prefix {prefix!r}")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="identity.token.revoke", subject_type="api_token", subject_id=prefix)
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The usable token matching ``secret``, or None. Constant-time digest comparison.
    ``last_used_at`` is refreshed at most once a minute (bookkeeping, not audited)."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    if not token.is_usable() or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


#: Identical for every mismatch, so enrolment reveals nothing about which detail was wrong.
ENROLMENT_REFUSED = "We could not verify these details. Check them, or call us."


def enrol_customer(
    *,
    username: str,
    password: str,
    account_number: str,
    date_of_birth: dt.date,
    postal_code: str,
) -> User:
    """Create a customer portal login linked to the party that owns ``account_number``, after
    verifying identity data the bank holds: the owner's date of birth and the postal code of
    their primary address (CIP-style knowledge check; the second factor is enrolled next, at first
    sign-in). Audited as ``identity.customer.enrol``.

    Raises:
        ValidationFailed: the username is taken or the password fails the policy (field named), or
            the details do not match (one generic message, field ``details``: no enumeration).
    """
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from bankcrm.holdings.models import AccountRole
    from bankcrm.identity.models import CustomerLink
    from bankcrm.parties import birth
    from bankcrm.parties.models import ContactPoint

    problems: list[FieldProblem] = []
    username = username.strip()
    if not username or len(username) > 150:
        problems.append(FieldProblem("username", "must be 1 to 150 characters"))
    elif User.objects.filter(username__iexact=username).exists():
        problems.append(FieldProblem("username", "is already taken; choose another"))
    try:
        validate_password(password, user=User(username=username))
    except ValidationError as exc:
        problems.extend(FieldProblem("password", str(m)) for m in exc.messages)
    if problems:
        raise ValidationFailed(problems)
    number = "".join(ch for ch in account_number if ch.isdigit())
    wanted_postcode = "".join(postal_code.split()).upper()
    # Dates of birth are encrypted without a blind index: narrow to the account's owners (one or
    # two rows), then compare decrypted dates.
    owners = AccountRole.objects.select_related("party").filter(account__number=number, role=AccountRole.Role.OWNER)
    wanted_birth = date_of_birth.isoformat()
    role = next(
        (
            r
            for r in owners
            if hmac.compare_digest(
                (birth.decrypt_date_of_birth(r.party.date_of_birth_encrypted) or dt.date.min).isoformat(), wanted_birth
            )
        ),
        None,
    )
    matched = role is not None and any(
        "".join(c.postal_code.split()).upper() == wanted_postcode
        for c in ContactPoint.objects.filter(party=role.party, kind=ContactPoint.Kind.ADDRESS)
    )
    if not matched or role is None:
        with transaction.atomic():  # the refusal is kept; nothing else is written
            audit.record(actor=None, action="identity.customer.enrol_refused", subject_type="enrolment")
        raise ValidationFailed([FieldProblem("details", ENROLMENT_REFUSED)])
    with transaction.atomic():
        user = User(username=username, kind=User.Kind.CUSTOMER, roles=[Role.CUSTOMER.value])
        user.set_password(password)
        user.save()
        CustomerLink.objects.create(user=user, party=role.party, method="account+date_of_birth+postal_code")
        audit.record(
            actor=user,
            action="identity.customer.enrol",
            subject_type="party",
            subject_id=str(role.party.pk),
            payload={"user": str(user.pk), "method": "account+date_of_birth+postal_code"},
        )
    return user
