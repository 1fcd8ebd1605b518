-- The load that already stored this very file (same bytes, same kind), if any, and its time.
select load_id, exported_at
from core.load_log
where source_sha256 = {{ param('source_sha256') }} and kind = {{ param('kind') }}
order by load_id
limit 1
