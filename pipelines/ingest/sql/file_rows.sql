-- file_rows: the file's rows as the staging query of its kind types them, each marked
-- exact_repeat when it repeats an earlier one. A row identical to an earlier row of the same
-- file is a repeat, not a conflict; in an event-log export, every event but the latest of a
-- complaint is superseded.
create or replace temp table file_rows as
select
    *,
    {{ key }} is not null and row_number() over (
        {%- if event_log %}
            partition by {{ key }} order by event_order desc nulls last, source_row desc
        {%- else %}
            partition by {{ key }}, content_hash order by source_row
        {%- endif %}
    ) > 1 as exact_repeat
from (
    {{ staged }}
)
