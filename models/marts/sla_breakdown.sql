-- Clause 5.1 per receipt month and dimension value, long format; each dimension's rows add up to
-- the month's row in marts.sla_monthly (a missing value is its own row, '(unknown)').
with params as (
    select sla_goal from core.build_params
),

dimensions as (
    select * from (
        values ('category'), ('channel'), ('handler_team'), ('handler'), ('partner')
    ) as t (dimension)
),

complaint_dimension_values as (
    select
        cast(date_trunc('month', s.receipt_date) as date) as month,
        d.dimension,
        coalesce(
            case d.dimension
                when 'category' then s.category
                when 'channel' then s.channel
                when 'handler_team' then s.handler_team
                when 'handler' then s.handler_id
                when 'partner' then s.partner_id
            end,
            '(unknown)'
        ) as dimension_value,
        s.response_date,
        s.sla_status,
        s.working_days_to_response
    from marts.complaint_sla as s
    cross join dimensions as d
),

breakdown_counts as (
    select
        month,
        dimension,
        dimension_value,
        count(*) as received,
        count(response_date) as responded,
        count(*) filter (where sla_status = 'met') as met,
        count(*) filter (where sla_status = 'breached') as breached,
        count(*) filter (where sla_status = 'open_within_sla') as open_within_sla,
        count(*) filter (where sla_status = 'open_overdue') as open_overdue,
        median(working_days_to_response) as median_working_days_to_response
    from complaint_dimension_values
    group by all
)

select
    b.month,
    b.dimension,
    b.dimension_value,
    b.received,
    b.responded,
    b.met,
    b.breached,
    b.open_within_sla,
    b.open_overdue,
    b.met / nullif(b.met + b.breached + b.open_overdue, 0) as compliance_rate,
    b.median_working_days_to_response,
    p.sla_goal
from breakdown_counts as b
cross join params as p
order by b.month, b.dimension, b.dimension_value
