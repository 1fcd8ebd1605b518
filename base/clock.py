"""The company's clock: the one source of "now" and "today" for every package.

Every stored and printed time is wall-clock time in the company's time zone
(settings.timezone), naive and to the second, as the warehouse stores timestamps; the host's
own zone never enters. Tests and callers holding settings pass them; others read the
process's settings.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from base.settings import Settings, get_settings


def now(settings: Settings | None = None) -> dt.datetime:
    """Wall-clock time in the company's time zone, to the second, without tzinfo."""
    zone = ZoneInfo((settings or get_settings()).timezone)
    return dt.datetime.now(zone).replace(tzinfo=None, microsecond=0)


def today(settings: Settings | None = None) -> dt.date:
    """The date in the company's time zone (not the host's)."""
    return now(settings).date()
