-- The statistics behind outlier_rate and handler_sla (clauses 3.5, 4.5, 5.1, 6.2), one row per
-- subject and review month, flagged or not (the quality report's funnel plots).
--
-- Staff and partners: substantiated conduct findings decided in the outlier window against the
-- count expected from their exposure at their peers' pooled rate (same team / partner_type, the
-- subject itself left out); without the activity of the subject or its peers there is no verdict
-- (reason). The test is the exact one-sided test for a Poisson
-- rate against its peers', valid at any expected count: given the group's total of findings n,
-- the subject's count is Binomial(n, its share of the group's activity) when all have the same
-- rate, and p = P(X >= observed). Conditioning on n makes it exact although the peer rate is
-- itself estimated from few findings (a plug-in Poisson p-value is not: with a peer rate read
-- from 8 findings it flags several times more often than it claims). A subject with fewer than
-- min_observed findings is never flagged (p is taken as 1): that is what keeps 1 finding against
-- 0.05 expected from being a flag.
-- Over-dispersion: when staff (or partners) vary more than Poisson allows for reasons that are
-- not misconduct, the tests are those of a Poisson-gamma model with the between-people variance
-- tau2 estimated below (beta-binomial for the outlier test, a gamma mixture for persistent).
-- Multiplicity: the false-discovery rate over every staff member and partner tested in the
-- review month is held at outlier_fdr (medium) by the discrete Benjamini-Hochberg procedure
-- below; watch is p <= 1 - outlier_watch_limit for one subject. chance_medium / chance_watch:
-- the probability that a subject with no real difference would reach the threshold that flags
-- it (the largest attainable p-value at or below it: the month's threshold, or for a subject
-- not flagged the one a flag more would set); their sums are the flags chance alone would
-- give (marts.flag_chance). limit_95 / limit_998 are the exact Poisson funnel limits drawn.
--
-- persistent_* (clause 7.1, pattern_flags' persistent): months of the persistent window with a
-- finding, against how often someone this busy has a finding in a month at the peers' rate
-- over the window (the subject left out); p = P(at least that many months) under the binomial
-- over the window's months, averaged over the law of the subject's rate over that estimate:
-- the between-people gamma divided by the estimate's own error (a predictive p-value: the rate
-- rests on the peers' findings in the window). The same
-- false-discovery procedure, over the review month's subjects with activity data for the whole
-- window, at persistent_fdr, decides `high` (persistent_discovered);
-- chance_persistent is each subject's chance of a discovery with no real difference.
--
-- Handlers: missed deadlines against the binomial at the larger of the other handlers' breach
-- share and the share the policy tolerates (1 - the SLA goal), so perfect peers do not switch the
-- rule off; outlier above the exact 99.8% limit.
with params as (
    select p.*, b.as_of, b.sla_goal, cast(date_trunc('month', b.as_of) as date) as last_month
    from core.pattern_params as p
    cross join core.build_params as b
),

-- An incremental build (pipelines/month_marts.py) sets the variable funnel_review_months to the
-- months whose window changed; unset (a full build), every month up to as_of's.
review_months_out as (
    select distinct month as review_month
    from marts.subject_monthly
    where
        month <= (select last_month from params)
        and (
            getvariable('funnel_review_months') is null
            or list_contains(getvariable('funnel_review_months'), month)
        )
),

-- Every month computed, with the month before each: a persistent flag is new or continues one
-- of the month before (episodes, below), so that month's verdict is needed even when an
-- incremental build does not rewrite it. Its rows are the same as when it was built (a month's
-- rows depend only on its own window) and are not returned.
review_months as (
    select review_month from review_months_out
    union
    select cast(r.review_month - interval 1 month as date)
    from review_months_out as r
    where r.review_month - interval 1 month >= (select min(month) from marts.subject_monthly)
),

subject_windows as (
    select
        r.review_month,
        s.subject_type,
        s.subject_id,
        arg_max(s.peer_group, s.month) as peer_group,
        sum(s.substantiated) as observed,
        case when count(s.exposure) = count(*) then sum(s.exposure) end as exposure,
        bool_or(s.activity_expected) and count(s.exposure) < count(*) as activity_gap,
        string_agg(strftime(s.month, '%m/%Y'), ', ' order by s.month)
        filter (where s.exposure is null) as missing_months,
        bool_or(s.month = r.review_month) as active
    from review_months as r
    inner join marts.subject_monthly as s
        on
            s.month <= r.review_month
            and s.month > r.review_month - to_months((select outlier_window from params))
    group by all
),

-- The group a subject is compared with: the members of its group in the review month with
-- activity data for the whole window (a rate needs its exposure). Members whose activity is
-- missing for some month of the window are counted apart, to say why a group is too small.
peer_totals as (
    select
        review_month, subject_type, peer_group,
        count(*) filter (where exposure is not null) as peer_n,
        sum(observed) filter (where exposure is not null) as peer_observed,
        sum(exposure) as peer_exposure,
        count(*) filter (where activity_gap) as gap_n,
        string_agg(distinct missing_months, ', ') filter (where activity_gap) as gap_months
    from subject_windows
    where active
    group by all
),

subject_expected as (
    select
        w.*,
        greatest(t.peer_n - cast((w.exposure is not null) as int), 0) as peers,
        'poisson_exposure' as method,
        (t.peer_observed - w.observed) / nullif(t.peer_exposure - w.exposure, 0) as peer_rate,
        -- the subject's share of its group's activity: the chance that any one finding of the
        -- group falls on it when all have the same rate
        w.exposure / nullif(t.peer_exposure, 0) as share,
        cast(null as double) as tolerated_rate,
        t.peer_observed as group_observed,
        t.peer_observed - w.observed as peer_findings,
        t.gap_n,
        t.gap_months
    from subject_windows as w
    left join peer_totals as t
        on
            t.review_month = w.review_month and t.subject_type = w.subject_type
            and t.peer_group = w.peer_group
    where w.active
),

handler_windows as (
    select
        r.review_month,
        'handler' as subject_type,
        h.handler_id as subject_id,
        coalesce(arg_max(h.handler_team, h.month), 'unknown') as peer_group,
        sum(h.breached + h.open_overdue) as observed,
        sum(h.met + h.breached + h.open_overdue) as exposure
    from review_months as r
    inner join marts.handler_monthly as h
        on
            h.month <= r.review_month
            and h.month > r.review_month - to_months((select outlier_window from params))
    group by all
),

handler_expected as (
    select
        w.*,
        count(*) over m - 1 as peers,
        'binomial' as method,
        (sum(w.observed) over m - w.observed)
        / nullif(sum(w.exposure) over m - w.exposure, 0) as peer_rate,
        1 - (select sla_goal from params) as tolerated_rate
    from handler_windows as w
    window m as (partition by w.review_month)
),

expected as (
    select
        review_month, subject_type, subject_id, peer_group, observed, exposure, peers, method,
        peer_rate, share, tolerated_rate, activity_gap, peer_rate as test_rate, group_observed,
        missing_months, gap_n, gap_months, peer_findings,
        exposure * peer_rate as expected
    from subject_expected
    union all by name
    select
        review_month, subject_type, subject_id, 'all handlers' as peer_group, observed, exposure,
        peers, method, peer_rate, null as share, tolerated_rate, false as activity_gap,
        null as group_observed,
        greatest(coalesce(peer_rate, 0), tolerated_rate) as test_rate,
        exposure * greatest(coalesce(peer_rate, 0), tolerated_rate) as expected
    from handler_expected
),

-- The months of history up to each review month (at most dispersion_window): how much people
-- differ (tau2, below) is estimated from the person's older and newer halves of them. With fewer
-- than dispersion_min_months there is no rate verdict: the case-mix world's medium flags were
-- 4x and 2.5x their chance-alone figure in the first two review months (1 and 2 months of
-- history, tau2 0 or from one month against one) and at or below it from the fourth on
-- (docs/statistics.md, seventh round).
history as (
    select
        r.review_month,
        case
            when count(distinct s.month) < (select dispersion_min_months from params)
                then printf(
                    '%d month(s) of history, fewer than %d: how much people differ is not known '
                    || 'yet, not judged', count(distinct s.month),
                    (select dispersion_min_months from params)
                )
        end as history_reason
    from review_months as r
    inner join marts.subject_monthly as s
        on
            s.month <= r.review_month
            and s.month > r.review_month - to_months((select dispersion_window from params))
    group by r.review_month
),

judged as (
    select
        e.*,
        case
            when e.method = 'binomial' and e.exposure < p.handler_min_volume
                then 'volume below the minimum'
            when e.method = 'binomial' and e.test_rate >= 1
                then 'other handlers missed every deadline'
            when e.method = 'binomial' then null
            when h.history_reason is not null then h.history_reason
            -- without the subject's activity or its peers' there is no rate to compare with
            when e.activity_gap then 'activity missing for ' || e.missing_months || ': not judged'
            when e.exposure is null then 'no activity data: not judged'
            when e.peers < p.min_peers and e.gap_n > 0
                then printf(
                    'activity of %d peer(s) missing for %s: %d peer(s) left, fewer than %d: not judged',
                    e.gap_n, e.gap_months, e.peers, p.min_peers
                )
            when e.peers < p.min_peers
                then printf('%d peer(s), fewer than %d: not judged', e.peers, p.min_peers)
            when e.peer_findings < p.min_peer_findings
                then printf(
                    '%d finding(s) of the peers in the window, fewer than %d: their rate is unknown, not judged',
                    e.peer_findings, p.min_peer_findings
                )
            when e.peer_rate is null or e.peer_rate <= 0 then 'peers have no exposure'
        end as reason
    from expected as e
    cross join params as p
    left join history as h on h.review_month = e.review_month
),

-- Each group's findings and exposure per month (the subject is taken out where it is used).
peer_months as (
    select
        subject_type, peer_group, month,
        sum(substantiated) filter (where exposure is not null) as peer_substantiated,
        sum(exposure) as peer_exposure,
        -- for how unevenly the activity is spread over the group (persistent, below)
        sum(exposure * exposure) as peer_exposure_sq,
        count(exposure) as peer_n
    from marts.subject_monthly
    group by all
),

-- Over-dispersion between people (issue 24): a Poisson-gamma model. A person's rate is its
-- group's times a multiplier g (case mix: gamma, mean 1, variance tau2, the same in every month),
-- so its findings O over months with expected count E (interactions x its team's rate of each
-- month, the person left out) have variance E + tau2 E^2. tau2 from the dispersion_window (12) months
-- up to the review month (a later month never changes an earlier one's), pooled over every
-- person and team, split into an older and a newer half: tau2 = max(0, sum (O1 - E1)(O2 - E2)
-- / sum E1 E2). Chance findings in the two halves are independent, so the product's mean is
-- tau2 E1 E2 for a lasting case mix and 0 otherwise: unbiased at any E (people expecting 0.1
-- findings count too, nothing is winsorised), while a real outlier's burst of a few months,
-- inside one half, adds nothing on average (one person with 10 findings against 0.5 expected
-- in one window adds 80 to sum[(O - E)^2 - O], the one-period moment estimate, and raised tau2
-- for everyone else: measured, the planted outliers of tests/test_patterns.py were found 84% of
-- the time with it, each person's own term left out, against 89% before and 85% or more now).
-- The DerSimonian-Laird formula on z-scores of 12 months (FunnelPlotR's od_adjustment) left
-- the first months at 0 (too few people expecting 1) and, with 20 lognormal quantiles for
-- the gamma's far tail, let the case-mix world exceed its chance-alone bound
-- (docs/statistics.md). tau2 is 0 with fewer than 2 months of history, fewer than
-- dispersion_min_subjects people, or no evidence of variation beyond chance (below): then the
-- tests are the exact ones for equal rates.
window_halves as (
    select
        r.review_month,
        r.review_month - to_months(cast(floor(count(distinct s.month) / 2) as int) - 1)
            as newer_from
    from review_months as r
    inner join marts.subject_monthly as s
        on
            s.month <= r.review_month
            and s.month > r.review_month - to_months((select dispersion_window from params))
    group by r.review_month
),

person_years as (
    select
        r.review_month, s.subject_type, s.subject_id,
        sum(s.substantiated) filter (where s.month < h.newer_from) as o1,
        sum(s.substantiated) filter (where s.month >= h.newer_from) as o2,
        sum(
            s.exposure * (pm.peer_substantiated - s.substantiated)
            / nullif(pm.peer_exposure - s.exposure, 0)
        ) filter (where s.month < h.newer_from) as e1,
        sum(
            s.exposure * (pm.peer_substantiated - s.substantiated)
            / nullif(pm.peer_exposure - s.exposure, 0)
        ) filter (where s.month >= h.newer_from) as e2
    from review_months as r
    inner join window_halves as h on h.review_month = r.review_month
    inner join marts.subject_monthly as s
        on
            s.month <= r.review_month
            and s.month > r.review_month - to_months((select dispersion_window from params))
    inner join peer_months as pm
        on
            pm.subject_type = s.subject_type and pm.peer_group = s.peer_group
            and pm.month = s.month
    where s.exposure is not null and s.subject_type <> 'handler'
    group by all
),

between_people as (
    select
        review_month,
        subject_type,
        count(*) as n,
        sum((o1 - e1) * (o2 - e2)) as sum_excess,
        sum(e1 * e2) as sum_e2,
        -- for the estimate's standard error from the people's own spread (below)
        sum(power((o1 - e1) * (o2 - e2), 2)) as sum_excess_sq,
        sum((o1 - e1) * (o2 - e2) * e1 * e2) as sum_excess_e2,
        sum(power(e1 * e2, 2)) as sum_e2_sq
    from person_years
    where e1 > 0 and e2 > 0
    group by all
),

-- The estimate's standard error from the people's own products (a sandwich estimate: their
-- spread about tau2 E1 E2, whatever the mixing law): sqrt(sum (P - tau2 E)^2) / sum E. The tests
-- may use tau2 dispersion_upper_z of it above the estimate: one register gives tau2 only to
-- about +-0.2 at 1, and the gamma's far tail, which decides medium and high flags, thins fast as
-- tau2 falls (P(g > 4) is 1.8% at tau2 = 1, 0.8% at 0.7). At 1 standard error above it the
-- case-mix world's medium flags fell from 15 to 10 over seeds 1-6 (bound 11), but the planted
-- outliers raise tau2 too and power fell (docs/statistics.md): off (0) by default. The tests
-- stay exact under the model at whatever tau2 they use; this only chooses the tau2.
between_people_se as (
    select
        *,
        sqrt(greatest(
            0,
            sum_excess_sq - 2 * (sum_excess / sum_e2) * sum_excess_e2
            + power(sum_excess / sum_e2, 2) * sum_e2_sq
        )) / sum_e2 as tau2_se
    from between_people
),

-- Each subject is tested against the variation of the others: its own term is left out of
-- tau2, so a real outlier whose findings run across both halves never widens its own test.
subject_tau2 as (
    select
        r.review_month, s.subject_type, s.subject_id,
        case
            when
                b.n - cast(coalesce(y.e1 > 0 and y.e2 > 0, false) as int)
                >= (select dispersion_min_subjects from params)
                -- evidence of variation beyond chance: the pooled estimate over its standard
                -- error when nobody differs, 1 / sqrt(sum E1 E2), above dispersion_z
                and b.sum_excess / sqrt(b.sum_e2) > (select dispersion_z from params)
                then greatest(0, (
                    b.sum_excess
                    - coalesce(case when y.e1 > 0 and y.e2 > 0 then (y.o1 - y.e1) * (y.o2 - y.e2) end, 0)
                ) / nullif(
                    b.sum_e2 - coalesce(case when y.e1 > 0 and y.e2 > 0 then y.e1 * y.e2 end, 0), 0
                ))
                + (select dispersion_upper_z from params) * b.tau2_se
            else 0
        end as tau2,
        coalesce(b.tau2_se, 0) as pooled_tau2_se
    from review_months as r
    inner join marts.subject_monthly as s on s.month = r.review_month
    left join between_people_se as b
        on b.review_month = r.review_month and b.subject_type = s.subject_type
    left join person_years as y
        on
            y.review_month = r.review_month and y.subject_type = s.subject_type
            and y.subject_id = s.subject_id
    where s.subject_type <> 'handler'
),

-- tau2 is an estimate from one register (about +-0.2 at 1), and the far tails that decide flags
-- are convex in it: a register whose tau2 is estimated low gives more flags than one estimated
-- as high takes away (Jensen). With dispersion_average_se the tests average their tails over
-- tau2's sampling law, taken as normal with the estimate's standard error (the sandwich
-- tau2_se above), by 3-point Gauss-Hermite: tau2 - sqrt(3) se, tau2, tau2 + sqrt(3) se with
-- weights 1/6, 2/3, 1/6 (exact for polynomials up to degree 5), floored at 0. With tau2 = 0
-- (no evidence of variation) there is one node, 0: the exact tests for equal rates. The
-- standard error the tests average tau2 over is 0 when they do not.
subject_tau2_se as (
    select
        *,
        case
            when tau2 > 0 and (select dispersion_average_se from params) then pooled_tau2_se
            else 0
        end as tau2_se
    from subject_tau2
),

tau2_nodes as (
    select
        d.review_month, d.subject_type, d.subject_id, n.node,
        greatest(0, d.tau2 + n.z * d.tau2_se) as node_tau2,
        case when d.tau2_se > 0 then n.weight else 1.0 end as node_weight
    from subject_tau2_se as d
    inner join (
        values (-1, -sqrt(3), 1 / 6), (0, 0.0, 2 / 3), (1, sqrt(3), 1 / 6)
    ) as n (node, z, weight)
        on d.tau2_se > 0 or n.node = 0
),

tested as (
    select
        j.*,
        case
            when j.method <> 'binomial' then 1.0 + j.expected * coalesce(d.tau2, 0)
            else 1.0
        end as phi,
        coalesce(d.tau2, 0) as tau2,
        coalesce(d.tau2_se, 0) as tau2_se,
        -- the exact test: handlers' misses are Binomial(volume, test rate); a subject's findings,
        -- given the findings of its whole group, are Binomial(group total, its activity share)
        case when j.method = 'binomial' then j.exposure else j.group_observed end as trials,
        case when j.method = 'binomial' then j.test_rate else j.share end as chance
    from judged as j
    left join subject_tau2_se as d using (review_month, subject_type, subject_id)
    where j.reason is null
),

-- The exact tests, one row per possible count k under the null: 'test' for p-values and
-- 'limit' (Poisson at the expected count) for the funnel limits of staff and partners. A
-- subject's findings given its group's n: with tau2 = 0 (and for handlers) Binomial(n, share s);
-- with tau2 > 0 the Poisson-gamma model's own conditional law, the beta-binomial with
-- alpha = 1 / tau2 and beta = (1 - s) / (s tau2) (the subject's gamma mean and its peers' at one
-- scale; mean share s, as before), so the gamma's whole far tail is in the test. Rows run from
-- 12 standard deviations (+25) below the mean, where the tail is 1 in double precision, to as
-- far above it, or to the observed count: a few hundred rows per subject at any register size.
-- phi widens the limits drawn after the Poisson quantiles.
test_laws as (
    select
        *,
        trials * chance as mean,
        -- the rows' range below covers the largest tau2 averaged over, tau2 + sqrt(3) se
        sqrt(
            trials * chance * (1 - chance)
            * (
                1 + (trials - 1) * chance * (tau2 + sqrt(3) * tau2_se)
                / (1 + chance * (tau2 + sqrt(3) * tau2_se))
            )
        ) as spread,
        -- the shape parameters of the beta-binomial, null when there is no variation to allow for
        case when method <> 'binomial' and tau2 > 0 then 1 / tau2 end as alpha,
        case when method <> 'binomial' and tau2 > 0 then (1 - chance) / (chance * tau2) end as beta
    from tested
),

terms as (
    select
        s.review_month, s.subject_type, s.subject_id, s.expected, s.trials, s.chance,
        s.alpha, s.beta,
        'test' as dist,
        unnest(range(
            cast(greatest(0, floor(s.mean - 12 * s.spread - 25)) as bigint),
            cast(
                least(s.trials, greatest(s.observed, ceil(s.mean + 12 * s.spread + 25))) + 1
                as bigint
            )
        )) as k
    from test_laws as s
    where s.chance > 0 and s.chance < 1
    union all
    select
        review_month, subject_type, subject_id, expected, trials, chance,
        null as alpha, null as beta,
        'limit' as dist,
        unnest(range(
            cast(greatest(0, floor(expected - 12 * sqrt(expected) - 25)) as bigint),
            cast(ceil(expected + 12 * sqrt(expected) + 25) + 2 as bigint)
        )) as k
    from tested
    where method <> 'binomial' and expected > 0
),

terms_nodes as (
    select
        t.* exclude (alpha, beta),
        coalesce(n.node_weight, 1.0) as node_weight,
        case when n.node_tau2 > 0 then 1 / n.node_tau2 end as alpha,
        case when n.node_tau2 > 0 then (1 - t.chance) / (t.chance * n.node_tau2) end as beta
    from terms as t
    left join tau2_nodes as n
        on
            t.dist = 'test' and t.alpha is not null
            and n.review_month = t.review_month and n.subject_type = t.subject_type
            and n.subject_id = t.subject_id
),

pmf_nodes as (
    select
        *,
        node_weight * exp(case
            when dist = 'test' and alpha is not null
                then
                    lgamma(trials + 1) - lgamma(k + 1) - lgamma(trials - k + 1)
                    + lgamma(k + alpha) + lgamma(trials - k + beta) - lgamma(trials + alpha + beta)
                    + lgamma(alpha + beta) - lgamma(alpha) - lgamma(beta)
            when dist = 'test'
                then
                    lgamma(trials + 1) - lgamma(k + 1) - lgamma(trials - k + 1)
                    + k * ln(chance) + (trials - k) * ln(1 - chance)
            else k * ln(expected) - expected - lgamma(k + 1)
        end) as probability
    from terms_nodes
),

-- the test's law averaged over tau2's nodes (one node, weight 1, without tau2)
pmf as (
    select review_month, subject_type, subject_id, dist, k, sum(probability) as probability
    from pmf_nodes
    group by all
),

tails as materialized (
    select
        review_month, subject_type, subject_id, dist, k,
        sum(probability) over (w order by k) as cdf,
        -- P(X >= k), summed from the far tail so that small p-values keep their precision
        sum(probability) over (w order by k desc) as tail
    from pmf
    window w as (partition by review_month, subject_type, subject_id, dist)
),

quantiles as (
    select
        t.review_month, t.subject_type, t.subject_id,
        min(t.k) filter (where t.cdf >= (select outlier_watch_limit from params)) as q_95,
        min(t.k) filter (where t.cdf >= (select outlier_high_limit from params)) as q_998
    from tails as t
    inner join tested as s using (review_month, subject_type, subject_id)
    where t.dist = case when s.method = 'binomial' then 'test' else 'limit' end
    group by all
),

-- A count below the rows' range has p = 1 (its tail is 1 in double precision); a share of 0
-- or 1 leaves nothing to test: p = 1 (no finding can be unusual).
observed_p as (
    select
        t.*,
        coalesce(a.tail, 1.0) as p_value,
        case
            when t.method = 'binomial' or t.observed >= p.min_observed
                then coalesce(a.tail, 1.0)
            else 1.0
        end as p_flag
    from test_laws as t
    cross join params as p
    left join tails as a
        on
            a.review_month = t.review_month and a.subject_type = t.subject_type
            and a.subject_id = t.subject_id and a.dist = 'test' and a.k = t.observed
),

-- persistent: the months of its window in which a subject had a finding, and the chance of a
-- finding in a month for someone this busy at the peers' rate (unknown without activity data
-- for every month of the window). The peers' rate is that of the subject's group of each month
-- over the whole window (its members' findings over their activity in the window's months, the
-- subject's own months in the group left out), not the month's own: a month's rate rests on a
-- few findings, and the chance of a finding, 1 - e^(-E), is concave in it, so averaging
-- chances at noisy monthly rates understates them for the people with many findings (measured:
-- docs/statistics.md, eighth round). A person who changed teams is still compared, month by
-- month, with the team of that month.
persistent_group_windows as (
    select
        r.review_month, pm.subject_type, pm.peer_group,
        sum(pm.peer_substantiated) as group_findings,
        sum(pm.peer_exposure) as group_exposure
    from review_months as r
    inner join peer_months as pm
        on
            pm.month <= r.review_month
            and pm.month > r.review_month - to_months((select persistent_window from params))
    group by all
),

persistent_subject_months as (
    select
        r.review_month, s.subject_type, s.subject_id, s.month, s.substantiated, s.exposure,
        s.activity_expected, pm.peer_n,
        g.group_findings
        - sum(case when s.exposure is not null then s.substantiated else 0 end) over own
            as peer_findings,
        g.group_exposure - coalesce(sum(s.exposure) over own, 0) as peer_exposure,
        -- how unevenly the peers' activity is spread, sum e^2 / (sum e)^2 (1 / their number
        -- when all are equally busy): with people differing by tau2, the peers' pooled rate
        -- varies by tau2 times this beyond the Poisson 1 / findings
        (pm.peer_exposure_sq - s.exposure * s.exposure)
        / nullif(power(pm.peer_exposure - s.exposure, 2), 0) as peer_concentration
    from review_months as r
    inner join marts.subject_monthly as s
        on
            s.month <= r.review_month
            and s.month > r.review_month - to_months((select persistent_window from params))
    left join peer_months as pm
        on
            pm.subject_type = s.subject_type and pm.peer_group = s.peer_group
            and pm.month = s.month
    left join persistent_group_windows as g
        on
            g.review_month = r.review_month and g.subject_type = s.subject_type
            and g.peer_group = s.peer_group
    window own as (partition by r.review_month, s.subject_type, s.subject_id, s.peer_group)
),

persistent_windows_all as (
    select
        s.review_month, s.subject_type, s.subject_id,
        count(*) filter (where s.substantiated > 0) as months_with_findings,
        count(*) as months,
        -- the basis of a verdict: the subject's activity in every month of the window, and in
        -- each month at least min_peers peers with activity, with min_peer_findings findings
        -- between them over the window (a chance of 0 would make any finding "impossible")
        case
            when count(s.exposure) < count(*) and bool_or(s.activity_expected)
                then
                    'activity missing for ' || string_agg(strftime(s.month, '%m/%Y'), ', ' order by s.month)
                    filter (where s.exposure is null) || ': not judged'
            when count(s.exposure) < count(*) then 'no activity data: not judged'
            when any_value(h.history_reason) is not null then any_value(h.history_reason)
            when min(s.peer_n) - 1 < any_value(p.min_peers)
                then printf(
                    '%d peer(s) in some month of the window, fewer than %d: not judged',
                    min(s.peer_n) - 1, any_value(p.min_peers)
                )
            when min(s.peer_findings) < any_value(p.min_peer_findings)
                then printf(
                    '%d finding(s) of the peers in the window, fewer than %d: their rate is unknown, not judged',
                    min(s.peer_findings), any_value(p.min_peer_findings)
                )
        end as persistent_reason,
        avg(1 - exp(-s.exposure * s.peer_findings / nullif(s.peer_exposure, 0)))
            as chance_if_judged,
        -- the peers' findings over the window (of the group least known, for someone who
        -- changed teams): their rate is known to a relative variance of about 1 / this, which
        -- the mixture below allows for
        min(s.peer_findings) as peer_findings,
        avg(s.peer_concentration) as peer_concentration,
        -- each month's expected count at the peers' rate, for the between-people mixture below
        list(s.exposure * s.peer_findings / nullif(s.peer_exposure, 0) order by s.month)
            as month_expected
    from persistent_subject_months as s
    cross join params as p
    left join history as h on h.review_month = s.review_month
    group by all
    having bool_or(s.month = s.review_month)
),

persistent_windows as (
    select
        * exclude (chance_if_judged),
        case when persistent_reason is null and chance_if_judged > 0 then chance_if_judged end
            as month_chance
    from persistent_windows_all
),

-- P(at least k of the window's months with a finding), k = 0..months, at that monthly chance,
-- for someone who differs from the peers only as people do, and whose peers' rate is itself an
-- estimate. Its rate is the peers' true rate times g, g the gamma multiplier of the model above
-- (mean 1, variance tau2, shape a = 1 / tau2); the estimate is the true rate times h, common to
-- every month of the window, h ~ Gamma(shape n, rate n) with n = 1 / (1 / N + tau2 C), N the
-- peers' findings in the window and C their concentration (the Poisson-gamma variance of a
-- pooled rate). The subject's rate over the estimate is m = g / h, whose law is known exactly:
-- tau2 n times a beta-prime(a, n) (a ratio of independent gammas), and, without variation
-- between people, n / Gamma(n, 1). Its right tail, the one that decides flags, is far heavier
-- than that of a gamma with the same variance: the moment-matched gamma of g h flagged the
-- case-mix world 1.8 times as often as it promised (docs/statistics.md, eighth round). The
-- monthly chances are 1 - exp(-E m), and P(at least k months) is averaged over m.
persistent_spread as (
    select
        w.review_month, w.subject_type, w.subject_id,
        coalesce(d.node, 0) as node,
        coalesce(d.node_weight, 1.0) as node_weight,
        coalesce(d.node_tau2, 0) as node_tau2,
        1 / (1.0 / w.peer_findings + coalesce(d.node_tau2, 0) * coalesce(w.peer_concentration, 0))
            as n_eff
    from persistent_windows as w
    left join tau2_nodes as d using (review_month, subject_type, subject_id)
    where w.month_chance is not null and w.peer_findings > 0
),

-- m is integrated on 73 points of ln m, a third of the lognormal-matched standard deviation of
-- a law with m's variance apart (about; m's own may be infinite), from 8 of them below the
-- centre to 16 above (the right tail is the heavy one: with the peers' 4 findings, 12 lost
-- 5e-7 of a p-value), weighted by the density of ln m (the trapezoid rule: within 1e-8 of
-- scipy's quad in tests/test_patterns.py, where half a deviation apart was 1e-6 off and a
-- quarter cost 30% more build time); the mass left of the grid sits at m = 0 (no finding).
mixture_grid as (
    select
        review_month, subject_type, subject_id, node, node_weight, node_tau2, n_eff,
        sqrt(ln(1 + spread)) * u / 3 - ln(1 + spread) / 2 as x,
        sqrt(ln(1 + spread)) / 3 as step
    from (select *, (1 + node_tau2) * (1 + 1 / n_eff) - 1 as spread from persistent_spread)
    cross join (select unnest(range(-24, 49)) as u) as grid
),

mixture_nodes as (
    select
        review_month, subject_type, subject_id, node, node_weight, exp(x) as g,
        node_weight * step * exp(case
            -- ln m with m = tau2 n B, B ~ beta-prime(a, n): b^a (1 + b)^-(a + n) / B(a, n),
            -- b = m / (tau2 n); below tau2 = 1e-6 its terms, of order 1 / tau2, cancel beyond
            -- double precision, and the law is the inverse gamma's to within tau2
            when node_tau2 > 1e-6
                then
                    (x - ln(node_tau2 * n_eff)) / node_tau2
                    - (1 / node_tau2 + n_eff) * ln(1 + exp(x) / (node_tau2 * n_eff))
                    - lgamma(1 / node_tau2) - lgamma(n_eff) + lgamma(1 / node_tau2 + n_eff)
            -- ln m with m = n / G, G ~ Gamma(n, 1): n^n e^(-n ln m) e^(-n / m) / Gamma(n)
            else n_eff * (ln(n_eff) - x) - n_eff * exp(-x) - lgamma(n_eff)
        end) as weight
    from mixture_grid
),

mixture as (
    select review_month, subject_type, subject_id, node, g, weight
    from mixture_nodes
    union all
    select
        review_month, subject_type, subject_id, node, 0.0,
        greatest(0, any_value(node_weight) - sum(weight))
    from mixture_nodes
    group by review_month, subject_type, subject_id, node
),

persistent_nodes as (
    select
        w.*,
        coalesce(m.node, 0) as node,
        coalesce(m.g, 1.0) as g,
        coalesce(m.weight, 1.0) as weight
    from persistent_windows as w
    left join mixture as m using (review_month, subject_type, subject_id)
    where w.month_chance is not null
),

persistent_node_tails as (
    select
        review_month, subject_type, subject_id, g, weight, k,
        sum(
            exp(lgamma(months + 1) - lgamma(k + 1) - lgamma(months - k + 1))
            * power(q, k) * power(1 - q, months - k))
            over (partition by review_month, subject_type, subject_id, node, g order by k desc)
            as tail
    from (
        select
            *,
            list_avg(list_transform(month_expected, lambda x: 1 - exp(-coalesce(x, 0) * g))) as q,
            unnest(range(0, months + 1)) as k
        from persistent_nodes
    )
),

persistent_attainable as (
    select review_month, subject_type, subject_id, k, sum(weight * tail) as p_value
    from persistent_node_tails
    group by all
),

-- rising_trend (clause 6.2): the subject's findings of the last outlier_window months against
-- its own trend_window months before them, given its total n over the whole window and its
-- exposure in each part, at its peers' rate in each part (the subject left out, its team of each
-- month), so a rise of the whole team is not a rise of the subject: the last months' count is
-- Binomial(n, their expected share) when nothing changed for the subject beyond its peers, and
-- p = P(X >= observed). Judged only with activity for every month and a basis for both rates.
trend_windows as (
    select
        r.review_month, s.subject_type, s.subject_id,
        count(*) as months,
        count(s.exposure) as months_with_exposure,
        bool_or(s.activity_expected) as activity_expected,
        string_agg(strftime(s.month, '%m/%Y'), ', ' order by s.month)
        filter (where s.exposure is null) as missing_months,
        min(pm.peer_n) - 1 as least_peers,
        sum(s.substantiated) filter (where s.month > r.review_month - to_months(p.outlier_window))
            as trend_recent,
        sum(s.substantiated) filter (where s.month <= r.review_month - to_months(p.outlier_window))
            as trend_earlier,
        sum(s.exposure) filter (where s.month > r.review_month - to_months(p.outlier_window))
            as recent_exposure,
        sum(s.exposure) filter (where s.month <= r.review_month - to_months(p.outlier_window))
            as earlier_exposure,
        sum(pm.peer_substantiated - s.substantiated)
        filter (where s.month > r.review_month - to_months(p.outlier_window)) as peer_recent,
        sum(pm.peer_substantiated - s.substantiated)
        filter (where s.month <= r.review_month - to_months(p.outlier_window)) as peer_earlier,
        sum(pm.peer_exposure - s.exposure)
        filter (where s.month > r.review_month - to_months(p.outlier_window))
            as peer_recent_exposure,
        sum(pm.peer_exposure - s.exposure)
        filter (where s.month <= r.review_month - to_months(p.outlier_window))
            as peer_earlier_exposure,
        any_value(p.trend_window) as trend_window,
        any_value(p.min_peers) as min_peers,
        any_value(p.min_peer_findings) as min_peer_findings
    from review_months as r
    cross join params as p
    inner join marts.subject_monthly as s
        on
            s.month <= r.review_month
            and s.month > r.review_month - to_months(p.outlier_window + p.trend_window)
    left join peer_months as pm
        on
            pm.subject_type = s.subject_type and pm.peer_group = s.peer_group
            and pm.month = s.month
    group by r.review_month, s.subject_type, s.subject_id
    having bool_or(s.month = r.review_month)
),

