"""Reads of screening data, scoped to the actor: hits are AML-confidential (``aml:read``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from bankcrm.authz.permissions import Perm
from bankcrm.authz.scoping import restrict
from bankcrm.core.errors import NotFound
from bankcrm.identity.models import User
from bankcrm.screening.models import SanctionsBlock, ScreeningHit, ScreeningRun, WatchListVersion


def hits(actor: User, *, status: str = "open") -> QuerySet[ScreeningHit]:
    """The review queue: hits with ``status`` (``open`` by default, "" for all), best score first."""
    # Scoped by party; AML-confidential, so empty without aml:read (restrict).
    qs = restrict(actor, ScreeningHit.objects.all(), Perm.PARTIES_READ).select_related(
        "party", "entry__version__watch_list", "decided_by"
    )
    return qs.filter(status=status) if status else qs


def get_hit(actor: User, hit_id: int | str) -> ScreeningHit:
    """One hit the actor may see.

    Raises:
        NotFound: unknown or not visible.
    """
    try:
        pk = int(hit_id)
    except (TypeError, ValueError):
        raise NotFound("hit") from None
    found = hits(actor, status="").filter(pk=pk).first()
    if found is None:
        raise NotFound("hit")
    return found


def versions() -> list[WatchListVersion]:
    """Every imported list version, newest first per list, with its delta counts."""
    return list(WatchListVersion.objects.select_related("watch_list").order_by("watch_list__code", "-version"))


def recent_runs(limit: int = 10) -> list[ScreeningRun]:
    """The latest screening runs (progress of re-screens)."""
    return list(ScreeningRun.objects.order_by("-started_at", "-pk")[:limit])


def is_blocked(actor: User, party: Any) -> bool:
    """Whether the party is under an open sanctions block (visible to anyone who may see the party)."""
    return restrict(
        actor, SanctionsBlock.objects.filter(party=party, released_at__isnull=True), Perm.PARTIES_READ
    ).exists()
