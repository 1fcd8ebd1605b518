"""Run an expectation suite on one file's rows and turn GX's unexpected rows into findings.

The rows are a table in DuckDB, validated by GX's SQL datasource (see gx_duckdb.py): GX
computes each expectation as a query, so no pandas frame of the register is built.

A file-backed GX context under ``$COMPLAINTS_HOME/gx`` keeps the validation results, and a
Data Docs site under ``$COMPLAINTS_HOME/data_docs`` renders them for people.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

# GX's progress bars and logging stay out of the CLI output.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")
logging.getLogger("great_expectations").setLevel(logging.ERROR)

import great_expectations as gx  # noqa: E402
from great_expectations.checkpoint import UpdateDataDocsAction  # noqa: E402
from great_expectations.data_context import FileDataContext  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from data_checks import gx_duckdb  # noqa: E402
from data_checks.gx_duckdb import CHECKS_URL  # noqa: E402

SITE = "complaints"


@lru_cache(maxsize=4)
def _context(home: str) -> FileDataContext:
    context = gx.get_context(mode="file", project_root_dir=home)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    docs_dir = str(Path(home) / "data_docs")
    # The typed project config (what get_config() returns in its default mode).
    sites = context.config.data_docs_sites or {}
    if SITE not in sites:
        context.add_data_docs_site(
            SITE,
            {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": docs_dir,
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def data_docs_index(home: Path) -> Path:
    return Path(home) / "data_docs" / "index.html"


# Validation results not yet rendered, per home: Data Docs are rendered once per run
# (publish_docs), not once per file, which saved ~0.8 s a file.
_UNRENDERED: dict[str, list] = {}


def publish_docs(home: Path) -> Path | None:
    """Render this run's validation results into the Data Docs site; its index page."""
    key = str(Path(home).resolve())
    pending = _UNRENDERED.pop(key, [])
    if not pending:
        return None
    _context(key).build_data_docs(site_names=[SITE], resource_identifiers=pending)
    return data_docs_index(home)


def run_suite(
    table: str,
    rows: int,
    suite: gx.ExpectationSuite,
    home: Path,
    asset: str,
    docs: bool = False,
) -> list[tuple[int, str]]:
    """Validate ``table`` of the checks database (gx_duckdb.CHECKS_URL, ``rows`` rows) and
    return each (source_row, rule) that failed, from GX's unexpected_index_list.

    With ``docs`` the Data Docs page is rendered now; otherwise at publish_docs."""
    gx_duckdb.enable()
    context = _context(str(Path(home).resolve()))
    source = context.data_sources.add_or_update_sql("checks", connection_string=CHECKS_URL)
    data_asset = next(
        (a for a in source.assets if a.name == asset), None
    ) or source.add_table_asset(asset, table_name=table)
    batch = next(
        iter(data_asset.batch_definitions), None
    ) or data_asset.add_batch_definition_whole_table("file")
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=f"{asset}-file", data=batch, suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{asset}-checkpoint",
            validation_definitions=[definition],
            actions=[UpdateDataDocsAction(name="data_docs", site_names=[SITE])] if docs else [],
            result_format=gx_duckdb.result_format(rows),
        )
    )
    result = checkpoint.run()
    if not docs:
        _UNRENDERED.setdefault(str(Path(home).resolve()), []).extend(result.run_results)
    findings: set[tuple[int, str]] = set()
    for run in result.run_results.values():
        for rule, source_rows in gx_duckdb.unexpected_rows(run).items():
            findings.update((row, rule) for row in source_rows)
    return sorted(findings)
