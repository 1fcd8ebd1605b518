"""Load one export file into the warehouse in a single transaction.

read -> stage (typed, pseudonymised) -> validate with the GX suite -> quarantine the rejected
rows -> upsert the valid ones -> log. Either the whole file lands or nothing of it does.

Python orders the steps: ``_stage`` reads, types and validates the file (nothing stored yet),
then ``STEPS`` (at the end of this module) store it in the order listed there, each naming the
tables it reads and writes and returning what it adds to the LoadResult. The SQL lives beside
it: ``staging/<kind>_rows.sql`` types a file's rows (one SELECT per kind, run inside the load,
never stored), ``sql/<step>.sql`` holds each other statement (Jinja placeholders only for
identifiers and SQL fragments of ours; a value is a bound parameter, written
``{{ param('name') }}`` and bound by that name, see ``run``) and ``macros.sql`` the scalar
macros they share. The steps pass rows to each other in TEMP tables of the loading connection
(never the warehouse file: the raw rows hold personal data; a failed or dry-run load rolls
them back with the rest):

============== ============================= ========================= ========================
temp table     created by                    read by                   one row is
============== ============================= ========================= ========================
raw_rows       readers.read_export (a view   dates.decide, staging/*,  a non-blank row of the
               over raw_rows_data)           event_order_probe,        file as text, columns
                                             quarantine_rejected       named after the fields,
                                                                       plus source_row
load_context   _prepare (a DataFrame)        staging/*, macros.sql     the only row: the
                                             (hmac_sha256), warnings_* file's exported_at and
                                                                       the HMAC key pads
labels         _prepare (a DataFrame)        staging/register_rows     a label a field accepts
                                                                       (field, label_key, code)
rules          _prepare (a DataFrame)        quarantine_rejected,      a rule of data_checks:
                                             warnings_findings         level, reasons, detail
file_rows      file_rows.sql                 every step below          a typed row of the file
                                                                       with exact_repeat
rows_to_check  rows_to_check.sql (a view)    _stage (rows_checked),    a row of file_rows the
                                             _validate                 suite must see
findings       _validate (an Arrow table)    row_fate, quarantine_     a rule a row breaks
                                             rejected, warnings_       (source_row, rule,
                                             findings                  level)
row_fate       row_fate.sql                  fate_counts, valid_rows   a row's fate: repeat,
                                                                       rejected or valid
valid_rows     valid_rows.sql (a view)       versions_*, reference_*,  a row of file_rows that
                                             warnings_register_edited, is stored
                                             resolve_quarantine,
                                             touched_ids
touched_ids    touched_ids.sql               complaints_merge_touched  a complaint_id given a
                                                                       valid row
============== ============================= ========================= ========================

Temp macros made per file: date_order_of / date_order_evidence (dates.decide) and
event_order_key (event_order_key.sql), besides those of macros.sql and masking.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import jinja2
import pandas as pd
import pyarrow as pa

from base import clock
from base.errors import InputError
from base.kinds import KINDS, REFERENCE_KINDS, DirectoryHistory, Kind, Scope
from base.settings import Settings
from base.warehouse import ensure_schema, has_table, scalar, set_time_zone
from data_checks.rules import RULES, TIME_PLACEHOLDERS
from pipelines.ingest import dates, masking
from pipelines.ingest.headers import PERSONAL_FIELDS, TEMPLATES, HeaderMapping
from pipelines.ingest.labels import label_frame, pattern_frame
from pipelines.ingest.pseudonym import hmac_pads, pseudonym_key
from pipelines.ingest.readers import read_export
from pipelines.models import MODELS_DIR, discover_models, materialise

# A register export giving neither cannot show whether complaints were answered (clause 5.1).
RESPONSE_FIELDS = {"first_response_at", "resolved_at"}
INGEST_DIR = Path(__file__).parent
STAGING_DIR = INGEST_DIR / "staging"
# StrictUndefined: a placeholder left unfilled is an error, never an empty string in the SQL.
_SQL = jinja2.Environment(
    loader=jinja2.FileSystemLoader(INGEST_DIR / "sql"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
)
_NAME_DATE = re.compile(r"(\d{4})[-_]?(\d{2})[-_]?(\d{2})")
# A date in a file name written day- or month-first (31-01-2026, 1.2.2026): it cannot be told
# which, so it is refused rather than passed over for the file's modification time.
_NAME_DATE_OTHER_ORDER = re.compile(r"(?<!\d)\d{1,2}[-_.]\d{1,2}[-_.]\d{4}(?!\d)")


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def exported_at_source(path: Path, given: dt.datetime | None) -> str:
    """Where exported_at_for takes the snapshot time from: option, file name or file mtime."""
    if given is not None:
        return "option"
    return "file name" if _NAME_DATE.search(path.stem) else "file mtime"


def exported_at_for(path: Path, given: dt.datetime | None, timezone: str) -> dt.datetime:
    """--exported-at, else a date in the file name (end of that day), else the file's mtime
    as wall-clock time in the company's time zone (as every stored timestamp), whatever the
    host's clock zone is. A date in the name that cannot be read (2026-02-30, 31-01-2026) is
    refused, not passed over for the mtime."""
    if given is not None:
        return given
    match = _NAME_DATE.search(path.stem)
    if match:
        try:
            day = dt.date(*map(int, match.groups()))
            return dt.datetime.combine(day, dt.time(23, 59, 59))
        except ValueError:
            if not match.group(0).isdigit():  # 2026-02-30: a date, but not a real one
                why = "is not a real date"
                raise InputError(path, _name_date_refused(match.group(0), why)) from None
    other = _NAME_DATE_OTHER_ORDER.search(path.stem)
    if other:
        raise InputError(
            path, _name_date_refused(other.group(0), "is not written year first (YYYY-MM-DD)")
        )
    return dt.datetime.fromtimestamp(path.stat().st_mtime, ZoneInfo(timezone)).replace(
        tzinfo=None, microsecond=0
    )


def _time_differs(load_id: int, stored: dt.datetime, given: dt.datetime) -> str:
    return (
        f"đã nạp (lần nạp {load_id}) với thời điểm xuất {stored:%Y-%m-%d %H:%M}, khác "
        f"--exported-at {given:%Y-%m-%d %H:%M}; thời điểm của một lần nạp không đổi được: hãy "
        f"chạy `complaints build --as-of {given:%Y-%m-%d}` / already loaded (load {load_id}) "
        f"as exported {stored:%Y-%m-%d %H:%M}, not {given:%Y-%m-%d %H:%M} as --exported-at "
        "says; a load's time cannot be changed: build as of the right day with "
        f"`complaints build --as-of {given:%Y-%m-%d}`"
    )


def _name_date_refused(text: str, why: str) -> str:
    return (
        f"the date '{text}' in the file name {why}; rename the file "
        "(e.g. register_2026-01-31.csv) or give --exported-at; nothing was loaded"
    )


def sql(name: str, **context: object) -> str:
    """The statement of ``sql/<name>.sql``, its placeholders filled from ``context``. A value
    is never rendered into the text: ``{{ param('name') }}`` marks a bound parameter and renders
    as DuckDB's ``?`` (written so, sqlfluff can parse the file with a sample value in its place)."""
    return _render(name, context)[0]


