"""Clause 5.1 marts on a real DuckDB warehouse: hand-counted due dates, properties, reconciliation.

Every hand case writes out its count: the day of receipt is not counted, then each working day
after it is numbered until the 7th, which is the due date.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from base.warehouse import connect, ensure_schema, replace_table
from pipelines.calendar import build_calendar, calendar_range
from pipelines.models import discover_models, materialise, model_order

D = dt.date
SLA_MODELS = {
    "core.complaints",
    "marts.complaint_sla",
    "marts.sla_monthly",
    "marts.sla_breakdown",
    "marts.open_at_risk",
    "marts.review_monthly",
}
STAFF = [("H-1", "Team Hà Nội"), ("H-2", "Team Hà Nội"), ("H-3", "Team Sài Gòn")]


# ------------------------------------------------------------------------------- helpers


def ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def insert_complaints(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Rows straight into core.complaint_versions (one version each), as ingest would store them."""
    loaded = dt.datetime(2027, 6, 1)
    con.executemany(
        """insert into core.complaint_versions (complaint_id, content_hash, received_at, channel,
               category, employee_id, partner_id, handler_id, first_response_at, resolved_at,
               outcome, review_requested_at, review_outcome, first_exported_at, exported_at,
               source_file, source_sha256, source_row, load_id, loaded_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'test.csv', 'sha', ?, 1, ?)""",
        [
            [
                r["id"],
                r["id"],
                ts(r["received"]),
                r.get("channel", "email"),
                r.get("category", "service"),
                r.get("employee"),
                r.get("partner"),
                r.get("handler", "H-1"),
                ts(r.get("response")),
                ts(r.get("resolved")),
                r.get("outcome"),
                ts(r.get("review")),
                r.get("review_outcome"),
                loaded,
                loaded,
                i,
                loaded,
            ]
            for i, r in enumerate(rows)
        ],
    )


def store_calendar(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date, company_file: Path | None = None
) -> None:
    """core.calendar from build_calendar, the way the build stage writes it."""
    replace_table(con, "core.calendar", build_calendar(start, end, company_file))


def build_marts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, sla_working_days: int = 7, at_risk: int = 2
) -> None:
    con.execute("delete from core.build_params")
    con.execute(
        "insert into core.build_params values (?, ?, 0.95, ?, now())",
        [as_of, sla_working_days, at_risk],
    )
    models = {t: m for t, m in discover_models().items() if t in SLA_MODELS}
    for table in model_order(models):
        materialise(con, models[table])


