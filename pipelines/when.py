"""The dates people type (--exported-at, --as-of): a day means the end of that day."""

from __future__ import annotations

import datetime as dt

from base.errors import InputError


def parse_when(text: str, option: str = "--exported-at") -> dt.datetime:
    """A date (end of that day) or a date and time; refused in the words of ``option``."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(option, f"'{text}' is not a date (YYYY-MM-DD)") from None
    if len(text) <= 10:
        value = value.replace(hour=23, minute=59, second=59)
    return value
