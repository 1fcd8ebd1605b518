-- One activity (exposure) export's rows: interactions per month per employee or partner.
-- Run inside the load, never stored.
-- Inputs: raw_rows, load_context.
with typed as (
    select
        r.source_row,
        case when r.employee_id is not null then 'employee' else 'partner' end as subject_type,
        -- a code or nothing, as in the register (id_codes.sql): a name or a note typed as the
        -- subject is never stored; a cell with no code leaves the key empty (missing_key)
        id_code(coalesce(r.employee_id, r.partner_id)) as subject_id,
        id_cut_columns(r.employee_id, r.partner_id, null) as id_cut,
        id_refused_columns(r.employee_id, r.partner_id, null) as id_refused,
        r.month as month_given,
        cast(date_trunc('month', coalesce(
            try_strptime(r.month, ['%Y-%m', '%m/%Y', '%Y/%m']), parse_ts(r.month, date_order_of('month'))
        )) as date) as month,
        r.interactions as interactions_given,
        -- '1234', '1234.0', '1.234', '1 234', '1,234' are 1,234; '12.5', '-4', text: NULL
        parse_count(r.interactions) as interactions,
        c.exported_at
    from raw_rows as r
    cross join load_context as c
)

select
    *,
    subject_type || ':' || subject_id || ':' || coalesce(cast(month as varchar), month_given, '')
        as subject_key,
    md5(to_json(struct_pack(subject_type, subject_id, month, interactions))) as content_hash
from typed
