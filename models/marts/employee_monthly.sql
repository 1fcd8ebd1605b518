-- Per staff member and month: complaints naming them, findings apart from allegations, exposure
-- and rate per 1,000 interactions (clauses 3.4, 6.2, 7.1). Staff are identified by code only.
select
    month,
    subject_id as employee_id,
    peer_group as team,
    * exclude (month, subject_type, subject_id, peer_group)
from marts.subject_monthly
where subject_type = 'employee'
