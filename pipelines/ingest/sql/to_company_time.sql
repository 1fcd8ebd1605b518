-- A register timestamp as the company's wall-clock time. Without a declared export time zone
-- the value is company time already; with one (the mapping's timezone:), the export's wall
-- time is converted. Identifiers: declared, company (quoted zone names, or none).
{% if declared %}
    create or replace temp macro to_company_time(t) as timezone({{ company }}, timezone({{ declared }}, t));
{% else %}
    create or replace temp macro to_company_time(t) as t;
{% endif %}
