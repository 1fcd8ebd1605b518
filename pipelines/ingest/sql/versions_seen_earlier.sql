-- Known content seen in an earlier export than any before: its first sighting moves back.
update core.complaint_versions as v
set first_exported_at = s.exported_at
from valid_rows as s
where
    v.complaint_id = s.complaint_id
    and v.content_hash = s.content_hash
    and s.exported_at < v.first_exported_at
