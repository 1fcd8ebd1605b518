"""Pattern flags (clauses 3.4, 3.5, 5.1, 6.2, 7.1): hand-computed cases for every rule, the exact
limits against scipy, evidence that supports each flag, and a false-positive simulation.

Hand cases write their arithmetic out. Poisson limits for an expected count of 1.0:
P(X <= 2) = e^-1 (1 + 1 + 1/2) = 0.920, P(X <= 3) = 0.981 -> the 95% limit is 3;
P(X <= 4) = 0.99634, P(X <= 5) = 0.99941 -> the 99.8% limit is 5.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from base.settings import PatternSettings
from base.warehouse import connect, ensure_schema
from tests.patterns_world import World, build, flags, funnel, predictive_tail, store

WINDOW = ["2026-08", "2026-09", "2026-10"]
YEAR = [f"2026-{m:02d}" for m in range(1, 11)]
# the register's first review months, with too little history to judge a rate in (seventh round)
EARLY_MONTHS = PatternSettings().dispersion_min_months - 1


def flag(frame: pd.DataFrame, subject_id: str, rule: str) -> Any:
    """The subject's flag of ``rule`` (a row of ``frame``), or None when it has none."""
    rows = frame[(frame.subject_id == subject_id) & (frame.rule == rule)]
    return rows.iloc[0] if len(rows) else None


# ------------------------------------------------------------------------------ outlier_rate


def poisson_tail(k: int, mean: float) -> float:
    """P(X >= k) for X ~ Poisson(mean), written out: 1 - e^-mean * sum_{j<k} mean^j / j!."""
    return 1 - math.exp(-mean) * sum(mean**j / math.factorial(j) for j in range(k))


def binomial_tail(k: int, n: int, share: float) -> float:
    """P(X >= k) for X ~ Binomial(n, share), written out term by term."""
    return sum(math.comb(n, j) * share**j * (1 - share) ** (n - j) for j in range(k, n + 1))


def test_outlier_hand_case_exact_test(built):
    # A1: 6 findings over Aug-Oct from 3,000 interactions; 19 peers with 3,000 each, 6 of them
    # with 1 finding: A1 expects 6 / 57,000 * 3,000 = 0.316 (Poisson limits: 95% 1, 99.8% 3).
    # The exact test: of the group's 12 findings, each falls on A1 with its activity share
    # 3,000 / 60,000 = 0.05 if all had the same rate, so p = P(Binomial(12, 0.05) >= 6) =
    # 924 * 0.05^6 * 0.95^6 + 792 * 0.05^7 * 0.95^5 + ... = 1.111e-5. The old rule: no verdict
    # (expected below 1).
    world = World()
    peers = [f"Q{i:02d}" for i in range(19)]
    world.team("collections", ["A1", *peers], WINDOW, 1000)
    for month in WINDOW:
        world.add(month, 2, employee_id="A1")
    for e in peers[:6]:
        world.add("2026-10", 1, employee_id=e)
    con = built(world)
    f = funnel(con).set_index("subject_id")
    assert f.loc["A1", ["observed", "exposure", "expected", "limit_95", "limit_998"]].tolist() == [
        6,
        3000,
        pytest.approx(6 / 19),
        1,
        3,
    ]
    assert f.loc["A1", ["group_findings", "share"]].tolist() == [12, pytest.approx(0.05)]
    assert f.loc["A1", "p_value"] == pytest.approx(1.111e-5, abs=5e-9)
    assert f.loc["A1", "p_value"] == pytest.approx(binomial_tail(6, 12, 0.05), rel=1e-9)
    assert f.loc["A1", "family"] == 20 and f.loc["A1", "q_value"] < 0.05
    assert f.loc["A1", "verdict"] == "outlier"
    assert f.loc["Q00", "verdict"] == "within"
    outlier = flag(flags(con), "A1", "outlier_rate")
    assert outlier.severity == "medium" and outlier.upper_limit == 3
    assert "0,32 dự kiến" in outlier.explanation_vi and "3.000 lượt" in outlier.explanation_vi
    assert "0.32 expected from 3,000 interactions" in outlier.explanation_en
    assert "1.1e-05" in outlier.explanation_en and "20 subjects" in outlier.explanation_en


def test_watch_when_one_subject_is_unusual_but_not_after_multiplicity(built):
    # Six staff, 3,000 interactions each. A1: 5 findings, A2-A6: 1 each, so 10 in all, each
    # falling on any one with chance 1/6: p = P(Binomial(10, 1/6) >= 5) = 0.0155 <= 0.05. All
    # six have that same distribution, so at the bar 0.0155 subjects with no real difference
    # would give 6 * 0.0155 = 0.093 flags, more than the 0.05 allowed for one flag: watch.
    world = World()
    world.team("collections", ["A1", "A2", "A3", "A4", "A5", "A6"], WINDOW, 1000)
    world.add("2026-09", 5, employee_id="A1")
    for e in ("A2", "A3", "A4", "A5", "A6"):
        world.add("2026-10", 1, employee_id=e)
    con = built(world)
    row = funnel(con).set_index("subject_id").loc["A1"]
    assert row.p_value == pytest.approx(binomial_tail(5, 10, 1 / 6), rel=1e-9)
    assert row.p_value == pytest.approx(0.0155, abs=1e-4)
    outlier = flag(flags(con), "A1", "outlier_rate")
    assert outlier.severity == "watch" and outlier.upper_limit == 3


def test_rare_events_six_findings_against_a_third_expected_is_flagged(built):
    # The case: R1 has 6 findings in 3 months at a normal workload (3,000 interactions);
    # 29 peers with 3,000 each had 9 findings in all: expected 9 / 87,000 * 3,000 = 0.3103.
    # The old rule gave no verdict (expected below 1). p = P(Binomial(15, 1/30) >= 6) = 5.3e-6.
    world = World()
    peers = [f"Q{i:02d}" for i in range(29)]
    world.team("collections", ["R1", *peers], WINDOW, 1000)
    for month in WINDOW:
        world.add(month, 2, employee_id="R1")
    for e in peers[:9]:
        world.add("2026-09", 1, employee_id=e)
    con = built(world)
    row = funnel(con).set_index("subject_id").loc["R1"]
    assert row.expected == pytest.approx(9 * 3000 / 87_000)
    assert row.p_value == pytest.approx(binomial_tail(6, 15, 1 / 30), rel=1e-9)
    assert 5.2e-6 < row.p_value < 5.4e-6
    assert row.verdict == "outlier"
    assert flag(flags(con), "R1", "outlier_rate").severity == "medium"


def test_fewer_findings_than_the_minimum_are_never_flagged(built):
    # L1: 2 findings against 4 / 90,000 * 3,000 = 0.133 expected; of the group's 6 findings each
    # falls on L1 with chance 1/31: p = P(Binomial(6, 1/31) >= 2) = 0.014, yet 2 < 3 findings.
    # L2: 1 finding. Neither is flagged; both still count in the month's family of 31.
    world = World()
    peers = [f"Q{i:02d}" for i in range(29)]
    world.team("collections", ["L1", "L2", *peers], WINDOW, 1000)
    world.add("2026-10", 2, employee_id="L1")
    world.add("2026-10", 1, employee_id="L2")
    for e in peers[:3]:
        world.add("2026-09", 1, employee_id=e)
    con = built(world)
    f = funnel(con).set_index("subject_id")
    assert f.loc["L1", "expected"] == pytest.approx(4 / 30)
    assert f.loc["L1", "p_value"] == pytest.approx(binomial_tail(2, 6, 1 / 31), rel=1e-9)
    assert f.loc["L1", "verdict"] == "within" and f.loc["L2", "verdict"] == "within"
    assert f.loc["L1", "family"] == 31
    assert f.loc["L1", "reason"] == "fewer findings than the minimum to flag"
    assert flags(con).query("rule == 'outlier_rate'").empty