def _render(name: str, context: dict[str, object]) -> tuple[str, list[str]]:
    """The statement's text and the names of its bound parameters, in the order of its ``?``."""
    names: list[str] = []

    def param(parameter: str) -> str:
        names.append(parameter)
        return "?"

    return _SQL.get_template(f"{name}.sql").render(param=param, **context), names


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, object] | None = None,
    **context: object,
) -> duckdb.DuckDBPyConnection:
    """Execute ``sql/<name>.sql`` with each bound parameter given by its name: two values of
    the same type cannot be swapped by their order, and a name missing or unknown is an error."""
    text, names = _render(name, context)
    given = dict(params or {})
    if set(names) != set(given):
        raise ValueError(f"sql/{name}.sql binds {sorted(set(names))}, given {sorted(given)}")
    return con.execute(text, [given[n] for n in names])


def staging_sql(kind: str) -> str:
    """The SELECT that types one file's rows of ``kind`` (staging/<kind>_rows.sql)."""
    return (STAGING_DIR / f"{kind}_rows.sql").read_text(encoding="utf-8")


def _prepare(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    exported_at: dt.datetime,
    mapping: HeaderMapping | None,
) -> None:
    """Connection-local inputs of the staging queries: key pads, labels, macros (never stored)."""
    opad, ipad = hmac_pads(pseudonym_key(settings))
    con.register(
        "load_context",
        pd.DataFrame({"exported_at": [pd.Timestamp(exported_at)], "opad": [opad], "ipad": [ipad]}),
    )
    con.register("labels", label_frame(mapping))
    con.register("label_patterns", pattern_frame(mapping))
    con.register(
        "rules",
        pd.DataFrame(
            [(r.name, r.level, r.reason_en, r.reason_vi, r.detail) for r in RULES.values()],
            columns=["rule", "level", "reason_en", "reason_vi", "detail"],
        ),
    )
    masking.register(con, settings.privacy.mask_workers)
    con.register("known_codes", _known_codes(con))
    pattern = settings.privacy.id_code_pattern.replace("'", "''")
    con.execute(f"CREATE OR REPLACE TEMP MACRO id_code_pattern() AS '{pattern}'")
    con.execute((INGEST_DIR / "macros.sql").read_text(encoding="utf-8"))
    con.execute((INGEST_DIR / "id_codes.sql").read_text(encoding="utf-8"))


