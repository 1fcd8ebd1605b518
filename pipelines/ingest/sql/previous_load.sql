-- The load that already stored this very file (same bytes, same kind), if any, and its time.
-- Parameters: source_sha256, kind.
select load_id, exported_at
from core.load_log
where source_sha256 = {{ param }} and kind = {{ param }}
order by load_id
limit 1
