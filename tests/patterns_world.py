"""A small world of staff, partners, activity and complaints written straight into the core tables,
then built with the same steps as `complaints build`, for hand-computed pattern cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from base.settings import Settings
from pipelines.build_params import write_build_params
from pipelines.calendar import write_calendar
from pipelines.models import build_model, discover_models, mart_models, materialise

LOADED = dt.datetime(2026, 11, 1)


@dataclass
class World:
    staff: list[tuple[str, str]] = field(default_factory=list)  # (employee_id, team)
    partners: list[tuple[str, str]] = field(default_factory=list)  # (partner_id, type)
    activity: list[tuple[str, str, str, int]] = field(default_factory=list)  # type, id, YYYY-MM, n
    complaints: list[dict] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)  # earlier contents of complaints
    _next: int = 0

    def add(self, month: str, n: int = 1, day: int = 10, **fields) -> list[str]:
        """n complaints received on `day` of `month` (YYYY-MM) with the given fields."""
        ids = []
        for _ in range(n):
            self._next += 1
            cid = f"KN{self._next:06d}"
            received = dt.datetime.fromisoformat(f"{month}-{day:02d} 09:00")
            row = {
                "complaint_id": cid,
                "received_at": received,
                "category": "staff_conduct",
                "first_response_at": received + dt.timedelta(days=1),
                "resolved_at": received + dt.timedelta(days=1),
                "outcome": "upheld",
                "handler_id": "XL01",
            }
            row.update(fields)
            self.complaints.append(row)
            ids.append(cid)
        return ids

    def earlier(self, cid: str, first: str, last: str, **fields) -> None:
        """An earlier content of complaint `cid`, seen in the exports from `first` to `last`
        (YYYY-MM-DD HH:MM); the current content is seen from `_first` (default LOADED) on."""
        current = next(r for r in self.complaints if r["complaint_id"] == cid)
        self.versions.append(
            {
                **current,
                **fields,
                "_first": dt.datetime.fromisoformat(first),
                "_last": dt.datetime.fromisoformat(last),
            }
        )

    def exposure(self, subject_type: str, subject_id: str, months: list[str], n: int) -> None:
        self.activity.extend((subject_type, subject_id, m, n) for m in months)


COLUMNS = [
    "complaint_id",
    "received_at",
    "category",
    "subcategory",
    "employee_id",
    "partner_id",
    "handler_id",
    "first_response_at",
    "resolved_at",
    "outcome",
    "review_requested_at",
    "review_outcome",
]


def store(con: duckdb.DuckDBPyConnection, world: World) -> None:
    """The world as ingestion would have stored it (one version per complaint)."""
    frame = pd.DataFrame(world.complaints + world.versions).reindex(
        columns=[*COLUMNS, "_first", "_last"]
    )
    frame["_first"] = pd.to_datetime(frame["_first"]).fillna(pd.Timestamp(LOADED))
    frame["_last"] = pd.to_datetime(frame["_last"]).fillna(pd.Timestamp(LOADED))
    con.register("world_complaints", frame)
    con.execute(
        """
        INSERT INTO core.complaint_versions BY NAME
        SELECT * EXCLUDE (_first, _last),
            complaint_id || '#' || row_number() OVER () AS content_hash,
            _first AS first_exported_at, _last AS exported_at,
            'world.csv' AS source_file, 'sha' AS source_sha256,
            row_number() OVER () AS source_row, 1 AS load_id, ? AS loaded_at
        FROM world_complaints""",
        [LOADED],
    )
    con.unregister("world_complaints")
    reference = [
        ("core.staff", "employee_id", "team", world.staff),
        ("core.partners", "partner_id", "partner_type", world.partners),
    ]
    for table, key, group, rows in reference:
        if rows:
            con.register("world_reference", pd.DataFrame(rows, columns=[key, group]))
            con.execute(
                f"INSERT INTO {table} ({key}, {group}, exported_at, source_file, source_sha256, "
                "source_row, loaded_at, content_hash) "
                f"SELECT {key}, {group}, ?, 'ref.csv', 'sha', 1, ?, 'h' FROM world_reference",
                [LOADED, LOADED],
            )
            con.unregister("world_reference")
    if world.activity:
        activity = pd.DataFrame(world.activity, columns=["subject_type", "subject_id", "m", "n"])
        activity["month"] = pd.to_datetime(activity["m"] + "-01").dt.date
        con.register("world_activity", activity)
        con.execute(
            "INSERT INTO core.activity SELECT month, subject_type, subject_id, n, ?, "
            "'activity.csv', 'sha', 1, ?, 'h' FROM world_activity",
            [LOADED, LOADED],
        )
        con.unregister("world_activity")
    materialise(con, discover_models()["core.complaints"])


def build(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: str) -> None:
    """The build stage's steps in its order: parameters, calendar, every mart."""
    write_build_params(con, settings, as_of)
    write_calendar(con, settings)
    for table in mart_models():
        build_model(con, table)


def flags(con: duckdb.DuckDBPyConnection, month: str = "2026-10") -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM marts.pattern_flags WHERE strftime(review_month, '%Y-%m') = ?", [month]
    ).df()


def funnel(con: duckdb.DuckDBPyConnection, month: str = "2026-10") -> pd.DataFrame:
    return con.execute(
        "SELECT * FROM marts.funnel WHERE strftime(review_month, '%Y-%m') = ?", [month]
    ).df()
