"""Real public exports from another country and decade, hand-checked row by row (issue 21):
nine New York City 311 service requests of 2010-2020 (tests/data/nyc311, source and licence in
its README) through the shipped mapping examples/mappings/nyc311.yaml: validate, ingest,
build and the reports of a 2010 month. Every expected value below was computed by hand from
the file (New York EST = UTC-5, EDT = UTC-4 from the second Sunday of March; Hà Nội = UTC+7)."""

from __future__ import annotations

import datetime as dt

import duckdb

from pipelines import runs
from tests.conftest import REPO, invoke

SAMPLE = REPO / "tests" / "data" / "nyc311" / "service_requests_sample.csv"
MAPPING = REPO / "examples" / "mappings" / "nyc311.yaml"

# complaint_id, received_at, resolved_at (Hà Nội wall time), category, channel
EXPECTED = [
    # 03/23/2010 07:20:41 PM EDT (DST from 14/03/2010) = 23:20:41 UTC; closed 12/02/2013
    # 12:00:00 AM EST (midnight) = 05:00 UTC
    ("16296482", "2010-03-24 06:20:41", "2013-12-02 12:00:00", "complaint_handling", "other"),
    # 05/01/2010 09:59:44 AM EDT = 13:59:44 UTC; 10:24:07 AM EDT = 14:24:07 UTC
    ("16561258", "2010-05-01 20:59:44", "2010-05-01 21:24:07", "other", "phone"),
    # 08/25/2010 12:00:00 AM EDT = 04:00 UTC; 09/12/2010 12:00:00 AM EDT = 04:00 UTC
    ("18556060", "2010-08-25 11:00:00", "2010-09-12 11:00:00", "service", "other"),
    # 04/13/2011 09:34:46 AM EDT = 13:34:46 UTC; 10:05:57 AM EDT = 14:05:57 UTC
    ("20227197", "2011-04-13 20:34:46", "2011-04-13 21:05:57", "other", "phone"),
    # 07/23/2016 10:09:54 AM EDT = 14:09:54 UTC; 03:10:37 PM EDT = 19:10:37 UTC
    ("33913755", "2016-07-23 21:09:54", "2016-07-24 02:10:37", "other", "app"),
    # 12/08/2016 03:45:20 PM EST = 20:45:20 UTC; 12/16/2016 07:55:09 AM EST = 12:55:09 UTC
    ("34961688", "2016-12-09 03:45:20", "2016-12-16 19:55:09", "other", "phone"),
    # 08/17/2018 03:25:16 PM EDT = 19:25:16 UTC; 08/20/2018 09:21:15 AM EDT = 13:21:15 UTC
    ("40039013", "2018-08-18 02:25:16", "2018-08-20 20:21:15", "service", "phone"),
    # 04/18/2019 09:55:45 PM EDT = 04/19 01:55:45 UTC; 04/19 03:45:24 AM EDT = 07:45:24 UTC
    ("42254749", "2019-04-19 08:55:45", "2019-04-19 14:45:24", "other", "phone"),
    # 05/21/2020 06:15:38 PM EDT = 22:15:38 UTC; 06:33:51 PM EDT = 22:33:51 UTC
    ("46412656", "2020-05-22 05:15:38", "2020-05-22 05:33:51", "other", "other"),
]


def test_nyc311_sample_mapped_loaded_built_and_reported(home):
    args = ("--mapping", str(MAPPING), "--exported-at", "2021-01-01")
    dry = invoke("validate", str(SAMPLE), *args)
    assert dry.exit_code == 0, dry.stderr
    assert "      received_at ← Created Date" in dry.stdout.splitlines()
    assert "read 9, would load 9, unchanged 0, rejected 0" in dry.stdout
    real = invoke("ingest", str(SAMPLE), *args)
    assert real.exit_code == 0, real.stderr
    assert "read 9, loaded 9, unchanged 0, rejected 0" in real.stdout
    assert runs.raise_for_problems(runs.build()).as_of == "2021-01-01"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute("""SELECT complaint_id, strftime(received_at, '%Y-%m-%d %H:%M:%S'),
            strftime(resolved_at, '%Y-%m-%d %H:%M:%S'), category, channel
            FROM core.complaints ORDER BY 1""").fetchall()
        assert got == EXPECTED
        quoted = con.execute(
            "SELECT resolution_summary FROM core.complaints WHERE complaint_id = '34961688'"
        ).fetchone()
        assert quoted == (
            "The Department of Transportation inspected the condition you reported. You can "
            'find additional information in the "Notes to Customer" field.',
        )
        sla = con.execute("""SELECT complaint_id, due_date, sla_status, working_days_to_response
            FROM marts.complaint_sla WHERE complaint_id IN ('16296482', '16561258', '42254749')
            ORDER BY 1""").fetchall()
    assert sla == [
        # received Wed 24/03/2010: Thu 25 ... Fri 02/04 is the 7th working day; closed 2013
        ("16296482", dt.date(2010, 4, 2), "breached", sla[0][3]),
        # received and closed on Sat 01/05/2010 (Labour Day): no working day between
        ("16561258", sla[1][1], "met", 0),
        ("42254749", sla[2][1], "met", 0),  # received and closed on Fri 19/04/2019
    ]
    assert sla[0][3] > 900  # more than three and a half years of working days
    shown = runs.raise_for_problems(runs.report(dt.date(2010, 3, 1), runs.Lang.en))
    assert {p.name for p in shown.files} >= {"management.en.html", "quality.en.html"}
    assert all(p.parent.name == "2010-03" for p in shown.files)
