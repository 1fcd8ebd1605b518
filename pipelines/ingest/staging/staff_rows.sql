-- One staff export's rows, typed. Run inside the load, never stored.
-- Inputs: raw_rows, load_context.
select
    r.source_row,
    r.employee_id,
    r.name,
    r.team,
    r.role,
    cast(parse_ts(r.start_date, date_order_of('start_date')) as date) as start_date,
    cast(parse_ts(r.end_date, date_order_of('end_date')) as date) as end_date,
    -- a date given but unreadable is named, so the row loads without it and says so
    unreadable_directory_date(r.start_date, r.end_date) as unreadable_date,
    c.exported_at,
    md5(to_json(struct_pack(r.employee_id, r.name, r.team, r.role, r.start_date, r.end_date)))
        as content_hash
from raw_rows as r
cross join load_context as c
