-- The register as of the latest export: per complaint, the version seen in the export with the
-- greatest exported_at (ties: the later load).
-- A load merging only the complaints its file touched (pipelines/ingest/load.py) sets the
-- variable complaints_touched to their ids; unset (a full build), every complaint. Whole
-- complaints in, their exact rows of a full build out: the ranking is per complaint_id.
with versions as (
    select *
    from core.complaint_versions
    where
        getvariable('complaints_touched') is null
        or complaint_id in (select unnest(getvariable('complaints_touched')))
),

ranked as (
    select
        *,
        row_number() over (
            partition by complaint_id order by exported_at desc, load_id desc
        ) as recency
    from versions
)

select
    complaint_id, received_at, channel, customer_key, category, subcategory,
    employee_id, partner_id, handler_id, first_response_at, resolved_at, status, outcome,
    review_requested_at, review_outcome, description, resolution_summary,
    exported_at, source_file, source_sha256, source_row
from ranked
where recency = 1
