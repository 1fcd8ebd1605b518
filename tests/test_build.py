"""`complaints build` through Dagster: calendar, parameters and every SQL mart, reconciled."""

from __future__ import annotations

import datetime as dt

from dagster import DagsterInstance, RunConfig, materialize

from base.warehouse import connect
from pipelines.assets.ingest import IngestConfig, ingest_exports
from pipelines.assets.marts import build_params, calendar, mart_assets
from tests.conftest import complaint
from tests.shapes import write_rows


def test_build_materialises_every_mart(tmp_path, warehouse, settings):
    rows = [
        complaint("B-1", "2026-02-13 10:00", first_response_at="2026-02-24 09:00"),
        complaint("B-2", "2026-02-13 10:00", first_response_at="2026-02-26 09:00"),
        complaint("B-3", "2026-03-02 10:00"),
    ]
    path = write_rows(tmp_path / "register_2026-03-06.csv", rows, "csv_utf8_en")
    instance = DagsterInstance.ephemeral()
    materialize(
        [ingest_exports],
        resources={"warehouse": warehouse},
        instance=instance,
        run_config=RunConfig(ops={ingest_exports.op.name: IngestConfig(paths=[str(path)])}),
    )
    result = materialize(
        [build_params, calendar, *mart_assets()],
        resources={"warehouse": warehouse},
        instance=instance,
    )
    assert result.success
    with connect(settings.warehouse_path, read_only=True) as con:
        # Tết 2026: Mon 16 - Fri 20 Feb off. Received Fri 13/02: working days 23, 24, 25, 26, 27
        # Feb, 2, 3 Mar -> due Tue 3 Mar. B-1 answered 24/02 (met), B-2 26/02 (met); B-3 is open
        # and not yet due on as_of 06/03 (due Wed 11/03).
        got = con.execute(
            "SELECT complaint_id, due_date, sla_status FROM marts.complaint_sla ORDER BY 1"
        ).fetchall()
        assert got == [
            ("B-1", dt.date(2026, 3, 3), "met"),
            ("B-2", dt.date(2026, 3, 3), "met"),
            ("B-3", dt.date(2026, 3, 11), "open_within_sla"),
        ]
        assert con.execute("SELECT as_of FROM core.build_params").fetchall() == [
            (dt.date(2026, 3, 6),)
        ]
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
    assert {
        "complaint_sla",
        "sla_monthly",
        "sla_breakdown",
        "open_at_risk",
        "review_monthly",
        "register_integrity",
    } <= tables


def test_as_of_before_any_register_is_today_in_the_company_s_time_zone(con, settings):
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart, so at any moment one of
    # them is on another date than the host's: the default as_of must be the zone's own today.
    from zoneinfo import ZoneInfo

    from pipelines.build_params import write_build_params

    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        zoned = settings.model_copy(update={"timezone": zone})
        before = dt.datetime.now(ZoneInfo(zone)).date()
        day = write_build_params(con, zoned, None)
        assert day in {before, dt.datetime.now(ZoneInfo(zone)).date()}
    assert con.execute("SELECT as_of FROM core.build_params").fetchall() == [(day,)]
