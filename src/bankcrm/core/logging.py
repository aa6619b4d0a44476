"""Logging filters: attach the request id and scrub PII from messages (DESIGN decision 7)."""

from __future__ import annotations

import logging
import re

from bankcrm.core.middleware import current_request_id

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[TAX-ID]"),  # SSN / ITIN with dashes
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "[9-DIGITS]"),  # compact SSN / ITIN / EIN
    (re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b"), "[EMAIL]"),
    (re.compile(r"\+\d[\d ]{7,16}\d"), "[PHONE]"),
    (re.compile(r"(?<!\d)\d{10,19}(?!\d)"), "[ACCOUNT]"),  # account and card numbers
    (re.compile(r"\b\d{6}/?\d{3,4}\b"), "[BIRTH-NUMBER]"),  # Czech birth number
]


def scrub(text: str) -> str:
    """Replace tax ids, account and card numbers, e-mail addresses, phone numbers and birth
    numbers in ``text``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubPIIFilter(logging.Filter):
    """Rewrites each record's message with :func:`scrub` (arguments are merged first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string must not lose the log line
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        return True


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class QuietPermissionDeniedFilter(logging.Filter):
    """Keeps the one-line "Forbidden" warning of a refused request but drops its traceback: a
    refusal is expected behaviour, not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            from django.core.exceptions import PermissionDenied

            if isinstance(record.exc_info[1], PermissionDenied):
                record.exc_info = None
                record.exc_text = None
        return True
