"""The asset graph runs for real: dagster.materialize on a temporary home, blocking gates."""

from __future__ import annotations

import re
from pathlib import Path

from dagster import (
    AssetSelection,
    DagsterInstance,
    RunConfig,
    RunRequest,
    SensorEvaluationContext,
    build_sensor_context,
    materialize,
)

from base.kinds import Kind
from base.warehouse import connect
from pipelines.assets.ingest import IngestConfig, ingest_exports
from pipelines.assets.keys import (
    BUILD_GROUP,
    GROUPS,
    INGEST_GROUP,
    MARTS_GROUP,
    MONTHLY_REVIEW,
    REPORTS_GROUP,
    table_key,
)
from pipelines.assets.marts import build_params, latest_export_quality_gate
from pipelines.definitions import defs
from pipelines.ingest.batch import expand
from pipelines.ingest.load import file_sha256
from pipelines.sensors import inbox_sensor
from tests.conftest import REPO, complaint, run_cli
from tests.dagster_events import materialised_keys
from tests.shapes import write_rows


def run_config(path: Path, kind: Kind = Kind.register) -> RunConfig:
    return RunConfig(ops={ingest_exports.op.name: IngestConfig(paths=[str(path)], kind=kind)})


def inbox_requests(context: SensorEvaluationContext) -> list[RunRequest]:
    """The inbox sensor's run requests (it returns a list, or a SkipReason when idle)."""
    requests = inbox_sensor(context)
    assert isinstance(requests, list), f"expected run requests, got {requests!r}"
    return requests


def test_definitions_load_with_every_job():
    names = {job.name for job in defs.resolve_all_job_defs()}
    assert {"ingest_job", "build_job", "inbox_job"} <= names


def test_every_asset_is_in_a_known_group_and_each_job_selects_whole_groups():
    """A group name or key that drifted would drop assets from a job: every asset is in one of
    the groups of pipelines/assets/keys.py, and each job selects exactly its groups' assets."""
    graph = defs.resolve_asset_graph()
    group_of = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(group_of.values()) == set(GROUPS)
    jobs = {
        "ingest_job": {INGEST_GROUP},
        "build_job": {BUILD_GROUP, MARTS_GROUP},
        "inbox_job": {INGEST_GROUP, BUILD_GROUP, MARTS_GROUP},
        "report_job": {REPORTS_GROUP},
    }
    for name, groups in jobs.items():
        selected = defs.resolve_job_def(name).asset_layer.selected_asset_keys
        assert selected, name
        assert selected == {key for key, group in group_of.items() if group in groups}, name


def test_the_monthly_review_is_downstream_of_every_mart_the_reports_read():
    graph = defs.resolve_asset_graph()
    upstream = AssetSelection.assets(MONTHLY_REVIEW).upstream().resolve(graph)
    code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "reports").glob("*.py"))
    read = {table_key(f"marts.{name}") for name in re.findall(r"\bmarts\.([a-z_]+)", code)}
    assert read and read <= upstream


