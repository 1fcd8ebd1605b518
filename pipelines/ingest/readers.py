"""Read one export file into a DuckDB TEMP table of text columns named after the template
fields (a TEMP table, never the warehouse file: the raw rows hold personal data): ``raw_rows``,
a view adding ``source_row`` over ``raw_rows_data``, the first of the loader's temp tables (see
the table in pipelines/ingest/load.py's docstring). The SQL here is built from the file's own
headers, so it stays beside the code that knows them.

CSV goes through DuckDB's own reader (UTF-8 directly; UTF-16 and Windows-1258 are first
transcoded to a UTF-8 temporary file). XLSX goes through calamine, which reads cell values
without building a cell object model. Every failure is an ``InputError``: one line naming the
file and what is wrong.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

from base.errors import InputError
from base.settings import get_settings
from base.warehouse import MemoryExhausted, scalar
from pipelines.ingest.headers import TEMPLATES, HeaderMapping, match_headers

# The file names read as exports where a folder or the inbox is given: workbooks, and text
# (CSV, or the tab-separated UTF-16 Excel saves as "Unicode Text").
EXPORT_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
MAX_COLUMNS = 500
MAX_CELL_BYTES = 1_000_000  # one cell of free text larger than this is not a register
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class RawFile:
    """A file read into ``table`` (text columns named after fields, plus ``source_row``)."""

    table: str
    rows: int
    fields: list[str]
    shape: str  # e.g. "xlsx", "csv utf-8 ;", "csv cp1258 ;"
    columns: dict[str, str]  # field -> the file's header it was read from


def read_export(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    mapping: HeaderMapping | None = None,
    table: str = "raw_rows",
) -> RawFile:
    """Read ``path`` into ``table``; refuse it with an InputError if it is not a usable export."""
    if not path.is_file():
        raise InputError(path, "no such file")
    if path.stat().st_size == 0:
        raise InputError(path, "the file is empty")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK"):
        return _read_xlsx(con, path, kind, mapping, table)
    if head.startswith(_OLE_MAGIC):
        raise InputError(
            path,
            "a password-protected or legacy .xls workbook; save it as .xlsx without a password",
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise InputError(path, "not a readable XLSX workbook (the file is truncated or corrupt)")
    return _read_csv(con, path, kind, mapping, table)


# --- CSV -------------------------------------------------------------------------------------


def _detect_encoding(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:65536]
    if sample.count(b"\x00") > len(sample) // 4:
        # UTF-16 without a byte-order mark: every other byte of ASCII text is NUL.
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    if b"\x00" in sample:
        raise InputError(path, "binary data, not a text (CSV) file")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if len(_UTF8_MULTIBYTE.findall(data)) >= 3:
        raise InputError(
            path, "mixed text encodings (part UTF-8, part another); re-export as UTF-8"
        )
    try:
        data.decode("cp1258")
    except UnicodeDecodeError:
        raise InputError(path, "binary data or an unknown text encoding, not a CSV file") from None
    return "cp1258"


def scratch_dir() -> Path:
    """$COMPLAINTS_HOME/tmp (mode 0700), emptied of copies a killed run left behind."""
    folder = get_settings().home / "tmp"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in folder.glob("transcode-*.csv"):
        if time.time() - stale.stat().st_mtime > 3600:
            stale.unlink(missing_ok=True)
    return folder


def _transcode(path: Path, encoding: str) -> Path:
    """Write a UTF-8 copy of a UTF-16 or Windows-1258 file for DuckDB's reader."""
    # Under $COMPLAINTS_HOME, never the system temp folder: the copy holds personal data.
    out = Path(tempfile.mkstemp(suffix=".csv", prefix="transcode-", dir=scratch_dir())[1])
    try:
        _copy_as_utf8(path, encoding, out)
    except UnicodeError as exc:
        out.unlink(missing_ok=True)
        raise InputError(
            path,
            f"the file is not {encoding} text ({getattr(exc, 'reason', exc)}); "
            "declare its encoding in the mapping (encoding: latin-1, cp1252...)",
        ) from None
    return out


def _copy_as_utf8(path: Path, encoding: str, out: Path) -> None:
    # NFC on the way: Windows-1258 stores tone marks as separate combining characters. Chunks
    # end at a line break so that no letter is cut from its mark.
    with path.open(encoding=encoding, newline="") as src, out.open("w", encoding="utf-8") as dst:
        carry = ""
        while chunk := src.read(1 << 22):
            text = carry + chunk
            cut = text.rfind("\n") + 1
            dst.write(unicodedata.normalize("NFC", text[:cut]))
            carry = text[cut:]
        dst.write(unicodedata.normalize("NFC", carry))


