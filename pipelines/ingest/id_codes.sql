-- Created per connection by load.py after known_codes (the staff and partners directories'
-- codes) and id_code_pattern() (the settings' pattern): temp macros like macros.sql.

-- A staff, partner or handler cell is a code or nothing (clauses 3.3, 4.6): staff type notes
-- into these columns ("NV005 - chị Thảo gọi lại 0903 456 789"), and an id column travels into
-- flags, reports, the workbook and Dagster's metadata. The value is a code of the staff or
-- partners directory (known_codes), or the code it begins with (the settings' pattern,
-- id_code_pattern, made in load.py), else NULL; the rest of the cell is never stored.
create or replace temp macro id_code(v) as case
    when trim(v) in (select k.code from known_codes as k) then trim(v)
    else nullif(regexp_extract(
        trim(v), '^(' || id_code_pattern() || ')(?:$|[^\pL\pN])', 1
    ), '')
end;

-- The id columns whose cell held more than its code (cut), or no code at all (left empty).
create or replace temp macro id_cut(v) as
coalesce(id_code(v) <> trim(v), false);

create or replace temp macro id_refused(v) as
nullif(trim(v), '') is not null and id_code(v) is null;

-- The staging column naming them, for the warning (never the text), from one flag per column
-- (true, false or NULL): the register passes its three id columns' flags, read once per
-- distinct cell; the activity export its two and NULL.
create or replace temp macro id_columns(employee, partner, handler) as nullif(concat_ws(
    ', ',
    case when employee then 'employee_id' end,
    case when partner then 'partner_id' end,
    case when handler then 'handler_id' end
), '');

create or replace temp macro id_cut_columns(employee, partner, handler) as
id_columns(id_cut(employee), id_cut(partner), id_cut(handler));

create or replace temp macro id_refused_columns(employee, partner, handler) as
id_columns(id_refused(employee), id_refused(partner), id_refused(handler));
