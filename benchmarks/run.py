"""`make bench`: the floor (a), the project end to end (b) and the pandas way (c), side by side
in one session, each stage a separate process so its wall time and peak RSS are its own.

Writes benchmarks/RESULTS.md. `python -m benchmarks.run --big` adds 5M complaints;
`--sizes 100000` and `--runs N` shorten it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
PY = sys.executable
CLI = [PY, "-m", "pipelines.cli"]


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def register(n: int) -> Path:
    from pipelines.demo.generator import generate_register_frame, write_register_csv

    path = WORK / f"register_{n}.csv"
    if not path.exists():
        frame = generate_register_frame(n, seed=11, start="2023-01-01", end="2026-09-30")
        write_register_csv(frame, path)
    return path


def month_delta(n: int) -> Path:
    from pipelines.demo.generator import generate_register_frame, write_register_csv

    path = WORK / f"delta_{n}.csv"
    if not path.exists():
        frame = generate_register_frame(n, seed=12, start="2026-10-01", end="2026-10-31")
        frame["complaint_id"] = "NEW-" + frame["complaint_id"].astype(str)
        write_register_csv(frame, path)
    return path


def project(csv: Path, home: Path, exported_at: str) -> dict[str, tuple[float, float]]:
    shutil.rmtree(home, ignore_errors=True)
    return pipeline(home, [str(csv), "--exported-at", exported_at])


def incremental(home: Path, delta: Path) -> dict[str, tuple[float, float]]:
    return pipeline(home, [str(delta), "--scope", "delta", "--exported-at", "2026-10-31"])


def pipeline(home: Path, ingest_args: list[str]) -> dict[str, tuple[float, float]]:
    """`complaints ingest ARGS`, `build` and `report` on ``home``, each timed."""
    env = {**os.environ, "COMPLAINTS_HOME": str(home), "COMPLAINTS_PSEUDONYM_KEY": "bench",
           "COMPLAINTS_MAX_REJECTED_SHARE": "1"}
    return {
        "ingest": measure([*CLI, "ingest", *ingest_args], env),
        "build": measure([*CLI, "build"], env),
        "report": measure([*CLI, "report"], env),
    }


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--big", action="store_true", help="add 5,000,000 complaints")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + ([5_000_000] if args.big else [])
    WORK.mkdir(exist_ok=True)
    started = dt.datetime.now()
    start_cost = [measure([*CLI, "--help"])[0] for _ in range(args.runs)]
    lines = [f"# Benchmark results\n\nRun {started:%Y-%m-%d %H:%M} on {machine()}.\n",
             f"Process start (`complaints --help`): {stats(start_cost)} s.\n",
             "Times are wall seconds, median (min–max) over "
             f"{args.runs} runs; RSS is the peak of the stage's process, in MB.\n"]
    for n in sizes:
        csv = register(n)
        rows = {"a": [], "b": [], "c": [], "ingest": [], "build": [], "report": []}
        rss = {"a": [], "b": [], "c": []}
        for _ in range(args.runs):
            wall, peak = measure([PY, "-m", "benchmarks.floor", str(csv)])
            rows["a"].append(wall)
            rss["a"].append(peak)
            stages = project(csv, WORK / f"home_{n}", "2026-09-30")
            for stage, (wall, _) in stages.items():
                rows[stage].append(wall)
            rows["b"].append(sum(w for w, _ in stages.values()))
            rss["b"].append(max(p for _, p in stages.values()))
            if n <= 1_000_000:
                wall, peak = measure([PY, "-m", "benchmarks.pandas_way", str(csv)])
                rows["c"].append(wall)
                rss["c"].append(peak)
        lines += table(n, csv, rows, rss)
        if n == 1_000_000:
            inc = incremental(WORK / f"home_{n}", month_delta(20_000))
            lines.append("\n**Incremental month**: 20,000 new complaints onto the 1M warehouse: "
                         + ", ".join(f"{k} {w:.2f} s" for k, (w, _) in inc.items())
                         + f"; total {sum(w for w, _ in inc.values()):.2f} s, of which process "
                         f"starts {3 * statistics.median(start_cost):.2f} s.\n")
    lines.append(xlsx_case())
    if 1_000_000 in sizes:
        lines.append(profile_case(register(1_000_000)))
        lines.append(validation_case(register(1_000_000)))
    (HERE / "RESULTS.md").write_text("\n".join(lines), encoding="utf-8")
    print((HERE / "RESULTS.md").read_text())


def table(n, csv, rows, rss) -> list[str]:
    out = [f"\n## {n:,} complaints ({csv.stat().st_size / 1e6:.0f} MB CSV)\n",
           "| stage | wall s | peak RSS MB |", "|---|---|---|",
           f"| (a) floor: DuckDB read_csv | {stats(rows['a'])} | {max(rss['a']):.0f} |"]
    for stage in ("ingest", "build", "report"):
        out.append(f"| (b) complaints {stage} | {stats(rows[stage])} | |")
    out.append(f"| (b) project end to end | {stats(rows['b'])} | {max(rss['b']):.0f} |")
    if rows["c"]:
        out.append(f"| (c) pandas + row-wise SLA + GX | {stats(rows['c'])} | {max(rss['c']):.0f} |")
    ratio_ba = [b / a for a, b in zip(rows["a"], rows["b"], strict=True)]
    out.append(f"\nb/a = {stats(ratio_ba)}")
    if rows["c"]:
        ratio_cb = [c / b for b, c in zip(rows["b"], rows["c"], strict=True)]
        out.append(f"; c/b = {stats(ratio_cb)}")
    return out


def xlsx_case() -> str:
    from pipelines.demo.generator import generate_register_frame

    path = WORK / "register_200000.xlsx"
    if not path.exists():
        from pipelines.demo.generator import write_export

        frame = generate_register_frame(200_000, seed=13, start="2025-01-01", end="2026-09-30")
        write_export(frame, path, "xlsx_vi")  # the demo's Vietnamese workbook shape
    wall, peak = measure([PY, "-m", "benchmarks.xlsx_read", str(path)])
    return (f"\n**XLSX at scale**: reading a 200,000-row workbook ({path.stat().st_size / 1e6:.0f}"
            f" MB) through calamine into DuckDB: {wall:.2f} s, peak RSS {peak:.0f} MB.\n")


def profile_case(csv: Path) -> str:
    """Where the 1M-row load spends its time, statement by statement."""
    table = subprocess.run([PY, "-m", "benchmarks.profile_ingest", str(csv)], check=True,
                           capture_output=True, text=True).stdout
    return "\n## Profile of loading 1,000,000 complaints (one run)\n\n" + table


def validation_case(csv: Path) -> str:
    """Keeping validation in Great Expectations: each option once, on the same staged rows."""
    from benchmarks.validation_options import OPTIONS

    # Prepared in a child: a forked child's peak RSS starts from its parent's, so this
    # process stays small for the measurements that follow.
    staged = WORK / f"staged_{csv.stem}.parquet"
    subprocess.run([PY, "-m", "benchmarks.validation_options", "prepare", str(csv), str(staged)],
                   check=True, capture_output=True)
    out = ["\n## Validation options, 1,000,000 staged rows (one run each)\n",
           "| option | wall s (incl. imports) | peak RSS MB |", "|---|---|---|"]
    for option in OPTIONS:
        wall, peak = measure([PY, "-m", "benchmarks.validation_options", option, str(staged)])
        out.append(f"| {option} | {wall:.2f} | {peak:.0f} |")
    return "\n".join(out) + "\n"


def machine() -> str:
    mem = Path("/proc/meminfo").read_text().split()[1]
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{os.cpu_count()} cores ({cpu}), {int(mem) / 1024 / 1024:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


if __name__ == "__main__":
    main()