def _sniff_separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t", "|")}
    return max(counts, key=counts.__getitem__)


def _first_line(path: Path, skip: int) -> str:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for _ in range(skip):
            fh.readline()
        return fh.readline(MAX_CELL_BYTES)


def _read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    mapping: HeaderMapping | None,
    table: str,
) -> RawFile:
    declared = mapping.encoding if mapping else None
    try:
        detected = _detect_encoding(path)
    except InputError:
        if declared is None:
            raise
        detected = "?"  # the declaration decides: a mixed or unknown sniff is no refusal then
    encoding = declared or detected
    utf8 = path if encoding == "utf-8" else _transcode(path, encoding)
    try:
        skip = mapping.skip_rows if mapping else 0
        line = _first_line(utf8, skip).rstrip("\r\n")
        if not line.strip():
            raise InputError(path, "the file has no header row")
        sep = _sniff_separator(line)
        if line.count(sep) + 1 > MAX_COLUMNS:
            raise InputError(path, f"{line.count(sep) + 1} columns; this is not a register export")
        source = f"""read_csv(?, delim = ?, header = true, all_varchar = true, skip = ?,
            quote = '"', escape = '"', max_line_size = {MAX_CELL_BYTES}, encoding = 'utf-8')"""
        params = [str(utf8), sep, skip]
        try:
            headers = [
                r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}", params).fetchall()
            ]
            said = f" declared, detected {detected}" if declared else ""
            shape = f"csv {encoding}{said} {'tab' if sep == chr(9) else sep}"
            return _stage(con, path, kind, mapping, table, headers, source, params, shape)
        except duckdb.OutOfMemoryException:  # the machine's limit, not the file's fault
            raise MemoryExhausted() from None
        except duckdb.Error as exc:
            raise InputError(path, f"not a readable CSV file ({_first_sentence(exc)})") from None
    finally:
        if utf8 != path:
            utf8.unlink(missing_ok=True)


def _first_sentence(exc: Exception) -> str:
    """DuckDB's error, cut to what a person needs: where, and what is wrong."""
    lines = [x.strip() for x in str(exc).splitlines() if x.strip()]
    if not lines:
        return type(exc).__name__
    head = lines[0].split("Error: ", 1)[-1]
    if head.startswith("CSV Error on Line") and len(lines) > 1:
        head = f"line {head.rsplit(':', 1)[-1].strip()}: {lines[1]}"
    return head[:200]


# --- XLSX ------------------------------------------------------------------------------------


