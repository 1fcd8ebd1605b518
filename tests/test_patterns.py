"""Pattern flags (clauses 3.4, 3.5, 5.1, 6.2, 7.1): hand-computed cases for every rule, the exact
limits against scipy, evidence that supports each flag, and a false-positive simulation.

Hand cases write their arithmetic out. Poisson limits for an expected count of 1.0:
P(X <= 2) = e^-1 (1 + 1 + 1/2) = 0.920, P(X <= 3) = 0.981 -> the 95% limit is 3;
P(X <= 4) = 0.99634, P(X <= 5) = 0.99941 -> the 99.8% limit is 5.
"""

from __future__ import annotations

import datetime as dt
import math
from contextlib import ExitStack

import numpy as np
import pytest
from scipy import stats

from pipelines.ingest.load import ensure_schema
from pipelines.warehouse import connect
from tests.patterns_world import World, build, flags, funnel, store

WINDOW = ["2026-08", "2026-09", "2026-10"]
YEAR = [f"2026-{m:02d}" for m in range(1, 11)]


@pytest.fixture
def built(settings):
    """Store a world and build it as of 31/10/2026; returns an open connection."""
    with ExitStack() as stack:

        def _built(world: World, as_of: str = "2026-10-31"):
            con = stack.enter_context(connect(settings.warehouse_path))
            ensure_schema(con)
            store(con, world)
            build(con, settings, as_of)
            return con

        yield _built


def team(world: World, team_name: str, ids: list[str], months: list[str], n: int) -> None:
    for e in ids:
        world.staff.append((e, team_name))
        world.exposure("employee", e, months, n)


def flag(frame, subject_id: str, rule: str):
    rows = frame[(frame.subject_id == subject_id) & (frame.rule == rule)]
    return rows.iloc[0] if len(rows) else None


