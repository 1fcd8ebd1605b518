"""No customer personal data in the warehouse: every text column is scanned for the input's
personal values; customer_key is a keyed pseudonym that still recognises repeat complainants."""

from __future__ import annotations

import hashlib
import hmac

from pipelines.ingest.load import load_file
from pipelines.warehouse import connect
from tests.conftest import complaint
from tests.shapes import SHAPES, write_rows

PEOPLE = [
    {"customer_id": "KH-778812", "customer_name": "Phạm Thị Hồng Nhung",
     "customer_phone": "0903 555 812", "customer_email": "hong.nhung88@example.vn",
     "customer_national_id": "079188004512", "contract_id": "HD-2025-00917"},
    {"customer_id": "KH-100200", "customer_name": "Đặng Quốc Bảo",
     "customer_phone": "+84 912 000 345", "customer_email": "qbao@example.com",
     "customer_national_id": "031099887766", "contract_id": "HD-2024-55501"},
]


def rows():
    a, b = PEOPLE
    return [
        complaint("P-1", "2026-02-02 09:00", **a, description=(
            f"Tôi là {a['customer_name']}, SĐT {a['customer_phone']}, email "
            f"{a['customer_email']}, CCCD {a['customer_national_id']} bị gọi lúc 22h")),
        complaint("P-2", "2026-02-03 09:00", **b, resolution_summary=(
            f"Đã gọi lại số 0912000345 và gửi thư tới {b['customer_email']}; CMND 123456789")),
        complaint("P-3", "2026-02-09 09:00", **a),  # the same complainant again
    ]


def all_text(path) -> str:
    with connect(path, read_only=True) as con:
        cols = con.execute("""SELECT table_schema, table_name, column_name FROM
            information_schema.columns WHERE data_type = 'VARCHAR'""").fetchall()
        return "\n".join(str(v[0]) for s, t, c in cols
                         for v in con.execute(f'SELECT "{c}" FROM {s}.{t}').fetchall())


def test_no_personal_value_is_stored_in_any_shape(tmp_path, con, settings):
    for i, shape in enumerate(SHAPES):
        path = write_rows(tmp_path / f"register_2026-02-{10 + i}.{shape[:4]}", rows(), shape)
        load_file(con, path, "register", settings)
    con.close()
    text = all_text(settings.warehouse_path)
    raw = settings.warehouse_path.read_bytes()
    for person in PEOPLE:
        for value in person.values():
            assert value not in text
            assert value.encode() not in raw
    for fragment in ("0912000345", "123456789", "903 555 812"):
        assert fragment not in text


def test_customer_key_is_the_keyed_hmac_and_links_repeat_complainants(tmp_path, con, settings):
    load_file(con, write_rows(tmp_path / "r.csv", rows(), "csv_utf8_en"), "register", settings)
    keys = dict(con.execute("SELECT complaint_id, customer_key FROM core.complaints").fetchall())
    assert keys["P-1"] == keys["P-3"] != keys["P-2"]
    expected = hmac.new(b"test-key-not-secret", b"id:KH-778812", hashlib.sha256).hexdigest()
    assert keys["P-1"] == expected


def test_free_text_is_masked(tmp_path, con, settings):
    load_file(con, write_rows(tmp_path / "r.csv", rows(), "csv_utf8_en"), "register", settings)
    text = con.execute("SELECT description FROM core.complaints WHERE complaint_id = 'P-1'"
                       ).fetchall()[0][0]
    assert text == "Tôi là [tên], SĐT [sđt], email [email], CCCD [số giấy tờ] bị gọi lúc 22h"
