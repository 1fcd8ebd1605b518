"""Every string the reports print, in Vietnamese (the default) and English, in one place."""

from __future__ import annotations

import re
from collections.abc import Callable

from base.labels import VALUE_LABELS
from base.langs import Lang

_CODE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")

LANGS = tuple(Lang)

STRINGS: dict[str, tuple[str, str]] = {
    # Titles and common words
    "company": (
        "Chính sách ứng xử và khiếu nại khách hàng",
        "Customer Conduct and Complaints Policy",
    ),
    "management_title": (
        "Báo cáo rà soát hằng tháng: khiếu nại và thời hạn phản hồi",
        "Monthly review: complaints and response times",
    ),
    "quality_title": (
        "Báo cáo chất lượng: hành vi nhân viên và đối tác",
        "Quality report: staff and partner conduct patterns",
    ),
    "hr_title": (
        "Hồ sơ nhân sự: khiếu nại liên quan đến nhân viên",
        "HR dossier: complaints naming an employee",
    ),
    "month": ("Tháng", "Month"),
    "as_of": ("Dữ liệu tính đến ngày", "Data as of"),
    "generated": ("Lập lúc", "Generated"),
    "clause": ("Điều", "Clause"),
    "no_data": ("Không có dữ liệu cho tháng này.", "No data for this month."),
    "not_built": ("Bảng dữ liệu này chưa được xây dựng.", "This table has not been built yet."),
    "total": ("Tổng", "Total"),
    "none": ("Không có", "None"),
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "other_lang": ("English version", "Bản tiếng Việt"),
    "privacy_note": (
        "Báo cáo không chứa thông tin cá nhân của khách hàng; nhân viên chỉ được "
        "nêu bằng mã nhân viên.",
        "This report holds no customer personal data; staff appear by staff code only.",
    ),
    # KPI tiles
    "kpi_received": ("Khiếu nại tiếp nhận", "Complaints received"),
    "kpi_compliance": ("Tỷ lệ phản hồi đúng hạn", "Answered on time"),
    "kpi_median_days": ("Trung vị ngày làm việc đến phản hồi", "Median working days to response"),
    "kpi_open": ("Đang mở cuối kỳ", "Open at period end"),
    "kpi_overdue": ("Quá hạn chưa phản hồi", "Open and overdue"),
    "kpi_reviews": ("Yêu cầu xem xét lại", "Review requests"),
    "kpi_changed": ("Xem xét lại thay đổi kết quả", "Reviews that changed the outcome"),
    "goal": ("Mục tiêu", "Goal"),
    "provisional": ("Tạm tính", "Provisional"),
    "provisional_open": (
        "{n} khiếu nại còn trong hạn 7 ngày làm việc, chưa phản hồi.",
        "{n} complaints still within their 7 working days, not yet answered.",
    ),
    "provisional_running": (
        "Tháng chưa kết thúc: số liệu đến hết ngày {day}.",
        "Month still running: figures up to {day}.",
    ),
    "provisional_reviews": (
        "{n} yêu cầu xem xét lại chưa có kết luận; chưa so sánh cho đến khi kết luận.",
        "{n} reviews still pending; not compared until they are decided.",
    ),
    "basis_like": (
        "So sánh cùng thời điểm: tháng này còn tạm tính, nên được so với tháng trước như "
        "số liệu ngày {prev} và cùng kỳ năm trước như số liệu ngày {yoy} (cùng số ngày sau "
        "khi tháng kết thúc), không phải với số liệu cuối cùng của các tháng đó.",
        "Like with like: this month is provisional, so it is compared with last month as it "
        "stood on {prev} and the same month last year as it stood on {yoy} (the same number "
        "of days after each month's end), not with those months' final figures.",
    ),
    "basis_final": (
        "Tháng đã hoàn tất: so sánh với số liệu cuối cùng của tháng trước và cùng kỳ năm trước.",
        "A finished month: compared with the final figures of last month and last year.",
    ),
    "vs_last_month": ("so với tháng trước", "vs last month"),
    "vs_last_year": ("so với cùng kỳ năm trước", "vs same month last year"),
    "meets_goal": ("đạt mục tiêu", "meets goal"),
    "misses_goal": ("chưa đạt mục tiêu", "below goal"),
    # Sections
    "sec_kpis": ("Chỉ số chính của tháng", "Key figures of the month"),
    "sec_changed": ("Điều gì đã thay đổi", "What changed"),
    "sec_trend": ("Tỷ lệ phản hồi đúng hạn theo tháng", "On-time response rate by month"),
    "sec_categories": ("Số khiếu nại theo nhóm", "Complaints by category"),
    "sec_partners": ("Bảng điểm đối tác", "Partner scorecard"),
    "sec_teams": ("Khiếu nại về hành vi theo bộ phận", "Conduct complaints by team"),
    "sec_quality": ("Chất lượng dữ liệu", "Data quality"),
    "sec_integrity": ("Tính toàn vẹn của sổ đăng ký", "Register integrity"),
    "sec_heatmap": ("Nhân viên theo tháng (12 tháng gần nhất)", "Staff by month (last 12 months)"),
    "sec_funnel_staff": ("Biểu đồ phễu: nhân viên", "Funnel plot: staff"),
    "sec_funnel_partners": ("Biểu đồ phễu: đối tác", "Funnel plot: partners"),
    "sec_flags": ("Dấu hiệu cần xem xét trong tháng", "Pattern flags of the month"),
    "sec_handlers": ("Thời hạn phản hồi theo nhân viên xử lý", "Response times by handler"),
    "sec_hr_substantiated": ("Kết luận có cơ sở", "Substantiated findings"),
    "sec_hr_allegations": (
        "Cáo buộc chưa được chứng minh (chưa kết luận, không có cơ sở, đã rút)",
        "Allegations not substantiated (pending, not upheld, withdrawn)",
    ),
    "sec_hr_flags": ("Dấu hiệu đã được ghi nhận", "Flags raised"),
    "sec_hr_peers": ("So sánh với đồng nghiệp cùng bộ phận", "Compared with team peers"),
    "sec_hr_audit": ("Nhật ký truy cập", "Access record"),
    # Narrative
    "changed_none": (
        "Không có thay đổi nào đủ lớn để loại trừ khả năng ngẫu nhiên (kiểm định "
        "ở mức 1%). Các chênh lệch nhỏ hơn không được nêu.",
        "No change is large enough to rule out chance (tested at the 1% level). "
        "Smaller differences are not reported.",
    ),
    "changed_intro": (
        "Chỉ nêu các thay đổi khó có thể do ngẫu nhiên (kiểm định ở mức 1%).",
        "Only changes unlikely to be chance are listed (tested at the 1% level).",
    ),
    "change_line": (
        "{subject} {verb} {before} ({before_label}) {to} {after} (p = {p}).",
        "{subject} {verb} {before} ({before_label}) {to} {after} (p = {p}).",
    ),
    "subject_received": ("Số khiếu nại tiếp nhận", "Complaints received"),
    "subject_category": ("Khiếu nại nhóm «{name}»", "Complaints about “{name}”"),
    "subject_compliance": ("Tỷ lệ phản hồi đúng hạn", "The on-time response rate"),
    "verb_up": ("tăng từ", "rose from"),
    "verb_down": ("giảm từ", "fell from"),
    "to_up": ("lên", "to"),
    "to_down": ("xuống", "to"),
    "last_month": ("tháng trước", "last month"),
    "last_year": ("cùng kỳ năm trước", "same month last year"),
    # Data quality
    "dq_loads": ("Tệp đã nạp trong tháng", "Files loaded this month"),
    "dq_rejected": ("Dòng bị cách ly (từ chối) trong tháng", "Rows quarantined this month"),
    "dq_unresolved": (
        "Dòng bị cách ly chưa được khắc phục (tất cả các kỳ)",
        "Quarantined rows still unresolved (all periods)",
    ),
    "dq_warnings": ("Cảnh báo trong tháng", "Warnings this month"),
    "dq_rule": ("Loại", "Kind"),
    "dq_count": ("Số dòng", "Rows"),
    "dq_docs": ("Xem chi tiết trong Data Docs", "See the details in Data Docs"),
    "dq_no_docs": ("Chưa có Data Docs.", "No Data Docs yet."),
    # What to do (management)
    "sec_todo": ("Việc cần làm", "What to do"),
    "partners_note": (
        "Cáo buộc được tính theo tháng tiếp nhận, khiếu nại có cơ sở theo tháng kết luận: một "
        "đối tác có thể có 0 cáo buộc trong tháng nhưng 1 kết luận về khiếu nại tiếp nhận trước "
        "đó. Tỷ lệ và đánh giá phễu dùng các kết luận.",
        "Allegations count in the month received, substantiated complaints in the month "
        "decided: a partner can have 0 allegations this month and 1 finding on a complaint "
        "received earlier. Rates and funnel verdicts use the findings.",
    ),
    "teams_note": (
        "Theo tháng tiếp nhận: các khiếu nại nêu tên nhân viên tiếp nhận trong tháng, theo kết "
        "quả đến nay (có cơ sở, không có cơ sở, chưa kết luận, đã rút cộng lại bằng số cáo "
        "buộc). Kết luận theo tháng được kết luận nằm trong báo cáo chất lượng.",
        "By month of receipt: complaints naming staff received this month, by their outcome so "
        "far (substantiated, not upheld, pending and withdrawn add up to the allegations). "
        "Findings by the month they were decided are in the quality report.",
    ),
    "contents": ("Mục lục", "Contents"),
    "show_rows": ("Xem {n} dòng", "Show {n} rows"),
    "flagged_subjects": ("Đối tượng có dấu hiệu", "Flagged subjects"),
    "evidence_for": ("Bằng chứng: {n} khiếu nại", "Evidence: {n} complaints"),
    "see_evidence": ("xem bằng chứng ({n})", "see the evidence ({n})"),
    "unit_serious": ("vi phạm nghiêm trọng có cơ sở", "substantiated serious breaches"),
    "unit_months": ("tháng có kết luận", "months with findings"),
    "unit_substantiated": ("khiếu nại có cơ sở", "substantiated complaints"),
    "unit_substantiated_3m": ("khiếu nại có cơ sở trong 3 tháng", "substantiated in 3 months"),
    "unit_late": ("khiếu nại trả lời trễ", "complaints answered late"),
    "unit_complaints": ("khiếu nại", "complaints"),
    # English for a count of one (Vietnamese nouns do not change with the count): t_count
    "evidence_for_one": ("Bằng chứng: {n} khiếu nại", "Evidence: {n} complaint"),
    "unit_serious_one": ("vi phạm nghiêm trọng có cơ sở", "substantiated serious breach"),
    "unit_months_one": ("tháng có kết luận", "month with findings"),
    "unit_substantiated_one": ("khiếu nại có cơ sở", "substantiated complaint"),
    "unit_late_one": ("khiếu nại trả lời trễ", "complaint answered late"),
    "unit_complaints_one": ("khiếu nại", "complaint"),
    "fig_expected": ("kỳ vọng {n}", "expected {n}"),
    "fig_limit": ("giới hạn trên {n}", "upper limit {n}"),
    "fig_chance": ("khả năng do ngẫu nhiên {p}", "chance {p}"),
    "col_figures": ("Số liệu", "Figures"),
    "chance_others": (
        "Các con số trên chỉ nói về dấu hiệu tỷ lệ bất thường và dấu hiệu lặp lại mức cao "
        "({covered} trong {total} dấu hiệu của tháng). Các dấu hiệu còn lại không phải là "
        "số đếm có thể do ngẫu nhiên: {others}.",
        "The figures above cover the outlier-rate flags and the high persistent flags only "
        "({covered} of the month's {total} flags). The other flags are not counts chance "
        "would give: {others}.",
    ),
    "todo_at_risk": (
        "Khiếu nại đang mở đã quá hạn hoặc sắp đến hạn (tại ngày dữ liệu), quá hạn lâu nhất trước",
        "Open complaints overdue or nearly due (on the data date), most overdue first",
    ),
    "todo_misses": (
        "Tháng này chưa đạt mục tiêu đúng hạn: các bộ phận, nhân viên xử lý và nhóm khiếu nại "
        "chiếm nhiều khiếu nại trễ hạn nhất (trả lời trễ hoặc đang mở quá hạn)",
        "The month missed the on-time goal: the teams, handlers and categories with most of the "
        "missed deadlines (answered late or open past the due date)",
    ),
    "todo_serious": (
        "Vi phạm nghiêm trọng có cơ sở được kết luận trong tháng, theo mã nhân viên và đối tác",
        "Serious breaches substantiated this month, by staff code and partner",
    ),
    "todo_none_at_risk": (
        "Không có khiếu nại nào quá hạn hoặc sắp đến hạn.",
        "No complaint is overdue or nearly due.",
    ),
    "todo_none_serious": (
        "Không có vi phạm nghiêm trọng nào được kết luận trong tháng.",
        "No serious breach was substantiated this month.",
    ),
    "days_over": ("quá hạn {n} ngày làm việc", "{n} working days over"),
    "days_left": ("còn {n} ngày làm việc", "{n} working days left"),
    "others": ("Khác ({n})", "Others ({n})"),
    "unknown": ("Không rõ", "Unknown"),
    "no_outcome": ("Chưa có kết quả", "No outcome recorded"),
    "sec_return": ("Số liệu khiếu nại của tháng", "The month's complaints return"),
    "ret_summary": (
        "Tháng {month}: tiếp nhận {received} khiếu nại, đóng {closed} khiếu nại (theo ngày giải "
        "quyết), trong đó {upheld} có cơ sở hoặc có cơ sở một phần. Khiếu nại tồn đọng tính đến "
        "ngày {as_of}.",
        "{month}: {received} complaints received, {closed} closed (by resolution date), of which "
        "{upheld} upheld or partially upheld. The open backlog is as of {as_of}.",
    ),
    "ret_outcomes_title": ("Khiếu nại đã đóng theo kết quả", "Closed complaints by outcome"),
    "ret_times_title": (
        "Thời gian giải quyết các khiếu nại đã đóng",
        "Time to resolve the closed complaints",
    ),
    "ret_ageing_title": ("Tuổi của khiếu nại đang mở", "Ageing of the open backlog"),
    "ret_channels_title": ("Khiếu nại tiếp nhận theo kênh", "Complaints received by channel"),
    "ret_reviews_title": (
        "Yêu cầu xem xét lại (khiếu nại giải quyết trong tháng) và kết quả",
        "Review requests (of complaints resolved this month) and their outcomes",
    ),
    "ret_closed": ("Đã đóng trong tháng", "Closed this month"),
    "ret_open": ("Đang mở (chưa phản hồi)", "Open (not yet answered)"),
    "ret_received": ("Tiếp nhận trong tháng", "Received this month"),
    "band_within_limit": ("Trong 7 ngày làm việc", "Within 7 working days"),
    "band_within_8_weeks": (
        "Sau 7 ngày làm việc, trong 8 tuần",
        "After 7 working days, within 8 weeks",
    ),
    "band_after_8_weeks": ("Sau 8 tuần", "After 8 weeks"),
    "band_unknown": ("Không xác định (ngoài lịch)", "Unknown (outside the calendar)"),
    "age_within_limit": ("Còn trong hạn 7 ngày làm việc", "Within the 7 working days"),
    "age_overdue_to_8_weeks": (
        "Quá hạn, tiếp nhận chưa quá 8 tuần",
        "Overdue, received up to 8 weeks ago",
    ),
    "age_overdue_over_8_weeks": (
        "Quá hạn, tiếp nhận hơn 8 tuần",
        "Overdue, received over 8 weeks ago",
    ),
    "col_days_over": ("Quá hạn / còn lại (ngày làm việc)", "Over / left (working days)"),
    "col_dimension": ("Theo", "By"),
    "col_name": ("Tên", "Name"),
    "col_missed": ("Trễ hạn (khiếu nại)", "Missed (complaints)"),
    "col_miss_share": ("Tỷ trọng trong số trễ hạn", "Share of misses"),
    "col_subject_type": ("Loại", "Kind"),
    "col_item": ("Mục", "Item"),
    "col_share": ("Tỷ trọng", "Share"),
    "col_category": ("Nhóm", "Category"),
    "col_subcategory": ("Loại vi phạm", "Subcategory"),
    "col_partner": ("Đối tác", "Partner"),
    "col_partner_type": ("Loại đối tác", "Partner type"),
    "col_team": ("Bộ phận", "Team"),
    "col_employee": ("Mã nhân viên", "Staff code"),
    "col_handler": ("Mã nhân viên xử lý", "Handler code"),
    "col_complaints": ("Cáo buộc (khiếu nại)", "Allegations (complaints)"),
    "col_substantiated": ("Có cơ sở", "Substantiated"),
    "col_not_upheld": ("Không có cơ sở", "Not upheld"),
    "col_pending": ("Chưa kết luận", "Pending"),
    # an outcome label the template does not know: neither pending nor substantiated
    "outcome_unrecognised": ("Kết quả không xác định", "Outcome not recognised"),
    "col_withdrawn": ("Đã rút", "Withdrawn"),
    "col_exposure": ("Số lượt tương tác", "Interactions"),
    "col_rate": ("Có cơ sở / 1.000 lượt", "Substantiated per 1,000"),
    "col_3m": ("3 tháng", "3 months"),
    "col_12m": ("12 tháng", "12 months"),
    "col_verdict": ("Đánh giá phễu", "Funnel verdict"),
    "col_received": ("Tiếp nhận", "Received"),
    "col_compliance": ("Đúng hạn", "On time"),
    "col_handled": ("Đã xử lý", "Handled"),
    "col_met": ("Đúng hạn", "Met"),
    "col_breached": ("Trễ hạn", "Breached"),
    "col_open_overdue": ("Mở, quá hạn", "Open, overdue"),
    "col_open_within": ("Mở, còn hạn", "Open, within limit"),
    "col_breach_share": ("Tỷ lệ trễ hạn", "Breach share"),
    "col_reviews": ("Yêu cầu xem xét lại", "Reviews requested"),
    "col_reviews_changed": ("Thay đổi kết quả", "Outcome changed"),
    "col_rule": ("Dấu hiệu", "Flag"),
    "col_severity": ("Mức độ", "Severity"),
    "col_subject": ("Đối tượng", "Subject"),
    "col_period": ("Giai đoạn", "Period"),
    "col_observed": ("Quan sát", "Observed"),
    "col_expected": ("Kỳ vọng", "Expected"),
    "col_limit": ("Giới hạn trên", "Upper limit"),
    "col_explanation": ("Giải thích", "Explanation"),
    "col_evidence": ("Bằng chứng (mã khiếu nại)", "Evidence (complaint ids)"),
    "col_complaint": ("Mã khiếu nại", "Complaint id"),
    "col_received_date": ("Ngày tiếp nhận", "Received"),
    "col_due_date": ("Hạn phản hồi", "Due"),
    "col_response_date": ("Ngày phản hồi", "Responded"),
    "col_resolution_date": ("Ngày giải quyết", "Resolved"),
    "col_outcome": ("Kết quả", "Outcome"),
    "col_review": ("Xem xét lại", "Review"),
    "col_review_outcome": ("Kết quả xem xét lại", "Review outcome"),
    "col_sla": ("Thời hạn", "Response time"),
    "col_issue": ("Vấn đề", "Issue"),
    "col_detail": ("Chi tiết", "Detail"),
    "col_count": ("Số lượng", "Count"),
    "col_peer_group": ("Nhóm so sánh", "Peer group"),
    "col_peer_rate": ("Tỷ lệ của nhóm / 1.000", "Peer rate per 1,000"),
    # Charts
    "chart_compliance": ("Tỷ lệ đúng hạn", "On-time rate"),
    "chart_goal": ("Mục tiêu", "Goal"),
    "chart_provisional_open": ("(tạm tính: còn {n} trong hạn)", "(provisional: {n} still open)"),
    "chart_received": ("Tiếp nhận", "Received"),
    "chart_rate_axis": (
        "Có cơ sở trên 1.000 lượt tương tác",
        "Substantiated per 1,000 interactions",
    ),
    "chart_exposure_axis": ("Số lượt tương tác", "Interactions"),
    "chart_limit_95": ("Giới hạn 95%", "95% limit"),
    "chart_limit_998": ("Giới hạn 99,8%", "99.8% limit"),
    "chart_peer_rate": ("Tỷ lệ trung bình của nhóm", "Peer average"),
    "chart_heat_substantiated": (
        "Khiếu nại có cơ sở (kết luận)",
        "Substantiated complaints (findings)",
    ),
    "chart_heat_allegations": (
        "Tất cả cáo buộc (kể cả chưa kết luận)",
        "All allegations (including unproven)",
    ),
    "chart_this_employee": ("Nhân viên này", "This employee"),
    "chart_peers": ("Đồng nghiệp (ẩn mã)", "Peers (codes hidden)"),
    "evidence_more": (
        "… và {n} khiếu nại khác (danh sách đầy đủ trong tables.xlsx)",
        "… and {n} more (the full list is in tables.en.xlsx)",
    ),
    "heatmap_note": (
        "Ô bên trái: số khiếu nại có cơ sở; bên phải: tất cả cáo buộc. Một cáo buộc "
        "chưa được chứng minh không phải là kết luận vi phạm. Hiển thị tối đa 20 nhân viên "
        "có nhiều khiếu nại có cơ sở nhất, rồi nhiều cáo buộc nhất; tables.xlsx liệt kê "
        "mọi nhân viên của tháng.",
        "Left: substantiated complaints; right: all allegations. An allegation "
        "that is not substantiated is not a finding of misconduct. Shows up to 20 staff with "
        "the most substantiated complaints, then the most allegations; tables.xlsx lists everyone "
        "for the month.",
    ),
    "funnel_note": (
        "Mỗi điểm là một đối tượng; trục ngang là số lượt tương tác trong kỳ "
        "{start} – {end}. Điểm nằm trên đường 99,8% khó có thể do ngẫu nhiên; "
        "nhóm có ít lượt tương tác được so sánh công bằng hơn so với xếp hạng. Các đường "
        "giới hạn có dạng bậc thang vì số khiếu nại là số nguyên: đây là giới hạn chính xác "
        "dùng để gắn cờ; đường cong trơn trong sách là phép xấp xỉ của chúng.",
        "Each point is one subject; the horizontal axis is interactions in "
        "{start} – {end}. A point above the 99.8% line is unlikely to be chance; "
        "small subjects are compared fairly, unlike in a league table. The limits climb in "
        "steps because complaints are whole numbers: these exact limits are the ones the flags "
        "use; the smooth curves of textbooks approximate them.",
    ),
    "funnel_none": (
        "Không có dữ liệu phễu cho kỳ này (cần dữ liệu lượt tương tác).",
        "No funnel data for this period (interaction data is needed).",
    ),
    # HR
    "hr_banner": (
        "MẬT – CHỈ DÀNH CHO BỘ PHẬN NHÂN SỰ. Không sao chép, chuyển tiếp hoặc lưu ngoài "
        "thư mục hạn chế. Mỗi lần yêu cầu lập hồ sơ đều được ghi nhật ký.",
        "CONFIDENTIAL – HR ONLY. Do not copy, forward or store outside the restricted "
        "folder. Every request is logged.",
    ),
    "hr_employee": ("Nhân viên", "Employee"),
    "hr_period": ("Các khiếu nại tiếp nhận đến hết", "Complaints received up to the end of"),
    "hr_requested_by": ("Người yêu cầu", "Requested by"),
    "hr_reason": ("Lý do", "Reason"),
    "hr_requested_at": ("Thời điểm yêu cầu", "Requested at"),
    "hr_audit_note": (
        "Yêu cầu này đã được ghi vào nhật ký kiểm toán cùng mã băm SHA-256 của tệp.",
        "This request is recorded in the audit log with the file's SHA-256 hash.",
    ),
    "hr_fairness": (
        "Cáo buộc chưa được chứng minh được trình bày riêng và không phải là kết luận "
        "vi phạm (Điều 4.5).",
        "Unproven allegations are shown apart and are not findings of misconduct (clause 4.5).",
    ),
    "hr_no_flags": ("Không có dấu hiệu nào được ghi nhận.", "No flags were raised."),
    "hr_no_complaints": ("Không có khiếu nại nào.", "No complaints."),
    "hr_peers_note": (
        "Đồng nghiệp không được nêu mã; chỉ so sánh tỷ lệ theo số lượt tương tác.",
        "Peers are not identified; only rates per interaction are compared.",
    ),
    "col_decided_month": ("Tháng kết luận (được tính)", "Decided in (month counted)"),
    "col_appeal": ("Xem xét lại (Điều 4.3)", "Review (clause 4.3)"),
    "col_counted_in": ("Được tính trong dấu hiệu", "Counted in flags"),
    "col_counts": ("Tính vào dấu hiệu hành vi", "Counts in conduct flags"),
    "col_person": ("Nhân viên / đối tác", "Staff / partner"),
    "counted_never": ("Chưa được tính trong dấu hiệu nào", "Not counted in any flag"),
    "counts_yes": ("Có", "Yes"),
    "counts_review": ("Có, đang xem xét lại: không xếp mức cao", "Yes; under review: not high"),
    "counts_other": ("Không: không thuộc nhóm hành vi", "No: not a conduct complaint"),
    "counts_overturned": (
        "Không: kết luận bị thay đổi khi xem xét lại",
        "No: overturned on review",
    ),
    "appeal_under_review": ("Đang xem xét lại", "Under review"),
    "appeal_upheld_on_review": ("Giữ nguyên sau xem xét", "Upheld on review"),
    "appeal_changed_on_review": (
        "Thay đổi sau xem xét (kết quả mới đã ghi nhận)",
        "Changed on review (new outcome recorded)",
    ),
    "appeal_overturned": (
        "Bị thay đổi khi xem xét lại: không còn là kết luận",
        "Overturned on review: no longer a finding",
    ),
    "sec_hr_other": (
        "Khiếu nại khác nêu tên nhân viên (không thuộc nhóm hành vi nhân viên, hoặc kết luận "
        "đã bị thay đổi khi xem xét lại)",
        "Other complaints naming the employee (not staff conduct, or overturned on review)",
    ),
    "sec_findings": (
        "Kết luận có cơ sở trong tháng (theo tháng kết luận)",
        "Findings decided this month",
    ),
    "findings_note": (
        "Một khiếu nại có cơ sở được tính vào tháng nó được kết luận, không phải tháng tiếp "
        "nhận. Chỉ khiếu nại thuộc nhóm hành vi (hành vi nhân viên, hành vi đối tác) được tính "
        "vào các dấu hiệu; các khiếu nại khác nêu tên một nhân viên hoặc đối tác được liệt kê "
        "bên cạnh.",
        "A substantiated complaint counts in the month it was decided, not the month it was "
        "received. Only conduct complaints (staff conduct, partner conduct) feed the conduct "
        "flags; other complaints naming a staff member or partner are listed beside them.",
    ),
    "chance_title": (
        "Bao nhiêu dấu hiệu có thể chỉ do ngẫu nhiên?",
        "How many flags could chance alone produce?",
    ),
    "chance_text": (
        "Tháng này {tested} nhân viên và đối tác được kiểm tra tỷ lệ bất thường. Nếu không ai "
        "thực sự khác đồng nghiệp, riêng ngẫu nhiên sẽ tạo ra khoảng {medium} dấu hiệu mức "
        "trung bình (khoảng 95%: {medium_low}–{medium_high}) và {watch} dấu hiệu từ mức theo dõi "
        "trở lên ({watch_low}–{watch_high}). Thực tế: {medium_flags} mức trung bình, "
        "{watch_flags} từ mức theo dõi trở lên. Tỷ lệ phát hiện sai của mức trung bình được "
        "giữ ở {fdr}. Dấu hiệu lặp lại nhiều tháng: {persistent_tested} đối tượng có dữ liệu lượt "
        "tương tác được kiểm tra; riêng ngẫu nhiên sẽ tạo ra khoảng {persistent} dấu hiệu mức "
        "cao (khoảng 95%: {persistent_low}–{persistent_high}), thực tế {persistent_flags}; tỷ lệ "
        "phát hiện sai được giữ ở {persistent_fdr}. Trong đó {persistent_new} dấu hiệu lặp lại "
        "mới ({persistent_continuing} tiếp diễn từ tháng trước); riêng ngẫu nhiên sẽ khởi phát "
        "khoảng {expected_new} dấu hiệu mới (khoảng 95%: {new_low}–{new_high}). Một chuỗi vi phạm "
        "được gắn dấu hiệu trong nhiều tháng liên tiếp là một dấu hiệu.",
        "This month {tested} staff and partners were tested for an outlier rate. If nobody "
        "really differed from their peers, chance alone would produce about {medium} medium "
        "flags (95% interval {medium_low}–{medium_high}) and {watch} at watch level or above "
        "({watch_low}–{watch_high}). Raised: {medium_flags} medium, {watch_flags} at watch level "
        "or above. The false-discovery rate of medium flags is held at {fdr}. Persistent: "
        "{persistent_tested} with activity data were tested; chance alone would produce about "
        "{persistent} high flags (95% interval {persistent_low}–{persistent_high}), raised "
        "{persistent_flags}; the false-discovery rate is held at {persistent_fdr}. Of these, "
        "{persistent_new} new persistent flags ({persistent_continuing} continuing from the month "
        "before); chance alone would start {expected_new} (95% interval {new_low}–{new_high}). "
        "A streak flagged in consecutive months is one flag.",
    ),
    "activity_missing": (
        "Dữ liệu lượt tương tác thiếu cho kỳ rà soát: {n} trên {of} {who} có dữ liệu ở các "
        "tháng khác nhưng thiếu tháng {months}. Những đối tượng này không được đánh giá theo tỷ "
        "lệ (bất thường, vi phạm thường xuyên, xu hướng tăng) cho kỳ này; các quy tắc khác vẫn "
        "áp dụng. Hãy nạp tệp lượt tương tác còn thiếu rồi chạy lại.",
        "Activity data is missing for the review window: {n} of {of} {who} with activity in "
        "other months have none for {months}. They get no rate verdict (outlier, persistent, "
        "rising trend) for this window; the other rules run as usual. Load the missing activity "
        "export and run the build again.",
    ),
    "who_employee": ("nhân viên", "staff"),
    "who_partner": ("đối tác", "partners"),
    # Verdicts, severities and rules
    "verdict_outlier": ("Bất thường", "Outlier"),
    "verdict_watch": ("Cần theo dõi", "Watch"),
    "verdict_within": ("Trong giới hạn", "Within limits"),
    "verdict_no_verdict": ("Chưa đủ dữ liệu", "Too little data"),
    "severity_high": ("Cao", "High"),
    "severity_medium": ("Trung bình", "Medium"),
    "severity_watch": ("Theo dõi", "Watch"),
    "rule_serious_conduct": ("Hành vi nghiêm trọng", "Serious conduct"),
    "rule_persistent": ("Lặp lại nhiều tháng", "Persistent"),
    "rule_outlier_rate": ("Tỷ lệ bất thường", "Outlier rate"),
    "rule_rising_trend": ("Xu hướng tăng", "Rising trend"),
    "rule_handler_sla": ("Trễ hạn xử lý", "Handler response times"),
    "sla_met": ("Đúng hạn", "Met"),
    "sla_breached": ("Trễ hạn", "Breached"),
    "sla_open_overdue": ("Mở, quá hạn", "Open, overdue"),
    "sla_open_within_sla": ("Mở, còn hạn", "Open, within limit"),
    "sla_not_measurable": ("Không đo được", "Not measurable"),
    "issue_received_at_changed": ("Sửa thời gian tiếp nhận", "Receipt time edited"),
    "issue_first_response_at_changed": ("Sửa thời gian phản hồi", "Response time edited"),
    "issue_missing_from_latest_export": (
        "Biến mất khỏi lần xuất mới nhất",
        "Missing from the latest export",
    ),
    "issue_id_reused": ("Mã khiếu nại bị dùng lại", "Complaint id reused"),
}