# ------------------------------------------------------------------------------ outlier_rate


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), written out: 1 - e^-mean * sum_{j<k} mean^j / j!."""
    return 1 - math.exp(-mean) * sum(mean**j / math.factorial(j) for j in range(k))


def test_outlier_hand_case_exact_poisson_test(built):
    # A1: 6 findings over Aug-Oct from 3,000 interactions. Peers A2-A4: 3 findings from 9,000,
    # so A1 is expected to have 3,000 * 3/9,000 = 1.0; limits 3 (95%) and 5 (99.8%).
    # p = P(X >= 6 | 1.0) = 1 - e^-1 (1 + 1 + 1/2 + 1/6 + 1/24 + 1/120) = 0.000594.
    # Four subjects tested: even Benjamini-Hochberg's bar for one flag, 0.05 / 4, is passed.
    # A2: peers have 8 findings from 9,000 -> expected 2.667, observed 1: within.
    world = World()
    team(world, "collections", ["A1", "A2", "A3", "A4"], WINDOW, 1000)
    for month in WINDOW:
        world.add(month, 2, employee_id="A1")
    for e in ("A2", "A3", "A4"):
        world.add("2026-10", 1, employee_id=e)
    con = built(world)
    f = funnel(con).set_index("subject_id")
    assert f.loc["A1", ["observed", "exposure", "expected", "limit_95", "limit_998"]].tolist() == [
        6,
        3000,
        pytest.approx(1.0),
        3,
        5,
    ]
    assert f.loc["A1", "p_value"] == pytest.approx(0.000594, abs=5e-7)
    assert f.loc["A1", "p_value"] == pytest.approx(poisson_tail(6, 1.0), rel=1e-9)
    assert f.loc["A1", "family"] == 4 and f.loc["A1", "q_value"] < 0.05
    assert f.loc["A1", "verdict"] == "outlier"
    assert f.loc["A2", "expected"] == pytest.approx(8 / 3)
    assert f.loc["A2", "verdict"] == "within"
    outlier = flag(flags(con), "A1", "outlier_rate")
    assert outlier.severity == "medium" and outlier.upper_limit == 5
    assert "1,00 dự kiến" in outlier.explanation_vi and "3.000 lượt" in outlier.explanation_vi
    assert "1.00 expected from 3,000 interactions" in outlier.explanation_en
    assert "0.00059" in outlier.explanation_en and "4 subjects" in outlier.explanation_en


def test_watch_when_one_subject_is_unusual_but_not_after_multiplicity(built):
    # A1: 4 findings, expected 1.0: p = 1 - e^-1 (1 + 1 + 1/2 + 1/6) = 0.0190 <= 0.05 (above
    # the 95% limit 3). A2-A4 each expect (4 + 2) / 9,000 * 3,000 = 2.0 and reach p <= 0.019
    # with chance P(X >= 6 | 2) = 0.0166, so at that bar subjects with no real difference give
    # 0.019 + 3 * 0.0166 = 0.069 flags > 0.05 allowed for one: watch, not medium.
    world = World()
    team(world, "collections", ["A1", "A2", "A3", "A4"], WINDOW, 1000)
    world.add("2026-09", 4, employee_id="A1")
    for e in ("A2", "A3", "A4"):
        world.add("2026-10", 1, employee_id=e)
    con = built(world)
    assert funnel(con).set_index("subject_id").loc["A1", "p_value"] == pytest.approx(
        0.01899, abs=1e-5
    )
    outlier = flag(flags(con), "A1", "outlier_rate")
    assert outlier.severity == "watch" and outlier.upper_limit == 3


def test_rare_events_six_findings_against_a_third_expected_is_flagged(built):
    # The case: R1 has 6 findings in 3 months at a normal workload (3,000 interactions);
    # 29 peers with 3,000 each had 9 findings in all: expected 9 / 87,000 * 3,000 = 0.3103.
    # The old rule gave no verdict (expected below 1). p = P(X >= 6 | 0.3103) = 9.5e-7, far
    # below the Benjamini-Hochberg bar of 0.05 / 30 for one flag among 30 tested.
    world = World()
    peers = [f"Q{i:02d}" for i in range(29)]
    team(world, "collections", ["R1", *peers], WINDOW, 1000)
    for month in WINDOW:
        world.add(month, 2, employee_id="R1")
    for e in peers[:9]:
        world.add("2026-09", 1, employee_id=e)
    con = built(world)
    row = funnel(con).set_index("subject_id").loc["R1"]
    assert row.expected == pytest.approx(9 * 3000 / 87_000)
    assert row.p_value == pytest.approx(poisson_tail(6, 9 * 3000 / 87_000), rel=1e-6)
    assert 9.4e-7 < row.p_value < 9.6e-7
    assert row.verdict == "outlier"
    assert flag(flags(con), "R1", "outlier_rate").severity == "medium"


def test_fewer_findings_than_the_minimum_are_never_flagged(built):
    # L1: 2 findings against 0.05 expected: p = 1 - e^-0.05 (1.05) = 0.0012, yet 2 < 3 findings.
    # L2: 1 finding against 0.05: p = 0.049. Neither is flagged; both still count in the family.
    world = World()
    peers = [f"Q{i:02d}" for i in range(29)]
    team(world, "collections", ["L1", "L2", *peers], WINDOW, 1000)
    world.add("2026-10", 2, employee_id="L1")
    world.add("2026-10", 1, employee_id="L2")
    world.add("2026-09", 1, employee_id="Q00")
    con = built(world)
    f = funnel(con).set_index("subject_id")
    # L1's peers: 2 findings (L2, Q00) over 30 * 3,000: expected 2 / 90,000 * 3,000 = 0.0667
    assert f.loc["L1", "p_value"] == pytest.approx(poisson_tail(2, 2 / 30), rel=1e-6)
    assert f.loc["L1", "verdict"] == "within" and f.loc["L2", "verdict"] == "within"
    assert f.loc["L1", "family"] == 31
    assert f.loc["L1", "reason"] == "fewer findings than the minimum to flag"
    assert flags(con).query("rule == 'outlier_rate'").empty


def test_peers_without_any_finding_still_give_a_verdict(built):
    # Z1 has 3 findings, its 9 peers none, all with equal activity: expected 0, and the exact
    # conditional chance that all 3 fall on Z1 is (1/10)^3 = 0.001 <= 0.05 / 10.
    world = World()
    team(world, "collections", ["Z1"] + [f"Q{i}" for i in range(9)], WINDOW, 1000)
    world.add("2026-10", 3, employee_id="Z1")
    con = built(world)
    row = funnel(con).set_index("subject_id").loc["Z1"]
    assert row.expected == 0 and row.p_value == pytest.approx(0.001)
    assert row.verdict == "outlier"


def test_false_discovery_rate_across_all_subjects_of_the_month(built):
    # B1: 28 findings against 15.0 expected (peers: 50 staff with 15 findings each from 3,000
    # interactions, B1 3,000): p = P(X >= 28 | 15) = 0.00172 < 0.002 and the old 99.8% limit is
    # 27, so the old rule flagged it medium. With 51 staff tested, subjects with no real
    # difference would cross p = 0.00172 about S = 0.00172 + 50 * F times, F = the largest tail
    # a peer (expected (750 - 15 + 28) / 150,000 * 3,000 = 15.26) can attain at or below it:
    # S > 0.05 = the allowed false discoveries for one flag, so B1 is a watch signal only.
    world = World()
    peers = [f"Q{i:02d}" for i in range(50)]
    team(world, "collections", ["B1", *peers], WINDOW, 1000)
    world.add("2026-10", 28, employee_id="B1")
    for e in peers:
        world.add("2026-09", 15, employee_id=e)
    con = built(world)
    f = funnel(con).set_index("subject_id")
    row = f.loc["B1"]
    assert row.expected == pytest.approx(15.0) and row.family == 51 and row.phi == 1.0
    assert row.p_value == pytest.approx(poisson_tail(28, 15.0), rel=1e-9)
    assert row.p_value == pytest.approx(0.001716, abs=1e-6) and row.limit_998 == 27
    peer_mean = 763 / 150_000 * 3000
    k = 3
    while poisson_tail(k, peer_mean) > row.p_value:
        k += 1
    assert row.p_value + 50 * poisson_tail(k, peer_mean) > 0.05
    assert row.verdict == "watch" and row.threshold < row.p_value
    assert flag(flags(con), "B1", "outlier_rate").severity == "watch"


def largest_tail_at_most(mean: float, bar: float, least: int = 3) -> float:
    """The largest P(X >= k), k >= least, that is <= bar: how often a subject expecting `mean`
    findings and no different from its peers would reach a p-value bar."""
    k = least
    while poisson_tail(k, mean) > bar:
        k += 1
    return poisson_tail(k, mean)


def test_chance_alone_figure_is_the_sum_of_each_subjects_chance(built):
    # The A1 world: A1 expects 1.0, A2-A4 8/3 each (each has 1 of the 9 findings), one p-value
    # below 1 (A1's 0.000594). S(t) = the flags subjects with no real difference would give at
    # a bar t = sum of each one's largest attainable tail <= t (at least 3 findings). The bar is
    # the largest candidate (A1's p, or 0.05 * 10^(-g/6)) with S(t) <= 0.05 * max(flags, 1).
    world = World()
    team(world, "collections", ["A1", "A2", "A3", "A4"], WINDOW, 1000)
    for month in WINDOW:
        world.add(month, 2, employee_id="A1")
    for e in ("A2", "A3", "A4"):
        world.add("2026-10", 1, employee_id=e)
    con = built(world)
    chance = (
        con.execute("SELECT * FROM marts.flag_chance WHERE review_month = '2026-10-01'")
        .df()
        .iloc[0]
    )

    def s(t: float) -> float:
        return largest_tail_at_most(1.0, t) + 3 * largest_tail_at_most(8 / 3, t)

    a1 = poisson_tail(6, 1.0)
    candidates = [a1] + [0.05 * 10 ** (-g / 6) for g in range(61)]
    bar = max(t for t in candidates if s(t) <= 0.05 * max(int(a1 <= t), 1))
    assert 0.0125 < bar < 0.05  # looser than Benjamini-Hochberg's 0.05 / 4 for these counts
    assert chance.tested == 4 and chance.medium_flags == 1
    assert chance.threshold == pytest.approx(bar)
    assert chance.expected_medium == pytest.approx(s(bar), rel=1e-6)
    # a mean of s(bar) < 0.05 flags: the 95% Poisson interval is 0-0 (P(0) > 0.975) or 0-1
    assert chance.medium_low == 0 and chance.medium_high == (0 if s(bar) < 0.0253 else 1)
    assert chance.expected_watch_or_above == pytest.approx(s(0.05), rel=1e-6)
    assert chance.watch_or_above_flags == 1


def test_without_activity_data_compare_only_with_equal_activity_peers(built):
    # Disbursement has no activity export: D1 is compared with D2-D5 only, as if equal activity:
    # peers average (1+1+1+1)/4 = 1.0 over the window; D1 has 6 > 5 (99.8% limit of 1.0).
    # C1 has activity data and is not pooled with them.
    world = World()
    world.staff += [(d, "disbursement") for d in ("D1", "D2", "D3", "D4", "D5")]
    team(world, "disbursement", ["C1"], WINDOW, 1000)
    world.add("2026-10", 6, employee_id="D1")
    for d in ("D2", "D3", "D4", "D5"):
        world.add("2026-09", 1, employee_id=d)
    world.add("2026-09", 9, employee_id="C1")
    con = built(world)
    f = funnel(con).set_index("subject_id")
    assert f.loc["D1", "method"] == "poisson_equal_activity"
    assert f.loc["D1", "expected"] == pytest.approx(1.0) and f.loc["D1", "peers"] == 4
    assert f.loc["C1", "verdict"] == "no_verdict"  # no peer with activity data
    outlier = flag(flags(con), "D1", "outlier_rate")
    assert outlier.severity == "medium"
    assert outlier.explanation_en.startswith("No activity data")
    assert outlier.explanation_vi.startswith("Không có dữ liệu lượt tương tác")


def test_high_volume_agent_with_the_peer_rate_is_not_an_outlier(built):
    # H1 handles 10x the interactions of each peer and draws 10x the findings: same rate.
    world = World()
    team(world, "collections", ["H1"], WINDOW, 10_000)
    team(world, "collections", ["A1", "A2", "A3", "A4", "A5"], WINDOW, 1000)
    world.add("2026-09", 30, employee_id="H1")
    for e in ("A1", "A2", "A3", "A4", "A5"):
        world.add("2026-09", 3, employee_id=e)
    con = built(world)
    row = funnel(con).set_index("subject_id").loc["H1"]
    assert row.expected == pytest.approx(30.0) and row.verdict == "within"
    assert flag(flags(con), "H1", "outlier_rate") is None


# ------------------------------------------------------------- limits against scipy, simulation


def simulated_world(seed: int, n: int = 300, dispersion: float | None = None) -> World:
    """n staff in 3 teams, exposure 500-6,000 a month, findings Poisson at 0.4 per 1,000
    (gamma-mixed between staff when dispersion is given)."""
    rng = np.random.default_rng(seed)
    world = World()
    world.staff.append(("XL01", "complaints"))
    for i in range(n):
        e = f"E{i:04d}"
        exposure = int(rng.uniform(500, 6000))
        team(world, ["collections", "customer_service", "telesales"][i % 3], [e], WINDOW, exposure)
        rate = 0.4e-3 * (rng.gamma(1 / dispersion, dispersion) if dispersion else 1.0)
        for month in WINDOW:
            count = int(rng.poisson(rate * exposure))
            if count:
                world.add(month, count, employee_id=e)
    return world


def test_limits_and_p_values_equal_scipy(built):
    con = built(simulated_world(seed=1))
    f = funnel(con)
    judged = f[(f.verdict != "no_verdict") & (f.subject_type == "employee")]
    assert len(judged) > 200
    for row in judged.itertuples():
        for level, column in ((0.95, "limit_95"), (0.998, "limit_998")):
            q = stats.poisson.ppf(level, row.expected)
            assert getattr(row, column) == pytest.approx(
                row.expected + np.sqrt(row.phi) * (q - row.expected)
            ), row
        shrunk = np.ceil(row.expected + (row.observed - row.expected) / np.sqrt(row.phi) - 1e-9)
        assert row.p_value == pytest.approx(
            stats.poisson.sf(shrunk - 1, row.expected), rel=1e-7, abs=1e-15
        ), row


def test_false_positive_share_stays_within_what_the_limits_imply(built):
    # Everyone has the same true rate: any outlier flag is a false positive. With exact
    # quantiles at most 0.2% (0.998) and 5% (0.95) of judged staff should exceed them; allow
    # what chance adds at 99.9%.
    con = built(simulated_world(seed=7))
    f = funnel(con)
    judged = f[f.verdict != "no_verdict"]
    n = len(judged)
    assert (judged.verdict == "above_998").sum() <= stats.binom.ppf(0.999, n, 0.002)
    assert (judged.verdict != "within").sum() <= stats.binom.ppf(0.999, n, 0.05)
    assert judged.phi.max() < 1.5  # no over-dispersion to speak of


def test_over_dispersion_between_staff_widens_the_limits(built):
    # Rates vary between staff (gamma with variance 1): phi > 1 and limits wider than Poisson.
    con = built(simulated_world(seed=3, dispersion=1.0))
    judged = funnel(con).query("verdict != 'no_verdict'")
    assert judged.phi.iloc[0] > 1.5
    poisson = stats.poisson.ppf(0.998, judged.expected)
    assert (judged.limit_998 >= poisson).all() and (judged.limit_998 > poisson).any()


# ---------------------------------------------------------------------- the other rules


def test_serious_conduct_needs_a_substantiated_serious_complaint_in_the_month(built):
    world = World()
    team(world, "collections", ["S1", "S2", "S3", "S4", "S5"], YEAR, 1000)
    threat = world.add("2026-10", employee_id="S1", subcategory="threat")
    world.add("2026-10", employee_id="S2", subcategory="threat", outcome="pending")
    world.add("2026-10", employee_id="S2", subcategory="abuse", outcome="not_upheld")
    world.add("2026-09", employee_id="S3", subcategory="threat")  # September's flag, not October's
    world.add("2026-10", employee_id="S4", subcategory="offensive")  # not a serious subcategory
    disclosure = world.add(
        "2026-10", employee_id="S5", subcategory="data_disclosure", outcome="partially_upheld"
    )
    con = built(world)
    october = flags(con).query("rule == 'serious_conduct'")
    assert dict(zip(october.subject_id, october.complaint_ids.map(list), strict=True)) == {
        "S1": threat,
        "S5": disclosure,
    }
    assert set(october.severity) == {"high"}
    assert "đe dọa" in flag(october, "S1", "serious_conduct").explanation_vi
    assert flag(flags(con, "2026-09"), "S3", "serious_conduct") is not None


def test_persistent_counts_distinct_months_of_findings_never_allegations(built):
    # Window May-Oct 2026. P1: findings in May, Jul, Oct (3 months) -> flagged.
    # P2: findings in 2 months plus pending and not upheld in 3 others -> not flagged.
    # P3: findings in Apr, Jun, Aug: April is outside the window -> not flagged in October.
    # Seven quiet peers keep the team's rate low: P2 and P3 have 4 findings in the window, about
    # 0.67 a month over 9,000 interactions, so P1 (1,000 a month) has a finding in a month with
    # chance ~7% and reaches 3 months by chance well under 5%: severity high.
    world = World()
    team(world, "collections", ["P1", "P2", "P3"] + [f"Q{i}" for i in range(7)], YEAR, 1000)
    ids = [world.add(m, employee_id="P1")[0] for m in ("2026-05", "2026-07", "2026-10")]
    world.add("2026-06", employee_id="P1", outcome="pending")
    world.add("2026-05", employee_id="P2")
    world.add("2026-06", employee_id="P2", outcome="partially_upheld")
    for m, outcome in (("2026-07", "pending"), ("2026-08", "not_upheld"), ("2026-09", "withdrawn")):
        world.add(m, employee_id="P2", outcome=outcome)
    for m in ("2026-04", "2026-06", "2026-08"):
        world.add(m, employee_id="P3")
    con = built(world)
    persistent = flags(con).query("rule == 'persistent'")
    assert list(persistent.subject_id) == ["P1"]
    row = persistent.iloc[0]
    assert row.observed == 3 and list(row.complaint_ids) == ids and row.severity == "high"
    assert "05/2026, 07/2026, 10/2026" in row.explanation_en
    assert "1 pending" in row.explanation_en and "1 chưa kết luận" in row.explanation_vi
    assert flag(flags(con, "2026-08"), "P3", "persistent") is not None  # Mar-Aug holds all 3
    assert "chance of reaching 3 months by chance is only" in row.explanation_en


def test_persistent_is_only_watch_when_the_workload_makes_it_common(built):
    # B1 handles 10,000 interactions a month; peers Q0-Q3 draw 2 findings a month from 4,000,
    # i.e. 0.5 per 1,000, so B1 is expected 5 a month and has a finding in a month with chance
    # 1 - e^-5 = 99.3%: three months with findings are what its workload predicts.
    world = World()
    team(world, "collections", ["B1"], YEAR, 10_000)
    team(world, "collections", ["Q0", "Q1", "Q2", "Q3"], YEAR, 1000)
    for month in ("2026-05", "2026-07", "2026-10"):
        world.add(month, employee_id="B1")
    for month in YEAR:
        world.add(month, employee_id="Q0")
        world.add(month, employee_id="Q1")
    row = flag(flags(built(world)), "B1", "persistent")
    assert row.severity == "watch" and row.expected == pytest.approx(1.0, abs=1e-3)
    assert "signal to watch, not an anomaly" in row.explanation_en
    assert "tín hiệu theo dõi" in row.explanation_vi


def test_rising_trend_needs_three_rises_and_more_than_the_peer_median(built):
    # R1 findings Jun 0, Jul 1, Aug 1, Sep 2, Oct 2 -> rolling 3-month sums
    # Jun 0, Jul 1, Aug 2, Sep 4, Oct 5: four rises in a row, above the team median of 0.
    # T1 has the same sequence but its peers T2-T4 have 6 each in Oct: median 6 > 5.
    world = World()
    team(world, "customer_service", ["R1", "R2", "R3"], YEAR, 1000)
    team(world, "telesales", ["T1", "T2", "T3", "T4"], YEAR, 1000)
    world.add("2026-01", employee_id="R2", outcome="pending")  # the grid starts in January
    for subject in ("R1", "T1"):
        for month, n in (("2026-07", 1), ("2026-08", 1), ("2026-09", 2), ("2026-10", 2)):
            world.add(month, n, employee_id=subject)
    for t in ("T2", "T3", "T4"):
        world.add("2026-10", 6, employee_id=t)
    con = built(world)
    rising = flags(con).query("rule == 'rising_trend'")
    assert list(rising.subject_id) == ["R1"]
    row = rising.iloc[0]
    assert row.severity == "watch" and row.observed == 5 and row.expected == 0
    assert "(0 → 1 → 2 → 4 → 5)" in row.explanation_en and "4 months in a row" in row.explanation_en
    assert len(row.complaint_ids) == 5  # Aug-Oct findings
    assert flag(flags(con, "2026-08"), "R1", "rising_trend") is None  # only 2 rises by August


def test_handler_sla_flags_a_breach_share_above_the_binomial_limit(built):
    # Four handlers, 40 complaints each received in October. H1 misses the deadline on 20;
    # H2-H4 on 2 each: the others' breach share is 6/120 = 5%, H1 expected 2.0, and the 99.8%
    # limit for 40 complaints at 5% is scipy's binom.ppf(0.998, 40, 0.05).
    world = World()
    world.staff += [(h, "complaints") for h in ("H1", "H2", "H3", "H4")]
    late = []
    for h, n_late in (("H1", 20), ("H2", 2), ("H3", 2), ("H4", 2)):
        for i in range(40):
            received = dt.datetime(2026, 10, 1 + i % 20, 9)
            lag = dt.timedelta(days=20 if i < n_late else 1)
            cid = world.add(
                "2026-10",
                day=received.day,
                handler_id=h,
                category="service",
                outcome="not_upheld",
                first_response_at=received + lag,
            )[0]
            if h == "H1" and i < n_late:
                late.append(cid)
    con = built(world, as_of="2026-11-30")
    row = funnel(con).query("subject_type == 'handler'").set_index("subject_id").loc["H1"]
    assert row.exposure == 40 and row.expected == pytest.approx(2.0)
    assert row.limit_998 == stats.binom.ppf(0.998, 40, 0.05)
    october = flags(con).query("rule == 'handler_sla'")
    assert list(october.subject_id) == ["H1"] and set(october.iloc[0].complaint_ids) == set(late)
    assert "20 of 40" in october.iloc[0].explanation_en


# ------------------------------------------------------------------------------ evidence


def test_every_evidence_id_exists_and_supports_its_flag(built):
    world = simulated_world(seed=11, n=60)
    team(world, "collections", ["P1"], YEAR, 1000)
    for m in ("2026-05", "2026-07", "2026-10"):
        world.add(m, 2, employee_id="P1", subcategory="threat")
    con = built(world)
    all_flags = con.execute("SELECT * FROM marts.pattern_flags").df()
    assert {"persistent", "serious_conduct", "outlier_rate"} <= set(all_flags.rule)
    complaints = con.execute("""SELECT c.complaint_id, c.employee_id, c.partner_id, c.handler_id,
        c.outcome, c.received_at::DATE AS day, s.sla_status
        FROM core.complaints c JOIN marts.complaint_sla s USING (complaint_id)""").df()
    complaints = complaints.set_index("complaint_id")
    for row in all_flags.itertuples():
        assert len(row.complaint_ids) > 0
        evidence = complaints.loc[list(row.complaint_ids)]  # KeyError if an id does not exist
        assert (evidence.day >= row.period_start).all() and (evidence.day <= row.period_end).all()
        if row.rule == "handler_sla":
            assert (evidence.handler_id == row.subject_id).all()
            assert evidence.sla_status.isin(["breached", "open_overdue"]).all()
            continue
        column = "employee_id" if row.subject_type == "employee" else "partner_id"
        assert (evidence[column] == row.subject_id).all()
        assert evidence.outcome.isin(["upheld", "partially_upheld"]).all()


def test_drawing_limits_agree_with_the_marts(built):
    from pipelines.patterns import binomial_upper_limit, poisson_upper_limit

    con = built(simulated_world(seed=5, n=90))
    judged = funnel(con).query("verdict != 'no_verdict' and subject_type == 'employee'")
    drawn = poisson_upper_limit(judged.expected.to_numpy(), 0.998, judged.phi.iloc[0])
    assert drawn == pytest.approx(judged.limit_998.to_numpy())
    # Binomial(40, 0.05): P(X <= 6) = 0.99661 < 0.998 <= P(X <= 7) = 0.99929 -> 7.
    assert binomial_upper_limit(np.array([40]), 0.05, 0.998)[0] == 7
