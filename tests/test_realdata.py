"""Public complaint datasets nobody here wrote, loaded through mapping files. The samples are
vendored under tests/data/ (source and licence in each SOURCE.md), so every clone runs them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pipelines.ingest.headers import HeaderMapping
from pipelines.ingest.load import load_file
from tests.conftest import REPO, TESTDATA, require_realdata

MAPPINGS = REPO / "examples" / "mappings"
CFPB = TESTDATA / "cfpb-complaints-sample" / "complaints_sample.csv"
ITSM = TESTDATA / "itsm-incident-eventlog" / "incident_event_log.csv"


def _mapping(name):
    from tests.conftest import REPO

    return HeaderMapping.load(REPO / "examples" / "mappings" / name)


def test_cfpb_sample(con, settings):
    result = load_file(
        con, CFPB, "register", settings, _mapping("cfpb.yaml"), exported_at=dt.datetime(2020, 4, 6)
    )
    # 6,623 records (per SOURCE.md), 602 of them with multi-line narratives.
    assert result.rows_read == 6623
    assert result.rows_read == result.rows_loaded + result.rows_unchanged + result.rows_rejected
    assert result.rows_rejected == 0
    got = con.execute("""SELECT count(*), min(received_at)::DATE, max(received_at)::DATE,
        count(*) FILTER (category = 'partner_conduct'), count(*) FILTER (outcome = 'pending')
        FROM core.complaints""").fetchall()[0]
    assert got == (6623, dt.date(2015, 4, 6), dt.date(2020, 3, 19), 1231, 35 + 37)
    # ZIP codes are treated as personal data: none survives.
    text = con.execute(
        "SELECT string_agg(coalesce(description, ''), ' ') FROM core.complaints"
    ).fetchall()[0][0]
    assert "335XX" not in text


def test_servicenow_event_log_collapses_to_incidents(con, settings):
    result = load_file(
        con,
        ITSM,
        "register",
        settings,
        _mapping("servicenow_incidents.yaml"),
        exported_at=dt.datetime(2016, 12, 31),
    )
    # 5,998 events of 890 incidents: one complaint each, the other events superseded.
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged, result.rows_rejected) == (
        5998,
        890,
        5998 - 890,
        0,
    )
    assert con.execute("SELECT status, count(*) FROM core.complaints GROUP BY 1").fetchall() == [
        ("closed", 890)
    ]
    assert con.execute(
        "SELECT received_at FROM core.complaints WHERE complaint_id = 'INC0000045'"
    ).fetchall() == [(dt.datetime(2016, 2, 29, 1, 16),)]


def _cfpb_month_first(path, keep=lambda row: True):
    """The CFPB sample as a US system would export it today: snake_case headers, m/d/yyyy
    dates, no preamble. Returns {complaint id: date received} as the original file says."""
    import csv

    with CFPB.open(encoding="utf-8", newline="") as src:
        for _ in range(2):  # the unzip preamble
            src.readline()
        records = [r for r in csv.DictReader(src) if keep(r)]
    snake = {h: h.lower().replace("?", "").replace("-", "_").replace(" ", "_") for h in records[0]}

    def us(iso: str) -> str:
        day = dt.date.fromisoformat(iso)
        return f"{day.month}/{day.day}/{day.year}"

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(snake.values()))
        writer.writeheader()
        for r in records:
            row = {snake[h]: v for h, v in r.items()}
            row["date_received"] = us(row["date_received"])
            row["date_sent_to_company"] = us(row["date_sent_to_company"])
            writer.writerow(row)
    return {r["Complaint ID"]: dt.date.fromisoformat(r["Date received"]) for r in records}


def _snake_mapping(tmp_path: Path, extra: str = "") -> HeaderMapping:
    """cfpb.yaml with the snake_case headers of a newer export, and no preamble to skip."""
    text = (MAPPINGS / "cfpb.yaml").read_text(encoding="utf-8").replace("skip_rows: 2\n", "")
    for header in (
        "Complaint ID",
        "Date received",
        "Submitted via",
        "Product",
        "Issue",
        "Company response to consumer",
        "Consumer complaint narrative",
        "ZIP code",
        "Company:",
    ):
        text = text.replace(f"  {header}", "  " + header.lower().replace(" ", "_"), 1)
    path = tmp_path / "cfpb_snake.yaml"
    path.write_text(extra + text, encoding="utf-8")
    return HeaderMapping.load(path)


def test_cfpb_month_first_snake_case_export(tmp_path, con, settings):
    export = tmp_path / "complaints_us.csv"
    received = _cfpb_month_first(export)
    result = load_file(
        con,
        export,
        "register",
        settings,
        _snake_mapping(tmp_path),
        exported_at=dt.datetime(2020, 4, 6),
    )
    assert (result.rows_read, result.rows_rejected) == (6623, 0)
    assert "date_order_assumed" not in result.warnings
    stored = dict(
        con.execute("SELECT complaint_id, received_at::DATE FROM core.complaints").fetchall()
    )
    assert stored == received  # every date as the ISO original says, e.g. 9/10 is 10 September
    assert (min(stored.values()), max(stored.values())) == (
        dt.date(2015, 4, 6),
        dt.date(2020, 3, 19),
    )


@pytest.mark.parametrize("declared", [True, False])
def test_cfpb_month_first_export_that_cannot_tell(declared, tmp_path, con, settings):
    # Only complaints received on a day <= 12 of a different month number: every date reads
    # both ways. Declared month-first it is read right; undeclared, day-first and warned.
    export = tmp_path / "complaints_us.csv"
    received = _cfpb_month_first(
        export,
        keep=lambda r: (
            int(r["Date received"][8:]) <= 12
            and int(r["Date sent to company"][8:]) <= 12
            and r["Date received"][5:7] != r["Date received"][8:]
        ),
    )
    mapping = _snake_mapping(tmp_path, "date_order: mdy\n" if declared else "")
    result = load_file(
        con, export, "register", settings, mapping, exported_at=dt.datetime(2020, 12, 31)
    )
    assert result.rows_read == len(received) > 1000
    stored = dict(
        con.execute("SELECT complaint_id, received_at::DATE FROM core.complaints").fetchall()
    )
    if declared:
        assert (stored, result.warnings.get("date_order_assumed")) == (received, None)
    else:
        assert result.warnings["date_order_assumed"] == 1
        swapped = {k: dt.date(v.year, v.day, v.month) for k, v in received.items()}
        assert stored == {k: swapped[k] for k in stored}


def test_a_missing_shared_dataset_fails_where_it_is_said_to_be_and_skips_aloud_elsewhere(
    tmp_path, monkeypatch
):
    missing = tmp_path / "raw_reviews.csv"
    monkeypatch.setenv("COMPLAINTS_REALDATA", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="set COMPLAINTS_REALDATA"):
        require_realdata(missing)
    monkeypatch.delenv("COMPLAINTS_REALDATA")
    with pytest.raises(pytest.skip.Exception, match="set COMPLAINTS_REALDATA"):
        require_realdata(missing)
    assert require_realdata(CFPB) == CFPB
