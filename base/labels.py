"""Value labels of the register template: canonical code -> Vietnamese label.

Files may use either (pipelines/ingest/labels.py matches them); checks and reports speak both.
"""

from __future__ import annotations

VALUE_LABELS: dict[str, dict[str, str]] = {
    "channel": {
        "email": "Email",
        "phone": "Điện thoại",
        "app": "Ứng dụng",
        "in_person": "Trực tiếp",
        "letter": "Thư",
        "regulator": "Cơ quan quản lý",
        "other": "Khác",
    },
    "category": {
        "service": "Dịch vụ",
        "process": "Quy trình vận hành",
        "staff_conduct": "Hành vi nhân viên",
        "partner_conduct": "Hành vi đối tác",
        "complaint_handling": "Quy trình xử lý khiếu nại",
        "other": "Khác",
    },
    # Clause 3.4 conduct, then debt-collection conduct the State Bank's rules forbid.
    "subcategory": {
        "abuse": "Lạm dụng",
        "threat": "Đe dọa",
        "unreasonable": "Không hợp lý",
        "offensive": "Xúc phạm",
        "inappropriate_demand": "Yêu cầu không phù hợp",
        "third_party_contact": "Liên hệ người thân/bên thứ ba",
        "excessive_contact": "Liên hệ quá mức/ngoài giờ",
        "data_disclosure": "Tiết lộ thông tin",
    },
    "status": {
        "new": "Mới",
        "in_progress": "Đang xử lý",
        "responded": "Đã phản hồi",
        "resolved": "Đã giải quyết",
        "closed": "Đã đóng",
        "review_requested": "Yêu cầu xem xét lại",
    },
    "outcome": {
        "upheld": "Có cơ sở",
        "partially_upheld": "Có cơ sở một phần",
        "not_upheld": "Không có cơ sở",
        "withdrawn": "Rút khiếu nại",
        "pending": "Chưa kết luận",
    },
    "review_outcome": {
        "unchanged": "Giữ nguyên",
        "changed": "Thay đổi",
        "pending": "Chưa kết luận",
    },
}

# Complaints about a staff member's or a partner's conduct (clause 3.4), subcategory checked.
CONDUCT_CATEGORIES = ("staff_conduct", "partner_conduct")
