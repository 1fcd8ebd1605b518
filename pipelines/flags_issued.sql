-- Flags as issued (issue 24): every flag of marts.pattern_flags as first raised, with the build
-- and the data it came from; a later build that no longer raises it, or raises it at another
-- severity or on other evidence, records when and why (the row stays). Run after the marts by
-- pipelines/flags_issued.py. Review months after as_of's are left alone (as_of moved back).

update core.flags_issued as i
set
    withdrawn_at = (select built_at from core.build_params),
    withdrawn_reason = case
        when
            exists (
                select 1 from marts.complaint_subjects as n
                where
                    n.subject_type = i.subject_type and n.subject_id = i.subject_id
                    and n.appeal = 'overturned' and list_contains(i.complaint_ids, n.complaint_id)
            )
            then 'a finding it rested on was overturned on review'
        when
            not exists (
                select 1 from marts.pattern_flags as p
                where
                    p.subject_type = i.subject_type and p.subject_id = i.subject_id
                    and p.rule = i.rule and p.review_month = i.review_month
            )
            then 'no longer raised: the register, the directory or the activity changed'
        else 'raised again with another severity or other evidence'
    end
where
    i.withdrawn_at is null
    and i.review_month <= (select date_trunc('month', as_of) from core.build_params)
    and not exists (
        select 1 from marts.pattern_flags as p
        where
            p.subject_type = i.subject_type and p.subject_id = i.subject_id
            and p.rule = i.rule and p.review_month = i.review_month
            and p.severity = i.severity and p.complaint_ids = i.complaint_ids
    );

insert into core.flags_issued
select
    p.subject_type, p.subject_id, p.rule, p.review_month, p.severity, p.observed, p.expected,
    p.complaint_ids, p.explanation_vi, p.explanation_en,
    b.built_at, b.as_of, (select max(loaded_at) from core.load_log), null, null
from marts.pattern_flags as p
cross join core.build_params as b
where not exists (
    select 1 from core.flags_issued as i
    where
        i.withdrawn_at is null
        and p.subject_type = i.subject_type and p.subject_id = i.subject_id
        and p.rule = i.rule and p.review_month = i.review_month
        and p.severity = i.severity and p.complaint_ids = i.complaint_ids
);
