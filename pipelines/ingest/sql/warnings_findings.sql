-- Warning-level findings of the suite, on rows that are not rejected (they stay loaded).
insert into quarantine.warnings (
    load_id, kind, source_file, source_sha256, source_row, complaint_id, rule,
    message_en, message_vi, old_value, new_value, created_at
)
select
    {{ param('load_id') }}, {{ param('kind') }},
    {{ param('source_file') }}, {{ param('source_sha256') }},
    f.source_row, {{ record_key }}, f.rule,
    {{ reason_en }},
    {{ reason_vi }},
    null,
    {{ detail }},
    {{ param('created_at') }}
from findings as f
inner join file_rows as fr using (source_row)
inner join rules on f.rule = rules.rule
where
    f.level = 'warning'
    and f.source_row not in (select source_row from findings where level = 'error')
