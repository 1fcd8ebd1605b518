"""DuckDB's working memory is a setting (issue "Ten million complaints"): a share of the
machine by default, never a constant; running out is one line naming the setting to raise."""

from __future__ import annotations

import duckdb
import pytest

from base.settings import Settings, SettingsInvalid, get_settings
from base.warehouse import MemoryExhausted, connect, limit_in_bytes
from tests.conftest import complaint, run_cli
from tests.shapes import write_rows
from tests.test_write_failures import snapshot


@pytest.mark.parametrize(
    ("given", "kept"),
    [("80%", "80%"), ("12.5%", "12.5%"), ("4GB", "4GB"), ("512 mb", "512MB"), ("2GiB", "2GiB")],
)
def test_a_share_or_a_size_is_accepted(given, kept):
    assert Settings(memory_limit=given).memory_limit == kept


@pytest.mark.parametrize("given", ["lots", "0%", "150%", "4", "4 GBs", "-1GB"])
def test_anything_else_is_refused_by_name(given, monkeypatch):
    monkeypatch.setenv("COMPLAINTS_MEMORY_LIMIT", given)
    get_settings.cache_clear()
    with pytest.raises(SettingsInvalid) as refused:
        get_settings()
    get_settings.cache_clear()
    assert str(refused.value).startswith(f"COMPLAINTS_MEMORY_LIMIT={given!r}: "), refused.value


def test_sizes_in_bytes_by_hand():
    assert limit_in_bytes("768MB") == 768_000_000
    assert limit_in_bytes("2GiB") == 2 * 1024**3
    assert limit_in_bytes("1.5GB") == 1_500_000_000


def test_the_warehouse_connection_takes_the_setting(home, monkeypatch):
    monkeypatch.setenv("COMPLAINTS_MEMORY_LIMIT", "1GB")
    get_settings.cache_clear()
    with connect(get_settings().warehouse_path) as con:
        applied = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    get_settings.cache_clear()
    assert applied == "953.6 MiB"  # 10^9 bytes in DuckDB's binary units


def test_the_default_is_a_share_of_the_machine_not_a_constant(home):
    with connect(get_settings().warehouse_path) as con:
        applied = con.execute(
            "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'"
        ).fetchall()[0][0]
    duckdb_default = duckdb.connect().execute("SELECT current_setting('memory_limit')").fetchall()
    assert applied == duckdb_default[0][0]  # DuckDB's own default is 80% of physical memory


def test_the_advice_names_the_setting_and_a_larger_value(monkeypatch):
    monkeypatch.setenv("COMPLAINTS_MEMORY_LIMIT", "768MB")
    get_settings.cache_clear()
    message = str(MemoryExhausted())
    get_settings.cache_clear()
    assert "COMPLAINTS_MEMORY_LIMIT=768MB" in message
    assert "raise COMPLAINTS_MEMORY_LIMIT to at least 1.5GB" in message  # doubled, by hand


def test_running_out_is_one_line_and_the_warehouse_stays_as_it_was(tmp_path):
    home = tmp_path / "home"
    first = write_rows(
        tmp_path / "register_2026-03-31.csv",
        [complaint(f"KN{i:04d}", "2026-03-02 09:30") for i in range(20)],
        "csv_utf8_en",
    )
    assert run_cli(home, "ingest", str(first)).returncode == 0
    before = snapshot(home / "warehouse.duckdb")

    rows = [complaint(f"KN{i:04d}", "2026-04-01 09:30") for i in range(20, 2_020)]
    second = write_rows(tmp_path / "register_2026-04-30.csv", rows, "csv_utf8_en")
    starved = run_cli(home, "ingest", str(second), env={"COMPLAINTS_MEMORY_LIMIT": "16MB"})
    assert starved.returncode == 2, starved.stderr
    errors = [line for line in starved.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in starved.stderr, starved.stderr
    assert "out of memory" in errors[0] and "COMPLAINTS_MEMORY_LIMIT" in errors[0], errors[0]
    assert "not a readable" not in errors[0]  # the machine's limit, not blamed on the file
    assert snapshot(home / "warehouse.duckdb") == before

    assert run_cli(home, "ingest", str(second)).returncode == 0  # the default loads it


def test_a_refused_setting_is_one_line_per_setting_not_a_traceback(tmp_path):
    result = run_cli(
        tmp_path / "home",
        "build",
        env={"COMPLAINTS_SLA__GOAL": "3", "COMPLAINTS_MEMORY_LIMIT": "lots"},
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.splitlines() == [
        "error: COMPLAINTS_MEMORY_LIMIT='lots': 'lots' is neither a share of the machine's "
        "memory ('80%') nor a size ('4GB'); fix it in the environment or .env",
        "error: COMPLAINTS_SLA__GOAL='3': Input should be less than or equal to 1; fix it in "
        "the environment or .env",
    ]
