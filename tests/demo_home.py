"""A COMPLAINTS_HOME with the demo loaded and built, for tests that read a realistic warehouse.

Only the reference exports and the last two register snapshots are ingested (each snapshot is a
full export, so the last two carry the whole history and the latest edits), by the same
API as `complaints ingest` and `complaints build` (pipelines.runs), so through the same Dagster
jobs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from base.settings import get_settings
from pipelines import runs

KEY = "test-key-not-secret"


def build_demo_home(root: Path) -> Path:
    """Generate the demo into root/demo_exports, ingest and build; returns root."""
    from pipelines.demo.generator import generate_demo

    os.environ["COMPLAINTS_HOME"] = str(root)
    os.environ["COMPLAINTS_PSEUDONYM_KEY"] = KEY
    get_settings.cache_clear()
    out = root / "demo_exports"
    manifest = generate_demo(out)
    runs.load_demo(out, manifest, snapshots=2)
    (root / "demo_manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False), encoding="utf-8"
    )
    return root