trend_judged as (
    select
        *,
        cast(trend_recent + trend_earlier as bigint) as trend_n,
        case
            when months_with_exposure < months and activity_expected
                then 'activity missing for ' || missing_months || ': not judged'
            when months_with_exposure < months then 'no activity data: not judged'
            when h.history_reason is not null then h.history_reason
            when months < trend_window + (select outlier_window from params)
                then printf(
                    '%d month(s) of history, fewer than %d: not judged', months,
                    trend_window + (select outlier_window from params)
                )
            when least_peers < min_peers
                then printf(
                    '%d peer(s) in some month of the window, fewer than %d: not judged',
                    least_peers, min_peers
                )
            when least(peer_recent, peer_earlier) < min_peer_findings
                then printf(
                    '%d finding(s) of the peers in a part of the window, fewer than %d: their rate '
                    || 'is unknown, not judged', least(peer_recent, peer_earlier), min_peer_findings
                )
        end as trend_reason,
        recent_exposure * peer_recent / nullif(peer_recent_exposure, 0) as trend_recent_expected,
        earlier_exposure * peer_earlier / nullif(peer_earlier_exposure, 0) as trend_earlier_expected
    from trend_windows
    left join history as h using (review_month)
),

trend_tested as (
    select
        *,
        case
            when trend_reason is null
                then
                    trend_recent_expected / nullif(trend_recent_expected + trend_earlier_expected, 0)
        end as trend_share
    from trend_judged
),