# English labels of the register's value codes (the Vietnamese ones live in ingest/labels.py).
VALUE_LABELS_EN: dict[str, dict[str, str]] = {
    "category": {
        "service": "Service",
        "process": "Operating process",
        "staff_conduct": "Staff conduct",
        "partner_conduct": "Partner conduct",
        "complaint_handling": "Complaint handling",
        "other": "Other",
    },
    "subcategory": {
        "abuse": "Abuse",
        "threat": "Threat",
        "unreasonable": "Unreasonable",
        "offensive": "Offensive",
        "inappropriate_demand": "Inappropriate demand",
        "third_party_contact": "Contacting relatives/third parties",
        "excessive_contact": "Excessive/out-of-hours contact",
        "data_disclosure": "Data disclosure",
    },
    "outcome": {
        "upheld": "Upheld",
        "partially_upheld": "Partially upheld",
        "not_upheld": "Not upheld",
        "withdrawn": "Withdrawn",
        "pending": "Pending",
    },
    "review_outcome": {"unchanged": "Unchanged", "changed": "Changed", "pending": "Pending"},
    "partner_type": {
        "collection_agency": "Collection agency",
        "debt_collection": "Debt collection",
        "call_centre": "Call centre",
        "payment": "Payment partner",
    },
}
VALUE_LABELS_VI_EXTRA: dict[str, dict[str, str]] = {
    "partner_type": {
        "collection_agency": "Công ty thu hồi nợ",
        "debt_collection": "Thu hồi nợ",
        "call_centre": "Tổng đài",
        "payment": "Đối tác thanh toán",
    },
}

