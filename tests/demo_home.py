"""A COMPLAINTS_HOME with the demo loaded and built, for tests that read a realistic warehouse.

Only the reference exports and the last two register snapshots are ingested (each snapshot is a
full export, so the last two carry the whole history and the latest edits); the same Dagster
jobs and run config as `complaints ingest` and `complaints build`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipelines.cli import DEMO_EXPORTED_AT, CommandFailed, run_job
from pipelines.settings import get_settings

KEY = "test-key-not-secret"


def _ingest(paths: list[Path], kind: str, exported_at: str | None = None) -> None:
    config = {"paths": [str(p) for p in paths], "kind": kind, "exported_at": exported_at,
              "mapping": None, "scope": "full"}
    result = run_job("ingest_job", {"ops": {"ingest_exports": {"config": config}}})
    if not result.success:
        raise CommandFailed(f"demo ingest of {kind} failed")


def build_demo_home(root: Path) -> Path:
    """Generate the demo into root/demo_exports, ingest and build; returns root."""
    from pipelines.demo.generator import generate_demo

    os.environ["COMPLAINTS_HOME"] = str(root)
    os.environ["COMPLAINTS_PSEUDONYM_KEY"] = KEY
    get_settings.cache_clear()
    out = root / "demo_exports"
    manifest = generate_demo(out)
    files = manifest["files"]
    for kind in ("staff", "partners", "activity"):
        _ingest([out / files[kind]], kind, DEMO_EXPORTED_AT)
    _ingest([out / s["file"] for s in files["register"][-2:]], "register")
    result = run_job("build_job", {"ops": {"core__build_params": {"config": {"as_of": None}}}})
    if not result.success:
        raise CommandFailed("demo build failed")
    (root / "demo_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False),
                                             encoding="utf-8")
    return root
