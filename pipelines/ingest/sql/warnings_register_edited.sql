-- Edits after the fact: a valid row whose received_at, or a first_response_at once given,
-- differs from the complaint's latest version in an earlier export.
insert into quarantine.warnings (
    load_id, kind, source_file, source_sha256, source_row, complaint_id, rule,
    message_en, message_vi, old_value, new_value, created_at
)
with previous as (
    -- each complaint's latest version exported before this file
    select v.*
    from core.complaint_versions as v
    where v.exported_at < (select exported_at from load_context)
    qualify row_number() over (
        partition by v.complaint_id order by v.exported_at desc, v.load_id desc
    ) = 1
),

-- each valid row beside that version: one join, read by both kinds of edit
paired as (
    select
        s.source_row,
        s.complaint_id,
        p.received_at as old_received_at,
        s.received_at as new_received_at,
        p.first_response_at as old_first_response_at,
        s.first_response_at as new_first_response_at
    from valid_rows as s
    inner join previous as p on s.complaint_id = p.complaint_id
),

edits as (
    select
        source_row,
        complaint_id,
        'received_at' as what,
        strftime(old_received_at, '%Y-%m-%d %H:%M:%S') as old_value,
        strftime(new_received_at, '%Y-%m-%d %H:%M:%S') as new_value
    from paired
    where old_received_at <> new_received_at
    union all
    select
        source_row,
        complaint_id,
        'first_response_at',
        strftime(old_first_response_at, '%Y-%m-%d %H:%M:%S'),
        strftime(new_first_response_at, '%Y-%m-%d %H:%M:%S')
    from paired
    where
        old_first_response_at is not null
        and old_first_response_at is distinct from new_first_response_at
)

select
    {{ param('load_id') }}, 'register', {{ param('source_file') }}, {{ param('source_sha256') }},
    source_row, complaint_id, 'register_edited',
    what || ' changed from ' || coalesce(old_value, 'empty') || ' to '
    || coalesce(new_value, 'empty'),
    (case what when 'received_at' then 'thời gian tiếp nhận' else 'thời gian phản hồi đầu tiên' end)
    || ' đổi từ ' || coalesce(old_value, 'trống') || ' thành ' || coalesce(new_value, 'trống'),
    old_value, new_value, {{ param('created_at') }}
from edits