# Codes the pipeline itself writes (and the company's team codes), in both languages: every
# code a reader sees goes through label(); an unknown one reads as words, never as snake_case.
CODE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "team": {
        "collections": ("Thu hồi nợ", "Collections"),
        "customer_service": ("Chăm sóc khách hàng", "Customer service"),
        "telesales": ("Bán hàng qua điện thoại", "Telesales"),
        "disbursement": ("Giải ngân", "Disbursement"),
        "complaints": ("Xử lý khiếu nại", "Complaint handling"),
        "unknown": ("Chưa rõ bộ phận", "Team unknown"),
        "all handlers": ("Tất cả nhân viên xử lý", "All handlers"),
    },
    "subject_type": {
        "employee": ("Nhân viên", "Staff"),
        "partner": ("Đối tác", "Partner"),
        "handler": ("Nhân viên xử lý", "Handler"),
    },
    "rule": {
        "serious_conduct": ("Hành vi nghiêm trọng", "Serious conduct"),
        "persistent": ("Lặp lại nhiều tháng", "Persistent"),
        "outlier_rate": ("Tỷ lệ bất thường", "Outlier rate"),
        "rising_trend": ("Xu hướng tăng", "Rising trend"),
        "handler_sla": ("Trễ hạn xử lý", "Handler response times"),
    },
    "severity": {
        "high": ("Cao", "High"),
        "medium": ("Trung bình", "Medium"),
        "watch": ("Theo dõi", "Watch"),
    },
    "verdict": {
        "outlier": ("Bất thường", "Outlier"),
        "watch": ("Cần theo dõi", "Watch"),
        "within": ("Trong giới hạn", "Within limits"),
        "no_verdict": ("Chưa đủ dữ liệu", "Too little data"),
    },
    "sla_status": {
        "met": ("Đúng hạn", "Met"),
        "breached": ("Trễ hạn", "Breached"),
        "open_overdue": ("Mở, quá hạn", "Open, overdue"),
        "open_within_sla": ("Mở, còn hạn", "Open, within limit"),
    },
    "dimension": {
        "category": ("Nhóm khiếu nại", "Category"),
        "channel": ("Kênh tiếp nhận", "Channel"),
        "handler": ("Nhân viên xử lý", "Handler"),
        "handler_team": ("Bộ phận xử lý", "Handler's team"),
        "partner": ("Đối tác", "Partner"),
        "team": ("Bộ phận", "Team"),
    },
    "appeal": {
        "under_review": ("Đang xem xét lại", "Under review"),
        "upheld_on_review": ("Giữ nguyên sau xem xét", "Upheld on review"),
        "changed_on_review": ("Thay đổi sau xem xét", "Changed on review"),
        "overturned": ("Bị thay đổi khi xem xét lại", "Overturned on review"),
    },
    "method": {
        "poisson_exposure": (
            "Poisson theo số lượt tương tác",
            "Poisson on interactions",
        ),
        "binomial": ("Nhị thức (trễ hạn / đã xử lý)", "Binomial (late / handled)"),
    },
    "coverage": {
        "complete": ("Đầy đủ", "Complete"),
        "partial": ("Thiếu một phần", "Partial"),
        "missing": ("Thiếu", "Missing"),
    },
    "issue": {
        "received_at_changed": ("Sửa thời gian tiếp nhận", "Receipt time edited"),
        "first_response_at_changed": ("Sửa thời gian phản hồi", "Response time edited"),
        "missing_from_latest_export": (
            "Biến mất khỏi lần xuất mới nhất",
            "Missing from the latest export",
        ),
        "id_reused": ("Mã khiếu nại bị dùng lại", "Complaint id reused"),
    },
    "level": {
        "error": ("Từ chối (cách ly)", "Rejected (quarantined)"),
        "warning": ("Cảnh báo", "Warning"),
    },
    "no_verdict_reason": {
        "fewer findings than the minimum to flag": (
            "Ít kết luận hơn mức tối thiểu để gắn dấu hiệu",
            "Fewer findings than the minimum to flag",
        ),
        "volume below the minimum": (
            "Khối lượng dưới mức tối thiểu",
            "Volume below the minimum",
        ),
    },
    # a high persistent flag new this month or continuing the month before's
    "episode": {"new": ("Mới", "New"), "continuing": ("Tiếp diễn", "Continuing")},
}


