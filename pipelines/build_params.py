"""The parameters the SQL models read: as_of and the SLA, the pattern thresholds, value labels."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from base import clock
from base.labels import VALUE_LABELS
from base.settings import Settings
from base.warehouse import ensure_schema, has_table, replace_table, scalar
from pipelines.when import parse_when


def default_as_of(con: duckdb.DuckDBPyConnection, settings: Settings) -> dt.date:
    """The day of the latest register export; before any, today in the settings' time zone."""
    latest = scalar(con, "SELECT exported_at FROM core.latest_register_export")
    return (latest or clock.now(settings)).date()


def write_build_params(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: str | None
) -> dt.date:
    """Record the parameters the SQL models read; as_of defaults to the latest export."""
    ensure_schema(con)
    day = parse_when(as_of, "--as-of").date() if as_of else default_as_of(con, settings)
    con.execute("DELETE FROM core.build_params")
    con.execute(
        "INSERT INTO core.build_params VALUES (?, ?, ?, ?, ?)",
        [
            day,
            settings.sla.working_days,
            settings.sla.goal,
            settings.sla.at_risk_working_days,
            clock.now(settings),
        ],
    )
    write_pattern_params(con, settings)
    write_value_labels(con)
    return day


def write_pattern_params(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The pattern-flag thresholds (docs/statistics.md) as a one-row table for the models."""
    replace_table(con, "core.pattern_params", pd.DataFrame([settings.patterns.model_dump()]))


def write_value_labels(con: duckdb.DuckDBPyConnection) -> None:
    """Codes with their Vietnamese labels, so flags and reports can speak both languages."""
    frame = pd.DataFrame(
        [(f, code, vi) for f, labels in VALUE_LABELS.items() for code, vi in labels.items()],
        columns=["field", "code", "label_vi"],
    )
    replace_table(con, "core.value_labels", frame)


def report_months(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """The months a report can be written for: from the register's first month (received_at)
    to the month of the latest build's as_of; none before a build or a register load."""
    if not (has_table(con, "core.complaints") and has_table(con, "core.build_params")):
        return []
    rows = con.execute("""
        SELECT CAST(m AS DATE) FROM range(
            (SELECT date_trunc('month', min(received_at)) FROM core.complaints),
            (SELECT date_trunc('month', max(as_of)) FROM core.build_params) + INTERVAL 1 MONTH,
            INTERVAL 1 MONTH
        ) AS t(m) ORDER BY 1""").fetchall()
    return [r[0] for r in rows]


def month_problem(con: duckdb.DuckDBPyConnection, month: dt.date) -> str | None:
    """Why no report can be written for ``month`` (in Vietnamese / English), or None."""
    months = report_months(con)
    wanted = month.strftime("%Y-%m")
    if not months:
        return (
            f"chưa có dữ liệu để báo cáo tháng {wanted}: hãy nạp sổ đăng ký và chạy "
            f"`complaints build` / nothing to report for {wanted} yet: load a register export "
            "and run `complaints build`"
        )
    if month.replace(day=1) in months:
        return None
    first, last = months[0].strftime("%Y-%m"), months[-1].strftime("%Y-%m")
    return (
        f"không có dữ liệu cho tháng {wanted}: sổ đăng ký có dữ liệu từ {first} đến {last} / "
        f"no data for {wanted}: the register has data from {first} to {last}"
    )
