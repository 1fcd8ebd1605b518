"""The quality gate: a file's rejected rows may block the marts and reports built from it."""

from __future__ import annotations

import duckdb

from base.settings import Settings


def gate(source: str, rejected: int, checked: int, settings: Settings) -> tuple[bool, str]:
    """Whether a file's rejections block the marts, and the one line that says so.

    The share is taken over the rows checked in the file's load (new or changed content), and
    a file blocks only when that share is over the limit and at least min_rejected_rows rows
    were rejected: one typo in a small file is a warning, a month of bad rows in a large
    cumulative snapshot is not diluted by the rows loaded months ago."""
    share = rejected / checked if checked else 0.0
    counted = f"{source}: {rejected} of {checked} rows checked in this load rejected ({share:.1%})"
    if share > settings.max_rejected_share and rejected >= settings.min_rejected_rows:
        return True, (
            f"{counted}, over the allowed {settings.max_rejected_share:.0%} (and at least "
            f"{settings.min_rejected_rows} rows): the marts and reports are not built from "
            "it; to release, fix the rows listed in quarantine.rejected_rows at the source and "
            "load the corrected export (or raise COMPLAINTS_MAX_REJECTED_SHARE or "
            "COMPLAINTS_MIN_REJECTED_ROWS)"
        )
    return False, (
        f"{counted}; within the limit ({settings.max_rejected_share:.0%}, or fewer "
        f"than {settings.min_rejected_rows} rows): the other rows loaded, the "
        "rejected ones are in quarantine.rejected_rows"
    )


def rejected_share_problem(con: duckdb.DuckDBPyConnection, settings: Settings) -> str | None:
    """The latest register export must not be blocked by its rejected rows (see gate)."""
    rows = con.execute("""SELECT source_file, rows_rejected, coalesce(rows_checked, rows_read)
        FROM core.latest_register_export""").fetchall()
    if not rows:
        return "no register export has been loaded yet"
    source, rejected, checked = rows[0]
    blocked, line = gate(source, rejected, checked, settings)
    return line if blocked else None