# The open backlog's age bands (marts.backlog_ageing.band), as the management page says them.
CODE_LABELS["backlog_band"] = {
    band: STRINGS[f"age_{band}"]
    for band in ("within_limit", "overdue_to_8_weeks", "overdue_over_8_weeks")
}


def t(key: str, lang: str) -> str:
    """The string ``key`` in ``lang`` (vi or en)."""
    vi, en = STRINGS[key]
    return en if lang == "en" else vi


def t_count(key: str, n: object, lang: str) -> str:
    """The string ``key`` for a count of ``n``: its ``_one`` form when n is 1 and there is one
    ("1 substantiated complaint", never "1 substantiated complaints")."""
    return t(f"{key}_one", lang) if n == 1 and f"{key}_one" in STRINGS else t(key, lang)


def label(field: str, code: object, lang: str) -> str:
    """A value code of the register as words; unknown codes as words (``_`` → space), other
    text as given (an unknown outcome as 'outcome not recognised: <label>'), None as '–'."""
    if code is None or code != code:  # None or NaN
        return "–"
    table = VALUE_LABELS_EN if lang == "en" else {**VALUE_LABELS, **VALUE_LABELS_VI_EXTRA}
    text = str(code)
    known = table.get(field, {}).get(text)
    if known is None and text in CODE_LABELS.get(field, {}):
        known = CODE_LABELS[field][text][1 if lang == "en" else 0]
    if known is not None:
        return known
    if field == "no_verdict_reason":
        return reason_text(text, lang)
    if field in ("outcome", "review_outcome"):
        # a label kept as given at load: say so, never let it read like a pending case
        return f"{t('outcome_unrecognised', lang)}: {text}"
    # a code without a label reads as words too, so a column never mixes codes and labels;
    # text as the register gave it (not a code) is shown as given
    return text.replace("_", " ").capitalize() if _CODE.fullmatch(text) else text