def _known_codes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The staff and partner directories' codes: an id cell equal to one is a code, whatever
    its shape (macros.sql, id_code)."""
    parts = [
        f"SELECT CAST({key} AS VARCHAR) AS code FROM {table}"
        for table, key in (("core.staff", "employee_id"), ("core.partners", "partner_id"))
        if has_table(con, table)
    ]
    if not parts:
        return pd.DataFrame({"code": pd.Series([], dtype="object")})
    return con.execute(" UNION ".join(parts)).df()


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


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    settings: Settings,
    mapping: HeaderMapping | None = None,
    exported_at: dt.datetime | None = None,
    scope: str = Scope.full,
    dry_run: bool = False,
) -> LoadResult:
    """Load (or, with dry_run, only validate) one file. Raises InputError for unusable files."""
    if kind not in KINDS:
        raise InputError(path, f"unknown kind '{kind}' (use one of {', '.join(KINDS)})")
    path = Path(path)
    file = FileToLoad(
        path,
        kind,
        settings,
        mapping,
        scope,
        file_sha256(path) if path.is_file() else "",
        exported_at_for(path, exported_at, settings.timezone)
        if path.exists()
        else clock.now(settings),
        exported_at_source(path, exported_at),
    )
    result = LoadResult(
        file.source_file,
        file.source_sha256,
        kind,
        file.exported_at,
        exported_at_from=file.exported_at_from,
    )
    ensure_schema(con)  # a dry run's scratch copy holds the warehouse's load log too
    # fetchall, not fetchone: DuckDB 2 keeps an undrained result open and blocks the connection
    found = run(
        con, "previous_load", {"source_sha256": file.source_sha256, "kind": kind}
    ).fetchall()
    previous = found[0] if found else None
    if previous is not None:
        if exported_at is not None and exported_at != previous[1]:
            raise InputError(path, _time_differs(previous[0], previous[1], exported_at))
        result.status, result.load_id = "duplicate_file", previous[0]
        return result
    con.execute("BEGIN TRANSACTION")
    try:
        result = _load(con, file, result, dry_run)
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        # a failed write may already have ended the transaction; report the cause
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return result


def prepare_staging(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    fields: list[str],
    settings: Settings,
    exported_at: dt.datetime,
    mapping: HeaderMapping | None,
) -> list[dates.DateOrder]:
    """Everything the staging query of ``kind`` reads besides raw_rows: key pads, labels,
    macros, each date column's order and the event-log order key. Returns the date orders."""
    _prepare(con, settings, exported_at, mapping)
    order_by = mapping.event_order_by if kind == Kind.register and mapping is not None else None
    orders = dates.decide(
        con, kind, fields, mapping, also=("event_order_text",) if order_by else ()
    )
    _event_order(con, path, order_by or None, orders)
    return orders


