"""A realistic synthetic complaints register, its reference exports and 26 monthly snapshots.

Everything is vectorised with numpy/pandas: one complaint's life (receipt, first response,
resolution, outcome, review) is drawn for all complaints at once, and each monthly snapshot is
that life cut at the export time. The people are synthetic: names are built from syllable
lists, phone numbers start 0900, e-mails are @example.com and ID numbers start 099 (no province
has that code).

The demo plants one case of each pattern the policy asks the pipeline to find (clauses 3.4,
3.5, 5.1, 6.2, 7.1) and one that must *not* be flagged (a high-volume agent with the team's
normal rate); ``manifest.json`` names them.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import xlsxwriter

from base.labels import VALUE_LABELS
from pipelines.ingest.headers import PERSONAL_FIELDS, TEMPLATES, header_key

REGISTER_FIELDS = list(TEMPLATES["register"])
TIMESTAMPS = ("received_at", "first_response_at", "resolved_at", "review_requested_at")
DEMO_START, DEMO_END = "2024-09-01", "2026-10-31"
REVIEW_MONTH = "2026-10"
DEMO_COMPLAINTS = 7_800  # about 300 a month over 26 months
EXPORT_TIME = dt.time(18, 0)
DIRECTORY_SEED = 7  # the staff and partner directory is the same whatever the demo seed

# ----------------------------------------------------------------------------- people

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
# Middle and given names by gender (index 0: male, 1: female), so "Văn" goes with "Hùng".
MIDDLE = (
    ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Gia", "Xuân", "Bảo", "Thanh", "Anh"],
    ["Thị", "Ngọc", "Thu", "Kim", "Phương", "Hoài", "Thanh", "Minh", "Bảo", "Diệu"],
)
GIVEN = (
    [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hải",
        "Hiếu",
        "Hùng",
        "Khánh",
        "Long",
        "Nam",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Thắng",
        "Trung",
        "Tuấn",
        "Giang",
    ],
    [
        "Hà",
        "Hạnh",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "Nga",
        "Nhung",
        "Tâm",
        "Thảo",
        "Trang",
        "Vân",
        "Yến",
        "Giang",
        "Khánh",
        "Thủy",
        "Phương",
    ],
)


# team, head count, typical monthly interactions (None: no activity export), allegations per
# 1,000 interactions (disbursement: per month per person, they have no exposure figure)
TEAMS = [
    ("collections", 60, 1_200, 0.25, "Chuyên viên thu hồi nợ"),
    ("customer_service", 40, 1_500, 0.08, "Chuyên viên chăm sóc khách hàng"),
    ("telesales", 30, 600, 0.20, "Chuyên viên bán hàng qua điện thoại"),
    ("disbursement", 12, None, 0.05, "Chuyên viên giải ngân"),
    ("complaints", 8, None, 0.0, "Chuyên viên xử lý khiếu nại"),
]
PARTNER_TYPES = [  # type, count, interactions range, allegations per 1,000 interactions
    ("collection_agency", 6, (5_000, 30_000), 0.5, "Công ty TNHH Thu hồi nợ"),
    ("call_centre", 4, (10_000, 20_000), 0.2, "Công ty CP Tổng đài"),
    ("payment", 2, (3_000, 3_000), 0.2, "Công ty CP Thanh toán"),
]
PARTNER_NAMES = [
    "An Phát",
    "Bình Minh",
    "Cát Tường",
    "Đại Lộc",
    "Hưng Thịnh",
    "Kim Long",
    "Nam Việt",
    "Phú Quý",
    "Sao Mai",
    "Thiên Ân",
    "Trường Sơn",
    "Việt Tín",
]

HIGH_VOLUME = ("NV0001", "NV0002", "NV0003")
PLANTED = {
    "persistent": "NV0017",
    "serious_conduct": "NV0033",
    "outlier_rate": "DT03",
    "rising_trend": "NV0075",
    "handler_sla": "NV0146",
    "high_volume_normal": "NV0002",
}
HANDLERS = [f"NV{i:04d}" for i in range(143, 151)]
HANDLER_SHARE = [0.22, 0.18, 0.16, 0.14, 0.11, 0.08, 0.06, 0.05]  # uneven volumes
LEAVERS = {
    "NV0040": "2025-06-30",
    "NV0052": "2025-12-15",
    "NV0110": "2026-03-31",
    "NV0125": "2026-08-14",
}
JOINERS = {
    **{f"NV{i:04d}": "2025-10-01" for i in (58, 59, 60)},
    **{f"NV{i:04d}": "2026-02-02" for i in (128, 129, 130)},
}
TET = [("2025-01-28", "2025-02-02"), ("2026-02-14", "2026-02-22")]

# ----------------------------------------------------------------------------- value mixes

CHANNELS = (
    ["email", "phone", "app", "in_person", "letter", "regulator", "other"],
    [0.35, 0.30, 0.15, 0.07, 0.05, 0.03, 0.05],
)
CATEGORIES = (
    ["service", "process", "staff_conduct", "partner_conduct", "complaint_handling", "other"],
    [0.30, 0.22, 0.10, 0.19, 0.07, 0.12],
)
# The common ones first; the serious ones (threat, abuse, ...) are rare, as in real registers.
SUBCATEGORIES = (
    [
        "unreasonable",
        "excessive_contact",
        "offensive",
        "third_party_contact",
        "inappropriate_demand",
        "abuse",
        "data_disclosure",
        "threat",
    ],
    [0.32, 0.30, 0.25, 0.05, 0.03, 0.02, 0.015, 0.015],
)
OUTCOMES = ["upheld", "partially_upheld", "not_upheld", "withdrawn"]
CONDUCT_OUTCOME_P = [0.25, 0.15, 0.50, 0.10]  # 40% substantiated
OTHER_OUTCOME_P = [0.30, 0.20, 0.40, 0.10]

DESCRIPTIONS = {
    "service": [
        "Ứng dụng báo lỗi khi thanh toán khoản vay",
        "Tổng đài không nghe máy",
        "Phí dịch vụ trên sao kê không đúng",
        "Không nhận được tin nhắn xác nhận",
    ],
    "process": [
        "Hồ sơ giải ngân bị chậm so với cam kết",
        "Yêu cầu tất toán chưa được xử lý",
        "Khoản thanh toán chưa được ghi nhận",
        "Lãi phạt tính sai ngày",
    ],
    "complaint_handling": [
        "Khiếu nại trước chưa được trả lời",
        "Nội dung trả lời chưa thỏa đáng",
        "Không được thông báo kết quả khiếu nại",
    ],
    "other": [
        "Đề nghị cung cấp lại hợp đồng",
        "Góp ý về chương trình khuyến mãi",
        "Hỏi về bảo hiểm khoản vay",
    ],
    "unreasonable": ["Nhân viên yêu cầu trả nợ ngay trong ngày", "Bị từ chối gia hạn không lý do"],
    "excessive_contact": ["Bị gọi điện nhiều lần trong ngày", "Bị gọi sau 21 giờ tối"],
    "offensive": ["Nhân viên dùng lời lẽ xúc phạm", "Thái độ thiếu tôn trọng khi gọi điện"],
    "third_party_contact": ["Gọi điện cho người thân để đòi nợ", "Liên hệ đồng nghiệp của tôi"],
    "inappropriate_demand": ["Yêu cầu chuyển tiền vào tài khoản cá nhân"],
    "abuse": ["Nhân viên quát mắng và đe dọa bêu tên"],
    "data_disclosure": ["Thông tin khoản vay bị tiết lộ cho hàng xóm"],
    "threat": ["Bị đe dọa sẽ đến nhà và cơ quan"],
}
RESOLUTIONS = {
    "upheld": "Khiếu nại có cơ sở; đã xin lỗi khách hàng và khắc phục",
    "partially_upheld": "Khiếu nại có cơ sở một phần; đã điều chỉnh",
    "not_upheld": "Đã kiểm tra ghi âm; không có vi phạm",
    "withdrawn": "Khách hàng rút khiếu nại",
}


# ============================================================================ directory


def _name_parts(rng: np.random.Generator, n: int, syllables: int) -> list[np.ndarray]:
    """Indices of family, middle name(s) and given name per person, gender-consistent; middle
    and given index ``male + female`` lists."""
    female = rng.random(n) < 0.5

    def words(options: tuple[list[str], list[str]]) -> np.ndarray:
        male, fem = options
        return np.where(
            female, len(male) + rng.integers(0, len(fem), n), rng.integers(0, len(male), n)
        )

    family = rng.integers(0, len(FAMILY), n)
    middles = [words(MIDDLE)]
    if syllables == 4:  # a second, different middle name from the same list
        size = np.where(female, len(MIDDLE[1]), len(MIDDLE[0]))
        base = np.where(female, len(MIDDLE[0]), 0)
        shift = 1 + (rng.random(n) * (size - 1)).astype(np.int64)
        middles.append(base + (middles[0] - base + shift) % size)
    return [family, *middles, words(GIVEN)]


def _join_names(parts: list[np.ndarray], pick: np.ndarray | None = None) -> pa.Array:
    vocabs = [FAMILY] + [MIDDLE[0] + MIDDLE[1]] * (len(parts) - 2) + [GIVEN[0] + GIVEN[1]]
    words = [
        pc.take(pa.array(v), pa.array(idx if pick is None else idx[pick]))
        for v, idx in zip(vocabs, parts, strict=True)
    ]
    return pc.binary_join_element_wise(*words, " ")


def _names(rng: np.random.Generator, n: int, syllables: int) -> np.ndarray:
    """Vietnamese-looking names; staff have 3 syllables, customers 4, so they never coincide."""
    return _join_names(_name_parts(rng, n, syllables)).to_numpy(zero_copy_only=False)


def demo_staff() -> pd.DataFrame:
    """The staff directory with each person's exposure level and allegation rate (internal)."""
    rng = np.random.default_rng(DIRECTORY_SEED)
    rows = []
    number = 1
    for team, count, level, rate, role in TEAMS:
        for i in range(count):
            eid = f"NV{number:04d}"
            number += 1
            title = "Trưởng nhóm" if i == count - 1 and count > 10 else role
            rows.append((eid, team, title, level or 0, rate))
    frame = pd.DataFrame(rows, columns=["employee_id", "team", "role", "level", "rate"])
    frame["name"] = _names(rng, len(frame), 3)
    starts = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 2_300, len(frame)), "D")
    frame["start_date"] = starts.normalize()
    frame.loc[frame.employee_id.isin(JOINERS), "start_date"] = pd.to_datetime(
        frame.employee_id.map(JOINERS)[frame.employee_id.isin(JOINERS)]
    )
    frame["end_date"] = pd.to_datetime(frame.employee_id.map(LEAVERS))
    frame["level"] = frame["level"] * rng.uniform(0.7, 1.3, len(frame)).round(2)
    frame.loc[frame.employee_id.isin(HIGH_VOLUME), "level"] = rng.uniform(4_200, 4_800, 3)
    # The rising-trend employee's only conduct complaints are the planted ones.
    frame.loc[frame.employee_id == PLANTED["rising_trend"], "rate"] = 0.0
    return frame[["employee_id", "name", "team", "role", "start_date", "end_date", "level", "rate"]]


