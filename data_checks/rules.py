"""The validation rules: each has a name, a level, and a reason in Vietnamese and English.

``error`` rules send the row to quarantine.rejected_rows; ``warning`` rules keep the row and are
listed in quarantine.warnings (``file`` rules are about the whole file and are written by the
loader, not by an expectation). The expectation suites (register.py, reference.py) attach a rule
name to every expectation through its ``meta``, so GX's unexpected-row results drive quarantine
and each rule is written once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    level: str  # error | warning
    reason_en: str
    reason_vi: str
    action_en: str  # what the user should do, for the rules table in docs/data-and-rules.md
    # A staged column whose value replaces "{value}" in the reasons, so a person sees the
    # value that was refused or warned about (never a personal field). A timestamp of the row
    # is written in as "{received_at}", "{exported_at}"... (TIME_PLACEHOLDERS).
    detail: str | None = None


# Timestamps a reason may name by "{column}" (never personal data), as YYYY-MM-DD HH:MM.
TIME_PLACEHOLDERS = (
    "received_at",
    "first_response_at",
    "resolved_at",
    "review_requested_at",
    "exported_at",
)


RULES: dict[str, Rule] = {
    r.name: r
    for r in [
        Rule(
            "missing_complaint_id",
            "error",
            "complaint_id is missing",
            "thiếu mã khiếu nại",
            "Fill in the complaint id in the register and re-export.",
        ),
        Rule(
            "missing_received_at",
            "error",
            "received_at is missing",
            "thiếu thời gian tiếp nhận",
            "Fill in when the complaint arrived and re-export.",
        ),
        Rule(
            "unparseable_received_at",
            "error",
            "received_at '{value}' is not a readable date between 1990 and 2099",
            "thời gian tiếp nhận '{value}' không phải ngày hợp lệ (1990-2099)",
            "Correct the date (dd/mm/yyyy HH:MM or yyyy-mm-dd HH:MM) and re-export.",
            "received_at_given",
        ),
        Rule(
            "unparseable_first_response_at",
            "error",
            "first_response_at '{value}' is not a readable date between 1990 and 2099",
            "thời gian phản hồi đầu tiên '{value}' không phải ngày hợp lệ",
            "Correct the date and re-export.",
            "first_response_at_given",
        ),
        Rule(
            "unparseable_resolved_at",
            "error",
            "resolved_at '{value}' is not a readable date between 1990 and 2099",
            "thời gian giải quyết '{value}' không phải ngày hợp lệ",
            "Correct the date and re-export.",
            "resolved_at_given",
        ),
        Rule(
            "unparseable_review_requested_at",
            "error",
            "review_requested_at '{value}' is not a readable date between 1990 and 2099",
            "thời gian yêu cầu xem xét lại '{value}' không phải ngày hợp lệ",
            "Correct the date and re-export.",
            "review_requested_at_given",
        ),
        Rule(
            "date_order_mixed",
            "error",
            "the day/month order of a date cannot be told: its column holds both day-first and "
            "month-first dates (the date, then one value of each order): {value}",
            "không xác định được thứ tự ngày/tháng: cột chứa cả ngày ghi ngày trước và ngày ghi "
            "tháng trước (ngày này, rồi một giá trị mỗi kiểu): {value}",
            "Write every date of the column in one order (e.g. dd/mm/yyyy) and re-export.",
            "date_order_problem",
        ),
        Rule(
            "response_before_receipt",
            "error",
            "first_response_at {first_response_at} is earlier than received_at {received_at}",
            "thời gian phản hồi đầu tiên {first_response_at} sớm hơn thời gian tiếp nhận "
            "{received_at}",
            "Check both timestamps in the register; one of them is wrong.",
        ),
        Rule(
            "resolved_before_receipt",
            "error",
            "resolved_at {resolved_at} is earlier than received_at {received_at}",
            "thời gian giải quyết {resolved_at} sớm hơn thời gian tiếp nhận {received_at}",
            "Check both timestamps.",
        ),
        Rule(
            "review_before_receipt",
            "error",
            "review_requested_at {review_requested_at} is earlier than received_at {received_at}",
            "thời gian yêu cầu xem xét lại {review_requested_at} sớm hơn thời gian tiếp nhận "
            "{received_at}",
            "Check both timestamps.",
        ),
        Rule(
            "received_after_export",
            "error",
            "received_at {received_at} is later than the export's exported_at {exported_at}",
            "thời gian tiếp nhận {received_at} muộn hơn thời điểm xuất dữ liệu {exported_at}",
            "Check the date, or pass the right --exported-at.",
        ),
        Rule(
            "duplicate_complaint_id",
            "error",
            "the same complaint_id appears more than once in the file with different content",
            "cùng một mã khiếu nại xuất hiện nhiều lần trong tệp với nội dung khác nhau",
            "Keep one row per complaint in the export.",
        ),
        Rule(
            "missing_key",
            "error",
            "the record's id is missing or is not a code",
            "thiếu mã bản ghi hoặc mã không hợp lệ",
            "Fill in the code (employee_id, partner_id: NV0001, DT01; not a name or a note) and "
            "re-export.",
        ),
        Rule(
            "duplicate_key",
            "error",
            "the same id appears twice with different content",
            "cùng một mã xuất hiện hai lần với nội dung khác nhau",
            "Keep one row per id.",
        ),
        Rule(
            "unparseable_month",
            "error",
            "month '{value}' is not a readable month (YYYY-MM)",
            "tháng '{value}' không hợp lệ (YYYY-MM)",
            "Write the month as YYYY-MM.",
            "month_given",
        ),
        Rule(
            "invalid_interactions",
            "error",
            "interactions '{value}' is not a whole number >= 0 (a fraction, a sign or text)",
            "số lượt tương tác '{value}' không phải số nguyên không âm (có phần lẻ, dấu hoặc chữ)",
            "Write the count as a whole number: 1234, 1.234, 1 234 or 1,234 (1234.0 is read too).",
            "interactions_given",
        ),
        Rule(
            "unknown_category",
            "warning",
            "unknown category label '{value}'; kept as given",
            "nhóm khiếu nại '{value}' không xác định; giữ nguyên như trong tệp",
            "Use one of the category labels of the template, or map it (values: in the mapping).",
            "category",
        ),
        Rule(
            "unknown_subcategory",
            "warning",
            "unknown conduct subcategory label '{value}'; kept as given",
            "loại vi phạm '{value}' không xác định; giữ nguyên như trong tệp",
            "Use one of the clause 3.4 conduct labels of the template.",
            "subcategory",
        ),
        Rule(
            "unknown_channel",
            "warning",
            "unknown channel label '{value}'; kept as given",
            "kênh tiếp nhận '{value}' không xác định; giữ nguyên như trong tệp",
            "Use one of the channel labels of the template, or map it (values: in the mapping).",
            "channel",
        ),
        Rule(
            "unknown_status",
            "warning",
            "unknown status label '{value}'; kept as given",
            "trạng thái '{value}' không xác định; giữ nguyên như trong tệp",
            "Use one of the status labels of the template, or map it (values: in the mapping).",
            "status",
        ),
        Rule(
            "unreadable_directory_date",
            "warning",
            "{value} is not a readable date; the record is loaded without it",
            "{value} không phải ngày hợp lệ; bản ghi được nạp nhưng bỏ trống ngày này",
            "Correct the start or end date (dd/mm/yyyy or yyyy-mm-dd) and re-export.",
            "unreadable_date",
        ),
        Rule(
            "unknown_outcome",
            "warning",
            "unknown outcome label '{value}'; kept as given and reported as 'outcome not "
            "recognised', counted neither as pending nor as substantiated",
            "kết quả '{value}' không xác định; giữ nguyên như trong tệp, báo cáo là 'kết quả "
            "không xác định', không tính là chưa kết luận hay có cơ sở",
            "Use one of the outcome labels of the template, or map it (values: in the mapping).",
            "outcome",
        ),
        Rule(
            "unknown_review_outcome",
            "warning",
            "unknown review outcome label '{value}'; kept as given",
            "kết quả xem xét lại '{value}' không xác định; giữ nguyên như trong tệp",
            "Use one of the review outcome labels of the template, or map it.",
            "review_outcome",
        ),
        Rule(
            "id_cut_to_code",
            "warning",
            "{value}: the cell held more than a code; only the code is kept, the rest is not "
            "stored",
            "{value}: ô chứa nhiều hơn một mã; chỉ giữ lại mã, phần còn lại không được lưu",
            "Type only the code (NV0001) in employee_id, partner_id and handler_id; notes go in "
            "the description.",
            "id_cut",
        ),
        Rule(
            "id_not_a_code",
            "warning",
            "{value}: the cell is not a code of the directories; left empty, the text is not "
            "stored",
            "{value}: ô không phải là mã trong danh sách nhân viên/đối tác; để trống, nội dung "
            "không được lưu",
            "Type the staff or partner code (NV0001, DT01), not a name; load the directory if "
            "its codes look different.",
            "id_refused",
        ),
        Rule(
            "staff_conduct_without_employee",
            "warning",
            "staff_conduct complaint without employee_id",
            "khiếu nại hành vi nhân viên nhưng thiếu mã nhân viên",
            "Record which staff member the complaint is about.",
        ),
        Rule(
            "partner_conduct_without_partner",
            "warning",
            "partner_conduct complaint without partner_id",
            "khiếu nại hành vi đối tác nhưng thiếu mã đối tác",
            "Record which partner the complaint is about.",
        ),
        Rule(
            "unknown_employee",
            "warning",
            "employee_id is not in the staff directory",
            "mã nhân viên không có trong danh sách nhân viên",
            "Load a current staff export, or correct the id.",
        ),
        Rule(
            "unknown_partner",
            "warning",
            "partner_id is not in the partner directory",
            "mã đối tác không có trong danh sách đối tác",
            "Load a current partners export, or correct the id.",
        ),
        Rule(
            "resolved_without_response",
            "warning",
            "resolved without a first response; the resolution counts as the first response "
            "for the clause 5.1 deadline",
            "đã giải quyết nhưng chưa có phản hồi đầu tiên; thời điểm giải quyết được tính là "
            "phản hồi đầu tiên cho thời hạn điều 5.1",
            "Record when the customer was first answered.",
        ),
        Rule(
            "register_edited",
            "warning",
            "received_at or first_response_at differs from an earlier export",
            "thời gian tiếp nhận hoặc phản hồi khác với lần xuất trước",
            "Confirm the register edit was intended; both values are listed.",
        ),
        Rule(
            "missing_from_export",
            "warning",
            "complaint present in an earlier export is missing from this full export",
            "khiếu nại có trong lần xuất trước nhưng không có trong lần xuất đầy đủ này",
            "Check whether the complaint was deleted from the register.",
        ),
        Rule(
            "date_order_assumed",
            "warning",
            "every date of {value} could be day-first or month-first (day and month both <= 12);"
            " read day-first (dd/mm)",
            "mọi ngày trong {value} đều có thể là ngày trước hoặc tháng trước (ngày và tháng "
            "đều <= 12); đã đọc theo ngày trước (dd/mm)",
            "If the export writes month first, declare date_order: mdy in the mapping (--mapping)"
            " and load it again.",
        ),
        Rule(
            "snapshot_time_far_from_data",
            "warning",
            "the snapshot time {value} was taken from the file's modification time and {why}; "
            "it is the build's default as_of",
            "thời điểm xuất {value} lấy từ thời gian sửa tệp và {why}; đây là as_of mặc định "
            "khi build",
            "Give the export's real time with --exported-at when loading (or build with --as-of).",
        ),
    ]
}


def rule(name: str) -> Rule:
    return RULES[name]
