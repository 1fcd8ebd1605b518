"""Synthetic Vietnamese people and the ways staff type their personal data into free text.

Every value is made up: names from common syllables, phones under the mobile and landline
prefixes of the Vietnamese numbering plan, 12-digit CCCD and 9-digit CMND numbers, bank
accounts and cards of 9-19 digits. ``spellings`` lists each value in every spelling the
masking must catch (issue 12): brackets, dots, dashes, Unicode spaces, glued to a word, upper
and lower case, without tone marks, doubled spaces, given name after a form of address.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from hypothesis import strategies as st

# fmt: off
FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trịnh", "Trương", "Đinh", "Mai"]
MIDDLES = ["Thị", "Văn", "Hữu", "Đức", "Minh", "Quốc", "Ngọc", "Thanh", "Xuân", "Bảo"]
GIVENS = ["Hồng", "Đức", "Lan", "Hùng", "Nhung", "Bảo", "Dũng", "Hạnh", "Khánh", "Phương",
          "Thảo", "Tuấn", "Quỳnh", "Sơn", "Trang", "Vy", "Hiếu", "Nga", "Thắng", "Yến"]
MOBILE = ["086", "088", "090", "091", "093", "094", "096", "097", "098", "032", "035", "038",
          "039", "070", "077", "079", "081", "083", "085", "056", "058"]
LANDLINE = ["0283", "0286", "0243", "0246", "0236"]
# Third parties named after a form of address (only common family names are promised).
FORMS = ["bà", "ông", "anh", "chị", "em", "cô", "chú", "mẹ", "bố", "bác", "dì", "vợ", "chồng"]
THIRD_FAMILIES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi",
                  "Ngô", "Trịnh", "Trương", "Đinh", "Vũ", "Dương", "Lý", "Mai", "Hồ", "Đỗ"]
LOWER_CASE_OK = {"Nguyễn", "Trần", "Phạm", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Ngô", "Trịnh",
                 "Trương", "Đinh", "Lê", "Hoàng"}
NO_TONES_OK = {"Nguyễn", "Trần", "Phạm", "Huỳnh", "Phan", "Bùi"}
# fmt: on


def no_tones(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _groups(digits: str, size: int, sep: str) -> str:
    return sep.join(digits[i : i + size] for i in range(0, len(digits), size))


@dataclass(frozen=True)
class Person:
    family: str
    middle: str
    given: str
    mobile: str  # 10 digits, 0 first
    landline: str  # 11 digits, 02 first
    cccd: str
    cmnd: str
    account: str
    card: str
    customer_id: str
    contract_id: str
    email: str
    relative: str  # a third party's full name
    relative_form: str

    @property
    def name(self) -> str:
        return f"{self.family} {self.middle} {self.given}"

    def row(self) -> dict:
        """The register's personal columns for this person."""
        return {
            "customer_id": self.customer_id,
            "customer_name": self.name,
            "customer_phone": self.mobile,
            "customer_email": self.email,
            "customer_national_id": self.cccd,
            "contract_id": self.contract_id,
        }


def person(rng: random.Random) -> Person:
    family, middle, given = rng.choice(FAMILIES), rng.choice(MIDDLES), rng.choice(GIVENS)
    number = rng.randrange(10**6, 10**7)
    province = rng.choice(["001", "031", "048", "079", "092"])
    relative = f"{rng.choice(THIRD_FAMILIES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"
    return Person(
        family,
        middle,
        given,
        mobile=rng.choice(MOBILE) + _digits(rng, 7),
        landline=rng.choice(LANDLINE) + _digits(rng, 7),
        cccd=province + rng.choice("0123") + _digits(rng, 8),
        cmnd=rng.choice("0123") + _digits(rng, 8),
        account=rng.choice("123456789") + _digits(rng, rng.randrange(8, 19)),
        card=rng.choice("45") + _digits(rng, 15),
        customer_id=f"KH-{number:07d}",
        contract_id=f"HD-{rng.randrange(2019, 2027)}-{rng.randrange(1, 10**6):06d}",
        email=f"{no_tones(given).lower()}.{no_tones(family).lower()}{number % 1000}@example.vn",
        relative=relative,
        relative_form=rng.choice(FORMS),
    )


def people() -> st.SearchStrategy[Person]:
    """Hypothesis strategy: one synthetic person per example (shrinks through the seed)."""
    return st.integers(0, 2**32 - 1).map(lambda seed: person(random.Random(seed)))