-- P(at least k of the n findings in the last months), k = 0..n.
trend_attainable as (
    select
        *,
        sum(
            exp(lgamma(trend_n + 1) - lgamma(k + 1) - lgamma(trend_n - k + 1))
            * power(trend_share, k) * power(1 - trend_share, trend_n - k))
            over (partition by review_month, subject_type, subject_id order by k desc) as p_value
    from (
        select *, unnest(range(0, trend_n + 1)) as k
        from trend_tested
        where trend_share > 0 and trend_share < 1
    )
),

-- The tests whose flags are held at a false-discovery rate over a review month's subjects
-- (outlier_rate medium, persistent high): each subject's p-value as flagged (1 below the
-- minimum count), and every p-value it could attain at or above that minimum.
fdr_levels as (
    select 'outlier_rate' as test, outlier_fdr as fdr, min_observed as least_count from params
    union all
    select 'persistent', persistent_fdr, persistent_months from params
    union all
    select 'rising_trend', trend_fdr, min_observed from params
),

fdr_observed as (
    select
        'outlier_rate' as test, review_month, subject_type, subject_id, p_flag
    from observed_p
    where method <> 'binomial'
    union all
    select
        'persistent', w.review_month, w.subject_type, w.subject_id,
        case when w.months_with_findings >= l.least_count then a.p_value else 1.0 end
    from persistent_windows as w
    inner join fdr_levels as l on l.test = 'persistent'
    inner join persistent_attainable as a
        on
            a.review_month = w.review_month and a.subject_type = w.subject_type
            and a.subject_id = w.subject_id and a.k = w.months_with_findings
    union all
    select
        'rising_trend', w.review_month, w.subject_type, w.subject_id,
        case when w.trend_recent >= l.least_count then a.p_value else 1.0 end
    from trend_tested as w
    inner join fdr_levels as l on l.test = 'rising_trend'
    inner join trend_attainable as a
        on
            a.review_month = w.review_month and a.subject_type = w.subject_type
            and a.subject_id = w.subject_id and a.k = w.trend_recent
),