def test_peers_without_findings_give_no_verdict(built):
    # Z1 has 3 findings, its 9 peers none: their rate, 0, would make any finding of Z1
    # impossible by chance (issue 24: no flag rests on a zero rate). Z2 has 3 findings and its
    # 9 peers 2 between them, still fewer than min_peer_findings (3): no verdict either.
    world = World()
    world.team("collections", ["Z1"] + [f"Q{i}" for i in range(9)], WINDOW, 1000)
    world.team("telesales", ["Z2"] + [f"T{i}" for i in range(9)], WINDOW, 1000)
    world.add("2026-10", 3, employee_id="Z1")
    world.add("2026-10", 3, employee_id="Z2")
    world.add("2026-09", 2, employee_id="T0")
    con = built(world)
    f = funnel(con).set_index("subject_id")
    assert f.loc["Z1", "verdict"] == "no_verdict" and f.loc["Z2", "verdict"] == "no_verdict"
    assert f.loc["Z2", "reason"] == (
        "2 finding(s) of the peers in the window, fewer than 3: their rate is unknown, not judged"
    )
    assert flags(con).query("rule == 'outlier_rate'").empty


def test_false_discovery_rate_across_all_subjects_of_the_month(built):
    # B1: 28 findings against 15.0 expected (peers: 50 staff with 15 findings each, all with
    # 3,000 interactions): p = P(Binomial(778, 1/51) >= 28) = 0.00195 < 0.002, and the old 99.8%
    # limit is 27, so the old rule flagged it medium. All 51 staff share that distribution, so
    # at the bar 0.00195 subjects with no real difference give 51 * 0.00195 = 0.099 flags, more
    # than the 0.05 allowed for one: a watch signal only.
    world = World()
    peers = [f"Q{i:02d}" for i in range(50)]
    world.team("collections", ["B1", *peers], WINDOW, 1000)
    world.add("2026-10", 28, employee_id="B1")
    for e in peers:
        world.add("2026-09", 15, employee_id=e)
    con = built(world)
    row = funnel(con).set_index("subject_id").loc["B1"]
    assert row.expected == pytest.approx(15.0) and row.family == 51 and row.phi == 1.0
    assert row.p_value == pytest.approx(binomial_tail(28, 778, 1 / 51), rel=1e-9)
    assert row.p_value == pytest.approx(0.00195, abs=1e-5) and row.limit_998 == 27
    assert 51 * row.p_value > 0.05
    assert row.verdict == "watch" and row.threshold < row.p_value
    assert flag(flags(con), "B1", "outlier_rate").severity == "watch"


def largest_tail_at_most(n: int, share: float, bar: float, least: int = 3) -> float:
    """The largest P(X >= k), k >= least, X ~ Binomial(n, share), that is <= bar: how often a
    subject no different from its peers would reach a p-value bar."""
    k = least
    while k <= n and binomial_tail(k, n, share) > bar:
        k += 1
    return binomial_tail(k, n, share) if k <= n else 0.0


def six_staff_chance(
    built: Callable[..., duckdb.DuckDBPyConnection], a1_findings: dict[str, int]
) -> pd.Series:
    """October's marts.flag_chance row of six staff with 1,000 interactions a month each: A1
    with the given findings a month over the window, A2-A6 one each in October."""
    staff = ["A1", "A2", "A3", "A4", "A5", "A6"]
    world = World()
    world.team("collections", staff, WINDOW, 1000)
    for month, n in a1_findings.items():
        world.add(month, n, employee_id="A1")
    for e in staff[1:]:
        world.add("2026-10", 1, employee_id=e)
    con = built(world)
    return (
        con.execute("SELECT * FROM marts.flag_chance WHERE review_month = '2026-10-01'")
        .df()
        .iloc[0]
    )


def test_chance_alone_figure_is_the_sum_of_each_subjects_chance(built):
    # Six staff, 3,000 interactions each; A1 6 findings, A2-A6 1 each: all six test against
    # Binomial(11, 1/6), A1's p = P(X >= 6) = 0.00461. S(t), the flags subjects with no real
    # difference would give at a bar t, is 6 * the largest tail <= t with at least 3 findings.
    # The bar is the largest candidate (A1's p, or 0.05 * 10^(-g/6)) with
    # S(t) <= 0.05 * max(flags at or below t, 1): 0.05 * 10^(-2/6) = 0.0232 (S = 0.028).
    chance = six_staff_chance(built, {"2026-08": 2, "2026-09": 2, "2026-10": 2})

    def s(t: float) -> float:
        return 6 * largest_tail_at_most(11, 1 / 6, t)

    a1 = binomial_tail(6, 11, 1 / 6)
    candidates = [a1] + [0.05 * 10 ** (-g / 6) for g in range(61)]
    bar = max(t for t in candidates if s(t) <= 0.05 * max(int(a1 <= t), 1))
    assert bar == pytest.approx(0.05 * 10 ** (-2 / 6)) and s(bar) == pytest.approx(6 * a1)
    assert chance.tested == 6 and chance.medium_flags == 1
    assert chance.threshold == pytest.approx(bar)
    assert chance.expected_medium == pytest.approx(s(bar), rel=1e-6)
    # a mean of 0.028 flags: the 95% Poisson interval is 0-1 (P(0) = e^-0.028 = 0.973 < 0.975)
    assert (chance.medium_low, chance.medium_high) == (0, 1)
    assert chance.expected_watch_or_above == pytest.approx(s(0.05), rel=1e-6)


def test_chance_alone_counts_the_flag_one_more_subject_would_bring(built):
    # Six staff as above, A1 with 5 findings, A2-A6 1 each: Binomial(10, 1/6), A1's p =
    # P(X >= 5) = 0.01546, and S(0.01546) = 6 * 0.01546 = 0.093 > 0.05: nobody is flagged; the
    # month's bar is the grid's 0.05 * 10^(-4/6) = 0.0108, where S = 6 * P(X >= 6) = 0.0146.
    # But the procedure is step-up: had any of A2-A6 reached 5 findings too, both would be
    # flagged (S = 0.093 <= 0.05 * 2). The flags chance alone gives are, summed over subjects,
    # the chance of reaching the bar one more flag would set (Benjamini and Yekutieli 2001):
    # for A2-A6 the largest t below their p (1) with S(t) <= 0.05 (R(t) + 1), here 0.05 (S is
    # 0.093 from 0.01546 up to 0.05, R = 1 there), so P(X >= 5) each; for A1 the largest such t
    # below its own p (R = 0 there): 0.0108, so P(X >= 6). On the bar alone the figure was 0.0146.
    chance = six_staff_chance(built, {"2026-08": 2, "2026-09": 2, "2026-10": 1})
    five, six = binomial_tail(5, 10, 1 / 6), binomial_tail(6, 10, 1 / 6)
    assert 6 * five > 0.05 and 6 * five <= 0.1
    assert chance.medium_flags == 0
    assert chance.threshold == pytest.approx(0.05 * 10 ** (-4 / 6))
    assert chance.expected_medium == pytest.approx(six + 5 * five, rel=1e-6)
    assert chance.expected_medium > 5 * 6 * six
    assert chance.watch_or_above_flags == 1


