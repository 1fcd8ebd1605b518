"""The lint gates read the repo's config: sqlfluff parses DuckDB SQL with the parameters the code
binds and keeps a model's meaning when it fixes; mypy refuses an unannotated connection."""

from __future__ import annotations

from pathlib import Path

from mypy import api as mypy_api
from sqlfluff.core import FluffConfig, Linter

from tests.conftest import REPO


def _linter() -> Linter:
    return Linter(config=FluffConfig.from_path(str(REPO)))


def _codes(sql: str) -> set[str]:
    return {v.rule_code() for v in _linter().lint_string(sql).get_violations()}


def test_every_ingest_statement_parses_with_its_bound_parameters():
    # The ingest statements are Jinja templates; a bound parameter is written {{ param }} (DuckDB's
    # `?`, which sqlfluff's DuckDB dialect cannot parse). Each renders and parses: no PRS/TMP.
    linter = _linter()
    statements = sorted((REPO / "pipelines" / "ingest" / "sql").glob("*.sql"))
    assert len(statements) > 20
    for path in statements:
        codes = {v.rule_code() for v in linter.lint_path(str(path)).get_violations()}
        assert not codes & {"PRS", "TMP"}, (path.name, codes)


def test_a_bound_parameter_renders_as_a_placeholder_never_as_text():
    from pipelines.ingest.load import sql

    assert "where load_id = ?\n" in sql("first_rejected")
    assert "{{" not in sql("versions_new") and sql("versions_new").count("?") == 4


def test_sqlfluff_wants_one_case_lower():
    assert "CP01" in _codes("SELECT a\nFROM t\n")
    assert "CP03" in _codes("select COALESCE(a, 0) as a\nfrom t\n")
    assert "CP05" in _codes("select cast(a as DATE) as a\nfrom t\n")


def test_sqlfluff_fix_keeps_what_a_model_returns():
    # Column order (ST06) and USING (ST07: with ON, `select *` returns the key twice) stay.
    sql = "select b, t1.*\nfrom t1\ninner join t2 using (id)\n"
    assert _linter().lint_string(sql, fix=True).fix_string()[0] == sql
    # The alias of a VALUES list names its column (AL05 would delete it as unused).
    sql = "select *\nfrom (values ('category'), ('channel')) as t (dimension)\n"
    assert _linter().lint_string(sql, fix=True).fix_string()[0] == sql


def _mypy(path: Path) -> tuple[int, str]:
    out, err, status = mypy_api.run(
        ["--config-file", str(REPO / "pyproject.toml"), "--no-incremental", str(path)]
    )
    return status, out + err


def test_mypy_refuses_an_unannotated_connection(tmp_path):
    code = "import duckdb\n\n\ndef count_rows(con, table: str) -> int:\n    return 0\n"
    (tmp_path / "bare.py").write_text(code)
    status, out = _mypy(tmp_path / "bare.py")
    assert status == 1 and "bare.py:4: error" in out and "[no-untyped-def]" in out
    annotated = code.replace("(con,", "(con: duckdb.DuckDBPyConnection,")
    (tmp_path / "annotated.py").write_text(annotated)
    status, out = _mypy(tmp_path / "annotated.py")
    assert status == 0, out
