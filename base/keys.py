"""The staged column that identifies a record of each kind: one row per key in the core tables.

Activity's key folds subject type, subject id and month into one ``subject_key``.
"""

from __future__ import annotations

RECORD_KEYS: dict[str, str] = {
    "register": "complaint_id",
    "staff": "employee_id",
    "partners": "partner_id",
    "activity": "subject_key",
}