# marts.funnel's reasons for no verdict that carry numbers or months, in Vietnamese.
_REASONS_VI = [
    (
        r"activity missing for (.+): not judged",
        "thiếu dữ liệu lượt tương tác tháng {0}: không đánh giá",
    ),
    (r"no activity data: not judged", "không có dữ liệu lượt tương tác: không đánh giá"),
    (
        r"activity of (\d+) peer\(s\) missing for (.+): (\d+) peer\(s\) left, fewer than (\d+): "
        r"not judged",
        "thiếu dữ liệu lượt tương tác của {0} người cùng nhóm tháng {1}: còn {2} người, "
        "ít hơn {3}: không đánh giá",
    ),
    (
        r"(\d+) peer\(s\)( in some month of the window)?, fewer than (\d+): not judged",
        "{0} người cùng nhóm, ít hơn {2}: không đánh giá",
    ),
    (
        r"(\d+) finding\(s\) of the peers in (the window|a part of the window), fewer than (\d+): "
        r"their rate is unknown, not judged",
        "nhóm so sánh chỉ có {0} kết luận trong kỳ, ít hơn {2}: chưa biết tỷ lệ của nhóm, "
        "không đánh giá",
    ),
    (
        r"(\d+) month\(s\) of history, fewer than (\d+): not judged",
        "mới có {0} tháng dữ liệu, ít hơn {1}: không đánh giá",
    ),
    (r"peers have no exposure", "nhóm so sánh không có lượt tương tác: không đánh giá"),
    (
        r"other handlers missed every deadline",
        "các cán bộ xử lý khác đều trễ hạn mọi khiếu nại: không đánh giá",
    ),
    (
        r"(\d+) month\(s\) of history, fewer than (\d+): how much people differ is not known "
        r"yet, not judged",
        "mới có {0} tháng dữ liệu, ít hơn {1}: chưa biết mức khác biệt giữa các nhân viên, "
        "không đánh giá",
    ),
]


