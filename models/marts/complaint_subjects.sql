-- Each complaint with the staff member or partner it names (a complaint naming both appears
-- twice): the one place that says who a complaint is about, whether it is a conduct finding that
-- counts against them, when it was decided and where its review stands (clauses 3.4, 3.5, 4.3,
-- 4.5). docs/statistics.md defines each column.
--
-- finding: the latest outcome is upheld or partially upheld.
-- conduct: the conduct category of the subject (staff_conduct for staff, partner_conduct for
--   partners); only those feed the conduct flags, other complaints naming a person are shown
--   beside them.
-- appeal (clause 4.3, from review_requested_at, review_outcome and the version history):
--   under_review      a review was requested and is not decided (review_outcome empty/pending);
--   upheld_on_review  review_outcome = unchanged;
--   changed_on_review review_outcome = changed and the register recorded a new outcome (a
--                     version before the review decision had another outcome);
--   overturned        review_outcome = changed and the finding no longer stands: the recorded
--                     outcome went from upheld/partially upheld to not upheld/withdrawn, or the
--                     register still shows the pre-review outcome (the new one was not
--                     recorded, so the finding cannot be taken as standing).
-- substantiated: a conduct finding that counts: finding, conduct, not overturned.
-- decided_at: when the finding became substantiated: the first export that showed it upheld or
--   partially upheld, or resolved_at when later. In the warehouse's first export (history loaded
--   at once) the export date says nothing about the decision, so resolved_at is used.
with exports as (
    select min(first_exported_at) as first_export from core.complaint_versions
),

history as (
    select
        complaint_id,
        min(first_exported_at) filter (where outcome in ('upheld', 'partially_upheld'))
            as first_substantiated_export,
        -- the outcome the review was about: the latest version without a review decision
        arg_max(outcome, exported_at) filter (
            where coalesce(review_outcome, 'pending') = 'pending'
        ) as outcome_before_review
    from core.complaint_versions
    group by complaint_id
),

complaints as (
    select
        c.*,
        coalesce(c.outcome in ('upheld', 'partially_upheld'), false) as finding,
        case
            when
                c.review_requested_at is not null
                and coalesce(c.review_outcome, 'pending') = 'pending' then 'under_review'
            when c.review_outcome = 'unchanged' then 'upheld_on_review'
            when
                c.review_outcome = 'changed'
                and (h.outcome_before_review is null or h.outcome_before_review = c.outcome)
                and c.outcome in ('upheld', 'partially_upheld') then 'overturned'
            when
                c.review_outcome = 'changed'
                and h.outcome_before_review in ('upheld', 'partially_upheld')
                and c.outcome not in ('upheld', 'partially_upheld') then 'overturned'
            when c.review_outcome = 'changed' then 'changed_on_review'
        end as appeal,
        case
            when c.outcome not in ('upheld', 'partially_upheld') then null
            when h.first_substantiated_export = e.first_export
                then coalesce(c.resolved_at, h.first_substantiated_export)
            else greatest(c.resolved_at, h.first_substantiated_export)
        end as decided_at
    from core.complaints as c
    cross join exports as e
    left join history as h using (complaint_id)
),

named as (
    select
        'employee' as subject_type, employee_id as subject_id,
        category = 'staff_conduct' as conduct, *
    from complaints
    where employee_id is not null
    union all by name
    select
        'partner' as subject_type, partner_id as subject_id,
        category = 'partner_conduct' as conduct, *
    from complaints
    where partner_id is not null
),

subjects as (
    select
        subject_type, subject_id, complaint_id, received_at, customer_key,
        cast(date_trunc('month', received_at) as date) as month, category,
        coalesce(conduct, false) as conduct, subcategory, outcome, review_outcome, appeal,
        finding and coalesce(conduct, false) and (appeal is distinct from 'overturned')
            as substantiated,
        finding and not coalesce(conduct, false) and (appeal is distinct from 'overturned')
            as other_finding,
        resolved_at,
        case when finding then decided_at end as decided_at,
        case when finding then cast(date_trunc('month', decided_at) as date) end as decision_month
    from named
),

-- Repeated complaints (issue 24): a substantiated finding received within repeat_days of the
-- same customer's previous substantiated finding about the same person is a repeat of one
-- incident, not a new finding: it stays listed (substantiated) but counts once, under the
-- first complaint of its chain (repeat_of). By customer_key, never by name.
chained as (
    select
        *,
        coalesce(
            substantiated and customer_key is not null
            and received_at <= lag(received_at) over w
            + to_days((select repeat_days from core.pattern_params)),
            false
        ) as is_repeat
    from subjects
    window w as (
        partition by subject_type, subject_id, customer_key, substantiated
        order by received_at, complaint_id
    )
),

chains as (
    select
        *,
        sum(case when is_repeat then 0 else 1 end) over (
            partition by subject_type, subject_id, customer_key, substantiated
            order by received_at, complaint_id
        ) as chain
    from chained
)

select
    subject_type, subject_id, complaint_id, received_at, month, category, conduct, subcategory,
    outcome, review_outcome, appeal, substantiated, other_finding, resolved_at, decided_at,
    decision_month,
    case when is_repeat then first_value(complaint_id) over (
        partition by subject_type, subject_id, customer_key, substantiated, chain
        order by received_at, complaint_id
    ) end as repeat_of
from chains
