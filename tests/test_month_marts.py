"""Incremental marts.funnel (pipelines/month_marts.py): after every build of a series of monthly
exports, late complaints, its inputs rebuilt alone in between, as_of moved back and a changed
setting, the table kept and partly recomputed equals a full rebuild of models/marts/funnel.sql
on the same warehouse.

The builds run through the real build job (runs.build) on the demo's exports; the full rebuild
is the model's SQL run whole next to it. Floats may differ in the last bits (DuckDB's parallel
sums add in any order), so they are compared within 1e-9; every other column exactly."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import pandas as pd
import pytest
from dagster import AssetKey, AssetSelection, materialize

from base.settings import get_settings
from base.warehouse import connect
from pipelines import month_marts, runs
from pipelines.assets.marts import mart_assets
from pipelines.demo.generator import generate_demo
from pipelines.models import MODELS_DIR, discover_models
from pipelines.options import Kind, Scope
from pipelines.resources import WarehouseResource
from tests.conftest import complaint
from tests.shapes import write_rows

FUNNEL = discover_models(MODELS_DIR)["marts.funnel"]
KEY = ("review_month", "subject_type", "subject_id")


def _recomputed() -> str:
    """The months the last build recomputed, from the funnel's latest materialisation."""
    event = runs.instance().get_latest_materialization_event(AssetKey(["marts", "funnel"]))
    assert event is not None and event.asset_materialization is not None
    return str(event.asset_materialization.metadata["months recomputed"].value)