@contextmanager
def make_warehouse(
    path: Path,
    rows: list[dict],
    as_of: dt.date,
    company_file: Path | None = None,
    **params: int,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh warehouse file with the rows, the calendar over their dates, and the SLA marts."""
    with connect(path) as con:
        ensure_schema(con)
        now = dt.datetime(2027, 1, 1)
        con.executemany(
            "insert into core.staff (employee_id, team, exported_at, source_file, "
            "source_sha256, source_row, loaded_at, content_hash) values "
            "(?, ?, ?, 'staff.csv', 'sha', 1, ?, 'h')",
            [[e, t, now, now] for e, t in STAFF],
        )
        insert_complaints(con, rows)
        dates = [dt.datetime.fromisoformat(r["received"]).date() for r in rows] + [as_of]
        store_calendar(con, *calendar_range(min(dates), max(dates)), company_file)
        build_marts(con, as_of, **params)
        yield con


def sla_rows(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    cursor = con.execute("select * from marts.complaint_sla")
    names = [d[0] for d in cursor.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


# -------------------------------------------------------------------------- hand cases

# (id, received_at, first_response_at, expected due date). The response is on the due date
# (so the case is 'met' with exactly 7 working days) unless given.
HAND_CASES = [
    # Tết 2024: Thu 08/02-Wed 14/02 off. Received Wed 07/02: 15/02 Thu (1), 16 Fri (2),
    # 19 Mon (3), 20 (4), 21 (5), 22 (6), 23 Fri (7).
    ("TET24", "2024-02-07 10:00", None, D(2024, 2, 23)),
    # Tết 2025: Mon 27/01-Fri 31/01 off, Sat 01/02 mùng 4. Received Fri 24/01: 03/02 Mon (1),
    # 04 (2), 05 (3), 06 (4), 07 Fri (5), 10 Mon (6), 11 Tue (7).
    ("TET25", "2025-01-24 15:30", None, D(2025, 2, 11)),
    # Tết 2026: Mon 16/02-Fri 20/02 off. Received Fri 13/02: 23/02 Mon (1), 24 (2), 25 (3),
    # 26 (4), 27 Fri (5), 02/03 Mon (6), 03/03 Tue (7).
    ("TET26", "2026-02-13 08:00", None, D(2026, 3, 3)),
    # Giỗ Tổ 2025, Mon 07/04 off. Received Fri 04/04: 08/04 Tue (1), 09 (2), 10 (3), 11 Fri (4),
    # 14 Mon (5), 15 (6), 16 Wed (7).
    ("HUNG25", "2025-04-04 11:00", None, D(2025, 4, 16)),
    # Received on the holiday itself, Mon 07/04/2025: the same count from Tue 08/04 -> 16/04.
    ("HUNG25-ON", "2025-04-07 09:00", None, D(2025, 4, 16)),
    # 30/4-1/5 2025, Sat 26/04 worked for Fri 02/05. Received Fri 18/04: 21 Mon (1), 22 (2),
    # 23 (3), 24 (4), 25 Fri (5), 26 Sat make-up (6), 28 Mon (7).
    ("MAY25-A", "2025-04-18 09:00", None, D(2025, 4, 28)),
    # Received Thu 24/04: 25 Fri (1), 26 Sat (2), 28 Mon (3), 29 Tue (4); 30/04, 01/05, 02/05
    # off; 05/05 Mon (5), 06 (6), 07 Wed (7).
    ("MAY25-B", "2025-04-24 09:00", None, D(2025, 5, 7)),
    # Received on the make-up Saturday 26/04 (a working day, so it is the day of receipt):
    # 28 Mon (1), 29 Tue (2), 05/05 (3), 06 (4), 07 (5), 08 (6), 09 Fri (7).
    ("MAY25-SAT", "2025-04-26 10:00", None, D(2025, 5, 9)),
    # Received Mon 28/04: 29 Tue (1), 05/05 (2), 06 (3), 07 (4), 08 (5), 09 Fri (6), 12 Mon (7).
    ("MAY25-MON", "2025-04-28 10:00", None, D(2025, 5, 12)),
    # 30/4-1/5 2024, Sat 04/05 worked for Mon 29/04. Received Thu 25/04: 26 Fri (1); 27-28
    # weekend, 29 swap, 30, 01/05 off; 02 Thu (2), 03 Fri (3), 04 Sat make-up (4), 06 Mon (5),
    # 07 (6), 08 Wed (7).
    ("MAY24", "2024-04-25 14:00", None, D(2024, 5, 8)),
    # Quốc khánh 2025: Mon 01/09-Tue 02/09. Received Fri 29/08: 03/09 Wed (1), 04 (2), 05 Fri (3),
    # 08 Mon (4), 09 (5), 10 (6), 11 Thu (7).
    ("QK25", "2025-08-29 16:00", None, D(2025, 9, 11)),
    # Quốc khánh 2026: Sat 22/08 worked for Mon 31/08; 01-02/09 off. Received Fri 21/08:
    # 22 Sat (1), 24 Mon (2), 25 (3), 26 (4), 27 (5), 28 Fri (6); 31/08, 01/09, 02/09 off;
    # 03/09 Thu (7).
    ("QK26", "2026-08-21 10:00", None, D(2026, 9, 3)),
    # Tết Dương lịch 2026, the swap the package lacks: Fri 02/01 off, Sat 10/01 worked.
    # Received on Fri 02/01 (a day off): 05 Mon (1), 06 (2), 07 (3), 08 (4), 09 Fri (5),
    # 10 Sat make-up (6), 12 Mon (7).
    ("NY26", "2026-01-02 09:00", None, D(2026, 1, 12)),
    # Ordinary weeks. Received Mon 03/03/2025: 04 (1), 05 (2), 06 (3), 07 Fri (4), 10 Mon (5),
    # 11 (6), 12 Wed (7).
    ("MON", "2025-03-03 10:00", None, D(2025, 3, 12)),
    # Received Sat 08/03: counting starts Mon 10 (1), 11 (2), 12 (3), 13 (4), 14 Fri (5),
    # 17 Mon (6), 18 Tue (7); the same as a Friday receipt.
    ("SAT", "2025-03-08 10:00", None, D(2025, 3, 18)),
    ("FRI", "2025-03-07 10:00", None, D(2025, 3, 18)),
    # Local midnight: Thu 06/03 23:59 is Thursday (07 Fri (1) ... 17 Mon (7)); Fri 07/03 00:01
    # is Friday (-> 18/03).
    ("THU-2359", "2025-03-06 23:59", None, D(2025, 3, 17)),
    ("FRI-0001", "2025-03-07 00:01", None, D(2025, 3, 18)),
]

# Responses that are not on the due date: (id, received, response, due, working days, status).
RESPONSE_CASES = [
    # Same-day answer: 0 working days.
    ("SAME-DAY", "2025-03-03 09:00", "2025-03-03 16:00", D(2025, 3, 12), 0, "met"),
    # Answered 23:59 on the due date vs 00:01 the day after (Thu 13/03 is day 8).
    ("DUE-2359", "2025-03-03 10:00", "2025-03-12 23:59", D(2025, 3, 12), 7, "met"),
    ("DUE-0001", "2025-03-03 10:00", "2025-03-13 00:01", D(2025, 3, 12), 8, "breached"),
    # Answered on the Saturday after a Friday: still 1 working day (Mon 10/03 not yet reached).
    ("SAT-ANSWER", "2025-03-06 10:00", "2025-03-08 10:00", D(2025, 3, 17), 1, "met"),
    # Across Tết 2025: received Fri 24/01, answered Mon 03/02 = 1 working day.
    ("TET25-ANSWER", "2025-01-24 10:00", "2025-02-03 09:00", D(2025, 2, 11), 1, "met"),
]

AS_OF = D(2025, 3, 14)  # a Friday
# Open complaints around as_of (Fri 14/03/2025): (id, received, due, status, working days left).
OPEN_CASES = [
    # Received Tue 04/03: 05 (1), 06 (2), 07 (3), 10 (4), 11 (5), 12 (6), 13 Thu (7): overdue
    # by one day on 14/03.
    ("OPEN-13", "2025-03-04 10:00", D(2025, 3, 13), "open_overdue", -1),
    # Received Wed 05/03: 06 (1), 07 (2), 10 (3), 11 (4), 12 (5), 13 (6), 14 Fri (7): due on
    # as_of itself, so not overdue yet.
    ("OPEN-14", "2025-03-05 10:00", D(2025, 3, 14), "open_within_sla", 0),
    # Received Thu 06/03 -> due Mon 17/03 (see THU-2359): 1 working day left.
    ("OPEN-17", "2025-03-06 10:00", D(2025, 3, 17), "open_within_sla", 1),
    # Received Fri 07/03 -> due Tue 18/03: 2 working days left (at risk: limit 2).
    ("OPEN-18", "2025-03-07 10:00", D(2025, 3, 18), "open_within_sla", 2),
    # Received Mon 10/03: 11 (1), 12 (2), 13 (3), 14 (4), 17 (5), 18 (6), 19 Wed (7): 3 left,
    # not at risk.
    ("OPEN-19", "2025-03-10 10:00", D(2025, 3, 19), "open_within_sla", 3),
    # Received Mon 03/03 -> due Wed 12/03: 2 working days overdue.
    ("OPEN-12", "2025-03-03 10:00", D(2025, 3, 12), "open_overdue", -2),
]


def hand_rows() -> list[dict]:
    rows = [
        {"id": cid, "received": rec, "response": resp or f"{due} 12:00"}
        for cid, rec, resp, due in HAND_CASES
    ]
    rows += [{"id": c[0], "received": c[1], "response": c[2]} for c in RESPONSE_CASES]
    rows += [{"id": c[0], "received": c[1], "handler": "H-3"} for c in OPEN_CASES]
    return rows


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    with make_warehouse(tmp_path_factory.mktemp("hand") / "w.duckdb", hand_rows(), AS_OF) as con:
        yield con


@pytest.mark.parametrize(("cid", "due"), [(c[0], c[3]) for c in HAND_CASES])
def test_hand_counted_due_dates(hand, cid, due):
    row = sla_rows(hand)[cid]
    assert row["due_date"] == due
    # Answered on the due date: exactly 7 working days, met.
    assert row["working_days_to_response"] == 7
    assert row["sla_status"] == "met"


@pytest.mark.parametrize("case", RESPONSE_CASES, ids=[c[0] for c in RESPONSE_CASES])
def test_response_counts_and_status(hand, case):
    cid, _, _, due, days, status = case
    row = sla_rows(hand)[cid]
    assert (row["due_date"], row["working_days_to_response"], row["sla_status"]) == (
        due,
        days,
        status,
    )


@pytest.mark.parametrize("case", OPEN_CASES, ids=[c[0] for c in OPEN_CASES])
def test_open_complaints_either_side_of_as_of(hand, case):
    cid, _, due, status, _ = case
    row = sla_rows(hand)[cid]
    assert (row["due_date"], row["sla_status"]) == (due, status)
    assert row["response_date"] is None


def test_open_at_risk_lists_overdue_and_nearly_due_oldest_first(hand):
    got = hand.execute(
        "select complaint_id, working_days_left, handler_id, handler_team from marts.open_at_risk"
    ).fetchall()
    expected = [(c[0], c[4]) for c in sorted(OPEN_CASES, key=lambda c: c[2]) if c[4] <= 2]
    assert [(g[0], g[1]) for g in got] == expected
    assert {(g[2], g[3]) for g in got} == {("H-3", "Team Sài Gòn")}


def test_overdue_on_the_weekend_after_the_due_date(tmp_path):
    # Due Fri 14/03 (received Wed 05/03), as_of Sat 15/03: no working day has passed since, but
    # it is overdue, so working_days_left is -1 rather than 0.
    with make_warehouse(
        tmp_path / "w.duckdb", [{"id": "X", "received": "2025-03-05 10:00"}], D(2025, 3, 15)
    ) as con:
        assert con.execute(
            "select sla_status, working_days_left from marts.open_at_risk"
        ).fetchall() == [("open_overdue", -1)]


def test_one_row_per_complaint_with_handler_team(hand):
    n = hand.execute(
        "select count(*), count(distinct complaint_id) from marts.complaint_sla"
    ).fetchall()[0]
    assert n == (len(hand_rows()), len(hand_rows()))
    assert hand.execute(
        "select distinct handler_team from marts.complaint_sla where handler_id = 'H-1'"
    ).fetchall() == [("Team Hà Nội",)]


def test_sla_working_days_setting_is_used(tmp_path):
    # N = 3. Received Mon 03/03/2025: 04 (1), 05 (2), 06 Thu (3).
    with make_warehouse(
        tmp_path / "w.duckdb",
        [{"id": "N3", "received": "2025-03-03 10:00"}],
        AS_OF,
        sla_working_days=3,
    ) as con:
        assert sla_rows(con)["N3"]["due_date"] == D(2025, 3, 6)


def test_resolution_days(tmp_path):
    # Received Fri 24/01/2025, resolved Tue 11/02/2025: 18 calendar days; working days after
    # receipt: 03/02-07/02 (5) and 10/02, 11/02 (2) = 7.
    with make_warehouse(
        tmp_path / "w.duckdb",
        [
            {
                "id": "R",
                "received": "2025-01-24 10:00",
                "response": "2025-01-27 10:00",
                "resolved": "2025-02-11 17:00",
            }
        ],
        AS_OF,
    ) as con:
        row = sla_rows(con)["R"]
    assert (row["calendar_days_to_resolution"], row["working_days_to_resolution"]) == (18, 7)
    assert row["working_days_to_response"] == 0  # Mon 27/01/2025 is a Tết day off


# ---------------------------------------------------------------------- company calendar


def test_company_day_off_shifts_the_due_date(tmp_path):
    # A company day off on Mon 10/03/2025: received Mon 03/03: 04 (1), 05 (2), 06 (3), 07 (4),
    # [10 off], 11 (5), 12 (6), 13 Thu (7) -- one day later than the official 12/03.
    company = tmp_path / "company.yaml"
    company.write_text(
        "days_off:\n  - {date: 2025-03-10, name: Ngày hội công ty}\n", encoding="utf-8"
    )
    with make_warehouse(
        tmp_path / "w.duckdb",
        [{"id": "C", "received": "2025-03-03 10:00"}],
        AS_OF,
        company_file=company,
    ) as con:
        assert sla_rows(con)["C"]["due_date"] == D(2025, 3, 13)


def test_dropping_official_swaps_moves_due_dates(tmp_path):
    # Without the 2025 swap, Sat 26/04 is a weekend and Fri 02/05 a working day. Received
    # Mon 28/04: 29 Tue (1), 02/05 Fri (2), 05 (3), 06 (4), 07 (5), 08 (6), 09 Fri (7)
    # instead of 12/05 with the swap.
    company = tmp_path / "company.yaml"
    company.write_text("drop_official_swaps: true\n", encoding="utf-8")
    with make_warehouse(
        tmp_path / "w.duckdb",
        [{"id": "M", "received": "2025-04-28 10:00"}],
        AS_OF,
        company_file=company,
    ) as con:
        assert sla_rows(con)["M"]["due_date"] == D(2025, 5, 9)


# -------------------------------------------------------------------------- properties

PROPERTY_START, PROPERTY_END = D(2023, 1, 1), D(2027, 6, 30)


@pytest.fixture(scope="module")
def prop_con(tmp_path_factory):
    path = tmp_path_factory.mktemp("prop") / "w.duckdb"
    with connect(path) as con:
        ensure_schema(con)
        store_calendar(con, *calendar_range(PROPERTY_START, PROPERTY_END))
        working = dict(con.execute("select date, is_working_day from core.calendar").fetchall())
        yield con, working


def reference_due(working: dict[dt.date, bool], receipt: dt.date, n: int) -> dt.date:
    """The due date by walking the calendar day by day (independent of the SQL's join)."""
    day, counted = receipt, 0
    while counted < n:
        day += dt.timedelta(days=1)
        counted += working[day]
    return day


complaint_times = st.datetimes(dt.datetime(2023, 1, 1), dt.datetime(2027, 6, 30, 23, 59))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    received=st.lists(complaint_times, min_size=1, max_size=12),
    n=st.integers(1, 15),
    as_of=st.dates(D(2023, 1, 1), D(2027, 6, 30)),
)
def test_due_date_properties(prop_con, received, n, as_of):
    con, working = prop_con
    con.execute("delete from core.complaint_versions")
    insert_complaints(
        con, [{"id": f"P{i}", "received": r.isoformat()} for i, r in enumerate(received)]
    )
    build_marts(con, as_of, sla_working_days=n)
    for receipt, due, status in con.execute(
        "select receipt_date, due_date, sla_status from marts.complaint_sla"
    ).fetchall():
        assert working[due], "due date must be a working day"
        assert due > receipt
        between = [
            working[receipt + dt.timedelta(days=k)] for k in range(1, (due - receipt).days + 1)
        ]
        assert sum(between) == n, "exactly N working days in (receipt, due]"
        assert due == reference_due(working, receipt, n)
        assert status == ("open_overdue" if as_of > due else "open_within_sla")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    received=complaint_times,
    offsets=st.lists(st.integers(0, 60 * 24 * 40), min_size=2, max_size=10),
)
def test_working_days_to_response_is_monotone(prop_con, received, offsets):
    con, _ = prop_con
    con.execute("delete from core.complaint_versions")
    responses = sorted(received + dt.timedelta(minutes=m) for m in offsets)
    insert_complaints(
        con,
        [
            {"id": f"M{i:02d}", "received": received.isoformat(), "response": r.isoformat()}
            for i, r in enumerate(responses)
        ],
    )
    build_marts(con, received.date())
    got = con.execute(
        "select working_days_to_response, sla_status, response_date, due_date "
        "from marts.complaint_sla order by complaint_id"
    ).fetchall()
    days = [g[0] for g in got]
    assert days == sorted(days)
    assert days[0] >= 0
    for wd, status, response, due in got:
        assert status == ("met" if response <= due else "breached")
        # Status compares dates: an answer on the Saturday after a Friday due date is late
        # with 7 working days, so only these one-way bounds hold.
        assert wd <= 7 if status == "met" else wd >= 7


