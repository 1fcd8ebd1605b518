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


def test_every_export_kind_has_its_facts_and_files():
    """Adding an export kind is one entry in base/kinds.py plus its own files (the staging
    query, the suite's columns): a kind missing one fails here, not at its first load."""
    from base.kinds import KINDS, Kind
    from data_checks import reference
    from pipelines.ingest.statements import STAGING_DIR

    assert list(KINDS) == list(Kind)
    for kind, facts in KINDS.items():
        assert (STAGING_DIR / f"{kind}_rows.sql").is_file(), kind
        given = {*facts.required, *facts.date_fields, *facts.key_given}
        assert given <= set(facts.template), kind
        if kind is not Kind.register:
            assert kind in reference.COLUMNS and facts.stored_key and facts.stored_columns, kind
