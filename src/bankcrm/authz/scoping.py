"""Record-level scoping: the one function every read path (API, console, search, exports, jobs)
uses to turn "all rows" into "rows this actor may see" (DESIGN convention 3).

Rules, in order:

1. The actor must be active and hold the permission for the area (else ``PermissionDenied``).
2. AML-confidential models (``aml_confidential = True``: alerts, SARs) are empty for anyone
   without ``aml:read``, and AML-confidential rows of mixed models (``aml_confidential_q``: AML
   investigation cases) are left out: not listed, not counted, not searchable, 404 on direct access
   (31 USC 5318(g)(2)).
3. Customers see only records of the parties their portal login is linked to.
4. A user whose only roles granting the permission are book roles (relationship manager) sees the
   parties they manage plus those shared with them (unexpired), and records of those parties.
5. Other staff with the permission see every record.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet

from bankcrm.authz.permissions import BOOK_ROLES, ROLE_PERMISSIONS, Perm, Role
from bankcrm.core import clock
from bankcrm.identity.models import User

M = TypeVar("M", bound=Model)

#: How each party-owned model reaches its party ("pk" for Party itself).
PARTY_PATHS: dict[str, str] = {
    "parties.Party": "pk",
    "parties.ContactPoint": "party",
    "parties.IdentityDocument": "party",
    "holdings.Account": "roles__party",
    "holdings.Transaction": "account__roles__party",
    "holdings.Loan": "account__roles__party",
    "holdings.Card": "account__roles__party",
    "holdings.StandingOrder": "account__roles__party",
    "interactions.Interaction": "party",
    "monitoring.Alert": "party",
    "cases.Case": "party",
    "screening.ScreeningHit": "party",
    "screening.SanctionsBlock": "party",
}


def require(actor: User, perm: Perm) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` is active and holds ``perm``."""
    if not actor.is_authenticated or not actor.has_perm_code(perm):
        raise PermissionDenied(f"{perm} required")


def _book_limited(actor: User, perm: Perm) -> bool:
    if actor.is_superuser:
        return False
    granting = [Role(r) for r in actor.roles if perm in ROLE_PERMISSIONS[Role(r)]]
    return bool(granting) and all(r in BOOK_ROLES for r in granting)


def visible_party_ids(actor: User) -> QuerySet[Model] | None:
    """Primary keys of the parties in ``actor``'s view as a sub-query, or None for "all parties"."""
    from bankcrm.identity.models import CustomerLink
    from bankcrm.parties.models import Party

    if actor.kind == User.Kind.CUSTOMER:
        return CustomerLink.objects.filter(user=actor).values("party_id")  # type: ignore[return-value]
    if _book_limited(actor, Perm.PARTIES_READ):
        now = clock.now()
        shared = Q(shares__user=actor) & (Q(shares__expires_at__isnull=True) | Q(shares__expires_at__gt=now))
        return Party.objects.filter(Q(relationship_manager=actor) | shared).values("pk")  # type: ignore[return-value]
    return None


def restrict(actor: User, queryset: QuerySet[M], perm: Perm) -> QuerySet[M]:
    """``queryset`` narrowed to what ``actor`` may see for ``perm`` (rules in the module docstring).

    Raises:
        PermissionDenied: the actor lacks ``perm`` altogether.
    """
    require(actor, perm)
    model = queryset.model
    if not actor.has_perm_code(Perm.AML_READ):
        if getattr(model, "aml_confidential", False):
            return queryset.none()
        # Models holding both kinds of rows (cases) name their AML-confidential rows with a Q.
        confidential = getattr(model, "aml_confidential_q", None)
        if confidential is not None:
            queryset = queryset.exclude(confidential)
    path = PARTY_PATHS.get(model._meta.label)
    if actor.kind == User.Kind.CUSTOMER and path is None:
        return queryset.none()
    parties = visible_party_ids(actor)
    if parties is None or path is None:
        return queryset
    if path == "pk":
        return queryset.filter(pk__in=parties)
    inner = model._default_manager.filter(**{f"{path}__in": parties}).values("pk")
    return queryset.filter(pk__in=inner)
