"""Reports (issue 6): numbers equal the marts, register text is inert in HTML and XLSX, no
personal value in any output, the HR dossier's modes and audit row, atomic writes.
Real ingest, real marts, nothing mocked."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
import pytest

from base.settings import Settings
from base.warehouse import connect, scalar
from reports.i18n import label
from reports.publish import ReportError, write_hr_dossier, write_month_reports
from reports.xlsx import safe_text
from reports.xlsx_words import COLUMNS
from tests.report_world import FORMULA, MONTH, PERSONAL, PLANTED, SCRIPT, report_home_once

if TYPE_CHECKING:
    from tests.patterns_world import World

OUT = f"{MONTH:%Y-%m}"


@pytest.fixture(scope="session")
def report_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return report_home_once(tmp_path_factory)


class Attrs(HTMLParser):
    """Every element's attributes, and the visible text of table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self.cells: list[str] = []
        self._in_td = False

    def handle_starttag(self, tag, attrs):
        self.elements.append({"tag": tag, **dict(attrs)})
        self._in_td = tag == "td"
        if tag == "td":
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_td = False

    def handle_data(self, data):
        if self._in_td:
            self.cells[-1] += data


def parse(path: Path) -> Attrs:
    parser = Attrs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def outputs(settings: Settings) -> list[Path]:
    return sorted(
        p
        for p in list(settings.reports_dir.rglob("*")) + list(settings.restricted_dir.rglob("*"))
        if p.is_file()
    )


def test_writes_the_contracted_files(report_home):
    names = {p.relative_to(report_home.home).as_posix() for p in outputs(report_home)}
    assert names == {
        f"reports/{OUT}/{n}"
        for n in (
            "management.html",
            "management.en.html",
            "quality.html",
            "quality.en.html",
            "tables.xlsx",
            "tables.en.xlsx",
            "plotly.min.js",
        )
    } | {f"restricted/hr/{PLANTED}_{OUT}.html"}


def test_kpi_tiles_equal_the_marts(report_home):
    tiles = {
        e["data-kpi"]: e
        for e in parse(report_home.reports_dir / OUT / "management.html").elements
        if "data-kpi" in e
    }
    with connect(report_home.warehouse_path, read_only=True) as con:
        sla = con.execute(
            "SELECT month, received, compliance_rate, "
            "median_working_days_to_response FROM marts.sla_monthly"
        ).fetchall()
        rev = con.execute(
            "SELECT month, review_requests, reviews_changed FROM marts.review_monthly"
        ).fetchall()
        end = dt.date(2026, 3, 31)
        open_now = scalar(
            con,
            "SELECT count(*) FROM marts.complaint_sla WHERE receipt_date <= ? "
            "AND (response_date IS NULL OR response_date > ?)",
            [end, end],
        )
        overdue_now = scalar(
            con, "SELECT count(*) FROM marts.complaint_sla WHERE sla_status = 'open_overdue'"
        )
    sla_by_month = {r[0]: r[1:] for r in sla}
    rev_by_month = {r[0]: r[1:] for r in rev}
    for attr, m in (
        ("data-value", MONTH),
        ("data-prev", dt.date(2026, 2, 1)),
        ("data-yoy", dt.date(2025, 3, 1)),
    ):
        received, rate, median = sla_by_month[m]
        assert int(tiles["kpi_received"][attr]) == received
        assert float(tiles["kpi_compliance"][attr]) == pytest.approx(rate)
        assert float(tiles["kpi_median_days"][attr]) == pytest.approx(median)
        requests, changed = rev_by_month.get(m, (0, 0))
        assert int(tiles["kpi_reviews"][attr]) == requests
        assert int(tiles["kpi_changed"][attr]) == changed
    # as_of is the month's last day, so the month-end backlog is the marts' open complaints
    assert int(tiles["kpi_open"]["data-value"]) == open_now
    assert int(tiles["kpi_overdue"]["data-value"]) == overdue_now


def first_group(pattern: str, text: str, flags: int = 0) -> str:
    """Group 1 of the first match of ``pattern``: the page must have what the test reads."""
    match = re.search(pattern, text, flags)
    assert match is not None, f"expected {pattern!r} in the page"
    return match.group(1)


def _table_values(path: Path, table: str) -> list[list[str]]:
    """data-value of each cell of one table, row by row."""
    text = path.read_text(encoding="utf-8")
    body = first_group(rf'<table data-table="{table}">(.*?)</table>', text, re.S)
    return [
        re.findall(r'data-value="([^"]*)"', row)
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]
    ]


def test_partner_and_team_tables_equal_the_marts(report_home):
    page = report_home.reports_dir / OUT / "management.html"
    with connect(report_home.warehouse_path, read_only=True) as con:
        partners = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT partner_id, complaints, substantiated FROM marts.partner_monthly "
                "WHERE month = ?",
                [MONTH],
            ).fetchall()
        }
        # one month basis, receipt: allegations received in March by team, as the mart counts
        teams = {
            r[0]: r[1]
            for r in con.execute(
                "SELECT team, sum(complaints) FROM marts.employee_monthly "
                "WHERE month = ? GROUP BY team HAVING sum(complaints) > 0",
                [MONTH],
            ).fetchall()
        }
    shown_partners = {r[0]: (int(r[1]), int(r[2])) for r in _table_values(page, "partners")}
    assert shown_partners == partners
    import html

    rows = _table_values(page, "teams")
    shown = {html.unescape(r[0]): int(float(r[1])) for r in rows}
    assert shown == teams and SCRIPT in shown
    # substantiated, not upheld, pending, withdrawn (and unrecognised) add up to the allegations
    for r in rows:
        parts = [int(float(v)) for v in r[2:6]] + (
            [int(float(r[6]))] if "Kết quả không xác định" in page.read_text() else []
        )
        assert sum(parts) == int(float(r[1])), r


