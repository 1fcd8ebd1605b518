"""`complaints validate` tells what `complaints ingest` will do (issue 21): the same counts
against the warehouse as it stands, the same gate (exit 2 and 'would block' where the load
would block), and reasons that show the values they are about. Real CLI, real warehouse."""

from __future__ import annotations

from tests.conftest import complaint, invoke
from tests.shapes import write_rows


def _rows(good: int, bad: int, month: int = 1) -> list[dict]:
    """``good`` valid complaints and ``bad`` answered a day before they arrived."""
    rows = [complaint(f"G{month}-{i}", f"2026-0{month}-05 09:00") for i in range(good)]
    rows += [
        complaint(
            f"B{month}-{i}", f"2026-0{month}-06 10:15", first_response_at=f"2026-0{month}-05 08:00"
        )
        for i in range(bad)
    ]
    return rows


def _summary(stdout: str) -> str:
    (line,) = [ln for ln in stdout.splitlines() if ln.startswith("✓ ")]
    return line.split("]: ", 1)[1]


def test_validate_blocks_where_ingest_blocks_and_shows_the_values(tmp_path, home):
    # 10 of 40 rejected (25%): over the 5% limit and at least the 10-row minimum
    path = write_rows(tmp_path / "register_2026-01-31.csv", _rows(30, 10), "csv_utf8_en")
    dry = invoke("validate", str(path))
    assert dry.exit_code == 2
    assert _summary(dry.stdout) == ("read 40, would load 30, unchanged 0, rejected 10, warned 0")
    assert (
        "    row 32 (B1-0): thời gian phản hồi đầu tiên 2026-01-05 08:00 sớm hơn thời gian tiếp "
        "nhận 2026-01-06 10:15 / first_response_at 2026-01-05 08:00 is earlier than received_at "
        "2026-01-06 10:15"
    ) in dry.stdout.splitlines()
    (line,) = dry.stderr.splitlines()
    assert line.startswith(
        "error: sẽ chặn / would block: register_2026-01-31.csv: 10 of 40 rows checked in this "
        "load rejected (25.0%), over the allowed 5%"
    )
    assert "0912345678" not in dry.stdout + dry.stderr and "Khách" not in dry.stdout
    real = invoke("ingest", str(path))
    assert real.exit_code == 2
    assert _summary(real.stdout) == "read 40, loaded 30, unchanged 0, rejected 10, warned 0"
    assert real.stderr.splitlines()[0].startswith(
        "error: blocked: register_2026-01-31.csv: 10 of 40 rows checked in this load rejected"
    )


def test_validate_counts_against_what_is_already_loaded(tmp_path, home):
    """A cumulative snapshot after January's: the dry run sees the stored versions, so its
    counts and its gate (9 rejected of 10 checked: under the 10-row minimum, a warning) are the
    load's, not those of an empty warehouse."""
    january = write_rows(tmp_path / "register_2026-01-31.csv", _rows(30, 0), "csv_utf8_en")
    assert invoke("ingest", str(january)).exit_code == 0
    february = write_rows(
        tmp_path / "register_2026-02-28.csv", _rows(30, 0) + _rows(1, 9, month=2), "csv_utf8_en"
    )
    dry = invoke("validate", str(february))
    assert dry.exit_code == 0, dry.stderr
    assert _summary(dry.stdout) == "read 40, would load 1, unchanged 30, rejected 9, warned 0"
    assert dry.stderr.splitlines() == [
        "warning: sẽ cảnh báo / would warn: register_2026-02-28.csv: 9 of 10 rows checked in "
        "this load rejected (90.0%); within the limit (5%, or fewer than 10 rows): the other "
        "rows loaded, the rejected ones are in quarantine.rejected_rows"
    ]
    real = invoke("ingest", str(february))
    assert real.exit_code == 0
    assert _summary(real.stdout) == "read 40, loaded 1, unchanged 30, rejected 9, warned 0"
    again = invoke("validate", str(january))
    assert again.exit_code == 0
    assert again.stdout.startswith("= register_2026-01-31.csv: already loaded (load 1)")


def test_validate_checks_several_new_files_in_one_run(tmp_path, home):
    """Each file's dry run rolls back; the next file still loads into the scratch copy."""
    january = write_rows(tmp_path / "register_2026-01-31.csv", _rows(3, 0), "csv_utf8_en")
    february = write_rows(tmp_path / "register_2026-02-28.csv", _rows(1, 0, month=2), "csv_utf8_en")
    dry = invoke("validate", str(january), str(february))
    assert dry.exit_code == 0, dry.stderr
    assert [ln.split("]: ", 1)[1] for ln in dry.stdout.splitlines() if ln.startswith("✓ ")] == [
        "read 3, would load 3, unchanged 0, rejected 0, warned 0",
        "read 1, would load 1, unchanged 0, rejected 0, warned 0",
    ]
