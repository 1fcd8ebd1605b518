"""The ingest statements: ``sql/<name>.sql`` rendered (Jinja placeholders only for identifiers
and SQL fragments of ours) and run with each value bound by its name, and the staging queries
``staging/<kind>_rows.sql``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import jinja2

INGEST_DIR = Path(__file__).parent
STAGING_DIR = INGEST_DIR / "staging"
# StrictUndefined: a placeholder left unfilled is an error, never an empty string in the SQL.
_SQL = jinja2.Environment(
    loader=jinja2.FileSystemLoader(INGEST_DIR / "sql"),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
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
