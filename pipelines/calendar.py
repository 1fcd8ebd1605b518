"""The Vietnamese working calendar that clause 5.1 ("answer within 7 working days") counts in.

Layers, each overriding the one before:

1. the weekend (Saturday and Sunday unless the company file says otherwise);
2. the ``holidays`` package's Vietnam calendar: statutory holidays, their nghỉ bù days and the
   swaps it knows;
3. ``calendar_data/vn_official.yaml``: the Government's public-servant schedule where the
   package lacks or gets it wrong, and every swap, each with its source;
4. the company calendar file (``settings.calendar_file``), if any.

``working_day_number`` is the running count of working days since the first date, so the SQL
models count working days with a subtraction and find due dates with an equi-join.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb
import holidays
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from base import clock
from base.settings import Settings
from base.warehouse import replace_table

OFFICIAL_FILE = Path(__file__).resolve().parent / "calendar_data" / "vn_official.yaml"
# The calendar must hold every date the data touches, and the due dates of the latest
# complaints (7 working days can span Tết plus a weekend, far less than 400 days).
MARGIN_BEFORE = dt.timedelta(days=60)
MARGIN_AFTER = dt.timedelta(days=400)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

# The package names a swapped day off "Ngày nghỉ (thay cho ngày 26/04/2025)" in Vietnamese.
_PACKAGE_SWAP = re.compile(r"thay cho ngày (\d{2})/(\d{2})/(\d{4})")


class CalendarError(ValueError):
    """A calendar file that cannot be used; the message says which file and what is wrong."""


@dataclass(frozen=True)
class Day:
    working: bool
    reason: str | None
    swap: bool = False  # part of an official swap of a working day and a day off


# ---------------------------------------------------------------------------- file models


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OfficialEntry(_Strict):
    date: dt.date
    type: Literal["day_off", "working_day"]
    name: str = Field(min_length=1)
    source: str = Field(min_length=1)
    swap_for: dt.date | None = None


class OfficialFile(_Strict):
    entries: list[OfficialEntry]


class CompanyDay(_Strict):
    date: dt.date
    name: str = Field(min_length=1)


class CompanyCalendar(_Strict):
    days_off: list[CompanyDay] = []
    working_days: list[CompanyDay] = []
    drop_official_swaps: bool = False
    weekend: list[Weekday] = ["saturday", "sunday"]

    @field_validator("weekend", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        if not isinstance(value, list):
            return value  # pydantic reports it
        return [v.strip().lower() if isinstance(v, str) else v for v in value]

    @model_validator(mode="after")
    def _no_contradictions(self) -> CompanyCalendar:
        both = {d.date for d in self.days_off} & {d.date for d in self.working_days}
        if both:
            raise ValueError(f"listed both as day off and as working day: {_dates(both)}")
        if len(set(self.weekend)) != len(self.weekend):
            raise ValueError("weekend names a day twice")
        return self

    @property
    def weekend_days(self) -> set[int]:
        return {WEEKDAYS.index(name) for name in self.weekend}


def _dates(days: set[dt.date]) -> str:
    return ", ".join(d.isoformat() for d in sorted(days))


def _read_yaml(path: Path, model: type[BaseModel], what: str) -> BaseModel:
    """One file validated by one model; any problem becomes a single CalendarError."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarError(f"{what} {path}: cannot read it ({exc.strerror})") from None
    except (yaml.YAMLError, ValueError) as exc:  # pyyaml raises ValueError for 2025-13-01
        raise CalendarError(f"{what} {path}: not valid YAML ({_one_line(exc)})") from None
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()
        )
        raise CalendarError(f"{what} {path} is invalid: {problems}") from None


