-- row_fate: what becomes of each row of the file: a repeat of an earlier row, rejected by an
-- error-level finding of the suite, or valid.
create or replace temp table row_fate as
select
    f.source_row,
    case
        when f.exact_repeat then 'repeat'
        when f.source_row in (select source_row from findings where level = 'error')
            then 'rejected'
        else 'valid'
    end as fate
from file_rows as f
