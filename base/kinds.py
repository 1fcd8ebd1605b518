"""The export kinds, in one place: the ``Kind`` enum and a table of what each kind is (and an
export's ``Scope``).

Everything that differs by kind is looked up here (the CLI's choices, header matching, dates,
the record key, the core tables a load writes, the inbox's file names). A new kind is one
entry of ``Kind`` and one of ``KINDS``, plus its own files: ``staging/<kind>_rows.sql`` and
its expectation suite. In base/ so that every layer can read it, the CLI without Dagster.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """What an export holds."""

    register = "register"
    staff = "staff"
    partners = "partners"
    activity = "activity"


class Scope(StrEnum):
    """full: the export lists every complaint; delta: only some."""

    full = "full"
    delta = "delta"


@dataclass(frozen=True)
class DirectoryHistory:
    """How a directory's rows are also kept as dated snapshots (core.directory_history)."""

    subject_type: str  # its rows' subject_type there
    group: str  # the column stored as peer_group
    role: str | None = None  # the column stored as role (None: the directory has none)


@dataclass(frozen=True)
class KindFacts:
    # canonical field -> Vietnamese header, in the template's column order
    template: Mapping[str, str]
    required: tuple[str, ...]  # fields a file must give (header matching refuses it otherwise)
    date_fields: tuple[str, ...]  # fields whose date order (dmy, mdy, ymd) is decided per file
    # The staged column that identifies a record: one row per key in the core tables.
    record_key: str
    # The raw columns the key is read from before staging (the first given one).
    key_given: tuple[str, ...]
    core_tables: tuple[str, ...]  # what a load writes besides core.load_log and quarantine
    # A reference kind's core table (core.<kind>): its key and the columns stored from the file.
    # (The register's versions are stored by their own SQL, ingest/sql/versions_*.sql.)
    stored_key: tuple[str, ...] = ()
    stored_columns: tuple[str, ...] = ()
    history: DirectoryHistory | None = None  # a directory kept as dated snapshots too


# Keyed by Kind; typed by str, which a Kind is, so a kind passed on as text looks up the same.
KINDS: dict[str, KindFacts] = {
    Kind.register: KindFacts(
        template={
            "complaint_id": "Mã khiếu nại",
            "received_at": "Thời gian tiếp nhận",
            "channel": "Kênh tiếp nhận",
            "customer_id": "Mã khách hàng",
            "customer_name": "Tên khách hàng",
            "customer_phone": "Số điện thoại",
            "customer_email": "Email khách hàng",
            "customer_national_id": "Số CCCD",
            "contract_id": "Số hợp đồng",
            "category": "Nhóm khiếu nại",
            "subcategory": "Loại vi phạm",
            "employee_id": "Mã nhân viên liên quan",
            "partner_id": "Mã đối tác liên quan",
            "handler_id": "Nhân viên xử lý",
            "first_response_at": "Thời gian phản hồi đầu tiên",
            "resolved_at": "Thời gian giải quyết",
            "status": "Trạng thái",
            "outcome": "Kết quả",
            "review_requested_at": "Thời gian yêu cầu xem xét lại",
            "review_outcome": "Kết quả xem xét lại",
            "description": "Nội dung khiếu nại",
            "resolution_summary": "Nội dung giải quyết",
        },
        required=("complaint_id", "received_at"),
        date_fields=("received_at", "first_response_at", "resolved_at", "review_requested_at"),
        record_key="complaint_id",
        key_given=("complaint_id",),
        core_tables=("core.complaint_versions", "core.complaints"),
    ),
    Kind.staff: KindFacts(
        template={
            "employee_id": "Mã nhân viên",
            "name": "Họ tên",
            "team": "Bộ phận",
            "role": "Chức danh",
            "start_date": "Ngày bắt đầu",
            "end_date": "Ngày kết thúc",
        },
        required=("employee_id",),
        date_fields=("start_date", "end_date"),
        record_key="employee_id",
        key_given=("employee_id",),
        core_tables=("core.staff", "core.directory_history"),
        stored_key=("employee_id",),
        stored_columns=("employee_id", "name", "team", "role", "start_date", "end_date"),
        history=DirectoryHistory(subject_type="employee", group="team", role="role"),
    ),
    Kind.partners: KindFacts(
        template={
            "partner_id": "Mã đối tác",
            "name": "Tên đối tác",
            "partner_type": "Loại đối tác",
            "start_date": "Ngày bắt đầu",
            "end_date": "Ngày kết thúc",
        },
        required=("partner_id",),
        date_fields=("start_date", "end_date"),
        record_key="partner_id",
        key_given=("partner_id",),
        core_tables=("core.partners", "core.directory_history"),
        stored_key=("partner_id",),
        stored_columns=("partner_id", "name", "partner_type", "start_date", "end_date"),
        history=DirectoryHistory(subject_type="partner", group="partner_type"),
    ),
    Kind.activity: KindFacts(
        template={
            "month": "Tháng",
            "employee_id": "Mã nhân viên",
            "partner_id": "Mã đối tác",
            "interactions": "Số lượt tương tác",
        },
        required=("month", "interactions"),
        date_fields=("month",),
        # subject type, subject id and month folded into one key by staging
        record_key="subject_key",
        key_given=("employee_id", "partner_id"),
        core_tables=("core.activity",),
        stored_key=("month", "subject_type", "subject_id"),
        stored_columns=("month", "subject_type", "subject_id", "interactions"),
    ),
}

# The reference exports (directories and exposure), in the order they are loaded: before the
# register, so its rows are checked against current directories.
REFERENCE_KINDS: tuple[Kind, ...] = tuple(k for k in Kind if k is not Kind.register)
