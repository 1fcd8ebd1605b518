"""Value labels of the register template: canonical code -> Vietnamese label.

Files may use either; matching folds case, spaces and diacritics like headers do.
"""

from __future__ import annotations

import pandas as pd

from pipelines.ingest.headers import HeaderMapping, header_key

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

SUBSTANTIATED = ("upheld", "partially_upheld")
CONDUCT_CATEGORIES = ("staff_conduct", "partner_conduct")


def label_frame(mapping: HeaderMapping | None = None) -> pd.DataFrame:
    """(field, label_key, code) rows for the staging join: codes, Vietnamese labels, user labels."""
    rows = []
    for field_name, labels in VALUE_LABELS.items():
        for code, vietnamese in labels.items():
            rows.append((field_name, header_key(code), code))
            rows.append((field_name, header_key(vietnamese), code))
    if mapping:
        for field_name, labels in mapping.values.items():
            rows.extend((field_name, header_key(theirs), code) for theirs, code in labels.items())
    frame = pd.DataFrame(rows, columns=["field", "label_key", "code"])
    # A user's label overrides a built-in one with the same key.
    return frame.drop_duplicates(["field", "label_key"], keep="last")
