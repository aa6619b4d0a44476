"""Idle and absolute session timeouts for signed-in users (configurable).

These are security timers, so they run on wall-clock time (``time.time``), not on the business
clock: ``BANKCRM_AS_OF`` pins the business date and must not stretch or cut a session.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

STARTED = "bankcrm.session_started"
SEEN = "bankcrm.session_seen"
SEEN_GRANULARITY = 30.0


class SessionTimeoutMiddleware:
    """Signs the user out after ``BANKCRM_SESSION_IDLE_SECONDS`` without a request (default 15
    minutes) or ``BANKCRM_SESSION_ABSOLUTE_SECONDS`` after sign-in (default 12 hours)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(STARTED, now)
            seen = request.session.get(SEEN, now)
            idle = now - seen > settings.BANKCRM_SESSION_IDLE_SECONDS
            expired = now - started > settings.BANKCRM_SESSION_ABSOLUTE_SECONDS
            if idle or expired:
                from bankcrm.audit import services as audit

                audit.record_standalone(
                    actor=user,
                    action="identity.session.timeout",
                    subject_type="user",
                    subject_id=str(user.pk),
                    payload={"reason": "idle" if idle else "absolute"},
                )
                logout(request)
                login = reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(login)
            if SEEN not in request.session or now - seen >= SEEN_GRANULARITY:
                # Saving the session on every request would be a database write per page; a
                # 30-second granularity can only end a session early, never late.
                request.session[SEEN] = now
        return self.get_response(request)