def test_flags_and_evidence_come_from_the_marts(report_home):
    page = parse(report_home.reports_dir / OUT / "quality.html")
    flags = {(e["data-subject"], e["data-flag"]) for e in page.elements if "data-flag" in e}
    with connect(report_home.warehouse_path, read_only=True) as con:
        expected = set(
            con.execute(
                "SELECT subject_id, rule FROM marts.pattern_flags WHERE review_month = ?", [MONTH]
            ).fetchall()
        )
        ids = scalar(
            con,
            "SELECT complaint_ids FROM marts.pattern_flags WHERE subject_id = ? "
            "AND rule = 'serious_conduct' AND review_month = ?",
            [PLANTED, MONTH],
        )
    assert flags == expected and (PLANTED, "serious_conduct") in flags
    assert set(ids) <= set(page.cells)


def test_register_script_is_escaped_everywhere(report_home):
    for path in outputs(report_home):
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            assert SCRIPT not in text, path
            assert "alert(1)" not in text.replace(
                "&lt;script&gt;alert(1)&lt;/script&gt;", ""
            ).replace("\\u003cscript\\u003ealert(1)\\u003c\\u002fscript\\u003e", "").replace(
                "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;", ""
            ).replace("&lt;script&gt;alert(1)&lt;\\u002fscript&gt;", "").replace(
                "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;\\u002fscript\\u0026gt;", ""
            ), path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (
        report_home.reports_dir / OUT / "management.html"
    ).read_text(encoding="utf-8")


def test_formula_injection_is_inert_in_the_workbook(report_home):
    book = openpyxl.load_workbook(report_home.reports_dir / OUT / "tables.xlsx")
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    found.append(cell.value)
    assert found == ["'" + FORMULA]
    assert {
        "Giới thiệu",
        "Thời hạn theo tháng",
        "Nhân viên trong tháng",
        "Đối tác trong tháng",
        "Nhân viên xử lý",
        "Biểu đồ phễu",
        "Dấu hiệu",
    } <= set(book.sheetnames)
    assert safe_text("-1+1") == "'-1+1" and safe_text("ok") == "ok"


def test_no_personal_value_in_any_output(report_home):
    for path in outputs(report_home):
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            import zipfile

            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        for value in PERSONAL:
            assert value.encode() not in data, (path, value)
    with connect(report_home.warehouse_path, read_only=True) as con:
        keys = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT customer_key FROM core.complaints WHERE customer_key IS NOT NULL"
            ).fetchall()
        ]
    assert keys
    for path in outputs(report_home):
        text = path.read_bytes()
        assert not any(k.encode() in text for k in keys), path


