-- touched_ids: the complaints this file gave a valid row.
create or replace temp table touched_ids as
select distinct complaint_id
from valid_rows
