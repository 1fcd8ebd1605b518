"""The Vietnamese working calendar: official schedule 2023-2027, the company file, its errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import holidays
import pandas as pd
import pytest

from base.warehouse import connect
from pipelines.calendar import (
    MARGIN_AFTER,
    MARGIN_BEFORE,
    CalendarError,
    build_calendar,
    calendar_range,
    load_official,
)

D = dt.date


@pytest.fixture(scope="module")
def official() -> dict[dt.date, tuple[bool, str | None]]:
    frame = build_calendar(D(2023, 1, 1), D(2027, 12, 31))
    # A missing reason is <NA> in the string column (NULL once stored); None here.
    reasons = [None if pd.isna(r) else r for r in frame.reason]
    return {d: (w, r) for d, w, r in zip(frame.date, frame.is_working_day, reasons, strict=True)}


def working(days: dict[dt.date, tuple[bool, str | None]], *dates: dt.date) -> list[bool]:
    return [days[d][0] for d in dates]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "company.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the official schedule

# Public-servant days off (weekdays only; weekends are off anyway), as announced each year.
OFFICIAL_WEEKDAYS_OFF = {
    2023: [
        D(2023, 1, 2),
        *[D(2023, 1, d) for d in (20, 23, 24, 25, 26)],
        D(2023, 5, 1),
        D(2023, 5, 2),
        D(2023, 5, 3),
        D(2023, 9, 1),
        D(2023, 9, 4),
    ],
    2024: [
        D(2024, 1, 1),
        *[D(2024, 2, d) for d in (8, 9, 12, 13, 14)],
        D(2024, 4, 18),
        D(2024, 4, 29),
        D(2024, 4, 30),
        D(2024, 5, 1),
        D(2024, 9, 2),
        D(2024, 9, 3),
    ],
    2025: [
        D(2025, 1, 1),
        *[D(2025, 1, d) for d in (27, 28, 29, 30, 31)],
        D(2025, 4, 7),
        D(2025, 4, 30),
        D(2025, 5, 1),
        D(2025, 5, 2),
        D(2025, 9, 1),
        D(2025, 9, 2),
    ],
    2026: [
        D(2026, 1, 1),
        D(2026, 1, 2),
        *[D(2026, 2, d) for d in (16, 17, 18, 19, 20)],
        D(2026, 4, 27),
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 8, 31),
        D(2026, 9, 1),
        D(2026, 9, 2),
        D(2026, 11, 24),
    ],
    2027: [
        D(2027, 1, 1),
        *[D(2027, 2, d) for d in (4, 5, 8, 9, 10)],
        D(2027, 4, 16),
        D(2027, 4, 30),
        D(2027, 5, 3),
        D(2027, 9, 2),
        D(2027, 9, 3),
        D(2027, 11, 24),
    ],
}
MAKE_UP_SATURDAYS = [D(2024, 5, 4), D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)]


@pytest.mark.parametrize("year", sorted(OFFICIAL_WEEKDAYS_OFF))
def test_weekdays_off_match_the_official_schedule(official, year):
    expected = set(OFFICIAL_WEEKDAYS_OFF[year])
    got = {d for d, (w, _) in official.items() if d.year == year and d.weekday() < 5 and not w}
    assert got == expected


def test_make_up_saturdays_are_working_days(official):
    assert working(official, *MAKE_UP_SATURDAYS) == [True] * 4
    saturdays = {d for d, (w, _) in official.items() if d.weekday() >= 5 and w}
    assert saturdays == set(MAKE_UP_SATURDAYS)


def test_reasons(official):
    assert official[D(2025, 1, 29)] == (False, "Tết Nguyên Đán")
    assert official[D(2025, 4, 26)] == (True, "make-up working day (bù cho 02/05/2025)")
    assert official[D(2026, 1, 10)] == (True, "make-up working day (bù cho 02/01/2026)")
    assert official[D(2025, 3, 8)] == (False, "weekend")
    assert official[D(2025, 3, 10)] == (True, None)
    assert official[D(2025, 9, 2)] == (False, "Quốc khánh")


def test_working_day_number_is_the_running_count(official):
    frame = build_calendar(D(2025, 4, 24), D(2025, 5, 6))
    # Thu 24 (1), Fri 25 (2), Sat 26 make-up (3), Sun 27, Mon 28 (4), Tue 29 (5), 30/4-4/5 off,
    # Mon 05/05 (6), Tue 06/05 (7).
    assert frame.working_day_number.tolist() == [1, 2, 3, 3, 4, 5, 5, 5, 5, 5, 5, 6, 7]
    starts_on_sunday = build_calendar(D(2025, 3, 9), D(2025, 3, 10))
    assert starts_on_sunday.working_day_number.tolist() == [0, 1]


def test_stored_types(tmp_path):
    with connect(tmp_path / "w.duckdb") as con:
        con.register("frame", build_calendar(D(2025, 1, 1), D(2025, 1, 10)))
        con.execute("create table core.calendar as select * from frame")
        types = {name: kind for name, kind, *_ in con.execute("describe core.calendar").fetchall()}
    assert types == {
        "date": "DATE",
        "is_working_day": "BOOLEAN",
        "reason": "VARCHAR",
        "working_day_number": "INTEGER",
    }


def test_official_file_is_sourced_and_swaps_pair_up():
    entries = {e.date: e for e in load_official().entries}
    for e in entries.values():
        assert e.source.strip()
        assert (e.type == "working_day") == (e.date.weekday() >= 5)
        if e.swap_for:
            partner = entries[e.swap_for]
            assert partner.swap_for == e.date and partner.type != e.type


def test_every_package_swap_is_in_the_official_file():
    """So drop_official_swaps can undo all of them, each with a source."""
    listed = {e.date for e in load_official().entries if e.swap_for}
    vn = holidays.country_holidays("VN", years=range(2023, 2028), language="vi")
    package_swaps = {d for d in vn.weekend_workdays if d.year >= 2023}
    package_swaps |= {d for d, name in vn.items() if "thay cho ngày" in name}
    assert package_swaps <= listed


def test_calendar_range_has_margins():
    assert calendar_range(D(2025, 3, 1), D(2025, 6, 30)) == (
        D(2025, 3, 1) - MARGIN_BEFORE,
        D(2025, 6, 30) + MARGIN_AFTER,
    )
    assert MARGIN_BEFORE.days >= 30 and MARGIN_AFTER.days >= 60


def test_end_before_start():
    with pytest.raises(CalendarError, match="before its start"):
        build_calendar(D(2025, 2, 1), D(2025, 1, 1))


# ---------------------------------------------------------------------- company file


def test_company_days_off_and_working_days(tmp_path):
    path = write(
        tmp_path,
        """
