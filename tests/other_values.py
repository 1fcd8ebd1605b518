"""Synthetic identifiers of other people (issue 25), generated from lists and shapes that the
masking rules were not written from: other customers' ids and contracts, licence plates, dates
of birth, social links and handles, passports, e-mails without a top-level domain, phones and
identity numbers with several separators. Every value is made up."""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import strategies as st

# fmt: off
# Held out of masking.py: handles, mail hosts and words around the values.
HANDLES = ["hoangnam_99", "thu.trang.2k", "minhkhoa88", "bich_ngoc", "tuan.anh.vn", "ha_my03"]
HOSTS = ["gmail", "yahoo", "outlook", "hotmail", "icloud"]
PLATE_SERIES = ["A", "B", "C", "D", "E", "F", "G", "H", "K", "L", "M", "N", "P", "S", "T", "X"]
# Free text around the values, unlike tests/personal_values.CONTEXTS; no digits.
CONTEXTS = [
    "Nhân viên tiết lộ {v} cho người không liên quan",
    "Khách cung cấp thêm {v} để đối chiếu hồ sơ",
    "Theo ghi âm cuộc gọi, {v}; đề nghị kiểm tra lại",
    "Người gọi xưng là người quen, nêu {v} rồi đòi tiền",
]
# fmt: on


