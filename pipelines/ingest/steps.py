"""The storing steps of a load, after ``load._stage`` has read, typed and validated the file:
each a named function that takes the load (a frozen ``Loading``) and the result so far, and
returns the LoadResult fields it adds. ``STEPS`` lists them in order, each with the tables it
reads and writes (TEMP tables of the load, or the warehouse's schema.table) and the kinds it
runs for; the statements themselves are in ``sql/`` (statements.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from base.kinds import KINDS, REFERENCE_KINDS, DirectoryHistory, Kind, Scope
from base.settings import Settings
from base.warehouse import has_table, scalar
from data_checks.rules import RULES, TIME_PLACEHOLDERS
from pipelines.ingest import dates
from pipelines.ingest.headers import PERSONAL_FIELDS, TEMPLATES, HeaderMapping
from pipelines.ingest.result import LoadResult
from pipelines.ingest.statements import run, sql
from pipelines.models import MODELS_DIR, discover_models, materialise

# A register export giving neither cannot show whether complaints were answered (clause 5.1).
RESPONSE_FIELDS = {"first_response_at", "resolved_at"}


@dataclass(frozen=True)
class FileToLoad:
    """The file a load stores and what it was given with it: every step reads it, none changes
    it."""

    path: Path
    kind: str
    settings: Settings
    mapping: HeaderMapping | None
    scope: str
    source_sha256: str
    exported_at: dt.datetime
    exported_at_from: str

    @property
    def source_file(self) -> str:
        return str(self.path)


@dataclass(frozen=True)
class Loading:
    """A load past validation, as its storing steps see it: the file, its date orders, the
    load's id and the time it is stored at."""

    file: FileToLoad
    orders: tuple[dates.DateOrder, ...]
    load_id: int
    now: dt.datetime

    def lineage(self) -> dict[str, object]:
        """The parameters naming where stored rows came from: the load and its file."""
        return {
            "load_id": self.load_id,
            "source_file": self.file.source_file,
            "source_sha256": self.file.source_sha256,
        }


