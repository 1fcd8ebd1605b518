-- event_order_key(t): an event log's order_by value typed as its column reads, numbers as
-- numbers and timestamps as seconds (in the column's decided order), so the latest event
-- wins; NULL for a file that is no event log.
create or replace temp macro event_order_key(t) as
{%- if reads_as == 'number' %} try_cast(t as double)
{%- elif reads_as == 'date' %} epoch(parse_ts(t, '{{ order }}'))
{%- else %} cast(null as double)
{%- endif %}
