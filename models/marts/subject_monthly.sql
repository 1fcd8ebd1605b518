-- Complaints naming a staff member or a partner, per month, beside their exposure (3.4, 3.5, 6.2).
-- One row per subject and month in which the subject was in the directory, had activity or was
-- named. Rolling sums run over a gap-free month grid, so a quiet month counts as zero.
-- Allegations (complaints, not upheld, withdrawn, pending, subcategories) count in the month of
-- receipt, as do findings overturned on review (overturned); findings count in the month they
-- were decided (marts.complaint_subjects):
-- substantiated = conduct findings that count (not overturned on review; a customer's repeated
-- complaint about the same person within repeat_days counted once: repeats), of which under_review
-- are awaiting a review; other_findings = findings outside the subject's conduct category, shown
-- beside, never in the conduct flags. An outcome label the template does not know (kept as
-- given at load, with a warning) is neither pending nor a finding: outcome_unrecognised counts it.
-- exposure is null when the activity export has no row;
-- activity_expected says the subject has activity in some month, so a null is a gap.
with params as (
    select cast(date_trunc('month', as_of) as date) as last_month from core.build_params
),

directory as (
    select
        'employee' as subject_type, employee_id as subject_id, team as peer_group,
        start_date, end_date
    from core.staff
    union all
    select
        'partner' as subject_type, partner_id as subject_id, partner_type as peer_group,
        start_date, end_date
    from core.partners
),

-- The group of each directory snapshot (core.directory_history); a subject loaded before that
-- table existed (or written straight to core.staff) has its latest row as its only snapshot.
history as (
    select subject_type, subject_id, coalesce(peer_group, 'unknown') as peer_group, exported_at
    from core.directory_history
    union all
    select 'employee', employee_id, coalesce(team, 'unknown'), exported_at from core.staff
    where
        employee_id not in (
            select h.subject_id from core.directory_history as h where h.subject_type = 'employee'
        )
    union all
    select 'partner', partner_id, coalesce(partner_type, 'unknown'), exported_at from core.partners
    where partner_id not in (
        select h.subject_id from core.directory_history as h where h.subject_type = 'partner'
    )
),

subjects as (
    select
        s.subject_type, s.subject_id,
        -- before its first snapshot, a subject is taken to be in the group that snapshot shows
        coalesce((
            select arg_min(h.peer_group, h.exported_at) from history as h
            where h.subject_type = s.subject_type and h.subject_id = s.subject_id
        ), 'unknown') as first_group,
        d.subject_id is not null as in_directory, d.start_date, d.end_date,
        -- any activity row at all: a month without one is then a gap, not a team without data
        s.subject_id in (
            select a.subject_id from core.activity as a
            where a.subject_type = s.subject_type
        ) as has_activity
    from (
        select subject_type, subject_id from directory
        union
        select subject_type, subject_id from marts.complaint_subjects
        union
        select subject_type, subject_id from core.activity
    ) as s
    left join directory as d using (subject_type, subject_id)
),

months as (
    select cast(unnest(generate_series(
        least(
            (select cast(date_trunc('month', min(received_at)) as date) from core.complaints),
            (select min(month) from core.activity)
        ),
        (select last_month from params),
        interval 1 month
    )) as date) as month
),

counts as (
    select
        subject_type,
        subject_id,
        month,
        count(*) as complaints,
        count(*) filter (where conduct) as conduct_complaints,
        count(*) filter (where appeal = 'overturned') as overturned,
        count(*) filter (where outcome = 'not_upheld') as not_upheld,
        count(*) filter (where outcome = 'withdrawn') as withdrawn,
        count(*) filter (where outcome is null or outcome = 'pending') as pending,
        count(*) filter (where outcome not in (
            'upheld', 'partially_upheld', 'not_upheld', 'withdrawn', 'pending'
        )) as outcome_unrecognised,
        count(*) filter (where subcategory = 'abuse') as abuse,
        count(*) filter (where subcategory = 'threat') as threat,
        count(*) filter (where subcategory = 'unreasonable') as unreasonable,
        count(*) filter (where subcategory = 'offensive') as offensive,
        count(*) filter (where subcategory = 'inappropriate_demand') as inappropriate_demand,
        count(*) filter (where subcategory = 'third_party_contact') as third_party_contact,
        count(*) filter (where subcategory = 'excessive_contact') as excessive_contact,
        count(*) filter (where subcategory = 'data_disclosure') as data_disclosure
    from marts.complaint_subjects
    group by all
),

