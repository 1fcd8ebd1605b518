-- Warnings of a load by rule. Parameter: load_id.
select rule, count(*)
from quarantine.warnings
where load_id = {{ param }}
group by rule
order by rule
