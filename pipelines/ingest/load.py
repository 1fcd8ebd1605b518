"""Load one export file into the warehouse in a single transaction.

read -> stage (typed, pseudonymised) -> validate with the GX suite -> quarantine the rejected
rows -> upsert the valid ones -> log. Either the whole file lands or nothing of it does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa

from base.errors import InputError
from base.keys import RECORD_KEYS
from base.settings import Settings
from base.warehouse import has_table, scalar
from data_checks.rules import RULES
from pipelines.ingest import dates, masking
from pipelines.ingest.headers import PERSONAL_FIELDS, TEMPLATES, HeaderMapping
from pipelines.ingest.labels import label_frame
from pipelines.ingest.pseudonym import hmac_pads, pseudonym_key
from pipelines.ingest.readers import read_export
from pipelines.models import MODELS_DIR, discover_models, materialise

KINDS = ("register", "staff", "partners", "activity")
INGEST_DIR = Path(__file__).parent
_NAME_DATE = re.compile(r"(\d{4})[-_]?(\d{2})[-_]?(\d{2})")


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

    def as_dict(self) -> dict:
        return {**asdict(self), "exported_at": self.exported_at.isoformat()}

    @classmethod
    def from_dict(cls, d: dict) -> LoadResult:
        return cls(**{**d, "exported_at": dt.datetime.fromisoformat(d["exported_at"])})

    @property
    def rejected_share(self) -> float:
        """Rejected rows over the rows checked in this load, not over every row read: in a
        cumulative snapshot, rows stored earlier were checked when first seen."""
        return self.rows_rejected / self.rows_checked if self.rows_checked else 0.0


def local_now(settings: Settings) -> dt.datetime:
    """Wall-clock time in the company's time zone, as stored timestamps are."""
    return dt.datetime.now(ZoneInfo(settings.timezone)).replace(tzinfo=None, microsecond=0)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def exported_at_for(path: Path, given: dt.datetime | None, timezone: str) -> dt.datetime:
    """--exported-at, else a date in the file name (end of that day), else the file's mtime
    as wall-clock time in the company's time zone (as every stored timestamp), whatever the
    host's clock zone is."""
    if given is not None:
        return given
    match = _NAME_DATE.search(path.stem)
    if match:
        try:
            day = dt.date(*map(int, match.groups()))
            return dt.datetime.combine(day, dt.time(23, 59, 59))
        except ValueError:
            pass
    return (dt.datetime.fromtimestamp(path.stat().st_mtime, ZoneInfo(timezone))
            .replace(tzinfo=None, microsecond=0))


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute((INGEST_DIR / "schema.sql").read_text(encoding="utf-8"))


def _prepare(con, settings: Settings, exported_at: dt.datetime, mapping) -> None:
    """Connection-local inputs of the staging models: key pads, labels, macros (never stored)."""
    opad, ipad = hmac_pads(pseudonym_key(settings))
    con.register(
        "load_context",
        pd.DataFrame({"exported_at": [pd.Timestamp(exported_at)], "opad": [opad], "ipad": [ipad]}),
    )
    con.register("labels", label_frame(mapping))
    con.register(
        "rules",
        pd.DataFrame(
            [(r.name, r.level, r.reason_en, r.reason_vi, r.detail) for r in RULES.values()],
            columns=["rule", "level", "reason_en", "reason_vi", "detail"],
        ),
    )
    masking.register(con)
    con.execute((INGEST_DIR / "macros.sql").read_text(encoding="utf-8"))


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    settings: Settings,
    mapping: HeaderMapping | None = None,
    exported_at: dt.datetime | None = None,
    scope: str = "full",
    dry_run: bool = False,
) -> LoadResult:
    """Load (or, with dry_run, only validate) one file. Raises InputError for unusable files."""
    if kind not in KINDS:
        raise InputError(path, f"unknown kind '{kind}' (use one of {', '.join(KINDS)})")
    path = Path(path)
    sha = file_sha256(path) if path.is_file() else ""
    result = LoadResult(
        str(path),
        sha,
        kind,
        exported_at_for(path, exported_at, settings.timezone) if path.exists()
        else local_now(settings),
    )
    if not dry_run:
        ensure_schema(con)
        previous = scalar(
            con,
            "SELECT load_id FROM core.load_log WHERE source_sha256 = ? "
            "AND kind = ? ORDER BY load_id LIMIT 1",
            [sha, kind],
        )
        if previous is not None:
            result.status, result.load_id = "duplicate_file", previous
            return result
    con.execute("BEGIN TRANSACTION")
    try:
        _load(con, path, kind, settings, mapping, scope, dry_run, result)
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        # a failed write may already have ended the transaction; report the cause
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return result


