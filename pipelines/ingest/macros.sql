-- Scalar macros shared by the staging queries (staging/) and the load's statements (sql/).
-- Created per connection before staging runs. Temp macros: they live only in the loading
-- connection, like the raw rows and the key pads.

-- Labels and headers fold like pipelines.ingest.headers.header_key: no diacritics, lower case.
create or replace temp macro label_key(s) as
trim(regexp_replace(
    lower(strip_accents(replace(replace(s, 'đ', 'd'), 'Đ', 'D'))),
    '[\s_\-]+', ' ', 'g'
));

-- Every timestamp shape users export, as the company's local wall-clock time, given the
-- column's field order (dmy, mdy or ymd; see pipelines/ingest/dates.py, which decides it from
-- the values): ISO 8601 with an offset or Z (converted) or without (local); a date written
-- d/m/y, m/d/y or y/m/d with '/', '-' or '.' between the parts, a 4- or 2-digit year, and an
-- optional time (24-hour, or 12-hour with AM/PM); Excel serial day numbers. A year-first date
-- with a 4-digit year reads the same in every order. Dates outside 1990-2099 are not
-- plausible: NULL (clamped to a sentinel, then nulled, so the parse is written once).

-- The date part of a value, its parts joined by '/' ('' when it is not a d/m/y-like date).
create or replace temp macro ts_date_part(s) as regexp_replace(
    regexp_extract(trim(s), '^(\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4})(\s|T|$)', 1),
    '[.\-]', '/', 'g'
);

-- A date part read in one order; NULL when that order cannot read it.
create or replace temp macro ts_ordered_date(d, ord) as case
    when regexp_full_match(d, '\d{4}/\d{1,2}/\d{1,2}') then try_strptime(d, '%Y/%m/%d')
    when regexp_full_match(d, '\d{1,2}/\d{1,2}/\d{4}')
        then
            case ord
                when 'dmy' then try_strptime(d, '%d/%m/%Y')
                when 'mdy' then try_strptime(d, '%m/%d/%Y')
            end
    when regexp_full_match(d, '\d{1,2}/\d{1,2}/\d{2}') then case ord
        when 'dmy' then try_strptime(d, '%d/%m/%y')
        when 'mdy' then try_strptime(d, '%m/%d/%y')
        when 'ymd' then try_strptime(d, '%y/%m/%d')
    end
end;

-- The time after a date part: none (midnight), 24-hour H:M[:S[.f]], or 12-hour with AM/PM.
create or replace temp macro ts_time_part(rest) as case
    when rest = '' then time '00:00:00'
    -- an offset after the time ('07:14+02:00'): a TIME cast would drop it silently, so refused
    when contains(rest, '+') or contains(rest, '-') then null
    else coalesce(
        try_cast(rest as time),
        cast(try_strptime(upper(rest), ['%I:%M:%S %p', '%I:%M %p', '%I %p']) as time)
    )
end;

-- A date in the plausible range, else NULL. The value is named once (a lambda, not a CASE that
-- names it three times): DuckDB computes an expression named more than once for every row
-- before a coalesce can skip it, and that made every later reading run on ISO values too.
create or replace temp macro ts_plausible(t) as
list_filter([t], lambda x: x >= timestamp '1990-01-01' and x < timestamp '2100-01-01')[1];

