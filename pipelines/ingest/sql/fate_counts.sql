-- Rows rejected and rows repeating an earlier row of the file.
select
    count(*) filter (fate = 'rejected') as rejected,
    count(*) filter (fate = 'repeat') as repeats
from row_fate
