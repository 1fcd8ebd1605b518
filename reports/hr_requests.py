"""HR dossier requests, kept in the restricted folder (0600 files in a 0700 folder) from the
moment they are made until the job has written the dossier and its audit row. The Dagster run
config, which Dagster keeps in its run history outside the restricted folder, carries only the
request's opaque id: never the employee, who asked or why."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from base.settings import Settings
from reports.publish import ReportError, _private_dir, write_text

_ID = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class HrRequest:
    employee_id: str
    month: str  # YYYY-MM
    requested_by: str
    reason: str
    lang: str = "vi"
    account: str = ""  # the operating-system account that ran the command (checked, audited)


def _folder(settings: Settings) -> Path:
    return settings.restricted_dir / "hr" / "requests"


def _path(settings: Settings, request_id: str) -> Path:
    if not _ID.fullmatch(request_id):
        raise ReportError(request_id, "not an HR request id")
    return _folder(settings) / f"{request_id}.json"


def save(settings: Settings, request: HrRequest) -> str:
    """Keep the request in the restricted folder; its id goes into the run config."""
    for folder in (settings.restricted_dir, settings.restricted_dir / "hr", _folder(settings)):
        _private_dir(folder)
    request_id = secrets.token_hex(16)
    write_text(
        _path(settings, request_id), json.dumps(asdict(request), ensure_ascii=False), mode=0o600
    )
    return request_id


def load(settings: Settings, request_id: str) -> HrRequest:
    path = _path(settings, request_id)
    try:
        return HrRequest(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ReportError(
            request_id,
            "no such HR request (each is used once; ask again with `complaints hr-dossier`)",
        ) from None


def discard(settings: Settings, request_id: str) -> None:
    """Forget a request once its dossier is written (the audit log keeps it) or it failed."""
    _path(settings, request_id).unlink(missing_ok=True)