def _load(
    con: duckdb.DuckDBPyConnection, file: FileToLoad, result: LoadResult, dry_run: bool
) -> LoadResult:
    """The file staged and validated (nothing stored yet), then STEPS in order, inside the
    caller's transaction."""
    if dry_run:
        ensure_schema(con)
    result, orders = _stage(con, file, result)
    load_id = scalar(con, "SELECT nextval('core.load_id_seq')")
    loading = Loading(file, tuple(orders), load_id, clock.now(file.settings))
    result = replace(result, load_id=load_id)
    for step in STEPS:
        if file.kind in step.kinds:
            result = replace(result, **step.apply(con, loading, result))
    for name in STAGED_INPUTS:
        con.unregister(name)
    return result


def _stage(
    con: duckdb.DuckDBPyConnection, file: FileToLoad, result: LoadResult
) -> tuple[LoadResult, list[dates.DateOrder]]:
    """The file read (raw_rows), its staging inputs made (load_context, labels, label_patterns,
    rules, macros), its rows typed (file_rows, rows_to_check) and validated (findings). Returns
    what the result gains and the date orders decided."""
    raw = read_export(con, file.path, file.kind, file.mapping)
    orders = prepare_staging(
        con, file.path, file.kind, raw.fields, file.settings, file.exported_at, file.mapping
    )
    _stage_rows(con, file)
    checked = scalar(con, "SELECT count(*) FROM rows_to_check")
    # Nothing new or changed to check (a snapshot seen before): GX and its import are skipped.
    findings = _validate(con, file.kind, file.settings) if checked else _findings([])
    con.register("findings", findings)
    staged = replace(
        result, shape=raw.shape, rows_read=raw.rows, columns=raw.columns, rows_checked=checked
    )
    return staged, orders


# The staging inputs registered as DataFrames or Arrow tables, unregistered after the load.
STAGED_INPUTS = ("load_context", "labels", "label_patterns", "rules", "findings")
# The TEMP tables and views _stage leaves for the storing steps.
STAGED = ("raw_rows", *STAGED_INPUTS, "file_rows", "rows_to_check")


def _stage_rows(con: duckdb.DuckDBPyConnection, file: FileToLoad) -> None:
    """file_rows and rows_to_check, read in the export's own time zone when its mapping
    declares one."""
    mapping = file.mapping
    event_log = file.kind == Kind.register and mapping is not None and mapping.event_order_by
    zone = mapping.timezone if mapping is not None else None
    if zone:
        # The export's clock: values with an offset are read in that zone's wall time, values
        # without one are its wall time already; to_company_time() then converts them all.
        set_time_zone(con, zone)
        company = _sql_text(file.settings.timezone)
        con.execute(sql("to_company_time", declared=_sql_text(zone), company=company))
    try:
        stage_file_rows(con, file.kind, bool(event_log))
    finally:
        if zone:
            set_time_zone(con, file.settings.timezone)
            con.execute(sql("to_company_time", declared=None, company=None))


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def stage_file_rows(con: duckdb.DuckDBPyConnection, kind: str, event_log: bool) -> None:
    """file_rows (the staging query of ``kind`` over raw_rows, with exact_repeat) and the view
    rows_to_check over it."""
    key = KINDS[kind].record_key
    con.execute(sql("file_rows", key=key, event_log=event_log, staged=staging_sql(kind)))
    con.execute(sql("rows_to_check", kind=kind))


