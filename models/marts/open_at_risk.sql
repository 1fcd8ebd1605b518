-- Open complaints (no first response) overdue or due within at_risk_working_days of as_of.
-- working_days_left = working days in (as_of, due_date]: 0 means due on as_of. Once overdue
-- (as_of after due_date) it is negative, and at most -1 even when as_of falls on the weekend
-- right after the due date, when no further working day has passed yet.
with params as (
    select as_of, at_risk_working_days from core.build_params
),

as_of_number as (
    select c.working_day_number
    from core.calendar as c
    inner join params as p on c.date = p.as_of
),

open_complaints as (
    select
        s.*,
        p.as_of,
        p.at_risk_working_days,
        due.working_day_number - a.working_day_number as working_days_to_due
    from marts.complaint_sla as s
    cross join params as p
    cross join as_of_number as a
    inner join core.calendar as due on due.date = s.due_date
    where s.response_date is null
),

open_with_days_left as (
    select
        *,
        case
            when as_of > due_date then least(working_days_to_due, -1)
            else working_days_to_due
        end as working_days_left
    from open_complaints
)

select
    complaint_id,
    received_at,
    receipt_date,
    due_date,
    as_of,
    working_days_left,
    date_diff('day', receipt_date, as_of) as calendar_days_open,
    sla_status,
    handler_id,
    handler_team,
    employee_id,
    partner_id,
    category,
    channel
from open_with_days_left
where sla_status = 'open_overdue' or working_days_left <= at_risk_working_days
order by due_date, received_at, complaint_id