def test_ingest_materialises_core_tables(tmp_path, warehouse, settings):
    path = write_rows(
        tmp_path / "register_2026-01-31.xlsx",
        [complaint("K1", "2026-01-05 09:00"), complaint("K2", "2026-01-06 09:00")],
        "xlsx_vi",
    )
    result = materialize(
        [ingest_exports],
        resources={"warehouse": warehouse},
        run_config=run_config(path),
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    keys = materialised_keys(result)
    assert {"core/complaints", "core/load_log", "quarantine/rejected_rows"} <= keys
    with connect(settings.warehouse_path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM core.complaints").fetchall() == [(2,)]


def test_blocking_gate_stops_downstream(tmp_path, warehouse, settings):
    # 12 of 13 rows rejected: over the share and over the minimum count (10), so it blocks
    rows = [complaint("K1", "2026-01-05 09:00")] + [
        complaint(None, "2026-01-05 09:00") for _ in range(12)
    ]
    path = write_rows(tmp_path / "register_2026-01-31.csv", rows, "csv_utf8_en")
    result = materialize(
        [ingest_exports, build_params],
        selection=None,
        resources={"warehouse": warehouse},
        run_config=run_config(path),
        instance=DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks] == [("rejected_share_within_limit", False)]
    description = checks[0].description
    assert description is not None, "the failed check says why"
    assert "12 of 13 rows checked in this load rejected (92.3%)" in description
    built = materialised_keys(result)
    assert "core/build_params" not in built
    # The good row is loaded and the bad ones are in quarantine: nothing lost.
    with connect(settings.warehouse_path, read_only=True) as con:
        assert con.execute("SELECT rows_loaded, rows_rejected FROM core.load_log").fetchall() == [
            (1, 12)
        ]


def test_quality_gate_check_reads_the_latest_export(tmp_path, warehouse):
    ok = write_rows(
        tmp_path / "register_2026-02-28.csv", [complaint("K1", "2026-02-05 09:00")], "csv_utf8_en"
    )
    materialize(
        [ingest_exports],
        resources={"warehouse": warehouse},
        run_config=run_config(ok),
        instance=DagsterInstance.ephemeral(),
    )
    result = materialize(
        [build_params, latest_export_quality_gate],
        resources={"warehouse": warehouse},
        instance=DagsterInstance.ephemeral(),
    )
    evaluation = next(iter(result.get_asset_check_evaluations()))
    assert evaluation.passed


def test_inbox_sensor_requests_each_file_once_by_content(tmp_path, warehouse, settings):
    inbox = settings.inbox
    inbox.mkdir(parents=True)
    reg = write_rows(
        inbox / "register_2026-01-31.csv", [complaint("K1", "2026-01-05 09:00")], "csv_utf8_en"
    )
    (inbox / "staff_2026-01-31.csv").write_text("employee_id,name,team\nNV1,A,collections\n")
    with build_sensor_context(resources={"warehouse": warehouse}) as context:
        requests = inbox_requests(context)
    assert [r.run_key for r in requests] == [
        file_sha256(inbox / "staff_2026-01-31.csv"),
        file_sha256(reg),
    ]
    assert requests[0].run_config["ops"]["ingest_exports"]["config"]["kind"] == "staff"


def test_inbox_sensor_takes_every_export_the_cli_reads(tmp_path, warehouse, settings):
    """Excel's "Unicode Text" (UTF-16, tab) and macro workbooks: the CLI reads them from a
    folder, so the inbox takes them too; other files stay where they are."""
    inbox = settings.inbox
    inbox.mkdir(parents=True)
    rows = [complaint("K1", "2026-01-05 09:00")]
    text = write_rows(inbox / "register_2026-01-31.txt", rows, "csv_utf16_tab_vi")
    book = write_rows(inbox / "register_2026-02-28.xlsm", rows, "xlsx_vi")
    (inbox / "notes.docx").write_bytes(b"PK not an export")
    with build_sensor_context(resources={"warehouse": warehouse}) as context:
        requests = inbox_requests(context)
    assert [r.tags["source_file"] for r in requests] == [text.name, book.name]
    assert expand([str(inbox)]) == [text, book]


def test_cli_bad_input_is_one_line_and_nonzero(tmp_path, home):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,price\nphở,45000\n", encoding="utf-8")
    proc = run_cli(home, "ingest", str(bad))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {bad}: missing required columns complaint_id (Mã khiếu nại), "
        "received_at (Thời gian tiếp nhận); nothing was loaded"
    ]


def test_cli_validate_loads_nothing(tmp_path, home):
    path = write_rows(
        tmp_path / "register_2026-01-31.csv",
        [
            complaint("K1", "2026-01-05 09:00"),
            complaint("K2", "2026-01-05 09:00", first_response_at="2026-01-04 09:00"),
        ],
        "csv_utf8_en",
    )
    proc = run_cli(home, "validate", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "read 2, would load 1, unchanged 0, rejected 1" in proc.stdout
    assert (
        "row 3 (K2): thời gian phản hồi đầu tiên 2026-01-04 09:00 sớm hơn thời gian tiếp nhận "
        "2026-01-05 09:00 / first_response_at 2026-01-04 09:00 is earlier than received_at "
        "2026-01-05 09:00"
    ) in proc.stdout
    assert "Calculating Metrics" not in proc.stdout + proc.stderr
    assert not (home / "warehouse.duckdb").exists()