reachable as (
    -- every p-value a count of min_observed or more can have
    select
        'outlier_rate' as test, a.review_month, a.subject_type, a.subject_id,
        a.tail as p_value
    from tails as a
    inner join tested as s using (review_month, subject_type, subject_id)
    where
        a.dist = 'test' and s.subject_type <> 'handler' and a.k >= (select min_observed from params)
        and a.tail > 1e-15
    union all
    select 'persistent', a.review_month, a.subject_type, a.subject_id, a.p_value
    from persistent_attainable as a
    inner join fdr_levels as l on l.test = 'persistent'
    where a.k >= l.least_count and a.p_value > 1e-15
    union all
    select 'rising_trend', a.review_month, a.subject_type, a.subject_id, a.p_value
    from trend_attainable as a
    inner join fdr_levels as l on l.test = 'rising_trend'
    where a.k >= l.least_count and a.p_value > 1e-15
),

-- The false-discovery rate over the subjects tested in each review month, per test, by the
-- discrete Benjamini-Hochberg procedure of Heyse (2011): at a threshold t, the flags that
-- subjects with no real difference would give number S(t) = sum_i F_i(t), F_i(t) being the
-- largest p-value subject i can attain at or below t with the minimum count or more (BH's
-- m * t, made exact for counts: a subject expecting 0.1 findings almost never reaches t at all).
-- The month's threshold is the largest t with S(t) <= fdr * max(R(t), 1), R(t) the subjects at
-- or below it; with continuous p-values this is exactly Benjamini-Hochberg. Candidate
-- thresholds: the observed p-values and a grid down from the fdr (for the threshold a first
-- flag must pass). Equal p-values of subjects alike are summed in different orders and differ
-- in their last bits, so "at or below t" means at or below t * (1 + 1e-9): ties count as ties.
family as (
    select test, review_month, count(*) as family
    from fdr_observed
    group by all
),

