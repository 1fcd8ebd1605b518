-- Pattern flags per review month, each with its statistics, its evidence complaint ids and a
-- plain explanation in Vietnamese and English (clauses 3.4, 3.5, 4.5, 5.1, 6.2, 7.1).
-- Only substantiated conduct findings (upheld or partially upheld complaints of the subject's
-- conduct category, not overturned on review) raise serious_conduct, persistent, outlier_rate and
-- rising_trend, each in the month it was decided (marts.complaint_subjects); allegations and
-- other complaints naming the subject are shown beside them, never counted. A finding under
-- review (clause 4.3) still counts but cannot make a flag high; nor can a comparison without
-- activity data. Outcomes are those known at the latest export, also for past review months.
-- Thresholds come from core.pattern_params (settings; docs/statistics.md).
with params as (
    select
        p.*, b.as_of, b.sla_working_days,
        cast(date_trunc('month', b.as_of) as date) as last_month
    from core.pattern_params as p
    cross join core.build_params as b
),

active as (
    select month as review_month, subject_type, subject_id, peer_group
    from marts.subject_monthly
    where month <= (select last_month from params)
),

-- Substantiated complaints behind a flag over the months [review_month - span + 1, review_month].
evidence as (
    select
        a.review_month, a.subject_type, a.subject_id, w.span,
        list(n.complaint_id order by n.decided_at, n.complaint_id) as complaint_ids,
        count(*) filter (where n.appeal = 'under_review') as under_review
    from active as a
    cross join (
        select distinct unnest([1, persistent_window, outlier_window, 3]) as span from params
    ) as w
    inner join marts.complaint_subjects as n
        on
            n.subject_type = a.subject_type and n.subject_id = a.subject_id and n.substantiated
            and n.decision_month <= a.review_month
            and n.decision_month > a.review_month - to_months(w.span)
    group by all
),

serious as (
    select
        a.subject_type, a.subject_id, a.peer_group, 'serious_conduct' as rule,
        -- a finding awaiting its review is shown, but is not yet a settled serious breach
        case when bool_and(n.appeal = 'under_review') then 'medium' else 'high' end as severity,
        a.review_month, a.review_month as period_start,
        count(*) filter (where n.repeat_of is null) as observed, cast(null as double) as expected,
        cast(null as double) as upper_limit,
        list(n.complaint_id order by n.decided_at, n.complaint_id) as complaint_ids,
        count(*) filter (where n.appeal = 'under_review') as under_review,
        string_agg(distinct lower(coalesce(v.label_vi, n.subcategory)), ', ') as what_vi,
        string_agg(distinct n.subcategory, ', ') as what_en,
        string_agg(
            printf(
                '%s: tiếp nhận tháng %d/%d, kết luận tháng %d/%d', n.complaint_id,
                month(n.received_at), year(n.received_at), month(n.decided_at),
                year(n.decided_at)
            ), '; ' order by n.decided_at, n.complaint_id
        ) as when_vi,
        string_agg(printf(
            '%s: received in %s, decided in %s', n.complaint_id,
            strftime(n.received_at, '%B %Y'), strftime(n.decided_at, '%B %Y')
        ), '; '
        order by n.decided_at, n.complaint_id) as when_en
    from active as a
    inner join marts.complaint_subjects as n
        on
            n.subject_type = a.subject_type and n.subject_id = a.subject_id
            and n.decision_month = a.review_month and n.substantiated
    cross join params as p
    left join core.value_labels as v on v.field = 'subcategory' and v.code = n.subcategory
    where list_contains(p.serious_subcategories, n.subcategory)
    group by all
),

persistent_windows as (
    select
        a.subject_type, a.subject_id, a.peer_group, a.review_month,
        count(*) filter (where s.substantiated > 0) as months_with_findings,
        count(*) filter (where s.substantiated > s.under_review) as months_with_settled,
        sum(s.pending) as pending,
        sum(s.not_upheld + s.withdrawn) as not_upheld,
        string_agg(strftime(s.month, '%m/%Y'), ', ' order by s.month)
        filter (where s.substantiated > 0) as finding_months
    from active as a
    inner join marts.subject_monthly as s
        on
            s.subject_type = a.subject_type and s.subject_id = a.subject_id
            and s.month <= a.review_month
            and s.month > a.review_month - to_months((select persistent_window from params))
    group by all
),

