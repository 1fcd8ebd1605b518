-- The load that already stored this very file (same bytes, same kind), if any.
-- Parameters: source_sha256, kind.
select load_id
from core.load_log
where source_sha256 = {{ param }} and kind = {{ param }}
order by load_id
limit 1
