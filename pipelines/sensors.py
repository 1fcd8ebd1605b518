"""The inbox sensor: a file dropped in $COMPLAINTS_HOME/inbox/ is loaded once (run_key = sha256)."""

from pathlib import Path

from dagster import RunConfig, RunRequest, SensorEvaluationContext, SkipReason, sensor

from base.kinds import REFERENCE_KINDS, Kind
from pipelines.assets.ingest import IngestConfig, ingest_exports
from pipelines.ingest.load import file_sha256
from pipelines.ingest.readers import EXPORT_SUFFIXES
from pipelines.jobs import inbox_job
from pipelines.resources import WarehouseResource


def kind_of(path: Path) -> Kind:
    """A file named after a reference kind (staff_*, partners_*, activity_*) is that kind;
    anything else is the register."""
    name = path.name.lower()
    return next((k for k in REFERENCE_KINDS if name.startswith(k)), Kind.register)


def inbox_requests(inbox: Path) -> list[RunRequest]:
    # Reference exports first, so register rows are checked against a current directory.
    files = sorted(
        (p for p in inbox.glob("*") if p.suffix.lower() in EXPORT_SUFFIXES),
        key=lambda p: (kind_of(p) is Kind.register, p.name),
    )
    return [
        RunRequest(
            run_key=file_sha256(p),
            run_config=RunConfig(
                ops={ingest_exports.op.name: IngestConfig(paths=[str(p)], kind=kind_of(p))}
            ),
            tags={"source_file": p.name},
        )
        for p in files
    ]


@sensor(job=inbox_job, minimum_interval_seconds=30)
def inbox_sensor(
    context: SensorEvaluationContext, warehouse: WarehouseResource
) -> SkipReason | list[RunRequest]:
    """New exports in the inbox; the same content is never loaded twice."""
    inbox = warehouse.settings.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    requests = inbox_requests(inbox)
    if not requests:
        return SkipReason(f"no export files in {inbox}")
    return requests
