-- Is the activity export complete for each review window (clauses 4.5, 6.2)? Per review month
-- and subject type: the staff (partners) who have activity in some month, and how many of them
-- lack it for a month of the outlier window ending in the review month. When the export is late
-- or partial those subjects fall back to the equal-activity comparison, which never raises
-- `high`; the quality report and the HR dossier say so at the top.
with params as (
    select p.outlier_window, cast(date_trunc('month', b.as_of) as date) as last_month
    from core.pattern_params as p
    cross join core.build_params as b
),

windows as (
    select
        r.month as review_month,
        s.subject_type,
        s.subject_id,
        bool_or(s.activity_expected) as expected,
        count(s.exposure) < count(*) as gap,
        list(s.month) filter (where s.exposure is null) as missing_months
    from (select distinct month from marts.subject_monthly) as r
    inner join marts.subject_monthly as s
        on
            s.month <= r.month
            and s.month > r.month - to_months((select outlier_window from params))
    where r.month <= (select last_month from params)
    group by all
)

select
    review_month,
    subject_type,
    count(*) filter (where expected) as with_activity,
    count(*) filter (where expected and gap) as missing_activity,
    list_transform(
        list_sort(list_distinct(flatten(list(missing_months) filter (where expected and gap)))),
        lambda m: strftime(m, '%m/%Y')
    ) as missing_months,
    case
        when count(*) filter (where expected and gap) = 0 then 'complete'
        when count(*) filter (where expected and gap) = count(*) filter (where expected)
            then 'missing'
        else 'partial'
    end as status
from windows
group by all
order by review_month, subject_type