def _cell_text(value: object) -> str | None:
    """A cell as text: datetimes as ISO, whole numbers without '.0', blanks as NULL."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _text_column(values: list) -> pa.Array:
    """A column of cells as text, converted by Arrow a whole column at a time; only a column
    mixing kinds of cell (text and numbers, say) is converted cell by cell."""
    values = [None if v == "" else v for v in values]  # calamine gives "" for an empty cell
    try:
        column = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        if not all(v is None or isinstance(v, dt.date) for v in values):
            return pa.array([_cell_text(v) for v in values], type=pa.string())
        # a timestamp column where a midnight cell came back as a date
        column = pa.array(
            [
                v
                if v is None or isinstance(v, dt.datetime)
                else dt.datetime(v.year, v.month, v.day)
                for v in values
            ]
        )
    kind = column.type
    if pa.types.is_timestamp(kind):
        # to the second, as a cell's text always was
        seconds = pc.cast(column, pa.timestamp("s", tz=kind.tz), safe=False)
        return pc.strftime(seconds, format="%Y-%m-%d %H:%M:%S")
    if pa.types.is_date(kind):
        return pc.strftime(column, format="%Y-%m-%d")
    if pa.types.is_floating(kind):
        whole = pc.equal(column, pc.floor(column))
        as_int = pc.cast(pc.cast(column, pa.int64(), safe=False), pa.string())
        return pc.if_else(whole, as_int, pc.cast(column, pa.string()))
    if pa.types.is_boolean(kind):
        return pc.if_else(column, "true", "false")
    if pa.types.is_string(kind) or pa.types.is_null(kind) or pa.types.is_integer(kind):
        return pc.cast(column, pa.string())
    return pa.array([_cell_text(v) for v in values], type=pa.string())


def _register_like(
    rows: Sequence[Sequence[object]], kind: str, mapping: HeaderMapping | None
) -> bool:
    if not rows:
        return False
    try:
        match_headers([str(c) for c in rows[0] if c not in (None, "")], kind, mapping, Path("-"))
    except InputError:
        return False
    return True


def _read_xlsx(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    mapping: HeaderMapping | None,
    table: str,
) -> RawFile:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = {
            name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names
        }
    except Exception as exc:  # calamine raises its own error types for every corrupt shape
        raise InputError(path, f"not a readable XLSX workbook ({_first_sentence(exc)})") from None
    skip = mapping.skip_rows if mapping else 0
    sheets = {n: rows[skip:] for n, rows in sheets.items() if any(any(r) for r in rows)}
    if not sheets:
        raise InputError(path, "the workbook is empty")
    candidates = [n for n, rows in sheets.items() if _register_like(rows, kind, mapping)]
    if len(candidates) > 1:
        names = ", ".join(candidates)
        raise InputError(path, f"several sheets look like a {kind} export ({names}); keep one")
    name = candidates[0] if candidates else next(iter(sheets))
    rows = sheets[name]
    header = [
        str(c).strip() if c not in (None, "") else f"column{i + 1}" for i, c in enumerate(rows[0])
    ]
    if len(header) > MAX_COLUMNS:
        raise InputError(path, f"{len(header)} columns; this is not a register export")
    width = len(header)
    body: list[Sequence[object]] = [
        r if len(r) == width else (list(r) + [None] * width)[:width] for r in rows[1:]
    ]
    arrow = pa.table({h: _text_column([r[i] for r in body]) for i, h in enumerate(header)})
    con.register("xlsx_rows", arrow)
    try:
        return _stage(con, path, kind, mapping, table, header, "xlsx_rows", [], "xlsx")
    finally:
        con.unregister("xlsx_rows")


# --- common ----------------------------------------------------------------------------------


# Free text and names are put in NFC (one form per accented letter) so that names match inside
# descriptions and teams group together; labels, ids and timestamps need no normalising (labels
# are matched without diacritics), which saves most of the cost on large files.
NFC_FIELDS = {
    "customer_name",
    "description",
    "resolution_summary",
    "name",
    "team",
    "role",
    "partner_type",
}


def _stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    mapping: HeaderMapping | None,
    table: str,
    headers: list[str],
    source: str,
    params: list[object],
    shape: str,
) -> RawFile:
    """One pass from the source into ``table``: matched columns renamed to their fields,
    missing ones NULL, blanks NULL; then ``source_row``, the row number a spreadsheet shows."""
    matched = match_headers(headers, kind, mapping, path)
    skip = mapping.skip_rows if mapping else 0
    by_field = {canonical: theirs for theirs, canonical in matched.items()}
    nulls = ", ".join(["''"] + [_sql_text(v) for v in (mapping.null_values if mapping else [])])
    select = []
    for field_name in TEMPLATES[kind]:
        if field_name in by_field:
            col = _quoted(by_field[field_name])
            value = f"trim(nfc_normalize({col}))" if field_name in NFC_FIELDS else f"trim({col})"
            select.append(
                f"case when {value} in ({nulls}) then null else {value} end as {field_name}"
            )
        else:
            select.append(f"cast(null as varchar) as {field_name}")
    order_by = mapping.event_order_by if mapping else None
    if order_by:
        if order_by not in headers:
            raise InputError(
                path, f"the mapping's event_log order_by column '{order_by}' is not in the file"
            )
        # typed once the values are seen: numbers as numbers, dates as dates (load.py)
        select.append(f"nullif(trim({_quoted(order_by)}), '') as event_order_text")
    else:
        select.append("cast(null as varchar) as event_order_text")
    data = f"{table}_data"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {data} AS SELECT {', '.join(select)} FROM {source}", params
    )
    # rowid follows file order from an offset; +2 makes it the row number a spreadsheet shows,
    # the header being row 1. Taken before blank rows go, so numbers keep their gaps.
    first = scalar(con, f"SELECT min(rowid) FROM {data}") or 0
    # Rows that are blank in every field are spreadsheet padding, not records.
    blank = " AND ".join(f"{f} IS NULL" for f in TEMPLATES[kind])
    con.execute(f"DELETE FROM {data} WHERE {blank}")
    con.execute(f"""CREATE OR REPLACE TEMP VIEW {table} AS SELECT *,
        cast(rowid - {first} + 2 + {skip} as bigint) AS source_row FROM {data}""")
    rows = scalar(con, f"SELECT count(*) FROM {data}")
    if rows == 0:
        raise InputError(path, "the file has a header but no rows")
    return RawFile(table=table, rows=rows, fields=list(by_field), shape=shape, columns=by_field)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
