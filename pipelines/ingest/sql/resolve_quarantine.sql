-- A valid version from a later load resolves earlier rejections of the same complaint.
-- Parameters: resolved_at, load_id.
update quarantine.rejected_rows
set resolved_at = {{ param }}
where
    resolved_at is null
    and kind = 'register'
    and load_id < {{ param }}
    and complaint_id in (select complaint_id from valid_rows)
