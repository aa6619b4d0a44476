"""Writes to parties."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from bankcrm.audit import services as audit
from bankcrm.authz.permissions import Role
from bankcrm.core import clock
from bankcrm.core.errors import FieldProblem, ValidationFailed
from bankcrm.identity.models import User
from bankcrm.parties.models import Party, PartyShare


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
