-- core.complaints on the first register load: its versions are the only ones, one per
-- complaint (ids with different content are rejected, exact repeats are not versions), so the
-- model's ranking would pick every row: its columns without the sort.
create table core.complaints as
select {{ columns | join(', ') }}
from core.complaint_versions
