"""Password rules per NIST SP 800-63B (Rev. 4, 2025): length, a blocklist, no composition rules.

MFA is mandatory for every account, so the minimum is 8 characters (15 without MFA); at least 64
are allowed (we accept up to 128) and nothing is truncated. The blocklist is Django's bundled list
of 20,000 common (breached) passwords plus the checks below for sequences and repetitions and for
context words (the user's name). No periodic change is forced.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 128
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


class MaximumLengthValidator:
    """Refuses passwords longer than 128 characters (NIST: allow at least 64)."""

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                _("This password is too long: at most %(max)d characters."),
                code="password_too_long",
                params={"max": MAX_LENGTH},
            )

    def get_help_text(self) -> str:
        return _("Your password can be up to %(max)d characters long.") % {"max": MAX_LENGTH}


class RepetitionAndSequenceValidator:
    """Refuses passwords made of one repeated character or a run of a keyboard/alphabet/digit
    sequence ("aaaaaaaa", "12345678", "qwertyui", "87654321"): blocklist items of NIST 800-63B."""

    def validate(self, password: str, user: Any = None) -> None:
        p = password.lower()
        if len(set(p)) <= 2:
            raise ValidationError(_("This password repeats the same characters."), code="password_repetitive")
        for seq in _SEQUENCES:
            if p in seq or p in seq[::-1]:
                raise ValidationError(_("This password is a simple sequence."), code="password_sequence")

    def get_help_text(self) -> str:
        return _("Your password can't be a repetition or a simple sequence.")