candidates as (
    select distinct test, review_month, p_flag as t
    from fdr_observed
    where p_flag < 1
    union
    select f.test, f.review_month, l.fdr * power(10.0, -g.g / 6.0) as t
    from family as f
    inner join fdr_levels as l using (test)
    cross join (select unnest(range(0, 61)) as g) as g
    union
    -- every attainable p-value up to the fdr: the threshold is then the largest one chance
    -- alone keeps within the fdr, whatever was observed, so that S at it is the flags chance
    -- alone gives. On the grid alone it fell between two attainable values and S read there
    -- was S at the one below, while a subject whose p lay between them was flagged all the
    -- same (through its observed p-value): the figure was 0.041 a month where the procedure
    -- raised 0.05 (60 homogeneous registers, issue 24). Who is flagged does not change.
    select distinct a.test, a.review_month, a.p_value
    from reachable as a
    inner join fdr_levels as l using (test)
    where a.p_value <= l.fdr
),

-- S(t) as a step function of t, summed in one pass: each attainable p-value adds its rise
-- over the next lower one of the same subject, and S(t) is the running sum up to t (read by an
-- ASOF join, instead of a join of every candidate with every attainable p-value). R(t) alike.
rises as (
    select
        test, review_month, p_value,
        p_value - coalesce(lag(p_value) over (
            partition by test, review_month, subject_type, subject_id order by p_value
        ), 0) as rise
    from reachable
),