def _d(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _kinds(rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, how it is typed, what must not survive: digits or a string)."""
    cid, contract = _d(rng, 7), _d(rng, 7)
    year = str(rng.randrange(2018, 2027))
    plate = f"{rng.randrange(11, 99)}{rng.choice(PLATE_SERIES)}"
    p3, p2 = _d(rng, 3), _d(rng, 2)
    day, month = rng.randrange(1, 29), rng.randrange(1, 13)
    born = str(rng.randrange(1940, 2006))
    handle = rng.choice(HANDLES) + _d(rng, 1)
    passport = rng.choice("BCN") + _d(rng, 7)
    local, host = rng.choice(HANDLES).replace("_", "."), rng.choice(HOSTS)
    mobile = rng.choice(["090", "091", "093", "097", "098", "086", "035"]) + _d(rng, 7)
    cccd = rng.choice(["001", "031", "079", "092"]) + rng.choice("0123") + _d(rng, 8)
    return [
        ("customer_id", f"KH{cid}", cid),
        ("customer_id", f"mã khách hàng {cid}", cid),
        ("customer_id", f"Mã KH: {cid}", cid),
        ("contract_id", f"HĐ-{year}-{contract}", contract),
        ("contract_id", f"hợp đồng số {contract}", contract),
        ("contract_id", f"HD{year}{contract}", contract),
        ("plate", f"{plate}-{p3}.{p2}", p3 + p2),
        ("plate", f"biển số {plate} {p3}{p2}", p3 + p2),
        ("plate", f"{plate[:2]}-{plate[2]}{rng.randrange(1, 10)} {p3}.{p2}", p3 + p2),
        ("birth", f"ngày sinh {day:02d}/{month:02d}/{born}", born),
        ("birth", f"sinh năm {born}", born),
        ("birth", f"NS: {day:02d}-{month:02d}-{born}", born),
        ("birth", f"sinh ngày {day}.{month}.{born}", born),
        ("social", f"fb.com/{handle}", handle),
        ("social", f"https://facebook.com/{handle}", handle),
        ("social", f"@{handle}", handle),
        ("passport", f"hộ chiếu số {passport}", passport[1:]),
        ("passport", f"passport {passport}", passport[1:]),
        ("email", f"{local}@{host}", local),
        ("email", f"{local}@{host},com", local),
        ("email", f"{local} at {host} dot com", local),
        ("phone", f"{mobile[:4]} / {mobile[4:7]} / {mobile[7:]}", mobile),
        ("phone", f"{mobile[:3]} . {mobile[3:6]} . {mobile[6:]}", mobile),
        ("national_id", f"{cccd[:3]} {cccd[3:6]} - {cccd[6:9]} {cccd[9:]}", cccd),
        ("national_id", f"{cccd[:6]} - {cccd[6:]}", cccd),
        ("national_id", f"{cccd[:4]}/{cccd[4:8]}/{cccd[8:]}", cccd),
        ("spelt_number", *spelt_number(rng)),
    ]


# Digits read aloud and typed in words, as a call-centre note spells them: every digit's
# spellings (0 is also "linh"/"lẻ" inside a number, 1 "mốt", 4 "tư", 5 "lăm"), written here,
# not taken from masking.DIGIT_WORDS.
SPOKEN = {
    "0": ["không", "linh", "lẻ"], "1": ["một", "mốt"], "2": ["hai"], "3": ["ba"],
    "4": ["bốn", "tư"], "5": ["năm", "lăm"], "6": ["sáu"], "7": ["bảy", "bẩy"], "8": ["tám"],
    "9": ["chín"],
}  # fmt: skip


def spelt_number(rng: random.Random) -> tuple[str, str]:
    """A phone or ID number spelt out in words (with or without tone marks, any case, spaces,
    commas or dashes between groups, sometimes its first digits as digits), and its digits."""
    from tests.personal_values import no_tones

    digits = rng.choice(["09", "03", "08", "07", "0"]) + _d(rng, rng.choice([8, 9, 10]))
    words = [rng.choice(SPOKEN[d]) for d in digits]
    if rng.random() < 0.3:  # the first digits typed as digits, the rest read out: 09 một hai...
        words[:2] = rng.choice([[digits[:2]], list(digits[:2])])
    spelled = ""
    for i, w in enumerate(words):
        spelled += ("" if i == 0 else rng.choice([" ", " ", ", ", " - ", ". "])) + w
    shapes: list[Callable[[str], str]] = [
        str,
        no_tones,
        str.upper,
        lambda t: no_tones(t).upper(),
        str.capitalize,
    ]
    return rng.choice(["sđt ", "số ", "", "gọi số "]) + rng.choice(shapes)(spelled), digits


def spoken_run(masked: str) -> int:
    """The longest run of digit words left in a masked text (under four reads no number)."""
    import re

    from tests.personal_values import no_tones

    spoken = {no_tones(w) for ws in SPOKEN.values() for w in ws}
    longest = run = 0
    for word in re.findall(r"\w+", no_tones(masked).lower()):
        run = run + 1 if word in spoken else 0
        longest = max(longest, run)
    return longest


def other_values(rng: random.Random) -> list[tuple[str, str, str]]:
    return _kinds(rng)


def others() -> st.SearchStrategy[list[tuple[str, str, str]]]:
    """Hypothesis strategy: every kind for one synthetic set of values."""
    return st.integers(0, 2**32 - 1).map(lambda seed: _kinds(random.Random(seed)))


def survives(kind: str, secret: str, masked: str) -> bool:
    """Whether the value can still be read: its digits (six or all, if fewer) for numbers; the
    handle, the passport digits or the mailbox for the others."""
    import re

    if kind == "spelt_number":
        return spoken_run(masked) >= 4
    if kind in ("customer_id", "contract_id", "plate", "phone", "national_id", "birth"):
        digits = re.sub(r"\D", "", masked)
        tail = secret[-6:]
        return tail in digits
    return secret.lower() in masked.lower()


# Clean texts full of street and branch names, brands, money, dates and codes: nothing in them
# names anyone, so every change is a false mask.
# fmt: off
CLEAN = [
    "Khách đến PGD Bà Triệu ngày 12/03/2025 để nộp 1.500.000 đ tiền gốc kỳ 3",
    "Chi nhánh Cô Giang nhận hồ sơ KN-2025-000123, hẹn trả lời trước 20/03/2025",
    "Khách đi taxi Mai Linh đến PGD Trần Hưng Đạo, phí 150.000 đ, đề nghị hoàn",
    "PGD Hai Bà Trưng báo khoản vay 2,5 triệu đã tất toán ngày 2025-03-01",
    "Giao dịch chuyển khoản qua Vietcombank lúc 10:30, mã giao dịch 1234567890123456",
    "Lãi suất 1,5%/tháng, kỳ 12, tổng 15.000.000đ theo phụ lục số 2",
    "Tổng đài 1900 1234 và 1800 588 888 không liên lạc được trong giờ hành chính",
    "Khách phản ánh ứng dụng lỗi OTP khi thanh toán qua MoMo và ZaloPay",
    "Văn phòng quận Ba Đình chuyển hồ sơ sang PGD Lê Lợi trong tháng 3",
    "Nhân viên thu hồi nợ gọi lúc 22h, vi phạm khung giờ theo điều 3.4",
    "Phí phạt 300k không được thông báo trước; đề nghị hoàn 300.000 VND",
    "Cửa hàng Thế Giới Di Động và FPT Shop xác nhận hợp đồng trả góp 0%",
    "Khách dùng thẻ tại Co.opmart và Big C, sao kê tháng 02/2025 sai 2 giao dịch",
    "PGD Nguyễn Trãi chuyển khiếu nại KN-2025-000456 lên hội sở ngày 05/04/2025",
    "Khách đề nghị giảm lãi từ 18%/năm xuống 12%/năm vì khó khăn tài chính",
    "Đã hẹn gặp tại PGD Lý Thường Kiệt lúc 14:00 ngày 07/04/2025",
    "Đối tác Grab và Be phản ánh chậm giải ngân 5.000.000 đ",
    "Khoản vay 50 triệu, thời hạn 24 tháng, trả góp 2.600.000 đ mỗi tháng",
    "Khiếu nại về phí bảo hiểm khoản vay 1.200.000 đ không được tư vấn",
    "Ứng dụng báo lỗi E1023 khi đăng nhập bằng vân tay trên iPhone 13",
    "Chi nhánh Bà Chiểu đã xử lý xong, khách đồng ý với phương án ngày 10/05/2025",
    "Hồ sơ chuyển PGD Phan Đình Phùng; hạn xử lý 7 ngày làm việc theo điều 5.1",
    "Phòng giao dịch Ngô Quyền ghi nhận khách phàn nàn về thái độ bảo vệ",
    "Khách nộp tiền tại Viettel Post, biên lai 2025-04-12, số tiền 3.450.000 đ",
    "Tin nhắn nhắc nợ gửi lúc 06:15 sáng, trước khung giờ cho phép",
    "Khách nói đã thanh toán kỳ 5 và kỳ 6, tổng 5.200.000 đ, hệ thống chưa ghi nhận",
    "Đề nghị kiểm tra lại phí trả nợ trước hạn 3% trên dư nợ 40.000.000 đ",
    "PGD Võ Văn Kiệt báo đã hoàn 450.000 đ vào ngày 15/05/2025",
    "Khách phản ánh ATM tại PGD Đinh Tiên Hoàng nuốt thẻ lúc 19:40",
    "Bảo hiểm Bảo Việt từ chối bồi thường khoản vay, khách khiếu nại lần 2",
    "Khách nhận được 3 cuộc gọi từ tổng đài 1900 6060 trong một ngày",
    "Chương trình ưu đãi Tết 2025 giảm 50% phí hồ sơ, khách không được áp dụng",
    "Khách mua xe Honda Vision tại Head Trần Phú, trả góp 12 tháng",
    "Khiếu nại chuyển từ Ngân hàng Nhà nước ngày 02/06/2025, mã văn bản 123/NHNN",
    "Phí thu hộ 11.000 đ mỗi kỳ qua VNPT Money không được công bố",
    "Đại lý Hoàng Hoa Thám báo khách hủy hợp đồng trong 15 ngày",
    "Chi nhánh Lê Duẩn gửi thư xin lỗi, hoàn phí 200.000 đ",
    "Khách đến PGD Nguyễn Huệ lúc 8:00, chờ 90 phút mới được phục vụ",
    "Khách chuyển tiền qua VNPay QR, giao dịch lỗi, tiền bị trừ 2 lần",
    "Đã gửi email xác nhận và SMS thông báo kết quả ngày 20/06/2025",
]
# fmt: on


# Addresses from streets and units held out of the rules (none is in masking.PLACES); wards and
# districts both current and pre-2025 (Quận Tân Bình, Huyện Nhà Bè were merged away in 2025).
# fmt: off
STREETS = ["Kim Mã", "Nguyễn Chí Thanh", "Cách Mạng Tháng Tám", "Điện Biên Phủ", "Hùng Vương",
           "Bạch Đằng", "Xuân Thủy", "Tôn Đức Thắng", "Hai Bà Trưng", "Lạc Long Quân"]
WARDS = ["Tân Định", "Bến Nghé", "Dịch Vọng", "Phước Kiển", "Thạc Gián", "Vĩnh Trung",
         "Quang Trung", "Yên Hòa"]
DISTRICTS = ["Tân Bình", "Cầu Giấy", "Nhà Bè", "Thanh Khê", "Ninh Kiều", "Gò Vấp"]
PROVINCES = ["Hà Nội", "Đà Nẵng", "Cần Thơ", "Nam Định", "Bình Dương", "Khánh Hòa"]
# fmt: on


def address(rng: random.Random) -> tuple[str, list[str]]:
    """An address as staff type it, and the parts that must not survive (the house number and
    the street or the lowest unit)."""
    n, m, k = rng.randrange(2, 400), rng.randrange(2, 90), rng.randrange(1, 13)
    street, ward = rng.choice(STREETS), rng.choice(WARDS)
    district, province = rng.choice(DISTRICTS), rng.choice(PROVINCES)
    shapes = [
        (f"số {n} ngõ {m} phố {street}, phường {ward}, quận {district}", [f"ngõ {m}", ward]),
        (f"{n}/{m} {street}, P. {ward}, Q.{k}", [f"{n}/{m}", street]),
        (f"hẻm {n} {street}, phường {ward}, {district}, {province}", [f"hẻm {n}", ward]),
        (f"kiệt {m} {street}, TP {province}", [f"kiệt {m}", street]),
        (f"thôn Đồng Tâm, xã {ward}, huyện {district}, tỉnh {province}", ["Đồng Tâm", ward]),
        (f"nhà {n} đường {street}, P.{k}, Q. {district}", [f"{n} đường", street]),
        (f"{n} {street}, phường {ward}, {province}", [f"{n} {street}", ward]),
    ]
    return rng.choice(shapes)


def addresses() -> st.SearchStrategy[tuple[str, list[str]]]:
    return st.integers(0, 2**32 - 1).map(lambda seed: address(random.Random(seed)))


# Words that say where someone lives or is, before a street alone (held out: the rules list
# their own).
WHERE = ["ở", "tại", "nhà ở", "địa chỉ", "địa chỉ:", "đ/c", "nhà"]


def weak_address(rng: random.Random) -> tuple[str, list[str]]:
    """An address with no alley, unit or slashed house number (issue 25's 'no strong part'): a
    house number before a street then a province or ward, or a street alone after a word that
    says someone lives or is there; and the street, which must not survive."""
    n, street = rng.randrange(2, 400), rng.choice(STREETS)
    place = rng.choice([*PROVINCES, *WARDS])
    word = rng.choice(["đường", "phố", "Đường", "Phố"])
    shapes = [
        f"{n} {street}, {place}",
        f"{n}{rng.choice('ABC')} {street}, {place}",
        f"{rng.choice(WHERE)} {word} {street}",
        f"{rng.choice(WHERE)} {n} {word} {street}",
    ]
    return rng.choice(shapes), [street]


def weak_addresses() -> st.SearchStrategy[tuple[str, list[str]]]:
    return st.integers(0, 2**32 - 1).map(lambda seed: weak_address(random.Random(seed)))


# Names without a form of address (issue 25). Family names held out of masking.py's lists,
# and given names none of the rules lists: only the shape can find them.
HELD_OUT_FAMILIES = ["Ôn", "Hàn", "Mã", "Sầm", "Lăng", "Phí", "Tào", "Đới"]
LISTED_FAMILIES = ["Nguyễn", "Trần", "Phạm", "Bùi", "Lã", "Nghiêm", "Mai", "Đỗ"]
GIVEN = ["Hương", "Tuấn", "Lợi", "Tèo", "Nhàn", "Khuê", "Thoa", "Lụa", "Quyết", "Xuyến"]
MIDDLE = ["Thị", "Văn", "Đức", "Ngọc", "Thanh", "Hữu"]
LOWER_OK = ["Nguyễn", "Trần", "Phạm", "Bùi", "Lê", "Nghiêm"]


def name_shapes(rng: random.Random) -> list[tuple[str, str, str]]:
    """(shape, how it is typed, the given name that must not survive)."""
    from tests.personal_values import no_tones

    given = rng.choice(GIVEN)
    held, listed = rng.choice(HELD_OUT_FAMILIES), rng.choice(LISTED_FAMILIES)
    mark = rng.choice(["Thị", "Văn"])
    marked = f"{held} {mark} {given}"
    full = f"{listed} {rng.choice(MIDDLE)} {given}"
    lower = rng.choice(LOWER_OK)
    return [
        ("marked, held-out family", marked, given),
        ("marked, capitals", marked.upper(), given.upper()),
        ("marked, capitals without tone marks", no_tones(marked).upper(), no_tones(given).upper()),
        ("after a lead-in", f"người nhà là {full}", given),
        ("after a lead-in, capitals", f"chủ TK {full.upper()}", given.upper()),
        ("after a colon", f"KH: {full.upper()}", given.upper()),
        ("given name first", f"tên {given} {listed}", given),
        # (only family names that are no everyday word without their tone marks)
        ("lower case without tone marks", no_tones(f"{lower} {mark} {given}").lower(),
         no_tones(given).lower()),
    ]  # fmt: skip


# A given name alone in lower case after a form of address (issue 25): names from the tests'
# own lists (personal_values.GIVENS, common; GIVEN above, rarer), never masking's; the words
# that follow a person in a note, written here; and everyday phrases a form of address begins,
# which hold no name.
AFTER = ["gọi", "nói", "đã", "hỏi", "có", "bảo", "không", ",", ".", ""]
EVERYDAY = ["anh ấy gọi lại", "chị em đã đến", "anh chị có hỏi", "bà con nói", "cô ấy không",
            "anh em đã gọi", "em ấy nói", "anh tư vấn sai", "chị hằng ngày gọi", "anh năm nay",
            "ông bà đã trả", "con cái có", "bạn bè nói", "anh hai lần gọi", "chị ba tháng nay",
            "khách hàng an tâm", "chị hoa mắt", "cô chú đã", "anh chi co goi",
            "bác sĩ nói"]  # fmt: skip


def lower_given_name(rng: random.Random) -> tuple[str, str]:
    """(how it is typed, the given name that must not survive), e.g. "chị lan gọi"."""
    from tests.personal_values import FORMS, GIVENS, no_tones

    given = rng.choice([*GIVENS, *GIVEN]).lower()
    if rng.random() < 0.3:
        given = no_tones(given)
    after = rng.choice(AFTER)
    sep = "" if after in (",", ".", "") else " "
    return f"{rng.choice(FORMS)} {given}{sep}{after}", given


def given_first(rng: random.Random, common: bool) -> tuple[str, str]:
    """A name written given name first, with no lead-in (Tuấn Phạm gọi), from the tests' common
    lists (personal_values.GIVENS, THIRD_FAMILIES) or the rarer ones above; and the given name,
    which must not survive."""
    from tests.personal_values import GIVENS, THIRD_FAMILIES

    given = rng.choice(GIVENS if common else GIVEN)
    family = rng.choice(THIRD_FAMILIES if common else [*HELD_OUT_FAMILIES, *LISTED_FAMILIES])
    typed = f"{given} {family}"
    return (typed.upper() if rng.random() < 0.3 else typed) + " gọi lại", given


# Districts and wards before July 2025 standing alone (issue 25, round three), written here from
# memory of Hà Nội's, Đà Nẵng's, Hải Phòng's, Cần Thơ's and Hồ Chí Minh City's units, not taken
# from the vendored list the rule reads (pipelines/ingest/former_units.txt).
# fmt: off
FORMER_DISTRICTS = ["Tân Bình", "Gò Vấp", "Cầu Giấy", "Bình Thạnh", "Phú Nhuận", "Đống Đa",
                    "Thanh Xuân", "Long Biên", "Hoàng Mai", "Sơn Trà", "Hải Châu",
                    "Ngũ Hành Sơn", "Lê Chân", "Ninh Kiều", "Bình Tân", "Thủ Đức", "Hà Đông",
                    "Tây Hồ", "Cẩm Lệ", "Liên Chiểu", "Hoàn Kiếm", "Nam Từ Liêm"]
FORMER_WARDS = ["Bến Nghé", "Đa Kao", "Phạm Ngũ Lão", "Láng Hạ", "Trung Hòa", "Nghĩa Đô",
                "Quan Hoa", "Mai Dịch", "Thảo Điền", "Hòa Cường Bắc", "Thạch Thang", "Cống Vị"]
# Words saying someone lives or is there, as staff write them (held out: the rule lists its own).
LIVES_THERE = ["quê ở", "nhà ở", "sống tại", "thường trú tại", "hiện đang ở", "địa chỉ:",
               "tạm trú ở", "nhà riêng ở", "đang sống ở", "trú tại số {n}", "ở số {n}"]
# Branches, offices and landmarks named after a unit: no one's home, kept readable.
BRANCH_OF = ["PGD {u}", "chi nhánh {u}", "chi nhánh ở {u}", "phòng giao dịch tại {u}",
             "văn phòng tại {u}", "cây ATM ở {u}"]
# fmt: on


def lone_unit(rng: random.Random) -> tuple[str, str, str]:
    """(kind, how it is typed, the unit that must not survive): a pre-2025 district or ward
    alone after a word saying someone lives there, 30% without tone marks."""
    from tests.personal_values import no_tones

    kind = rng.choice(["district", "ward"])
    unit = rng.choice(FORMER_DISTRICTS if kind == "district" else FORMER_WARDS)
    typed = rng.choice(LIVES_THERE).format(n=rng.randrange(2, 400)) + " " + unit
    if rng.random() < 0.3:
        typed, unit = no_tones(typed), no_tones(unit)
    return kind, typed, unit


def branch_of_unit(rng: random.Random) -> tuple[str, str]:
    """A branch or office named after a pre-2025 district or ward, and that name."""
    unit = rng.choice([*FORMER_DISTRICTS, *FORMER_WARDS])
    return rng.choice(BRANCH_OF).format(u=unit), unit


# Numbers read aloud with tens (issue 25, round three): a phone number's first digits one by
# one, then pairs read as numbers (65: "sáu mươi lăm", 91: "chín mươi mốt", 10: "mười", 15:
# "mười lăm", 24: "hai mươi tư"), written here, not taken from masking.DIGIT_WORDS.
UNITS_READ = {"1": "một", "2": "hai", "3": "ba", "4": "bốn", "5": "năm", "6": "sáu", "7": "bảy",
              "8": "tám", "9": "chín"}  # fmt: skip
AFTER_TENS = {"1": "mốt", "4": "tư", "5": "lăm"}  # 21: hai mươi mốt, 24: hai mươi tư, 25: lăm


def read_pair(pair: str) -> str:
    """Two digits as said in a phone number read in pairs (04 is read digit by digit)."""
    tens, unit = pair[0], pair[1]
    if tens == "0":
        return f"không {UNITS_READ.get(unit, 'không')}"
    head = "mười" if tens == "1" else f"{UNITS_READ[tens]} mươi"
    if unit == "0":
        return head
    tail = (
        "lăm"
        if unit == "5"
        else AFTER_TENS.get(unit, UNITS_READ[unit])
        if tens != "1"
        else (UNITS_READ[unit])
    )
    return f"{head} {tail}"


def spelt_with_tens(rng: random.Random) -> tuple[str, str]:
    """A phone number read with tens (không chín tám bảy, sáu mươi lăm, bốn mươi hai...), 30%
    without tone marks, and its digits."""
    from tests.personal_values import no_tones

    digits = rng.choice(["09", "03", "08", "07"]) + _d(rng, 8)
    head = " ".join(UNITS_READ.get(d, "không") for d in digits[:4])
    pairs = [read_pair(digits[i : i + 2]) for i in range(4, 10, 2)]
    typed = head + "".join(rng.choice([", ", " ", " - "]) + p for p in pairs)
    if rng.random() < 0.3:
        typed = no_tones(typed)
    return rng.choice(["sđt ", "số ", "", "gọi số "]) + typed, digits


# Money and counts in words with tens: an amount, never a phone (kept readable).
MONEY_WORDS = ["một trăm hai mươi ba nghìn đồng", "năm mươi triệu", "hai mươi lăm nghìn",
               "ba mươi phần trăm", "chín mươi chín nghìn chín trăm đồng",
               "một tỷ hai trăm năm mươi triệu đồng", "hai mươi bốn tháng",
               "bốn mươi lăm, năm mươi, sáu mươi triệu", "mười lăm ngày",
               "sáu mươi lăm nghìn, bảy mươi tám nghìn, chín mươi mốt nghìn đồng",
               "hai mươi năm", "ba mươi mốt tuổi"]  # fmt: skip


# The row's own given name glued to punctuation (issue 25, round three): how staff quote it.
GLUED = [
    "({g})",
    '"{g}"',
    "“{g}”",
    "{g},",
    "{g}.",
    "({g} gọi lại)",
    "«{g}»",
    "[{g}]",
    "{g}:",
    "Khách {g}, gọi lại",
]
# ... and where the same word is no one's name: in a place's or a street's name, or a word.
NOT_GLUED_NAME = ["cầu Sông {g}, gần chợ", "(đường {g} Bàng)", "(Sông {g})", "màu {lower},"]


# A lower-case given name before a verb of action (issue 25, round three): bà tư bán vé số,
# chị lan mua bảo hiểm; and everyday phrases with the same verbs that hold no name.
ACTION_AFTER = ["bán vé số", "mua bảo hiểm", "đi cùng", "ký giấy", "gửi tiền", "chuyển khoản",
                "lấy thẻ", "mượn tiền", "đưa giấy tờ", "nộp tiền", "đòi nợ", "hẹn gặp",
                "kêu gọi", "làm chứng"]  # fmt: skip
EVERYDAY_ACTION = ["chị em mua chung", "anh ấy bán hàng", "bà con đi chợ", "cô giáo ký tên",
                   "anh chị gửi lại", "ông bà làm ruộng", "con cái đi học", "bạn bè mượn tiền",
                   "anh em đòi nợ", "cô ấy hẹn gặp", "chị hằng ngày đi làm", "anh tư vấn làm",
                   "khách hàng an tâm gửi tiền", "anh hai lần đi", "em bé đi học",
                   "chị thu mua lúa", "anh chị em đi làm"]  # fmt: skip


def lower_given_before_action(rng: random.Random) -> tuple[str, str]:
    """(how it is typed, the given name that must not survive), e.g. "bà tư bán vé số"."""
    from tests.personal_values import FORMS, GIVENS, no_tones

    given = rng.choice(GIVENS).lower()
    if rng.random() < 0.3:
        given = no_tones(given)
    return f"{rng.choice(FORMS)} {given} {rng.choice(ACTION_AFTER)}", given


# A lower-case given name before where the person lives (chị lan bên cạnh), and the same words
# after an ordinal or no name (hai bên, chị em bên cạnh), which stay readable.
WHERE_AFTER = ["bên cạnh", "hàng xóm", "kế bên", "nhà bên"]
EVERYDAY_WHERE = ["anh chị hai bên đã ký", "chị em bên cạnh", "bà con hàng xóm", "anh ấy kế bên",
                  "cô ba bên", "chị hai bên cạnh nhà", "anh em nhà bên"]  # fmt: skip


def lower_given_neighbour(rng: random.Random) -> tuple[str, str]:
    """(how it is typed, the given name that must not survive): "chị lan bên cạnh"."""
    from tests.personal_values import FORMS, GIVENS, no_tones

    given = rng.choice(GIVENS).lower()
    if rng.random() < 0.3:
        given = no_tones(given)
    return f"{rng.choice(FORMS)} {given} {rng.choice(WHERE_AFTER)}", given
