"""Name folding for accent- and case-insensitive search (no Django import)."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case- and accent-folded, whitespace-collapsed form: ``"Dvořáková  Jana"`` -> ``"dvorakova jana"``.

    NFKC first (full-width forms, ligatures), then anyascii transliteration (handles Czech, Latin
    and non-Latin scripts without ICU), then casefold.
    """
    normalized = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", anyascii(normalized).casefold()).strip()
