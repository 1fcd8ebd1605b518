-- The load's line in the log: where the file came from and where every row went.
insert into core.load_log (
    load_id, source_file, source_sha256, kind, scope, exported_at, rows_read, rows_loaded,
    rows_unchanged, rows_rejected, rows_warned, status, loaded_at, rows_checked,
    response_columns
)
values (
    {{ param('load_id') }},
    {{ param('source_file') }},
    {{ param('source_sha256') }},
    {{ param('kind') }},
    {{ param('scope') }},
    {{ param('exported_at') }},
    {{ param('rows_read') }},
    {{ param('rows_loaded') }},
    {{ param('rows_unchanged') }},
    {{ param('rows_rejected') }},
    {{ param('rows_warned') }},
    'loaded',
    {{ param('loaded_at') }},
    {{ param('rows_checked') }},
    {{ param('response_columns') }}
)
