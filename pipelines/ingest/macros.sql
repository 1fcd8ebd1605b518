-- Scalar macros shared by the staging queries (staging/) and the load's statements (sql/).
-- Created per connection before staging runs. Temp macros: they live only in the loading
-- connection, like the raw rows and the key pads.

-- Labels and headers fold like pipelines.ingest.headers.header_key: no diacritics, lower case.
CREATE OR REPLACE TEMP MACRO label_key(s) AS
    trim(regexp_replace(lower(strip_accents(replace(replace(s, 'đ', 'd'), 'Đ', 'D'))),
                        '[\s_\-]+', ' ', 'g'));

-- Every timestamp shape users export, as the company's local wall-clock time, given the
-- column's field order (dmy, mdy or ymd; see pipelines/ingest/dates.py, which decides it from
-- the values): ISO 8601 with an offset or Z (converted) or without (local); a date written
-- d/m/y, m/d/y or y/m/d with '/', '-' or '.' between the parts, a 4- or 2-digit year, and an
-- optional time (24-hour, or 12-hour with AM/PM); Excel serial day numbers. A year-first date
-- with a 4-digit year reads the same in every order. Dates outside 1990-2099 are not
-- plausible: NULL (clamped to a sentinel, then nulled, so the parse is written once).

-- The date part of a value, its parts joined by '/' ('' when it is not a d/m/y-like date).
CREATE OR REPLACE TEMP MACRO ts_date_part(s) AS regexp_replace(
    regexp_extract(trim(s), '^(\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4})(\s|T|$)', 1),
    '[.\-]', '/', 'g');

-- A date part read in one order; NULL when that order cannot read it.
CREATE OR REPLACE TEMP MACRO ts_ordered_date(d, ord) AS CASE
    WHEN regexp_full_match(d, '\d{4}/\d{1,2}/\d{1,2}') THEN try_strptime(d, '%Y/%m/%d')
    WHEN regexp_full_match(d, '\d{1,2}/\d{1,2}/\d{4}') THEN CASE ord
        WHEN 'dmy' THEN try_strptime(d, '%d/%m/%Y')
        WHEN 'mdy' THEN try_strptime(d, '%m/%d/%Y') END
    WHEN regexp_full_match(d, '\d{1,2}/\d{1,2}/\d{2}') THEN CASE ord
        WHEN 'dmy' THEN try_strptime(d, '%d/%m/%y')
        WHEN 'mdy' THEN try_strptime(d, '%m/%d/%y')
        WHEN 'ymd' THEN try_strptime(d, '%y/%m/%d') END
END;

-- The time after a date part: none (midnight), 24-hour H:M[:S[.f]], or 12-hour with AM/PM.
CREATE OR REPLACE TEMP MACRO ts_time_part(rest) AS CASE
    WHEN rest = '' THEN TIME '00:00:00'
    -- an offset after the time ('07:14+02:00'): a TIME cast would drop it silently, so refused
    WHEN contains(rest, '+') OR contains(rest, '-') THEN NULL
    ELSE coalesce(try_cast(rest AS TIME),
                  cast(try_strptime(upper(rest), ['%I:%M:%S %p', '%I:%M %p', '%I %p']) AS TIME))
END;

-- A date in the plausible range, else NULL. The value is named once (a lambda, not a CASE that
-- names it three times): DuckDB computes an expression named more than once for every row
-- before a coalesce can skip it, and that made every later reading run on ISO values too.
CREATE OR REPLACE TEMP MACRO ts_plausible(t) AS
    list_filter([t], lambda x: x >= TIMESTAMP '1990-01-01' AND x < TIMESTAMP '2100-01-01')[1];