# What a step adds to the load's result: LoadResult fields and their values.
Found = dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One storing step of a load: the tables it reads and writes (TEMP tables of the load, or
    the warehouse's schema.table) and the kinds of export it runs for. It returns what it adds
    to the result; the result so far is read, never changed."""

    apply: Callable[[duckdb.DuckDBPyConnection, Loading, LoadResult], Found]
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    kinds: tuple[str, ...] = tuple(Kind)


# The staging inputs registered as DataFrames or Arrow tables, unregistered after the load.
STAGED_INPUTS = ("load_context", "labels", "label_patterns", "rules", "findings")
# The TEMP tables and views _stage leaves for the storing steps.
STAGED = ("raw_rows", *STAGED_INPUTS, "file_rows", "rows_to_check_rows", "rows_to_check")


def _row_values_sql(kind: str) -> str:
    """The raw row as JSON with personal data masked, for people fixing it at the source: a
    rejected register row may hold it in any column (a phone typed as the channel or as the
    date), so every value but the complaint id (kept for fixing) is masked; masking leaves
    dates readable."""
    parts = []
    for name in TEMPLATES[kind]:
        if name in PERSONAL_FIELDS:
            parts.append(f"{name} := CASE WHEN r.{name} IS NOT NULL THEN '***' END")
        elif kind in (Kind.register, Kind.activity) and name in ID_FIELDS:
            # a code or nothing, as staged: the rest of the cell may name someone
            parts.append(f"{name} := id_code(r.{name})")
        elif kind == Kind.register and name != "complaint_id":
            parts.append(f"{name} := mask_pii(r.{name}, {_OWN_ARGS})")
        elif kind == Kind.activity:
            parts.append(f"{name} := mask_pii(r.{name}, NULL, NULL, NULL, NULL, NULL, NULL)")
        else:
            parts.append(f"{name} := r.{name}")
    return f"to_json(struct_pack({', '.join(parts)}))"


# Columns holding a staff, partner or handler code: a code or nothing (macros.sql, id_code).
ID_FIELDS = ("employee_id", "partner_id", "handler_id")

# The row's own identifiers, in the order mask_pii takes them.
PERSONAL_OWN = (
    "customer_name",
    "customer_phone",
    "customer_email",
    "customer_national_id",
    "customer_id",
    "contract_id",
)
_OWN_ARGS = ", ".join(f"r.{f}" for f in PERSONAL_OWN)


def _key_given_sql(kind: str) -> str:
    """The record key as the raw row gives it: its first given column. An activity row has no
    subject_key yet, only the subject's id given, kept as a code or nothing like every id
    column of the register (id_codes.sql)."""
    columns = KINDS[kind].key_given
    given = (
        f"r.{columns[0]}"
        if len(columns) == 1
        else f"coalesce({', '.join(f'r.{c}' for c in columns)})"
    )
    return f"id_code({given})" if kind == Kind.activity else given


_RECORD_KEY = {kind: _key_given_sql(kind) for kind in KINDS}


def _row_fate(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """Each row's fate (an exact repeat, rejected or valid) and the valid rows."""
    con.execute(sql("row_fate"))
    con.execute(sql("valid_rows"))
    rejected, repeats = con.execute(sql("fate_counts")).fetchall()[0]
    return {"rows_rejected": rejected, "rows_unchanged": repeats}


def _quarantine(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """The rejected rows, masked, with each rule they break; the first ones for people."""
    kind = load.file.kind
    detail = _detail_sql(con)
    run(
        con,
        "quarantine_rejected",
        {**load.lineage(), "kind": kind, "rejected_at": load.now},
        record_key=_RECORD_KEY[kind],
        reason_en=_reason_sql(con, detail, "en"),
        reason_vi=_reason_sql(con, detail, "vi"),
        row_values=_row_values_sql(kind),
    )
    columns = ("source_row", "complaint_id", "rule", "reason_en", "reason_vi")
    first = run(con, "first_rejected", {"load_id": load.load_id}).fetchall()
    return {"rejected": [dict(zip(columns, row, strict=True)) for row in first]}


def _file_row_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {d[0] for d in con.execute("SELECT * FROM file_rows LIMIT 0").description}


def _detail_sql(con: duckdb.DuckDBPyConnection) -> str:
    """The value a rule names (its ``detail`` column of file_rows), as text."""
    columns = _file_row_columns(con)
    details = sorted({r.detail for r in RULES.values() if r.detail in columns})
    if not details:
        return "CAST(NULL AS VARCHAR)"
    cases = " ".join(f"WHEN '{c}' THEN CAST(fr.{c} AS VARCHAR)" for c in details)
    # a value as given (an unreadable date, say) may be personal data typed in the wrong column
    return f"mask_pii(CASE rules.detail {cases} END, NULL, NULL, NULL, NULL, NULL, NULL)"


def _reason_sql(con: duckdb.DuckDBPyConnection, detail: str, lang: str) -> str:
    """A rule's reason with the value it is about (``detail``, from _detail_sql) in place of
    '{value}', and the row's timestamps in place of '{received_at}', '{exported_at}'..."""
    text = f"replace(rules.reason_{lang}, '{{value}}', coalesce({detail}, ''))"
    columns = _file_row_columns(con)
    for name in TIME_PLACEHOLDERS:
        if name in columns:
            value = f"coalesce(strftime(fr.{name}, '%Y-%m-%d %H:%M'), '')"
            text = f"replace({text}, '{{{name}}}', {value})"
    return text


def _file_warnings(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """Warnings about the whole file: a date order that had to be assumed."""
    assumed = ", ".join(
        d.field.replace("event_order_text", "event_log order_by") for d in load.orders if d.assumed
    )
    if not assumed:
        return {}
    rule = RULES["date_order_assumed"]
    en, vi = rule.reason_en.replace("{value}", assumed), rule.reason_vi.replace("{value}", assumed)
    _file_warning(con, load, rule.name, (en, vi), "dmy")
    return {}


def _file_warning(
    con: duckdb.DuckDBPyConnection,
    load: Loading,
    rule: str,
    messages: tuple[str, str],
    value: str,
) -> None:
    """One warning about the whole file (no row) in quarantine.warnings: (English, Vietnamese)."""
    message_en, message_vi = messages
    params = {"rule": rule, "message_en": message_en, "message_vi": message_vi}
    run(
        con,
        "file_warning",
        {
            **load.lineage(),
            "kind": load.file.kind,
            **params,
            "new_value": value,
            "created_at": load.now,
        },
    )


def _snapshot_time_warning(
    con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult
) -> Found:
    """A snapshot time taken from the file's modification time, warned when it is far from the
    data: later than the file's newest timestamp by more than settings.snapshot_max_gap_days,
    or in the future (a copied or touched file, not the export's time)."""
    if load.file.exported_at_from != "file mtime":
        return {}
    newest = scalar(con, sql("newest_timestamp"))
    gap = load.file.settings.snapshot_max_gap_days
    when, now = load.file.exported_at, load.now
    if when > now:
        why_en, why_vi = "is in the future", "thời điểm này ở tương lai"
    elif newest is not None and when - newest > dt.timedelta(days=gap):
        days = (when - newest).days
        why_en = f"is {days} days after the newest timestamp in the file, {newest:%Y-%m-%d %H:%M}"
        why_vi = (
            f"muộn hơn {days} ngày so với mốc thời gian mới nhất trong tệp, {newest:%Y-%m-%d %H:%M}"
        )
    else:
        return {}
    value = f"{when:%Y-%m-%d %H:%M}"
    rule = RULES["snapshot_time_far_from_data"]
    message_en = rule.reason_en.replace("{value}", value).replace("{why}", why_en)
    message_vi = rule.reason_vi.replace("{value}", value).replace("{why}", why_vi)
    _file_warning(con, load, rule.name, (message_en, message_vi), value)
    return {"file_warnings": [*so_far.file_warnings, f"{message_vi} / {message_en}"]}


def _upsert_register(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """New content becomes a new version; known content only moves its sighting range."""
    unchanged = scalar(con, sql("versions_unchanged"))
    lineage = {**load.lineage(), "loaded_at": load.now}
    run(con, "versions_seen_again", lineage)
    con.execute(sql("versions_seen_earlier"))
    loaded = scalar(con, "SELECT count(*) FROM valid_rows") - unchanged
    run(con, "versions_new", lineage)
    return {"rows_loaded": loaded, "rows_unchanged": so_far.rows_unchanged + unchanged}


def _upsert_reference(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """Directories and exposure: one row per key; the export with the latest exported_at wins."""
    kind = load.file.kind
    facts = KINDS[kind]
    keys, columns = list(facts.stored_key), list(facts.stored_columns)
    table = f"core.{kind}"
    changing = scalar(con, sql("reference_changing", table=table, keys=keys))
    valid = scalar(con, "SELECT count(*) FROM valid_rows")
    stored = {
        "source_file": load.file.source_file,
        "source_sha256": load.file.source_sha256,
        "loaded_at": load.now,
    }
    run(con, "reference_upsert", stored, table=table, keys=keys, columns=columns)
    if facts.history is not None:
        history = _history_params(facts.record_key, facts.history)
        run(con, "directory_history", stored, **history)
    return {"rows_loaded": changing, "rows_unchanged": so_far.rows_unchanged + valid - changing}


def _history_params(key: str, history: DirectoryHistory) -> dict[str, str]:
    """directory_history.sql's placeholders for a directory keyed by ``key``."""
    return {
        "history_type": history.subject_type,
        "key": key,
        "history_group": history.group,
        "history_role": history.role or "null",
    }


def _register_warnings(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """Warnings that compare this export with earlier ones: edits after the fact, deletions."""
    params = {**load.lineage(), "created_at": load.now}
    run(con, "warnings_register_edited", params)
    if load.file.scope == Scope.full:
        run(con, "warnings_missing_from_export", params)
    return {}


def _resolve_quarantine(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """A valid version from a later load resolves earlier rejections of the same complaint."""
    run(con, "resolve_quarantine", {"resolved_at": load.now, "load_id": load.load_id})
    return {}


def _refresh_complaints(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """core.complaints after this file: the complaints the file touched are merged (deleted and
    recomputed) when they are fewer than half the register (a monthly delta onto a large
    register); otherwise the table is rebuilt whole.

    The recomputation runs the model (models/core/complaints.sql) on only the touched
    complaints, given as its variable complaints_touched: it ranks versions per complaint_id, so
    restricting its input to whole complaints gives exactly their rows of a full build
    (tests/test_incremental.py checks it), and ranking 20,000 complaints instead of all of them
    is what keeps a month in seconds. DuckDB does not push a filter on the result through the
    window, hence the model filters its input."""
    model = discover_models(MODELS_DIR)["core.complaints"]
    # Unset before every run of the model here: a failed load's transaction refused the reset.
    con.execute(f"RESET VARIABLE {_TOUCHED}")
    stored = has_table(con, "core.complaints")
    if not stored and not scalar(con, "SELECT count(*) FROM core.latest_register_export"):
        # The first register load: its versions are the only ones, so the model's ranking
        # picks every row: its columns without the sort (1.5 s less at 1M).
        columns = [r[0] for r in con.execute(f"DESCRIBE {model.sql}").fetchall()]
        con.execute(sql("complaints_first_load", columns=columns))
        return {}
    touched = scalar(con, "SELECT count(DISTINCT complaint_id) FROM valid_rows")
    total = scalar(con, "SELECT count(*) FROM core.complaints") if stored else 0
    if not stored or touched > total / 2:
        materialise(con, model)
        return {}
    if not touched:
        return {}
    con.execute(sql("touched_ids"))
    assert model.refs() == {"core.complaint_versions"}, "core.complaints reads only versions"
    con.execute(f"SET VARIABLE {_TOUCHED} = (SELECT list(complaint_id) FROM touched_ids)")
    try:
        con.execute(sql("complaints_merge_touched", model_sql=model.sql))
    finally:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction refuses it
            con.execute(f"RESET VARIABLE {_TOUCHED}")
    return {}


# The variable models/core/complaints.sql reads: the complaint ids to compute (unset: all).
_TOUCHED = "complaints_touched"


def _warnings(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """Warning-level findings of the suite are listed (the rows stay loaded), then the load's
    warnings counted, the file-wide ones included."""
    kind = load.file.kind
    detail = _detail_sql(con)
    run(
        con,
        "warnings_findings",
        {**load.lineage(), "kind": kind, "created_at": load.now},
        record_key="fr.complaint_id" if kind == Kind.register else "NULL",
        reason_en=_reason_sql(con, detail, "en"),
        reason_vi=_reason_sql(con, detail, "vi"),
        detail=detail,
    )
    counts = run(con, "warning_counts", {"load_id": load.load_id}).fetchall()
    warned = run(con, "rows_warned", {"load_id": load.load_id}).fetchall()[0][0]
    return {"warnings": dict(counts), "rows_warned": warned}


def _load_log(con: duckdb.DuckDBPyConnection, load: Loading, so_far: LoadResult) -> Found:
    """The load's line in core.load_log, written only when every row read is accounted for."""
    r, file = so_far, load.file
    assert r.rows_read == r.rows_loaded + r.rows_unchanged + r.rows_rejected, (
        "row accounting does not balance"
    )
    response_columns = (
        bool(RESPONSE_FIELDS & set(r.columns)) if file.kind == Kind.register else None
    )
    run(
        con,
        "load_log",
        {
            "load_id": load.load_id,
            "source_file": file.source_file,
            "source_sha256": file.source_sha256,
            "kind": file.kind,
            "scope": file.scope,
            "exported_at": file.exported_at,
            "rows_read": r.rows_read,
            "rows_loaded": r.rows_loaded,
            "rows_unchanged": r.rows_unchanged,
            "rows_rejected": r.rows_rejected,
            "rows_warned": r.rows_warned,
            "loaded_at": load.now,
            "rows_checked": r.rows_checked,
            "response_columns": response_columns,
        },
    )
    return {}


# A load's storing steps, in order, after _stage. A TEMP table a step reads (a name without a
# schema) is one _stage made (STAGED) or an earlier step wrote; the order of the register's
# steps matters too: the edit warnings compare with versions the upsert has just moved, the
# warning counts take in the file-wide warnings, the log line comes last.
STEPS = (
    Step(_row_fate, reads=("file_rows", "findings"), writes=("row_fate", "valid_rows")),
    Step(
        _quarantine,
        reads=("findings", "raw_rows", "file_rows", "rules"),
        writes=("quarantine.rejected_rows",),
    ),
    Step(
        _upsert_register,
        reads=("valid_rows", "core.complaint_versions"),
        writes=("core.complaint_versions",),
        kinds=(Kind.register,),
    ),
    Step(
        _register_warnings,
        reads=("valid_rows", "file_rows", "load_context", "core.complaint_versions"),
        writes=("quarantine.warnings",),
        kinds=(Kind.register,),
    ),
    Step(
        _resolve_quarantine,
        reads=("valid_rows", "quarantine.rejected_rows"),
        writes=("quarantine.rejected_rows",),
        kinds=(Kind.register,),
    ),
    Step(
        _refresh_complaints,
        reads=("valid_rows", "core.complaint_versions", "core.latest_register_export"),
        writes=("touched_ids", "core.complaints"),
        kinds=(Kind.register,),
    ),
    Step(
        _upsert_reference,
        reads=("valid_rows", "core.staff", "core.partners", "core.activity"),
        writes=("core.staff", "core.partners", "core.activity", "core.directory_history"),
        kinds=REFERENCE_KINDS,
    ),
    Step(_file_warnings, reads=(), writes=("quarantine.warnings",)),
    Step(
        _snapshot_time_warning,
        reads=("file_rows",),
        writes=("quarantine.warnings",),
        kinds=(Kind.register,),
    ),
    Step(
        _warnings,
        reads=("findings", "file_rows", "rules", "quarantine.warnings"),
        writes=("quarantine.warnings",),
    ),
    Step(_load_log, reads=(), writes=("core.load_log",)),
)


def _unmade_reads(steps: tuple[Step, ...]) -> list[str]:
    """TEMP tables a step reads before anything made them: a step moved above its input."""
    made, unmade = set(STAGED), []
    for step in steps:
        unmade += [
            f"{step.apply.__name__}: {t}" for t in step.reads if "." not in t and t not in made
        ]
        made |= set(step.writes)
    return unmade


assert not _unmade_reads(STEPS), _unmade_reads(STEPS)
