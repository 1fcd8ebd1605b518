-- A valid version from a later load resolves earlier rejections of the same complaint.
update quarantine.rejected_rows
set resolved_at = {{ param('resolved_at') }}
where
    resolved_at is null
    and kind = 'register'
    and load_id < {{ param('load_id') }}
    and complaint_id in (select complaint_id from valid_rows)
