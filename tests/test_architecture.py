"""The house reads in one direction (docs/architecture.md): the import-linter contracts in
pyproject.toml hold, so no package imports another's internals both ways."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def test_imports_follow_the_layers():
    # Its own process: import-linter builds the graph from the source files, not sys.modules.
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 kept, 0 broken" in proc.stdout