-- How often someone this busy has findings in this many months or more by chance at the peers'
-- rate (the p-value), and whether it survives the false-discovery control over the month's
-- subjects tested (those with activity data for the whole window): marts.funnel.
persistent as (
    select
        w.subject_type, w.subject_id, w.peer_group, 'persistent' as rule,
        case
            when not coalesce(f.persistent_discovered, false) then 'watch'
            -- only with findings awaiting review: never high
            when w.months_with_settled < p.persistent_months then 'medium'
            else 'high'
        end as severity,
        e.under_review, w.review_month,
        cast(w.review_month - to_months(p.persistent_window - 1) as date) as period_start,
        w.months_with_findings as observed, f.persistent_p_value as expected,
        cast(null as double) as upper_limit, e.complaint_ids, w.finding_months, w.pending, w.not_upheld,
        p.persistent_window, p.persistent_months, p.persistent_fdr,
        f.persistent_p_value as chance, f.persistent_family as family,
        coalesce(f.persistent_discovered, false) as discovered,
        -- one in how many subjects this busy would reach it by chance
        round(1 / nullif(f.persistent_p_value, 0)) as one_in
    from persistent_windows as w
    cross join params as p
    inner join evidence as e
        on
            e.review_month = w.review_month and e.subject_type = w.subject_type
            and e.subject_id = w.subject_id and e.span = p.persistent_window
    left join marts.funnel as f
        on
            f.review_month = w.review_month and f.subject_type = w.subject_type
            and f.subject_id = w.subject_id
    -- a verdict needs its basis (marts.funnel persistent_reason: the subject's and its peers'
    -- activity, enough peers and peer findings): without it, no flag, whatever the count; and
    -- watch needs at least suggestive evidence for the subject alone (p <= 1 - outlier_watch_limit)
    where
        w.months_with_findings >= p.persistent_months
        and f.persistent_p_value > 0
        and (
            coalesce(f.persistent_discovered, false)
            or f.persistent_p_value <= 1 - p.outlier_watch_limit
        )
),

outliers as (
    select
        f.subject_type, f.subject_id, f.peer_group, 'outlier_rate' as rule,
        case when f.verdict = 'outlier' then 'medium' else 'watch' end as severity,
        f.review_month, f.period_start, f.observed, f.expected,
        case when f.verdict = 'outlier' then f.limit_998 else f.limit_95 end as upper_limit,
        e.complaint_ids, e.under_review, f.exposure, f.peer_rate, f.peers, f.phi, f.tau2,
        f.p_value, f.q_value, f.family, p.outlier_fdr, f.verdict
    from marts.funnel as f
    cross join params as p
    inner join evidence as e
        on
            e.review_month = f.review_month and e.subject_type = f.subject_type
            and e.subject_id = f.subject_id and e.span = p.outlier_window
    where f.subject_type in ('employee', 'partner') and f.verdict in ('outlier', 'watch')
),

-- A rise against the subject's own earlier months, at its peers' rates (marts.funnel trend_*):
-- watch, and only when it survives the false-discovery control at trend_fdr and p <= 0.05 for
-- the subject alone (with few subjects tested, 20% FDR alone would pass p = 0.1).
rising as (
    select
        f.subject_type, f.subject_id, f.peer_group, 'rising_trend' as rule, 'watch' as severity,
        f.review_month, f.period_start, f.trend_recent as observed,
        f.trend_recent_expected * (f.trend_recent + f.trend_earlier)
        / (f.trend_recent_expected + f.trend_earlier_expected) as expected,
        cast(null as double) as upper_limit, e.complaint_ids, e.under_review,
        f.trend_earlier, f.trend_p_value, f.trend_family, p.trend_window, p.trend_fdr,
        cast(f.review_month - to_months(p.outlier_window + p.trend_window - 1) as date)
            as baseline_start,
        cast(f.period_start - interval 1 month as date) as baseline_end
    from marts.funnel as f
    cross join params as p
    inner join evidence as e
        on
            e.review_month = f.review_month and e.subject_type = f.subject_type
            and e.subject_id = f.subject_id and e.span = p.outlier_window
    where
        f.trend_discovered and f.trend_p_value > 0
        and f.trend_p_value <= 1 - p.outlier_watch_limit
),

