"""Public complaint datasets nobody here wrote, loaded through mapping files."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.ingest.headers import HeaderMapping
from pipelines.ingest.load import load_file
from tests.conftest import REALDATA, REPO

MAPPINGS = REPO / "examples" / "mappings"
CFPB = REALDATA / "cfpb-complaints-sample" / "complaints_sample.csv"
ITSM = REALDATA / "itsm-incident-eventlog" / "incident_event_log.csv"
pytestmark = pytest.mark.skipif(not CFPB.exists(), reason="shared/realdata is not beside the repo")


def _mapping(name):
    from tests.conftest import REPO

    return HeaderMapping.load(REPO / "examples" / "mappings" / name)


def test_cfpb_sample(con, settings):
    result = load_file(con, CFPB, "register", settings, _mapping("cfpb.yaml"),
                       exported_at=dt.datetime(2020, 4, 6))
    # 6,623 records (per SOURCE.md), 602 of them with multi-line narratives.
    assert result.rows_read == 6623
    assert result.rows_read == result.rows_loaded + result.rows_unchanged + result.rows_rejected
    assert result.rows_rejected == 0
    got = con.execute("""SELECT count(*), min(received_at)::DATE, max(received_at)::DATE,
        count(*) FILTER (category = 'partner_conduct'), count(*) FILTER (outcome = 'pending')
        FROM core.complaints""").fetchall()[0]
    assert got == (6623, dt.date(2015, 4, 6), dt.date(2020, 3, 19), 1231, 35 + 37)
    # ZIP codes are treated as personal data: none survives.
    text = con.execute("SELECT string_agg(coalesce(description, ''), ' ') FROM core.complaints"
                       ).fetchall()[0][0]
    assert "335XX" not in text


def test_servicenow_event_log_collapses_to_incidents(con, settings):
    result = load_file(con, ITSM, "register", settings, _mapping("servicenow_incidents.yaml"),
                       exported_at=dt.datetime(2016, 12, 31))
    # 5,998 events of 890 incidents: one complaint each, the other events superseded.
    assert (result.rows_read, result.rows_loaded, result.rows_unchanged,
            result.rows_rejected) == (5998, 890, 5998 - 890, 0)
    assert con.execute("SELECT status, count(*) FROM core.complaints GROUP BY 1").fetchall() == [
        ("closed", 890)]
    assert con.execute("SELECT received_at FROM core.complaints WHERE complaint_id = "
                       "'INC0000045'").fetchall() == [(dt.datetime(2016, 2, 29, 1, 16),)]
