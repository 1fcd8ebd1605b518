"""The validation rules: each has a name, a level, and a reason in Vietnamese and English.

``error`` rules send the row to quarantine.rejected_rows; ``warning`` rules keep the row and are
listed in quarantine.warnings. The expectation suites (register.py, reference.py) attach a rule
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
    action_en: str  # what the user should do, for the README table


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
            "received_at is not a readable date between 1990 and 2099",
            "thời gian tiếp nhận không phải ngày hợp lệ (1990-2099)",
            "Correct the date (dd/mm/yyyy HH:MM or yyyy-mm-dd HH:MM) and re-export.",
        ),
        Rule(
            "unparseable_first_response_at",
            "error",
            "first_response_at is not a readable date between 1990 and 2099",
            "thời gian phản hồi đầu tiên không phải ngày hợp lệ",
            "Correct the date and re-export.",
        ),
        Rule(
            "unparseable_resolved_at",
            "error",
            "resolved_at is not a readable date between 1990 and 2099",
            "thời gian giải quyết không phải ngày hợp lệ",
            "Correct the date and re-export.",
        ),
        Rule(
            "unparseable_review_requested_at",
            "error",
            "review_requested_at is not a readable date between 1990 and 2099",
            "thời gian yêu cầu xem xét lại không phải ngày hợp lệ",
            "Correct the date and re-export.",
        ),
        Rule(
            "response_before_receipt",
            "error",
            "first_response_at is earlier than received_at",
            "thời gian phản hồi đầu tiên sớm hơn thời gian tiếp nhận",
            "Check both timestamps in the register; one of them is wrong.",
        ),
        Rule(
            "resolved_before_receipt",
            "error",
            "resolved_at is earlier than received_at",
            "thời gian giải quyết sớm hơn thời gian tiếp nhận",
            "Check both timestamps.",
        ),
        Rule(
            "review_before_receipt",
            "error",
            "review_requested_at is earlier than received_at",
            "thời gian yêu cầu xem xét lại sớm hơn thời gian tiếp nhận",
            "Check both timestamps.",
        ),
        Rule(
            "received_after_export",
            "error",
            "received_at is later than the export's exported_at",
            "thời gian tiếp nhận muộn hơn thời điểm xuất dữ liệu",
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
            "the record's id is missing",
            "thiếu mã bản ghi",
            "Fill in the id (employee_id, partner_id) and re-export.",
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
            "month is not a readable month (YYYY-MM)",
            "tháng không hợp lệ (YYYY-MM)",
            "Write the month as YYYY-MM.",
        ),
        Rule(
            "invalid_interactions",
            "error",
            "interactions is not a whole number >= 0",
            "số lượt tương tác không phải số nguyên không âm",
            "Correct the count.",
        ),
        Rule(
            "unknown_category",
            "warning",
            "unknown category label; loaded as 'unclassified'",
            "nhóm khiếu nại không xác định; ghi nhận là 'unclassified'",
            "Use one of the category labels of the template.",
        ),
        Rule(
            "unknown_subcategory",
            "warning",
            "unknown conduct subcategory label; kept as given",
            "loại vi phạm không xác định; giữ nguyên như trong tệp",
            "Use one of the clause 3.4 conduct labels of the template.",
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
            "resolved without a first response",
            "đã giải quyết nhưng chưa có phản hồi đầu tiên",
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
    ]
}


def rule(name: str) -> Rule:
    return RULES[name]
