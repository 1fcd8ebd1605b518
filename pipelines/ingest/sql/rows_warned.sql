-- Rows of a load with at least one warning (file-wide warnings have no row). Parameter: load_id.
select count(distinct source_row)
from quarantine.warnings
where load_id = {{ param }} and source_row is not null