def _differences(con: duckdb.DuckDBPyConnection) -> tuple[int, int, list[tuple]]:
    """(rows kept, rows of a full rebuild, rows that differ in any column)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE full_funnel AS {FUNNEL.sql}")
    columns = con.execute("DESCRIBE full_funnel").fetchall()
    tests = []
    for name, kind, *_ in columns:
        if name in KEY:
            continue
        if kind == "DOUBLE":
            tests.append(
                f"(k.{name} IS NULL) <> (f.{name} IS NULL) OR "
                f"abs(k.{name} - f.{name}) > 1e-9 * greatest(1, abs(f.{name}))"
            )
        else:
            tests.append(f"k.{name} IS DISTINCT FROM f.{name}")
    on = " AND ".join(f"k.{c} = f.{c}" for c in KEY)
    differing = con.execute(
        f"SELECT coalesce(k.review_month, f.review_month), coalesce(k.subject_id, f.subject_id) "
        f"FROM marts.funnel AS k FULL JOIN full_funnel AS f ON {on} "
        f"WHERE k.review_month IS NULL OR f.review_month IS NULL OR {' OR '.join(tests)}"
    ).fetchall()
    kept = con.execute("SELECT count(*) FROM marts.funnel").fetchall()[0][0]
    full = con.execute("SELECT count(*) FROM full_funnel").fetchall()[0][0]
    return kept, full, differing


def _assert_equal_to_full_rebuild() -> int:
    with connect(get_settings().warehouse_path) as con:
        kept, full, differing = _differences(con)
        unique = con.execute(
            f"SELECT count(DISTINCT ({', '.join(KEY)})) FROM marts.funnel"
        ).fetchall()[0][0]
    assert differing == []
    assert kept == full == unique
    return kept


def _months(recomputed: str) -> list[str]:
    return [] if recomputed == "none" else recomputed.split(", ")


@pytest.mark.usefixtures("home")
def test_incremental_funnel_equals_full_rebuild(tmp_path, monkeypatch):
    out = tmp_path / "exports"
    manifest = generate_demo(out)
    files = manifest["files"]
    for kind in ("staff", "partners", "activity"):
        runs.raise_for_problems(runs.ingest([out / files[kind]], Kind(kind), runs.DEMO_EXPORTED_AT))
    snapshots = [out / s["file"] for s in files["register"]]

    # The first build has no state: the whole table.
    runs.raise_for_problems(runs.ingest(snapshots[-6:-5]))
    runs.raise_for_problems(runs.build())
    assert _recomputed() == "all"
    first = _assert_equal_to_full_rebuild()
    assert first > 100

    # Each later monthly export: only the months whose window changed, and the same table.
    recomputed = []
    for snapshot in snapshots[-5:]:
        runs.raise_for_problems(runs.ingest([snapshot]))
        runs.raise_for_problems(runs.build())
        recomputed.append(_months(_recomputed()))
        _assert_equal_to_full_rebuild()
    with connect(get_settings().warehouse_path, read_only=True) as con:
        every = con.execute("SELECT count(DISTINCT review_month) FROM marts.funnel").fetchall()
    assert all(0 < len(months) < every[0][0] for months in recomputed)
    # Late decisions and reviews of older complaints reach back beyond the new month.
    assert any(len(months) > 2 for months in recomputed)

    # A complaint of March first seen now, answered late, naming no staff member or partner:
    # only its handler's month changes (handler_monthly has no rolling sums to spread it), so
    # only the window's reach recomputes the review months after March that sum it.
    with connect(get_settings().warehouse_path, read_only=True) as con:
        handler = con.execute(
            "SELECT min(handler_id) FROM core.complaints WHERE received_at >= '2026-03-01'"
        ).fetchall()[0][0]
    late = complaint(
        "LATE-1",
        "2026-03-03 09:00",
        handler_id=handler,
        first_response_at="2026-04-20 09:00",
        resolved_at="2026-04-21 09:00",
        status="closed",
        outcome="not_upheld",
    )
    delta = write_rows(tmp_path / "late.csv", [late], "csv_utf8_en")
    runs.raise_for_problems(runs.ingest([delta], exported_at="2026-10-31T20:00", scope=Scope.delta))
    runs.raise_for_problems(runs.build())
    _assert_equal_to_full_rebuild()
    # (rising_trend reads 3 + 9 months: March reaches every review month up to October)
    assert _months(_recomputed()) == [f"2026-{m:02d}" for m in range(3, 11)]

    # The inputs rebuilt alone (a selection in the Dagster UI) before the funnel's next build:
    # the funnel compares with the digests of its own last build, so the change still shows.
    june = complaint(
        "LATE-2",
        "2026-06-02 09:00",
        handler_id=handler,
        first_response_at="2026-07-20 09:00",
        status="open",
    )
    delta = write_rows(tmp_path / "late2.csv", [june], "csv_utf8_en")
    runs.raise_for_problems(runs.ingest([delta], exported_at="2026-10-31T21:00", scope=Scope.delta))
    inputs = AssetSelection.assets(
        *(AssetKey(["marts", t]) for t in ("complaint_sla", "handler_monthly", "subject_monthly"))
    )
    subset = materialize(
        [*mart_assets()],
        selection=inputs,
        resources={"warehouse": WarehouseResource()},
        instance=runs.instance(),
    )
    assert subset.success
    runs.raise_for_problems(runs.build())
    _assert_equal_to_full_rebuild()
    assert _months(_recomputed()) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]

    # Nothing new: nothing recomputed.
    runs.raise_for_problems(runs.build())
    assert _recomputed() == "none"

    # as_of moved back: the months after it are dropped, the months it moved over recomputed.
    runs.raise_for_problems(runs.build(as_of="2026-08-15"))
    assert _months(_recomputed()) == ["2026-08", "2026-09", "2026-10"]
    _assert_equal_to_full_rebuild()
    with connect(get_settings().warehouse_path, read_only=True) as con:
        last = con.execute("SELECT max(review_month) FROM marts.funnel").fetchall()[0][0]
    assert last == dt.date(2026, 8, 1)

    # A changed setting the funnel reads: the whole table again.
    monkeypatch.setenv("COMPLAINTS_PATTERNS__OUTLIER_WINDOW", "4")
    get_settings.cache_clear()
    runs.raise_for_problems(runs.build())
    assert _recomputed() == "all"
    _assert_equal_to_full_rebuild()


def test_the_funnel_reads_the_variable_its_spec_sets(monkeypatch):
    """The months to recompute pass from Python to funnel.sql by a variable's name: the code
    location checks the SQL reads that name, so a typo on either side stops it loading."""
    models = discover_models(MODELS_DIR)
    month_marts.check_models(models)
    assert f"getvariable('{month_marts.FUNNEL_REVIEW_MONTHS}')" in FUNNEL.code
    misspelt = dataclasses.replace(
        month_marts.PARTITIONED["marts.funnel"], variable="funnel_review_month"
    )
    monkeypatch.setitem(month_marts.PARTITIONED, "marts.funnel", misspelt)
    with pytest.raises(ValueError, match="does not read getvariable\\('funnel_review_month'\\)"):
        month_marts.check_models(models)


@pytest.mark.usefixtures("home")  # clears the settings read here when the test ends
@pytest.mark.parametrize(
    "setting, value",
    [("PERSISTENT_WINDOW", "14"), ("TREND_WINDOW", "11"), ("OUTLIER_WINDOW", "5")],
)
def test_the_funnels_reach_covers_every_window_a_verdict_reads(monkeypatch, setting, value):
    """A change in month m reaches every review month whose verdicts read m: the rule windows,
    the dispersion window behind tau2, and one month more, since whether a persistent flag is
    new reads the month before's verdict."""
    monkeypatch.setenv(f"COMPLAINTS_PATTERNS__{setting}", value)
    get_settings.cache_clear()
    p = get_settings().patterns
    needed = 1 + max(p.outlier_window + p.trend_window, p.persistent_window, p.dispersion_window)
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.register("params", pd.DataFrame([p.model_dump()]))
    con.execute("CREATE TABLE core.pattern_params AS SELECT * FROM params")
    reach = con.execute(month_marts.PARTITIONED["marts.funnel"].window).fetchall()[0][0]
    assert reach >= needed
