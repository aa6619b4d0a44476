"""Record-level scoping: the one function every read path (API, console, search, exports, jobs)
uses to turn "all rows" into "rows this actor may see" (DESIGN convention 3).

Today's rules: the actor must hold the permission for the area; staff see the bank's records;
customers see only parties linked to their login (portal enrolment comes with the identity work,
so for now a customer sees none). Relationship-manager books and AML confidentiality extend this
function, not its callers.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from bankcrm.authz.permissions import Perm
from bankcrm.identity.models import User

M = TypeVar("M", bound=Model)


def require(actor: User, perm: Perm) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is active and holds ``perm``."""
    if not actor.is_authenticated or not actor.has_perm_code(perm):
        raise PermissionDenied(f"{perm} required")


def restrict(actor: User, queryset: QuerySet[M], perm: Perm) -> QuerySet[M]:
    """``queryset`` narrowed to what ``actor`` may see for ``perm``.

    Raises:
        PermissionDenied: the actor lacks ``perm`` altogether.
    """
    require(actor, perm)
    if actor.kind == User.Kind.CUSTOMER:
        return queryset.none()
    return queryset