days_off:
  - {date: 2025-03-10, name: "Ngày hội công ty"}
working_days:
  - {date: 2025-03-15, name: "Kiểm kê cuối quý"}
""",
    )
    frame = build_calendar(D(2025, 3, 9), D(2025, 3, 16), path)
    days = dict(zip(frame.date, zip(frame.is_working_day, frame.reason, strict=True), strict=True))
    assert days[D(2025, 3, 10)] == (False, "Ngày hội công ty")
    assert days[D(2025, 3, 15)] == (True, "Kiểm kê cuối quý")


def test_drop_official_swaps_keeps_statutory_holidays(tmp_path):
    frame = build_calendar(
        D(2024, 1, 1), D(2026, 12, 31), write(tmp_path, "drop_official_swaps: true\n")
    )
    days = dict(zip(frame.date, frame.is_working_day, strict=True))
    # Swapped days revert: the make-up Saturdays are weekends, the swapped weekdays work.
    assert working(
        {d: (w, None) for d, w in days.items()},
        D(2024, 4, 29),
        D(2024, 5, 4),
        D(2025, 5, 2),
        D(2025, 4, 26),
        D(2026, 1, 2),
        D(2026, 1, 10),
        D(2026, 8, 31),
        D(2026, 8, 22),
    ) == [True, False, True, False, True, False, True, False]
    # Statutory days and nghỉ bù stay off.
    assert not any(
        days[d]
        for d in (
            D(2024, 4, 30),
            D(2025, 5, 1),
            D(2026, 1, 1),
            D(2026, 4, 27),
            D(2026, 9, 1),
            D(2025, 1, 29),
        )
    )


def test_company_weekend(tmp_path):
    frame = build_calendar(D(2025, 3, 8), D(2025, 3, 9), write(tmp_path, "weekend: [Sunday]\n"))
    assert frame.is_working_day.tolist() == [True, False]


def test_company_entries_override_official_ones(tmp_path):
    path = write(
        tmp_path,
        "working_days: [{date: 2025-05-02, name: Trực}]\n"
        "days_off: [{date: 2025-04-26, name: Nghỉ}]\n",
    )
    frame = build_calendar(D(2025, 4, 26), D(2025, 5, 2), path)
    assert frame.is_working_day.tolist()[0] is False
    assert frame.is_working_day.tolist()[-1] is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("days_off: [{date: 2025-13-01, name: x}]\n", r"not valid YAML|days_off\.0\.date"),
        ("days_off: [{date: 01/02/2025, name: x}]\n", r"days_off\.0\.date"),
        ("days_off: [{date: 2025-02-01}]\n", r"days_off\.0\.name: Field required"),
        ("weekend: [funday]\n", r"weekend\.0"),
        ("weekend: saturday\n", r"weekend"),
        ("holidays: []\n", r"holidays: Extra inputs are not permitted"),
        ("drop_official_swaps: maybe\n", r"drop_official_swaps"),
        (
            "days_off: [{date: 2025-02-03, name: a}]\n"
            "working_days: [{date: 2025-02-03, name: b}]\n",
            r"both as day off and as working day: 2025-02-03",
        ),
        ("- 2025-02-03\n", r"file: Input should be a valid dictionary"),
        ("days_off: [{date: 2025-02-03, name: a\n", r"not valid YAML"),
    ],
)
def test_bad_company_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(CalendarError, match=message) as caught:
        build_calendar(D(2025, 1, 1), D(2025, 12, 31), path)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_company_file(tmp_path):
    with pytest.raises(CalendarError, match="cannot read it"):
        build_calendar(D(2025, 1, 1), D(2025, 1, 2), tmp_path / "nope.yaml")


def test_empty_company_file_means_defaults(tmp_path):
    frame = build_calendar(D(2025, 4, 26), D(2025, 4, 26), write(tmp_path, ""))
    assert frame.is_working_day.tolist() == [True]
