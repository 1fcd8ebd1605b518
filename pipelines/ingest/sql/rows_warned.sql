-- Rows of a load with at least one warning (file-wide warnings have no row).
select count(distinct source_row)
from quarantine.warnings
where load_id = {{ param('load_id') }} and source_row is not null
