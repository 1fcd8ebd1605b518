"""Header matching: canonical English or Vietnamese headers, or a user's YAML mapping.

Headers match case-, space- and diacritic-insensitively, so "MÃ KHIẾU NẠI", "ma khieu nai"
and "Mã  khiếu nại" all mean ``complaint_id``.
"""

from __future__ import annotations

import codecs
import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import yaml

from base.errors import InputError
from base.kinds import KINDS, Kind
from base.labels import VALUE_LABELS

# kind -> canonical field -> Vietnamese header; fields a file must give (base/kinds.py)
TEMPLATES: dict[str, Mapping[str, str]] = {kind: facts.template for kind, facts in KINDS.items()}
REQUIRED: dict[str, tuple[str, ...]] = {kind: facts.required for kind, facts in KINDS.items()}

# Personal data of the customer (clauses 3.3, 4.6): never stored as given.
PERSONAL_FIELDS = (
    "customer_id",
    "customer_name",
    "customer_phone",
    "customer_email",
    "customer_national_id",
    "contract_id",
)
# What a register field left unmapped costs (Vietnamese / English), shown by `validate`.
UNMAPPED_COST: dict[str, str] = {
    "first_response_at": "không có thời gian phản hồi: dùng thời gian giải quyết / "
    "no first response: the resolution counts as the answer",
    "resolved_at": "không có thời gian giải quyết / no resolution times",
    "channel": "không phân theo kênh / no breakdown by channel",
    "category": "không phân theo nhóm; không có mẫu hành vi nhân viên, đối tác / "
    "no breakdown by category; no staff or partner conduct patterns",
    "subcategory": "không có mức nghiêm trọng (khoản 3.4) / no seriousness (clause 3.4)",
    "employee_id": "không có mẫu theo nhân viên / no staff patterns",
    "partner_id": "không có mẫu theo đối tác / no partner patterns",
    "handler_id": "không đo hạn theo người xử lý / no SLA per handler",
    "status": "trạng thái suy ra từ các mốc thời gian / status derived from the timestamps",
    "outcome": "không biết khiếu nại có cơ sở / no substantiated findings",
    "review_requested_at": "không theo dõi xem xét lại (4.3) / no review requests (4.3)",
    "review_outcome": "không biết kết quả xem xét lại / no review outcomes",
}
NO_RESPONSE_COST = (
    "không có cột phản hồi nào: hạn 7 ngày làm việc không đo được, hiện là 'không đo được', "
    "không bao giờ là quá hạn / no response column at all: the 7-working-day answer rule "
    "cannot be measured, shown as 'not measurable', never as overdue"
)


def unmapped_costs(kind: str, fields: list[str] | set[str]) -> list[tuple[str, str]]:
    """(field, what leaving it unmapped costs) for each template field the file does not give."""
    if kind != Kind.register:
        return [(f, "") for f in TEMPLATES[kind] if f not in fields]
    out = []
    no_response = not {"first_response_at", "resolved_at"} & set(fields)
    for name in TEMPLATES[kind]:
        if name in fields or name in PERSONAL_FIELDS or name in ("description",):
            continue
        if no_response and name in ("first_response_at", "resolved_at"):
            out.append((name, NO_RESPONSE_COST))
        else:
            out.append((name, UNMAPPED_COST.get(name, "")))
    return out


TIMESTAMP_FIELDS = ("received_at", "first_response_at", "resolved_at", "review_requested_at")


def header_key(text: object) -> str:
    """A header or label folded for matching: NFC, no diacritics, lower case, single spaces."""
    s = unicodedata.normalize("NFKD", str(text)).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[\s_\-]+", " ", s).strip()


