"""`make bench`: the floor (a), the project end to end (b) and the pandas way (c), side by side
in one session, each stage a separate process so its wall time and peak RSS are its own; the
incremental month, each command's fixed cost on an empty home, and the issue's targets.

Writes benchmarks/RESULTS.md (anything below the KEEP marker of the existing file is kept:
analysis and other benchmarks' sections). `python -m benchmarks.run --big` adds 5M and 10M
complaints (one run each; the pandas way only where it fits in memory); `--sizes 100000` and
`--runs N` shorten it; `--note TEXT` records the conditions of the run.
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


BIG = (5_000_000, 10_000_000)
# The pandas way's peak per million complaints (3,014 MB at 1M, RESULTS.md of 26/11/2026): it
# holds the whole register as Python objects, so its peak grows with the rows.
PANDAS_MB_PER_MILLION = 3_100


class StepFailed(RuntimeError):
    """A measured command exited non-zero; the message says which, when and why."""


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        assert proc.stderr is not None  # stderr=PIPE above
        errors = [line for line in proc.stderr.read().decode().splitlines() if line.strip()]
        raise StepFailed(
            f"`{' '.join(cmd[2:4])}` failed after {wall:.0f} s at "
            f"{usage.ru_maxrss / 1024:.0f} MB: {' '.join(errors[:2])}"
        )
    return wall, usage.ru_maxrss / 1024


def register(n: int) -> Path:
    path = WORK / f"register_{n}.csv"
    if not path.exists():
        _in_child("_write_register", n, str(path))
    return path


def month_delta(n: int) -> Path:
    path = WORK / f"delta_{n}.csv"
    if not path.exists():
        _in_child("_write_delta", n, str(path))
    return path


def _in_child(function: str, *args: object) -> None:
    """Generate test data in a child process: a child's peak RSS (ru_maxrss) starts from its
    parent's, so the parent must stay small for the measurements that follow."""
    subprocess.run(
        [PY, "-c", f"import benchmarks.run as r; r.{function}(*{args!r})"],
        check=True,
        cwd=HERE.parent,
    )


def _write_register(n: int, path: str) -> None:
    from pipelines.demo.generator import generate_register_frame, write_register_csv

    frame = generate_register_frame(n, seed=11, start="2023-01-01", end="2026-09-30")
    write_register_csv(frame, Path(path))


def _write_delta(n: int, path: str) -> None:
    from pipelines.demo.generator import generate_register_frame, write_register_csv

    frame = generate_register_frame(n, seed=12, start="2026-10-01", end="2026-10-31")
    frame["complaint_id"] = "NEW-" + frame["complaint_id"].astype(str)
    write_register_csv(frame, Path(path))


def _write_xlsx(n: int, path: str) -> None:
    from pipelines.demo.generator import generate_register_frame, write_export

    frame = generate_register_frame(n, seed=13, start="2025-01-01", end="2026-09-30")
    write_export(frame, Path(path), "xlsx_vi")  # the demo's Vietnamese workbook shape


def project(csv: Path, home: Path, exported_at: str) -> dict[str, tuple[float, float]]:
    shutil.rmtree(home, ignore_errors=True)
    return pipeline(home, [str(csv), "--exported-at", exported_at])


DELTA_ARGS = ["--scope", "delta", "--exported-at", "2026-10-31"]
FULL_ARGS = ["--exported-at", "2026-09-30"]


def child_query(query: str, database: str = ":memory:") -> list[int]:
    """One row of integers from ``query``, run in a child process so this one stays small.
    DuckDB's progress bar is off: it prints to stdout once a query runs for 2 s (counting a
    10M-row file), and the run of 05/12/2026 stopped on reading it as the count."""
    code = (
        f"import duckdb; c = duckdb.connect({database!r}, read_only={database != ':memory:'}); "
        "c.execute('SET enable_progress_bar = false'); "
        f"print(*c.execute({query!r}).fetchone())"
    )
    out = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True).stdout
    return [int(v) for v in out.split()]


def file_rows(csv: Path) -> int:
    """The register's rows, as the floor counts them (DuckDB's read_csv)."""
    return child_query(f"select count(*) from read_csv({str(csv)!r})")[0]


def incremental(home: Path, delta: Path) -> dict[str, tuple[float, float]]:
    return pipeline(home, [str(delta), *DELTA_ARGS])


