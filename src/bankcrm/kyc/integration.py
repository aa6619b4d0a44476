"""The seam between KYC and watch-list screening (the screening app is built alongside).

OFAC is strict liability: screen at onboarding and whenever a name, date of birth or nationality
changes (REGULATORY_FACTS 1.7, "Practice", status M). KYC calls
``bankcrm.screening.services.screen_party(actor=..., party=..., reason=...)`` when the screening app
is installed and provides that function, and reads the screening state of parties from its
``ScreeningHit`` model for the risk rating and the verification decision. Without the screening
app both degrade explicitly: nothing is called, and the state is ``not_screened`` (which the risk
model rates medium by default), never "clear".
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError

log = logging.getLogger(__name__)

SCREENING_APP = "bankcrm.screening"


def screening_function() -> Callable[..., Any] | None:
    """``bankcrm.screening.services.screen_party`` when the screening app is installed and defines
    it, else None. An import error inside an existing screening module is not hidden."""
    if not apps.is_installed(SCREENING_APP):
        return None
    if importlib.util.find_spec(f"{SCREENING_APP}.services") is None:
        return None
    module = importlib.import_module(f"{SCREENING_APP}.services")
    fn = getattr(module, "screen_party", None)
    return fn if callable(fn) else None


def screen(*, actor: Any, party: Any, reason: str) -> bool:
    """Screen ``party`` now, in the caller's transaction, when screening is available; return
    whether it ran. Errors from the screening app propagate: a customer is not opened unscreened.

    KYC passes ``actor=None`` (the system): screening at onboarding and on an identity change is
    the bank's duty, not a permission of whoever opens the account or corrects a name; the
    caller's own audit event, in the same transaction, names the person."""
    fn = screening_function()
    if fn is None:
        return False
    fn(actor=actor, party=party, reason=reason)
    return True


def screening_state(party_ids: Iterable[Any]) -> str:
    """The worst watch-list state of the parties: ``true_match`` (a confirmed hit), ``open`` (a hit
    awaiting disposition), ``false_positive`` (hits, all cleared), ``clear`` (no hit), or
    ``not_screened`` when the screening app is not available."""
    ids = list(party_ids)
    if not apps.is_installed(SCREENING_APP) or screening_function() is None:
        return "not_screened"
    try:
        hit_model = apps.get_model("screening", "ScreeningHit")
        statuses = set(hit_model._default_manager.filter(party_id__in=ids).values_list("status", flat=True))
    except (LookupError, FieldError):  # the screening schema is not what this seam expects
        log.warning("screening state unavailable: ScreeningHit lacks party/status")
        return "not_screened"
    for state in ("true_match", "open", "false_positive"):
        if state in statuses:
            return state
    return "clear"