-- A date part as read in the given order, or NULL (for deciding a column's order).
create or replace temp macro ts_read_date(d, ord) as ts_plausible(ts_ordered_date(d, ord));

create or replace temp macro parse_ts_any(s, ord) as coalesce(
    -- ISO 8601 (year first), as wall-clock time in the session time zone (the company's,
    -- settings.timezone, set when the warehouse connection opens): a time zone or offset after
    -- the time (Z, +07:00, -0500, UTC...) is converted; without one the value is local already.
    -- A plain TIMESTAMP cast would drop an offset silently, and a TIMESTAMPTZ cast costs a
    -- time-zone lookup per value, so only values with a zone take it.
    case when substr(s, 5, 1) = '-' then case
        when regexp_matches(substr(s, 12), '[^0-9:.\s]')
            then cast(try_cast(s as timestamptz) as timestamp)
        else try_cast(s as timestamp)
    end end,
    -- the common shapes with a 4-digit year in one cast (a 2-digit year reads as year 13 here,
    -- which is implausible, so it goes on to the general reading)
    ts_plausible(case ord
        when 'dmy'
            then
                try_strptime(s, [
                    '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
                    '%d-%m-%Y %H:%M:%S', '%d-%m-%Y %H:%M', '%d-%m-%Y'
                ])
        when 'mdy' then try_strptime(s, [
            '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
            '%m-%d-%Y %H:%M:%S', '%m-%d-%Y %H:%M', '%m-%d-%Y'
        ])
    end),
    -- every other date-and-time shape: the date part in the order, then the time
    -- (a lambda over the date part, so that it is computed once and only for these values)
    list_transform([ts_date_part(s)], lambda d: case
        when d <> ''
            then
                cast(ts_ordered_date(d, ord) as date) + ts_time_part(
                    regexp_replace(trim(regexp_replace(
                        trim(s), '^\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}T?',
                        ''
                    )), '\s+', ' ', 'g')
                )
    end)[1],
    case
        when regexp_full_match(s, '\d{4,5}(\.\d+)?')
            -- Serial days carry float error; Excel itself shows them to the second.
            then timestamp '1899-12-30' + to_seconds(cast(round(cast(s as double) * 86400) as bigint))
    end
);

-- A value in a column's decided order. In a 'mixed' column (no single order reads every
-- value) a value is read only when every order that can read it gives the same date.
create or replace temp macro parse_ts(s, ord) as ts_plausible(case
    when ord = 'mixed'
        then
            case
                when
                    len(list_distinct([
                        parse_ts_any(s, 'dmy'), parse_ts_any(s, 'mdy'), parse_ts_any(s, 'ymd')
                    ])) = 1
                    then coalesce(parse_ts_any(s, 'dmy'), parse_ts_any(s, 'mdy'), parse_ts_any(s, 'ymd'))
            end
    else parse_ts_any(s, coalesce(ord, 'dmy'))
end);

-- A register timestamp as company time: itself, unless the mapping declares the export's time
-- zone (sql/to_company_time.sql redefines it for that file's staging).
create or replace temp macro to_company_time(t) as t;

-- The register rejects a mixed column's order-dependent values with their own rule
-- (date_order_problem); they are read day-first here so no second rule fires on them.
create or replace temp macro parse_ts_register(s, ord) as
coalesce(parse_ts(s, ord), case when ord = 'mixed' then ts_plausible(parse_ts_any(s, 'dmy')) end);

-- The decided order of a field of this file, and for a mixed column one value of each order:
-- placeholders here, replaced by dates.decide with a CASE over the file's columns (a constant
-- CASE folds away, where a table lookup per row would cost a join per use).
create or replace temp macro date_order_of(f) as 'dmy';
create or replace temp macro date_order_evidence(f) as '';

-- A value of a 'mixed' column whose reading depends on the order: the date and why, else NULL.
create or replace temp macro date_order_problem(f, s) as case
    when
        date_order_of(f) = 'mixed' and ts_date_part(s) <> ''
        and len(list_distinct([
            ts_read_date(ts_date_part(s), 'dmy'),
            ts_read_date(ts_date_part(s), 'mdy'), ts_read_date(ts_date_part(s), 'ymd')
        ])) > 1
        then f || ' ' || s || ' (' || date_order_evidence(f) || ')'
end;

-- The start or end date of a staff or partners row that was given but cannot be read, named
-- ('start_date 31/02/2024'), else NULL: the row loads without it, with a warning.
create or replace temp macro unreadable_directory_date(start_date, end_date) as nullif(concat_ws(
    '; ',
    case
        when start_date is not null and parse_ts(start_date, date_order_of('start_date')) is null
            then 'start_date ' || start_date
    end,
    case
        when end_date is not null and parse_ts(end_date, date_order_of('end_date')) is null
            then 'end_date ' || end_date
    end
), '');

