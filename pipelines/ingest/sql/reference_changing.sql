-- Valid rows of a directory or exposure export that change {{ table }}: a key not stored
-- yet, or new content from an export no older than the stored one.
select count(*)
from valid_rows as s
where not exists (
    select 1
    from {{ table }} as t
    where
        {% for k in keys %}t.{{ k }} = s.{{ k }} and {% endfor %}(
            t.content_hash = s.content_hash or t.exported_at > s.exported_at
        )
)
