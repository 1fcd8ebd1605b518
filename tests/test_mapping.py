"""A mapping file is checked before any row is read (issue 21): every mapped header must be in
the file (the error names it and the closest header), every key must be known, and `validate`
prints the resolved map with what each unmapped field costs. Through the real CLI in-process."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import invoke

HEADER = "CASE_ID,OPENED_DT,CLOSED_DT,TITLE\n"
ROWS = "C1,2015-03-02 09:00,2015-03-05 10:00,Rude employee\nC2,2015-03-03 09:00,,Rude\n"


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "cases_2015-12-31.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def mapping(tmp_path: Path, text: str) -> str:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = "columns:\n  CASE_ID: complaint_id\n  OPENED_DT: received_at\n  CLOSED_DT: resolved_at\n"


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_a_mapped_header_missing_from_the_file_is_named_with_the_closest(
    command, tmp_path, home, export
):
    wrong = mapping(tmp_path, GOOD.replace("CLOSED_DT", "CLOSED_DATE"))
    result = invoke(command, str(export), "--mapping", wrong)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {export}: the mapping's column 'CLOSED_DATE' (for resolved_at) is not in the "
        "file (did you mean 'CLOSED_DT'?); nothing was loaded"
    ]
    if (home / "warehouse.duckdb").exists():
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            assert con.execute("SELECT count(*) FROM core.load_log").fetchone() == (0,)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("null_value: ['?']\n", "unknown key 'null_value' (did you mean 'null_values'?)"),
        ("timezones: America/Chicago\n", "unknown key 'timezones'"),
        (
            "values:\n  chanel:\n    Web: other\n",
            "unknown field 'chanel' (did you mean 'channel'?)",
        ),
        ("event_log:\n  order: x\n", "event_log takes one key, order_by"),
        (
            "values:\n  category:\n    Rude: staff_conduc\n",
            "values of 'category' map 'Rude' to 'staff_conduc', which is not a category code "
            "(did you mean 'staff_conduct'?)",
        ),
        ("values:\n  handler_id:\n    A: B\n", "values can map only coded fields"),
    ],
)
def test_unknown_keys_are_refused_by_name(extra, expected, tmp_path, home, export):
    result = invoke("validate", str(export), "--mapping", mapping(tmp_path, GOOD + extra))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and expected in line, line


def test_an_unknown_field_is_named_with_the_closest(tmp_path, home, export):
    wrong = mapping(tmp_path, GOOD.replace("resolved_at", "resovled_at"))
    result = invoke("validate", str(export), "--mapping", wrong)
    assert result.exit_code == 2
    assert "unknown field 'resovled_at' (did you mean 'resolved_at'?)" in result.stderr


def test_validate_prints_the_resolved_map_and_what_unmapped_fields_cost(tmp_path, home, export):
    result = invoke("validate", str(export), "--mapping", mapping(tmp_path, GOOD))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    for expected in (
        "      complaint_id ← CASE_ID",
        "      received_at ← OPENED_DT",
        "      resolved_at ← CLOSED_DT",
        "      channel: (không có / unmapped) không phân theo kênh / no breakdown by channel",
    ):
        assert expected in lines
    assert not any(line.startswith("      resolved_at:") for line in lines)
    assert not any("customer_name" in line for line in lines)  # personal: unmapped costs nothing


def test_no_response_column_says_the_sla_cannot_be_measured(tmp_path, home, export):
    only = mapping(tmp_path, GOOD.replace("  CLOSED_DT: resolved_at\n", ""))
    result = invoke("validate", str(export), "--mapping", only)
    assert result.exit_code == 0, result.stderr
    costs = [ln for ln in result.stdout.splitlines() if "not measurable" in ln]
    assert [c.split(":")[0].strip() for c in costs] == ["first_response_at", "resolved_at"]
    assert "never as overdue" in costs[0] and "không đo được" in costs[0]


def test_a_register_without_response_columns_is_not_measurable_never_overdue(tmp_path, home):
    """Three 2015 complaints from an export without first-response or resolution columns, built
    as of 15/07/2015: without the rule each would be open and overdue (7 working days after
    March); here none is overdue, none at risk, and compliance is unknown, not 0%."""
    from pipelines import runs

    path = tmp_path / "cases_2015-07-15.csv"
    path.write_text(
        "CASE_ID,OPENED_DT\nN1,2015-03-02 09:00\nN2,2015-03-03 09:00\nN3,2015-04-01 10:00\n",
        encoding="utf-8",
    )
    only = mapping(tmp_path, "columns:\n  CASE_ID: complaint_id\n  OPENED_DT: received_at\n")
    runs.raise_for_problems(runs.ingest([path], mapping=Path(only)))
    assert runs.raise_for_problems(runs.build()).as_of == "2015-07-15"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "SELECT complaint_id, sla_status, due_date FROM marts.complaint_sla ORDER BY 1"
        ).fetchall() == [(c, "not_measurable", None) for c in ("N1", "N2", "N3")]
        assert con.execute(
            "SELECT strftime(month, '%Y-%m'), received, met, breached, open_overdue, "
            "not_measurable, compliance_rate FROM marts.sla_monthly ORDER BY 1"
        ).fetchall() == [("2015-03", 2, 0, 0, 0, 2, None), ("2015-04", 1, 0, 0, 0, 1, None)]
        assert con.execute("SELECT count(*) FROM marts.open_at_risk").fetchone() == (0,)
    shown = runs.raise_for_problems(runs.report(runs.dt.date(2015, 3, 1), runs.Lang.en))
    html = next(p for p in shown.files if p.name == "management.en.html").read_text()
    assert "Not measurable" in html


LABELLED = (
    "CASE_ID,OPENED_DT,CLOSED_DT,TITLE\n"
    "L1,2015-03-02 09:00,2015-03-05 10:00,Employee: rude\n"
    "L2,2015-03-02 09:00,2015-03-05 10:00,EMPLOYEE:   RUDE ON PHONE\n"
    "L3,2015-03-02 09:00,2015-03-05 10:00,employe - late payment\n"
    "L4,2015-03-02 09:00,2015-03-05 10:00,Billing: wrong amount\n"
    "L5,2015-03-02 09:00,2015-03-05 10:00,Collector: threat\n"
    "L6,2015-03-02 09:00,2015-03-05 10:00,Something else\n"
    "L7,2015-03-02 09:00,2015-03-05 10:00,Phàn nàn: Nhân viên\n"
)
PATTERNS = GOOD + (
    "  TITLE: category\n"
    "values:\n"
    "  category:\n"
    '    "Collector: threat": partner_conduct\n'  # exact, quoted: it holds ': '
    '    "Employee:*": staff_conduct\n'  # prefix
    # regex over the folded label: 'employe - late' reads 'employe late' ('-' folds to a space)
    "    /^employee? (late|rude)/: staff_conduct\n"
    '    "/^billing: (wrong|double)/": service\n'
    '    "/^phan nan: nhân viên$/": staff_conduct\n'  # diacritics folded in the pattern too
)


def test_labels_by_exact_prefix_and_regex_with_colons(tmp_path, home):
    from pipelines import runs

    path = tmp_path / "cases_2015-12-31.csv"
    path.write_text(LABELLED, encoding="utf-8")
    runs.raise_for_problems(runs.ingest([path], mapping=Path(mapping(tmp_path, PATTERNS))))
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute("SELECT complaint_id, category FROM core.complaints ORDER BY 1")
        assert got.fetchall() == [
            ("L1", "staff_conduct"),
            ("L2", "staff_conduct"),
            ("L3", "staff_conduct"),
            ("L4", "service"),
            ("L5", "partner_conduct"),
            ("L6", "Something else"),  # no rule matches: kept as given, warned
            ("L7", "staff_conduct"),
        ]
        warned = con.execute("SELECT complaint_id, rule FROM quarantine.warnings ORDER BY 1")
        assert ("L6", "unknown_category") in warned.fetchall()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD + "values:\n  category:\n    Collector: threat: partner_conduct\n",
            "line 7, column 22: mapping values are not allowed here); a header or label that "
            "contains ': ' must be quoted, e.g. \"Closed: with relief\": upheld",
        ),
        (GOOD + "values:\n\tcategory: {}\n", "indent with spaces, not tabs"),
        (
            GOOD + "values:\n  category:\n    /^(?=look)ahead/: service\n",
            "values of 'category': the pattern '/^(?=look)ahead/' is not valid",
        ),
    ],
)
def test_yaml_mistakes_are_explained_with_the_fix(text, expected, tmp_path, home, export):
    result = invoke("validate", str(export), "--mapping", mapping(tmp_path, text))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and expected in line, line


TZ_FILE = (
    b"CASE_ID;OPENED_DT;CLOSED_DT;NOTE\r\n"
    b"T1;03/28/2015 01:30:00 AM;2015-03-29T10:00:00Z;S\xe3o Jo\xe3o\r\n"  # Latin-1 ã
    b"T2;07/01/2015 11:00 PM;;r\xf2 c\xec \xf5\r\n"  # ò ì õ: wrong in Windows-1258
    b"T3;01/15/2015 09:00;01/16/2015 08:00;\r\n"
)
TZ_MAPPING = (
    "columns:\n  CASE_ID: complaint_id\n  OPENED_DT: received_at\n  CLOSED_DT: resolved_at\n"
    "  NOTE: description\ntimezone: America/Chicago\nencoding: latin-1\n"
)


def test_declared_time_zone_and_encoding(tmp_path, home):
    """A US export in Latin-1: times become Hà Nội time (UTC+7) from Chicago's (CST UTC-6 in
    winter, CDT UTC-5 from 8 March 2015), an offset value is converted from its own offset, and
    the declared encoding is used while the sniffed one is printed. Hand-computed:
    T1 28/03 01:30 CDT = 06:30 UTC = 13:30; resolved 29/03 10:00Z = 17:00.
    T2 01/07 23:00 CDT = 02/07 04:00 UTC = 11:00. T3 15/01 09:00 CST = 15:00 UTC = 22:00;
    resolved 16/01 08:00 CST = 14:00 UTC = 21:00."""
    path = tmp_path / "us_2015-12-31.csv"
    path.write_bytes(TZ_FILE)
    result = invoke("ingest", str(path), "--mapping", mapping(tmp_path, TZ_MAPPING))
    assert result.exit_code == 0, result.stderr
    assert "[csv iso8859-1 declared, detected cp1258 ;, exported 2015-12-31 23:59]" in (
        result.stdout
    )
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute(
            "SELECT complaint_id, strftime(received_at, '%Y-%m-%d %H:%M'), "
            "strftime(resolved_at, '%Y-%m-%d %H:%M'), description FROM core.complaints ORDER BY 1"
        ).fetchall()
    assert got == [
        ("T1", "2015-03-28 13:30", "2015-03-29 17:00", "São João"),
        ("T2", "2015-07-02 11:00", None, "rò cì õ"),
        ("T3", "2015-01-15 22:00", "2015-01-16 21:00", None),
    ]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("timezone: US/Chicagoo\n", "timezone 'US/Chicagoo' is not a time zone name"),
        ("encoding: latin-9x\n", "encoding 'latin-9x' is not a text encoding"),
    ],
)
def test_unknown_time_zone_or_encoding_is_refused(extra, expected, tmp_path, home, export):
    result = invoke("validate", str(export), "--mapping", mapping(tmp_path, GOOD + extra))
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert expected in line, line


def test_a_declared_encoding_the_file_does_not_fit_is_refused(tmp_path, home):
    path = tmp_path / "cases_2015-12-31.csv"
    path.write_bytes("CASE_ID,OPENED_DT\nC1,2015-03-02 09:00\n".encode("utf-16"))
    result = invoke(
        "validate", str(path), "--mapping", mapping(tmp_path, GOOD + "encoding: ascii\n")
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "the file is not ascii text (ordinal not in range(128))" in line, line