# ------------------------------------------------------------------------ reconciliation


def random_rows(count: int, seed: int = 20250301) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        received = dt.datetime(2024, 11, 1) + dt.timedelta(minutes=rng.randrange(60 * 24 * 200))
        row = {
            "id": f"R{i:04d}",
            "received": received.isoformat(),
            "category": rng.choice(["service", "process", "staff_conduct", None]),
            "channel": rng.choice(["email", "phone", "app"]),
            "handler": rng.choice(["H-1", "H-2", "H-3", "H-9", None]),
            "partner": rng.choice(["P-1", "P-2", None]),
        }
        if rng.random() < 0.8:
            response = received + dt.timedelta(hours=rng.randrange(1, 24 * 20))
            row["response"] = response.isoformat()
            if rng.random() < 0.7:
                row["resolved"] = (
                    response + dt.timedelta(hours=rng.randrange(0, 24 * 30))
                ).isoformat()
                if rng.random() < 0.3:
                    row["review"] = row["resolved"]
                    row["review_outcome"] = rng.choice(["changed", "unchanged", "pending", None])
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def recon(tmp_path_factory):
    with make_warehouse(
        tmp_path_factory.mktemp("recon") / "w.duckdb", random_rows(600), D(2025, 5, 20)
    ) as con:
        yield con


