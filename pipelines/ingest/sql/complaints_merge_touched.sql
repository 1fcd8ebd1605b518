-- core.complaints recomputed for the touched complaints only: the model, its input restricted
-- to their versions (DuckDB does not push a filter on the result through its window).
delete from core.complaints
where complaint_id in (select complaint_id from touched_ids);

insert into core.complaints by name
select * from (
    {{ model_sql }}
);

drop table touched_ids;
