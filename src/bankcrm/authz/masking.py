"""Field-level masking: full account numbers, tax ids and ID document numbers are shown only to
actors holding the matching permission; everyone else sees the last four characters."""

from __future__ import annotations

from bankcrm.authz.permissions import Perm
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