decisions as (
    select
        subject_type,
        subject_id,
        decision_month as month,
        -- a repeat of the same customer's complaint about the same incident counts once
        count(*) filter (where substantiated and repeat_of is null) as substantiated,
        count(*) filter (where substantiated and repeat_of is not null) as repeats,
        count(*) filter (where substantiated and repeat_of is null and appeal = 'under_review')
            as under_review,
        count(*) filter (where other_finding) as other_findings
    from marts.complaint_subjects
    where decision_month is not null
    group by all
),

grid as (
    select
        s.*,
        m.month,
        coalesce(h.peer_group, s.first_group) as peer_group,
        coalesce(c.complaints, 0) as complaints,
        coalesce(c.conduct_complaints, 0) as conduct_complaints,
        coalesce(f.substantiated, 0) as substantiated,
        coalesce(f.under_review, 0) as under_review,
        coalesce(f.repeats, 0) as repeats,
        coalesce(c.overturned, 0) as overturned,
        coalesce(f.other_findings, 0) as other_findings,
        coalesce(c.not_upheld, 0) as not_upheld,
        coalesce(c.withdrawn, 0) as withdrawn,
        coalesce(c.pending, 0) as pending,
        coalesce(c.outcome_unrecognised, 0) as outcome_unrecognised,
        coalesce(c.abuse, 0) as abuse,
        coalesce(c.threat, 0) as threat,
        coalesce(c.unreasonable, 0) as unreasonable,
        coalesce(c.offensive, 0) as offensive,
        coalesce(c.inappropriate_demand, 0) as inappropriate_demand,
        coalesce(c.third_party_contact, 0) as third_party_contact,
        coalesce(c.excessive_contact, 0) as excessive_contact,
        coalesce(c.data_disclosure, 0) as data_disclosure,
        a.interactions as exposure
    from subjects as s
    cross join months as m
    left join counts as c using (subject_type, subject_id, month)
    left join decisions as f using (subject_type, subject_id, month)
    left join core.activity as a
        on a.subject_type = s.subject_type and a.subject_id = s.subject_id and a.month = m.month
    -- the group in force in the month: the latest snapshot exported by the month's last day,
    -- so a later export (a move) never changes a past month's group
    asof left join history as h
        on
            h.subject_type = s.subject_type and h.subject_id = s.subject_id
            and h.exported_at < m.month + interval 1 month
),

rolling as (
    select
        *,
        has_activity as activity_expected,
        sum(complaints) over w3 as complaints_3m,
        sum(substantiated) over w3 as substantiated_3m,
        -- a window's exposure is known only when every month in it is
        case when count(exposure) over w3 = count(*) over w3 then sum(exposure) over w3 end
            as exposure_3m,
        sum(complaints) over w12 as complaints_12m,
        sum(substantiated) over w12 as substantiated_12m,
        case when count(exposure) over w12 = count(*) over w12 then sum(exposure) over w12 end
            as exposure_12m
    from grid
    window
        w3 as (partition by subject_type, subject_id order by month rows 2 preceding),
        w12 as (partition by subject_type, subject_id order by month rows 11 preceding)
)

select
    month,
    subject_type,
    subject_id,
    peer_group,
    complaints,
    conduct_complaints,
    substantiated,
    under_review,
    repeats,
    overturned,
    other_findings,
    not_upheld,
    withdrawn,
    pending,
    abuse,
    threat,
    unreasonable,
    offensive,
    inappropriate_demand,
    third_party_contact,
    excessive_contact,
    data_disclosure,
    exposure,
    outcome_unrecognised,
    activity_expected,
    1000.0 * substantiated / nullif(exposure, 0) as rate_per_1000,
    1000.0 * complaints / nullif(exposure, 0) as complaints_per_1000,
    complaints_3m,
    substantiated_3m,
    exposure_3m,
    complaints_12m,
    substantiated_12m,
    exposure_12m,
    1000.0 * substantiated_3m / nullif(exposure_3m, 0) as rate_3m_per_1000,
    1000.0 * substantiated_12m / nullif(exposure_12m, 0) as rate_12m_per_1000
from rolling
where
    complaints > 0
    or substantiated + overturned + other_findings > 0
    or exposure is not null
    or (
        in_directory
        and coalesce(start_date, month) <= month + interval 1 month - interval 1 day
        and coalesce(end_date, month) >= month
    )
order by subject_type, subject_id, month
