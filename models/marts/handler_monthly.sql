-- Per complaint handler and receipt month: complaints handled, the 7-working-day limit met or
-- missed, and reviews that changed the outcome (clauses 5.1, 6.3).
-- breach_share = (breached + open_overdue) / (met + breached + open_overdue), the complement of
-- the SLA compliance rate; complaints open and not yet due are left out.
select
    cast(date_trunc('month', receipt_date) as date) as month,
    handler_id,
    any_value(handler_team) as handler_team,
    count(*) as handled,
    count(*) filter (where sla_status = 'met') as met,
    count(*) filter (where sla_status = 'breached') as breached,
    count(*) filter (where sla_status = 'open_overdue') as open_overdue,
    count(*) filter (where sla_status = 'open_within_sla') as open_within_sla,
    met / nullif(met + breached + open_overdue, 0) as compliance_rate,
    (breached + open_overdue) / nullif(met + breached + open_overdue, 0) as breach_share,
    count(review_requested_at) as reviews_requested,
    count(*) filter (where review_outcome = 'changed') as reviews_changed
from marts.complaint_sla
where handler_id is not null
group by all
order by month, handler_id