expected_false_steps as (
    select
        test, review_month, p_value, sum(sum(rise)) over (
            partition by test, review_month order by p_value
        ) as expected_false
    from rises
    group by test, review_month, p_value
),

flagged_steps as (
    select
        test, review_month, p_flag, sum(count(*)) over (
            partition by test, review_month order by p_flag
        ) as flagged
    from fdr_observed
    group by test, review_month, p_flag
),

estimates as (
    select
        c.test, c.review_month, c.t,
        coalesce(s.expected_false, 0) as expected_false,
        coalesce(r.flagged, 0) as flagged
    from candidates as c
    asof left join expected_false_steps as s
        on s.test = c.test and s.review_month = c.review_month and s.p_value <= c.t * (1 + 1e-9)
    asof left join flagged_steps as r
        on r.test = c.test and r.review_month = c.review_month and r.p_flag <= c.t * (1 + 1e-9)
),

-- the smallest estimated false-discovery rate of any threshold at or above each candidate
least_rates as (
    select
        test, review_month, t,
        min(expected_false / nullif(flagged, 0)) over (
            partition by test, review_month order by t desc
        ) as q_value
    from estimates
),

thresholds as (
    select e.test, e.review_month, max(e.t) as threshold
    from estimates as e
    inner join fdr_levels as l using (test)
    where e.expected_false <= l.fdr * greatest(e.flagged, 1)
    group by all
),

