-- Tables written by ingestion (the SQL models in models/ are derived from these).
-- Timestamps are local wall-clock time in the company's time zone (settings.timezone).

CREATE SEQUENCE IF NOT EXISTS core.load_id_seq;

CREATE TABLE IF NOT EXISTS core.load_log (
    load_id        INTEGER PRIMARY KEY,
    source_file    VARCHAR NOT NULL,
    source_sha256  VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,      -- register | staff | partners | activity
    scope          VARCHAR NOT NULL,      -- full | delta (a full export lists every complaint)
    exported_at    TIMESTAMP NOT NULL,
    rows_read      BIGINT NOT NULL,
    rows_loaded    BIGINT NOT NULL,       -- new versions stored
    rows_unchanged BIGINT NOT NULL,       -- identical to a stored version, or an exact duplicate row
    rows_rejected  BIGINT NOT NULL,       -- sent to quarantine.rejected_rows
    rows_warned    BIGINT NOT NULL,
    status         VARCHAR NOT NULL,      -- loaded | duplicate_file
    loaded_at      TIMESTAMP NOT NULL
);
-- Rows validated in that load (new or changed content): the base of the rejected share.
-- Added after the first release; NULL in loads logged before it.
ALTER TABLE core.load_log ADD COLUMN IF NOT EXISTS rows_checked BIGINT;

-- One row per distinct content of a complaint; the latest sighting decides core.complaints.
CREATE TABLE IF NOT EXISTS core.complaint_versions (
    complaint_id        VARCHAR NOT NULL,
    content_hash        VARCHAR NOT NULL,
    received_at         TIMESTAMP NOT NULL,
    channel             VARCHAR,
    customer_key        VARCHAR,
    category            VARCHAR,
    subcategory         VARCHAR,
    employee_id         VARCHAR,
    partner_id          VARCHAR,
    handler_id          VARCHAR,
    first_response_at   TIMESTAMP,
    resolved_at         TIMESTAMP,
    status              VARCHAR,
    outcome             VARCHAR,
    review_requested_at TIMESTAMP,
    review_outcome      VARCHAR,
    description         VARCHAR,
    resolution_summary  VARCHAR,
    first_exported_at   TIMESTAMP NOT NULL,  -- earliest export showing this content
    exported_at         TIMESTAMP NOT NULL,  -- latest export showing this content
    source_file         VARCHAR NOT NULL,    -- lineage of that latest sighting
    source_sha256       VARCHAR NOT NULL,
    source_row          BIGINT NOT NULL,
    load_id             INTEGER NOT NULL,
    loaded_at           TIMESTAMP NOT NULL,
    PRIMARY KEY (complaint_id, content_hash)
);

CREATE TABLE IF NOT EXISTS core.staff (
    employee_id VARCHAR PRIMARY KEY, name VARCHAR, team VARCHAR, role VARCHAR,
    start_date DATE, end_date DATE,
    exported_at TIMESTAMP NOT NULL, source_file VARCHAR NOT NULL, source_sha256 VARCHAR NOT NULL,
    source_row BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, content_hash VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS core.partners (
    partner_id VARCHAR PRIMARY KEY, name VARCHAR, partner_type VARCHAR,
    start_date DATE, end_date DATE,
    exported_at TIMESTAMP NOT NULL, source_file VARCHAR NOT NULL, source_sha256 VARCHAR NOT NULL,
    source_row BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, content_hash VARCHAR NOT NULL
);

-- Exposure: interactions per month per employee or partner.
CREATE TABLE IF NOT EXISTS core.activity (
    month DATE NOT NULL, subject_type VARCHAR NOT NULL, subject_id VARCHAR NOT NULL,
    interactions BIGINT NOT NULL,
    exported_at TIMESTAMP NOT NULL, source_file VARCHAR NOT NULL, source_sha256 VARCHAR NOT NULL,
    source_row BIGINT NOT NULL, loaded_at TIMESTAMP NOT NULL, content_hash VARCHAR NOT NULL,
    PRIMARY KEY (month, subject_type, subject_id)
);

CREATE TABLE IF NOT EXISTS quarantine.rejected_rows (
    load_id       INTEGER NOT NULL,
    kind          VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    source_row    BIGINT NOT NULL,
    complaint_id  VARCHAR,               -- as given in the file (the record key for reference kinds)
    rule          VARCHAR NOT NULL,
    reason_en     VARCHAR NOT NULL,
    reason_vi     VARCHAR NOT NULL,
    row_values    VARCHAR,               -- JSON, personal data masked
    rejected_at   TIMESTAMP NOT NULL,
    resolved_at   TIMESTAMP              -- set when a later export supplies a valid version
);

CREATE TABLE IF NOT EXISTS quarantine.warnings (
    load_id       INTEGER NOT NULL,
    kind          VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,
    source_sha256 VARCHAR NOT NULL,
    source_row    BIGINT,
    complaint_id  VARCHAR,
    rule          VARCHAR NOT NULL,
    message_en    VARCHAR NOT NULL,
    message_vi    VARCHAR NOT NULL,
    old_value     VARCHAR,
    new_value     VARCHAR,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS core.audit_log (
    requested_at TIMESTAMP NOT NULL, requested_by VARCHAR NOT NULL, reason VARCHAR NOT NULL,
    employee_id VARCHAR NOT NULL, month VARCHAR NOT NULL, output_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL
);

-- Parameters of the last `complaints build`, read by the SQL models.
CREATE TABLE IF NOT EXISTS core.build_params (
    as_of DATE NOT NULL, sla_working_days INTEGER NOT NULL, sla_goal DOUBLE NOT NULL,
    at_risk_working_days INTEGER NOT NULL, built_at TIMESTAMP NOT NULL
);
