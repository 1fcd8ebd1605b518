-- valid_rows: the rows of file_rows that are stored, those whose fate is 'valid'. A view,
-- not a copy: a copy of every column of a 1M-row file cost 0.5 GB of memory at its peak, and
-- the steps that read it need few columns. The anti-join's build side is the few rows whose
-- fate is other than valid, where a join on 'valid' would hash every row at each read.
create or replace temp view valid_rows as
select f.*
from file_rows as f
where f.source_row not in (select source_row from row_fate where fate <> 'valid')
