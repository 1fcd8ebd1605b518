-- Clause 5.1 per receipt month: how many complaints were answered within the working-day limit.
-- compliance_rate = met / (met + breached + open_overdue): complaints still open but not yet
-- due are left out, since they may yet be met; so are those whose export had no response
-- column (not_measurable): their compliance is unknown, not zero.
with params as (
    select sla_goal from core.build_params
),

monthly_counts as (
    select
        cast(date_trunc('month', receipt_date) as date) as month,
        count(*) as received,
        count(response_date) as responded,
        count(*) filter (where sla_status = 'met') as met,
        count(*) filter (where sla_status = 'breached') as breached,
        count(*) filter (where sla_status = 'open_within_sla') as open_within_sla,
        count(*) filter (where sla_status = 'open_overdue') as open_overdue,
        count(*) filter (where sla_status = 'not_measurable') as not_measurable,
        median(working_days_to_response) as median_working_days_to_response,
        quantile_cont(working_days_to_response, 0.9) as p90_working_days_to_response,
        median(working_days_to_resolution) as median_working_days_to_resolution
    from marts.complaint_sla
    group by all
)

select
    m.month,
    m.received,
    m.responded,
    m.met,
    m.breached,
    m.open_within_sla,
    m.open_overdue,
    m.met / nullif(m.met + m.breached + m.open_overdue, 0) as compliance_rate,
    m.median_working_days_to_response,
    m.p90_working_days_to_response,
    m.median_working_days_to_resolution,
    p.sla_goal,
    m.met / nullif(m.met + m.breached + m.open_overdue, 0) >= p.sla_goal as meets_goal,
    m.not_measurable
from monthly_counts as m
cross join params as p
order by m.month