def spellings(p: Person) -> list[tuple[str, str, str]]:
    """(kind, how it is typed, the value that must not survive) for every spelling."""
    # fmt: off
    m, land = p.mobile, p.landline
    local = m[1:]
    nbsp, thin = "\u00a0", "\u202f"
    out = [("phone", s, m) for s in (
        m, f"{m[:4]} {m[4:7]} {m[7:]}", f"{m[:4]}.{m[4:7]}.{m[7:]}", f"{m[:4]}-{m[4:7]}-{m[7:]}",
        f"(+84) {local[:3]} {local[3:6]} {local[6:]}", f"+84 {local[:3]} {local[3:6]} {local[6:]}",
        f"+84{local}", f"84{local}", f"{m[:4]}{nbsp}{m[4:7]}{nbsp}{m[7:]}",
        f"{m[:4]}{thin}{m[4:7]}{thin}{m[7:]}", f"sđt{m}", f"SĐT:{m}", f"đt{m}")]
    out += [("landline", s, land) for s in (
        f"({land[:3]}) {land[3:7]} {land[7:]}", f"{land[:3]} {land[3:7]} {land[7:]}",
        f"{land[:3]}.{land[3:7]}.{land[7:]}", f"(+84) {land[1:3]} {land[3:7]} {land[7:]}")]
    c = p.cccd
    out += [("national_id", s, c) for s in (
        c, _groups(c, 4, " "), _groups(c, 3, " "), _groups(c, 3, "."), _groups(c, 3, "-"),
        f"CCCD{c}", f"CCCD: {_groups(c, 4, ' ')}", f"số giấy tờ {c}")]
    n = p.cmnd
    out += [("national_id", s, n) for s in (
        n, _groups(n, 3, " "), f"CMND {_groups(n, 3, '.')}", _groups(n, 3, "-"))]
    a, card = p.account, p.card
    out += [("account", s, a) for s in (
        f"STK {_groups(a, 4, ' ')}", f"số tài khoản: {a}", f"stk{a}", _groups(a, 4, "-"),
        f"tài khoản {_groups(a, 3, '.')}")]
    out += [("account", s, card) for s in (f"thẻ {_groups(card, 4, ' ')}", _groups(card, 4, "-"))]
    name = p.name
    out += [("name", s, name) for s in (
        name, name.upper(), name.lower(), no_tones(name), no_tones(name).lower(),
        name.replace(" ", "  "), name.replace(" ", nbsp), f"KH {name.upper()}")]
    out += [("name", s, f"chị {p.given}") for s in (
        f"chị {p.given}", f"Chị {p.given.upper()}", f"chi {no_tones(p.given).lower()}",
        f"anh {p.given}", f"bà {p.given.lower()}")]
    cid, contract = p.customer_id, p.contract_id
    out += [("customer_id", s, cid) for s in (
        cid, cid.lower(), cid.replace("-", " "), cid.replace("-", ""))]
    out += [("contract_id", s, contract) for s in (
        contract, contract.lower(), contract.replace("-", " "), contract.replace("HD", "HĐ"),
        contract.replace("-", "/"))]
    local, domain = p.email.split("@")
    out += [("email", s, p.email) for s in (
        p.email, p.email.upper(), f"{local} @ {domain}", f"{local}[at]{domain}",
        f"{local} (at) {domain.replace('.', ' (dot) ')}",
        f"{local} [at] {domain.replace('.', '[dot]')}",
        f"{local} a còng {domain.replace('.', ' chấm ')}",
        f"{local.upper()} A CÒNG {domain.upper()}")]
    family = p.relative.split()[0]
    rel = p.relative
    typed = [rel, rel.upper()]
    if family in LOWER_CASE_OK:
        typed.append(rel.lower())
    if family in NO_TONES_OK:
        typed.append(no_tones(rel).lower())
    out += [("third_party", f"{p.relative_form} {s}", rel) for s in typed]
    # fmt: on
    return out


# Free text around the planted values: no digits, so a surviving digit run is a planted one.
CONTEXTS = [
    "Khách hàng phản ánh nhân viên gọi tới {v} nhiều lần trong ngày",
    "Đã liên hệ lại qua {v}; khách đồng ý với phương án",
    "Người thân ({v}) bị làm phiền vì khoản vay",
    "{v} là thông tin khách cung cấp khi gọi tổng đài",
    "Ghi chú: {v}. Đề nghị xử lý sớm",
]

# Text that must stay readable: amounts, dates, times, complaint ids, hotlines, percentages.
# fmt: off
READABLE = ["1.500.000 đ", "2,5 triệu", "150.000.000", "1.500.000.000 VND", "15.000.000đ",
            "300k", "12/03/2025", "17.12.2025", "2025-03-01", "10:30", "22h", "KN000123",
            "KN-2025-000123", "1900 1234", "1800 588 888", "lãi 1,5%/tháng", "kỳ 12", "ngày 5"]
# fmt: on
