-- The open backlog on as_of (complaints received by then with no first response), aged in
-- disjoint bands that add up to it: still within the working-day limit (clause 5.1), overdue up
-- to 8 weeks since receipt (56 calendar days, as in marts.complaints_return), overdue for
-- longer. One row per band, zero rows included, so the page can show every band.
with params as (
    select as_of from core.build_params
),

bands as (
    select * from (
        values (1, 'within_limit'), (2, 'overdue_to_8_weeks'), (3, 'overdue_over_8_weeks')
    ) as t (band_order, band)
),

open_complaints as (
    select
        case
            when s.sla_status = 'open_within_sla' then 'within_limit'
            when date_diff('day', s.receipt_date, p.as_of) <= 56 then 'overdue_to_8_weeks'
            else 'overdue_over_8_weeks'
        end as band
    from marts.complaint_sla as s
    cross join params as p
    where s.response_date is null and s.sla_status in ('open_within_sla', 'open_overdue')
)

select
    p.as_of,
    b.band_order,
    b.band,
    count(o.band) as complaints
from bands as b
cross join params as p
left join open_complaints as o using (band)
group by all
order by b.band_order