-- A date part as read in the given order, or NULL (for deciding a column's order).
CREATE OR REPLACE TEMP MACRO ts_read_date(d, ord) AS ts_plausible(ts_ordered_date(d, ord));

CREATE OR REPLACE TEMP MACRO parse_ts_any(s, ord) AS coalesce(
    -- ISO 8601 (year first), as wall-clock time in the session time zone (the company's,
    -- settings.timezone, set when the warehouse connection opens): a time zone or offset after
    -- the time (Z, +07:00, -0500, UTC...) is converted; without one the value is local already.
    -- A plain TIMESTAMP cast would drop an offset silently, and a TIMESTAMPTZ cast costs a
    -- time-zone lookup per value, so only values with a zone take it.
    CASE WHEN substr(s, 5, 1) = '-' THEN CASE
        WHEN regexp_matches(substr(s, 12), '[^0-9:.\s]')
            THEN cast(try_cast(s AS TIMESTAMPTZ) AS TIMESTAMP)
        ELSE try_cast(s AS TIMESTAMP) END END,
    -- the common shapes with a 4-digit year in one cast (a 2-digit year reads as year 13 here,
    -- which is implausible, so it goes on to the general reading)
    ts_plausible(CASE ord
        WHEN 'dmy' THEN try_strptime(s, ['%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
                                         '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y'])
        WHEN 'mdy' THEN try_strptime(s, ['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
                                         '%m-%d-%Y %H:%M:%S', '%m-%d-%Y %H:%M', '%m-%d-%Y'])
    END),
    -- every other date-and-time shape: the date part in the order, then the time
    -- (a lambda over the date part, so that it is computed once and only for these values)
    list_transform([ts_date_part(s)], lambda d: CASE WHEN d <> '' THEN
        cast(ts_ordered_date(d, ord) AS DATE) + ts_time_part(
            regexp_replace(trim(regexp_replace(trim(s), '^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}T?',
                                               '')), '\s+', ' ', 'g'))
    END)[1],
    CASE WHEN regexp_full_match(s, '\d{4,5}(\.\d+)?')
        -- Serial days carry float error; Excel itself shows them to the second.
        THEN TIMESTAMP '1899-12-30' + to_seconds(cast(round(cast(s AS DOUBLE) * 86400) AS BIGINT))
    END
);

-- A value in a column's decided order. In a 'mixed' column (no single order reads every
-- value) a value is read only when every order that can read it gives the same date.
CREATE OR REPLACE TEMP MACRO parse_ts(s, ord) AS ts_plausible(CASE
    WHEN ord = 'mixed' THEN CASE WHEN len(list_distinct([
        parse_ts_any(s, 'dmy'), parse_ts_any(s, 'mdy'), parse_ts_any(s, 'ymd')])) = 1
        THEN coalesce(parse_ts_any(s, 'dmy'), parse_ts_any(s, 'mdy'), parse_ts_any(s, 'ymd')) END
    ELSE parse_ts_any(s, coalesce(ord, 'dmy'))
END);

-- The register rejects a mixed column's order-dependent values with their own rule
-- (date_order_problem); they are read day-first here so no second rule fires on them.
CREATE OR REPLACE TEMP MACRO parse_ts_register(s, ord) AS
    coalesce(parse_ts(s, ord), CASE WHEN ord = 'mixed' THEN ts_plausible(parse_ts_any(s, 'dmy')) END);

-- The decided order of a field of this file, and for a mixed column one value of each order:
-- placeholders here, replaced by dates.decide with a CASE over the file's columns (a constant
-- CASE folds away, where a table lookup per row would cost a join per use).
CREATE OR REPLACE TEMP MACRO date_order_of(f) AS 'dmy';
CREATE OR REPLACE TEMP MACRO date_order_evidence(f) AS '';

-- A value of a 'mixed' column whose reading depends on the order: the date and why, else NULL.
CREATE OR REPLACE TEMP MACRO date_order_problem(f, s) AS CASE
    WHEN date_order_of(f) = 'mixed' AND ts_date_part(s) <> ''
         AND len(list_distinct([ts_read_date(ts_date_part(s), 'dmy'),
             ts_read_date(ts_date_part(s), 'mdy'), ts_read_date(ts_date_part(s), 'ymd')])) > 1
    THEN f || ' ' || s || ' (' || date_order_evidence(f) || ')'
END;

-- The start or end date of a staff or partners row that was given but cannot be read, named
-- ('start_date 31/02/2024'), else NULL: the row loads without it, with a warning.
CREATE OR REPLACE TEMP MACRO unreadable_directory_date(start_date, end_date) AS nullif(concat_ws('; ',
    CASE WHEN start_date IS NOT NULL AND parse_ts(start_date, date_order_of('start_date')) IS NULL
         THEN 'start_date ' || start_date END,
    CASE WHEN end_date IS NOT NULL AND parse_ts(end_date, date_order_of('end_date')) IS NULL
         THEN 'end_date ' || end_date END), '');

-- A count: digits, optionally grouped in thousands ('1,234', '1.234', '1 234' with a space
-- or a no-break space) and optionally with a zero fraction ('1234.0', how pandas writes an
-- integer column with gaps). A real fraction ('12.5'), a sign or text is not a count: NULL.
-- Grouping is tried first: '15.000' and '15,000' are fifteen thousand (three digits after the
-- separator are a thousands group), never fifteen with a zero fraction. A first group with a
-- leading zero ('01.234') is no one's grouping: refused.
CREATE OR REPLACE TEMP MACRO parse_count_text(t) AS CASE
    WHEN regexp_full_match(t, '[1-9]\d{0,2}(,\d{3})+(\.0+)?') THEN replace(regexp_extract(t, '^[\d,]+'), ',', '')
    WHEN regexp_full_match(t, '[1-9]\d{0,2}(\.\d{3})+(,0+)?') THEN replace(regexp_extract(t, '^[\d.]+'), '.', '')
    WHEN regexp_full_match(t, '[1-9]\d{0,2}( \d{3})+([.,]0+)?') THEN replace(regexp_extract(t, '^[\d ]+'), ' ', '')
    WHEN regexp_full_match(t, '\d+([.,]0+)?') THEN regexp_extract(t, '^\d+')
END;

CREATE OR REPLACE TEMP MACRO parse_count(s) AS try_cast(parse_count_text(
    trim(regexp_replace(s, '[\x{00A0}\x{202F}\x{2007}]', ' ', 'g'))) AS BIGINT);

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
