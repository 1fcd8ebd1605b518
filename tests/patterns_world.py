"""A small world of staff, partners, activity and complaints written straight into the core tables,
then built with the same steps as `complaints build`, for hand-computed pattern cases."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy import integrate, stats

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

    def team(self, name: str, ids: list[str], months: list[str], n: int) -> None:
        """Staff ``ids`` in team ``name``, each with ``n`` interactions in every month."""
        for e in ids:
            self.staff.append((e, name))
            self.exposure("employee", e, months, n)

    def add(self, month: str, n: int = 1, day: int = 10, **fields: object) -> list[str]:
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

    def earlier(self, cid: str, first: str, last: str, **fields: object) -> None:
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
    "customer_key",
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


# A simulated workforce for the null worlds of issue 24 (tests/test_workforce.py and
# benchmarks/null_worlds.py): 300 staff in 6 teams, 24 months (11/2024-10/2026), 800-1,500
# interactions a month each, teams at 0.05-0.2 substantiated findings per 1,000 interactions.
WORLD_MONTHS = [f"{2024 + (m + 10) // 12}-{(m + 10) % 12 + 1:02d}" for m in range(24)]
WORLD_TEAMS = {"t05a": 0.05, "t05b": 0.05, "t10a": 0.10, "t10b": 0.10, "t20a": 0.20, "t20b": 0.20}
NULL_WORLDS = ("poisson", "case_mix", "repeats")


def workforce_world(
    seed: int,
    kind: str = "poisson",
    staff: int = 300,
    planted: dict[int, tuple[int, float]] | None = None,
    span: int = 6,
) -> World:
    """Nobody differs from their team for misconduct. `kind`: "poisson" (every finding
    independent at the team's rate); "case_mix" (each person's rate times a gamma multiplier of
    mean 1 and CV 1, fixed over time: people differ for reasons that are not misconduct);
    "repeats" (incidents at the team's rate / 1.5, each complained of 1 + Poisson(0.5) times by
    the same customer within 3 weeks: 1.5 complaints per incident). `planted` maps an employee
    index to (index of the last month, rate multiplier) over `span` months: a real outlier."""
    rng = np.random.default_rng(seed)
    world = World()
    teams = list(WORLD_TEAMS)
    exposure = rng.integers(800, 1500, staff)
    rate = np.array([WORLD_TEAMS[teams[i % len(teams)]] / 1000 for i in range(staff)])
    person = rng.gamma(1.0, 1.0, staff) if kind == "case_mix" else np.ones(staff)
    factor = np.ones((staff, len(WORLD_MONTHS)))
    for who, (last, multiplier) in (planted or {}).items():
        factor[who, last - span + 1 : last + 1] = multiplier
    mean = (rate * person * exposure)[:, None] * factor
    per_incident = 1.5 if kind == "repeats" else 1.0
    incidents = rng.poisson(mean / per_incident)
    customer = 0
    for i in range(staff):
        e = f"E{i:04d}"
        world.staff.append((e, teams[i % len(teams)]))
        world.exposure("employee", e, WORLD_MONTHS, int(exposure[i]))
        for month, count in zip(WORLD_MONTHS, incidents[i], strict=True):
            for _ in range(int(count)):
                customer += 1
                times = 1 + int(rng.poisson(0.5)) if kind == "repeats" else 1
                for j in range(times):
                    # a week apart, the fifth and later on the 28th (a day every month has)
                    day = min(1 + 7 * j, 28)
                    world.add(month, day=day, employee_id=e, customer_key=f"K{customer}")
    return world


def predictive_tail(
    k: int,
    expected: list[float],
    peer_findings: float,
    tau2: float = 0.0,
    concentration: float = 0.0,
) -> float:
    """P(at least k of the window's months with a finding) for someone whose rate is the peers'
    true rate times g, judged at the peers' rate estimated from their `peer_findings` findings
    in the window: the binomial tail at the average monthly chance 1 - e^(-E m), E the month's
    expected count at the estimated rate, integrated numerically (scipy's quad) over the law of
    m = g / h, g ~ Gamma(1 / tau2, scale tau2) (between people), h ~ Gamma(n, scale 1 / n) (the
    estimate's error), n = 1 / (1 / peer_findings + tau2 concentration): scipy's beta-prime
    (1 / tau2, n) scaled by tau2 n, or without tau2 the inverse gamma (n, scale n)."""
    n = 1 / (1 / peer_findings + tau2 * concentration)
    law = stats.betaprime(1 / tau2, n, scale=tau2 * n) if tau2 > 0 else stats.invgamma(n, scale=n)

    def integrand(m: float) -> float:
        q = float(np.mean([1 - math.exp(-e * m) for e in expected]))
        return float(law.pdf(m) * stats.binom.sf(k - 1, len(expected), q))

    # split at the median: the law's mass sits near 1, its tail runs far to the right
    middle = float(law.median())
    return sum(
        integrate.quad(integrand, a, b, limit=400, epsabs=1e-15, epsrel=1e-11)[0]
        for a, b in ((0, middle), (middle, math.inf))
    )