-- The thresholds that would hold with one more subject flagged (the chance figure, below).
one_more_levels as (
    select e.test, e.review_month, e.t
    from estimates as e
    inner join fdr_levels as l using (test)
    where e.expected_false <= l.fdr * (e.flagged + 1)
),

adjusted as (
    select
        o.test, o.review_month, o.subject_type, o.subject_id, f.family, h.threshold,
        o.p_flag <= h.threshold * (1 + 1e-9) as discovered,
        -- The level at which chance alone would flag this subject. The procedure is step-up:
        -- a subject not flagged would, with a p-value small enough, have been flagged with
        -- those that were, at the threshold of one more flag (the largest t below its own p
        -- with S(t) <= fdr (R(t) + 1): above its p it is counted already). The flags expected
        -- from subjects with no real difference are the sum over subjects of the chance of
        -- reaching that level (Benjamini and Yekutieli 2001, proof of theorem 1.1): the
        -- month's threshold for the flagged, the threshold of one more for the others. At the
        -- month's threshold alone a month with one false flag counted 0.05 flags expected:
        -- 72 where 94 were raised over 60 homogeneous registers (issue 24).
        case
            when o.p_flag <= h.threshold * (1 + 1e-9) then h.threshold
            else greatest(h.threshold, m.t)
        end as chance_threshold,
        -- the smallest estimated false-discovery rate of any threshold that flags this subject
        least(1.0, e.q_value) as q_value
    from fdr_observed as o
    inner join family as f using (test, review_month)
    left join thresholds as h using (test, review_month)
    asof left join one_more_levels as m
        on m.test = o.test and m.review_month = o.review_month and o.p_flag > m.t * (1 + 1e-9)
    asof left join least_rates as e
        on e.test = o.test and e.review_month = o.review_month and e.t * (1 + 1e-9) >= o.p_flag
),

-- The chance that a subject with no real difference reaches the level that would flag it
-- (chance_threshold, above; and the outlier watch level): the largest p-value it can attain at
-- or below it.
chances as (
    select
        d.test, d.review_month, d.subject_type, d.subject_id,
        coalesce(max(a.p_value) filter (where a.p_value <= d.chance_threshold * (1 + 1e-9)), 0)
            as chance_flag,
        coalesce(max(a.p_value) filter (
            where a.p_value <= 1 - (select outlier_watch_limit from params)
        ), 0) as chance_watch
    from adjusted as d
    left join reachable as a
        on
            a.test = d.test and a.review_month = d.review_month
            and a.subject_type = d.subject_type and a.subject_id = d.subject_id
    group by all
),

-- Episodes (issue 24, fifth round). Successive windows share all but one month, so one
-- person's streak is flagged high in consecutive months: those flags are one event, not
-- several. A high flag in month t of a subject also high in t - 1 continues that flag; otherwise
-- it is new. Chance alone starts a new one with P(F_t) - P(F_t and F_t-1), summed in
-- marts.flag_chance. Flag F_t <=> months with findings D_t >= k_t, the fewest months whose
-- p-value is at or below the month's threshold (the attainable p-values above). The two windows
-- share months B and differ by month A (t - window, only in t - 1's) and C (t, only in t's);
-- given g the months are independent, so
--   P(D_t-1 >= k1, D_t >= k2 | g) = sum_b P(B = b) P(A >= k1 - b) P(C >= k2 - b),
-- B ~ Binomial(shared months, their average chance at g), as the window's own test averages;
-- integrated over t's gamma nodes: t's mixture variance stands for both windows' (they differ
-- only by one month of the peers' findings; an approximation, docs/statistics.md). Not judged
-- in t - 1, or no count reaching its threshold: the joint term is 0.
persistent_needed as (
    select d.review_month, d.subject_type, d.subject_id, d.discovered, min(a.k) as k_needed
    from adjusted as d
    left join persistent_attainable as a
        on
            a.review_month = d.review_month and a.subject_type = d.subject_type
            and a.subject_id = d.subject_id
            and a.k >= (select persistent_months from params) and a.p_value > 1e-15
            and a.p_value <= d.chance_threshold * (1 + 1e-9)
    where d.test = 'persistent'
    group by all
),

