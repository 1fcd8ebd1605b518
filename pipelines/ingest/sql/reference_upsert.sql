-- Directories and exposure: one row per key; the export with the latest exported_at wins.
insert into {{ table }} (
    {{ columns | join(', ') }},
    exported_at, source_file, source_sha256, source_row, loaded_at, content_hash
)
select
    {{ columns | join(', ') }},
    exported_at, {{ param('source_file') }}, {{ param('source_sha256') }}, source_row,
    {{ param('loaded_at') }}, content_hash
from valid_rows
on conflict ({{ keys | join(', ') }}) do update set
    {% for c in columns if c not in keys %}{{ c }} = excluded.{{ c }},
    {% endfor -%}
    exported_at = excluded.exported_at,
    source_file = excluded.source_file,
    source_sha256 = excluded.source_sha256,
    source_row = excluded.source_row,
    loaded_at = excluded.loaded_at,
    content_hash = excluded.content_hash
where
excluded.exported_at >= {{ table }}.exported_at
and excluded.content_hash <> {{ table }}.content_hash
