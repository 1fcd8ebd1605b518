"""The pattern flags in three simulated null worlds and with planted outliers (issue 24).

`python -m benchmarks.null_worlds` builds, with the build's own steps, registers of 300 staff in
6 teams over 24 months (tests/patterns_world.py workforce_world) where nobody differs from their
team for misconduct: homogeneous Poisson; case mix (a gamma multiplier of mean 1 and CV 1 per
person); repeated complaints (1.5 complaints per incident from the same customer). For each it
prints the medium outlier_rate and high persistent flags raised against the report's own "chance
alone" figure (marts.flag_chance, summed over the 24 review months, with its 95% upper bound),
and the watch flags. Then the power: planted outliers at 4x and 8x their team's rate over a
6-month window, found when flagged medium (outlier_rate) or high (persistent) in any review month
of their window. `--seeds N` registers per world (default 2). docs/statistics.md quotes its output.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from scipy import stats

from base.settings import Settings
from base.warehouse import connect, ensure_schema, scalar
from tests.patterns_world import (
    NULL_WORLDS,
    WORLD_MONTHS,
    WORLD_TEAMS,
    World,
    build,
    store,
    workforce_world,
)


def built(home: Path, world: World) -> Settings:
    settings = Settings(home=home, pseudonym_key="simulation-key-not-secret")
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        store(con, world)
        build(con, settings, "2026-10-31")
    return settings


def null_world_counts(home: Path, kind: str, seed: int) -> dict:
    """Flags raised and the chance-alone figures of one null world."""
    settings = built(home, workforce_world(seed, kind))
    with connect(settings.warehouse_path, read_only=True) as con:
        flags = con.execute(
            "SELECT rule, severity, count(*) FROM marts.pattern_flags "
            "WHERE subject_type = 'employee' GROUP BY ALL"
        ).fetchall()
        chance = con.execute(
            "SELECT sum(expected_medium), sum(medium_flags), sum(expected_persistent_high), "
            "sum(persistent_high_flags), sum(tested) FROM marts.flag_chance"
        ).fetchall()[0]  # sums: always one row
    raised = {(rule, severity): n for rule, severity, n in flags}
    return {
        "medium": raised.get(("outlier_rate", "medium"), 0),
        "chance_medium": chance[0],
        "high_persistent": raised.get(("persistent", "high"), 0),
        "chance_persistent": chance[2],
        "watch": sum(n for (_, sev), n in raised.items() if sev == "watch"),
        "subject_months": chance[4],
    }


def planted(multiplier: float) -> dict[int, tuple[int, float]]:
    """One planted outlier per team at a time, on 6-month windows ending in months 6, 12, 18, 24."""
    return {
        t + len(WORLD_TEAMS) * j: (last, multiplier)
        for t in range(len(WORLD_TEAMS))
        for j, last in enumerate(range(5, 24, 6))
    }


def power(home: Path, multiplier: float, seed: int) -> tuple[int, int]:
    episodes = planted(multiplier)
    settings = built(home, workforce_world(seed, "poisson", planted=episodes))
    found = 0
    with connect(settings.warehouse_path, read_only=True) as con:
        for who, (last, _) in episodes.items():
            first = WORLD_MONTHS[last - 5]
            end = WORLD_MONTHS[last]
            hit = scalar(
                con,
                "SELECT count(*) FROM marts.pattern_flags WHERE subject_id = ? "
                "AND ((rule = 'outlier_rate' AND severity = 'medium') "
                "OR (rule = 'persistent' AND severity = 'high')) "
                "AND review_month BETWEEN ? AND ?",
                [f"E{who:04d}", f"{first}-01", f"{end}-01"],
            )
            found += hit > 0
    return found, len(episodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        print(
            "| world | subject-months | medium raised | chance alone (95% upper) | "
            "high persistent raised | chance alone (95% upper) | watch |"
        )
        print("|---|---|---|---|---|---|---|")
        for kind in NULL_WORLDS:
            total: dict = {}
            for seed in range(1, args.seeds + 1):
                counts = null_world_counts(Path(tmp) / f"{kind}{seed}", kind, seed)
                for key, value in counts.items():
                    total[key] = total.get(key, 0) + value
            m, p = total["chance_medium"], total["chance_persistent"]
            print(
                f"| {kind} | {total['subject_months']} | {total['medium']} | {m:.2f} "
                f"({int(stats.poisson.ppf(0.975, m))}) | {total['high_persistent']} | {p:.2f} "
                f"({int(stats.poisson.ppf(0.975, p))}) | {total['watch']} |"
            )
        for multiplier in (4.0, 8.0):
            hits, n = 0, 0
            for seed in range(1, args.seeds + 1):
                h, k = power(Path(tmp) / f"power{multiplier:g}_{seed}", multiplier, 100 + seed)
                hits, n = hits + h, n + k
            print(f"power at {multiplier:g}x over 6 months: {hits}/{n} = {hits / n:.0%}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