def prepare_staging(con, path: Path, kind: str, fields: list[str], settings: Settings,
                    exported_at: dt.datetime, mapping: HeaderMapping | None) -> list:
    """Everything the staging model of ``kind`` reads besides raw_rows: key pads, labels,
    macros, each date column's order and the event-log order key. Returns the date orders."""
    _prepare(con, settings, exported_at, mapping)
    event_log = kind == "register" and mapping is not None and mapping.event_order_by
    orders = dates.decide(con, kind, fields, mapping,
                          also=("event_order_text",) if event_log else ())
    _event_order(con, path, mapping.event_order_by if event_log else None, orders)
    return orders


def _load(con, path, kind, settings, mapping, scope, dry_run, result: LoadResult) -> None:
    if dry_run:
        ensure_schema(con)
    raw = read_export(con, path, kind, mapping)
    result.shape, result.rows_read = raw.shape, raw.rows
    event_log = kind == "register" and mapping is not None and mapping.event_order_by
    orders = prepare_staging(con, path, kind, raw.fields, settings, result.exported_at, mapping)
    staged = discover_models(MODELS_DIR)[f"staging.{kind}_rows"]
    key = RECORD_KEYS[kind]
    # A row identical to an earlier row of the same file is a repeat, not a conflict; in an
    # event-log export, every event but the latest of a complaint is superseded.
    repeat = (f"row_number() OVER (PARTITION BY {key} ORDER BY event_order DESC NULLS LAST, "
              "source_row DESC) > 1" if event_log else
              f"row_number() OVER (PARTITION BY {key}, content_hash ORDER BY source_row) > 1")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE file_rows AS SELECT *,
        {key} IS NOT NULL AND {repeat} AS exact_repeat FROM (\n{staged.sql}\n)""")
    result.rows_checked = scalar(
        con, f"SELECT count(*) FROM file_rows AS f WHERE {_to_check(kind)}"
    )
    findings = _validate(con, kind, settings)
    con.register("findings", findings)
    load_id = scalar(con, "SELECT nextval('core.load_id_seq')")
    result.load_id = load_id
    now = local_now(settings)
    con.execute("""CREATE OR REPLACE TEMP TABLE row_fate AS
        SELECT f.source_row,
               CASE WHEN f.exact_repeat THEN 'repeat'
                    WHEN f.source_row IN (SELECT source_row FROM findings WHERE level = 'error')
                    THEN 'rejected' ELSE 'valid' END AS fate
        FROM file_rows AS f""")
    result.rows_rejected = scalar(con, "SELECT count(*) FROM row_fate WHERE fate = 'rejected'")
    _quarantine(con, kind, result, load_id, now)
    if kind == "register":
        loaded, unchanged = _upsert_register(con, result, load_id, now)
        _register_warnings(con, result, load_id, now, scope)
        _resolve_quarantine(con, load_id, now)
        _refresh_complaints(con)
    else:
        loaded, unchanged = _upsert_reference(con, kind, result, load_id, now)
    repeats = scalar(con, "SELECT count(*) FROM row_fate WHERE fate = 'repeat'")
    result.rows_loaded, result.rows_unchanged = loaded, unchanged + repeats
    _file_warnings(con, result, load_id, now, orders)
    _warnings(con, kind, result, load_id, now)
    assert result.rows_read == result.rows_loaded + result.rows_unchanged + result.rows_rejected, (
        "row accounting does not balance"
    )
    con.execute(
        """INSERT INTO core.load_log (load_id, source_file, source_sha256, kind, scope,
            exported_at, rows_read, rows_loaded, rows_unchanged, rows_rejected, rows_warned,
            status, loaded_at, rows_checked)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'loaded', ?, ?)""",
        [
            load_id,
            str(path),
            result.source_sha256,
            kind,
            scope,
            result.exported_at,
            result.rows_read,
            result.rows_loaded,
            result.rows_unchanged,
            result.rows_rejected,
            result.rows_warned,
            now,
            result.rows_checked,
        ],
    )
    for name in ("load_context", "labels", "rules", "findings"):
        con.unregister(name)


def _event_order(con, path: Path, order_by: str | None, orders) -> None:
    """event_order_key(): an event log's order_by column typed as its values are, numbers as
    numbers and timestamps as timestamps (in the column's decided order), so that the latest
    event wins; a column that is neither is refused rather than sorted as nothing."""
    if order_by is None:
        con.execute("CREATE OR REPLACE TEMP MACRO event_order_key(t) AS CAST(NULL AS DOUBLE)")
        return
    order = next((d.date_order for d in orders if d.field == "event_order_text"), "dmy")
    not_number, not_date, example = con.execute(
        f"""SELECT count(*) FILTER (try_cast(t AS DOUBLE) IS NULL),
               count(*) FILTER (parse_ts(t, '{order}') IS NULL),
               min(t) FILTER (try_cast(t AS DOUBLE) IS NULL AND parse_ts(t, '{order}') IS NULL)
        FROM (SELECT event_order_text AS t FROM raw_rows WHERE event_order_text IS NOT NULL)"""
    ).fetchall()[0]
    if not_number == 0:
        key = "try_cast(t AS DOUBLE)"
    elif not_date == 0:
        key = f"epoch(parse_ts(t, '{order}'))"
    else:
        what = f"e.g. '{example}'" if example else "a mix of numbers and dates"
        raise InputError(path, f"the event_log order_by column '{order_by}' is neither all "
                               f"numbers nor all dates ({what}); nothing was loaded")
    con.execute(f"CREATE OR REPLACE TEMP MACRO event_order_key(t) AS {key}")



def _validate(con, kind: str, settings: Settings):
    """Run the kind's GX suite on the file's rows inside DuckDB; the findings (source_row,
    rule, level) as an Arrow table.

    The rows to check are streamed into the checks database GX's SQL datasource reads
    (data_checks/gx_duckdb.py): the file's rows live in TEMP tables of this connection's open
    transaction, which no other connection can see. The whole file is one batch, so the
    uniqueness rule sees every row."""
    # Imported here: Great Expectations takes seconds to import, and only loading needs it.
    from data_checks import reference, register
    from data_checks.gx_duckdb import checks_database, copy_rows
    from data_checks.runner import run_suite

    if kind == "register":
        staff = [r[0] for r in con.execute("SELECT employee_id FROM core.staff").fetchall()]
        partners = [r[0] for r in con.execute("SELECT partner_id FROM core.partners").fetchall()]
        suite, columns = register.register_suite(staff, partners), register.COLUMNS
    else:
        suite, columns = reference.reference_suite(kind), reference.COLUMNS[kind]
    with checks_database(settings.home / "tmp" / "duckdb") as checks:
        rows = copy_rows(con, f"SELECT {', '.join(columns)} FROM file_rows AS f "
                              f"WHERE {_to_check(kind)}", checks, kind)
        try:
            found = run_suite(kind, rows, suite, settings.home, asset=kind)
        finally:
            checks.execute(f'DROP TABLE IF EXISTS "{kind}"')
    return pa.table({
        "source_row": pa.array([row for row, _ in found], pa.int64()),
        "rule": pa.array([rule for _, rule in found], pa.string()),
        "level": pa.array([RULES[rule].level for _, rule in found], pa.string()),
    })


def _to_check(kind: str) -> str:
    """The rows the suite must see. A register row whose content is already stored from an
    export no later than this one was checked when first seen, and can only fail again on
    a duplicated id, so snapshots re-check only what is new or changed."""
    if kind != "register":
        return "NOT f.exact_repeat"
    return """NOT f.exact_repeat AND (
        f.complaint_id IS NULL
        OR f.complaint_id IN (SELECT complaint_id FROM file_rows WHERE NOT exact_repeat
                              GROUP BY complaint_id HAVING count(*) > 1)
        OR NOT EXISTS (SELECT 1 FROM core.complaint_versions AS v
                       WHERE v.complaint_id = f.complaint_id
                         AND v.content_hash = f.content_hash
                         AND v.first_exported_at <= f.exported_at))"""


def _row_values_sql(kind: str) -> str:
    """The raw row as JSON with personal data masked, for people fixing it at the source: a
    rejected register row may hold it in any column (a phone typed as the channel or as the
    date), so every value but the complaint id (kept for fixing) is masked; masking leaves
    dates readable."""
    parts = []
    for name in TEMPLATES[kind]:
        if name in PERSONAL_FIELDS:
            parts.append(f"{name} := CASE WHEN r.{name} IS NOT NULL THEN '***' END")
        elif kind == "register" and name != "complaint_id":
            parts.append(f"{name} := mask_pii(r.{name}, {_OWN_ARGS})")
        else:
            parts.append(f"{name} := r.{name}")
    return f"to_json(struct_pack({', '.join(parts)}))"


# The row's own identifiers, in the order mask_pii takes them.
PERSONAL_OWN = ("customer_name", "customer_phone", "customer_email", "customer_national_id",
                "customer_id", "contract_id")
_OWN_ARGS = ", ".join(f"r.{f}" for f in PERSONAL_OWN)

# The key as the raw row gives it; an activity row has no subject_key yet, only the id given.
_RECORD_KEY = {kind: f"r.{key}" for kind, key in RECORD_KEYS.items()} | {
    "activity": "coalesce(r.employee_id, r.partner_id)"}


def _quarantine(con, kind, result: LoadResult, load_id: int, now) -> None:
    key = _RECORD_KEY[kind]
    con.execute(
        f"""
        INSERT INTO quarantine.rejected_rows
        SELECT ?, ?, ?, ?, r.source_row, {key}, f.rule, {_reason_sql(con, "en")},
               {_reason_sql(con, "vi")}, {_row_values_sql(kind)}, ?, NULL
        FROM findings AS f
        JOIN raw_rows AS r USING (source_row)
        JOIN file_rows AS fr USING (source_row)
        JOIN rules ON rules.rule = f.rule
        WHERE f.level = 'error'
        ORDER BY r.source_row, f.rule""",
        [load_id, kind, result.source_file, result.source_sha256, now],
    )
    result.rejected = [
        dict(
            zip(("source_row", "complaint_id", "rule", "reason_en", "reason_vi"), row, strict=True)
        )
        for row in con.execute(
            "SELECT source_row, complaint_id, rule, reason_en, reason_vi FROM "
            "quarantine.rejected_rows WHERE load_id = ? ORDER BY source_row, rule LIMIT 10",
            [load_id],
        ).fetchall()
    ]


def _detail_sql(con) -> str:
    """The value a rule names (its ``detail`` column of file_rows), as text."""
    columns = {d[0] for d in con.execute("SELECT * FROM file_rows LIMIT 0").description}
    details = sorted({r.detail for r in RULES.values() if r.detail in columns})
    if not details:
        return "CAST(NULL AS VARCHAR)"
    cases = " ".join(f"WHEN '{c}' THEN CAST(fr.{c} AS VARCHAR)" for c in details)
    # a value as given (an unreadable date, say) may be personal data typed in the wrong column
    return f"mask_pii(CASE rules.detail {cases} END, NULL, NULL, NULL, NULL, NULL, NULL)"


def _reason_sql(con, lang: str) -> str:
    """A rule's reason with the value it is about in place of '{value}'."""
    return f"replace(rules.reason_{lang}, '{{value}}', coalesce({_detail_sql(con)}, ''))"


def _file_warnings(con, result: LoadResult, load_id: int, now, orders) -> None:
    """Warnings about the whole file: a date order that had to be assumed."""
    assumed = ", ".join(d.field.replace("event_order_text", "event_log order_by")
                        for d in orders if d.assumed)
    if not assumed:
        return
    rule = RULES["date_order_assumed"]
    con.execute(
        "INSERT INTO quarantine.warnings VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, NULL, ?, ?)",
        [load_id, result.kind, result.source_file, result.source_sha256, rule.name,
         rule.reason_en.replace("{value}", assumed), rule.reason_vi.replace("{value}", assumed),
         "dmy", now],
    )


def _upsert_register(con, result: LoadResult, load_id: int, now) -> tuple[int, int]:
    """New content becomes a new version; known content only moves its sighting range."""
    con.execute("""CREATE OR REPLACE TEMP TABLE valid_rows AS
        SELECT f.* FROM file_rows AS f JOIN row_fate USING (source_row) WHERE fate = 'valid'""")
    unchanged = scalar(
        con,
        """SELECT count(*) FROM valid_rows AS s JOIN core.complaint_versions
        AS v USING (complaint_id, content_hash)""",
    )
    lineage = [result.source_file, result.source_sha256, load_id, now]
    con.execute(
        """UPDATE core.complaint_versions AS v
        SET exported_at = s.exported_at, source_file = ?, source_sha256 = ?,
            source_row = s.source_row, load_id = ?, loaded_at = ?
        FROM valid_rows AS s
        WHERE v.complaint_id = s.complaint_id AND v.content_hash = s.content_hash
          AND s.exported_at >= v.exported_at""",
        lineage,
    )
    con.execute("""UPDATE core.complaint_versions AS v SET first_exported_at = s.exported_at
        FROM valid_rows AS s
        WHERE v.complaint_id = s.complaint_id AND v.content_hash = s.content_hash
          AND s.exported_at < v.first_exported_at""")
    loaded = scalar(con, "SELECT count(*) FROM valid_rows") - unchanged
    con.execute(
        """INSERT INTO core.complaint_versions
        SELECT s.complaint_id, s.content_hash, s.received_at, s.channel, s.customer_key,
               s.category, s.subcategory, s.employee_id, s.partner_id, s.handler_id,
               s.first_response_at, s.resolved_at, s.status, s.outcome, s.review_requested_at,
               s.review_outcome, s.description, s.resolution_summary,
               s.exported_at, s.exported_at, ?, ?, s.source_row, ?, ?
        FROM valid_rows AS s
        WHERE NOT EXISTS (SELECT 1 FROM core.complaint_versions AS v
                          WHERE v.complaint_id = s.complaint_id
                            AND v.content_hash = s.content_hash)""",
        lineage,
    )
    return loaded, unchanged


_REFERENCE_COLUMNS = {
    "staff": (RECORD_KEYS["staff"],
              ["employee_id", "name", "team", "role", "start_date", "end_date"]),
    "partners": (RECORD_KEYS["partners"],
                 ["partner_id", "name", "partner_type", "start_date", "end_date"]),
    "activity": (
        "month, subject_type, subject_id",
        ["month", "subject_type", "subject_id", "interactions"],
    ),
}


def _upsert_reference(con, kind, result: LoadResult, load_id: int, now) -> tuple[int, int]:
    """Directories and exposure: one row per key; the export with the latest exported_at wins."""
    key, columns = _REFERENCE_COLUMNS[kind]
    table = f"core.{kind}"
    con.execute("""CREATE OR REPLACE TEMP TABLE valid_rows AS
        SELECT f.* FROM file_rows AS f JOIN row_fate USING (source_row) WHERE fate = 'valid'""")
    keys = [k.strip() for k in key.split(",")]
    join = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    changing = scalar(
        con,
        f"""SELECT count(*) FROM valid_rows AS s
        WHERE NOT EXISTS (
            SELECT 1 FROM {table} AS t WHERE {join}
            AND (t.content_hash = s.content_hash OR t.exported_at > s.exported_at))""",
    )
    valid = scalar(con, "SELECT count(*) FROM valid_rows")
    cols = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    con.execute(
        f"""
        INSERT INTO {table} ({cols}, exported_at, source_file, source_sha256, source_row,
                             loaded_at, content_hash)
        SELECT {cols}, exported_at, ?, ?, source_row, ?, content_hash FROM valid_rows
        ON CONFLICT ({key}) DO UPDATE SET {updates}, exported_at = excluded.exported_at,
            source_file = excluded.source_file, source_sha256 = excluded.source_sha256,
            source_row = excluded.source_row, loaded_at = excluded.loaded_at,
            content_hash = excluded.content_hash
        WHERE excluded.exported_at >= {table}.exported_at
          AND excluded.content_hash <> {table}.content_hash""",
        [result.source_file, result.source_sha256, now],
    )
    return changing, valid - changing


def _register_warnings(con, result: LoadResult, load_id: int, now, scope: str) -> None:
    """Warnings that compare this export with earlier ones: edits after the fact, deletions."""
    args = [load_id, result.source_file, result.source_sha256, now]
    con.execute(
        """
        INSERT INTO quarantine.warnings
        WITH previous AS (
            SELECT v.*, row_number() OVER (PARTITION BY v.complaint_id
                                           ORDER BY v.exported_at DESC, v.load_id DESC) AS k
            FROM core.complaint_versions AS v
            WHERE v.exported_at < (SELECT exported_at FROM load_context)
        ),
        edits AS (
            SELECT s.source_row, s.complaint_id, 'received_at' AS what,
                   strftime(p.received_at, '%Y-%m-%d %H:%M:%S') AS old_value,
                   strftime(s.received_at, '%Y-%m-%d %H:%M:%S') AS new_value
            FROM valid_rows AS s JOIN previous AS p ON p.complaint_id = s.complaint_id AND p.k = 1
            WHERE p.received_at <> s.received_at
            UNION ALL
            SELECT s.source_row, s.complaint_id, 'first_response_at',
                   strftime(p.first_response_at, '%Y-%m-%d %H:%M:%S'),
                   strftime(s.first_response_at, '%Y-%m-%d %H:%M:%S')
            FROM valid_rows AS s JOIN previous AS p ON p.complaint_id = s.complaint_id AND p.k = 1
            WHERE p.first_response_at IS NOT NULL
              AND p.first_response_at IS DISTINCT FROM s.first_response_at
        )
        SELECT ?, 'register', ?, ?, source_row, complaint_id, 'register_edited',
               what || ' changed from ' || coalesce(old_value, 'empty') || ' to '
                    || coalesce(new_value, 'empty'),
               (CASE what WHEN 'received_at' THEN 'thời gian tiếp nhận'
                          ELSE 'thời gian phản hồi đầu tiên' END)
                    || ' đổi từ ' || coalesce(old_value, 'trống') || ' thành '
                    || coalesce(new_value, 'trống'),
               old_value, new_value, ?
        FROM edits""",
        args,
    )
    if scope != "full":
        return
    con.execute(
        """
        INSERT INTO quarantine.warnings
        SELECT ?, 'register', ?, ?, NULL, v.complaint_id, 'missing_from_export',
               'present in an export of ' || strftime(max(v.exported_at), '%Y-%m-%d')
                   || ' but missing from this full export',
               'có trong lần xuất ngày ' || strftime(max(v.exported_at), '%d/%m/%Y')
                   || ' nhưng không có trong lần xuất đầy đủ này',
               NULL, NULL, ?
        FROM core.complaint_versions AS v
        WHERE v.exported_at < (SELECT exported_at FROM load_context)
          AND v.received_at <= (SELECT exported_at FROM load_context)
          AND v.complaint_id NOT IN (SELECT complaint_id FROM file_rows
                                     WHERE complaint_id IS NOT NULL)
        GROUP BY v.complaint_id
        HAVING max(v.exported_at) = (SELECT max(exported_at) FROM core.complaint_versions AS w
                                     WHERE w.complaint_id = v.complaint_id)""",
        args,
    )


def _refresh_complaints(con) -> None:
    """core.complaints after this file: the complaints the file touched are merged (deleted and
    recomputed) when they are fewer than half the register (a monthly delta onto a large
    register); otherwise the table is rebuilt whole.

    The recomputation runs the model (models/core/complaints.sql) on only the touched
    complaints' versions: it ranks versions per complaint_id, so restricting its input to whole
    complaints gives exactly their rows of a full build (tests/test_incremental.py checks it),
    and ranking 20,000 complaints instead of all of them is what keeps a month in seconds.
    DuckDB does not push a filter on the result through the window, hence the input."""
    model = discover_models(MODELS_DIR)["core.complaints"]
    stored = has_table(con, "core.complaints")
    if not stored and not scalar(con, "SELECT count(*) FROM core.load_log "
                                      "WHERE kind = 'register'"):
        # The first register load: its versions are the only ones, one per complaint (ids
        # with different content are rejected, exact repeats are not versions), so the
        # model's ranking picks every row: its columns without the sort (1.5 s less at 1M).
        columns = ", ".join(r[0] for r in con.execute(f"DESCRIBE {model.sql}").fetchall())
        con.execute(f"CREATE TABLE core.complaints AS SELECT {columns} "
                    "FROM core.complaint_versions")
        return
    touched = scalar(con, "SELECT count(DISTINCT complaint_id) FROM valid_rows")
    total = scalar(con, "SELECT count(*) FROM core.complaints") if stored else 0
    if not stored or touched > total / 2:
        materialise(con, model)
        return
    if not touched:
        return
    con.execute("""CREATE OR REPLACE TEMP TABLE touched_ids AS
        SELECT DISTINCT complaint_id FROM valid_rows""")
    assert model.refs() == {"core.complaint_versions"}, "core.complaints reads only versions"
    restricted = _VERSIONS_REF.sub(
        "(SELECT * FROM core.complaint_versions WHERE complaint_id IN "
        "(SELECT complaint_id FROM touched_ids))", model.sql)
    con.execute("DELETE FROM core.complaints WHERE complaint_id IN "
                "(SELECT complaint_id FROM touched_ids)")
    con.execute(f"INSERT INTO core.complaints BY NAME SELECT * FROM (\n{restricted}\n)")
    con.execute("DROP TABLE touched_ids")


_VERSIONS_REF = re.compile(r"\bcore\.complaint_versions\b", re.IGNORECASE)


def _resolve_quarantine(con, load_id: int, now) -> None:
    """A valid version from a later load resolves earlier rejections of the same complaint."""
    con.execute(
        """UPDATE quarantine.rejected_rows SET resolved_at = ?
        WHERE resolved_at IS NULL AND kind = 'register' AND load_id < ?
          AND complaint_id IN (SELECT complaint_id FROM valid_rows)""",
        [now, load_id],
    )


def _warnings(con, kind, result: LoadResult, load_id: int, now) -> None:
    """Warning-level findings of the suite are listed; the rows stay loaded."""
    key = "complaint_id" if kind == "register" else "NULL"
    con.execute(
        f"""
        INSERT INTO quarantine.warnings
        SELECT ?, ?, ?, ?, f.source_row, {key}, f.rule, {_reason_sql(con, "en")},
               {_reason_sql(con, "vi")}, NULL, {_detail_sql(con)}, ?
        FROM findings AS f JOIN file_rows AS fr USING (source_row)
        JOIN rules ON rules.rule = f.rule
        WHERE f.level = 'warning'
          AND f.source_row NOT IN (SELECT source_row FROM findings WHERE level = 'error')""",
        [load_id, kind, result.source_file, result.source_sha256, now],
    )
    counts = con.execute(
        "SELECT rule, count(*) FROM quarantine.warnings WHERE load_id = ? "
        "GROUP BY rule ORDER BY rule",
        [load_id],
    ).fetchall()
    result.warnings = dict(counts)
    result.rows_warned = scalar(
        con,
        "SELECT count(DISTINCT coalesce(source_row, -1)) FROM "
        "quarantine.warnings WHERE load_id = ? AND source_row IS NOT "
        "NULL",
        [load_id],
    )
