"""The one source of "now" and "today" (DESIGN decision 5).

``BANKCRM_AS_OF`` pins the business date (the demo uses 1998-12-31, the end of the Berka data);
the time of day still advances so that ordering of events stays meaningful. Business days come
from :mod:`bankcrm.core.calendar` (Federal Reserve holidays). Tests pin the clock with
:func:`frozen`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.conf import settings

_override: dt.datetime | None = None


def bank_zone() -> ZoneInfo:
    """The bank's time zone (``BANKCRM_TIME_ZONE``, default America/New_York)."""
    return ZoneInfo(settings.TIME_ZONE)


def now() -> dt.datetime:
    """Timezone-aware current instant, in the bank's zone, honouring ``BANKCRM_AS_OF``."""
    if _override is not None:
        return _override
    real = dt.datetime.now(tz=bank_zone())
    as_of: dt.date | None = getattr(settings, "BANKCRM_AS_OF", None)
    if as_of is None:
        return real
    return dt.datetime.combine(as_of, real.timetz())


def today() -> dt.date:
    """The bank's business date (the date of :func:`now` in the bank's zone)."""
    return now().astimezone(bank_zone()).date()


def as_of_date() -> dt.date | None:
    """The configured as-of date, or None when the clock follows the real date."""
    return getattr(settings, "BANKCRM_AS_OF", None)


@contextlib.contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Pin :func:`now` to ``at`` (must be timezone-aware) inside the ``with`` block.

    Raises:
        ValueError: ``at`` is naive.
    """
    global _override
    if at.tzinfo is None:
        raise ValueError("at: must be timezone-aware")
    previous, _override = _override, at
    try:
        yield at
    finally:
        _override = previous
