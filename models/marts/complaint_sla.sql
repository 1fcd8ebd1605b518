-- One row per complaint: receipt, due and response dates counted in working days (clause 5.1).
-- due_date is the Nth working day strictly after the day of receipt (N = sla_working_days); a
-- complaint received on a weekend or holiday counts from the next working day the same way.
-- With W(d) = core.calendar.working_day_number (working days up to and including d), the
-- working days in (a, b] number W(b) - W(a), and the due date is the working day numbered
-- W(receipt_date) + N, so every count below is a subtraction and the due date an equi-join.
-- A complaint resolved with no first response recorded was answered by its resolution: the
-- resolution is its first response for the deadline (the load warns resolved_without_response
-- so the register gets fixed), never open_overdue for ever.
-- A complaint last seen in an export with neither a first-response nor a resolution column
-- (core.load_log.response_columns false) cannot be measured: sla_status 'not_measurable' and no
-- due date, so it is never counted as overdue or at risk.
with params as (
    select as_of, sla_working_days from core.build_params
),

unmeasurable_exports as (
    select distinct source_sha256
    from core.load_log
    where kind = 'register' and response_columns = false
),

complaint_dates as (
    select
        c.*,
        cast(c.received_at as date) as receipt_date,
        cast(coalesce(c.first_response_at, c.resolved_at) as date) as response_date,
        c.first_response_at is null and c.resolved_at is not null as response_is_resolution,
        cast(c.resolved_at as date) as resolution_date,
        u.source_sha256 is null as sla_measurable
    from core.complaints as c
    left join unmeasurable_exports as u on u.source_sha256 = c.source_sha256
),

complaint_day_numbers as (
    select
        d.*,
        rc.working_day_number as receipt_number,
        rp.working_day_number as response_number,
        rs.working_day_number as resolution_number
    from complaint_dates as d
    left join core.calendar as rc on rc.date = d.receipt_date
    left join core.calendar as rp on rp.date = d.response_date
    left join core.calendar as rs on rs.date = d.resolution_date
),

due_dates as (
    select
        n.*,
        due.date as due_date,
        p.as_of
    from complaint_day_numbers as n
    cross join params as p
    left join core.calendar as due
        on
            n.sla_measurable
            and due.is_working_day
            and due.working_day_number = n.receipt_number + p.sla_working_days
),

handler_teams as (
    select employee_id as handler_id, team as handler_team from core.staff
)

select
    d.complaint_id,
    d.received_at,
    d.first_response_at,
    d.resolved_at,
    d.receipt_date,
    d.due_date,
    d.response_date,
    d.response_is_resolution,
    d.response_number - d.receipt_number as working_days_to_response,
    case
        when not d.sla_measurable then 'not_measurable'
        when d.due_date is null then null  -- receipt date outside core.calendar
        when d.response_date is not null and d.response_date <= d.due_date then 'met'
        when d.response_date is not null then 'breached'
        when d.as_of > d.due_date then 'open_overdue'
        else 'open_within_sla'
    end as sla_status,
    d.resolution_date,
    date_diff('day', d.receipt_date, d.resolution_date) as calendar_days_to_resolution,
    d.resolution_number - d.receipt_number as working_days_to_resolution,
    d.handler_id,
    h.handler_team,
    d.employee_id,
    d.partner_id,
    d.category,
    d.subcategory,
    d.channel,
    d.status,
    d.outcome,
    d.review_requested_at,
    d.review_outcome
from due_dates as d
left join handler_teams as h on h.handler_id = d.handler_id
