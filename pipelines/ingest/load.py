"""Load one export file into the warehouse in a single transaction.

read -> stage (typed, pseudonymised) -> validate with the GX suite -> quarantine the rejected
rows -> upsert the valid ones -> log. Either the whole file lands or nothing of it does.

Python orders the steps: ``_stage`` (here) reads, types and validates the file (nothing stored
yet), then ``steps.STEPS`` store it in the order listed there, each naming the tables it reads
and writes and returning what it adds to the LoadResult (result.py). The SQL lives beside it:
``staging/<kind>_rows.sql`` types a file's rows (one SELECT per kind, run inside the load,
never stored), ``sql/<step>.sql`` holds each other statement (Jinja placeholders only for
identifiers and SQL fragments of ours; a value is a bound parameter, written
``{{ param('name') }}`` and bound by that name, see ``statements.run``) and ``macros.sql`` the
scalar macros they share. The steps pass rows to each other in TEMP tables of the loading
connection (never the warehouse file: the raw rows hold personal data; a failed or dry-run
load rolls them back with the rest):

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
rows_to_check_rows                                                     the source_row of a row
               rows_to_check_rows.sql        rows_to_check             the suite must see
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
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa

from base import clock
from base.errors import InputError
from base.kinds import KINDS, Kind, Scope
from base.settings import Settings
from base.warehouse import ensure_schema, has_table, scalar, set_time_zone
from data_checks.rules import RULES
from pipelines.ingest import dates, masking
from pipelines.ingest.headers import HeaderMapping
from pipelines.ingest.labels import label_frame, pattern_frame
from pipelines.ingest.pseudonym import hmac_pads, pseudonym_key
from pipelines.ingest.readers import read_export
from pipelines.ingest.result import LoadResult
from pipelines.ingest.statements import INGEST_DIR, run, sql, staging_sql
from pipelines.ingest.steps import STAGED_INPUTS, STEPS, FileToLoad, Loading

_NAME_DATE = re.compile(r"(\d{4})[-_]?(\d{2})[-_]?(\d{2})")
# A date in a file name written day- or month-first (31-01-2026, 1.2.2026): it cannot be told
# which, so it is refused rather than passed over for the file's modification time.
_NAME_DATE_OTHER_ORDER = re.compile(r"(?<!\d)\d{1,2}[-_.]\d{1,2}[-_.]\d{4}(?!\d)")


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
    con.execute(sql("rows_to_check_rows", kind=kind))
    con.execute(sql("rows_to_check"))


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
