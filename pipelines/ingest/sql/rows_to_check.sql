-- rows_to_check: the rows of file_rows the suite must see, by the row numbers
-- rows_to_check_rows.sql found once.
create or replace temp view rows_to_check as
select f.*
from file_rows as f
semi join rows_to_check_rows as r on f.source_row = r.source_row;
