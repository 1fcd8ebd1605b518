"""The snapshot time (issue 21): taken from the file's modification time, the summary line says
so and a time far from the data is warned; loading a loaded file again with another
--exported-at is refused by name, never 'nothing changed'. Real files, real CLI, real mtimes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import invoke

ROWS = "CASE_ID,OPENED_DT,CLOSED_DT\nC1,2015-03-02 09:00,2015-03-05 10:00\nC2,2015-12-30 17:00,\n"
MAPPING = "columns:\n  CASE_ID: complaint_id\n  OPENED_DT: received_at\n  CLOSED_DT: resolved_at\n"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def export(tmp_path):
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    path = tmp_path / "cases.csv"  # no date in the name: the time comes from the mtime
    path.write_text(ROWS, encoding="utf-8")
    return path


def _touch(path: Path, when: dt.datetime) -> None:
    stamp = when.replace(tzinfo=HCM).timestamp()
    os.utime(path, (stamp, stamp))


def _load(path, command="ingest", *extra):
    return invoke(command, str(path), "--mapping", str(path.parent / "m.yaml"), *extra)


def test_mtime_close_to_the_data_is_said_but_not_warned(export, home):
    _touch(export, dt.datetime(2016, 1, 10, 8, 30))  # 10 days after the newest timestamp
    result = _load(export)
    assert result.exit_code == 0, result.stderr
    assert "[csv utf-8 ,, exported 2016-01-10 08:30 (thời gian sửa tệp / file modified)]" in (
        result.stdout
    )
    assert "snapshot_time_far_from_data" not in result.stdout


def test_mtime_far_from_the_data_is_warned_with_both_times(export, home):
    # 2015-12-30 17:00 -> 2016-03-01 12:00: 61 days and 19 hours (2016 is a leap year)
    _touch(export, dt.datetime(2016, 3, 1, 12, 0))
    for command in ("validate", "ingest"):
        result = _load(export, command)
        assert result.exit_code == 0, result.stderr
        assert (
            "    warning: thời điểm xuất 2016-03-01 12:00 lấy từ thời gian sửa tệp và muộn hơn 61 "
            "ngày so với mốc thời gian mới nhất trong tệp, 2015-12-30 17:00; đây là as_of mặc "
            "định khi build / the snapshot time 2016-03-01 12:00 was taken from the file's "
            "modification time and is 61 days after the newest timestamp in the file, "
            "2015-12-30 17:00; it is the build's default as_of"
        ) in result.stdout.splitlines()
        assert "    warning snapshot_time_far_from_data: 1" in result.stdout.splitlines()


def test_mtime_in_the_future_is_warned(export, home):
    _touch(export, dt.datetime.now(HCM).replace(tzinfo=None) + dt.timedelta(days=2))
    result = _load(export, "validate")
    assert result.exit_code == 0, result.stderr
    assert "lấy từ thời gian sửa tệp và thời điểm này ở tương lai" in result.stdout
    assert "was taken from the file's modification time and is in the future" in result.stdout


def test_a_given_time_or_a_name_date_is_not_warned(export, home):
    _touch(export, dt.datetime(2016, 3, 1, 12, 0))
    result = _load(export, "validate", "--exported-at", "2026-06-30")
    assert result.exit_code == 0 and "exported 2026-06-30 23:59]" in result.stdout
    assert "file modified" not in result.stdout and "snapshot_time" not in result.stdout


def test_reloading_with_another_exported_at_is_refused_by_name(export, home):
    _touch(export, dt.datetime(2026, 12, 5, 14, 17))
    assert _load(export).exit_code == 0
    for command in ("validate", "ingest"):
        result = _load(export, command, "--exported-at", "2016-01-15")
        assert result.exit_code == 2
        (line,) = result.stderr.splitlines()
        assert line == (
            f"error: {export}: đã nạp (lần nạp 1) với thời điểm xuất 2026-12-05 14:17, khác "
            "--exported-at 2016-01-15 23:59; thời điểm của một lần nạp không đổi được: hãy chạy "
            "`complaints build --as-of 2016-01-15` / already loaded (load 1) as exported "
            "2026-12-05 14:17, not 2016-01-15 23:59 as --exported-at says; a load's time cannot "
            "be changed: build as of the right day with `complaints build --as-of 2016-01-15`"
        )
        assert "nothing changed" not in result.stdout
    # the same time again (or none) is the same load: nothing changed, said so
    same = _load(export, "ingest", "--exported-at", "2026-12-05T14:17")
    assert same.exit_code == 0 and "already loaded (load 1); nothing changed" in same.stdout