@dataclass
class HeaderMapping:
    """A user's mapping for an export from another system (``--mapping FILE``).

    YAML keys: ``columns: {their header: canonical field}``; optional ``values: {field: {their
    label: canonical code}}`` (a label may be a prefix, ``Employee*``, or a regular expression,
    ``/^employee (late|rude)/``: see label_rule); ``skip_rows: N`` (junk lines above the
    header); ``null_values: ["?", "N/A"]`` (their spelling of "empty"); ``event_log:
    {order_by: column}`` for systems that export one row per event: the row with the greatest
    order_by per complaint is the complaint, earlier events count as unchanged; ``date_order:
    dmy | mdy | ymd`` (the whole file) or ``date_order: {field: order}`` (per date column),
    used only when a column's values cannot tell day-first from month-first
    (docs/data-and-rules.md).
    Timestamps need no format: every supported shape is recognised. Any other key is refused
    by name (MAPPING_KEYS).
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    skip_rows: int = 0
    null_values: list[str] = field(default_factory=list)
    event_order_by: str | None = None
    date_order: str | None = None
    date_orders: dict[str, str] = field(default_factory=dict)
    timezone: str | None = None  # the export's clock (IANA name); times become company time
    encoding: str | None = None  # the CSV's text encoding (Python codec name), not sniffed

    def date_order_for(self, field_name: str) -> str | None:
        """The declared field order of a date column: its own, else the file's."""
        return self.date_orders.get(field_name, self.date_order)

    @classmethod
    def load(cls, path: Path) -> HeaderMapping:
        try:
            doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise InputError(path, f"the mapping file cannot be read ({exc})") from None
        except yaml.YAMLError as exc:
            raise InputError(path, _yaml_problem(exc)) from None
        if not isinstance(doc, dict) or not isinstance(doc.get("columns", {}), dict):
            raise InputError(path, "the mapping file needs a 'columns:' table of header: field")
        _known_keys(doc, path)
        return cls(
            columns={str(k): str(v) for k, v in (doc.get("columns") or {}).items()},
            values={
                str(f): {str(k): str(v) for k, v in m.items()}
                for f, m in (doc.get("values") or {}).items()
            },
            skip_rows=int(doc.get("skip_rows", 0)),
            null_values=[str(v) for v in doc.get("null_values") or []],
            event_order_by=(doc.get("event_log") or {}).get("order_by"),
            timezone=_timezone(doc.get("timezone"), path),
            encoding=_encoding(doc.get("encoding"), path),
            **_date_order(doc.get("date_order"), path),
        )


def _timezone(given: object, path: Path) -> str | None:
    """The mapping's ``timezone``: an IANA zone name, checked now rather than at the first row."""
    if given is None:
        return None
    try:
        ZoneInfo(str(given))
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            path,
            f"timezone '{given}' is not a time zone name (an IANA name such as America/Chicago, "
            "Europe/Amsterdam, UTC)",
        ) from None
    return str(given)


