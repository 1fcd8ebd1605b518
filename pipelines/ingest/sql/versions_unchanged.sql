-- Valid rows whose content is already stored as a version of their complaint.
select count(*)
from valid_rows as s
inner join core.complaint_versions as v using (complaint_id, content_hash)