def _one_line(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return where + (getattr(exc, "problem", None) or str(exc)).replace("\n", " ")


def load_company_calendar(path: Path) -> CompanyCalendar:
    """The company calendar file, validated."""
    return _read_yaml(Path(path), CompanyCalendar, "company calendar")  # type: ignore[return-value]


def load_official(path: Path = OFFICIAL_FILE) -> OfficialFile:
    """The checked-in official corrections, validated."""
    return _read_yaml(path, OfficialFile, "official calendar")  # type: ignore[return-value]


# ------------------------------------------------------------------------------ layers


def _package_days(start: dt.date, end: dt.date) -> dict[dt.date, Day]:
    """The package's holidays and make-up working days in [start, end]."""
    # A swap may straddle New Year (2014-12-27 worked for 2015-01-02), so ask a year either side.
    years = range(start.year - 1, end.year + 2)
    vn = holidays.country_holidays("VN", years=years, language="vi")
    days: dict[dt.date, Day] = {}
    for day, name in vn.items():
        swapped_from = _PACKAGE_SWAP.search(name)
        days[day] = Day(False, name, swap=swapped_from is not None)
        if swapped_from:
            worked = dt.date(*map(int, reversed(swapped_from.groups())))
            days[worked] = Day(True, _make_up_reason(day), swap=True)
    for worked in vn.weekend_workdays:  # swaps whose day off the package did not name
        days.setdefault(worked, Day(True, "make-up working day", swap=True))
    return {d: v for d, v in days.items() if start <= d <= end}


def _make_up_reason(day_off: dt.date) -> str:
    return f"make-up working day (bù cho {day_off:%d/%m/%Y})"


def _official_days(official: OfficialFile) -> dict[dt.date, Day]:
    days = {}
    for e in official.entries:
        swap = e.swap_for is not None
        if e.type == "day_off":
            days[e.date] = Day(False, e.name, swap)
        else:
            reason = e.name if e.swap_for is None else _make_up_reason(e.swap_for)
            days[e.date] = Day(True, reason, swap)
    return days


def _company_days(company: CompanyCalendar) -> dict[dt.date, Day]:
    days = {d.date: Day(False, d.name) for d in company.days_off}
    days.update({d.date: Day(True, d.name) for d in company.working_days})
    return days


def day_table(
    start: dt.date, end: dt.date, company: CompanyCalendar, official: OfficialFile
) -> dict[dt.date, Day]:
    """Every date's status, layer by layer; dates not listed are ordinary (weekend or not)."""
    days = _package_days(start, end) | _official_days(official)
    if company.drop_official_swaps:
        # Swapped days revert to plain weekday/weekend; statutory holidays and nghỉ bù stay.
        days = {d: v for d, v in days.items() if not v.swap}
    days |= _company_days(company)
    weekend = company.weekend_days
    table = {}
    for offset in range((end - start).days + 1):
        day = start + dt.timedelta(days=offset)
        default = Day(False, "weekend") if day.weekday() in weekend else Day(True, None)
        table[day] = days.get(day, default)
    return table


# -------------------------------------------------------------------------------- public


def build_calendar(start: dt.date, end: dt.date, company_file: Path | None = None) -> pd.DataFrame:
    """One row per date from start to end: date, is_working_day, reason, working_day_number.

    ``working_day_number`` counts working days from ``start`` up to and including the date, so
    it carries over non-working days and the working days in (a, b] are W(b) - W(a).
    """
    if end < start:
        raise CalendarError(f"calendar end {end} is before its start {start}")
    company = load_company_calendar(company_file) if company_file else CompanyCalendar()
    table = day_table(start, end, company, load_official())
    working = pd.Series([d.working for d in table.values()], dtype=bool)
    return pd.DataFrame(
        {
            "date": list(table),  # datetime.date objects: DuckDB stores them as DATE
            "is_working_day": working,
            # "string", not object: a span with no reasons still stores as VARCHAR (NULL = none).
            "reason": pd.Series([d.reason for d in table.values()], dtype="string"),
            "working_day_number": working.cumsum().astype("int32"),
        }
    )


def calendar_range(min_date: dt.date, max_date: dt.date) -> tuple[dt.date, dt.date]:
    """The span core.calendar must cover for data from min_date to max_date, with margins."""
    return min_date - MARGIN_BEFORE, max_date + MARGIN_AFTER


def write_calendar(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """core.calendar over every date the data touches, with a margin both sides."""
    lo, hi = con.execute("""SELECT min(received_at)::DATE, greatest(max(received_at)::DATE,
        max(first_response_at)::DATE, max(resolved_at)::DATE, (SELECT max(as_of) FROM
        core.build_params)) FROM core.complaints""").fetchall()[0]
    today = clock.today(settings)
    lo, hi = lo or today, hi or today
    frame = build_calendar(*calendar_range(lo, hi), settings.calendar_file)
    return replace_table(con, "core.calendar", frame)