def _event_order(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    order_by: str | None,
    orders: list[dates.DateOrder],
) -> None:
    """event_order_key(): an event log's order_by column typed as its values are, numbers as
    numbers and timestamps as timestamps (in the column's decided order), so that the latest
    event wins; a column that is neither is refused rather than sorted as nothing."""
    if order_by is None:
        con.execute(sql("event_order_key", reads_as=None))
        return
    order = next((d.date_order for d in orders if d.field == "event_order_text"), "dmy")
    not_number, not_date, example = run(con, "event_order_probe", {"date_order": order}).fetchall()[
        0
    ]
    if not_number == 0:
        reads_as = "number"
    elif not_date == 0:
        reads_as = "date"
    else:
        what = f"e.g. '{example}'" if example else "a mix of numbers and dates"
        raise InputError(
            path,
            f"the event_log order_by column '{order_by}' is neither all "
            f"numbers nor all dates ({what}); nothing was loaded",
        )
    con.execute(sql("event_order_key", reads_as=reads_as, order=order))


def _validate(con: duckdb.DuckDBPyConnection, kind: str, settings: Settings) -> pa.Table:
    """Run the kind's GX suite on rows_to_check inside DuckDB; the findings (source_row,
    rule, level) as an Arrow table.

    The rows to check are streamed into the checks database GX's SQL datasource reads
    (data_checks/gx_duckdb.py): the file's rows live in TEMP tables of this connection's open
    transaction, which no other connection can see. The whole file is one batch, so the
    uniqueness rule sees every row."""
    # Imported here: Great Expectations takes seconds to import, and only loading needs it.
    from data_checks import reference, register
    from data_checks.gx_duckdb import checks_database, copy_rows
    from data_checks.runner import run_suite

    if kind == Kind.register:
        staff = [r[0] for r in con.execute("SELECT employee_id FROM core.staff").fetchall()]
        partners = [r[0] for r in con.execute("SELECT partner_id FROM core.partners").fetchall()]
        suite, columns = register.register_suite(staff, partners), register.COLUMNS
    else:
        suite, columns = reference.reference_suite(kind), reference.COLUMNS[kind]
    with checks_database(settings.home / "tmp" / "duckdb") as checks:
        rows = copy_rows(con, f"SELECT {', '.join(columns)} FROM rows_to_check", checks, kind)
        try:
            found = run_suite(kind, rows, suite, settings.home, asset=kind)
        finally:
            checks.execute(f'DROP TABLE IF EXISTS "{kind}"')
    return _findings(found)


def _findings(found: list[tuple[int, str]]) -> pa.Table:
    """(source_row, rule) pairs as the findings table: source_row, rule, level."""
    return pa.table(
        {
            "source_row": pa.array([row for row, _ in found], pa.int64()),
            "rule": pa.array([rule for _, rule in found], pa.string()),
            "level": pa.array([RULES[rule].level for _, rule in found], pa.string()),
        }
    )


def _row_values_sql(kind: str) -> str:
    """The raw row as JSON with personal data masked, for people fixing it at the source: a
    rejected register row may hold it in any column (a phone typed as the channel or as the
    date), so every value but the complaint id (kept for fixing) is masked; masking leaves
    dates readable."""
    parts = []
    for name in TEMPLATES[kind]:
        if name in PERSONAL_FIELDS:
            parts.append(f"{name} := CASE WHEN r.{name} IS NOT NULL THEN '***' END")
        elif kind == Kind.register and name in ID_FIELDS:
            # a code or nothing, as staged: the rest of the cell may name someone
            parts.append(f"{name} := id_code(r.{name})")
        elif kind == Kind.register and name != "complaint_id":
            parts.append(f"{name} := mask_pii(r.{name}, {_OWN_ARGS})")
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


def _key_given_sql(columns: tuple[str, ...]) -> str:
    """The record key as the raw row gives it: its first given column (an activity row has no
    subject_key yet, only the id given)."""
    given = [f"r.{c}" for c in columns]
    return given[0] if len(given) == 1 else f"coalesce({', '.join(given)})"


_RECORD_KEY = {kind: _key_given_sql(facts.key_given) for kind, facts in KINDS.items()}


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
