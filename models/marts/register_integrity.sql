-- Register integrity: complaints edited after the fact, vanished from the latest full export, or
-- whose id was reused for a different complainant. One row per finding, for the quality report.

-- Every complaint's versions in one pass (one aggregation over the register, not one per issue)
with per_complaint as (
    select
        complaint_id,
        count(*) as versions,
        max(exported_at) as last_exported_at,
        min(first_exported_at) as first_exported_at,
        -- more than one complainant (min <> max: as count(distinct) > 1, without the distinct)
        min(customer_key) <> max(customer_key) as reused
    from core.complaint_versions
    group by complaint_id
),

-- Edits need an earlier version: only complaints with several are sorted (most have one)
versions as (
    select
        complaint_id, received_at, first_response_at, customer_key, first_exported_at,
        exported_at,
        lag(received_at) over w as previous_received_at,
        lag(first_response_at) over w as previous_first_response_at,
        lag(exported_at) over w as previous_exported_at
    from core.complaint_versions
    where complaint_id in (select complaint_id from per_complaint where versions > 1)
    window w as (partition by complaint_id order by first_exported_at, exported_at)
),

received_changed as (
    select
        complaint_id, 'received_at_changed' as issue,
        strftime(previous_received_at, '%Y-%m-%d %H:%M') as old_value,
        strftime(received_at, '%Y-%m-%d %H:%M') as new_value,
        cast(previous_exported_at as date) as earlier_export,
        cast(first_exported_at as date) as later_export
    from versions
    where previous_received_at is not null and previous_received_at <> received_at
),

response_changed as (
    select
        complaint_id, 'first_response_at_changed',
        strftime(previous_first_response_at, '%Y-%m-%d %H:%M'),
        coalesce(strftime(first_response_at, '%Y-%m-%d %H:%M'), ''),
        cast(previous_exported_at as date),
        cast(first_exported_at as date)
    from versions
    where
        previous_first_response_at is not null
        and previous_first_response_at is distinct from first_response_at
),

latest_full_export as (
    select max(exported_at) as exported_at
    from core.load_log
    where kind = 'register' and scope = 'full'
),

vanished as (
    select
        p.complaint_id, 'missing_from_latest_export', null, null,
        cast(p.last_exported_at as date), cast(f.exported_at as date)
    from per_complaint as p
    cross join latest_full_export as f
    where p.last_exported_at < f.exported_at
),

reused as (
    select
        complaint_id, 'id_reused', null, null,
        cast(first_exported_at as date), cast(last_exported_at as date)
    from per_complaint
    where reused
),

findings as (
    select * from received_changed
    union all
    select * from response_changed
    union all
    select * from vanished
    union all
    select * from reused
)

select
    *,
    case issue
        when 'received_at_changed' then 'received_at changed from ' || old_value || ' to ' || new_value
        when
            'first_response_at_changed'
            then 'first response changed from ' || old_value || ' to ' || coalesce(nullif(new_value, ''), 'empty')
        when
            'missing_from_latest_export'
            then
                'last seen in the export of '
                || strftime(earlier_export, '%Y-%m-%d')
                || ', missing from the full export of '
                || strftime(later_export, '%Y-%m-%d')
        else 'the same complaint id names different complainants'
    end as detail_en,
    case issue
        when 'received_at_changed' then 'thời gian tiếp nhận đổi từ ' || old_value || ' thành ' || new_value
        when
            'first_response_at_changed'
            then
                'thời gian phản hồi đầu tiên đổi từ '
                || old_value
                || ' thành '
                || coalesce(nullif(new_value, ''), 'trống')
        when
            'missing_from_latest_export'
            then
                'có trong lần xuất ngày '
                || strftime(earlier_export, '%d/%m/%Y')
                || ', không có trong lần xuất đầy đủ ngày '
                || strftime(later_export, '%d/%m/%Y')
        else 'cùng một mã khiếu nại dùng cho những người khiếu nại khác nhau'
    end as detail_vi
from findings
order by complaint_id, issue
