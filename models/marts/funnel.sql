-- The statistics behind outlier_rate and handler_sla (clauses 3.5, 4.5, 5.1, 6.2), one row per
-- subject and review month, flagged or not (the quality report's funnel plots).
--
-- Staff and partners: substantiated conduct findings decided in the outlier window against the
-- count expected from their exposure at their peers' pooled rate (same team / partner_type, the
-- subject itself left out). Without activity data a subject is compared only with peers that
-- also lack it, as if all had equal activity. The test is the exact one-sided Poisson test,
-- p = P(X >= observed), valid at any expected count; a subject with fewer than min_observed
-- findings is never flagged (p is taken as 1), which is what keeps 1 finding against 0.05
-- expected from being a flag. When the peers had no finding at all, the expected count is 0 and
-- p is the exact conditional chance that all findings fall on this subject: share^observed.
-- Over-dispersion (Spiegelhalter 2005): when staff (or partners) vary more than Poisson allows,
-- phi = the mean squared z-score winsorised at the 10th/90th percentiles, from 10 or more
-- subjects expecting at least dispersion_min_expected findings; the excess over the expected
-- count is shrunk by sqrt(phi) before the test, which is the same as widening the limits.
-- Multiplicity: the false-discovery rate over every staff member and partner tested in the
-- review month is held at outlier_fdr (medium) by the discrete Benjamini-Hochberg procedure
-- below; watch is p <= 1 - outlier_watch_limit for one subject (above the exact 95% limit). chance_medium / chance_watch: the probability
-- that a subject with no real difference would reach this month's threshold (the largest
-- attainable p-value at or below it); their sums are the flags chance alone would give.
--
-- Handlers: missed deadlines against the binomial at the larger of the other handlers' breach
-- share and the share the policy tolerates (1 - the SLA goal), so perfect peers do not switch the
-- rule off; outlier above the exact 99.8% limit.
with params as (
    select p.*, b.as_of, b.sla_goal, cast(date_trunc('month', b.as_of) as date) as last_month
    from core.pattern_params as p
    cross join core.build_params as b
),

review_months as (
    select distinct month as review_month
    from marts.subject_monthly
    where month <= (select last_month from params)
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
        bool_or(s.month = r.review_month) as active
    from review_months as r
    inner join marts.subject_monthly as s
        on s.month <= r.review_month
        and s.month > r.review_month - to_months((select outlier_window from params))
    group by all
),

peer_totals as (
    select
        review_month, subject_type, peer_group, exposure is not null as with_exposure,
        count(*) as peer_n, sum(observed) as peer_observed, sum(exposure) as peer_exposure
    from subject_windows
    where active
    group by all
),

subject_expected as (
    select
        w.*,
        t.peer_n - 1 as peers,
        case when w.exposure is not null then 'poisson_exposure'
            else 'poisson_equal_activity' end as method,
        case when w.exposure is not null
            then (t.peer_observed - w.observed) / nullif(t.peer_exposure - w.exposure, 0)
            else (t.peer_observed - w.observed) / nullif(t.peer_n - 1, 0)
        end as peer_rate,
        -- the subject's share of its group's activity: the chance that any one finding of the
        -- group falls on it when all have the same rate
        case when w.exposure is not null then w.exposure / nullif(t.peer_exposure, 0)
            else 1.0 / t.peer_n end as share,
        null::double as tolerated_rate
    from subject_windows as w
    inner join peer_totals as t
        on t.review_month = w.review_month and t.subject_type = w.subject_type
        and t.peer_group = w.peer_group and t.with_exposure = (w.exposure is not null)
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
        on h.month <= r.review_month
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
        peer_rate, share, tolerated_rate, activity_gap, peer_rate as test_rate,
        case when method = 'poisson_equal_activity' then peer_rate
            else exposure * peer_rate end as expected
    from subject_expected
    union all by name
    select
        review_month, subject_type, subject_id, 'all handlers' as peer_group, observed, exposure,
        peers, method, peer_rate, null as share, tolerated_rate, false as activity_gap,
        greatest(coalesce(peer_rate, 0), tolerated_rate) as test_rate,
        exposure * greatest(coalesce(peer_rate, 0), tolerated_rate) as expected
    from handler_expected
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
            when e.peers < 1 then 'no peers to compare with'
            when e.peer_rate is null then 'peers have no exposure'
        end as reason
    from expected as e
    cross join params as p
),

