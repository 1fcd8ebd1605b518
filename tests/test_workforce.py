"""Flags that hold in a real workforce (issue 24): team moves read from monthly staff exports,
tiny teams, missing activity, busy people and one customer's repeated complaints.

Each case is built with the real loader (staff exports) or written to the core tables as
ingestion stores them (tests/patterns_world.py), then built with the build's own steps; the
arithmetic behind every expected value is written out beside it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from base.warehouse import connect
from pipelines.ingest.load import ensure_schema, load_file
from tests.patterns_world import World, build, store

YEAR = [f"2026-{m:02d}" for m in range(1, 11)]
WINDOW = ["2026-08", "2026-09", "2026-10"]
RATE_FLAGS = ("outlier_rate", "persistent", "rising_trend")


def staff_export(folder: Path, date: str, teams: dict[str, str]) -> Path:
    """A staff snapshot named by its export date (the loader reads the date from the name)."""
    path = folder / f"staff_{date}.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["employee_id", "team", "role"])
        writer.writerows([e, t, "agent"] for e, t in sorted(teams.items()))
    return path


def all_flags(con, subject_id: str):
    return con.execute(
        "SELECT strftime(review_month, '%Y-%m') AS month, rule, severity FROM marts.pattern_flags "
        "WHERE subject_id = ? ORDER BY 1, 2",
        [subject_id],
    ).fetchall()


def funnel_rows(con, subject_id: str):
    return con.execute(
        "SELECT strftime(review_month, '%Y-%m'), peer_group, observed, peers, group_findings, "
        "verdict, persistent_p_value FROM marts.funnel WHERE subject_id = ? ORDER BY 1",
        [subject_id],
    ).fetchall()


# ------------------------------------------------------------------------------ team history


def test_a_team_move_never_rewrites_past_months(tmp_path, settings):
    # Team A: M and H1-H9, team B: L1-L10, 1,000 interactions a month each, January-October.
    # Monthly staff exports dated the 1st; M is in A up to the export of 01/07 and in B from
    # the export of 01/08, so M's months are January-July in A, August-October in B.
    # Findings: each of H1-H9 one every month (A's rate: 1 per 1,000); M one in each of
    # March-July (a normal agent of A); L1 one in February, May, August and October (B is quiet).
    # July, M in A: persistent window February-July, 5 months with a finding; the monthly chance
    # at A's rate (M left out) is 1 - e^(-1000 * 9/9000) = 0.632, so
    # p = 6 * 0.632^5 * 0.368 + 0.632^6 = 0.287: nothing unusual. Outlier window May-July:
    # 3 of the group's 30 findings at a share of 3,000/30,000: p = P(Bin(30, 0.1) >= 3) = 0.589.
    # Read with the latest export only (the old core.staff), M would be in B for every month:
    # in March, April, June and July B's peers had no finding, a monthly chance of 0 and p = 0:
    # `high persistent` for the months before the move.
    members_a = ["M", *[f"H{i}" for i in range(1, 10)]]
    members_b = [f"L{i}" for i in range(1, 11)]
    world = World()
    for e in members_a + members_b:
        world.exposure("employee", e, YEAR, 1000)
    for e in members_a[1:]:
        for month in YEAR:
            world.add(month, 1, employee_id=e)
    for month in YEAR[2:7]:
        world.add(month, 1, employee_id="M")
    for month in ("2026-02", "2026-05", "2026-08", "2026-10"):
        world.add(month, 1, employee_id="L1")
    exports = []
    for i, month in enumerate(YEAR, start=1):
        teams = {e: "A" for e in members_a} | {e: "B" for e in members_b}
        if i >= 8:
            teams["M"] = "B"
        exports.append(staff_export(tmp_path, f"{month}-01", teams))

    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        for path in exports[:7]:
            assert load_file(con, path, "staff", settings).rows_rejected == 0
        store(con, world)
        build(con, settings, "2026-07-31")
        before = funnel_rows(con, "M")
        for path in exports[7:]:
            load_file(con, path, "staff", settings)
        build(con, settings, "2026-10-31")
        after = funnel_rows(con, "M")
        # a file identical to one loaded is not loaded again: the snapshots of 01/01 and 01/08
        assert con.execute(
            "SELECT strftime(exported_at, '%Y-%m-%d'), peer_group FROM core.directory_history "
            "WHERE subject_id = 'M' ORDER BY 1"
        ).fetchall() == [("2026-01-01", "A"), ("2026-08-01", "B")]
        assert [r[1] for r in after] == ["A"] * 7 + ["B"] * 3
        # the months before the move keep their peer group, counts, p-values and verdicts
        assert after[:7] == before
        july = after[6]
        assert july[2:5] == (3, 9, 30) and july[5] == "within"
        assert july[6] == pytest.approx(6 * 0.6321**5 * 0.3679 + 0.6321**6, abs=2e-3)
        assert not [f for f in all_flags(con, "M") if f[2] in ("high", "medium")]
        # core.staff still keeps the latest export
        assert con.execute("SELECT team FROM core.staff WHERE employee_id = 'M'").fetchone() == (
            "B",
        )
