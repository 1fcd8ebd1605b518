"""Ingest stage: export files -> core tables and quarantine, one transaction per file."""

from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from base.kinds import KINDS, Kind, Scope
from pipelines.assets.keys import COMPLAINTS, INGEST_GROUP, LOAD_LOG, table_key
from pipelines.gate import gate
from pipelines.ingest.batch import ingest
from pipelines.resources import WarehouseResource

# The core tables a load of each kind writes (base/kinds.py), and those every load writes.
INGESTED = {
    kind: [table_key(table) for table in facts.core_tables] for kind, facts in KINDS.items()
}
ALWAYS = [LOAD_LOG, table_key("quarantine.rejected_rows"), table_key("quarantine.warnings")]
ALL_KEYS = list(dict.fromkeys(ALWAYS + [k for keys in INGESTED.values() for k in keys]))
GATE = "rejected_share_within_limit"


class IngestConfig(Config):
    """What `complaints ingest` passes: files (or folders), their kind and snapshot time."""

    paths: list[str]
    kind: Kind = Kind.register
    exported_at: str | None = None
    mapping: str | None = None
    scope: Scope = Scope.full


@multi_asset(
    specs=[AssetSpec(k, group_name=INGEST_GROUP) for k in ALL_KEYS],
    check_specs=[
        AssetCheckSpec(
            GATE,
            asset=COMPLAINTS,
            blocking=True,
            description="No file of this run was blocked by its rejected rows (share over the "
            "limit and at least the minimum count; fewer is a warning).",
        )
    ],
    can_subset=True,
)
def ingest_exports(
    context: AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    """Load register and reference exports; every row lands in core or in quarantine."""
    settings = warehouse.settings
    with warehouse.connection() as con:
        outcome = ingest(
            con,
            settings,
            config.paths,
            config.kind,
            config.exported_at,
            config.mapping,
            config.scope,
            say=context.log.info,  # each file's line as it finishes (the CLI's progress shows it)
        )
    files = [r.as_dict() for r in outcome.results]
    # Every table is reported so downstream steps run; the metadata says which kind was loaded.
    for key in ALL_KEYS:
        if key in context.selected_asset_keys:
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "kind": str(config.kind),  # Dagster's metadata takes no Enum
                    "touched": key in ALWAYS + INGESTED[config.kind],
                    "files": MetadataValue.json(files),
                },
            )
    verdicts = [
        gate(Path(r.source_file).name, r.rows_rejected, r.rows_checked, settings)
        for r in outcome.results
        if r.rows_rejected
    ]
    blocked = [line for block, line in verdicts if block]
    if COMPLAINTS in context.selected_asset_keys:
        # Rejections under the gate are a warning: the check fails with WARN, which does not
        # stop the downstream assets, and the command exits 0.
        yield AssetCheckResult(
            check_name=GATE,
            asset_key=COMPLAINTS,
            passed=not verdicts,
            severity=AssetCheckSeverity.ERROR if blocked else AssetCheckSeverity.WARN,
            description="; ".join(blocked or [line for _, line in verdicts]) or "ok",
        )
    if outcome.errors:
        raise Failure(
            description="\n".join(str(e) for e in outcome.errors),
            metadata={"refused": MetadataValue.json([str(e) for e in outcome.errors])},
        )