-- A count: digits, optionally grouped in thousands ('1,234', '1.234', '1 234' with a space
-- or a no-break space) and optionally with a zero fraction ('1234.0', how pandas writes an
-- integer column with gaps). A real fraction ('12.5'), a sign or text is not a count: NULL.
-- Grouping is tried first: '15.000' and '15,000' are fifteen thousand (three digits after the
-- separator are a thousands group), never fifteen with a zero fraction. A first group with a
-- leading zero ('01.234') is no one's grouping: refused.
create or replace temp macro parse_count_text(t) as case
    when regexp_full_match(t, '[1-9]\d{0,2}(,\d{3})+(\.0+)?') then replace(regexp_extract(t, '^[\d,]+'), ',', '')
    when regexp_full_match(t, '[1-9]\d{0,2}(\.\d{3})+(,0+)?') then replace(regexp_extract(t, '^[\d.]+'), '.', '')
    when regexp_full_match(t, '[1-9]\d{0,2}( \d{3})+([.,]0+)?') then replace(regexp_extract(t, '^[\d ]+'), ' ', '')
    when regexp_full_match(t, '\d+([.,]0+)?') then regexp_extract(t, '^\d+')
end;

create or replace temp macro parse_count(s) as try_cast(parse_count_text(
    trim(regexp_replace(s, '[\x{00A0}\x{202F}\x{2007}]', ' ', 'g'))
) as bigint);

-- Personal data in free text is masked before storage (clauses 3.3, 4.6): see
-- pipelines/ingest/masking.py. pii_prefilter (created from masking.py's word lists) and the
-- row's own given name and id digits pick the few texts that can hold any; only those go to
-- the vectorised Python UDF mask_pii_text. Every other text is stored as given.

-- The row's given name (as written, or without tone marks, as staff often type it) or the
-- digits of its customer or contract id in the text. Substring tests, not word tests: this only
-- picks texts for the precise matching in Python, and must stay cheap over every row. The given
-- name is looked for after a space (else An, Vy, Hiếu would match thanh, thiếu...); texts with
-- other spaces (NBSP) go to Python anyway (pii_prefilter).
create or replace temp macro given_name_key(customer_name) as
' ' || lower(nullif(split_part(trim(customer_name), ' ', -1), ''));

create or replace temp macro may_name_own(text, customer_name, customer_id, contract_id) as
coalesce(case
    when contains(' ' || lower(text), given_name_key(customer_name)) then true
    when contains(
        ' ' || lower(text),
        strip_accents(translate(given_name_key(customer_name), 'đ', 'd'))
    ) then true
    -- a register name without tone marks (Nguyen Thi Hong, all ASCII): fold the text too
    when strlen(customer_name) = length(customer_name)
        then contains(
            ' ' || strip_accents(lower(translate(text, 'đĐ', 'dD'))),
            given_name_key(customer_name)
        )
    else false
end, false)
or coalesce(
    contains(text, nullif(regexp_extract(customer_id, '([0-9]{3,})[^0-9]*$', 1), '')),
    false
)
or coalesce(
    contains(text, nullif(regexp_extract(contract_id, '([0-9]{3,})[^0-9]*$', 1), '')),
    false
);

create or replace temp macro mask_pii(
    text, customer_name, customer_phone, customer_email,
    customer_national_id, customer_id, contract_id
) as
case
    when pii_prefilter(text)
        then
            mask_pii_text(
                text, customer_name, customer_phone,
                customer_email, customer_national_id,
                customer_id, contract_id
            )
    when may_name_own(text, customer_name, customer_id, contract_id)
        then mask_pii_text(
            text, customer_name, customer_phone, customer_email,
            customer_national_id, customer_id, contract_id
        )
    else text
end;

-- Keyed HMAC-SHA256 (RFC 2104) with the pads of the pseudonym key in load_context.
create or replace temp macro hmac_sha256(message) as
case when message is not null then sha256(
    (select unhex(opad) from load_context)
    || unhex(sha256((select unhex(ipad) from load_context) || encode(message)))
) end;