def demo_partners() -> pd.DataFrame:
    """The partner directory with exposure level and allegation rate (internal)."""
    rng = np.random.default_rng(DIRECTORY_SEED + 1)
    rows = []
    number = 1
    for ptype, count, (lo, hi), rate, prefix in PARTNER_TYPES:
        for _ in range(count):
            pid = f"DT{number:02d}"
            level = float(rng.uniform(lo, hi)) if hi > lo else float(lo)
            # The planted outlier: three times its peer agencies' rate, for its whole history.
            factor = 3.0 if pid == PLANTED["outlier_rate"] else 1.0
            rows.append((pid, f"{prefix} {PARTNER_NAMES[number - 1]}", ptype, level, rate * factor))
            number += 1
    frame = pd.DataFrame(rows, columns=["partner_id", "name", "partner_type", "level", "rate"])
    frame["start_date"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        rng.integers(0, 1_200, len(frame)), "D"
    )
    frame["end_date"] = pd.NaT
    return frame


def _months(start: str, end: str) -> np.ndarray:
    return np.arange(np.datetime64(start, "M"), np.datetime64(end, "M") + 1)


def _active(frame: pd.DataFrame, months: np.ndarray) -> np.ndarray:
    """[months x subjects]: 1 where the subject worked in that month."""
    first = frame["start_date"].values.astype("datetime64[M]")
    last = frame["end_date"].fillna(pd.Timestamp("2100-01-01")).values.astype("datetime64[M]")
    return (months[:, None] >= first[None, :]) & (months[:, None] <= last[None, :])