COUNTS = ["received", "responded", "met", "breached", "open_within_sla", "open_overdue"]


def test_monthly_counts_reconcile_with_complaint_sla(recon):
    expected = recon.execute("""
        select cast(date_trunc('month', receipt_date) as date), count(*), count(response_date),
               count_if(sla_status = 'met'), count_if(sla_status = 'breached'),
               count_if(sla_status = 'open_within_sla'), count_if(sla_status = 'open_overdue')
        from marts.complaint_sla group by 1 order by 1""").fetchall()
    got = recon.execute(
        f"select month, {', '.join(COUNTS)} from marts.sla_monthly order by month"
    ).fetchall()
    assert got == expected
    for _month, received, responded, met, breached, within, overdue in got:
        assert received == met + breached + within + overdue
        assert responded == met + breached
    rates = recon.execute(
        "select met, breached, open_overdue, compliance_rate from marts.sla_monthly"
    ).fetchall()
    for met, breached, overdue, rate in rates:
        assert rate == pytest.approx(met / (met + breached + overdue))


def test_breakdown_reconciles_with_monthly_for_every_dimension(recon):
    sums = ", ".join(f"sum({c})" for c in COUNTS)
    by_dimension = recon.execute(f"""
        select dimension, month, {sums} from marts.sla_breakdown
        group by dimension, month order by dimension, month""").fetchall()
    monthly = recon.execute(
        f"select month, {', '.join(COUNTS)} from marts.sla_monthly order by month"
    ).fetchall()
    dimensions = {r[0] for r in by_dimension}
    assert dimensions == {"category", "channel", "handler_team", "handler", "partner"}
    for dim in dimensions:
        assert [r[1:] for r in by_dimension if r[0] == dim] == monthly, dim
    # A handler missing from core.staff and a missing handler both land in '(unknown)' teams.
    unknown = recon.execute(
        "select sum(received) from marts.sla_breakdown where dimension = "
        "'handler_team' and dimension_value = '(unknown)'"
    ).fetchall()[0][0]
    assert (
        unknown
        == recon.execute(
            "select count(*) from marts.complaint_sla where handler_team is null"
        ).fetchall()[0][0]
        > 0
    )