handler_breaches as (
    select
        f.subject_type, f.subject_id, f.peer_group, 'handler_sla' as rule, 'medium' as severity,
        f.review_month, f.period_start, f.observed, f.expected, f.limit_998 as upper_limit,
        list(c.complaint_id order by c.received_at, c.complaint_id) as complaint_ids,
        f.exposure, f.peer_rate, f.tolerated_rate, f.test_rate
    from marts.funnel as f
    inner join marts.complaint_sla as c
        on
            c.handler_id = f.subject_id and c.sla_status in ('breached', 'open_overdue')
            and c.receipt_date between f.period_start and f.review_month + interval 1 month - interval 1 day
    where f.subject_type = 'handler' and f.verdict = 'outlier'
    group by all
),

-- How the sentences name a subject: partners are companies, not people.
nouns as (
    select *
    from (
        values
        ('employee', 'người', 'person', 'people'),
        ('handler', 'người', 'person', 'people'),
        ('partner', 'đối tác', 'partner', 'partners')
    ) as n (subject_type, noun_vi, noun_en, nouns_en)
),

-- Episodes (issue 24, fifth round): a high persistent verdict (marts.funnel
-- persistent_discovered) in consecutive review months is one flag continuing, since successive
-- windows share all but one month; each run of consecutive months starts at its first.
persistent_episodes as (
    select
        subject_type, subject_id, review_month,
        min(review_month) over (partition by subject_type, subject_id, run) as episode_since
    from (
        select
            subject_type, subject_id, review_month,
            date_diff('month', date '2000-01-01', review_month)
            - row_number() over (partition by subject_type, subject_id order by review_month) as run
        from marts.funnel
        where persistent_discovered
    )
),

