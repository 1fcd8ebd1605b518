-- Funnel-plot statistics behind outlier_rate and handler_sla (clauses 3.5, 4.5, 5.1, 6.2).
-- One row per subject and review month. Staff and partners: substantiated complaints over the
-- outlier window against the count expected from their exposure at their peers' pooled rate
-- (same team / same partner_type, the subject itself left out). Without activity data a subject
-- is compared only with peers that also lack it, as if all had equal activity. Handlers: missed
-- deadlines against the other handlers' breach share at the handler's volume.
-- Limits are exact quantiles (smallest k with P(X <= k) >= p): Poisson for counts, binomial for
-- shares, summed here term by term from log-probabilities. When staff (or partners) vary more
-- than Poisson allows, the limits widen by sqrt(phi), phi being the mean squared winsorised
-- z-score (Spiegelhalter 2005), estimated only from 10 or more subjects.
with params as (
    select p.*, b.as_of, cast(date_trunc('month', b.as_of) as date) as last_month
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
        end as peer_rate
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
            / nullif(sum(w.exposure) over m - w.exposure, 0) as peer_rate
    from handler_windows as w
    window m as (partition by w.review_month)
),

expected as (
    select
        review_month, subject_type, subject_id, peer_group, observed, exposure, peers, method,
        peer_rate,
        case when method = 'poisson_equal_activity' then peer_rate
            else exposure * peer_rate end as expected
    from subject_expected
    union all by name
    select
        review_month, subject_type, subject_id, 'all handlers' as peer_group, observed, exposure,
        peers, method, peer_rate, exposure * peer_rate as expected
    from handler_expected
),

judged as (
    select
        e.*,
        case
            when e.peers < 1 then 'no peers to compare with'
            when e.peer_rate is null then 'peers have no exposure'
            when e.method = 'binomial' and e.exposure < p.handler_min_volume
                then 'volume below the minimum'
            when e.method = 'binomial' and (e.peer_rate <= 0 or e.peer_rate >= 1)
                then 'peers all met or all missed the deadline'
            when e.method <> 'binomial' and e.expected < p.min_expected
                then 'expected count below the minimum'
        end as reason
    from expected as e
    cross join params as p
),

-- Over-dispersion between staff (or partners) in a month, from subjects that get a verdict.
z_scores as (
    select
        review_month, subject_type,
        (observed - expected) / sqrt(expected) as z
    from judged
    where reason is null and method <> 'binomial'
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

terms as (
    select
        review_month, subject_type, subject_id, expected, peer_rate, exposure, method,
        unnest(range(0, cast(case
            -- far enough into the tail that the quantiles are reached
            when method = 'binomial'
                then least(exposure, ceil(expected + 12 * sqrt(expected) + 20)) + 1
            else ceil(expected + 12 * sqrt(expected) + 20)
        end as bigint))) as k
    from judged
    where reason is null
),

probabilities as (
    select
        *,
        sum(exp(case
            when method = 'binomial' then
                lgamma(exposure + 1) - lgamma(k + 1) - lgamma(exposure - k + 1)
                + k * ln(peer_rate) + (exposure - k) * ln(1 - peer_rate)
            else k * ln(expected) - expected - lgamma(k + 1)
        end)) over (
            partition by review_month, subject_type, subject_id order by k
        ) as cdf
    from terms
),

quantiles as (
    select
        review_month, subject_type, subject_id,
        min(k) filter (where cdf >= (select outlier_watch_limit from params)) as q_95,
        min(k) filter (where cdf >= (select outlier_high_limit from params)) as q_998
    from probabilities
    group by all
),

limits as (
    select
        j.*,
        case when j.method <> 'binomial' and d.n >= 10 then greatest(1.0, d.phi_raw)
            else 1.0 end as phi,
        j.expected + sqrt(phi) * (coalesce(q.q_95, j.exposure) - j.expected) as limit_95,
        j.expected + sqrt(phi) * (coalesce(q.q_998, j.exposure) - j.expected) as limit_998
    from judged as j
    left join quantiles as q using (review_month, subject_type, subject_id)
    left join dispersion as d using (review_month, subject_type)
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
    l.peers,
    l.method,
    case when l.reason is null then l.phi end as phi,
    case when l.reason is null then l.limit_95 end as limit_95,
    case when l.reason is null then l.limit_998 end as limit_998,
    case
        when l.reason is not null then 'no_verdict'
        when l.observed > l.limit_998 then 'above_998'
        when l.observed > l.limit_95 then 'above_95'
        else 'within'
    end as verdict,
    l.reason
from limits as l
order by l.review_month, l.subject_type, l.subject_id
