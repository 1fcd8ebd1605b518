-- The rejected rows with each error-level rule they break, their values masked.
insert into quarantine.rejected_rows (
    load_id, kind, source_file, source_sha256, source_row, complaint_id, rule,
    reason_en, reason_vi, row_values, rejected_at, resolved_at
)
select
    {{ param('load_id') }}, {{ param('kind') }},
    {{ param('source_file') }}, {{ param('source_sha256') }},
    r.source_row, {{ record_key }}, f.rule,
    {{ reason_en }},
    {{ reason_vi }},
    {{ row_values }},
    {{ param('rejected_at') }}, null
from findings as f
inner join raw_rows as r using (source_row)
inner join file_rows as fr using (source_row)
inner join rules on f.rule = rules.rule
where f.level = 'error'
order by r.source_row, f.rule
