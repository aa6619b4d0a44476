"""Template tags of the console's privacy screens."""

from __future__ import annotations

from typing import Any

from django import template

from bankcrm.authz.permissions import Perm

register = template.Library()


@register.simple_tag
def user_can(user: Any, code: str) -> bool:
    """``{% user_can request.user "privacy:read" as allowed %}``: whether the signed-in user holds
    the permission (False for anonymous users and unknown codes)."""
    has = getattr(user, "has_perm_code", None)
    try:
        perm = Perm(code)
    except ValueError:
        return False
    return bool(has and has(perm))
