-- Every valid row of a staff or partners export, as the snapshot of its export date
-- (core.directory_history). A second file of the same export date replaces the first's rows.
insert into core.directory_history (
    subject_type, subject_id, peer_group, role, start_date, end_date,
    exported_at, source_file, source_sha256, source_row, loaded_at
)
select
    '{{ history_type }}', {{ key }}, {{ history_group }}, {{ history_role }}, start_date, end_date,
    exported_at, {{ param('source_file') }}, {{ param('source_sha256') }}, source_row,
    {{ param('loaded_at') }}
from valid_rows
on conflict (subject_type, subject_id, exported_at) do update set
    peer_group = excluded.peer_group,
    role = excluded.role,
    start_date = excluded.start_date,
    end_date = excluded.end_date,
    source_file = excluded.source_file,
    source_sha256 = excluded.source_sha256,
    source_row = excluded.source_row,
    loaded_at = excluded.loaded_at