explained as (
    select
        subject_type, subject_id, peer_group, rule, severity, review_month, period_start,
        observed, expected, upper_limit, complaint_ids, under_review,
        printf(
            '%d khiếu nại có cơ sở về hành vi %s được kết luận trong tháng %s (Điều 3.4): '
            || '%s. Một vi phạm nghiêm trọng đã được xác minh cần được xem xét, không phụ thuộc '
            || 'vào khối lượng công việc.', observed, what_vi, strftime(review_month, '%m/%Y'),
            when_vi
        ) as explanation_vi,
        printf(
            '%d substantiated %s of %s decided in %s (clause 3.4): %s. A single '
            || 'substantiated serious breach warrants review whatever the workload.',
            observed, case when observed = 1 then 'complaint' else 'complaints' end,
            replace(what_en, '_', ' '), strftime(review_month, '%m/%Y'), when_en
        ) as explanation_en
    from serious
    union all
    select
        subject_type, subject_id, peer_group, rule, severity, review_month, period_start,
        observed, expected, upper_limit, complaint_ids, under_review,
        printf(
            'Có khiếu nại có cơ sở được kết luận trong %d tháng khác nhau của %d tháng gần '
            || 'nhất (%s–%s): %s. Vi phạm có cơ sở lặp lại nhiều tháng %s vi phạm '
            || 'thường xuyên (Điều 7.1). Cáo buộc chưa được xác minh không được tính: %d chưa '
            || 'kết luận, %d không có cơ sở hoặc đã rút.', observed, persistent_window,
            strftime(period_start, '%m/%Y'), strftime(review_month, '%m/%Y'), finding_months,
            case when severity = 'watch' then 'có thể cho thấy' else 'cho thấy' end,
            pending, not_upheld
        )
        || case
            when discovered
                then
                    printf(
                        ' Với khối lượng công việc này, theo tỷ lệ của nhóm %s, '
                        || 'khả năng có khiếu nại có cơ sở trong từ %d tháng trở lên do ngẫu nhiên chỉ là '
                        || '%s; sau khi tính đến việc %d đối tượng được kiểm tra trong tháng, mức này vẫn '
                        || 'có ý nghĩa với tỷ lệ phát hiện sai %s (Điều 6.2).', peer_group, observed,
                        replace(printf('%.2g%%', 100 * chance), '.', ','), family,
                        replace(printf('%g%%', 100 * persistent_fdr), '.', ',')
                    )
            else printf(
                ' Với khối lượng công việc này, theo tỷ lệ của nhóm %s, %s số %s '
                || 'bận rộn như vậy có khiếu nại có cơ sở trong từ %d tháng trở lên do ngẫu '
                || 'nhiên%s; với %d đối tượng được kiểm tra trong tháng, mức này có thể chỉ do '
                || 'ngẫu nhiên, nên đây là tín hiệu theo dõi, chưa phải dấu hiệu bất thường (Điều '
                || '6.2).', peer_group, replace(printf('%.2g%%', 100 * chance), '.', ','), noun_vi,
                observed,
                case when chance < 0.1 then printf(
                    ' (khoảng 1 trên %s %s)',
                    replace(format('{:,}', cast(one_in as bigint)), ',', '.'), noun_vi
                ) else '' end,
                family
            )
        end,
        printf(
            'Substantiated complaints decided in %d different months of the last %d '
            || '(%s–%s): %s. Substantiated breaches repeated over several months %s a '
            || 'persistent breach (clause 7.1). Allegations not upheld are not counted: %d '
            || 'pending, %d not upheld or withdrawn.', observed, persistent_window,
            strftime(period_start, '%m/%Y'), strftime(review_month, '%m/%Y'), finding_months,
            case when severity = 'watch' then 'may indicate' else 'indicate' end,
            pending, not_upheld
        )
        || case
            when discovered
                then
                    printf(
                        ' At this workload and the %s rate, the chance of '
                        || 'findings in %d or more months by chance is only %.2g%%; allowing for the %d '
                        || 'subjects tested this month it stays significant at a %g%% false-discovery '
                        || 'rate (clause 6.2).', peer_group, observed, 100 * chance, family,
                        100 * persistent_fdr
                    )
            else printf(
                ' At this workload and the %s rate, %.2g%% of %s this busy have '
                || 'findings in %d or more months by chance%s; with %d subjects tested this month '
                || 'that can be chance alone, so this is a signal to watch, not an anomaly '
                || '(clause 6.2).', peer_group, 100 * chance, nouns_en, observed,
                case when chance < 0.1 then printf(
                    ' (about 1 in %s)',
                    format('{:,}', cast(one_in as bigint))
                ) else '' end, family
            )
        end
    from persistent inner join nouns using (subject_type)
    union all
    select
        subject_type, subject_id, peer_group, rule, severity, review_month, period_start,
        observed, expected, upper_limit, complaint_ids, under_review,
        printf(
            '%d khiếu nại có cơ sở được kết luận trong %s–%s, so với %s dự kiến từ %s lượt '
            || 'tương tác theo tỷ lệ chung của %d đơn vị cùng nhóm %s (%s trên 1.000 lượt). ',
            observed, strftime(period_start, '%m/%Y'), strftime(review_month, '%m/%Y'),
            replace(printf('%.2f', expected), '.', ','),
            replace(format('{:,}', exposure), ',', '.'), peers, peer_group,
            replace(printf('%.3f', 1000 * peer_rate), '.', ',')
        )
        || printf(
            'Xác suất có từ %d khiếu nại trở lên do ngẫu nhiên là %s',
            observed, replace(printf('%.2g', p_value), '.', ',')
        )
        || case
            when verdict = 'outlier'
                then
                    printf(
                        '; sau khi tính đến việc %d đối tượng được kiểm tra trong tháng, mức này vẫn có ý '
                        || 'nghĩa với tỷ lệ phát hiện sai %s (Điều 6.2).', family,
                        replace(printf('%g%%', 100 * outlier_fdr), '.', ',')
                    )
            else printf(
                '; chưa đủ mạnh khi tính đến %d đối tượng được kiểm tra trong tháng, '
                || 'nên chỉ là tín hiệu theo dõi (Điều 6.2).', family
            )
        end
        || case when tau2 > 0 then printf(
            ' Xác suất đã tính đến việc %s vốn khác nhau nhiều hơn mức ngẫu nhiên vì lý do '
            || 'không phải vi phạm (như tính chất khách hàng): phương sai giữa %s %s, '
            || 'ước tính từ toàn bộ %s trong tối đa %d tháng gần nhất.',
            case when subject_type = 'partner' then 'các đối tác' else 'mọi người' end,
            case when subject_type = 'partner' then 'các đối tác' else 'các cá nhân' end,
            replace(printf('%.2f', tau2), '.', ','),
            case when subject_type = 'partner' then 'đối tác' else 'nhân viên' end,
            (select dispersion_window from params)
        ) else '' end,
        printf(
            '%d substantiated complaints decided in %s–%s against %.2f expected from %s '
            || 'interactions at the pooled rate of %d peers in %s (%.3f per 1,000). ',
            observed, strftime(period_start, '%m/%Y'), strftime(review_month, '%m/%Y'),
            expected, format('{:,}', exposure), peers, peer_group, 1000 * peer_rate
        )
        || printf('The chance of %d or more by chance is %.2g', observed, p_value)
        || case
            when verdict = 'outlier'
                then
                    printf(
                        '; allowing for the %d subjects tested '
                        || 'this month it stays significant at a %g%% false-discovery rate (clause 6.2).',
                        family, 100 * outlier_fdr
                    )
            else printf(
                '; not strong enough once the %d subjects tested this month are '
                || 'allowed for, so a signal to watch (clause 6.2).', family
            )
        end
        || case when tau2 > 0 then printf(
            ' The chance allows for %s differing more than chance alone for reasons that '
            || 'are not misconduct (case mix): a between-%s variance of %.2f, estimated '
            || 'from all %s over up to the last %d months.', nouns_en,
            case when subject_type = 'partner' then 'partner' else 'people' end, tau2,
            case when subject_type = 'partner' then 'partners' else 'staff' end,
            (select dispersion_window from params)
        ) else '' end
    from outliers inner join nouns using (subject_type)
    union all
    select
        subject_type, subject_id, peer_group, rule, severity, review_month, period_start,
        observed, expected, upper_limit, complaint_ids, under_review,
        printf(
            '%d khiếu nại có cơ sở được kết luận trong %s–%s, so với %d trong %d tháng trước đó '
            || '(%s–%s); theo tỷ lệ của nhóm %s trong từng giai đoạn và lượt tương tác của chính '
            || '%s này, dự kiến %s trong %d khiếu nại thuộc các tháng gần đây. Xác suất từ %d '
            || 'trở lên do ngẫu nhiên là %s; với %d đối tượng được kiểm tra trong tháng, mức này '
            || 'vẫn có ý nghĩa với tỷ lệ phát hiện sai %s. Mức tăng này có thể cho thấy một xu '
            || 'hướng cần theo dõi, chưa phải kết luận (Điều 6.2).',
            observed, strftime(period_start, '%m/%Y'), strftime(review_month, '%m/%Y'),
            trend_earlier, trend_window, strftime(baseline_start, '%m/%Y'),
            strftime(baseline_end, '%m/%Y'), peer_group, noun_vi,
            replace(printf('%.2f', expected), '.', ','), observed + trend_earlier, observed,
            replace(printf('%.2g', trend_p_value), '.', ','), trend_family,
            replace(printf('%g%%', 100 * trend_fdr), '.', ',')
        ),
        printf(
            '%d substantiated complaints decided in %s–%s against %d in the %d months before '
            || '(%s–%s); at the %s rates of each period and this %s''s own interactions, %.2f '
            || 'of the %d would be expected in the recent months. The chance of %d or more is '
            || '%.2g; allowing for the %d subjects tested this month it stays significant at a %g%% '
            || 'false-discovery rate. The rise may indicate a trend to watch, not a finding '
            || '(clause 6.2).',
            observed, strftime(period_start, '%m/%Y'), strftime(review_month, '%m/%Y'),
            trend_earlier, trend_window, strftime(baseline_start, '%m/%Y'),
            strftime(baseline_end, '%m/%Y'), peer_group, noun_en, expected, observed + trend_earlier,
            observed, trend_p_value, trend_family, 100 * trend_fdr
        )
    from rising inner join nouns using (subject_type)
    union all
    select
        h.subject_type, h.subject_id, h.peer_group, h.rule, h.severity, h.review_month,
        h.period_start, h.observed, h.expected, h.upper_limit, h.complaint_ids, null,
        printf(
            '%d/%d khiếu nại tiếp nhận trong %s–%s được phản hồi quá hạn %d ngày làm việc '
            || '(%s), so với %s ở các cán bộ xử lý khác và mức chính sách chấp nhận %s (mục '
            || 'tiêu %s đúng hạn); so với mức cao hơn là %s, giới hạn trên 99,8%% cho khối lượng '
            || 'này là %s (Điều 5.1).', h.observed, h.exposure,
            strftime(h.period_start, '%m/%Y'), strftime(h.review_month, '%m/%Y'),
            p.sla_working_days, replace(printf('%.0f%%', 100 * h.observed / h.exposure), '.', ','),
            replace(printf('%.1f%%', 100 * coalesce(h.peer_rate, 0)), '.', ','),
            replace(printf('%.1f%%', 100 * h.tolerated_rate), '.', ','),
            replace(printf('%.0f%%', 100 * (1 - h.tolerated_rate)), '.', ','),
            replace(printf('%.1f%%', 100 * h.test_rate), '.', ','),
            replace(printf('%.1f', h.upper_limit), '.', ',')
        ),
        printf(
            '%d of %d complaints received in %s–%s missed the %d-working-day deadline '
            || '(%.0f%%), against %.1f%% for other handlers and the %.1f%% the policy tolerates '
            || '(a %.0f%% on-time goal); against the larger, %.1f%%, the 99.8%% upper limit for '
            || 'this volume is %.1f (clause 5.1).', h.observed, h.exposure,
            strftime(h.period_start, '%m/%Y'), strftime(h.review_month, '%m/%Y'),
            p.sla_working_days, 100 * h.observed / h.exposure, 100 * coalesce(h.peer_rate, 0),
            100 * h.tolerated_rate, 100 * (1 - h.tolerated_rate), 100 * h.test_rate,
            h.upper_limit
        )
    from handler_breaches as h
    cross join params as p
)