def month_command(home: Path, ingest_args: list[str]) -> tuple[float, float]:
    """`complaints month ARGS` on ``home``: the same jobs as the three commands, one process."""
    return measure([*CLI, "month", *ingest_args], _env(home))


def _env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "COMPLAINTS_HOME": str(home),
        "COMPLAINTS_PSEUDONYM_KEY": "bench",
        "COMPLAINTS_MAX_REJECTED_SHARE": "1",
    }


def pipeline(home: Path, ingest_args: list[str]) -> dict[str, tuple[float, float]]:
    """`complaints ingest ARGS`, `build` and `report` on ``home``, each timed."""
    env = _env(home)
    return {
        "ingest": measure([*CLI, "ingest", *ingest_args], env),
        "build": measure([*CLI, "build"], env),
        "report": measure([*CLI, "report"], env),
    }


def pandas_fits(n: int) -> tuple[bool, str]:
    """Whether the pandas way can run at ``n`` complaints beside the machine's other work:
    its expected peak within 60% of the memory available now (no swap here: past it the
    kernel would kill it, or another engineer's job)."""
    available = _meminfo("MemAvailable")
    expected = PANDAS_MB_PER_MILLION * n / 1e6
    fits = expected <= 0.6 * available
    return fits, (
        f"the pandas way is skipped at {n:,} complaints: it would need about {expected:,.0f} MB "
        f"({PANDAS_MB_PER_MILLION:,} MB per million, measured at 1M) and "
        f"{available:,.0f} MB is available"
    )


