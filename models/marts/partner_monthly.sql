-- Per partner and month: complaints naming the partner, findings apart from allegations,
-- exposure and rate per 1,000 interactions (clause 3.5: drop partners who breach the policy).
select
    month,
    subject_id as partner_id,
    peer_group as partner_type,
    * exclude (month, subject_type, subject_id, peer_group)
from marts.subject_monthly
where subject_type = 'partner'
