-- A warning about the whole file: the date order of some columns had to be assumed, or the
-- snapshot time taken from the file's modification time is far from its data.
-- Parameters: load_id, kind, source_file, source_sha256, rule, message_en, message_vi,
-- new_value (the order assumed, the snapshot time), created_at.
insert into quarantine.warnings (
    load_id, kind, source_file, source_sha256, source_row, complaint_id, rule,
    message_en, message_vi, old_value, new_value, created_at
)
values (
    {{ param }},
    {{ param }},
    {{ param }},
    {{ param }},
    null,
    null,
    {{ param }},
    {{ param }},
    {{ param }},
    null,
    {{ param }},
    {{ param }}
)
