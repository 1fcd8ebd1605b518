-- How many outlier_rate flags and high persistent flags chance alone would give each review month
-- (clauses 4.5, 6.2, 7.1): the sum over the staff and partners tested of the chance that one with
-- no real difference from its peers reaches the threshold that would flag it (the month's, or
-- for a subject not flagged the one a flag more would set: the procedure is step-up;
-- marts.funnel chance_medium, chance_watch, chance_persistent), against the flags the tests
-- actually raised (a persistent discovery resting only on findings under review is shown as
-- medium, not high). chance_persistent sums the same predictive tails as persistent's p-values
-- (averaged over the subject's rate over the peers' estimated one: the between-people gamma
-- divided by the estimate's own error), so the figure and the flags are judged alike: a
-- figure at the rate taken as exact would promise fewer flags than the test gives. The 95%
-- interval is the Poisson one with that mean: the number of such
-- flags is a sum of independent rare events, and the Poisson is slightly wider than their exact
-- (Poisson-binomial) distribution, so the interval errs on the wide side.
-- That holds for separate events, and high persistent flags are not: successive windows share
-- all but one month, so one person's streak is flagged in consecutive months. So the flags are
-- also counted as episodes (issue 24, fifth round): a high persistent flag of a subject not
-- high the month before is new, the others continue it; new ones are compared with the number
-- chance alone would start, the sum of P(flag now) - P(flag now and the month before)
-- (marts.funnel chance_persistent_new), with its Poisson interval.
with months as (
    select
        review_month,
        -- every review month has a row: one where nobody could be judged (issue 24: no
        -- verdict without a basis) says 0 tested and 0 by chance
        count(*) filter (where p_value is not null) as tested,
        count(*) filter (where verdict = 'outlier') as medium_flags,
        count(*) filter (where verdict in ('outlier', 'watch')) as watch_or_above_flags,
        coalesce(sum(chance_medium), 0) as expected_medium,
        coalesce(sum(chance_watch), 0) as expected_watch_or_above,
        any_value(threshold) as threshold
    from marts.funnel
    where subject_type in ('employee', 'partner')
    group by all
),

persistent as (
    select
        review_month,
        count(*) as persistent_tested,
        count(*) filter (where persistent_discovered) as persistent_high_flags,
        count(*) filter (where persistent_new) as persistent_new_flags,
        sum(chance_persistent) as expected_persistent_high,
        sum(chance_persistent_new) as expected_persistent_new,
        any_value(persistent_threshold) as persistent_threshold
    from marts.funnel
    where persistent_p_value is not null
    group by all
),

levels as (
    select review_month, 'medium' as level, expected_medium as expected from months
    union all
    select review_month, 'watch_or_above', expected_watch_or_above from months
    union all
    select review_month, 'persistent_high', expected_persistent_high from persistent
    union all
    select review_month, 'persistent_new', expected_persistent_new from persistent
),

terms as (
    select
        review_month, level, expected,
        unnest(range(0, cast(ceil(expected + 12 * sqrt(expected) + 20) as bigint))) as k
    from levels
),

cdf as (
    select
        *,
        sum(case
            when expected = 0 then cast((k = 0) as int)
            else exp(k * ln(expected) - expected - lgamma(k + 1))
        end)
            over (partition by review_month, level order by k) as cdf
    from terms
),

intervals as (
    select
        review_month, level,
        min(k) filter (where cdf >= 0.025) as low,
        min(k) filter (where cdf >= 0.975) as high
    from cdf
    group by all
)

select
    m.review_month,
    m.tested,
    m.threshold,
    m.medium_flags,
    m.expected_medium,
    im.low as medium_low,
    im.high as medium_high,
    m.watch_or_above_flags,
    m.expected_watch_or_above,
    iw.low as watch_low,
    iw.high as watch_high,
    coalesce(ps.persistent_tested, 0) as persistent_tested,
    ps.persistent_threshold,
    coalesce(ps.persistent_high_flags, 0) as persistent_high_flags,
    coalesce(ps.expected_persistent_high, 0) as expected_persistent_high,
    coalesce(ip.low, 0) as persistent_low,
    coalesce(ip.high, 0) as persistent_high,
    coalesce(ps.persistent_new_flags, 0) as persistent_new_flags,
    coalesce(ps.persistent_high_flags, 0) - coalesce(ps.persistent_new_flags, 0)
        as persistent_continuing_flags,
    coalesce(ps.expected_persistent_new, 0) as expected_persistent_new,
    coalesce(inw.low, 0) as persistent_new_low,
    coalesce(inw.high, 0) as persistent_new_high
from months as m
left join intervals as im on im.review_month = m.review_month and im.level = 'medium'
left join intervals as iw on iw.review_month = m.review_month and iw.level = 'watch_or_above'
left join persistent as ps on ps.review_month = m.review_month
left join intervals as ip on ip.review_month = m.review_month and ip.level = 'persistent_high'
left join intervals as inw on inw.review_month = m.review_month and inw.level = 'persistent_new'
order by m.review_month
