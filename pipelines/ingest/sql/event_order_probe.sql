-- How an event log's order_by column reads: how many values are not numbers, how many are
-- not dates (in the column's decided order), and one value that is neither.
select
    count(*) filter (try_cast(t as double) is null) as not_number,
    count(*) filter (parse_ts(t, {{ param('date_order') }}) is null) as not_date,
    min(t) filter (
        try_cast(t as double) is null and parse_ts(t, {{ param('date_order') }}) is null
    ) as example
from (
    select event_order_text as t
    from raw_rows
    where event_order_text is not null
)