select
    subject_type,
    subject_id,
    peer_group,
    rule,
    severity,
    review_month,
    period_start,
    least(
        cast(review_month + interval 1 month - interval 1 day as date),
        (select as_of from params)
    ) as period_end,
    observed,
    expected,
    upper_limit,
    complaint_ids,
    episode,
    case when episode = 'continuing' then episode_since end as continuing_since,
    -- findings still under review (clause 4.3) are said once, whatever the rule
    explanation_vi || case
        when episode = 'continuing'
            then printf(
                ' Tiếp diễn từ %s: cùng một dấu hiệu với các tháng trước, không phải dấu hiệu mới.',
                strftime(episode_since, '%m/%Y')
            )
        else ''
    end || case
        when repeats > 0
            then printf(
                ' %d khiếu nại là khiếu nại lặp lại của cùng một khách hàng về cùng %s này '
                || 'trong vòng %d ngày: mỗi chuỗi được tính là một kết luận.', repeats, noun_vi,
                (select repeat_days from params)
            )
        else ''
    end || case
        when coalesce(under_review, 0) > 0
            then printf(
                ' %d kết luận đang được xem xét lại (Điều 4.3): chưa xếp mức cao cho đến khi '
                || 'có kết quả xem xét.', under_review
            )
        else ''
    end as explanation_vi,
    explanation_en || case
        when episode = 'continuing'
            then printf(
                ' Continuing since %s: the same flag as in the months before, not a new one.',
                strftime(episode_since, '%m/%Y')
            )
        else ''
    end || case
        when repeats > 0
            then printf(
                ' %d of the complaints repeat the same customer''s complaint about this %s '
                || 'within %d days: each chain counts as one finding.', repeats, noun_en,
                (select repeat_days from params)
            )
        else ''
    end || case
        when coalesce(under_review, 0) > 0
            then printf(
                ' %d %s under review (clause 4.3): not high until the review is decided.',
                under_review, case when under_review = 1 then 'finding' else 'findings' end
            )
        else ''
    end as explanation_en
from (
    select
        x.*,
        nn.noun_vi,
        nn.noun_en,
        -- a high (or under-review medium) persistent flag is new or continues the month before's
        case
            when x.rule = 'persistent' and ep.review_month is not null
                then case when ep.episode_since = x.review_month then 'new' else 'continuing' end
        end as episode,
        ep.episode_since,
        (
            select count(*) from marts.complaint_subjects as n
            where
                n.subject_type = x.subject_type and n.subject_id = x.subject_id
                and n.repeat_of is not null and list_contains(x.complaint_ids, n.complaint_id)
        ) as repeats
    from explained as x
    inner join nouns as nn on x.subject_type = nn.subject_type
    left join persistent_episodes as ep
        on
            x.rule = 'persistent' and ep.subject_type = x.subject_type
            and ep.subject_id = x.subject_id and ep.review_month = x.review_month
)
order by review_month, severity, rule, subject_type, subject_id
