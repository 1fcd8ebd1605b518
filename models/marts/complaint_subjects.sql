-- Each complaint with the staff member or partner it names (a complaint naming both appears
-- twice): the one place that says who a complaint is about, and whether it was substantiated
-- (upheld or partially upheld) rather than an allegation (clauses 3.4, 3.5, 4.5).
select
    'employee' as subject_type, employee_id as subject_id, complaint_id, received_at,
    cast(date_trunc('month', received_at) as date) as month, subcategory, outcome,
    coalesce(outcome in ('upheld', 'partially_upheld'), false) as substantiated
from core.complaints
where employee_id is not null
union all
select
    'partner' as subject_type, partner_id as subject_id, complaint_id, received_at,
    cast(date_trunc('month', received_at) as date) as month, subcategory, outcome,
    coalesce(outcome in ('upheld', 'partially_upheld'), false) as substantiated
from core.complaints
where partner_id is not null
