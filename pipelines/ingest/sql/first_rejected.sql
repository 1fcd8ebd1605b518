-- The first rejected rows of a load, for the person who ran it.
select source_row, complaint_id, rule, reason_en, reason_vi
from quarantine.rejected_rows
where load_id = {{ param('load_id') }}
order by source_row, rule
limit 10