def _meminfo(field: str) -> float:
    """A /proc/meminfo figure in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def nothing_lost(home: Path, rows_in_file: int) -> str:
    """Whether every row of the file is in core.complaints or quarantine (the generated
    registers have one row per complaint), read in a child so this process stays small."""
    query = (
        "select (select count(*) from core.complaints), "
        "(select count(*) from quarantine.rejected_rows)"
    )
    core, rejected = child_query(query, str(home / "warehouse.duckdb"))
    verdict = "nothing lost" if core + rejected == rows_in_file else "**rows lost**"
    return (
        f"\nRows: {rows_in_file:,} in the file, {core:,} in core.complaints, {rejected:,} in "
        f"quarantine: {verdict}.\n"
    )


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


KEEP = "<!-- Sections below this line are kept by `make bench` (analysis, other benchmarks). -->"
TARGETS = {  # issue 23's figures, then issue 14's kept for the record: (before, target, better)
    "1M end to end / DuckDB floor": ("30×", 10, "lower"),
    "pandas way / `complaints month` at 1M": ("–", 1, "higher"),
    "pandas way / `complaints month` at 100k": ("–", 1, "higher"),
    "`complaints month`, empty home, one complaint (s)": ("8.7 s", 5, "lower"),
    "10M end to end / 1M end to end": ("–", 12, "lower"),
    "pandas way / project at 1M": ("0.87", 3, "higher"),
    "pandas way / project at 100k": ("0.40", 1.5, "higher"),
    "incremental month, ingest + build + report (s)": ("28.4 s", 6, "lower"),
    "incremental month as one `complaints month` (s)": ("–", 6, "lower"),
    "peak RSS at 1M (MB)": ("1,556 MB", 1000, "lower"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--big", action="store_true", help="add 5M and 10M complaints")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--note", default="", help="conditions of this run, e.g. contention")
    parser.add_argument(
        "--no-extras",
        action="store_true",
        help="skip the XLSX, profile and validation-option cases",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] + (list(BIG) if args.big else [])
    WORK.mkdir(exist_ok=True)
    started = dt.datetime.now()
    load_before = os.getloadavg()
    fixed = fixed_costs(args.runs)
    lines = [f"# Benchmark results\n\nRun {started:%Y-%m-%d %H:%M} on {machine()}.\n"]
    if args.note:
        lines.append(f"**Conditions**: {args.note}\n")
    lines.append(
        "Times are wall seconds, median (min–max) over "
        f"{args.runs} runs (one run above 1M); RSS is the peak of the stage's process, in MB. "
        f"COMPLAINTS_MEMORY_LIMIT={os.environ.get('COMPLAINTS_MEMORY_LIMIT', '80% (default)')}.\n"
    )
    lines += fixed_table(fixed)
    measured: dict[str, float] = {}
    end_to_end: dict[int, float] = {}  # median wall s of ingest + build + report per size
    for n in sizes:
        csv = register(n)
        stages_measured = ("a", "b", "c", "month", "ingest", "build", "report")
        rows: dict[str, list[float]] = {s: [] for s in stages_measured}
        rss: dict[str, list[float]] = {s: [] for s in rows}
        inc: dict[str, list] = {"ingest": [], "build": [], "report": [], "rss": [], "month": []}
        failed, lost = "", ""
        fits, skipped = pandas_fits(n)
        if not fits:
            print(skipped, file=sys.stderr, flush=True)
        for _ in range(args.runs if n <= 1_000_000 else 1):
            wall, peak = measure([PY, "-m", "benchmarks.floor", str(csv)])
            rows["a"].append(wall)
            rss["a"].append(peak)
            try:
                stages = project(csv, WORK / f"home_{n}", "2026-09-30")
            except StepFailed as exc:  # e.g. out of memory: reported, not fatal
                failed = f"\n**{n:,} complaints**: floor {wall:.2f} s ({peak:.0f} MB); {exc}\n"
                break
            lost = lost or nothing_lost(WORK / f"home_{n}", file_rows(csv))
            for stage, (wall, peak) in stages.items():
                rows[stage].append(wall)
                rss[stage].append(peak)
            rows["b"].append(sum(w for w, _ in stages.values()))
            rss["b"].append(max(p for _, p in stages.values()))
            if n <= 1_000_000:
                # the same register as one `complaints month` on an empty home: the pandas way's
                # match (one process, the whole monthly pipeline)
                shutil.rmtree(WORK / "home_month", ignore_errors=True)
                wall, peak = month_command(WORK / "home_month", [str(csv), *FULL_ARGS])
                rows["month"].append(wall)
                rss["month"].append(peak)
                shutil.rmtree(WORK / "home_month", ignore_errors=True)
            if fits:
                charts = WORK / f"pandas_way_{n}"
                shutil.rmtree(charts, ignore_errors=True)
                wall, peak = measure([PY, "-m", "benchmarks.pandas_way", str(csv), str(charts)])
                rows["c"].append(wall)
                rss["c"].append(peak)
            if n == 1_000_000:
                # the same month twice from the same warehouse: three commands, then one
                home, twin = WORK / f"home_{n}", WORK / f"home_{n}_month"
                shutil.rmtree(twin, ignore_errors=True)
                shutil.copytree(home, twin)
                delta = month_delta(20_000)
                for stage, (wall, peak) in incremental(home, delta).items():
                    inc[stage].append(wall)
                    inc["rss"].append(peak)
                wall, peak = month_command(twin, [str(delta), *DELTA_ARGS])
                inc["month"].append(wall)
                inc["rss"].append(peak)
                shutil.rmtree(twin, ignore_errors=True)
        if failed:
            lines.append(failed)
            continue
        lines += table(n, csv, rows, rss)
        lines.append(lost if fits else lost + f"\n{skipped[0].upper()}{skipped[1:]}.\n")
        median = statistics.median
        end_to_end[n] = median(rows["b"])
        if n == 100_000 and rows["c"]:
            measured["pandas way / project at 100k"] = median(
                [c / b for b, c in zip(rows["b"], rows["c"], strict=True)]
            )
            measured["pandas way / `complaints month` at 100k"] = median(
                [c / m for m, c in zip(rows["month"], rows["c"], strict=True)]
            )
        if n == 1_000_000:
            measured["1M end to end / DuckDB floor"] = median(
                [b / a for a, b in zip(rows["a"], rows["b"], strict=True)]
            )
            if rows["c"]:
                measured["pandas way / project at 1M"] = median(
                    [c / b for b, c in zip(rows["b"], rows["c"], strict=True)]
                )
                measured["pandas way / `complaints month` at 1M"] = median(
                    [c / m for m, c in zip(rows["month"], rows["c"], strict=True)]
                )
            measured["peak RSS at 1M (MB)"] = max(rss["b"])
            totals = [sum(t) for t in zip(inc["ingest"], inc["build"], inc["report"], strict=True)]
            measured["incremental month, ingest + build + report (s)"] = median(totals)
            measured["incremental month as one `complaints month` (s)"] = median(inc["month"])
            lines.append(
                "\n**Incremental month** (20,000 new complaints, `--scope delta`, onto the 1M "
                "warehouse): "
                + ", ".join(f"{k} {stats(inc[k])} s" for k in ("ingest", "build", "report"))
                + f"; total {stats(totals)} s, peak RSS {max(inc['rss']):.0f} MB (the same three "
                f"commands on an empty home: {fixed['total']:.2f} s). The same month as one "
                f"`complaints month` on a copy of the same warehouse: {stats(inc['month'])} s "
                f"(on an empty home: {fixed['month']:.2f} s).\n"
            )
    measured["`complaints month`, empty home, one complaint (s)"] = fixed["month"]
    if 1_000_000 in end_to_end and 10_000_000 in end_to_end:
        measured["10M end to end / 1M end to end"] = end_to_end[10_000_000] / end_to_end[1_000_000]
    lines += targets_table(measured)
    load_after = os.getloadavg()
    lines.append(
        f"\nLoad average (1 min) at start {load_before[0]:.2f}, at end "
        f"{load_after[0]:.2f}, on {os.cpu_count()} cores.\n"
    )
    if not args.no_extras:
        lines.append(xlsx_case())
        if 1_000_000 in sizes:
            lines.append(profile_case(register(1_000_000)))
            lines.append(build_profile_case(WORK / "home_1000000"))
            lines.append(validation_case(register(1_000_000)))
    lines.append(f"\n{KEEP}\n")
    path = HERE / "RESULTS.md"
    kept = ""
    if path.exists() and KEEP in (old := path.read_text(encoding="utf-8")):
        kept = old.split(KEEP, 1)[1].lstrip("\n")
    path.write_text("\n".join(lines) + ("\n" + kept if kept else ""), encoding="utf-8")
    print(path.read_text(encoding="utf-8"))


def fixed_costs(runs: int) -> dict[str, float]:
    """Each command on an empty home with a one-complaint export: what a command costs before
    any data (process start, imports, the Dagster run, GX's context and self-test)."""
    one = WORK / "register_1.csv"
    one.write_text(
        "complaint_id,received_at,category\nF-1,2026-09-01 09:00,service\n", encoding="utf-8"
    )
    samples: dict[str, list[float]] = {
        "start": [],
        "ingest": [],
        "build": [],
        "report": [],
        "month": [],
    }
    for _ in range(runs):
        samples["start"].append(measure([*CLI, "--help"])[0])
        home = WORK / "home_empty"
        shutil.rmtree(home, ignore_errors=True)
        for stage, (wall, _) in pipeline(home, [str(one), "--exported-at", "2026-09-30"]).items():
            samples[stage].append(wall)
        shutil.rmtree(home, ignore_errors=True)
        samples["month"].append(month_command(home, [str(one), "--exported-at", "2026-09-30"])[0])
    fixed = {k: statistics.median(v) for k, v in samples.items()}
    fixed["total"] = fixed["ingest"] + fixed["build"] + fixed["report"]
    fixed["samples"] = samples  # type: ignore[assignment]
    return fixed


def fixed_table(fixed: dict) -> list[str]:
    s = fixed["samples"]
    return [
        "\n## Fixed cost per command (empty home, one complaint)\n",
        "| command | wall s |",
        "|---|---|",
        f"| process start (`complaints --help`) | {stats(s['start'])} |",
        *(f"| `complaints {k}` | {stats(s[k])} |" for k in ("ingest", "build", "report")),
        f"| ingest + build + report | {fixed['total']:.2f} |",
        f"| `complaints month` (the same three jobs in one process) | {stats(s['month'])} |",
    ]


def targets_table(measured: dict[str, float]) -> list[str]:
    out = [
        "\n## Targets (issue 23; issue 14's below them)\n",
        "| figure | before | target | measured | met |",
        "|---|---|---|---|---|",
    ]
    for name, (before, target, better) in TARGETS.items():
        value = measured.get(name)
        if value is None:
            out.append(f"| {name} | {before} | {target} | not measured | |")
            continue
        met = value <= target if better == "lower" else value >= target
        sign = "≤" if better == "lower" else "≥"
        shown = f"{value:,.0f}" if "MB" in name else f"{value:.2f}"
        out.append(
            f"| {name} | {before} | {sign} {target:g} | {shown} | {'yes' if met else '**no**'} |"
        )
    return out


def table(
    n: int, csv: Path, rows: dict[str, list[float]], rss: dict[str, list[float]]
) -> list[str]:
    out = [
        f"\n## {n:,} complaints ({csv.stat().st_size / 1e6:.0f} MB CSV)\n",
        "| stage | wall s | peak RSS MB |",
        "|---|---|---|",
        f"| (a) floor: DuckDB read_csv | {stats(rows['a'])} | {max(rss['a']):.0f} |",
    ]
    for stage in ("ingest", "build", "report"):
        out.append(f"| (b) complaints {stage} | {stats(rows[stage])} | {max(rss[stage]):.0f} |")
    out.append(f"| (b) project end to end | {stats(rows['b'])} | {max(rss['b']):.0f} |")
    if rows["month"]:
        out.append(
            f"| (b) `complaints month`, empty home | {stats(rows['month'])} | "
            f"{max(rss['month']):.0f} |"
        )
    if rows["c"]:
        out.append(
            f"| (c) pandas + row-wise SLA + GX + plotly | {stats(rows['c'])} | "
            f"{max(rss['c']):.0f} |"
        )
    ratio_ba = [b / a for a, b in zip(rows["a"], rows["b"], strict=True)]
    out.append(f"\nb/a = {stats(ratio_ba)}")
    if rows["c"]:
        ratio_cb = [c / b for b, c in zip(rows["b"], rows["c"], strict=True)]
        out.append(f"; c/b = {stats(ratio_cb)}")
    if rows["c"] and rows["month"]:
        ratio_cm = [c / m for m, c in zip(rows["month"], rows["c"], strict=True)]
        out.append(f"; c / `complaints month` = {stats(ratio_cm)}")
    return out


def xlsx_case() -> str:
    path = WORK / "register_200000.xlsx"
    if not path.exists():
        _in_child("_write_xlsx", 200_000, str(path))
    wall, peak = measure([PY, "-m", "benchmarks.xlsx_read", str(path)])
    return (
        f"\n**XLSX at scale**: reading a 200,000-row workbook ({path.stat().st_size / 1e6:.0f}"
        f" MB) through calamine into DuckDB: {wall:.2f} s, peak RSS {peak:.0f} MB.\n"
    )


def _printed(module: str, path: Path) -> str:
    """What ``python -m module path`` prints (a Markdown table)."""
    return subprocess.run(
        [PY, "-m", module, str(path)], check=True, capture_output=True, text=True
    ).stdout


def profile_case(csv: Path) -> str:
    """Where the 1M-row load spends its time, statement by statement."""
    table = _printed("benchmarks.profile_ingest", csv)
    return "\n## Profile of loading 1,000,000 complaints (one run)\n\n" + table


def build_profile_case(home: Path) -> str:
    """Each mart's SQL on the 1M warehouse (after the incremental month): the build's own work."""
    table = _printed("benchmarks.profile_build", home)
    return "\n## Profile of building the marts on 1,020,000 complaints (one run)\n\n" + table


def validation_case(csv: Path) -> str:
    """Great Expectations on pandas, inside DuckDB, and no GX: each once, on the same rows."""
    from benchmarks.validation_options import OPTIONS

    # Prepared in a child: a forked child's peak RSS starts from its parent's, so this
    # process stays small for the measurements that follow.
    staged = WORK / f"staged_{csv.stem}.parquet"
    subprocess.run(
        [PY, "-m", "benchmarks.validation_options", "prepare", str(csv), str(staged)],
        check=True,
        capture_output=True,
    )
    out = [
        "\n## Validation options, 1,000,000 staged rows (one run each)\n",
        "| option | wall s (incl. imports) | peak RSS MB |",
        "|---|---|---|",
    ]
    for option in OPTIONS:
        wall, peak = measure([PY, "-m", "benchmarks.validation_options", option, str(staged)])
        out.append(f"| {option} | {wall:.2f} | {peak:.0f} |")
    return "\n".join(out) + "\n"


def machine() -> str:
    mem = Path("/proc/meminfo").read_text().split()[1]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {int(mem) / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


if __name__ == "__main__":
    main()
