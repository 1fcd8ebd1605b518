"""The pattern flags in three simulated null worlds and with planted outliers (issue 24).

`python -m benchmarks.null_worlds` builds, with the build's own steps, registers of 300 staff in
6 teams over 24 months (tests/patterns_world.py workforce_world) where nobody differs from their
team for misconduct: homogeneous Poisson; case mix (a gamma multiplier of mean 1 and CV 1 per
person); repeated complaints (1.5 complaints per incident from the same customer). For each it
prints the medium outlier_rate and high persistent flags raised (and the people they fall on:
one person's streak is flagged in several overlapping windows) against the report's own "chance
alone" figure (marts.flag_chance, summed over the 24 review months, with its 95% upper bound),
the review months whose flags exceed that month's own bound, the new high persistent flags
(episodes: not high the month before) against the chance alone of starting one (issue 24, fifth
round; with its 95% Poisson interval), and the watch flags. Then the
power: planted outliers at 4x and 8x their team's rate over a 6-month window, found when flagged
medium (outlier_rate) or high (persistent) in any review month of their window, in all and by
the findings each was expected to have in its window (the curve), beside the oracle power: the
best test possible knowing each planted person's true base rate, at the false-flag rate per
person-window the build shows in the homogeneous world (the ceiling the data allow).
`--seeds N` registers per world (default 2), from `--first-seed` (1); `--no-power` for the null
worlds alone. docs/statistics.md quotes its output."""

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


def world_settings(home: Path) -> Settings:
    """The settings of a simulated register's home (its warehouse: ``.warehouse_path``)."""
    return Settings(home=home, pseudonym_key="simulation-key-not-secret")


def built(home: Path, world: World) -> Settings:
    settings = world_settings(home)
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        store(con, world)
        build(con, settings, "2026-10-31")
    return settings


def null_world_counts(home: Path, kind: str, seed: int) -> dict:
    """Flags raised and the chance-alone figures of one null world. Besides the flags (one per
    subject and review month, as the report counts them), the people flagged: a person's lucky
    streak is flagged in several overlapping windows, so subject-months come in runs."""
    settings = built(home, workforce_world(seed, kind))
    with connect(settings.warehouse_path, read_only=True) as con:
        flags = con.execute(
            "SELECT rule, severity, count(*), count(DISTINCT subject_id) FROM marts.pattern_flags "
            "WHERE subject_type = 'employee' GROUP BY ALL"
        ).fetchall()
        chance = con.execute(
            "SELECT sum(expected_medium), sum(medium_flags), sum(expected_persistent_high), "
            "sum(persistent_high_flags), sum(tested), "
            # review months whose flags exceed the month's own 95% upper bound
            "count(*) FILTER (WHERE medium_flags > medium_high), "
            "count(*) FILTER (WHERE persistent_high_flags > persistent_high), count(*), "
            # episodes: high persistent flags not high the month before, against the chance
            # alone of starting one (P(flag now) - P(flag now and the month before))
            "sum(persistent_new_flags), sum(expected_persistent_new), "
            "count(*) FILTER (WHERE persistent_new_flags > persistent_new_high) "
            "FROM marts.flag_chance"
        ).fetchall()[0]  # sums: always one row
    raised = {(rule, severity): (n, people) for rule, severity, n, people in flags}
    return {
        "medium": raised.get(("outlier_rate", "medium"), (0, 0))[0],
        "medium_people": raised.get(("outlier_rate", "medium"), (0, 0))[1],
        "chance_medium": chance[0],
        "high_persistent": raised.get(("persistent", "high"), (0, 0))[0],
        "persistent_people": raised.get(("persistent", "high"), (0, 0))[1],
        "chance_persistent": chance[2],
        "watch": sum(n for (_, sev), (n, _) in raised.items() if sev == "watch"),
        "subject_months": chance[4],
        "medium_months_over": chance[5],
        "persistent_months_over": chance[6],
        "months": chance[7],
        "new_persistent": chance[8],
        "chance_new": chance[9],
        "new_months_over": chance[10],
    }


def planted(multiplier: float) -> dict[int, tuple[int, float]]:
    """One planted outlier per team at a time, on 6-month windows ending in months 6, 12, 18, 24."""
    return {
        t + len(WORLD_TEAMS) * j: (last, multiplier)
        for t in range(len(WORLD_TEAMS))
        for j, last in enumerate(range(5, 24, 6))
    }


def power(home: Path, multiplier: float, seed: int) -> list[tuple[float, bool]]:
    """Each planted outlier's expected findings over its 6-month window (its true rate) and
    whether it was found."""
    episodes = planted(multiplier)
    world = workforce_world(seed, "poisson", planted=episodes)
    settings = built(home, world)
    exposure = {subject: n for _, subject, _, n in world.activity}
    results = []
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
            team = list(WORLD_TEAMS)[who % len(WORLD_TEAMS)]
            expected = 6 * multiplier * WORLD_TEAMS[team] / 1000 * exposure[f"E{who:04d}"]
            results.append((expected, hit > 0))
    return results