-- Over-dispersion between staff (or partners) in a month, from subjects whose expected count
-- is large enough for a z-score to mean something.
z_scores as (
    select review_month, subject_type, (observed - expected) / sqrt(expected) as z
    from judged
    where reason is null and method <> 'binomial'
        and expected >= (select dispersion_min_expected from params)
),

dispersion as (
    select
        z.review_month,
        z.subject_type,
        count(*) as n,
        avg(power(least(greatest(z.z, q.z10), q.z90), 2)) as phi_raw
    from z_scores as z
    inner join (
        select
            review_month, subject_type,
            quantile_cont(z, 0.1) as z10, quantile_cont(z, 0.9) as z90
        from z_scores
        group by all
    ) as q using (review_month, subject_type)
    group by all
),

tested as (
    select
        j.*,
        case when j.method <> 'binomial' and d.n >= 10 then greatest(1.0, d.phi_raw)
            else 1.0 end as phi
    from judged as j
    left join dispersion as d using (review_month, subject_type)
    where j.reason is null
),

-- Probabilities k = 0..K under the null, far enough into the tail for the limits, the
-- observed count and the thresholds.
terms as (
    select
        review_month, subject_type, subject_id, expected, test_rate, exposure, method, phi,
        observed,
        unnest(range(0, cast(case
            when method = 'binomial' then least(exposure,
                greatest(observed, ceil(expected + 12 * sqrt(expected) + 25))) + 1
            else greatest(observed, ceil(expected + sqrt(phi) * (12 * sqrt(expected) + 25))) + 2
        end as bigint))) as k
    from tested
    where method = 'binomial' or expected > 0
),

pmf as (
    select
        *,
        exp(case
            when method = 'binomial' then
                lgamma(exposure + 1) - lgamma(k + 1) - lgamma(exposure - k + 1)
                + k * ln(test_rate) + (exposure - k) * ln(1 - test_rate)
            else k * ln(expected) - expected - lgamma(k + 1)
        end) as probability
    from terms
),

tails as (
    select
        *,
        sum(probability) over (w order by k) as cdf,
        -- P(X >= k), summed from the far tail so that small p-values keep their precision
        sum(probability) over (w order by k desc) as tail
    from pmf
    window w as (partition by review_month, subject_type, subject_id)
),

quantiles as (
    select
        review_month, subject_type, subject_id,
        min(k) filter (where cdf >= (select outlier_watch_limit from params)) as q_95,
        min(k) filter (where cdf >= (select outlier_high_limit from params)) as q_998
    from tails
    group by all
),

-- The p-value each possible count k would have: the tail at the count shrunk by sqrt(phi)
-- towards the expected one (no shrinking for handlers, or when phi = 1).
attainable as (
    select
        a.review_month, a.subject_type, a.subject_id, a.k,
        coalesce(b.tail, case when a.method = 'binomial' then 0.0 else 1.0 end) as p_value
    from tails as a
    left join tails as b
        on b.review_month = a.review_month and b.subject_type = a.subject_type
        and b.subject_id = a.subject_id
        and b.k = greatest(0, cast(ceil(a.expected + (a.k - a.expected) / sqrt(a.phi) - 1e-9)
            as bigint))
    union all
    -- peers without findings: all observed findings on this subject, chance share^k
    select t.review_month, t.subject_type, t.subject_id, k.k, power(t.share, k.k) as p_value
    from tested as t
    cross join (select unnest(range(0, 60)) as k) as k
    where t.method <> 'binomial' and t.expected = 0
),

observed_p as (
    select
        t.*,
        coalesce(a.p_value, power(t.share, t.observed)) as p_value,
        case when t.method = 'binomial' or t.observed >= p.min_observed
            then coalesce(a.p_value, power(t.share, t.observed)) else 1.0 end as p_flag
    from tested as t
    cross join params as p
    left join attainable as a
        on a.review_month = t.review_month and a.subject_type = t.subject_type
        and a.subject_id = t.subject_id and a.k = t.observed
),

