-- The figures a complaints-return reader expects, per calendar month: complaints received (by
-- receipt), complaints closed (by resolution date) with their outcomes, and how long the closed
-- ones took, in disjoint bands that add up to closed: within the policy's working-day limit
-- (clause 5.1, core.build_params), after it but within 8 weeks (56 calendar days: the final-
-- response deadline regulators' complaint returns measure, FCA DISP 1.6.2), after 8 weeks, or
-- unknown (a resolution date outside core.calendar).
with params as (
    select sla_working_days from core.build_params
),

received as (
    select
        cast(date_trunc('month', receipt_date) as date) as month,
        count(*) as received
    from marts.complaint_sla
    group by all
),

closed as (
    select
        cast(date_trunc('month', s.resolution_date) as date) as month,
        count(*) as closed,
        count(*) filter (where s.outcome in ('upheld', 'partially_upheld')) as closed_upheld,
        count(*) filter (where s.outcome = 'not_upheld') as closed_not_upheld,
        count(*) filter (where s.outcome = 'withdrawn') as closed_withdrawn,
        count(*) filter (
            where s.outcome is null or s.outcome not in (
                'upheld', 'partially_upheld', 'not_upheld', 'withdrawn'
            )
        ) as closed_no_outcome,
        count(*) filter (
            where s.working_days_to_resolution <= p.sla_working_days
        ) as closed_within_limit,
        count(*) filter (
            where s.working_days_to_resolution > p.sla_working_days
            and s.calendar_days_to_resolution <= 56
        ) as closed_within_8_weeks,
        count(*) filter (
            where s.working_days_to_resolution > p.sla_working_days
            and s.calendar_days_to_resolution > 56
        ) as closed_after_8_weeks,
        count(*) filter (where s.working_days_to_resolution is null) as closed_time_unknown
    from marts.complaint_sla as s
    cross join params as p
    where s.resolution_date is not null
    group by all
)

select
    month,
    coalesce(r.received, 0) as received,
    coalesce(c.closed, 0) as closed,
    coalesce(c.closed_upheld, 0) as closed_upheld,
    coalesce(c.closed_not_upheld, 0) as closed_not_upheld,
    coalesce(c.closed_withdrawn, 0) as closed_withdrawn,
    coalesce(c.closed_no_outcome, 0) as closed_no_outcome,
    c.closed_upheld / nullif(c.closed, 0) as upheld_share,
    coalesce(c.closed_within_limit, 0) as closed_within_limit,
    coalesce(c.closed_within_8_weeks, 0) as closed_within_8_weeks,
    coalesce(c.closed_after_8_weeks, 0) as closed_after_8_weeks,
    coalesce(c.closed_time_unknown, 0) as closed_time_unknown
from received as r
full outer join closed as c using (month)
order by month
