-- Warnings of a load by rule.
select rule, count(*)
from quarantine.warnings
where load_id = {{ param('load_id') }}
group by rule
order by rule
