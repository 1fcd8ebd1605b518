-- Known content seen in a later (or the same) export: its latest sighting moves here.
update core.complaint_versions as v
set
    exported_at = s.exported_at,
    source_file = {{ param('source_file') }},
    source_sha256 = {{ param('source_sha256') }},
    source_row = s.source_row,
    load_id = {{ param('load_id') }},
    loaded_at = {{ param('loaded_at') }}
from valid_rows as s
where
    v.complaint_id = s.complaint_id
    and v.content_hash = s.content_hash
    and s.exported_at >= v.exported_at
