-- Clause 4.3 per resolution month: how often resolved complaints go to review, and how often a
-- decided review ('changed' or 'unchanged') changes the outcome. A review counts in the month
-- its complaint was resolved, so review_share is a share of that month's resolved complaints.
with resolved_complaints as (
    select
        cast(date_trunc('month', resolution_date) as date) as month,
        review_requested_at,
        review_outcome
    from marts.complaint_sla
    where resolution_date is not null
),

monthly_counts as (
    select
        month,
        count(*) as resolved,
        count(review_requested_at) as review_requests,
        count(*) filter (
            where review_requested_at is not null and review_outcome in ('changed', 'unchanged')
        ) as reviews_decided,
        count(*) filter (
            where review_requested_at is not null and review_outcome = 'changed'
        ) as reviews_changed
    from resolved_complaints
    group by all
)

select
    month,
    resolved,
    review_requests,
    review_requests / nullif(resolved, 0) as review_share,
    reviews_decided,
    review_requests - reviews_decided as reviews_pending,
    reviews_changed,
    reviews_changed / nullif(reviews_decided, 0) as changed_share
from monthly_counts
order by month