-- The false-discovery rate over the staff and partners tested in each review month, by the
-- discrete Benjamini-Hochberg procedure of Heyse (2011): at a threshold t, the flags that
-- subjects with no real difference would give number S(t) = sum_i F_i(t), F_i(t) being the
-- largest p-value subject i can attain at or below t with min_observed findings or more (BH's
-- m * t, made exact for counts: a subject expecting 0.1 findings almost never reaches t at all).
-- The month's threshold is the largest t with S(t) <= outlier_fdr * max(R(t), 1), R(t) the
-- subjects at or below it; with continuous p-values this is exactly Benjamini-Hochberg.
-- Candidate thresholds: the observed p-values and a grid down from outlier_fdr (for the
-- threshold a first flag must pass).
family as (
    select review_month, count(*) as family
    from observed_p
    where method <> 'binomial'
    group by all
),

candidates as (
    select distinct review_month, p_flag as t
    from observed_p
    where method <> 'binomial' and p_flag < 1
    union
    select f.review_month, p.outlier_fdr * power(10.0, -g.g / 6.0) as t
    from family as f
    cross join params as p
    cross join (select unnest(range(0, 61)) as g) as g
),

reachable as (
    select a.*
    from attainable as a
    where a.subject_type <> 'handler' and a.k >= (select min_observed from params)
        and a.p_value > 1e-15
),

per_subject as (
    select c.review_month, c.t, a.subject_type, a.subject_id, max(a.p_value) as f
    from candidates as c
    inner join reachable as a on a.review_month = c.review_month and a.p_value <= c.t
    group by all
),

estimates as (
    select
        c.review_month, c.t,
        coalesce((select sum(s.f) from per_subject as s
            where s.review_month = c.review_month and s.t = c.t), 0) as expected_false,
        (select count(*) from observed_p as o
            where o.review_month = c.review_month and o.method <> 'binomial'
                and o.p_flag <= c.t) as flagged
    from candidates as c
),

thresholds as (
    select review_month, max(t) as threshold
    from estimates
    where expected_false <= (select outlier_fdr from params) * greatest(flagged, 1)
    group by all
),

adjusted as (
    select
        o.review_month, o.subject_type, o.subject_id, f.family, h.threshold,
        o.p_flag <= h.threshold as discovered,
        -- the smallest estimated false-discovery rate of any threshold that flags this subject
        least(1.0, (select min(e.expected_false / e.flagged) from estimates as e
            where e.review_month = o.review_month and e.t >= o.p_flag and e.flagged > 0))
            as q_value
    from observed_p as o
    inner join family as f using (review_month)
    left join thresholds as h using (review_month)
    where o.method <> 'binomial'
),

-- The chance that a subject with no real difference reaches the month's threshold (and the
-- watch level): the largest p-value it can attain at or below it.
chances as (
    select
        d.review_month, d.subject_type, d.subject_id,
        coalesce(max(a.p_value) filter (where a.p_value <= d.threshold), 0) as chance_medium,
        coalesce(max(a.p_value) filter (
            where a.p_value <= 1 - (select outlier_watch_limit from params)
        ), 0) as chance_watch
    from adjusted as d
    left join reachable as a
        on a.review_month = d.review_month and a.subject_type = d.subject_type
        and a.subject_id = d.subject_id
    group by all
),

limits as (
    select
        j.*,
        t.phi,
        o.p_value,
        o.p_flag,
        d.q_value,
        d.family,
        d.threshold,
        d.discovered,
        c.chance_medium,
        c.chance_watch,
        j.expected + sqrt(t.phi) * (coalesce(q.q_95, 0) - j.expected) as limit_95,
        j.expected + sqrt(t.phi) * (coalesce(q.q_998, 0) - j.expected) as limit_998
    from judged as j
    left join tested as t using (review_month, subject_type, subject_id)
    left join observed_p as o using (review_month, subject_type, subject_id)
    left join quantiles as q using (review_month, subject_type, subject_id)
    left join adjusted as d using (review_month, subject_type, subject_id)
    left join chances as c using (review_month, subject_type, subject_id)
)

select
    l.subject_type,
    l.subject_id,
    l.peer_group,
    l.review_month,
    cast(l.review_month - to_months((select outlier_window - 1 from params)) as date)
        as period_start,
    least(cast(l.review_month + interval 1 month - interval 1 day as date),
        (select as_of from params)) as period_end,
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
    l.phi,
    l.limit_95,
    l.limit_998,
    l.p_value,
    l.q_value,
    l.family,
    l.threshold,
    l.chance_medium,
    l.chance_watch,
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
        when l.method <> 'binomial' and l.observed < (select min_observed from params)
            and l.observed > l.limit_95 then 'fewer findings than the minimum to flag'
    end as reason
from limits as l
order by l.review_month, l.subject_type, l.subject_id
