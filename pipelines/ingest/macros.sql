-- Scalar macros shared by the staging models. Created per connection before staging runs.
-- Temp macros: they live only in the loading connection, like the raw rows and the key pads.

-- Labels and headers fold like pipelines.ingest.headers.header_key: no diacritics, lower case.
CREATE OR REPLACE TEMP MACRO label_key(s) AS
    trim(regexp_replace(lower(strip_accents(replace(replace(s, 'đ', 'd'), 'Đ', 'D'))),
                        '[\s_\-]+', ' ', 'g'));

-- Every timestamp shape users export, as local (Asia/Ho_Chi_Minh) wall-clock time:
-- ISO 8601 with an offset or Z (converted), dd/mm/yyyy[ HH:MM[:SS]], yyyy-mm-dd[ HH:MM[:SS]]
-- (local), and Excel serial day numbers. Dates outside 1990-2100 are not plausible: NULL.
CREATE OR REPLACE TEMP MACRO parse_ts(s) AS (
    WITH parsed AS (
        SELECT CASE
            WHEN s IS NULL THEN NULL
            WHEN regexp_full_match(s, '\d{4,5}(\.\d+)?')
                -- Serial days carry float error; Excel itself shows them to the second.
                THEN TIMESTAMP '1899-12-30'
                     + to_seconds(cast(round(cast(s AS DOUBLE) * 86400) AS BIGINT))
            WHEN regexp_full_match(s, '\d{4}-\d{2}-\d{2}[T ][0-9:.]+\s*(Z|[+-]\d{2}(:?\d{2})?)')
                THEN timezone('Asia/Ho_Chi_Minh', try_cast(s AS TIMESTAMPTZ))
            ELSE try_strptime(regexp_replace(s, '\s+', ' ', 'g'), [
                '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
                '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M',
                '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%d',
                '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y', '%Y/%m/%d %H:%M', '%Y/%m/%d'
            ])
        END AS ts
    )
    SELECT CASE WHEN ts >= TIMESTAMP '1990-01-01' AND ts < TIMESTAMP '2100-01-01' THEN ts END
    FROM parsed
);

-- Phone numbers, e-mail addresses and 9- or 12-digit ID numbers in free text, and the
-- complainant's own name, are masked before storage (clauses 3.3, 4.6).
CREATE OR REPLACE TEMP MACRO mask_pii(text, customer_name) AS
    regexp_replace(regexp_replace(regexp_replace(
        CASE WHEN customer_name IS NOT NULL AND length(customer_name) > 3
             THEN replace(text, customer_name, '[tên]') ELSE text END,
        '[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}', '[email]', 'g'),
        '(\+?84|\b0)([\s.\-]?\d){8,10}\b', '[sđt]', 'g'),
        '\b(\d{12}|\d{9})\b', '[số giấy tờ]', 'g');

-- Keyed HMAC-SHA256 (RFC 2104) with the pads of the pseudonym key in load_context.
CREATE OR REPLACE TEMP MACRO hmac_sha256(message) AS
    CASE WHEN message IS NOT NULL THEN sha256(
        (SELECT unhex(opad) FROM load_context)
        || unhex(sha256((SELECT unhex(ipad) FROM load_context) || encode(message)))
    ) END;
