"""Multi-factor authentication on top of django-allauth's mfa app (TOTP, WebAuthn, recovery codes).

MFA is mandatory for every staff user and every customer (FFIEC 2021: single-factor
authentication is inadequate): :class:`MFARequiredMiddleware` sends a signed-in user who has no
second factor yet to enrolment before anything else. TOTP secrets are stored encrypted with the
field keys (:mod:`bankcrm.privacy.crypto`), not allauth's default plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from bankcrm.privacy import crypto

#: Authenticator types that count as a second factor (recovery codes only back them up).
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
#: Paths a signed-in user without a second factor may still reach: sign-in, enrolment, sign-out,
#: language, static files, health. The API authenticates with tokens, not sessions.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/", "/portal/enrol/")


class MFAAdapter(DefaultMFAAdapter):
    """Encrypts TOTP secrets (AES-GCM, field ``mfa.totp_secret``) instead of storing them plain."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, field="mfa.totp_secret").hex()

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(bytes.fromhex(encrypted_text), field="mfa.totp_secret")


def has_second_factor(user: object) -> bool:
    """True when ``user`` has an active TOTP or WebAuthn authenticator."""
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


class MFARequiredMiddleware:
    """Sends a signed-in user without a second factor to TOTP enrolment (HTML) or answers 403
    (htmx and JSON requests) until they have one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not has_second_factor(user)
        ):
            if request.headers.get("HX-Request") or request.headers.get("Accept", "").startswith("application/json"):
                return JsonResponse({"title": "Multi-factor authentication required"}, status=403)
            target = reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(target)
        return self.get_response(request)


def totp_secret(user: object) -> str | None:
    """The decrypted TOTP secret of ``user`` (base32), or None. For the demo and tests only."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    return MFAAdapter().decrypt(authenticator.data["secret"])


def current_code(secret: str) -> str:
    """The TOTP code for ``secret`` now (RFC 6238, 30-second steps, 6 digits)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def enrol_totp(*, actor: object, user: object) -> str:
    """Give ``user`` a new TOTP authenticator (demo set-up and tests); returns the secret.

    Raises:
        ValueError: the user already has one.
    """
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import transaction

    from bankcrm.audit import services as audit

    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        raise ValueError("user: already has a TOTP authenticator")
    secret = generate_totp_secret()
    with transaction.atomic():
        TOTP.activate(user, secret)  # type: ignore[arg-type]
        audit.record(
            actor=actor,  # type: ignore[arg-type]
            action="identity.mfa.added",
            subject_type="user",
            subject_id=str(user.pk),  # type: ignore[attr-defined]
            payload={"type": "totp", "by": "enrolment"},
        )
    return secret