def reason_text(reason: object, lang: str) -> str:
    """marts.funnel's reason for no verdict (English there, some with numbers and months in it)
    in the reader's language: the HR dossier's peer table and the workbook."""
    if not isinstance(reason, str):
        return ""
    if lang == "en":
        return reason
    for pattern, vi in _REASONS_VI:
        m = re.fullmatch(pattern, reason)
        if m:
            return vi.format(*m.groups())
    return reason


# The register template's field names, as the reader's words where a generated sentence names
# one (a data-quality reason, a register-integrity detail).
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "complaint_id": ("Mã khiếu nại", "Complaint id"),
    "received_at": ("Thời gian tiếp nhận", "Time received"),
    "first_response_at": ("Thời gian phản hồi đầu tiên", "Time of first response"),
    "resolved_at": ("Thời gian giải quyết", "Time resolved"),
    "review_requested_at": ("Thời gian yêu cầu xem xét lại", "Time review requested"),
    "review_outcome": ("Kết quả xem xét lại", "Review outcome"),
    "employee_id": ("Mã nhân viên liên quan", "Staff code"),
    "partner_id": ("Mã đối tác liên quan", "Partner code"),
    "handler_id": ("Nhân viên xử lý", "Handler"),
    "partner_type": ("Loại đối tác", "Partner type"),
    "start_date": ("Ngày bắt đầu", "Start date"),
    "end_date": ("Ngày kết thúc", "End date"),
    "exported_at": ("Thời điểm xuất", "Export time"),
    "interactions": ("Số lượt tương tác", "Interactions"),
}
_FIELD = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, FIELD_WORDS)) + r")(?![\w])")


def field_words(text: object, lang: str) -> str:
    """A generated sentence with the register's field names as words (``received_at`` → 'Time
    received'); other text unchanged."""
    if text is None or text != text:
        return "–"
    return _FIELD.sub(lambda m: FIELD_WORDS[m.group(1)][1 if lang == "en" else 0], str(text))


def peer_label(subject_type: str, peer_group: object, lang: str) -> str:
    """A peer group as words: a partner type for partners, else a team (or all handlers)."""
    field = "partner_type" if subject_type == "partner" else "team"
    return label(field, peer_group, lang)


def translator(lang: str) -> tuple[Callable[[str], str], Callable[[str, object], str]]:
    """Functions the templates use: ``t('key')`` and ``label('field', code)``."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not '{lang}'")
    return (lambda key: t(key, lang)), (lambda field, code: label(field, code, lang))