def _encoding(given: object, path: Path) -> str | None:
    """The mapping's ``encoding``: a text encoding Python knows (latin-1, cp1252, utf-16...)."""
    if given is None:
        return None
    try:
        return codecs.lookup(str(given)).name
    except LookupError:
        raise InputError(
            path,
            f"encoding '{given}' is not a text encoding (e.g. utf-8, latin-1, cp1252, cp1258, "
            "utf-16)",
        ) from None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """YAML's error in one line, where it is, and the usual fix."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "mapping values are not allowed" in problem or "could not find expected ':'" in problem:
        fix = (
            "a header or label that contains ': ' must be quoted, e.g. "
            '"Closed: with relief": upheld'
        )
    elif "\t" in problem or "'\\t'" in problem:  # YAML writes the tab escaped
        fix = "indent with spaces, not tabs"
    else:
        fix = "check the indentation (two spaces per level) and quote labels with : # [ ] { }"
    return f"the mapping is not valid YAML ({where}{problem}); {fix}"


def label_rule(label: str) -> tuple[str, str]:
    """A label of ``values:`` as (kind, text): 'exact', 'prefix' (written 'Employee*') or
    'regex' (written '/^employee (rude|late)/'). Each matches the file's value folded like a
    header: case-insensitive, no diacritics, spaces, '_' and '-' as single spaces."""
    if len(label) > 2 and label.startswith("/") and label.endswith("/"):
        return "regex", label[1:-1]
    if len(label) > 1 and label.endswith("*"):
        return "prefix", header_key(label[:-1])
    return "exact", header_key(label)


def pattern_regex(kind: str, text: str) -> str:
    """The RE2 pattern (DuckDB's regexp_matches) of a prefix or regex label rule."""
    if kind == "prefix":
        return "^" + re.escape(text)
    stripped = unicodedata.normalize("NFKD", text).replace("đ", "d").replace("Đ", "D")
    return "(?i)" + "".join(c for c in stripped if not unicodedata.combining(c))


DATE_ORDERS = ("dmy", "mdy", "ymd")
# The keys a mapping file may hold (HeaderMapping's docstring says what each means).
MAPPING_KEYS = (
    "columns",
    "values",
    "skip_rows",
    "null_values",
    "event_log",
    "date_order",
    "timezone",
    "encoding",
)
EVENT_LOG_KEYS = ("order_by",)


def closest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' for the choice nearest to ``word`` (difflib), or ''."""
    folded = {header_key(c): c for c in choices}
    near = difflib.get_close_matches(header_key(word), list(folded), n=1, cutoff=0.6)
    return f" (did you mean '{folded[near[0]]}'?)" if near else ""


def _known_keys(doc: dict, path: Path) -> None:
    """Refuse a key the mapping format does not know, by name: it would be ignored in silence."""
    for key in doc:
        if str(key) not in MAPPING_KEYS:
            raise InputError(
                path,
                f"the mapping has an unknown key '{key}'{closest(str(key), MAPPING_KEYS)}; "
                f"known keys: {', '.join(MAPPING_KEYS)}",
            )
    event_log = doc.get("event_log")
    if event_log is not None and not (
        isinstance(event_log, dict) and set(map(str, event_log)) <= set(EVENT_LOG_KEYS)
    ):
        raise InputError(path, "event_log takes one key, order_by: the column ordering events")
    fields = sorted({f for kind in TEMPLATES.values() for f in kind})
    values = doc.get("values") or {}
    if not isinstance(values, dict):
        raise InputError(path, "values must be a table of field: {their label: code}")
    for name, labels in values.items():
        if str(name) not in fields:
            raise InputError(
                path,
                f"values names an unknown field '{name}'{closest(str(name), fields)}",
            )
        if not isinstance(labels, dict):
            raise InputError(path, f"values of '{name}' must be a table of their label: code")
        codes = VALUE_LABELS.get(str(name))
        if codes is None:
            raise InputError(
                path,
                f"values can map only coded fields ({', '.join(VALUE_LABELS)}), not '{name}'",
            )
        for label, code in labels.items():
            if str(code) not in codes:
                raise InputError(
                    path,
                    f"values of '{name}' map '{label}' to '{code}', which is not a {name} code"
                    f"{closest(str(code), list(codes))}; codes: {', '.join(codes)}",
                )
        for label in labels:
            kind, text = label_rule(str(label))
            if kind == "regex":
                try:  # DuckDB's RE2 matches the labels: it decides what is valid
                    with duckdb.connect() as con:
                        con.execute("SELECT regexp_matches('', ?)", [pattern_regex(kind, text)])
                except duckdb.Error as exc:
                    why = str(exc).splitlines()[0].split("Error: ", 1)[-1]
                    raise InputError(
                        path, f"values of '{name}': the pattern '{label}' is not valid ({why})"
                    ) from None


def _date_order(given: object, path: Path) -> dict:
    """The mapping's ``date_order``: one order for the file, or one per date column."""
    if given is None:
        return {}
    if isinstance(given, str) and given.strip().lower() in DATE_ORDERS:
        return {"date_order": given.strip().lower()}
    if isinstance(given, dict):
        dates = {
            f
            for kind in TEMPLATES.values()
            for f in kind
            if f.endswith(("_at", "_date")) or f == "month"
        }
        orders = {str(k): str(v).strip().lower() for k, v in given.items()}
        unknown = [k for k in orders if k not in dates]
        if unknown:
            raise InputError(
                path,
                f"date_order names '{unknown[0]}', which is not a date "
                f"field ({', '.join(sorted(dates))})",
            )
        if all(v in DATE_ORDERS for v in orders.values()):
            return {"date_orders": orders}
    raise InputError(
        path, f"date_order must be dmy, mdy or ymd (for the file, or per date field), not {given!r}"
    )


def match_headers(
    headers: list[str], kind: str, mapping: HeaderMapping | None, source: Path
) -> dict[str, str]:
    """Map each recognised file header to its canonical field; refuse a file missing a required one.

    Returns {file header: canonical field}. Unrecognised headers are ignored (not stored).
    """
    template = TEMPLATES[kind]
    known: dict[str, str] = {}
    for name, vietnamese in template.items():
        known[header_key(name)] = name
        known[header_key(vietnamese)] = name
    if mapping:
        present = {header_key(h) for h in headers}
        for theirs, canonical in mapping.columns.items():
            if canonical not in template:
                raise InputError(
                    source,
                    f"the mapping names an unknown field '{canonical}'"
                    f"{closest(canonical, list(template))}; nothing was loaded",
                )
            if header_key(theirs) not in present:
                raise InputError(
                    source,
                    f"the mapping's column '{theirs}' (for {canonical}) is not in the file"
                    f"{closest(theirs, headers)}; nothing was loaded",
                )
            known[header_key(theirs)] = canonical
    matched: dict[str, str] = {}
    for h in headers:
        found = known.get(header_key(h))
        if found and found not in matched.values():
            matched[h] = found
    missing = [f for f in REQUIRED[kind] if f not in matched.values()]
    key_given = KINDS[kind].key_given  # a key given in one of several columns: one is needed
    if len(key_given) > 1 and not set(key_given) & set(matched.values()):
        missing.append(" or ".join(key_given))
    if missing:
        names = ", ".join(f"{f} ({template.get(f, f)})" if f in template else f for f in missing)
        noun = "column" if len(missing) == 1 else "columns"
        raise InputError(source, f"missing required {noun} {names}; nothing was loaded")
    return matched
