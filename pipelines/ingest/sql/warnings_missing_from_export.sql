-- Deletions: a full export that lacks a complaint its latest earlier export showed (one
-- received by this export's date).
insert into quarantine.warnings (
    load_id, kind, source_file, source_sha256, source_row, complaint_id, rule,
    message_en, message_vi, old_value, new_value, created_at
)
select
    {{ param('load_id') }}, 'register', {{ param('source_file') }}, {{ param('source_sha256') }},
    null, v.complaint_id, 'missing_from_export',
    'present in an export of ' || strftime(max(v.exported_at), '%Y-%m-%d')
    || ' but missing from this full export',
    'có trong lần xuất ngày ' || strftime(max(v.exported_at), '%d/%m/%Y')
    || ' nhưng không có trong lần xuất đầy đủ này',
    null, null, {{ param('created_at') }}
from core.complaint_versions as v
where
    v.exported_at < (select exported_at from load_context)
    and v.received_at <= (select exported_at from load_context)
    and v.complaint_id not in (
        select complaint_id from file_rows
        where complaint_id is not null
    )
group by v.complaint_id
having max(v.exported_at) = (
    select max(w.exported_at) from core.complaint_versions as w
    where w.complaint_id = v.complaint_id
)
