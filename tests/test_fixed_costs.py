"""Fixed costs: build and report never import Great Expectations; the marts are one Dagster step
with one asset per table (subsettable, lineage per table); one DuckDB connection per run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, AssetSelection, DagsterInstance, RunConfig, asset, materialize

from base.warehouse import connect
from pipelines.assets.ingest import IngestConfig, ingest_exports
from pipelines.assets.marts import build_params, calendar, mart_assets
from pipelines.definitions import defs
from pipelines.resources import WarehouseResource
from tests.conftest import REPO, complaint
from tests.dagster_events import materialised_keys
from tests.shapes import write_rows


def _ingested(tmp_path, warehouse, instance):
    rows = [
        complaint("F-1", "2026-02-13 10:00", first_response_at="2026-02-24 09:00"),
        complaint("F-2", "2026-03-02 10:00", category="staff_conduct", employee_id="NV1"),
    ]
    path = write_rows(tmp_path / "register_2026-03-06.csv", rows, "csv_utf8_en")
    materialize(
        [ingest_exports],
        resources={"warehouse": warehouse},
        instance=instance,
        run_config=RunConfig(ops={ingest_exports.op.name: IngestConfig(paths=[str(path)])}),
    )


def _in_fresh_process(code: str, home: Path) -> str:
    """Run ``code`` in a new Python process on ``home`` (nothing imported yet); its stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env={**os.environ, "COMPLAINTS_HOME": str(home)},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_build_and_report_never_import_great_expectations(tmp_path, home, warehouse):
    _ingested(tmp_path, warehouse, DagsterInstance.ephemeral())
    code = (
        "import sys\n"
        "from pipelines.cli import app\n"
        "for args in (['build'], ['report', '--month', '2026-03']):\n"
        "    app(args, standalone_mode=False)\n"
        "print('LOADED', sorted(m for m in ('great_expectations', 'duckdb_engine')"
        " if m in sys.modules))\n"
    )
    stdout = _in_fresh_process(code, home)
    assert "LOADED []" in stdout
    assert (home / "reports" / "2026-03" / "management.html").exists()


def test_a_snapshot_with_nothing_new_loads_without_great_expectations(tmp_path, home, warehouse):
    """The same file again, and the same rows in a later export of another shape, have no row
    to check: they load without importing GX; a file with one new row imports it and checks
    that row."""
    _ingested(tmp_path, warehouse, DagsterInstance.ephemeral())
    same = [
        complaint("F-1", "2026-02-13 10:00", first_response_at="2026-02-24 09:00"),
        complaint("F-2", "2026-03-02 10:00", category="staff_conduct", employee_id="NV1"),
    ]
    # the same rows exported again later, as a Vietnamese workbook (another file, same content)
    later = write_rows(tmp_path / "register_2026-04-06.xlsx", same, "xlsx_vi")
    new = write_rows(
        tmp_path / "register_2026-05-06.csv",
        [*same, complaint("F-3", "2026-05-04 10:00")],
        "csv_utf8_en",
    )
    code = (
        "import sys\n"
        "from pipelines import runs\n"
        "def gx(): return 'great_expectations' in sys.modules\n"
        f"first = runs.ingest([{str(tmp_path / 'register_2026-03-06.csv')!r}, {str(later)!r}])\n"
        "print('SEEN', gx(), [(f.status, f.rows_checked) for f in first.files])\n"
        f"second = runs.ingest([{str(new)!r}])\n"
        "print('NEW', gx(), [(f.rows_loaded, f.rows_checked) for f in second.files])\n"
    )
    stdout = _in_fresh_process(code, home)
    assert "SEEN False [('duplicate_file', 0), ('loaded', 0)]" in stdout
    assert "NEW True [(1, 1)]" in stdout


def test_marts_are_one_step_with_an_asset_and_lineage_per_table():
    (marts,) = mart_assets()
    keys = {"/".join(k.path) for k in marts.keys}
    assert {
        "marts/complaint_sla",
        "marts/sla_monthly",
        "marts/pattern_flags",
        "marts/employee_monthly",
    } <= keys
    assert marts.can_subset
    graph = defs.resolve_asset_graph()
    # Lineage as the SQL reads it: sla_monthly reads complaint_sla; complaint_sla reads
    # core.complaints, core.calendar and core.build_params.
    assert (
        AssetKey(["marts", "complaint_sla"])
        in graph.get(AssetKey(["marts", "sla_monthly"])).parent_keys
    )
    assert {AssetKey(["core", "complaints"]), AssetKey(["core", "calendar"])} <= graph.get(
        AssetKey(["marts", "complaint_sla"])
    ).parent_keys
    build = defs.resolve_job_def("build_job")
    assert sorted(n.name for n in build.graph.node_defs) == [
        "core__build_params",
        "core__build_params_latest_export_rejected_share",
        "core__calendar",
        "marts",
    ]