def test_hr_dossier_is_private_and_audited(report_home):
    path = report_home.restricted_dir / "hr" / f"{PLANTED}_{OUT}.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((report_home.restricted_dir / "hr").stat().st_mode) == 0o700
    assert stat.S_IMODE(report_home.restricted_dir.stat().st_mode) == 0o700
    with connect(report_home.warehouse_path, read_only=True) as con:
        rows = con.execute(
            "SELECT requested_by, reason, employee_id, month, output_path, "
            "file_sha256 FROM core.audit_log"
        ).fetchall()
    assert rows == [
        (
            "hr.lead",
            f"kỷ luật? {SCRIPT}",
            PLANTED,
            OUT,
            str(path),
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
    ]
    text = path.read_text(encoding="utf-8")
    found, alleged = (
        text.split('id="substantiated"')[1].split('id="flags"')[0].split('id="allegations"')
    )
    assert "KN00404" in found and "KN00404" not in alleged  # planted threat, upheld
    assert "Không có cơ sở" in alleged and "Không có cơ sở" not in found


def test_unknown_employee_is_one_clear_error(report_home, tmp_path):
    with (
        connect(report_home.warehouse_path) as con,
        pytest.raises(ReportError, match="no such staff code"),
    ):
        write_hr_dossier(con, report_home, "NV999", MONTH, "hr.lead", "check", "vi")
    assert not (report_home.restricted_dir / "hr" / f"NV999_{OUT}.html").exists()


def test_write_error_is_one_clear_line_and_leaves_no_temp_files(report_home, tmp_path):
    # A folder where the report should be: the rename fails (as a full disk or a permission
    # error would, even for root), after the temp file was written.
    settings = report_home.model_copy(update={"home": tmp_path})
    folder = tmp_path / "reports" / OUT
    (folder / "quality.html").mkdir(parents=True)
    with (
        connect(report_home.warehouse_path) as con,
        pytest.raises(ReportError, match="cannot write the report") as error,
    ):
        write_month_reports(con, settings, MONTH, "vi")
    assert "\n" not in str(error.value) and str(folder / "quality.html") in str(error.value)
    assert sorted(p.name for p in folder.iterdir()) == [
        "management.html",
        "plotly.min.js",
        "quality.html",
    ]


def test_rewrite_replaces_atomically_without_temp_files(report_home):
    with connect(report_home.warehouse_path) as con:
        paths = write_month_reports(con, report_home, MONTH, "vi")
    folder = report_home.reports_dir / OUT
    assert all(p.parent == folder for p in paths)
    assert not [p for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def test_plotly_once_per_folder_beside_the_pages_and_no_external_urls(report_home):
    """plotly.js is one file per reports folder, loaded by a relative <script src>; the pages
    hold only their own charts (<= 300 KB each) and the HR dossier, which must travel alone,
    holds no script at all (its one chart is inline SVG; <= 1.5 MB)."""
    from plotly.offline import get_plotlyjs

    folder = report_home.reports_dir / OUT
    assert (folder / "plotly.min.js").read_text(encoding="utf-8") == get_plotlyjs()
    for path in outputs(report_home):
        if path.suffix != ".html":
            continue
        text = path.read_text(encoding="utf-8")
        markup = re.sub(r"<script.*?</script>", "", text, flags=re.S)
        assert text.count("Plotly.newPlot") == text.count('class="plotly-graph-div"')
        assert not re.findall(r"plotly\.js v\d", text), path  # the library is not inlined
        assert not re.search(r'(src|href)="(https?:)?//', markup), path
        assert 'lang="' in text and "Điều" in text or "Clause" in text
        if path.parent == folder:
            assert path.stat().st_size <= 300_000, (path, path.stat().st_size)
            assert re.findall(r"<script src=\"([^\"]+)\"", text) == ["plotly.min.js"], path
        else:
            assert path.stat().st_size <= 1_500_000, (path, path.stat().st_size)
            assert "<script" not in text and "<svg" in text, path


def test_clause_on_every_section(report_home):
    for name in ("management.html", "quality.html"):
        page = parse(report_home.reports_dir / OUT / name)
        sections = [e for e in page.elements if e["tag"] == "section"]
        assert sections and all(re.match(r"\d", e.get("data-clause", "")) for e in sections)


def test_missing_values_of_every_kind_print_as_a_dash():
    # Nullable integer columns (a partner without activity data) give pandas' NA.
    import pandas as pd

    from reports import fmt

    for value in (None, float("nan"), pd.NaT, pd.NA):
        assert fmt.number(value, "vi") == "–" and fmt.pct(value, "en") == "–"


# ------------------------------------------------------------------------------ issue 13


def test_each_language_has_its_own_workbook(report_home, tmp_path):
    # `complaints report --lang en` used to overwrite the Vietnamese tables.xlsx.
    import shutil

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(report_home.warehouse_path, home / "warehouse.duckdb")
    settings = report_home.model_copy(update={"home": home})
    folder = settings.reports_dir / OUT
    with connect(settings.warehouse_path) as con:
        write_month_reports(con, settings, MONTH, "vi")
        vietnamese = (folder / "tables.xlsx").read_bytes()
        paths = write_month_reports(con, settings, MONTH, "en")
    assert folder / "tables.en.xlsx" in paths and folder / "tables.xlsx" not in paths
    assert (folder / "tables.xlsx").read_bytes() == vietnamese
    assert openpyxl.load_workbook(folder / "tables.en.xlsx").sheetnames[0] == "About"


def test_partner_types_are_labels_never_codes(report_home):
    for name, expected in (("management.html", "Tổng đài"), ("management.en.html", "Call centre")):
        text = (report_home.reports_dir / OUT / name).read_text(encoding="utf-8")
        body = first_group(r'<table data-table="partners">(.*?)</table>', text, re.S)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", body)
        assert expected in cells
        assert not [c for c in cells if re.fullmatch(r"[a-z]+(_[a-z]+)+", c)], cells
    from reports.i18n import label

    assert label("partner_type", "collection_agency", "en") == "Collection agency"
    assert label("partner_type", "tow_company", "en") == "Tow company"  # no label: words
    assert label("subcategory", "Gọi sai giờ", "vi") == "Gọi sai giờ"  # free text as given


def test_quality_report_says_how_many_flags_chance_alone_gives(report_home):
    text = (report_home.reports_dir / OUT / "quality.en.html").read_text(encoding="utf-8")
    with connect(report_home.warehouse_path, read_only=True) as con:
        c = (
            con.execute("SELECT * FROM marts.flag_chance WHERE review_month = ?", [MONTH])
            .df()
            .iloc[0]
        )
    shown = first_group(r'<p class="chance" data-chance="1">(.*?)</p>', text, re.S)
    assert f"{int(c.tested)} staff and partners were tested" in shown
    assert (
        f"about {c.expected_medium:.2f} medium flags (95% interval "
        f"{int(c.medium_low)}–{int(c.medium_high)})" in shown
    )
    assert f"Raised: {int(c.medium_flags)} medium" in shown and "5%" in shown
    assert (
        f"Persistent: {int(c.persistent_tested)} with activity data were tested; chance alone "
        f"would produce about {c.expected_persistent_high:.2f} high flags (95% interval "
        f"{int(c.persistent_low)}–{int(c.persistent_high)}), raised {int(c.persistent_high_flags)}"
        in shown
    )
    vi = (report_home.reports_dir / OUT / "quality.html").read_text(encoding="utf-8")
    assert "chỉ do ngẫu nhiên" in vi or "riêng ngẫu nhiên" in vi


def test_chance_box_counts_new_persistent_flags_apart_from_continuing(report_home):
    # issue 24, fifth round: a streak flagged in consecutive months is one flag, so the box
    # says how many high persistent flags are new and how many chance alone would start
    with connect(report_home.warehouse_path, read_only=True) as con:
        c = (
            con.execute("SELECT * FROM marts.flag_chance WHERE review_month = ?", [MONTH])
            .df()
            .iloc[0]
        )
    assert c.persistent_new_flags + c.persistent_continuing_flags == c.persistent_high_flags
    assert c.expected_persistent_new <= c.expected_persistent_high + 1e-12
    en = (report_home.reports_dir / OUT / "quality.en.html").read_text(encoding="utf-8")
    shown = first_group(r'<p class="chance" data-chance="1">(.*?)</p>', en, re.S)
    assert (
        f"Of these, {int(c.persistent_new_flags)} new persistent flags "
        f"({int(c.persistent_continuing_flags)} continuing from the month before); chance alone "
        f"would start {c.expected_persistent_new:.2f} (95% interval "
        f"{int(c.persistent_new_low)}–{int(c.persistent_new_high)})" in shown
    )
    vi = (report_home.reports_dir / OUT / "quality.html").read_text(encoding="utf-8")
    shown_vi = first_group(r'<p class="chance" data-chance="1">(.*?)</p>', vi, re.S)
    assert (
        f"Trong đó {int(c.persistent_new_flags)} dấu hiệu lặp lại mới "
        f"({int(c.persistent_continuing_flags)} tiếp diễn từ tháng trước); riêng ngẫu nhiên sẽ "
        f"khởi phát khoảng {c.expected_persistent_new:.2f}".replace(".", ",")
        in shown_vi
    )


def test_findings_are_listed_in_the_month_they_were_decided(report_home):
    page = report_home.reports_dir / OUT / "quality.en.html"
    rows = _table_values(page, "findings")
    with connect(report_home.warehouse_path, read_only=True) as con:
        decided = con.execute(
            "SELECT subject_id, complaint_id, cast(received_at AS DATE), decision_month "
            "FROM marts.complaint_subjects WHERE decision_month = ? "
            "AND (substantiated OR other_finding)",
            [MONTH],
        ).fetchall()
    assert decided
    shown = {(r[0], r[1], r[2][:10], r[3][:10]) for r in rows}
    assert shown == {(a, b, str(c), str(d)) for a, b, c, d in decided}
    assert all(r[3].startswith(OUT) for r in rows)
    assert any(not r[2].startswith(OUT) for r in rows)  # received earlier, decided this month


def _world_home(tmp_path: Path, world: World, as_of: str = "2026-06-30") -> Settings:
    """A patterns world (tests/patterns_world.py) stored and built in a fresh home."""
    from base.warehouse import ensure_schema
    from tests.patterns_world import build, store

    settings = Settings(home=tmp_path / "home", pseudonym_key="test-key-not-secret")
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        store(con, world)
        build(con, settings, as_of)
    return settings


def _section(text: str, name: str) -> str:
    return text.split(f'id="{name}"')[1].split("</section>")[0]


def test_hr_dossier_one_entry_per_finding_with_the_months_counted(tmp_path):
    # P1: findings decided in January, February and March 2026 -> persistent in March-June.
    # The old dossier listed that flag four times as if new each month; now each finding is
    # one row saying where it was counted, and the flags table holds June's flags only.
    from tests.patterns_world import World

    world = World()
    months = [f"2026-{m:02d}" for m in range(1, 7)]
    for e in ["P1"] + [f"Q{i}" for i in range(9)]:
        world.staff.append((e, "collections"))
        world.exposure("employee", e, months, 1000)
    ids = [world.add(m, employee_id="P1")[0] for m in months[:3]]
    for q in ("Q0", "Q1", "Q2"):  # the peers' findings: a basis for their rate (issue 24)
        world.add("2026-01", employee_id=q)
    settings = _world_home(tmp_path, world)
    with connect(settings.warehouse_path) as con:
        path = write_hr_dossier(con, settings, "P1", dt.date(2026, 6, 1), "hr", "review", "en")
    text = path.read_text(encoding="utf-8")
    found = _section(text, "substantiated")
    for cid in ids:
        assert found.count(f'data-value="{cid}"') == 1
    counted = re.findall(r'<td class=" counted">([^<]*)</td>', found)
    assert len(counted) == 3
    assert all("Persistent: 2026-03–2026-06" in c for c in counted), counted
    flags_shown = re.findall(
        r'data-value="(persistent|outlier_rate|serious_conduct|rising_trend)"',
        _section(text, "flags"),
    )
    assert flags_shown.count("persistent") == 1


def test_hr_dossier_shows_the_peers_as_tested_or_why_not(tmp_path):
    # The disbursement team has no activity data: D1 (3 findings) is not compared at all
    # (issue 24: the old "as if equal activity" comparison is gone), and the dossier says why in
    # both languages. A1 is compared with its 5 peers exactly as the test did: the peers' 3
    # findings from 15,000 interactions (0.20 per 1,000), A1's 2 from 3,000 (0.67).
    # A missing activity export is also said at the top.
    from tests.patterns_world import World

    world = World()
    world.staff += [(d, "disbursement") for d in ("D1", "D2", "D3", "D4", "D5")]
    world.add("2026-06", 3, employee_id="D1")
    for d, n in (("D2", 2), ("D3", 2), ("D4", 1), ("D5", 1)):
        world.add("2026-05", n, employee_id=d)
    world.staff += [("C1", "collections"), ("C2", "collections")]
    world.exposure("employee", "C1", ["2026-04", "2026-05"], 1000)  # June's export is late
    world.exposure("employee", "C2", ["2026-04", "2026-05"], 1000)
    team = ["A1", "A2", "A3", "A4", "A5", "A6"]
    world.staff += [(a, "telesales") for a in team]
    for a in team:
        world.exposure("employee", a, ["2026-04", "2026-05", "2026-06"], 1000)
    world.add("2026-06", 2, employee_id="A1")
    for a in team[1:4]:
        world.add("2026-05", employee_id=a)
    settings = _world_home(tmp_path, world)
    with connect(settings.warehouse_path) as con:
        vi = write_hr_dossier(con, settings, "D1", dt.date(2026, 6, 1), "hr", "review", "vi")
        assert "không có dữ liệu lượt tương tác: không đánh giá" in _section(
            vi.read_text(encoding="utf-8"), "peers"
        )
        path = write_hr_dossier(con, settings, "D1", dt.date(2026, 6, 1), "hr", "review", "en")
        a1 = write_hr_dossier(con, settings, "A1", dt.date(2026, 6, 1), "hr", "review", "en")
    text = path.read_text(encoding="utf-8")
    peers = _section(text, "peers")
    assert "Too little data (no activity data: not judged)" in peers
    values = _table_values(a1, "peers")  # the rate cells carry their value
    assert float(values[0][0]) == pytest.approx(2 / 3) and values[0][1] == "within"
    assert float(values[1][0]) == pytest.approx(0.2)
    shown = _section(a1.read_text(encoding="utf-8"), "peers")
    assert "(n = 5)" in shown and "15,000" in shown and "3,000" in shown
    notice = first_group(
        r'<div class="notice" role="status" data-notice="activity">(.*?)</div>', text, re.S
    )
    assert "Activity data is missing" in notice and "2 of 8 staff" in notice
    assert "no rate verdict" in notice
    assert text.index('data-notice="activity"') < text.index('id="substantiated"')


def _dossier_home(report_home: Settings, tmp_path: Path) -> Settings:
    import shutil

    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(report_home.warehouse_path, home / "warehouse.duckdb")
    return report_home.model_copy(update={"home": home})


def _audit_rows(settings: Settings) -> int:
    with connect(settings.warehouse_path, read_only=True) as con:
        return scalar(con, "SELECT count(*) FROM core.audit_log")


def test_hr_dossier_rename_failure_leaves_neither_file_nor_audit_row(report_home, tmp_path):
    # A folder where the dossier should go: the rename after the audit insert fails for real.
    settings = _dossier_home(report_home, tmp_path)
    before = _audit_rows(settings)
    target = settings.restricted_dir / "hr" / f"{PLANTED}_{OUT}.html"
    target.mkdir(parents=True)
    with connect(settings.warehouse_path) as con, pytest.raises(ReportError, match="cannot write"):
        write_hr_dossier(con, settings, PLANTED, MONTH, "hr.lead", "check", "vi")
    assert _audit_rows(settings) == before
    assert target.is_dir() and not any(target.iterdir())
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temp file


def test_hr_dossier_audit_failure_leaves_neither_file_nor_audit_row(report_home, tmp_path):
    # The warehouse opened read-only: the audit insert fails for real, so no dossier appears.
    settings = _dossier_home(report_home, tmp_path)
    before = _audit_rows(settings)
    folder = settings.restricted_dir / "hr"
    with (
        connect(settings.warehouse_path, read_only=True) as con,
        pytest.raises(ReportError, match="audit log"),
    ):
        write_hr_dossier(con, settings, PLANTED, MONTH, "hr.lead", "check", "vi")
    assert _audit_rows(settings) == before
    assert not folder.exists() or not list(folder.iterdir())
    with connect(settings.warehouse_path) as con:  # and it works once the insert can happen
        path = write_hr_dossier(con, settings, PLANTED, MONTH, "hr.lead", "check", "vi")
    assert _audit_rows(settings) == before + 1 and path.exists()


def test_quality_report_warns_at_the_top_when_activity_is_missing(tmp_path):
    # Two collections staff have activity for April and May only: June's export is late.
    from tests.patterns_world import World

    world = World()
    world.staff += [("C1", "collections"), ("C2", "collections")]
    world.exposure("employee", "C1", ["2026-04", "2026-05"], 1000)
    world.exposure("employee", "C2", ["2026-04", "2026-05"], 1000)
    world.add("2026-06", employee_id="C1")
    settings = _world_home(tmp_path, world)
    with connect(settings.warehouse_path) as con:
        for lang in ("vi", "en"):
            write_month_reports(con, settings, dt.date(2026, 6, 1), lang)
    folder = settings.reports_dir / "2026-06"
    en = (folder / "quality.en.html").read_text(encoding="utf-8")
    notice = first_group(r'data-notice="activity">(.*?)</div>', en, re.S)
    assert "2 of 2 staff" in notice and "06/2026" in notice and "no rate verdict" in notice
    assert en.index('data-notice="activity"') < en.index("<section")
    vi = (folder / "quality.html").read_text(encoding="utf-8")
    assert "Dữ liệu lượt tương tác thiếu" in vi and "2 trên 2 nhân viên" in vi
    with connect(settings.warehouse_path) as con:
        write_month_reports(con, settings, dt.date(2026, 5, 1), "en")
    may = (settings.reports_dir / "2026-05" / "quality.en.html").read_text(encoding="utf-8")
    assert 'data-notice="activity"' not in may


# ------------------------------------------------------------------------------ issue 20

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def workbook_codes(path: Path) -> set[str]:
    """snake_case codes in any header, sheet name or text cell of a workbook."""
    book = openpyxl.load_workbook(path)
    found = set()
    for sheet in book.worksheets:
        found |= set(SNAKE.findall(sheet.title))
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found |= set(SNAKE.findall(cell.value))
    return found


def test_one_workbook_per_language_in_words_with_formats(report_home):
    folder = report_home.reports_dir / OUT
    vi = openpyxl.load_workbook(folder / "tables.xlsx")
    en = openpyxl.load_workbook(folder / "tables.en.xlsx")
    assert workbook_codes(folder / "tables.xlsx") == set()
    assert workbook_codes(folder / "tables.en.xlsx") == set()
    # the first sheet names every other sheet, in the workbook's language
    for book, first in ((vi, "Giới thiệu"), (en, "About")):
        assert book.sheetnames[0] == first
        listed = {r[0].value for r in book[first].iter_rows(min_row=3)}
        assert listed == set(book.sheetnames[1:])
    sla_vi, sla_en = vi["Thời hạn theo tháng"], en["Response times by month"]
    assert [c.value for c in sla_vi[1]][:2] == ["Tháng", "Tiếp nhận (khiếu nại)"]
    assert [c.value for c in sla_en[1]][:2] == ["Month", "Received (complaints)"]
    rate = [c.value for c in sla_en[1]].index("On-time rate (%)")
    march = [r for r in sla_en.iter_rows(min_row=2) if r[0].value == dt.datetime(2026, 3, 1)][0]
    assert march[0].number_format == "yyyy-mm" and march[rate].number_format == "0.0%"
    assert 0 <= march[rate].value <= 1
    vi_march = [r for r in sla_vi.iter_rows(min_row=2) if r[0].value == dt.datetime(2026, 3, 1)]
    assert vi_march[0][0].number_format == "mm/yyyy"
    # codes as words: the small world's partner types, in each language
    # every column header in the workbook's own language: none falls back to its code
    for book, lang in ((vi, 0), (en, 1)):
        named = {words[lang] for words in COLUMNS.values()}
        for sheet in book.worksheets[1:]:
            unnamed = [c.value for c in sheet[1] if c.value not in named]
            assert unnamed == [], (sheet.title, unnamed)
    types_vi = {r[2].value for r in vi["Đối tác trong tháng"].iter_rows(min_row=2)}
    types_en = {r[2].value for r in en["Partners in the month"].iter_rows(min_row=2)}
    assert types_vi <= {"Thu hồi nợ", "Tổng đài"} and types_en <= {"Debt collection", "Call centre"}
    assert types_vi and types_en


def test_codes_read_as_words_in_both_languages():
    from reports.fmt import plain_numbers
    from reports.i18n import field_words, label, peer_label

    assert label("team", "customer_service", "vi") == "Chăm sóc khách hàng"
    assert label("team", "customer_service", "en") == "Customer service"
    assert peer_label("handler", "all handlers", "vi") == "Tất cả nhân viên xử lý"
    assert peer_label("partner", "collection_agency", "en") == "Collection agency"
    assert label("team", "kho_van", "vi") == "Kho van"  # unknown code: words, never a code
    assert label("team", SCRIPT, "vi") == SCRIPT  # register text as given
    assert plain_numbers("p is 7.7e-06 here", "en") == "p is 0.0000077 here"
    assert plain_numbers("xác suất 7,7e-06;", "vi") == "xác suất 0,0000077;"
    assert plain_numbers("1.5e-03 and 2e-4", "en") == "0.0015 and 0.00020"
    assert field_words("received_at changed", "en") == "Time received changed"


def test_a_month_as_it_stood_on_a_day_is_hand_computed():
    """data.sla_as_at on six complaints of September 2026, as they stood on 30/09 and 15/10."""
    import duckdb

    from reports import data

    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.complaint_sla (receipt_date DATE, due_date DATE, "
        "response_date DATE, working_days_to_response INTEGER)"
    )
    con.execute(
        """INSERT INTO marts.complaint_sla VALUES
        ('2026-09-01', '2026-09-10', '2026-09-05', 4),   -- met before 30/09
        ('2026-09-02', '2026-09-11', '2026-09-20', 13),  -- late, answered before 30/09
        ('2026-09-10', '2026-09-19', NULL, NULL),        -- never answered: overdue
        ('2026-09-25', '2026-10-06', '2026-10-02', 5),   -- open on 30/09, met on 15/10
        ('2026-09-28', '2026-10-07', '2026-10-12', 10),  -- open on 30/09, late on 15/10
        ('2026-10-01', '2026-10-12', '2026-10-02', 1)    -- October: not September's"""
    )
    end = data.sla_as_at(con, dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert (end["received"], end["met"], end["breached"]) == (5, 1, 1)
    assert (end["open_overdue"], end["open_within_sla"]) == (1, 2)
    assert end["compliance_rate"] == pytest.approx(1 / 3)
    assert end["median_working_days_to_response"] == pytest.approx(8.5)  # of 4 and 13
    later = data.sla_as_at(con, dt.date(2026, 9, 1), dt.date(2026, 10, 15))
    assert (later["met"], later["breached"], later["open_overdue"]) == (2, 2, 1)
    assert later["open_within_sla"] == 0 and later["compliance_rate"] == pytest.approx(2 / 5)
    early = data.sla_as_at(con, dt.date(2026, 9, 1), dt.date(2026, 9, 9))  # month running
    # received by 09/09: the first two; the second, answered on 20/09, still within its limit
    assert (early["received"], early["met"], early["open_within_sla"]) == (2, 1, 1)


def test_provisional_month_is_marked_and_compared_like_with_like(report_home):
    """The small world's March has complaints still inside their 7 working days on 31/03: its
    on-time tiles say provisional with that count, and compare with February as it stood on
    28/02, which the marts' final February differs from."""
    from reports import data

    tiles = {
        e["data-kpi"]: e
        for e in parse(report_home.reports_dir / OUT / "management.html").elements
        if "data-kpi" in e
    }
    with connect(report_home.warehouse_path, read_only=True) as con:
        still_open = scalar(
            con, "SELECT open_within_sla FROM marts.sla_monthly WHERE month = ?", [MONTH]
        )
        feb = data.sla_as_at(con, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert still_open > 0
    text = (report_home.reports_dir / OUT / "management.html").read_text(encoding="utf-8")
    assert f"{still_open} khiếu nại còn trong hạn 7 ngày làm việc" in text
    assert "So sánh cùng thời điểm" in text and "28/02/2026" in text
    for key in ("kpi_compliance", "kpi_median_days"):
        assert tiles[key].get("data-provisional") == "1"
    assert "data-provisional" not in tiles["kpi_open"]
    assert float(tiles["kpi_compliance"]["data-like-prev"]) == pytest.approx(feb["compliance_rate"])
    english = (report_home.reports_dir / OUT / "management.en.html").read_text(encoding="utf-8")
    assert "Like with like" in english and "Provisional" in english


def test_management_lists_what_to_do_and_the_complaints_return(report_home):
    """Up front, the open complaints overdue or nearly due (the mart's, most overdue first);
    the month's closed complaints counted independently of the mart."""
    page = report_home.reports_dir / OUT / "management.html"
    text = page.read_text(encoding="utf-8")
    assert text.index('id="todo"') < text.index('id="kpis"')
    with connect(report_home.warehouse_path, read_only=True) as con:
        expected = [
            r[0]
            for r in con.execute(
                "SELECT complaint_id FROM marts.open_at_risk "
                "ORDER BY working_days_left, due_date, complaint_id"
            ).fetchall()
        ]
        closed = scalar(
            con,
            "SELECT count(*) FROM marts.complaint_sla WHERE resolution_date "
            "BETWEEN '2026-03-01' AND '2026-03-31'",
        )
    shown = [row[0] for row in _table_values(page, "at-risk")]
    assert shown == expected and expected
    outcomes = _table_values(page, "return-outcomes")
    assert outcomes[-1][0] == "closed" and int(outcomes[-1][1]) == closed > 0


def test_quality_has_one_card_per_subject_with_its_flags_and_evidence_once(report_home):
    """Each flagged subject is one card holding all its flags, by severity; each flag links to
    the card's evidence, which lists each complaint once; the contents list links every card;
    the chance box accounts for every flag of the month."""
    text = (report_home.reports_dir / OUT / "quality.html").read_text(encoding="utf-8")
    with connect(report_home.warehouse_path, read_only=True) as con:
        flags = con.execute(
            "SELECT subject_type, subject_id, rule, severity FROM marts.pattern_flags "
            "WHERE review_month = ?",
            [MONTH],
        ).fetchall()
    subjects = {(k, s) for k, s, _, _ in flags}
    cards = re.findall(r'<article class="card[^"]*" id="([^"]+)" data-card="([^"]+)">', text)
    assert cards and sorted(c[1] for c in cards) == sorted(s for _, s in subjects)
    rank = {"high": 0, "medium": 1, "watch": 2}
    for card_id, subject in cards:
        body = text.split(f'id="{card_id}"')[1].split("</article>")[0]
        shown = re.findall(r'<li data-flag="([^"]+)"', body)
        assert sorted(shown) == sorted(r for _, s, r, _ in flags if s == subject)
        severities = [sev for _, s, r, sev in flags if s == subject]
        order = re.findall(r'<span class="sev (high|medium|watch)">', body)[1:]
        assert [rank[o] for o in order] == sorted(rank[o] for o in severities)
        assert body.count(f'href="#ev-{card_id}"') == len(shown)
        assert f'id="ev-{card_id}"' in body
        ids = re.findall(r'<td class=" evidence" data-value="([^"]+)"', body)
        assert len(ids) == len(set(ids))  # evidence shown once
        assert f'href="#{card_id}"' in text.split('id="flags"')[0]  # in the contents list
    others = first_group(r'data-chance-others="1">([^<]*)<', text)
    assert f"trong {len(flags)} dấu hiệu" in others


def test_workbook_holds_the_complaints_return_and_the_backlog_ageing(report_home):
    """The page's complaints return, for analysts: per month, the outcomes and the time bands
    each add up to the closed complaints, which are counted here from marts.complaint_sla; the
    backlog's bands are in words and add up to the open complaints not yet answered."""
    folder = report_home.reports_dir / OUT
    book = openpyxl.load_workbook(folder / "tables.en.xlsx")
    sheet = book["Complaints return"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)]
    with connect(report_home.warehouse_path, read_only=True) as con:
        closed = dict(
            con.execute(
                "SELECT date_trunc('month', resolution_date), count(*) FROM marts.complaint_sla "
                "WHERE resolution_date IS NOT NULL GROUP BY ALL"
            ).fetchall()
        )
        open_now = scalar(
            con,
            "SELECT count(*) FROM marts.complaint_sla WHERE response_date IS NULL "
            "AND sla_status IN ('open_within_sla', 'open_overdue')",
        )
    assert rows and rows[-1]["Month"] == dt.datetime(2026, 3, 1)
    for row in rows:
        total = row["Closed (complaints)"]
        assert total == closed.get(row["Month"], 0)
        outcomes = ("upheld", "not upheld", "withdrawn", "no outcome")
        times = (
            "within 7 working days",
            "after 7 working days, within 8 weeks",
            "after 8 weeks",
            ", time unknown",
        )
        assert sum(row[f"Closed, {o} (complaints)"] for o in outcomes) == total, row
        assert sum(row[f"Closed {t} (complaints)".replace(" ,", ",")] for t in times) == total
    ageing = book["Backlog ageing"]
    bands = [(r[1].value, r[2].value) for r in ageing.iter_rows(2)]
    assert [b for b, _ in bands] == [
        "Within the 7 working days",
        "Overdue, received up to 8 weeks ago",
        "Overdue, received over 8 weeks ago",
    ]
    assert sum(n for _, n in bands) == open_now
    vi = openpyxl.load_workbook(folder / "tables.xlsx")
    assert {"Báo cáo khiếu nại theo tháng", "Tuổi tồn đọng"} <= set(vi.sheetnames)


def test_a_count_of_one_reads_in_the_singular_in_english():
    from reports.i18n import t_count

    assert t_count("unit_substantiated", 1, "en") == "substantiated complaint"
    assert t_count("unit_substantiated", 1.0, "en") == "substantiated complaint"
    assert t_count("unit_substantiated", 2, "en") == "substantiated complaints"
    assert t_count("evidence_for", 1, "en") == "Evidence: {n} complaint"
    assert t_count("unit_substantiated", 1, "vi") == t_count("unit_substantiated", 2, "vi")
    assert t_count("unit_substantiated_3m", 1, "en") == "substantiated in 3 months"


def funnel_reasons() -> list[str]:
    """Every reason for no verdict marts.funnel can write, read from its SQL: the literal
    strings and the printf templates (with numbers and a month put in), so a reason added there
    without a Vietnamese wording fails here."""
    sql = (Path(__file__).resolve().parents[1] / "models/marts/funnel.sql").read_text("utf-8")
    sql = re.sub(r"'\s*\|\|\s*'", "", sql)  # templates written over two lines
    # 'activity missing for ' || the months || ': not judged' is put together in SQL
    found = {r for r in re.findall(r"then '([a-z][^']* [^']*)'", sql) if not r.endswith(" ")}
    found |= {"activity missing for 10/2026: not judged"}
    for template in re.findall(r"printf\(\s*'([^']*)'", sql):
        found.add(template.replace("%d", "2").replace("%s", "10/2026"))
    return sorted(found)


def test_every_reason_for_no_verdict_reads_in_vietnamese():
    reasons = funnel_reasons()
    assert "2 month(s) of history, fewer than 2: not judged" in reasons
    assert "peers have no exposure" in reasons and len(reasons) >= 10
    for reason in reasons:
        vi = label("no_verdict_reason", reason, "vi")
        assert vi != reason and ("không đánh giá" in vi or "tối thiểu" in vi), reason
        assert label("no_verdict_reason", reason, "en").lower() == reason.lower()
