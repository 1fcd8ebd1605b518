-- One export file's rows, typed: labels become codes (unknown labels kept as given), timestamps
-- local wall-clock time (read in each column's decided day/month order, the macro date_order_of),
-- customer identity a keyed pseudonym, personal data masked in free text. The given text of each
-- timestamp is kept beside it so the checks can tell "absent" from "unreadable".
-- Run inside the load as the input of file_rows, never stored. Inputs: raw_rows (readers.py),
-- load_context (one row), labels: see the table in load.py's docstring.
with source as (
    select
        *,
        -- Repeat complainants stay recognisable without storing who they are (clauses 3.3, 4.6).
        coalesce(
            'id:' || customer_id,
            'nid:' || customer_national_id,
            'tel:' || nullif(regexp_replace(customer_phone, '[^0-9]', '', 'g'), ''),
            'mail:' || lower(customer_email),
            'name:' || label_key(customer_name)
        ) as customer_identity
    from raw_rows
),

context as (
    select * from load_context
),

-- Each distinct label in the file is folded and looked up once, not once per row.
given_labels as (
    select distinct 'channel' as field, channel as given from source where channel is not null
    union all
    select distinct 'category' as field, category as given from source where category is not null
    union all
    select distinct 'subcategory' as field, subcategory as given from source where subcategory is not null
    union all
    select distinct 'status' as field, status as given from source where status is not null
    union all
    select distinct 'outcome' as field, outcome as given from source where outcome is not null
    union all
    select distinct 'review_outcome' as field, review_outcome as given from source where review_outcome is not null
),

-- A label no code matches is kept as given, masked like free text: staff sometimes type a
-- name or a phone number into the wrong column.
-- A mapping's prefix and regex labels (label_patterns): the first in the mapping's order that
-- matches the folded label; an exact label wins over every pattern.
pattern_hits as (
    select
        g.field,
        g.given,
        arg_min(p.code, p.rank) as code
    from given_labels as g
    inner join label_patterns as p
        on p.field = g.field and regexp_matches(label_key(g.given), p.pattern)
    group by g.field, g.given
),

coded as (
    select
        g.field, g.given, coalesce(l.code, ph.code) as code,
        coalesce(l.code, ph.code, mask_pii(g.given, null, null, null, null, null, null)) as value
    from given_labels as g
    left join labels as l on l.field = g.field and l.label_key = label_key(g.given)
    left join pattern_hits as ph on ph.field = g.field and ph.given = g.given
),

-- Each distinct id cell read once: id_code is a directory lookup and a regex, and the three
-- columns' code, cut and refused flags per row were nine of each (8.4 s of 1M rows' staging,
-- for 161 distinct cells).
id_cells as (
    select
        v as given,
        id_code(v) as code,
        id_cut(v) as cut,
        id_refused(v) as refused
    from (
        select employee_id as v from source
        union
        select partner_id as v from source
        union
        select handler_id as v from source
    )
    where v is not null
),

