-- The warehouse's stored tables (the SQL models in models/ are derived from these): written by
-- ingestion, the build (core.build_params) and the reports (core.audit_log). base/warehouse.py
-- ensure_schema is the one place that runs this file.
-- Timestamps are local wall-clock time in the company's time zone (settings.timezone).

create sequence if not exists core.load_id_seq;

create table if not exists core.load_log (
    load_id integer primary key,
    source_file varchar not null,
    source_sha256 varchar not null,
    kind varchar not null,      -- register | staff | partners | activity
    scope varchar not null,      -- full | delta (a full export lists every complaint)
    exported_at timestamp not null,
    rows_read bigint not null,
    rows_loaded bigint not null,       -- new versions stored
    rows_unchanged bigint not null,       -- identical to a stored version, or an exact duplicate row
    rows_rejected bigint not null,       -- sent to quarantine.rejected_rows
    rows_warned bigint not null,
    status varchar not null,      -- loaded | duplicate_file
    loaded_at timestamp not null
);
-- Rows validated in that load (new or changed content): the base of the rejected share.
-- Added after the first release; NULL in loads logged before it.
alter table core.load_log add column if not exists rows_checked bigint;
-- A register export with neither a first-response nor a resolution column: its complaints' SLA
-- cannot be measured (marts.complaint_sla: 'not_measurable', never overdue). NULL before it.
alter table core.load_log add column if not exists response_columns boolean;

-- The latest register export: the register load with the latest exported_at (ties: the later
-- load); no row before any. The one definition the build's default as_of, the quality gate and
-- the loader read. Replaced at each start, so it always has load_log's columns.
create or replace view core.latest_register_export as
select *
from core.load_log
where kind = 'register'
order by exported_at desc, load_id desc
limit 1;

-- One row per distinct content of a complaint; the latest sighting decides core.complaints.
create table if not exists core.complaint_versions (
    complaint_id varchar not null,
    content_hash varchar not null,
    received_at timestamp not null,
    channel varchar,
    customer_key varchar,
    category varchar,
    subcategory varchar,
    employee_id varchar,
    partner_id varchar,
    handler_id varchar,
    first_response_at timestamp,
    resolved_at timestamp,
    status varchar,
    outcome varchar,
    review_requested_at timestamp,
    review_outcome varchar,
    description varchar,
    resolution_summary varchar,
    first_exported_at timestamp not null,  -- earliest export showing this content
    exported_at timestamp not null,  -- latest export showing this content
    source_file varchar not null,    -- lineage of that latest sighting
    source_sha256 varchar not null,
    source_row bigint not null,
    load_id integer not null,
    loaded_at timestamp not null,
    primary key (complaint_id, content_hash)
);

create table if not exists core.staff (
    employee_id varchar primary key, name varchar, team varchar, role varchar,
    start_date date, end_date date,
    exported_at timestamp not null, source_file varchar not null, source_sha256 varchar not null,
    source_row bigint not null, loaded_at timestamp not null, content_hash varchar not null
);

create table if not exists core.partners (
    partner_id varchar primary key, name varchar, partner_type varchar,
    start_date date, end_date date,
    exported_at timestamp not null, source_file varchar not null, source_sha256 varchar not null,
    source_row bigint not null, loaded_at timestamp not null, content_hash varchar not null
);

-- Each directory export as the snapshot it is (issue 24): a person's team and role, or a
-- partner's type, as an export of that date showed them. core.staff and core.partners keep the
-- latest only; the marts compare a subject in each month with the group this history gives for
-- that month. No names: the team is what the comparison needs.
create table if not exists core.directory_history (
    subject_type varchar not null,   -- employee | partner
    subject_id varchar not null,
    peer_group varchar,              -- team for staff, partner_type for partners
    role varchar,
    start_date date, end_date date,
    exported_at timestamp not null, source_file varchar not null, source_sha256 varchar not null,
    source_row bigint not null, loaded_at timestamp not null,
    primary key (subject_type, subject_id, exported_at)
);

-- Exposure: interactions per month per employee or partner.
create table if not exists core.activity (
    month date not null, subject_type varchar not null, subject_id varchar not null,
    interactions bigint not null,
    exported_at timestamp not null, source_file varchar not null, source_sha256 varchar not null,
    source_row bigint not null, loaded_at timestamp not null, content_hash varchar not null,
    primary key (month, subject_type, subject_id)
);

create table if not exists quarantine.rejected_rows (
    load_id integer not null,
    kind varchar not null,
    source_file varchar not null,
    source_sha256 varchar not null,
    source_row bigint not null,
    complaint_id varchar,               -- as given in the file (the record key for reference kinds)
    rule varchar not null,
    reason_en varchar not null,
    reason_vi varchar not null,
    row_values varchar,               -- JSON, personal data masked
    rejected_at timestamp not null,
    resolved_at timestamp              -- set when a later export supplies a valid version
);

create table if not exists quarantine.warnings (
    load_id integer not null,
    kind varchar not null,
    source_file varchar not null,
    source_sha256 varchar not null,
    source_row bigint,
    complaint_id varchar,
    rule varchar not null,
    message_en varchar not null,
    message_vi varchar not null,
    old_value varchar,
    new_value varchar,
    created_at timestamp not null
);

create table if not exists core.audit_log (
    requested_at timestamp not null, requested_by varchar not null, reason varchar not null,
    employee_id varchar not null, month varchar not null, output_path varchar,
    file_sha256 varchar
);
-- Every HR dossier request, granted or refused (issue 25): the operating-system account that
-- ran it, the decision and why it was refused; a refused request has no file.
alter table core.audit_log add column if not exists account varchar;
alter table core.audit_log add column if not exists decision varchar;
alter table core.audit_log add column if not exists refusal varchar;
alter table core.audit_log alter column output_path drop not null;
alter table core.audit_log alter column file_sha256 drop not null;

-- Parameters of the last `complaints build`, read by the SQL models.
create table if not exists core.build_params (
    as_of date not null, sla_working_days integer not null, sla_goal double not null,
    at_risk_working_days integer not null, built_at timestamp not null
);

-- Flags as issued (issue 24), written after each build by pipelines/flags_issued.py.
create table if not exists core.flags_issued (
    subject_type varchar not null,
    subject_id varchar not null,
    rule varchar not null,
    review_month date not null,
    severity varchar not null,
    observed double,
    expected double,
    complaint_ids varchar[],
    explanation_vi varchar,
    explanation_en varchar,
    issued_at timestamp not null,       -- the build that first raised it (core.build_params)
    as_of date not null,                -- that build's as_of
    data_loaded_at timestamp,           -- the latest load it read (core.load_log)
    withdrawn_at timestamp,
    withdrawn_reason varchar
);