persistent_pairs as (
    select
        review_month, subject_type, subject_id, weight, k_before, k_now,
        len(now_expected) - 1 as n_shared,
        coalesce(list_avg(list_transform(
            now_expected[1:len(now_expected) - 1], lambda x: 1 - exp(-coalesce(x, 0) * g)
        )), 0) as q_shared,
        1 - exp(-coalesce(now_expected[len(now_expected)], 0) * g) as q_now,
        -- month A exists only when t - 1's window is as long as t's (not at the history's start)
        case
            when len(before_expected) = len(now_expected)
                then 1 - exp(-coalesce(before_expected[1], 0) * g)
            else 0
        end as q_before
    from (
        select
            n.review_month, n.subject_type, n.subject_id, n.g, n.weight,
            n.month_expected as now_expected, b.month_expected as before_expected,
            c.k_needed as k_now, p.k_needed as k_before
        from persistent_nodes as n
        inner join persistent_needed as c using (review_month, subject_type, subject_id)
        inner join persistent_needed as p
            on
                p.subject_type = n.subject_type and p.subject_id = n.subject_id
                and p.review_month = n.review_month - interval 1 month
        inner join persistent_windows as b
            on
                b.subject_type = n.subject_type and b.subject_id = n.subject_id
                and b.review_month = n.review_month - interval 1 month
        where c.k_needed is not null and p.k_needed is not null
    )
),

persistent_joint as (
    select
        review_month, subject_type, subject_id,
        sum(
            weight
            * exp(lgamma(n_shared + 1) - lgamma(b + 1) - lgamma(n_shared - b + 1))
            * power(q_shared, b) * power(1 - q_shared, n_shared - b)
            * case when k_before - b <= 0 then 1.0 when k_before - b = 1 then q_before else 0.0 end
            * case when k_now - b <= 0 then 1.0 when k_now - b = 1 then q_now else 0.0 end
        ) as joint
    from (select *, unnest(range(0, n_shared + 1)) as b from persistent_pairs)
    group by all
),

limits as (
    select
        j.*,
        t.phi,
        t.tau2,
        t.tau2_se,
        t.trials,
        o.p_value,
        o.p_flag,
        d.q_value,
        d.family,
        d.threshold,
        d.discovered,
        c.chance_flag as chance_medium,
        c.chance_watch,
        j.expected + sqrt(t.phi) * (coalesce(q.q_95, 0) - j.expected) as limit_95,
        j.expected + sqrt(t.phi) * (coalesce(q.q_998, 0) - j.expected) as limit_998,
        w.months_with_findings as persistent_months,
        w.months as persistent_window_months,
        w.month_chance as persistent_month_chance,
        w.persistent_reason,
        pa.p_value as persistent_p_value,
        pd.q_value as persistent_q_value,
        pd.family as persistent_family,
        pd.threshold as persistent_threshold,
        pd.discovered as persistent_discovered,
        pc.chance_flag as chance_persistent,
        pn.k_needed as persistent_months_needed,
        -- high now and not high the month before (or not judged then): a new episode
        pd.discovered and not coalesce(pp.discovered, false) as persistent_new,
        coalesce(pj.joint, 0) as chance_persistent_both,
        greatest(0, pc.chance_flag - coalesce(pj.joint, 0)) as chance_persistent_new,
        tw.trend_recent,
        tw.trend_earlier,
        tw.trend_recent_expected,
        tw.trend_earlier_expected,
        tw.trend_share,
        tw.trend_reason,
        ta.p_value as trend_p_value,
        td.q_value as trend_q_value,
        td.family as trend_family,
        td.discovered as trend_discovered,
        tc.chance_flag as chance_trend
    from judged as j
    left join tested as t using (review_month, subject_type, subject_id)
    left join observed_p as o using (review_month, subject_type, subject_id)
    left join quantiles as q using (review_month, subject_type, subject_id)
    left join adjusted as d
        on
            d.test = 'outlier_rate' and d.review_month = j.review_month
            and d.subject_type = j.subject_type and d.subject_id = j.subject_id
    left join chances as c
        on
            c.test = 'outlier_rate' and c.review_month = j.review_month
            and c.subject_type = j.subject_type and c.subject_id = j.subject_id
    left join persistent_windows as w
        on
            j.method <> 'binomial' and w.review_month = j.review_month
            and w.subject_type = j.subject_type and w.subject_id = j.subject_id
    left join persistent_attainable as pa
        on
            pa.review_month = w.review_month and pa.subject_type = w.subject_type
            and pa.subject_id = w.subject_id and pa.k = w.months_with_findings
    left join adjusted as pd
        on
            pd.test = 'persistent' and pd.review_month = w.review_month
            and pd.subject_type = w.subject_type and pd.subject_id = w.subject_id
    left join chances as pc
        on
            pc.test = 'persistent' and pc.review_month = w.review_month
            and pc.subject_type = w.subject_type and pc.subject_id = w.subject_id
    left join persistent_needed as pn
        on
            pn.review_month = w.review_month and pn.subject_type = w.subject_type
            and pn.subject_id = w.subject_id
    left join persistent_needed as pp
        on
            pp.review_month = w.review_month - interval 1 month
            and pp.subject_type = w.subject_type and pp.subject_id = w.subject_id
    left join persistent_joint as pj
        on
            pj.review_month = w.review_month and pj.subject_type = w.subject_type
            and pj.subject_id = w.subject_id
    left join trend_tested as tw
        on
            j.method <> 'binomial' and tw.review_month = j.review_month
            and tw.subject_type = j.subject_type and tw.subject_id = j.subject_id
    left join trend_attainable as ta
        on
            ta.review_month = tw.review_month and ta.subject_type = tw.subject_type
            and ta.subject_id = tw.subject_id and ta.k = tw.trend_recent
    left join adjusted as td
        on
            td.test = 'rising_trend' and td.review_month = tw.review_month
            and td.subject_type = tw.subject_type and td.subject_id = tw.subject_id
    left join chances as tc
        on
            tc.test = 'rising_trend' and tc.review_month = tw.review_month
            and tc.subject_type = tw.subject_type and tc.subject_id = tw.subject_id
)

select
    l.subject_type,
    l.subject_id,
    l.peer_group,
    l.review_month,
    cast(l.review_month - to_months((select outlier_window - 1 from params)) as date)
        as period_start,
    least(
        cast(l.review_month + interval 1 month - interval 1 day as date),
        (select as_of from params)
    ) as period_end,
    l.observed,
    l.exposure,
    case when l.method = 'poisson_exposure' then 1000.0 * l.observed / nullif(l.exposure, 0)
    end as rate_per_1000,
    l.expected,
    l.peer_rate,
    l.tolerated_rate,
    l.test_rate,
    l.peers,
    l.method,
    l.activity_gap,
    l.share,
    case when l.method <> 'binomial' then l.group_observed end as group_findings,
    l.phi,
    l.tau2,
    l.tau2_se,
    l.limit_95,
    l.limit_998,
    l.p_value,
    l.q_value,
    l.family,
    l.threshold,
    l.chance_medium,
    l.chance_watch,
    l.persistent_months,
    l.persistent_window_months,
    l.persistent_month_chance,
    l.persistent_p_value,
    l.persistent_q_value,
    l.persistent_family,
    l.persistent_threshold,
    l.persistent_discovered,
    l.chance_persistent,
    l.persistent_months_needed,
    l.persistent_new,
    l.chance_persistent_both,
    l.chance_persistent_new,
    l.persistent_reason,
    l.trend_recent,
    l.trend_earlier,
    l.trend_recent_expected,
    l.trend_earlier_expected,
    l.trend_share,
    l.trend_p_value,
    l.trend_q_value,
    l.trend_family,
    l.trend_discovered,
    l.chance_trend,
    l.trend_reason,
    case
        when l.reason is not null then 'no_verdict'
        when l.method = 'binomial' and l.observed > l.limit_998 then 'outlier'
        when l.method = 'binomial' and l.observed > l.limit_95 then 'watch'
        when l.method = 'binomial' then 'within'
        when l.discovered then 'outlier'
        when l.p_flag <= 1 - (select outlier_watch_limit from params) then 'watch'
        else 'within'
    end as verdict,
    case
        when l.reason is not null then l.reason
        when
            l.method <> 'binomial' and l.observed < (select min_observed from params)
            and l.observed > l.limit_95 then 'fewer findings than the minimum to flag'
    end as reason
from limits as l
where l.review_month in (select review_month from review_months_out)
order by l.review_month, l.subject_type, l.subject_id