typed as (
    select
        s.source_row,
        event_order_key(s.event_order_text) as event_order,
        s.complaint_id,
        s.received_at as received_at_given,
        s.first_response_at as first_response_at_given,
        s.resolved_at as resolved_at_given,
        s.review_requested_at as review_requested_at_given,
        to_company_time(parse_ts_register(s.received_at, date_order_of('received_at'))) as received_at,
        to_company_time(
            parse_ts_register(s.first_response_at, date_order_of('first_response_at'))
        ) as first_response_at,
        to_company_time(parse_ts_register(s.resolved_at, date_order_of('resolved_at'))) as resolved_at,
        to_company_time(
            parse_ts_register(s.review_requested_at, date_order_of('review_requested_at'))
        ) as review_requested_at,
        -- a date whose reading depends on day/month order, in a column of both orders
        nullif(concat_ws(
            '; ',
            date_order_problem('received_at', s.received_at),
            date_order_problem('first_response_at', s.first_response_at),
            date_order_problem('resolved_at', s.resolved_at),
            date_order_problem('review_requested_at', s.review_requested_at)
        ), '') as date_order_problem,
        -- A label no code matches is kept as given (masked, and warned), never mapped to a code.
        ch.value as channel,
        cat.value as category,
        sub.value as subcategory,
        sub.code is not null as subcategory_known,
        -- a code or nothing: a note typed into an id column is cut to its code, or the cell
        -- left empty, and the columns named for the warning (never the text)
        emp.code as employee_id,
        par.code as partner_id,
        han.code as handler_id,
        id_columns(emp.cut, par.cut, han.cut) as id_cut,
        id_columns(emp.refused, par.refused, han.refused) as id_refused,
        st.value as status_given,
        oc.value as outcome,
        ro.value as review_outcome,
        s.customer_identity,
        mask_pii(
            s.description, s.customer_name, s.customer_phone, s.customer_email,
            s.customer_national_id, s.customer_id, s.contract_id
        ) as description,
        mask_pii(
            s.resolution_summary, s.customer_name, s.customer_phone, s.customer_email,
            s.customer_national_id, s.customer_id, s.contract_id
        ) as resolution_summary
    from source as s
    left join coded as ch on ch.field = 'channel' and ch.given = s.channel
    left join coded as cat on cat.field = 'category' and cat.given = s.category
    left join coded as sub on sub.field = 'subcategory' and sub.given = s.subcategory
    left join coded as st on st.field = 'status' and st.given = s.status
    left join coded as oc on oc.field = 'outcome' and oc.given = s.outcome
    left join coded as ro on ro.field = 'review_outcome' and ro.given = s.review_outcome
    left join id_cells as emp on emp.given = s.employee_id
    left join id_cells as par on par.given = s.partner_id
    left join id_cells as han on han.given = s.handler_id
),

-- The keyed hash once per distinct complainant, not once per row: a register names each
-- customer in several complaints, and two SHA-256 per value are the costly part.
customer_keys as (
    select customer_identity, hmac_sha256(customer_identity) as customer_key
    from (select distinct customer_identity from source where customer_identity is not null)
),

final as (
    select
        t.* exclude (customer_identity, status_given),
        coalesce(
            t.status_given,
            case
                when t.review_requested_at is not null then 'review_requested'
                when t.resolved_at is not null then 'resolved'
                when t.first_response_at is not null then 'responded'
                else 'new'
            end
        ) as status,
        k.customer_key,
        c.exported_at
    from typed as t
    left join customer_keys as k on k.customer_identity = t.customer_identity
    cross join context as c
)

-- content_hash identifies a version: the stored fields joined with a unit separator, NUL
-- standing for an empty field (cheaper than hashing a JSON rendering, and as unambiguous).
select
    *,
    md5(concat_ws(
        chr(31),
        coalesce(cast(complaint_id as varchar), chr(0)),
        coalesce(cast(received_at as varchar), chr(0)),
        coalesce(cast(channel as varchar), chr(0)),
        coalesce(cast(customer_key as varchar), chr(0)),
        coalesce(cast(category as varchar), chr(0)),
        coalesce(cast(subcategory as varchar), chr(0)),
        coalesce(cast(employee_id as varchar), chr(0)),
        coalesce(cast(partner_id as varchar), chr(0)),
        coalesce(cast(handler_id as varchar), chr(0)),
        coalesce(cast(first_response_at as varchar), chr(0)),
        coalesce(cast(resolved_at as varchar), chr(0)),
        coalesce(cast(status as varchar), chr(0)),
        coalesce(cast(outcome as varchar), chr(0)),
        coalesce(cast(review_requested_at as varchar), chr(0)),
        coalesce(cast(review_outcome as varchar), chr(0)),
        coalesce(cast(description as varchar), chr(0)),
        coalesce(cast(resolution_summary as varchar), chr(0))
    )) as content_hash
from final
