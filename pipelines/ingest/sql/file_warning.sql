-- A warning about the whole file: the date order of some columns had to be assumed, or the
-- snapshot time taken from the file's modification time is far from its data.
insert into quarantine.warnings (
    load_id, kind, source_file, source_sha256, source_row, complaint_id, rule,
    message_en, message_vi, old_value, new_value, created_at
)
values (
    {{ param('load_id') }},
    {{ param('kind') }},
    {{ param('source_file') }},
    {{ param('source_sha256') }},
    null,
    null,
    {{ param('rule') }},
    {{ param('message_en') }},
    {{ param('message_vi') }},
    null,
    {{ param('new_value') }},
    {{ param('created_at') }}
)
