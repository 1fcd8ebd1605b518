"""What a lower COMPLAINTS_MEMORY_LIMIT costs: the same full load of N complaints under several
limits, side by side in one session (each a separate process: its own wall time and peak RSS),
the limits interleaved over the runs so that a busy machine weighs on each alike.

`python -m benchmarks.memory [--rows 200000] [--runs 2] [--limits 80% 2GB 1GB 512MB]`
prints a Markdown table; docs/performance.md ("Memory") quotes it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics

from benchmarks.run import CLI, WORK, StepFailed, _env, measure, register


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--limits", nargs="+", default=["80%", "2GB", "1GB", "512MB"])
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    csv = register(args.rows)
    measured: dict[str, list[tuple[float, float]]] = {limit: [] for limit in args.limits}
    failed: dict[str, str] = {}
    for _ in range(args.runs):
        for limit in args.limits:
            if limit in failed:
                continue
            home = WORK / "memory_home"
            shutil.rmtree(home, ignore_errors=True)
            env = {**_env(home), "COMPLAINTS_MEMORY_LIMIT": limit}
            try:
                measured[limit].append(
                    measure([*CLI, "ingest", str(csv), "--exported-at", "2026-10-01"], env)
                )
            except StepFailed as exc:
                failed[limit] = str(exc)
    base = statistics.median(w for w, _ in measured[args.limits[0]])
    print(f"`complaints ingest` of {args.rows:,} complaints, median of {args.runs} runs\n")
    print("| COMPLAINTS_MEMORY_LIMIT | wall s | vs default | peak RSS MB |")
    print("|---|---|---|---|")
    for limit in args.limits:
        if limit in failed:
            print(f"| {limit} | failed: {failed[limit]} | | |")
            continue
        wall = statistics.median(w for w, _ in measured[limit])
        rss = max(r for _, r in measured[limit])
        print(f"| {limit} | {wall:.1f} | {wall / base:.2f}x | {rss:.0f} |")


if __name__ == "__main__":
    main()
