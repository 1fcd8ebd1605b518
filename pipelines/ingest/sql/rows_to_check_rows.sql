-- rows_to_check_rows: the row numbers of the rows of file_rows the suite must see. A register
-- row whose content is already stored from an export no later than this one was checked when
-- first seen, and can only fail again on a duplicated id, so snapshots re-check only what is
-- new or changed. Found once, into a narrow table, for the view rows_to_check: it is read twice
-- (the count, then the suite's copy), and this test groups every id of the file and probes the
-- stored versions (29 s of the first 10M load, 51 s of a second, as a view; RESULTS.md).
create or replace temp table rows_to_check_rows as
select f.source_row
from file_rows as f
where
    not f.exact_repeat
    {%- if kind == 'register' %}
        and (
            f.complaint_id is null
            or f.complaint_id in (
                select complaint_id
                from file_rows
                where not exact_repeat
                group by complaint_id
                having count(*) > 1
            )
            or not exists (
                select 1
                from core.complaint_versions as v
                where
                    v.complaint_id = f.complaint_id
                    and v.content_hash = f.content_hash
                    and v.first_exported_at <= f.exported_at
            )
        )
    {%- endif %}