def test_without_activity_data_there_is_no_rate_verdict(built):
    # Disbursement has no activity export: D1's 6 findings against D2-D5's one each are not
    # compared "as if equal activity" (a busy person would look an outlier): no verdict, no flag.
    # C1 has activity data but no peer with it: no verdict either.
    world = World()
    world.staff += [(d, "disbursement") for d in ("D1", "D2", "D3", "D4", "D5")]
    world.team("disbursement", ["C1"], WINDOW, 1000)
    world.add("2026-10", 6, employee_id="D1")
    for d in ("D2", "D3", "D4", "D5"):
        world.add("2026-09", 1, employee_id=d)
    world.add("2026-09", 9, employee_id="C1")
    con = built(world)
    f = funnel(con).set_index("subject_id")
    assert f.loc["D1", ["verdict", "reason"]].tolist() == [
        "no_verdict",
        "no activity data: not judged",
    ]
    assert f.loc["C1", ["verdict", "reason"]].tolist() == [
        "no_verdict",
        "0 peer(s), fewer than 5: not judged",
    ]
    assert flags(con).query("rule in ('outlier_rate', 'persistent', 'rising_trend')").empty


def test_high_volume_agent_with_the_peer_rate_is_not_an_outlier(built):
    # H1 handles 10x the interactions of each peer and draws 10x the findings: same rate.
    world = World()
    world.team("collections", ["H1"], WINDOW, 10_000)
    world.team("collections", ["A1", "A2", "A3", "A4", "A5"], WINDOW, 1000)
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
        world.team(["collections", "customer_service", "telesales"][i % 3], [e], WINDOW, exposure)
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
        n, share = row.group_findings, row.share
        shrunk = np.ceil(n * share + (row.observed - n * share) / np.sqrt(row.phi) - 1e-9)
        assert row.p_value == pytest.approx(
            stats.binom.sf(shrunk - 1, n, share), rel=1e-7, abs=1e-15
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
    # Rates vary between staff (gamma with variance 1): the between-people variance tau2 > 0,
    # each person's inflation 1 + E tau2 > 1, and limits wider than Poisson.
    con = built(simulated_world(seed=3, dispersion=1.0))
    judged = funnel(con).query("verdict != 'no_verdict' and subject_type == 'employee'")
    print(f"\ntau2 {judged.tau2.iloc[0]:.3f}, phi {judged.phi.min():.2f}-{judged.phi.max():.2f}")
    assert judged.tau2.iloc[0] > 0.1 and (judged.phi > 1).all() and judged.phi.max() > 1.5
    poisson = stats.poisson.ppf(0.998, judged.expected)
    assert (judged.limit_998 >= poisson).all() and (judged.limit_998 > poisson).any()


# ---------------------------------------------------------------------- the other rules


def test_serious_conduct_needs_a_substantiated_serious_complaint_in_the_month(built):
    world = World()
    world.team("collections", ["S1", "S2", "S3", "S4", "S5"], YEAR, 1000)
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
    # Window May-Oct 2026. P1: findings in May, Jul, Sep, Oct (4 months; a pending one in Jun
    # does not count) -> flagged. P2: findings in 2 months plus pending and not upheld in 3
    # others -> not flagged. P3: findings in Apr, Jun, Aug: April is outside the window -> not
    # flagged in October. Seven quiet peers keep the team's rate low: P2 and P3 have 4 findings
    # in the window over 54,000 interactions, so P1 (1,000 a month) expects 0.074 a month, has
    # a finding in a month with chance ~7%, and reaches 4 months by chance with p = 0.0044 (its
    # rate known from 4 findings only: 0.0005 at that rate taken as exact; 3 months would be
    # 0.023, too common among 10 people for a discovery): severity high.
    world = World()
    world.team("collections", ["P1", "P2", "P3"] + [f"Q{i}" for i in range(7)], YEAR, 1000)
    ids = [world.add(m, employee_id="P1")[0] for m in ("2026-05", "2026-07", "2026-09", "2026-10")]
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
    assert row.observed == 4 and list(row.complaint_ids) == ids and row.severity == "high"
    assert row.expected == pytest.approx(predictive_tail(4, [4 / 54] * 6, 4), rel=1e-8)
    assert "05/2026, 07/2026, 09/2026, 10/2026" in row.explanation_en
    assert "1 pending" in row.explanation_en and "1 chưa kết luận" in row.explanation_vi
    assert flag(flags(con, "2026-08"), "P3", "persistent") is not None  # Mar-Aug holds all 3
    assert "chance of findings in 4 or more months by chance is only" in row.explanation_en


def test_persistent_is_only_watch_when_the_workload_makes_it_common(built):
    # B1 handles 10,000 interactions a month; peers Q0-Q4 draw 2 findings a month from 5,000,
    # (two of them in turn),
    # i.e. 0.4 per 1,000, so B1 is expected 4 a month and has a finding in a month with chance
    # 1 - e^-4 = 98.2%: three months with findings are what its workload predicts (p = 1.000).
    # Issue 24: a watch needs p <= 0.05, so there is no flag at all (the old rule: watch).
    # B2, at 1,000 a month in a team of six whose peers have 1 finding a month between them
    # (monthly chance 1 - e^(-1000 * 1/5000) = 0.181), has findings in 3 of the 6 months:
    # at the peers' rate taken as exact p = P(Binomial(6, 0.181) >= 3) = 0.0772; the rate rests
    # on the peers' 6 findings of the window, so p is the tail averaged over the rate's error
    # (predictive_tail, an inverse gamma of shape 6 on the estimate): 0.1299 > 0.05, no flag
    # either; in 4 months (B3, same team shape): 0.0352 (0.0119 at the exact rate) <= 0.05, and
    # with 18 subjects tested not a discovery: watch.
    world = World()
    world.team("collections", ["B1"], YEAR, 10_000)
    world.team("collections", ["Q0", "Q1", "Q2", "Q3", "Q4"], YEAR, 1000)
    for month in ("2026-05", "2026-07", "2026-10"):
        world.add(month, employee_id="B1")
    for j, month in enumerate(YEAR):  # two of Q0-Q4 in turn: nobody stands out
        world.add(month, employee_id=f"Q{2 * j % 5}")
        world.add(month, employee_id=f"Q{(2 * j + 1) % 5}")
    for who, months in (("B2", YEAR[4:7]), ("B3", YEAR[4:8])):
        quiet = [f"{who}P{i}" for i in range(5)]
        world.team(who, [who, *quiet], YEAR, 1000)
        for j, month in enumerate(YEAR):
            world.add(month, employee_id=quiet[j % 5])
        for month in months:
            world.add(month, employee_id=who)
    con = built(world)
    assert flag(flags(con), "B1", "persistent") is None
    assert funnel(con).set_index("subject_id").loc["B1", "persistent_p_value"] == pytest.approx(
        1.0, abs=1e-3
    )
    q = 1 - math.exp(-0.2)
    assert persistent_tail(3, 6, q) == pytest.approx(0.0772, abs=1e-4)
    assert persistent_tail(4, 6, q) == pytest.approx(0.0119, abs=1e-4)
    assert funnel(con).set_index("subject_id").loc["B2", "persistent_p_value"] == pytest.approx(
        predictive_tail(3, [0.2] * 6, 6), rel=1e-8
    )
    assert flag(flags(con), "B2", "persistent") is None
    row = flag(flags(con), "B3", "persistent")
    # the build's grid integral of the heavy-tailed law agrees with scipy's quad to 1e-8
    assert row.expected == pytest.approx(predictive_tail(4, [0.2] * 6, 6), rel=1e-8)
    assert row.severity == "watch" and row.expected == pytest.approx(0.0352, abs=1e-4)
    assert "signal to watch, not an anomaly" in row.explanation_en
    assert "may indicate a persistent breach" in row.explanation_en
    assert "tín hiệu theo dõi" in row.explanation_vi
    assert "có thể cho thấy vi phạm thường xuyên" in row.explanation_vi


def test_rising_trend_against_own_history_at_the_peers_rates(built):
    # R1 and six peers, 1,000 interactions a month from 11/2025; the peers have one finding a
    # month between them (in turn), so their rate is 1 per 6,000 in every period. R1: one
    # finding in July, then 1 in August, 2 in September, 2 in October. Over the 12 months R1
    # has 6; at the peers' rates its last 3 months (3,000 interactions) would hold a share
    # 3,000 / (3,000 + 9,000) = 0.25 of them: p = P(Binomial(6, 0.25) >= 5) = 0.00464.
    # Of the 7 subjects tested, only R1 can reach a count of 3 in its last months, so
    # S = 0.00464 <= 20% x 1: watch. T1 has the same findings, but its team's rate trebled in
    # the last 3 months (3 a month between its six peers): share 4,500 / 9,000 = 0.5 and
    # p = P(Binomial(6, 0.5) >= 5) = 7/64 > 0.05: no flag (the team rose, not T1), although
    # with two subjects at or below 7/64 the 20% false-discovery bar alone would pass it.
    months = [f"2025-{m}" for m in (11, 12)] + YEAR
    world = World()
    world.team("customer_service", ["R1"] + [f"P{i}" for i in range(6)], months, 1000)
    world.team("telesales", ["T1"] + [f"Q{i}" for i in range(6)], months, 1000)
    for j, month in enumerate(months):
        world.add(month, employee_id=f"P{j % 6}")
        for k in range(3 if month >= "2026-08" else 1):
            world.add(month, employee_id=f"Q{(3 * j + k) % 6}")
    for subject in ("R1", "T1"):
        for month, n in (("2026-07", 1), ("2026-08", 1), ("2026-09", 2), ("2026-10", 2)):
            world.add(month, n, employee_id=subject)
    con = built(world)
    f = funnel(con).set_index("subject_id")
    p_r1 = binomial_tail(5, 6, 0.25)
    assert p_r1 == pytest.approx(0.00464, abs=1e-5)
    assert f.loc["R1", ["trend_recent", "trend_earlier"]].tolist() == [5, 1]
    assert f.loc["R1", "trend_share"] == pytest.approx(0.25)
    assert f.loc["R1", "trend_p_value"] == pytest.approx(p_r1, rel=1e-9)
    assert f.loc["T1", "trend_share"] == pytest.approx(0.5)
    assert f.loc["T1", "trend_p_value"] == pytest.approx(7 / 64, rel=1e-9)
    rising = flags(con).query("rule == 'rising_trend'")
    assert list(rising.subject_id) == ["R1"]
    row = rising.iloc[0]
    assert row.severity == "watch" and row.observed == 5 and row.expected == pytest.approx(1.5)
    assert "5 substantiated complaints decided in 08/2026–10/2026 against 1 in the 9 months" in (
        row.explanation_en
    )
    assert "may indicate a trend" in row.explanation_en
    assert "có thể cho thấy" in row.explanation_vi
    assert len(row.complaint_ids) == 5  # Aug-Oct findings
    # in August the last 3 months hold 2 findings, fewer than 3: no flag
    assert flag(flags(con, "2026-08"), "R1", "rising_trend") is None


def persistent_tail(k: int, months: int, chance: float) -> float:
    """P(at least k of `months` months with a finding), each month with the same chance."""
    return sum(
        math.comb(months, j) * chance**j * (1 - chance) ** (months - j)
        for j in range(k, months + 1)
    )


def test_persistent_high_only_when_it_survives_the_false_discovery_control(built):
    # 24 staff, 1,000 interactions a month each (window May-Oct: 6 months). Every month two
    # quiet peers have a finding (Q00-Q11, one month each; Q12-Q21 none). W1 has findings in
    # Jun, Aug, Oct; S1 in all six months. The peers' rate is their findings over the window
    # on their 23 x 6,000 interactions, so the expected count in a month is
    # 1,000 x (others' findings in the window) / 138,000:
    # W1: others have 2 + 1 (S1) = 3 every month, 18 in all -> E = 0.13043, a monthly chance of
    #     1 - e^-E = 0.12229, so at that rate taken as exact P(Binomial(6, 0.12229) >= 3) =
    #     0.0275: under the old 5% bar, so it was high. The rate rests on the others' 18
    #     findings, so p averages the tail over the rate's error (predictive_tail, an inverse
    #     gamma of shape 18 on the estimate): 0.0348, still at most 0.05.
    # S1: others have 15 -> E = 0.10870, chance 0.10300, 0.10300^6 = 1.19e-6 at the exact rate;
    #     over the others' 15 findings 4.88e-6.
    # At W1's p, the 24 subjects with no real difference would reach it S = sum_i F_i(p) times,
    # F_i being subject i's largest P(at least k months) <= p with k >= 3: W1's own p, plus
    # P(>= 4 months) for the others (P(>= 3) is above it for most): 0.196 in all, above the
    # 5% x 2 flags allowed: W1 is watch. At S1's p, S is the sum of the P(6 months) at or below
    # it: high.
    world = World()
    quiet = [f"Q{i:02d}" for i in range(22)]
    staff = ["W1", "S1", *quiet]
    world.team("collections", staff, YEAR, 1000)
    window = YEAR[4:]
    findings: dict[str, set[str]] = {e: set() for e in staff}
    for i, month in enumerate(window):
        for e in (quiet[2 * i], quiet[2 * i + 1], "S1"):
            findings[e].add(month)
    findings["W1"] = {"2026-06", "2026-08", "2026-10"}
    for e, months in findings.items():
        for month in months:
            world.add(month, employee_id=e)
    con = built(world)

    def others(subject: str) -> int:
        return sum(m in findings[e] for e in staff if e != subject for m in window)

    def expected(subject: str) -> float:
        return 1000 * others(subject) / 138_000

    def tail(k: int, subject: str) -> float:
        return predictive_tail(k, [expected(subject)] * 6, others(subject))

    assert (others("W1"), others("S1")) == (18, 15)
    chance_w1, chance_s1 = 1 - math.exp(-expected("W1")), 1 - math.exp(-expected("S1"))
    assert (chance_w1, chance_s1) == (
        pytest.approx(0.12229, abs=1e-5),
        pytest.approx(0.10300, abs=1e-5),
    )
    exact_w1 = persistent_tail(3, 6, chance_w1)
    assert exact_w1 == pytest.approx(0.0275, abs=1e-4)  # the old rule: high
    assert exact_w1 == pytest.approx(stats.binom.sf(2, 6, chance_w1), rel=1e-9)
    assert persistent_tail(6, 6, chance_s1) == pytest.approx(1.19e-6, rel=1e-2)
    p_w1, p_s1 = tail(3, "W1"), tail(6, "S1")
    assert p_w1 == pytest.approx(0.0348, abs=1e-4) and p_w1 < 0.05
    assert p_s1 == pytest.approx(4.88e-6, rel=1e-3)

    def s(t: float) -> float:
        tails = {e: [tail(k, e) for k in range(3, 7)] for e in staff}
        return sum(max([p for p in tails[e] if p <= t], default=0.0) for e in staff)

    assert s(p_w1) > 0.05 * 2 and s(p_w1) == pytest.approx(0.1959, abs=0.001)
    assert s(p_s1) <= 0.05
    f = funnel(con).set_index("subject_id")
    assert f.loc["W1", "persistent_month_chance"] == pytest.approx(chance_w1, rel=1e-9)
    assert f.loc["W1", "persistent_p_value"] == pytest.approx(p_w1, rel=1e-9)
    assert f.loc["S1", "persistent_p_value"] == pytest.approx(p_s1, rel=1e-9)
    assert f.loc["W1", "persistent_family"] == 24
    assert not f.loc["W1", "persistent_discovered"] and f.loc["S1", "persistent_discovered"]
    assert f.loc["W1", "persistent_threshold"] < p_w1
    october = flags(con)
    w1, s1 = flag(october, "W1", "persistent"), flag(october, "S1", "persistent")
    assert (w1.severity, s1.severity) == ("watch", "high")
    assert w1.expected == pytest.approx(p_w1) and s1.observed == 6
    assert (
        "3.5% of people this busy have findings in 3 or more months by chance (about 1 in 29)"
        in (w1.explanation_en)
    )
    assert "24 subjects tested this month that can be chance alone" in w1.explanation_en
    assert "3,5% số người bận rộn như vậy có khiếu nại có cơ sở trong từ 3 tháng" in (
        w1.explanation_vi
    )
    assert "khoảng 1 trên 29 người" in w1.explanation_vi
    assert "findings in 6 or more months by chance is only 0.00049%" in s1.explanation_en
    assert "stays significant at a 5% false-discovery rate" in s1.explanation_en
    assert "tỷ lệ phát hiện sai 5%" in s1.explanation_vi
    chance_row = (
        con.execute("SELECT * FROM marts.flag_chance WHERE review_month = '2026-10-01'")
        .df()
        .iloc[0]
    )
    assert chance_row.persistent_tested == 24 and chance_row.persistent_high_flags == 1


def episode_world() -> tuple[World, list[str]]:
    """25 staff, 1,000 interactions a month (01-10/2026). Two of the 24 quiet peers have a
    finding each month (each peer at most one in all); P1 has findings in 03-06/2026."""
    world = World()
    quiet = [f"Q{i:02d}" for i in range(24)]
    world.team("collections", ["P1", *quiet], YEAR, 1000)
    for i, month in enumerate(YEAR):
        for e in (quiet[2 * i], quiet[(2 * i + 1) % 24]):
            world.add(month, employee_id=e)
    for month in YEAR[2:6]:
        world.add(month, employee_id="P1")
    return world, quiet


def test_persistent_streak_is_one_new_flag_then_continuing(built):
    # P1's findings in 03-06 give 3 or 4 months with a finding in every window from 05 to 09,
    # against a monthly chance of 1 - e^(-2/24) = 0.08 (p of 4 of 6 ~ 7e-4): a streak that is
    # high in several consecutive review months. It is one flag: the first month new, the others
    # continuing since that month.
    world, _ = episode_world()
    con = built(world)
    rows = con.execute(
        "SELECT strftime(review_month, '%Y-%m') AS month, severity, episode, continuing_since, "
        "explanation_en, explanation_vi FROM marts.pattern_flags "
        "WHERE subject_id = 'P1' AND rule = 'persistent' ORDER BY review_month"
    ).df()
    high = rows[rows.severity == "high"]
    months = [dt.date.fromisoformat(f"{m}-01") for m in high.month]
    assert len(months) >= 3 and months[0] >= dt.date(2026, 3, 1)
    assert all(
        (b.year - a.year) * 12 + b.month - a.month == 1
        for a, b in zip(months[:-1], months[1:], strict=True)
    )
    first = months[0].strftime("%m/%Y")
    assert list(high.episode) == ["new"] + ["continuing"] * (len(months) - 1)
    assert pd.isna(high.continuing_since.iloc[0])
    assert [d.strftime("%m/%Y") for d in high.continuing_since.iloc[1:]] == [first] * (
        len(months) - 1
    )
    assert f"Continuing since {first}" in high.explanation_en.iloc[-1]
    assert f"Tiếp diễn từ {first}" in high.explanation_vi.iloc[-1]
    assert "Continuing since" not in high.explanation_en.iloc[0]
    chance = con.execute(
        "SELECT persistent_high_flags, persistent_new_flags, persistent_continuing_flags "
        "FROM marts.flag_chance WHERE review_month BETWEEN ? AND ? ORDER BY review_month",
        [months[0], months[-1]],
    ).fetchall()
    assert chance == [(1, 1, 0)] + [(1, 0, 1)] * (len(months) - 1)


def joint_flag_chance(
    expected: list[float], k_before: int, k_now: int, peer_findings: int
) -> float:
    """P(at least k_before months with a finding in the first 6 of 7 months and at least k_now
    in the last 6), each month independent given m with chance 1 - e^(-E m), m the rate over its
    estimate from the peers' findings (no variation between people: scipy's inverse gamma of
    shape and scale peer_findings, as in predictive_tail): all 2^7 month patterns enumerated,
    integrated with scipy's quad."""
    patterns = np.array(np.meshgrid(*[[0, 1]] * 7, indexing="ij")).reshape(7, -1).T
    both = patterns[
        (patterns[:, :6].sum(axis=1) >= k_before) & (patterns[:, 1:].sum(axis=1) >= k_now)
    ]
    law = stats.invgamma(peer_findings, scale=peer_findings)

    def integrand(m: float) -> float:
        q = 1 - np.exp(-np.array(expected) * m)
        return float(law.pdf(m) * np.prod(np.where(both == 1, q, 1 - q), axis=1).sum())

    return integrate.quad(integrand, 0, math.inf, limit=200, epsabs=1e-15, epsrel=1e-10)[0]


def test_chance_of_a_new_persistent_flag_is_exact(built):
    # P1 in review month 07/2026 (window 02-07) after 06/2026 (window 01-06): the others have 2
    # findings in 24,000 interactions every month, so each of the 7 months has E = 1,000 x 2 /
    # 24,000 for P1; the rate's error is that of the others' 12 findings of 07's window
    # (tau2 = 0: fewer than 30 staff). The months needed in each window are the smallest whose
    # predictive p-value is at or below that month's threshold.
    world, _ = episode_world()
    con = built(world)
    f = (
        con.execute(
            "SELECT strftime(review_month, '%Y-%m') AS month, persistent_threshold, "
            "chance_persistent, chance_persistent_both, chance_persistent_new FROM marts.funnel "
            "WHERE subject_id = 'P1' ORDER BY review_month"
        )
        .df()
        .set_index("month")
    )
    expected = [1000 * 2 / 24_000] * 7

    def needed(month: str) -> int:
        threshold = f.loc[month, "persistent_threshold"]
        tails = {k: predictive_tail(k, expected[:6], 12) for k in range(3, 7)}
        return min(k for k, p in tails.items() if p <= threshold * (1 + 1e-9))

    k_before, k_now = needed("2026-06"), needed("2026-07")
    assert (k_before, k_now) == (4, 4)
    joint = joint_flag_chance(expected, k_before, k_now, 12)
    alone = predictive_tail(k_now, expected[1:], 12)
    assert f.loc["2026-07", "chance_persistent"] == pytest.approx(alone, rel=1e-6)
    assert f.loc["2026-07", "chance_persistent_both"] == pytest.approx(joint, rel=1e-3)
    assert f.loc["2026-07", "chance_persistent_new"] == pytest.approx(alone - joint, rel=1e-3)
    # a sizeable part of the chance of a flag at 07 is the chance of one continuing 06's
    assert 0.2 * alone < joint < alone


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
    # P1 in a team of seven with activity all year, whose peers had 3 findings in its window
    world.team("special", ["P1"] + [f"Y{i}" for i in range(6)], YEAR, 1000)
    for i, m in enumerate(("2026-05", "2026-08", "2026-10")):
        world.add(m, employee_id=f"Y{i}")
    for m in ("2026-05", "2026-07", "2026-10"):
        world.add(m, 2, employee_id="P1", subcategory="threat")
    con = built(world)
    all_flags = con.execute("SELECT * FROM marts.pattern_flags").df()
    assert {"persistent", "serious_conduct", "outlier_rate"} <= set(all_flags.rule)
    complaints = con.execute("""SELECT c.complaint_id, c.employee_id, c.partner_id, c.handler_id,
        c.outcome, c.received_at::DATE AS day, s.sla_status,
        (SELECT any_value(n.decided_at::DATE) FROM marts.complaint_subjects AS n
         WHERE n.complaint_id = c.complaint_id) AS decided
        FROM core.complaints c JOIN marts.complaint_sla s USING (complaint_id)""").df()
    complaints = complaints.set_index("complaint_id")
    for row in all_flags.itertuples():
        assert len(row.complaint_ids) > 0
        evidence = complaints.loc[list(row.complaint_ids)]  # KeyError if an id does not exist
        # deadlines by the month received; findings by the month decided
        day = evidence.day if row.rule == "handler_sla" else evidence.decided
        assert (day >= row.period_start).all() and (day <= row.period_end).all()
        if row.rule == "handler_sla":
            assert (evidence.handler_id == row.subject_id).all()
            assert evidence.sla_status.isin(["breached", "open_overdue"]).all()
            continue
        column = "employee_id" if row.subject_type == "employee" else "partner_id"
        assert (evidence[column] == row.subject_id).all()
        assert evidence.outcome.isin(["upheld", "partially_upheld"]).all()


def test_drawing_limits_agree_with_the_marts(built):
    from reports.funnel import poisson_upper_limit

    con = built(simulated_world(seed=5, n=90))
    judged = funnel(con).query("verdict != 'no_verdict' and subject_type == 'employee'")
    drawn = poisson_upper_limit(judged.expected.to_numpy(), 0.998, judged.phi.iloc[0])
    assert drawn == pytest.approx(judged.limit_998.to_numpy())


# ------------------------------------------------------ simulation at realistic rates (issue 13)

MONTHS_24 = [f"{2024 + (m + 10) // 12}-{(m + 10) % 12 + 1:02d}" for m in range(24)]  # 11/24-10/26
TEAM_RATES = {"t05a": 0.05, "t05b": 0.05, "t10a": 0.10, "t10b": 0.10, "t20a": 0.20, "t20b": 0.20}


def realistic_world(
    seed: int, staff: int = 300, episodes: dict | None = None, span: int = 3
) -> World:
    """`staff` people in six teams with 0.05-0.2 substantiated findings per 1,000 interactions,
    800-1,500 interactions a month each, 24 months. `episodes` maps (employee index, index of
    the last month) -> the findings that employee is expected to have over that `span`-month
    window (a planted outlier: its normal rate topped up to that expected count)."""
    rng = np.random.default_rng(seed)
    world = World()
    teams = list(TEAM_RATES)
    exposure = rng.integers(800, 1500, staff)
    rate = np.array([TEAM_RATES[teams[i % len(teams)]] / 1000 for i in range(staff)])
    extra = np.zeros((staff, len(MONTHS_24)))
    for (person, last), expected in (episodes or {}).items():
        extra[person, last - span + 1 : last + 1] += (
            expected / span - rate[person] * exposure[person]
        )
    counts = rng.poisson(rate[:, None] * exposure[:, None] + extra)
    for i in range(staff):
        e = f"E{i:04d}"
        world.team(teams[i % len(teams)], [e], MONTHS_24, int(exposure[i]))
        for month, count in zip(MONTHS_24, counts[i], strict=True):
            if count:
                world.add(month, int(count), day=5, employee_id=e)
    return world


def one_episode_at_a_time(expected: list[float]) -> dict:
    """In each team, planted outliers one after another (never two at once, so one does not
    raise its team's rate for another), on windows ending in months 3, 6, ..., 24; their
    expected counts cycle through `expected`."""
    episodes, n = {}, 0
    for t in range(len(TEAM_RATES)):
        for j, last in enumerate(range(2, 24, 3)):
            episodes[(t + len(TEAM_RATES) * j, last)] = expected[n % len(expected)]
            n += 1
    return episodes


def planted_found(con: duckdb.DuckDBPyConnection, episodes: dict) -> pd.DataFrame:
    f = funnel_all(con).set_index(["subject_id", "review_month"])
    rows = []
    for (person, last), expected in episodes.items():
        r = f.loc[(f"E{person:04d}", pd.Timestamp(f"{MONTHS_24[last]}-01"))]
        rows.append((expected, r.expected, r.verdict == "outlier"))
    return pd.DataFrame(rows, columns=["planted", "peer_expected", "found"])


def funnel_all(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT * FROM marts.funnel WHERE subject_type = 'employee'").df()


def test_background_flags_and_the_chance_alone_figure(built):
    # 300 staff, 24 months, nobody different from their team: every flag is a false one.
    con = built(realistic_world(seed=1))
    f = funnel_all(con)
    tested = f[f.p_value.notna()]
    # the only subject-months not judged: the register's first dispersion_min_months - 1 (2)
    # review months, where how much people differ is not known yet (seventh round: 22 months
    # judged, not 24), and a low-rate team's first months, whose peers had fewer than 3
    # findings in the window (issue 24: a verdict needs a basis)
    young = f.review_month < f.review_month.min() + pd.DateOffset(months=EARLY_MONTHS)
    assert len(tested) >= 0.97 * 300 * (24 - EARLY_MONTHS)
    assert f[young].reason.str.contains("month\\(s\\) of history").all()
    assert f[~young & f.p_value.isna()].reason.str.contains("finding\\(s\\) of the peers").all()
    medium_share = (tested.verdict == "outlier").mean()
    assert medium_share <= 0.01
    chance = con.execute("SELECT * FROM marts.flag_chance ORDER BY review_month").df()
    assert len(chance) == 24
    medium_in = chance.medium_flags.between(chance.medium_low, chance.medium_high)
    watch_in = chance.watch_or_above_flags.between(chance.watch_low, chance.watch_high)
    # each month's count falls in its own 95% interval (allow 2 of 24 months outside)
    assert medium_in.sum() >= 22 and watch_in.sum() >= 22
    # and over the two years the realised flags agree with what chance alone predicted
    for realised, predicted in (
        ("medium_flags", "expected_medium"),
        ("watch_or_above_flags", "expected_watch_or_above"),
    ):
        total = chance[predicted].sum()
        assert (
            stats.poisson.ppf(0.001, total)
            <= chance[realised].sum()
            <= stats.poisson.ppf(0.999, total)
        ), (realised, chance[realised].sum(), total)
    print(
        f"\nbackground: medium {medium_share:.4%} of {len(tested)} subject-months; "
        f"watch or above {(tested.verdict != 'within').mean():.2%}; medium flags "
        f"{chance.medium_flags.sum()} vs {chance.expected_medium.sum():.2f} by chance"
    )


def planted_in_fresh_home(path: Path, seed: int, episodes: dict) -> pd.DataFrame:
    """Build one simulated register in its own warehouse; the planted outliers found."""
    from base.settings import Settings

    settings = Settings(home=path, pseudonym_key="test-key-not-secret")
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        store(con, realistic_world(seed=seed, episodes=episodes))
        build(con, settings, "2026-10-31")
        return planted_found(con, episodes)


def test_power_where_eight_findings_are_expected(tmp_path):
    # Four registers of 300 staff with 48 planted outliers each, every one expecting 8
    # findings over its window; where the peers' rate predicts under 0.5 for the same activity,
    # at least 85% of them are flagged medium (pooled, about 130 of them).
    episodes = one_episode_at_a_time([8.0])
    found = pd.concat(
        [planted_in_fresh_home(tmp_path / f"w{seed}", seed, episodes) for seed in (2, 5, 6, 7)]
    )
    low = found[found.peer_expected < 0.5]
    assert len(low) >= 120
    # 94% before the between-people variance entered the test (issue 24): 89% since, as the
    # planted outliers themselves raise tau2 a little (84% with the one-period moment estimate
    # of tau2, which the split-half estimate replaced; docs/statistics.md, "How the rate rules
    # stay fair")
    assert low.found.mean() >= 0.85, low.found.mean()
    print(
        f"\npower at 8 expected (peer expected < 0.5): {low.found.mean():.1%} of {len(low)}; "
        f"all: {found.found.mean():.1%} of {len(found)}"
    )


def test_power_curve_rises_with_the_expected_count(built):
    episodes = one_episode_at_a_time([2.0, 4.0, 6.0, 12.0])
    found = planted_found(built(realistic_world(seed=3, episodes=episodes)), episodes)
    curve = found.groupby("planted").found.mean()
    print("\npower curve (share found by planted expected count):", curve.round(2).to_dict())
    assert curve.is_monotonic_increasing
    assert curve[2.0] <= 0.35 and curve[12.0] >= 0.95


def persistent_episodes(levels: list[float]) -> dict:
    """In each team, planted persistent offenders one after another (never two at once) on the
    6-month windows ending in months 6, 12, 18 and 24, each expecting `level` findings a month
    in its window (`levels` cycled): a map for realistic_world(..., span=6)."""
    episodes, n = {}, 0
    for t in range(len(TEAM_RATES)):
        for j, last in enumerate(range(5, 24, 6)):
            episodes[(t + len(TEAM_RATES) * j, last)] = 6 * levels[n % len(levels)]
            n += 1
    return episodes


def persistent_in_fresh_home(path: Path, seed: int, episodes: dict | None = None) -> tuple:
    """Build one simulated register in its own warehouse: every subject-month's persistent
    statistics, its persistent flags and its chance-alone figures."""
    from base.settings import Settings

    settings = Settings(home=path, pseudonym_key="test-key-not-secret")
    with connect(settings.warehouse_path) as con:
        ensure_schema(con)
        store(con, realistic_world(seed=seed, episodes=episodes, span=6))
        build(con, settings, "2026-10-31")
        tested = con.execute("SELECT * FROM marts.funnel WHERE persistent_p_value IS NOT NULL").df()
        raised = con.execute("SELECT * FROM marts.pattern_flags WHERE rule = 'persistent'").df()
        chance = con.execute("SELECT * FROM marts.flag_chance ORDER BY review_month").df()
    return tested, raised, chance


def test_persistent_high_background_and_power(tmp_path):
    # Background: two registers of 300 staff over 24 months, nobody different from their team,
    # so every high persistent flag is a false one. The old rule (high when someone this busy
    # reaches 3 months by chance under 5% of the time) gave high on 0.8-0.9% of subject-months
    # of these registers. Held at a 5% false-discovery rate over the ~300 tested each month, a
    # month with no real offender has a false high with chance about 5% at most: about 0.05 / 300
    # = 0.02% of subject-months. The bound, 0.1%, leaves room for the peer rate being estimated.
    subject_months, high = 0, 0
    realised, predicted = 0, 0.0
    for seed in (1, 4):
        tested, raised, chance = persistent_in_fresh_home(tmp_path / f"b{seed}", seed)
        # all but the register's first 2 months (how much people differ not known yet) and a
        # low-rate team's first months (fewer than 3 peer findings: no verdict)
        assert len(tested) >= 0.97 * 300 * (24 - EARLY_MONTHS)
        assert (
            tested.persistent_family == tested.groupby("review_month").subject_id.transform("count")
        ).all()
        subject_months += len(tested)
        high += (raised.severity == "high").sum()
        realised += chance.persistent_high_flags.sum()
        predicted += chance.expected_persistent_high.sum()
        inside = chance.persistent_high_flags.between(chance.persistent_low, chance.persistent_high)
        assert inside.sum() >= 22
    assert high / subject_months <= 0.001, high
    # the chance-alone figure agrees with the flags raised over the four years of registers
    assert realised <= stats.poisson.ppf(0.999, predicted), (realised, predicted)
    # Power: four registers with 24 planted offenders each, expecting 0.5, 1 or 2 findings a
    # month over their 6-month window (their team's rate predicts 0.04-0.3).
    episodes = persistent_episodes([0.5, 1.0, 2.0])
    rows = []
    for seed in (2, 5, 6, 7):
        tested, _, _ = persistent_in_fresh_home(tmp_path / f"p{seed}", seed, episodes)
        f = tested.set_index(["subject_id", "review_month"])
        for (person, last), expected in episodes.items():
            r = f.loc[(f"E{person:04d}", pd.Timestamp(f"{MONTHS_24[last]}-01"))]
            reached = r.persistent_months >= 3
            rows.append(
                (
                    expected / 6,
                    reached and r.persistent_p_value < 0.05,
                    reached and r.persistent_discovered,
                )
            )
    power = pd.DataFrame(rows, columns=["level", "old", "new"]).groupby("level").mean()
    print(
        f"\npersistent background: high {high / subject_months:.3%} of {subject_months} "
        f"subject-months ({high} flags; chance alone predicted {predicted:.2f}); power by "
        f"findings expected a month (old rule -> now, 32 planted each): "
        + ", ".join(f"{lv:g}: {r.old:.0%} -> {r.new:.0%}" for lv, r in power.iterrows())
    )
    # 81% at 2 a month before the between-people variance entered the test (issue 24), 59%
    # with the DerSimonian-Laird tau2 and a lognormal mixture, 75% with the Poisson-gamma model:
    # the planted offenders raise tau2 and every p with it (docs/statistics.md)
    assert power.new.is_monotonic_increasing and power.new[2.0] >= 0.5


# ---------------------------------------------------------------- issue 13: the other bullets

EXPORT_MAY, EXPORT_JUNE = "2026-05-31 18:00", "2026-06-30 18:00"


def test_handler_sla_judged_against_the_policy_when_peers_are_perfect(built):
    # H1 missed the 7-working-day limit on 33 of 68 complaints; 40 other handlers missed none
    # of their 10 each. The old rule gave no verdict ("peers all met the deadline"). Now H1 is
    # compared with the larger of the peers' 0% and the 5% the 95% goal tolerates: expected
    # 68 * 0.05 = 3.4, and 33 is far above the 99.8% binomial limit for 68 at 5%.
    world = World()
    others = [f"H{i:02d}" for i in range(2, 42)]
    world.staff += [(h, "complaints") for h in ["H1", *others]]
    for h, total, late in [("H1", 68, 33)] + [(h, 10, 0) for h in others]:
        for i in range(total):
            received = dt.datetime(2026, 10, 1 + i % 20, 9)
            lag = dt.timedelta(days=20 if i < late else 1)
            world.add(
                "2026-10",
                day=received.day,
                handler_id=h,
                category="service",
                outcome="not_upheld",
                first_response_at=received + lag,
            )
    con = built(world, as_of="2026-11-30")
    row = funnel(con).query("subject_type == 'handler'").set_index("subject_id").loc["H1"]
    assert row.peer_rate == 0 and row.tolerated_rate == pytest.approx(0.05)
    assert row.expected == pytest.approx(3.4) and row.verdict == "outlier"
    assert row.limit_998 == stats.binom.ppf(0.998, 68, 0.05)
    sla = flag(flags(con), "H1", "handler_sla")
    assert sla is not None and "33 of 68" in sla.explanation_en
    assert "the 5.0% the policy tolerates" in sla.explanation_en
    assert flags(con).query("rule == 'handler_sla'").subject_id.tolist() == ["H1"]


def test_a_finding_counts_in_the_month_it_was_decided(built):
    # S1: a threat received 29/05/2026, pending in the May export, upheld on 10/06 (first shown
    # upheld by the June export). The old rule flagged it under May, whose report was out
    # before the decision; now it is June's serious_conduct. S2: upheld in March, and already
    # upheld in the first export loaded (history): it counts in March, by its resolved_at.
    world = World()
    world.team("collections", ["S1", "S2", "S3"], YEAR, 1000)
    threat = world.add(
        "2026-05",
        day=29,
        employee_id="S1",
        subcategory="threat",
        resolved_at=dt.datetime(2026, 6, 10, 15),
        _first=EXPORT_JUNE,
    )[0]
    world.earlier(threat, EXPORT_MAY, EXPORT_MAY, outcome="pending", resolved_at=None)
    early = world.add(
        "2026-02",
        day=3,
        employee_id="S2",
        subcategory="abuse",
        resolved_at=dt.datetime(2026, 3, 5, 10),
        _first=EXPORT_MAY,
    )[0]
    con = built(world)
    decided = con.execute(
        "SELECT complaint_id, decision_month FROM marts.complaint_subjects"
    ).fetchall()
    assert dict(decided) == {threat: dt.date(2026, 6, 1), early: dt.date(2026, 3, 1)}
    assert flag(flags(con, "2026-05"), "S1", "serious_conduct") is None
    june = flag(flags(con, "2026-06"), "S1", "serious_conduct")
    assert june.severity == "high" and list(june.complaint_ids) == [threat]
    assert "received in May 2026, decided in June 2026" in june.explanation_en
    # one finding in the singular, in English ('1 substantiated complaint of abuse')
    assert june.explanation_en.startswith("1 substantiated complaint of ")
    assert "tiếp nhận tháng 5/2026, kết luận tháng 6/2026" in june.explanation_vi
    assert flag(flags(con, "2026-03"), "S2", "serious_conduct") is not None
    monthly = con.execute(
        "SELECT month, substantiated, complaints FROM marts.employee_monthly "
        "WHERE employee_id = 'S1' AND month IN ('2026-05-01', '2026-06-01') "
        "ORDER BY month"
    ).fetchall()
    assert monthly == [(dt.date(2026, 5, 1), 0, 1), (dt.date(2026, 6, 1), 1, 0)]


def test_appeals_under_review_and_overturned(built):
    # All exports: 30/09 (earlier contents) and 31/10 (current).
    # U1: threat upheld, review requested, not decided -> shown, counts, but not high.
    # O1: threat upheld, review_outcome 'changed' and the register still says upheld: the new
    #     outcome was not recorded, so the finding cannot stand -> removed from every count.
    # O2: upheld on 30/09, 'changed' and not upheld on 31/10 -> removed (overturned).
    # C1: partially upheld on 30/09 (review pending), 'changed' to upheld on 31/10 -> counts.
    # K1: abuse upheld, review 'unchanged' -> counts.
    world = World()
    world.team("collections", ["U1", "O1", "O2", "C1", "K1"], YEAR, 1000)
    sep, octo = "2026-09-30 18:00", "2026-10-31 18:00"
    review: dict[str, Any] = {"review_requested_at": dt.datetime(2026, 10, 20, 9)}
    u1 = world.add(
        "2026-10",
        employee_id="U1",
        subcategory="threat",
        _first=octo,
        review_outcome="pending",
        **review,
    )[0]
    o1 = world.add(
        "2026-10",
        employee_id="O1",
        subcategory="threat",
        _first=octo,
        review_outcome="changed",
        **review,
    )[0]
    o2 = world.add(
        "2026-09",
        employee_id="O2",
        subcategory="threat",
        outcome="not_upheld",
        review_outcome="changed",
        review_requested_at=dt.datetime(2026, 10, 2, 9),
        _first=octo,
    )[0]
    world.earlier(o2, sep, sep, outcome="upheld", review_outcome=None, review_requested_at=None)
    c1 = world.add(
        "2026-09",
        employee_id="C1",
        subcategory="threat",
        outcome="upheld",
        review_outcome="changed",
        review_requested_at=dt.datetime(2026, 9, 20, 9),
        _first=octo,
    )[0]
    world.earlier(c1, sep, sep, outcome="partially_upheld", review_outcome="pending")
    k1 = world.add(
        "2026-10",
        employee_id="K1",
        subcategory="abuse",
        _first=octo,
        review_outcome="unchanged",
        **review,
    )[0]
    con = built(world)
    subjects = dict(
        con.execute("SELECT complaint_id, appeal FROM marts.complaint_subjects").fetchall()
    )
    assert subjects == {
        u1: "under_review",
        o1: "overturned",
        o2: "overturned",
        c1: "changed_on_review",
        k1: "upheld_on_review",
    }
    counted = dict(
        con.execute("SELECT complaint_id, substantiated FROM marts.complaint_subjects").fetchall()
    )
    assert counted == {u1: True, o1: False, o2: False, c1: True, k1: True}
    serious = {r.subject_id: r for r in flags(con).query("rule == 'serious_conduct'").itertuples()}
    assert set(serious) == {"U1", "K1"}  # C1's finding was decided in September
    assert serious["U1"].severity == "medium" and serious["K1"].severity == "high"
    assert " 1 finding under review (clause 4.3)" in serious["U1"].explanation_en
    assert "đang được xem xét lại (Điều 4.3)" in serious["U1"].explanation_vi
    assert flag(flags(con, "2026-09"), "C1", "serious_conduct").severity == "high"
    overturned = con.execute(
        "SELECT sum(overturned), sum(substantiated) FROM "
        "marts.employee_monthly WHERE employee_id IN ('O1', 'O2')"
    ).fetchall()[0]
    assert overturned == (2, 0)


def test_only_conduct_complaints_feed_the_conduct_flags(built):
    # K1: an upheld *service* complaint that names K1 (even with a threat subcategory) is shown
    # beside the findings, not counted. K2: staff conduct, counted. Partners: P1 is named on an
    # upheld staff-conduct complaint (not its conduct), P2 on an upheld partner-conduct one.
    world = World()
    world.team("collections", ["K1", "K2"], YEAR, 1000)
    world.partners += [("P1", "debt_collection"), ("P2", "debt_collection")]
    world.add("2026-10", employee_id="K1", category="service", subcategory="threat")
    world.add("2026-10", employee_id="K2", subcategory="threat")
    world.add("2026-10", partner_id="P1", subcategory="threat")
    world.add("2026-10", partner_id="P2", category="partner_conduct", subcategory="threat")
    con = built(world)
    serious = flags(con).query("rule == 'serious_conduct'")
    assert sorted(serious.subject_id) == ["K2", "P2"]
    rows = con.execute("""SELECT subject_id, substantiated, other_findings, complaints
        FROM marts.subject_monthly WHERE month = '2026-10-01' ORDER BY subject_id""").fetchall()
    assert rows == [("K1", 0, 1, 1), ("K2", 1, 0, 1), ("P1", 0, 1, 1), ("P2", 1, 0, 1)]


def test_missing_activity_is_reported_and_not_judged(built):
    # The collections team has activity for January-September only: October's export is late.
    # M1 has findings in May, July and October (persistent): without October's activity there
    # is no rate to compare with, so no persistent verdict (the old rule: medium, never high;
    # issue 24: missing exposure never raises severity), and the coverage says so.
    world = World()
    world.team("collections", ["M1"] + [f"Q{i}" for i in range(9)], YEAR[:-1], 1000)
    for month in ("2026-05", "2026-07", "2026-10"):
        world.add(month, employee_id="M1")
    con = built(world)
    assert flag(flags(con), "M1", "persistent") is None
    assert funnel(con).set_index("subject_id").loc["M1", "persistent_reason"] == (
        "activity missing for 10/2026: not judged"
    )
    coverage = con.execute(
        "SELECT status, with_activity, missing_activity, missing_months "
        "FROM marts.activity_coverage WHERE review_month = '2026-10-01' "
        "AND subject_type = 'employee'"
    ).fetchall()
    assert coverage == [("missing", 10, 10, ["10/2026"])]
    assert funnel(con).set_index("subject_id").loc["M1", "activity_gap"]
    september = con.execute(
        "SELECT status FROM marts.activity_coverage WHERE review_month = "
        "'2026-09-01' AND subject_type = 'employee'"
    ).fetchall()
    assert september == [("complete",)]
