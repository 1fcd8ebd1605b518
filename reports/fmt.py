"""Numbers, shares and dates as each language writes them (vi: 1.234,5 and dd/mm/yyyy)."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import SupportsFloat

import pandas as pd


def missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA (nullable integer columns give NA)."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def number(value: SupportsFloat | None, lang: str, digits: int = 0) -> str:
    if value is None or missing(value):
        return "–"
    text = f"{float(value):,.{digits}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def pct(value: SupportsFloat | None, lang: str, digits: int = 1) -> str:
    if value is None or missing(value):
        return "–"
    return number(float(value) * 100, lang, digits) + "%"


_SCIENTIFIC = re.compile(r"\b(\d+(?:[.,]\d+)?)e([-+]\d+)\b")


def plain_numbers(text: str, lang: str) -> str:
    """Numbers written as 7.7e-06 (or 7,7e-06) in a generated sentence, in the reader's
    notation: 0.0000077 (vi 0,0000077), two significant digits kept."""

    def fixed(match: re.Match) -> str:
        value = float(match.group(1).replace(",", ".") + "e" + match.group(2))
        digits = max(0, -math.floor(math.log10(abs(value))) + 1) if value else 0
        return number(value, lang, digits)

    return _SCIENTIFIC.sub(fixed, text)


def pvalue(value: float, lang: str) -> str:
    return ("< " + number(0.001, lang, 3)) if value < 0.001 else number(value, lang, 3)


def date(value: dt.date | None, lang: str) -> str:
    if value is None or missing(value):
        return "–"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def month(value: dt.date, lang: str) -> str:
    return f"{value.month:02d}/{value.year}" if lang == "vi" else value.strftime("%Y-%m")


def raw(value: object) -> str:
    """A machine-readable value for data attributes (tests compare these with the marts)."""
    if missing(value):
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)
