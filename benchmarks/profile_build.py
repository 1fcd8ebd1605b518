"""Where `complaints build` spends its time: each mart's SQL on a built warehouse, wall and CPU
seconds (`python -m benchmarks.profile_build HOME`). Prints a Markdown table for RESULTS.md."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from base.warehouse import connect
from pipelines.models import MODELS_DIR, discover_models, mart_models, materialise


def main(home: Path) -> None:
    models = discover_models(MODELS_DIR)
    print("| mart | rows | wall s | CPU s |\n|---|---|---|---|")
    total = 0.0
    with connect(home / "warehouse.duckdb") as con:
        con.execute(f"SET temp_directory = '{home / 'tmp' / 'duckdb'}'")
        for table in mart_models():
            wall, cpu = time.perf_counter(), time.process_time()
            rows = materialise(con, models[table])
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            total += wall
            print(f"| `{table}` | {rows:,} | {wall:.2f} | {cpu:.2f} |")
    print(f"| **all marts** | | {total:.2f} | |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
