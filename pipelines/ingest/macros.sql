-- Scalar macros shared by the staging models. Created per connection before staging runs.
-- Temp macros: they live only in the loading connection, like the raw rows and the key pads.

-- Labels and headers fold like pipelines.ingest.headers.header_key: no diacritics, lower case.
CREATE OR REPLACE TEMP MACRO label_key(s) AS
    trim(regexp_replace(lower(strip_accents(replace(replace(s, 'đ', 'd'), 'Đ', 'D'))),
                        '[\s_\-]+', ' ', 'g'));

-- Every timestamp shape users export, as local (Asia/Ho_Chi_Minh) wall-clock time:
-- ISO 8601 with an offset or Z (converted) or without (local), dd/mm/yyyy[ HH:MM[:SS]] and the
-- other day-first and slash shapes, and Excel serial day numbers. COALESCE tries each only on
-- the values the previous one could not read, so the common shape costs one cast. Dates
-- outside 1990-2099 are not plausible: NULL (clamped to a sentinel, then nulled, so the parse
-- is written, and computed, once).
CREATE OR REPLACE TEMP MACRO parse_ts_any(s) AS coalesce(
    -- the session time zone is Asia/Ho_Chi_Minh, so a timestamp without offset is local
    timezone('Asia/Ho_Chi_Minh', try_cast(s AS TIMESTAMPTZ)),
    try_strptime(s, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y', '%d-%m-%Y %H:%M:%S',
                     '%d-%m-%Y %H:%M', '%d-%m-%Y', '%Y/%m/%d %H:%M', '%Y/%m/%d']),
    try_strptime(regexp_replace(s, '\s+', ' ', 'g'), ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M',
                     '%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%d-%m-%Y %H:%M']),
    CASE WHEN regexp_full_match(s, '\d{4,5}(\.\d+)?')
        -- Serial days carry float error; Excel itself shows them to the second.
        THEN TIMESTAMP '1899-12-30' + to_seconds(cast(round(cast(s AS DOUBLE) * 86400) AS BIGINT))
    END
);

CREATE OR REPLACE TEMP MACRO parse_ts(s) AS nullif(nullif(least(greatest(parse_ts_any(s),
    TIMESTAMP '1989-12-31 23:59:59.999999'), TIMESTAMP '2100-01-01'),
    TIMESTAMP '1989-12-31 23:59:59.999999'), TIMESTAMP '2100-01-01');

-- Personal data in free text is masked before storage (clauses 3.3, 4.6): see
-- pipelines/ingest/masking.py. pii_prefilter (created from masking.py's word lists) and the
-- row's own given name and id digits pick the few texts that can hold any; only those go to
-- the vectorised Python UDF mask_pii_text. Every other text is stored as given.

-- The row's given name (as written, or without tone marks, as staff often type it) or the
-- digits of its customer or contract id in the text. Substring tests, not word tests: this only
-- picks texts for the precise matching in Python, and must stay cheap over every row. The given
-- name is looked for after a space (else An, Vy, Hiếu would match thanh, thiếu...); texts with
-- other spaces (NBSP) go to Python anyway (pii_prefilter).
CREATE OR REPLACE TEMP MACRO given_name_key(customer_name) AS
    ' ' || lower(nullif(split_part(trim(customer_name), ' ', -1), ''));

CREATE OR REPLACE TEMP MACRO may_name_own(text, customer_name, customer_id, contract_id) AS
    coalesce(CASE
        WHEN contains(' ' || lower(text), given_name_key(customer_name)) THEN true
        WHEN contains(' ' || lower(text),
                      strip_accents(translate(given_name_key(customer_name), 'đ', 'd'))) THEN true
        -- a register name without tone marks (Nguyen Thi Hong, all ASCII): fold the text too
        WHEN strlen(customer_name) = length(customer_name)
        THEN contains(' ' || strip_accents(lower(translate(text, 'đĐ', 'dD'))),
                      given_name_key(customer_name))
        ELSE false END, false)
    OR coalesce(contains(text, nullif(regexp_extract(customer_id, '([0-9]{3,})[^0-9]*$', 1), '')),
                false)
    OR coalesce(contains(text, nullif(regexp_extract(contract_id, '([0-9]{3,})[^0-9]*$', 1), '')),
                false);

CREATE OR REPLACE TEMP MACRO mask_pii(text, customer_name, customer_phone, customer_email,
                                      customer_national_id, customer_id, contract_id) AS
    CASE WHEN pii_prefilter(text) THEN mask_pii_text(text, customer_name, customer_phone,
                                                     customer_email, customer_national_id,
                                                     customer_id, contract_id)
         WHEN may_name_own(text, customer_name, customer_id, contract_id)
         THEN mask_pii_text(text, customer_name, customer_phone, customer_email,
                            customer_national_id, customer_id, contract_id)
         ELSE text END;

-- Keyed HMAC-SHA256 (RFC 2104) with the pads of the pseudonym key in load_context.
CREATE OR REPLACE TEMP MACRO hmac_sha256(message) AS
    CASE WHEN message IS NOT NULL THEN sha256(
        (SELECT unhex(opad) FROM load_context)
        || unhex(sha256((SELECT unhex(ipad) FROM load_context) || encode(message)))
    ) END;