# The power curve's bins of expected findings over the 6-month window.
BINS = ((0, 3), (3, 6), (6, 9), (9, 1000))


def power_rows(results: list[tuple[float, bool]]) -> str:
    cells = []
    for low, high in BINS:
        inside = [found for expected, found in results if low <= expected < high]
        if inside:
            cells.append(f"{low}-{high if high < 1000 else ''}: {sum(inside)}/{len(inside)}")
    return ", ".join(cells)


def oracle_power(mu: float, multiplier: float, alpha: float) -> float:
    """The best one-sided test of one person knowing its window's true base rate: its count is
    Poisson(mu) with no real difference, so flag at k_alpha, the smallest k with
    P(Poisson(mu) >= k) <= alpha, and a planted person at multiplier x mu reaches it with
    P(Poisson(multiplier mu) >= k_alpha). No build can do better at that false-flag rate."""
    k_alpha = int(stats.poisson.isf(alpha, mu)) + 1  # P(X > isf) <= alpha: X >= isf + 1
    while k_alpha > 0 and stats.poisson.sf(k_alpha - 2, mu) <= alpha:
        k_alpha -= 1  # isf is a float search: step down while one less still holds alpha
    return float(stats.poisson.sf(k_alpha - 1, multiplier * mu))


def oracle_rows(results: list[tuple[float, bool]], multiplier: float, alpha: float) -> str:
    """The oracle power averaged over the planted people by the curve's bins, and the share of
    planted people for whom even the oracle reaches 80%."""
    powers = [
        (expected, oracle_power(expected / multiplier, multiplier, alpha))
        for expected, _ in results
    ]
    cells = []
    for low, high in BINS:
        inside = [power for expected, power in powers if low <= expected < high]
        if inside:
            cells.append(f"{low}-{high if high < 1000 else ''}: {sum(inside) / len(inside):.0%}")
    mean = sum(power for _, power in powers) / len(powers)
    reach = sum(power >= 0.8 for _, power in powers) / len(powers)
    return f"{mean:.0%}; by bin {', '.join(cells)}; {reach:.0%} of planted people reach 80%"


def new_figure(mean: float) -> str:
    """The summed chance of a new episode with its 95% Poisson interval."""
    low, high = stats.poisson.ppf([0.025, 0.975], mean)
    return f"{mean:.2f} ({int(low)}-{int(high)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--no-power", action="store_true", help="the null worlds only")
    args = parser.parse_args()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        print(
            "| world | subject-months | medium raised (people) | chance alone (95% upper) | "
            "months over | high persistent raised (people) | chance alone (95% upper) | "
            "months over | new high persistent (episodes) | chance alone of a new one (95%) | "
            "months over | watch |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        alpha = 0.0
        for kind in NULL_WORLDS:
            total: dict = {}
            for seed in seeds:
                counts = null_world_counts(Path(tmp) / f"{kind}{seed}", kind, seed)
                for key, value in counts.items():
                    total[key] = total.get(key, 0) + value
            m, p = total["chance_medium"], total["chance_persistent"]
            print(
                f"| {kind} | {total['subject_months']} | {total['medium']} "
                f"({total['medium_people']}) | {m:.2f} ({int(stats.poisson.ppf(0.975, m))}) | "
                f"{total['medium_months_over']}/{total['months']} | {total['high_persistent']} "
                f"({total['persistent_people']}) | {p:.2f} "
                f"({int(stats.poisson.ppf(0.975, p))}) | "
                f"{total['persistent_months_over']}/{total['months']} | "
                f"{total['new_persistent']} | {new_figure(total['chance_new'])} | "
                f"{total['new_months_over']}/{total['months']} | {total['watch']} |"
            )
            if kind == "poisson":
                # the false-flag rate per person-window the build shows where nobody differs
                alpha = 6 * (total["medium"] + total["high_persistent"]) / total["subject_months"]
        print(f"false-flag rate per person and 6-month window (homogeneous world): {alpha:.2e}")
        for multiplier in () if args.no_power else (4.0, 8.0):
            results: list[tuple[float, bool]] = []
            for seed in seeds:
                home = Path(tmp) / f"power{multiplier:g}_{seed}"
                results += power(home, multiplier, 100 + seed)
            hits = sum(found for _, found in results)
            print(
                f"power at {multiplier:g}x over 6 months: {hits}/{len(results)} = "
                f"{hits / len(results):.0%}; by expected findings in the window: "
                f"{power_rows(results)}"
            )
            print(
                f"oracle power at {multiplier:g}x (true base rate known, per-person level "
                f"{alpha:.2e}): {oracle_rows(results, multiplier, alpha)}"
            )
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
