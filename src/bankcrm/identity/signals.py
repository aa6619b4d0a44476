"""Audit events for sign-in, sign-out, failed sign-in and lockout."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from bankcrm.audit import services as audit
from bankcrm.audit.models import AuditEvent
from bankcrm.core import clock
from bankcrm.identity import sessions


def _login_key(credentials: dict[str, Any]) -> str:
    # The attempted login name is not stored: only a digest, enough to count attempts per name.
    name = str(credentials.get("username") or credentials.get("login") or credentials.get("email") or "")
    return hashlib.sha256(name.strip().lower().encode()).hexdigest()[:32]


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        # The absolute session timeout counts from sign-in (wall clock, see identity/sessions.py).
        request.session[sessions.STARTED] = request.session[sessions.SEEN] = time.time()
    audit.record_standalone(actor=user, action="identity.login", subject_type="user", subject_id=str(user.pk))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record_standalone(actor=user, action="identity.logout", subject_type="user", subject_id=str(user.pk))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    """Each failure is audited; the failure that reaches the limit also records a lockout."""
    key = _login_key(credentials)
    window_start = clock.now() - settings.BANKCRM_LOGIN_LOCKOUT_WINDOW
    with transaction.atomic():
        audit.record(actor=None, action="identity.login.failed", subject_type="login", subject_id=key)
        recent = AuditEvent.objects.filter(
            action="identity.login.failed", subject_id=key, occurred_at__gte=window_start
        ).count()
        if recent == settings.BANKCRM_LOGIN_LOCKOUT_FAILURES:
            audit.record(
                actor=None,
                action="identity.login.locked",
                subject_type="login",
                subject_id=key,
                payload={
                    "failures": recent,
                    "window_seconds": int(settings.BANKCRM_LOGIN_LOCKOUT_WINDOW.total_seconds()),
                },
            )


def _factor_changed(action: str) -> Any:
    def receiver_(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
        audit.record_standalone(
            actor=user,
            action=action,
            subject_type="user",
            subject_id=str(user.pk),
            payload={"type": authenticator.type},
        )

    return receiver_


_factor_added = _factor_changed("identity.mfa.added")
_factor_removed = _factor_changed("identity.mfa.removed")
authenticator_added.connect(_factor_added)
authenticator_removed.connect(_factor_removed)