def test_review_monthly_reconciles(recon):
    got = recon.execute(
        "select sum(resolved), sum(review_requests), sum(reviews_decided), "
        "sum(reviews_changed) from marts.review_monthly"
    ).fetchall()[0]
    expected = recon.execute("""
        select count(resolution_date), count(review_requested_at),
               count_if(review_requested_at is not null
                        and review_outcome in ('changed', 'unchanged')),
               count_if(review_requested_at is not null and review_outcome = 'changed')
        from marts.complaint_sla where resolution_date is not null""").fetchall()[0]
    assert got == expected
    for resolved, requests, share, decided, changed, changed_share in recon.execute(
        "select resolved, review_requests, review_share, reviews_decided, reviews_changed, "
        "changed_share from marts.review_monthly"
    ).fetchall():
        assert share == pytest.approx(requests / resolved)
        assert changed_share == (pytest.approx(changed / decided) if decided else None)


def test_open_at_risk_matches_complaint_sla(recon):
    at_risk = recon.execute(
        "select complaint_id, working_days_left from marts.open_at_risk"
    ).fetchall()
    overdue = {
        r[0]
        for r in recon.execute(
            "select complaint_id from marts.complaint_sla where sla_status = 'open_overdue'"
        ).fetchall()
    }
    assert overdue <= {r[0] for r in at_risk}
    assert all(days < 0 for cid, days in at_risk if cid in overdue)
    assert all(0 <= days <= 2 for cid, days in at_risk if cid not in overdue)