def exposure(frame: pd.DataFrame, months: np.ndarray, seed: int) -> np.ndarray:
    """[months x subjects] monthly interactions: level x seasonal noise, zero when not active."""
    rng = np.random.default_rng(seed)
    noise = rng.lognormal(0.0, 0.10, (len(months), len(frame)))
    season = 1 + 0.08 * np.sin(2 * np.pi * (months.astype(int) % 12) / 12)[:, None]
    values = frame["level"].to_numpy(float)[None, :] * noise * season
    return np.round(values * _active(frame, months)).astype(np.int64)


def activity_frame(start: str = DEMO_START, end: str = DEMO_END) -> pd.DataFrame:
    """The activity export: one row per month and employee (teams with exposure) or partner."""
    months = _months(start, end)
    out = []
    for frame, key in ((demo_staff(), "employee_id"), (demo_partners(), "partner_id")):
        values = exposure(frame, months, DIRECTORY_SEED + len(key))
        m, s = np.nonzero(values)
        part = pd.DataFrame(
            {
                "month": pd.Series(months[m]).dt.strftime("%Y-%m").to_numpy(),
                key: frame[key].to_numpy()[s],
                "interactions": values[m, s],
            }
        )
        out.append(part)
    return pd.concat(out, ignore_index=True)[["month", "employee_id", "partner_id", "interactions"]]


# ============================================================================ the register


