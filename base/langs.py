"""The languages the reports and messages are written in: Vietnamese (the default), English."""

from __future__ import annotations

from enum import StrEnum


class Lang(StrEnum):
    # In the order of the (Vietnamese, English) pairs of reports/i18n.py.
    vi = "vi"
    en = "en"
