"""What loading one file did: where its rows went, for people, the load log and Dagster."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


@dataclass
class LoadResult:
    source_file: str
    source_sha256: str
    kind: str
    exported_at: dt.datetime
    shape: str = ""
    rows_read: int = 0
    rows_checked: int = 0  # rows validated in this load: new or changed content (the gate's base)
    rows_loaded: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    rows_warned: int = 0
    status: str = "loaded"
    load_id: int | None = None
    rejected: list[dict] = field(default_factory=list)  # first rejected rows, for people
    warnings: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # field -> the file's header
    exported_at_from: str = "option"  # option | file name | file mtime (exported_at_source)
    file_warnings: list[str] = field(default_factory=list)  # about the whole file, for people

    def as_dict(self) -> dict:
        # kind as text: a Kind is an Enum, which Dagster's metadata does not take
        return {**asdict(self), "kind": str(self.kind), "exported_at": self.exported_at.isoformat()}

    @classmethod
    def from_dict(cls, d: dict) -> LoadResult:
        return cls(**{**d, "exported_at": dt.datetime.fromisoformat(d["exported_at"])})