def test_a_subset_of_marts_builds_only_those_tables(tmp_path, warehouse, settings):
    instance = DagsterInstance.ephemeral()
    _ingested(tmp_path, warehouse, instance)
    materialize([build_params, calendar], resources={"warehouse": warehouse}, instance=instance)
    wanted = AssetSelection.assets(
        AssetKey(["marts", "complaint_sla"]), AssetKey(["marts", "sla_monthly"])
    )
    result = materialize(
        mart_assets(), selection=wanted, resources={"warehouse": warehouse}, instance=instance
    )
    built = materialised_keys(result)
    assert built == {"marts/complaint_sla", "marts/sla_monthly"}
    with connect(settings.warehouse_path, read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
        assert tables == {"complaint_sla", "sla_monthly"}
        assert con.execute("SELECT count(*) FROM marts.complaint_sla").fetchall() == [(2,)]


def test_steps_of_a_run_share_one_connection(warehouse):
    seen = []

    @asset
    def first(warehouse: WarehouseResource) -> None:
        with warehouse.connection() as con:
            con.execute("CREATE OR REPLACE TEMP TABLE marker AS SELECT 42 AS v")
            seen.append(id(con))

    @asset(deps=[first])
    def second(warehouse: WarehouseResource) -> None:
        with warehouse.connection() as con:
            # A TEMP table lives only on its connection: visible here means the same one.
            seen.append(con.execute("SELECT v FROM marker").fetchall()[0][0])
            seen.append(id(con))

    assert materialize(
        [first, second], resources={"warehouse": warehouse}, instance=DagsterInstance.ephemeral()
    ).success
    assert seen[1] == 42 and seen[0] == seen[2]
    # After the run the connection is closed and the lock released: a new writer gets in.
    with warehouse.connection() as con:
        assert con.execute("SELECT 1").fetchall() == [(1,)]


def test_dagster_storage_commits_without_waiting_for_the_disk(tmp_path, home):
    """`complaints month` in a fresh process: every connection Dagster opens to its SQLite
    storage in WAL mode commits with synchronous=NORMAL (no fsync per event; SQLite's default
    FULL waited for the disk at each of ~365 commits), the files are checkpointed when the command
    ends (no WAL file left), and the run history reads back whole from a new process."""
    path = write_rows(
        tmp_path / "register_2026-03-06.csv",
        [complaint("F-1", "2026-02-13 10:00", first_response_at="2026-02-24 09:00")],
        "csv_utf8_en",
    )
    month = (
        "import sqlite3\n"
        "from sqlalchemy import event\n"
        "from sqlalchemy.pool import Pool\n"
        "from pipelines import runs\n"
        "seen = set()\n"
        "def checkout(dbapi, record, proxy):\n"
        "    if isinstance(dbapi, sqlite3.Connection):\n"
        "        mode = dbapi.execute('PRAGMA journal_mode').fetchall()[0][0]\n"
        "        seen.add((mode, dbapi.execute('PRAGMA synchronous').fetchall()[0][0]))\n"
        "event.listen(Pool, 'checkout', checkout)\n"
        f"runs.raise_for_problems(runs.month([{str(path)!r}]))\n"
        "print('SYNCHRONOUS', sorted(seen))\n"
    )
    # A file's first connections, before Dagster puts it in WAL mode, keep SQLite's default.
    seen = _in_fresh_process(month, home)
    assert "('wal', 1)" in seen  # 1 = NORMAL, 2 = FULL
    assert "('wal', 2)" not in seen
    history = home / "dagster" / "history"
    for store in (history / "runs.db", history / "runs" / "index.db"):
        assert not Path(f"{store}-wal").exists(), store
    read = (
        "from pipelines.runs import instance\n"
        "with instance() as i:\n"
        "    print('RUNS', sorted((r.job_name, r.status.value) for r in i.get_runs()))\n"
    )
    assert "RUNS [('inbox_job', 'SUCCESS'), ('report_job', 'SUCCESS')]" in _in_fresh_process(
        read, home
    )
