-- New content becomes a new version of its complaint.
insert into core.complaint_versions (
    complaint_id, content_hash, received_at, channel, customer_key, category, subcategory,
    employee_id, partner_id, handler_id, first_response_at, resolved_at, status, outcome,
    review_requested_at, review_outcome, description, resolution_summary,
    first_exported_at, exported_at, source_file, source_sha256, source_row, load_id, loaded_at
)
select
    s.complaint_id, s.content_hash, s.received_at, s.channel, s.customer_key, s.category,
    s.subcategory, s.employee_id, s.partner_id, s.handler_id, s.first_response_at,
    s.resolved_at, s.status, s.outcome, s.review_requested_at, s.review_outcome,
    s.description, s.resolution_summary,
    s.exported_at as first_exported_at, s.exported_at,
    {{ param('source_file') }}, {{ param('source_sha256') }}, s.source_row,
    {{ param('load_id') }}, {{ param('loaded_at') }}
from valid_rows as s
where not exists (
    select 1
    from core.complaint_versions as v
    where v.complaint_id = s.complaint_id and v.content_hash = s.content_hash
)