def _working_days(start: np.datetime64, end: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Working dates (Vietnamese calendar) and public holidays on weekdays, as datetime64[D]."""
    from pipelines.calendar import build_calendar  # holidays imports slowly

    cal = build_calendar(start.astype(dt.date), end.astype(dt.date))
    dates = np.array(cal["date"].tolist(), dtype="datetime64[D]")
    working = cal["is_working_day"].to_numpy()
    weekday = (dates.astype(np.int64) + 3) % 7  # 0 = Monday
    return dates[working], dates[~working & (weekday < 5)]


def _day_weights(days: np.ndarray, holidays: np.ndarray) -> np.ndarray:
    """Seasonality, a slow growth, quiet weekends and holidays, and the Tết dip."""
    weekday = (days.astype(np.int64) + 3) % 7
    w = np.where(weekday == 5, 0.35, np.where(weekday == 6, 0.2, 1.0))
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    w = w * (1 + 0.12 * np.sin(2 * np.pi * (doy - 80) / 365.25))
    w = w * (1 + 0.10 * (days - days[0]).astype(int) / 365.25)
    w = np.where(np.isin(days, holidays), w * 0.35, w)
    for lo, hi in TET:
        tet = (days >= np.datetime64(lo)) & (days <= np.datetime64(hi))
        w = np.where(tet, w * 0.15, w)
    return w / w.sum()


def _minutes(rng: np.random.Generator, n: int) -> np.ndarray:
    """Time of day in minutes: mostly office hours, some evenings and early mornings."""
    office = rng.integers(8 * 60, 17 * 60 + 30, n)
    evening = rng.integers(17 * 60 + 30, 22 * 60, n)
    early = rng.integers(6 * 60 + 30, 8 * 60, n)
    pick = rng.random(n)
    return np.where(pick < 0.85, office, np.where(pick < 0.96, evening, early))


# Coded fields: the lifecycle keeps int codes (-1 = empty) and decodes them once per export,
# so a million complaints never become a million Python strings.
STATUSES = ["new", "in_progress", "responded", "resolved", "closed", "review_requested"]
REVIEW_OUTCOMES = ["unchanged", "changed", "pending"]


@cache
def vocab() -> dict[str, list[str]]:
    """The values of each coded field, in code order."""
    return {
        "channel": CHANNELS[0],
        "category": CATEGORIES[0],
        "subcategory": SUBCATEGORIES[0],
        "employee_id": demo_staff()["employee_id"].tolist(),
        "partner_id": demo_partners()["partner_id"].tolist(),
        "handler_id": HANDLERS,
        "outcome": [*OUTCOMES, "pending"],
        "review_outcome": REVIEW_OUTCOMES,
        "status": STATUSES,
    }


def code(field: str, value: str) -> int:
    return vocab()[field].index(value)


def _allocate(
    rng: np.random.Generator,
    months: np.ndarray,
    mask: np.ndarray,
    directory: pd.DataFrame,
    grid: np.ndarray,
    values: np.ndarray,
) -> np.ndarray:
    """For each conduct complaint, the subject it is about (a code): drawn within its month with
    probability proportional to exposure x rate, so allegations follow exposure."""
    # No exposure figure (disbursement): a flat 1,000 while active, so the rate is per month.
    flat = np.where(directory["level"].to_numpy() > 0, 0, 1_000) * _active(directory, grid)
    weights = (values + flat) * directory["rate"].to_numpy()[None, :]
    out = np.full(len(months), -1, dtype=np.int64)
    for i, month in enumerate(grid):
        rows = np.nonzero(mask & (months == month))[0]
        if len(rows) and weights[i].sum() > 0:
            out[rows] = rng.choice(len(directory), size=len(rows), p=weights[i] / weights[i].sum())
    return out


def _arrow(values: object) -> pa.Array:
    return values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)


def _strings(values: object) -> pd.Series:
    """An Arrow-backed string column (built in C, no Python object per row)."""
    return pd.Series(_arrow(values), dtype=pd.StringDtype("pyarrow"))


def _decode(codes: np.ndarray, values: list[str]) -> pd.Series:
    codes = np.asarray(codes, dtype=np.int64)
    return _strings(pc.take(pa.array(values), pa.array(codes, mask=codes < 0)))


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")


def _customers(rng: np.random.Generator, who: np.ndarray) -> dict[str, pa.Array]:
    """Synthetic customers: ``who`` numbers a pool, so a customer can complain again; each
    customer's attributes are drawn once for the pool, then taken per complaint."""
    size = int(who.max()) + 1
    parts = _name_parts(rng, size, 4)
    given = pc.take(
        pa.array([header_key(g) for g in GIVEN[0] + GIVEN[1]]), pa.array(parts[-1][who])
    )
    number = _padded(who + 1, 7)
    phone = rng.integers(0, 1_000_000, size)[who]
    national = rng.integers(0, 10**9, size)[who]
    return {
        "customer_id": pc.binary_join_element_wise("KH", number, ""),
        "customer_name": _join_names(parts, who),
        "customer_phone": pc.binary_join_element_wise("0900", _padded(phone, 6), ""),
        "customer_email": pc.binary_join_element_wise(given, ".kh", number, "@example.com", ""),
        "customer_national_id": pc.binary_join_element_wise("099", _padded(national, 9), ""),
        "contract_id": pc.binary_join_element_wise("HD-DEMO-", number, ""),
    }


def _pick(rng: np.random.Generator, options: tuple[list, list], n: int) -> np.ndarray:
    return rng.choice(len(options[0]), size=n, p=options[1])


def _texts(rng: np.random.Generator, category: np.ndarray, subcategory: np.ndarray) -> pa.Array:
    """A short Vietnamese description per complaint: by subcategory for conduct, else category."""
    key = np.where(
        subcategory >= 0,
        np.asarray(SUBCATEGORIES[0], dtype=object)[subcategory],
        np.asarray(CATEGORIES[0], dtype=object)[category],
    )
    templates: list[str] = []
    index = np.zeros(len(key), dtype=np.int64)
    for name, options in DESCRIPTIONS.items():
        rows = key == name
        index[rows] = len(templates) + rng.integers(0, len(options), rows.sum())
        templates += options
    return pc.take(pa.array(templates), pa.array(index))


def _after_working_days(
    work: np.ndarray, start: np.ndarray, days: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """A time on the ``days``-th working day after ``start`` (datetime64[m]), office hours."""
    pos = np.searchsorted(work, start.astype("datetime64[D]"), side="right")
    date = work[np.minimum(pos + days - 1, len(work) - 1)]
    return date.astype("datetime64[m]") + rng.integers(8 * 60, 17 * 60 + 30, len(start))


def register_lifecycle(n: int, seed: int, start: str, end: str) -> pd.DataFrame:
    """Each complaint's whole life: final timestamps and coded values, and the review's
    decision time (``review_decided_at``). Decode with :func:`state_at`."""
    rng = np.random.default_rng(seed)
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    work, holidays = _working_days(lo - 10, hi + 400)
    days = np.arange(lo, hi + 1)
    received = np.sort(
        rng.choice(days, size=n, p=_day_weights(days, holidays)).astype("datetime64[m]")
        + _minutes(rng, n)
    )
    months = received.astype("datetime64[M]")
    grid = _months(start, end)
    category = _pick(rng, CATEGORIES, n)
    staff_conduct, partner_conduct = (
        category == code("category", c) for c in ("staff_conduct", "partner_conduct")
    )
    staff, partners = demo_staff(), demo_partners()
    employee = _allocate(
        rng,
        months,
        staff_conduct,
        staff,
        grid,
        exposure(staff, grid, DIRECTORY_SEED + len("employee_id")),
    )
    partner = _allocate(
        rng,
        months,
        partner_conduct,
        partners,
        grid,
        exposure(partners, grid, DIRECTORY_SEED + len("partner_id")),
    )
    conduct = staff_conduct | partner_conduct
    handler = rng.choice(len(HANDLERS), size=n, p=HANDLER_SHARE)
    response = _responses(rng, work, received, handler)
    frame = pd.DataFrame(
        {
            "received_at": received,
            "channel": _pick(rng, CHANNELS, n),
            "category": category,
            "subcategory": np.where(conduct, _pick(rng, SUBCATEGORIES, n), -1),
            "employee_id": employee,
            "partner_id": partner,
            "handler_id": handler,
            "first_response_at": response,
            "resolved_at": _resolutions(rng, work, response),
            "outcome": np.where(
                conduct, rng.choice(4, n, p=CONDUCT_OUTCOME_P), rng.choice(4, n, p=OTHER_OUTCOME_P)
            ),
        }
    )
    _add_reviews(rng, frame)
    _add_customers_and_texts(rng, frame)
    return number_complaints(frame)


def _responses(
    rng: np.random.Generator, work: np.ndarray, received: np.ndarray, handler: np.ndarray
) -> np.ndarray:
    """First response: 0-6 working days for ~94% (the planted handler ~75%), later otherwise."""
    n = len(received)
    late_p = np.where(handler == HANDLERS.index(PLANTED["handler_sla"]), 0.25, 0.055)
    late = rng.random(n) < late_p
    on_time = rng.choice(7, size=n, p=[0.12, 0.25, 0.22, 0.16, 0.11, 0.08, 0.06])
    days = np.where(late, rng.integers(8, 16, n), on_time)
    later = _after_working_days(work, received, np.maximum(days, 1), rng)
    # Answered the same day: a few hours after receipt.
    same_day = received + rng.integers(30, 240, n).astype("timedelta64[m]")
    return np.where(days == 0, same_day, later)


def _resolutions(rng: np.random.Generator, work: np.ndarray, response: np.ndarray) -> np.ndarray:
    """Resolution: with the first answer for a third, else 1-20 working days later."""
    n = len(response)
    days = rng.integers(1, 21, n)
    later = np.maximum(_after_working_days(work, response, days, rng), response)
    return np.where(rng.random(n) < 0.33, response, later)


def _add_reviews(rng: np.random.Generator, frame: pd.DataFrame) -> None:
    """About 10% of not or partly upheld complaints ask for a review; most are unchanged."""
    n = len(frame)
    asks = np.isin(frame["outcome"].to_numpy(), [1, 2]) & (rng.random(n) < 0.10)
    # A few days after the decision, in office hours.
    requested = (
        frame["resolved_at"].to_numpy().astype("datetime64[D]") + rng.integers(1, 20, n)
    ).astype("datetime64[m]") + rng.integers(8 * 60, 17 * 60, n).astype("timedelta64[m]")
    decided = requested + rng.integers(3 * 1440, 15 * 1440, n).astype("timedelta64[m]")
    frame["review_requested_at"] = np.where(asks, requested, np.datetime64("NaT"))
    frame["review_decided_at"] = np.where(asks, decided, np.datetime64("NaT"))
    frame["review_outcome"] = np.where(asks, rng.choice(2, n, p=[0.8, 0.2]), -1)


def _add_customers_and_texts(rng: np.random.Generator, frame: pd.DataFrame) -> None:
    """Customer fields; descriptions, a few naming the customer, their phone or e-mail."""
    n = len(frame)
    people = _customers(rng, rng.integers(0, max(50, int(n * 0.8)), n))
    for key, values in people.items():
        frame[key] = _strings(values)
    text = _texts(rng, frame["category"].to_numpy(), frame["subcategory"].to_numpy())
    pick = pa.array(rng.random(n))
    named = pc.binary_join_element_wise(
        text, ". Tôi là ", people["customer_name"], ", SĐT ", people["customer_phone"], ""
    )
    mailed = pc.binary_join_element_wise(text, ". Liên hệ ", people["customer_email"], "")
    # Some clerks paste the customer's letter, line breaks included.
    letter = pc.binary_join_element_wise(text, "\nĐề nghị công ty phản hồi sớm.", "")
    text = pc.if_else(
        pc.less(pick, 0.015),
        named,
        pc.if_else(pc.less(pick, 0.025), mailed, pc.if_else(pc.less(pick, 0.03), letter, text)),
    )
    frame["description"] = _strings(text)


def number_complaints(frame: pd.DataFrame) -> pd.DataFrame:
    """Complaint ids in order of receipt."""
    frame = frame.drop(columns="complaint_id", errors="ignore")
    frame = frame.sort_values("received_at", kind="stable").reset_index(drop=True)
    width = max(6, len(str(len(frame))))
    ids = pc.binary_join_element_wise("KN", _padded(np.arange(1, len(frame) + 1), width), "")
    frame.insert(0, "complaint_id", _strings(ids))
    return frame


def state_at(life: pd.DataFrame, when: dt.datetime) -> pd.DataFrame:
    """The register as exported at ``when``: complaints received by then, in their state then."""
    t = np.datetime64(when, "m")
    snap = life[life["received_at"].to_numpy() <= t].reset_index(drop=True)
    out = {"complaint_id": snap["complaint_id"], "received_at": snap["received_at"]}
    for col in ("first_response_at", "resolved_at", "review_requested_at"):
        values = snap[col].to_numpy()
        out[col] = np.where(values <= t, values, np.datetime64("NaT"))
    decided = ~np.isnat(out["resolved_at"])
    asked = ~np.isnat(out["review_requested_at"])
    review_done = asked & (snap["review_decided_at"].to_numpy() <= t)
    outcome = np.where(decided, snap["outcome"].to_numpy(), len(OUTCOMES))
    review = np.where(review_done, snap["review_outcome"].to_numpy(), np.where(asked, 2, -1))
    status = _status(snap["received_at"].to_numpy(), out, t, outcome, asked, review_done)
    frame = pd.DataFrame(out)
    names = vocab()
    for field in ("channel", "category", "subcategory", "employee_id", "partner_id", "handler_id"):
        frame[field] = _decode(snap[field].to_numpy(), names[field])
    frame["outcome"] = _decode(outcome, names["outcome"])
    frame["review_outcome"] = _decode(review, REVIEW_OUTCOMES)
    frame["status"] = _decode(status, STATUSES)
    for field in (*PERSONAL_FIELDS, "description"):
        frame[field] = snap[field]
    frame["resolution_summary"] = _decode(
        np.where(decided, outcome, -1), [RESOLUTIONS[o] for o in OUTCOMES]
    )
    return frame[REGISTER_FIELDS]


def _status(
    received: np.ndarray,
    ts: dict[str, np.ndarray],
    t: np.datetime64,
    outcome: np.ndarray,
    asked: np.ndarray,
    review_done: np.ndarray,
) -> np.ndarray:
    """Status codes from the timestamps as they stand at ``t``."""
    resolved = ~np.isnat(ts["resolved_at"])
    settled = resolved & (
        (ts["resolved_at"] < t - np.timedelta64(30, "D")) | (outcome == OUTCOMES.index("withdrawn"))
    )
    return np.select(
        [
            review_done,
            asked,
            settled,
            resolved,
            ~np.isnat(ts["first_response_at"]),
            received > t - np.timedelta64(1, "D"),
        ],
        [4, 5, 4, 3, 2, 0],
        default=1,
    )


def generate_register_frame(n: int, seed: int, start: str, end: str) -> pd.DataFrame:
    """``n`` complaints received from ``start`` to ``end`` (ISO dates), as exported at the end
    of ``end``; columns: the canonical register fields."""
    life = register_lifecycle(n, seed, start, end)
    return state_at(life, dt.datetime.fromisoformat(end).replace(hour=23, minute=59))


def write_register_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8 CSV with canonical English headers and ``YYYY-MM-DD HH:MM:SS`` timestamps."""
    path = Path(path)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for i, name in enumerate(table.column_names):
        if pa.types.is_timestamp(table.schema.field(name).type):
            table = table.set_column(i, name, pc.cast(table[name], pa.timestamp("s")))
    pcsv.write_csv(table, path, pcsv.WriteOptions(quoting_style="needed"))
    return path


# ============================================================================ the demo

SHAPES = ["xlsx_vi", "csv_cp1258_vi", "csv_utf8_bom_en", "csv_utf16_tab_vi"]
EXTENSIONS = {
    "xlsx_vi": "xlsx",
    "csv_cp1258_vi": "csv",
    "csv_utf8_bom_en": "csv",
    "csv_utf16_tab_vi": "txt",
}
# Snapshots with a few bad rows (fixed in the next one): not the last, which the review uses.
BAD_SNAPSHOTS = ("2025-03-31", "2025-11-30", "2026-09-30")
# pattern, received, subject field, subject, subcategory, outcome, working days to the first
# answer, calendar days from the answer to the resolution
PLANTS = [
    ("persistent", "2026-06-09 10:20", "unreasonable", "upheld", 2, 8),
    ("persistent", "2026-07-14 14:05", "excessive_contact", "partially_upheld", 2, 8),
    ("persistent", "2026-09-08 09:40", "offensive", "upheld", 1, 9),
    ("persistent", "2026-10-02 11:30", "excessive_contact", "upheld", 2, 9),
    ("serious_conduct", "2026-10-05 09:12", "threat", "upheld", 1, 13),
    ("rising_trend", "2026-06-16 10:00", "unreasonable", "not_upheld", 2, 7),
    ("rising_trend", "2026-07-21 10:30", "offensive", "upheld", 2, 6),
    ("rising_trend", "2026-08-12 15:10", "unreasonable", "partially_upheld", 2, 6),
    ("rising_trend", "2026-09-03 09:05", "offensive", "upheld", 2, 6),
    ("rising_trend", "2026-09-22 14:20", "inappropriate_demand", "upheld", 2, 5),
    ("rising_trend", "2026-10-06 08:50", "unreasonable", "partially_upheld", 2, 6),
    ("rising_trend", "2026-10-13 16:00", "offensive", "upheld", 2, 6),
]
INJECTIONS = [
    "<script>alert(1)</script> Nhân viên gọi điện liên tục",
    '=HYPERLINK("http://example.com/x","Bấm vào đây") Tôi muốn khiếu nại',
]
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _combining(ch: str) -> str:
    """Excel on Vietnamese Windows: a letter cp1258 lacks is its base letter + a combining tone."""
    parts = unicodedata.normalize("NFD", ch)
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    return base + "".join(c for c in parts if c in _TONES)


def cp1258(text: str) -> bytes:
    """Encode as Excel does; one translation per distinct character, not per occurrence."""
    text = unicodedata.normalize("NFC", text)
    table = {}
    for ch in set(text):
        try:
            ch.encode("cp1258")
        except UnicodeEncodeError:
            table[ord(ch)] = _combining(ch)
    return text.translate(table).encode("cp1258")


def export_times(start: str = DEMO_START, end: str = DEMO_END) -> list[dt.datetime]:
    """18:00 on the last day of each month."""
    last_days = (_months(start, end) + 1).astype("datetime64[D]") - 1
    return [dt.datetime.combine(d.astype(dt.date), EXPORT_TIME) for d in last_days]


def _plant(life: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Append the planted complaints; their customers are copied from random complaints."""
    rng = np.random.default_rng(seed + 1)
    work, _ = _working_days(np.datetime64(DEMO_START), np.datetime64(DEMO_END) + 400)
    received = np.array([p[1] for p in PLANTS], dtype="datetime64[m]")
    answer = _after_working_days(work, received, np.array([p[4] for p in PLANTS]), rng)
    donors = life.iloc[rng.integers(0, len(life), len(PLANTS))].reset_index(drop=True)
    rows = donors.copy()
    rows["received_at"] = received
    rows["first_response_at"] = answer
    rows["resolved_at"] = answer + np.array([p[5] for p in PLANTS]).astype("timedelta64[D]")
    rows["channel"] = code("channel", "phone")
    rows["category"] = code("category", "staff_conduct")
    rows["subcategory"] = [code("subcategory", p[2]) for p in PLANTS]
    rows["employee_id"] = [code("employee_id", PLANTED[p[0]]) for p in PLANTS]
    rows["partner_id"] = -1
    rows["handler_id"] = 0  # not the planted slow handler
    rows["outcome"] = [OUTCOMES.index(p[3]) for p in PLANTS]
    rows["review_requested_at"] = np.datetime64("NaT")
    rows["review_decided_at"] = np.datetime64("NaT")
    rows["review_outcome"] = -1
    rows["description"] = _strings([DESCRIPTIONS[p[2]][0] for p in PLANTS])
    rows["plant"] = [p[0] for p in PLANTS]
    life = pd.concat([life.assign(plant=None), rows], ignore_index=True)
    return number_complaints(life)


def _pick_specials(life: pd.DataFrame, seed: int) -> dict[str, str]:
    """The complaints edited between exports, the one that vanishes, and the injection texts:
    ordinary (not planted) complaints of a chosen month."""
    rng = np.random.default_rng(seed + 2)
    month = life["received_at"].to_numpy().astype("datetime64[M]")
    answered_late = (life["first_response_at"] - life["received_at"]).to_numpy() > np.timedelta64(
        2, "D"
    )
    free = life["plant"].isna().to_numpy() & answered_late
    ids = life["complaint_id"].to_numpy()
    chosen: dict[str, str] = {}
    for key, month_text in (
        ("edited_1", "2026-05"),
        ("edited_2", "2026-08"),
        ("vanished", "2025-06"),
        ("script", "2026-10"),
        ("formula", "2026-09"),
    ):
        rows = free & (month == np.datetime64(month_text)) & ~np.isin(ids, list(chosen.values()))
        chosen[key] = str(rng.choice(ids[rows]))
    return chosen


# Until these exports, the edited complaints showed a received_at one day early.
EDITED_UNTIL = {"edited_1": dt.datetime(2026, 9, 30, 18), "edited_2": dt.datetime(2026, 10, 31, 18)}
VANISHED_FROM = dt.datetime(2026, 10, 31, 18)


def _snapshot(life: pd.DataFrame, when: dt.datetime, special: dict[str, str]) -> pd.DataFrame:
    """The export at ``when``, with the register's own history: edits and a vanished row."""
    frame = state_at(life, when)
    for key, until in EDITED_UNTIL.items():
        if when < until:
            rows = frame["complaint_id"] == special[key]
            frame.loc[rows, "received_at"] -= pd.Timedelta(days=1)
    if when >= VANISHED_FROM:
        frame = frame[frame["complaint_id"] != special["vanished"]].reset_index(drop=True)
    return frame


def _bad_rows(
    frame: pd.DataFrame, when: dt.datetime, rng: np.random.Generator, special: dict[str, str]
) -> dict[str, tuple[str, str | None]]:
    """A few rows (well under 1%) a clerk got wrong: an answer before receipt, a date that
    cannot exist. Returns {complaint_id: (field, text)} for the writer; fixed next month."""
    answered = frame["first_response_at"].notna() & ~frame["complaint_id"].isin(
        list(special.values())
    )
    ids = rng.choice(frame.loc[answered, "complaint_id"].to_numpy(), size=6, replace=False)
    bad: dict[str, tuple[str, str | None]] = {}
    for cid in ids[:4]:
        rows = frame["complaint_id"] == cid
        frame.loc[rows, "first_response_at"] = frame.loc[rows, "received_at"] - pd.Timedelta(days=1)
        bad[str(cid)] = ("first_response_at", None)
    for cid in ids[4:]:
        bad[str(cid)] = ("received_at", f"31/02/{when.year} 09:00")
    return bad


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Codes as the Vietnamese labels of the template."""
    out = frame.copy()
    for field, labels in VALUE_LABELS.items():
        if field in out:
            out[field] = out[field].map(labels)
    return out


def _text_cells(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    out = frame.copy()
    for field in TIMESTAMPS:
        out[field] = out[field].dt.strftime(fmt)
    return out


def write_export(frame: pd.DataFrame, path: Path, shape: str, bad: dict | None = None) -> Path:
    """One register export in ``shape``; ``bad`` cells are written as the given text."""
    english = shape.endswith("_en")
    data = frame if english else _labelled(frame)
    if shape.startswith("xlsx"):
        cells = data.astype(object).where(data.notna(), None)
    else:
        fmt = "%Y-%m-%dT%H:%M:%S+07:00" if english else "%d/%m/%Y %H:%M"
        cells = _text_cells(data, fmt).astype(object)
    for cid, (field, text) in (bad or {}).items():
        if text is not None:
            cells.loc[cells["complaint_id"] == cid, field] = text
    headers = REGISTER_FIELDS if english else [TEMPLATES["register"][f] for f in REGISTER_FIELDS]
    cells = cells[REGISTER_FIELDS]
    cells.columns = headers
    if shape.startswith("xlsx"):
        return _write_xlsx(path, cells, "Sổ đăng ký khiếu nại", "dd/mm/yyyy hh:mm")
    sep = "\t" if "tab" in shape else (";" if "cp1258" in shape else ",")
    text = cells.to_csv(sep=sep, index=False, lineterminator="\r\n")
    if "cp1258" in shape:
        path.write_bytes(cp1258(text))
    elif "utf16" in shape:
        path.write_bytes(text.encode("utf-16"))
    else:
        path.write_bytes(text.encode("utf-8-sig"))
    return path


def _write_xlsx(path: Path, cells: pd.DataFrame, sheet_name: str, date_format: str) -> Path:
    """Datetime cells for timestamps; text stays text (no formulas, links or numbers)."""
    book = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": date_format,
        },
    )
    sheet = book.add_worksheet(sheet_name)
    sheet.write_row(0, 0, list(cells.columns))
    for i, row in enumerate(cells.itertuples(index=False), start=1):
        sheet.write_row(
            i, 0, [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row]
        )
    book.close()
    return path


def _write_staff(path: Path) -> str:
    staff = demo_staff()
    cells = staff[list(TEMPLATES["staff"])].astype(object)
    cells = cells.where(staff[list(TEMPLATES["staff"])].notna(), None)
    cells.columns = list(TEMPLATES["staff"].values())
    _write_xlsx(path, cells, "Nhân viên", "dd/mm/yyyy")
    return path.name


def _write_partners(path: Path) -> str:
    partners = demo_partners()[list(TEMPLATES["partners"])].copy()
    for field in ("start_date", "end_date"):
        partners[field] = partners[field].dt.strftime("%d/%m/%Y")
    partners.columns = list(TEMPLATES["partners"].values())
    path.write_bytes(partners.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig"))
    return path.name


def _write_activity(path: Path) -> str:
    activity_frame().to_csv(path, index=False)
    return path.name


def _personal_sample(frame: pd.DataFrame, seed: int) -> list[str]:
    """Personal values written into the last export: customers named in free text first."""
    rng = np.random.default_rng(seed + 4)
    named = frame.index[frame["description"].str.contains("Tôi là|Liên hệ", regex=True)]
    rows = list(named[:8]) + list(rng.choice(frame.index, size=8, replace=False))
    fields = [
        "customer_name",
        "customer_phone",
        "customer_email",
        "customer_national_id",
        "contract_id",
        "customer_id",
    ]
    return sorted({str(frame.at[r, f]) for r in rows for f in fields})


def generate_demo(out_dir: Path, seed: int = 2026) -> dict:
    """Write the demo exports into ``out_dir``; return the manifest (also manifest.json)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    life = _plant(register_lifecycle(DEMO_COMPLAINTS, seed, DEMO_START, DEMO_END), seed)
    special = _pick_specials(life, seed)
    for key, text in zip(("script", "formula"), INJECTIONS, strict=True):
        row = life.index[life["complaint_id"] == special[key]][0]
        life.loc[row, "description"] = text
    files = {
        "staff": _write_staff(out_dir / "staff.xlsx"),
        "partners": _write_partners(out_dir / "partners.csv"),
        "activity": _write_activity(out_dir / "activity.csv"),
    }
    snapshots, last = [], None
    rng = np.random.default_rng(seed + 3)
    for i, when in enumerate(export_times()):
        shape = SHAPES[i % len(SHAPES)]
        frame = _snapshot(life, when, special)
        bad = (
            _bad_rows(frame, when, rng, special) if when.date().isoformat() in BAD_SNAPSHOTS else {}
        )
        path = out_dir / f"register_{when:%Y-%m-%d}.{EXTENSIONS[shape]}"
        write_export(frame, path, shape, bad)
        snapshots.append(
            {
                "file": path.name,
                "exported_at": when.isoformat(),
                "shape": shape,
                "rows": len(frame),
                "bad_rows": sorted(bad),
            }
        )
        last = frame
    manifest = {
        "seed": seed,
        "start": DEMO_START,
        "end": DEMO_END,
        "review_month": REVIEW_MONTH,
        "complaints": len(life),
        "files": {**files, "register": snapshots},
        "planted": dict(PLANTED),
        "planted_complaints": {
            p: life.loc[life["plant"] == p, "complaint_id"].tolist()
            for p in sorted(set(life["plant"].dropna()))
        },
        "anomalies": special,
        "personal_values": _personal_sample(last, seed),
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return manifest
