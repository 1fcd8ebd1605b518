"""Personal data in free text, masked before storage (clauses 3.3, 4.6; Law 91/2025).

Staging calls the SQL macro ``mask_pii`` (macros.sql). A cheap SQL prefilter there selects the
texts that can hold personal data (a run of digits, an '@', a form of address before a family
name, the row's own given name or id digits); only those reach ``mask_batch``, a vectorised
DuckDB UDF that masks each distinct (text, row identifiers) once:

- e-mail addresses -> ``[email]``;
- phone numbers found by Google's libphonenumber (region VN, any brackets, dots, dashes or
  Unicode spaces), plus digits glued to a word (``sđt0912345681``) that libphonenumber reads
  as a valid VN number -> ``[sđt]``; hotlines (1800/1900) stay readable;
- 6-19 digits after a lead-in (CCCD, CMND, số giấy tờ, STK, số tài khoản, thẻ) and any other
  run of 9-19 digits in any grouping -> ``[số giấy tờ]`` (9 or 12 digits) or ``[số tài
  khoản]``; money (``1.500.000 đ``, ``150.000.000``, ``2,5 triệu``), dates and codes such as
  complaint ids (digits after letters) stay readable;
- the row's own name, phone, e-mail, national id, customer id and contract id, wherever they
  occur, case-, tone-mark- and spacing-insensitively, and its given name after a form of
  address (``chị Hồng``) -> ``[tên]``, ``[sđt]``, ``[email]``, ``[số giấy tờ]``,
  ``[mã khách hàng]``, ``[số hợp đồng]``;
- other people's names after a form of address (``bà``, ``anh``, ``mẹ``...) that begin with a
  common Vietnamese family name, and any capitalised given name after one (``chị Lan``,
  ``KH: TRẦN VĂN LỢI``) -> ``[tên]``, except streets, places and brands (``PLACES``);
- other customers' ids and contracts, licence plates, dates of birth after a lead-in, social
  links and handles, passports, loosely typed e-mails, phones and identity numbers with several
  separators -> ``[mã khách hàng]``, ``[số hợp đồng]``, ``[biển số xe]``, ``[ngày sinh]``,
  ``[mạng xã hội]``, ``[số giấy tờ]``, ``[email]``, ``[sđt]``; a transaction reference after
  its lead-in stays readable unless it is a card number (Luhn).
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import overload

import duckdb
import pyarrow as pa
from duckdb.func import FunctionNullHandling, PythonUDFType

from pipelines.ingest.addresses import (
    LIVES,
    UPPER,
    addresses,
    alternation,
    may_lead_unit,
    unit_name_set,
)
from pipelines.ingest.given_names import GIVEN_SYLLABLES
from pipelines.ingest.phones import Matcher, is_valid_vn

# fmt: off
NAME, PHONE, EMAIL = "[tên]", "[sđt]", "[email]"
ID_NUMBER, ACCOUNT, CUSTOMER_ID, CONTRACT = (
    "[số giấy tờ]", "[số tài khoản]", "[mã khách hàng]", "[số hợp đồng]")

PLATE, BIRTH, SOCIAL = "[biển số xe]", "[ngày sinh]", "[mạng xã hội]"

# Forms of address and kinship terms that precede a person's name.
FORMS = ("anh trai", "chị gái", "em trai", "em gái", "con trai", "con gái", "bà", "ông", "anh",
         "chị", "em", "cô", "chú", "bác", "dì", "cậu", "mợ", "thím", "mẹ", "bố", "ba", "má",
         "cha", "con", "cháu", "vợ", "chồng", "bạn", "cụ", "khách hàng", "kh")
# Common family names that are not everyday words either: matched in any case, and also
# without tone marks where the bare spelling is no other word.
FAMILY_SAFE = ("Nguyễn", "Trần", "Phạm", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Ngô", "Trịnh",
               "Trương", "Phùng", "Quách", "Đinh", "Vương", "Hoàng", "Lê")
FAMILY_TONELESS = ("nguyen", "tran", "pham", "huynh", "phan", "bui", "quach", "phung")
# Family names that are also common words (mai: tomorrow, tăng: increase, từ: from, lương:
# salary, ...): only when capitalised, as names are written.
FAMILY_WORDS = ("Đỗ", "Vũ", "Dương", "Lý", "Đào", "Đoàn", "Lâm", "Mai", "Tô", "Hà", "Tạ", "Chu",
                "Cao", "Lương", "Thái", "Lưu", "Kiều", "Châu", "Hứa", "Triệu", "Mạc", "Tăng", "Từ",
                "Hồ", "Văn", "Tống", "Lạc", "Khúc", "Diệp", "Doãn", "Giang", "Âu", "La", "Lục",
                "Ninh")
# Streets, places and brands that begin with a form of address or a family name and look like
# a name (PGD Bà Triệu, quận Hai Bà Trưng, taxi Mai Linh): kept readable. Matched as written
# (any case) or without tone marks, never folded against a text with tone marks: "Ba Đình"
# (a district) is not "bà Đinh" (a person).
PLACES = ("Bà Triệu", "Cô Giang", "Cô Bắc", "Bà Huyện Thanh Quan", "Hai Bà Trưng", "Bà Rịa",
          "Bà Chiểu", "Bà Điểm", "Bà Hom", "Bà Quẹo", "Bà Đen", "Ông Ích Khiêm", "Ông Lãnh",
          "Cô Tô", "Ba Vì", "Ba Đình", "Bà Nà", "Ba Bể", "Bà Hạt", "Ba Tri", "Ba Tơ",
          "Ông Đốc", "Ba La", "Mai Linh", "Mai Hắc Đế", "Lê Lợi", "Lê Duẩn", "Lê Lai",
          "Lê Thánh Tôn", "Lê Văn Sỹ", "Trần Hưng Đạo", "Nguyễn Huệ", "Nguyễn Trãi",
          "Lý Thường Kiệt", "Lý Thái Tổ", "Hồ Tùng Mậu", "Đinh Tiên Hoàng", "Ngô Quyền",
          "Phan Đình Phùng", "Võ Văn Kiệt", "Trường Chinh", "Đặng Văn Ngữ", "Hoàng Hoa Thám",
          "Trần Phú", "Phạm Văn Đồng", "Hồ Chí Minh", "Mai Chí Thọ", "Lý Tự Trọng",
          "Ngô Gia Tự", "Phan Chu Trinh", "Trần Quốc Toản", "Nguyễn Văn Cừ",
          "Nguyễn Thị Minh Khai", "Võ Thị Sáu")
# Family names beyond the common ones above, for names after a lead-in ("tên", "là", "chủ
# TK"). Compiled by hand for this project (no maintained list on PyPI was found in time).
FAMILY_RARE = ("Lã", "Nghiêm", "Khổng", "Thân", "Lò", "Quàng", "Hầu", "Giáp", "Bế", "Nông",
               "Kha", "Tôn", "Ứng", "Thạch", "Viên", "Bạch", "Phó", "Lại", "Đàm", "Mẫn",
               "Khương", "Tiêu", "Cù", "Nhữ", "Ngụy", "Trình", "Đồng", "Vi", "Hoàng", "Lục")
# Family names, written without tone marks, that are no everyday word either (vo, dang, mai
# are: "vo van", "dang van" read "vô vàn", "đang vẫn"): with thi/van after them in lower case.
LOWER_FAMILIES_EXTRA = ("le", "hoang", "trinh", "truong", "nghiem", "vuong")
# The middle names that mark a Vietnamese full name wherever it stands: X Thị Y, X Văn Y.
MIDDLE_MARKS = ("Thị", "Văn")
# Lead-ins after which two to four capitalised words (one of them a family name, in either
# order) are a person: "người nhà là Phạm Thị Hương", "chủ TK Mai Văn Tuấn", "tên Tuấn Phạm".
NAME_LEADS = ("họ và tên", "họ tên", "tên là", "tên", "là", "chủ tài khoản", "chủ tk", "chủ thẻ",
              "người nhà", "người thân", "nhờ")
# Capitalised words after a form of address that are not names: acronyms and brands.
NOT_NAMES = ("KH", "NV", "AI", "IT", "CSKH", "VIP", "OTP", "ATM", "QR", "App", "Web", "Zalo",
             "Facebook", "Bank", "Ngân", "Tôi", "Em", "Anh", "Chị")
# Words that end a lower-case name (verbs and particles that follow a name).
_STOP = {"gọi", "nói", "đã", "đang", "sẽ", "là", "và", "có", "không", "bị", "được", "đến", "tới",
         "nhắn", "hỏi", "yêu", "cầu", "nhận", "trả", "vay", "nợ", "của", "cho", "với", "ở", "tại",
         "thì", "mà", "nhưng", "rồi", "cũng", "vẫn", "chưa", "ra", "vào", "lên", "xuống", "về",
         "đi", "để", "khi", "lúc", "sau", "trước", "rằng", "nay", "hôm", "ơi", "ạ", "nhé", "này",
         "đó"}
# fmt: on

# Zero-width spaces hide inside numbers; joiners (emoji sequences) stay.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
_SPACE = re.compile(r"[^\S\n]")  # any Unicode space (NBSP, thin, ideographic...) but a newline
_ODD = re.compile(r"[^\S\n ]|[\u200b\u2060\ufeff]")  # a space but a plain one, or a zero-width


def _fold_char(c: str) -> str:
    base = unicodedata.normalize("NFD", c)[0].lower()
    return "d" if base in "đ" else base


# Folding keeps the length (one character for one), so a match in the folded text is the same
# span of the original.
_FOLD = {
    cp: f
    for cp in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]
    if len(f := _fold_char(chr(cp))) == 1 and f != chr(cp)
}


def _no_marks(text: str) -> str:
    """Without tone marks, case kept (Bà Triệu -> Ba Trieu)."""
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def _spellings(words: Iterable[str]) -> str:
    """A regex alternation of each word as typed: title case, capitals, and both without tone
    marks (Phạm|PHẠM|Pham|PHAM)."""
    return "|".join(f"{w}|{w.upper()}|{_no_marks(w)}|{_no_marks(w).upper()}" for w in words)


def normalise(text: str) -> str:
    """NFC, every Unicode space a plain space, zero-width characters dropped."""
    text = unicodedata.normalize("NFC", text)
    # one scan for the rare odd characters: translating and substituting cost ten times more
    return _SPACE.sub(" ", text.translate(_ZERO_WIDTH)) if _ODD.search(text) else text


def fold(text: str) -> str:
    """Lower case without tone marks (đ -> d), character for character."""
    return text.translate(_FOLD)


_EMAIL = re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}")
# An address typed so that it is not one (an.nguyen [at] gmail [dot] com, "a còng" and "chấm"
# in Vietnamese, spaces around the @), matched on the folded text. Spelled out, the domain
# must end in a common top-level domain: "a còng"/"chấm" are also ordinary words.
_SPELLED_AT = r"(?:\s*@\s*|\s*[\[({<]\s*(?:at|a ?cong)\s*[\])}>]\s*|\s+a ?cong\s+|\s+at\s+)"
_SPELLED_DOT = r"(?:\s*\.\s*|\s*[\[({<]\s*(?:dot|cham)\s*[\])}>]\s*|\s+(?:dot|cham)\s+)"
_EMAIL_SPELLED = re.compile(
    rf"[\w.%+\-]+{_SPELLED_AT}[\w\-]+(?:{_SPELLED_DOT}[\w\-]+)*?{_SPELLED_DOT}"
    r"(?:com|vn|net|org|edu|gov|info|io|biz|me|co)(?![\w])"
)
_SPELLED_HINT = re.compile(r"@|[\[({<]\s*(?:at|dot)\s*[\])}>]|\ba ?cong\b|\sat\s")
# An address typed without its top-level domain (lan.tran@gmail) or with a comma for the dot
# (lan.tran@gmail,com): a word, an @, a word.
_EMAIL_LOOSE = re.compile(r"[\w.%+\-]+@[\w\-]+(?:[.,][\w\-]+)*")
# Other identifiers (issue 25), on the folded text: other customers' ids and contracts by
# pattern (KH0045678, HĐ-2024-0078123) and after a lead-in (mã khách hàng 0098761, hợp đồng
# số ...); passports after a lead-in (C1234567); dates of birth after sinh, NS, ngày sinh,
# sinh năm; social links and handles.
_CUSTOMER_ID = re.compile(
    r"(?<![a-z0-9])(?:kh[\s\-_.:#/]*(?=\d)|ma (?:so )?(?:khach hang|kh)[\s:.#\-]*(?:so[\s:.]*)?)"
    r"(?P<n>[a-z]{0,3}[\-/]?\d[\d\-/._]{3,}\d)(?!\d)"
)
_CONTRACT_ID = re.compile(
    r"(?<![a-z0-9])(?:hd[\s\-_.:#/]*(?=\d)|"
    r"(?:so )?hop dong(?: so)?[\s:.#\-]*(?=[a-z]{0,4}[\-/]?\d))"
    r"(?P<n>[a-z]{0,4}[\-/]?\d[\d\-/._]{3,}\d)(?!\d)"
)
_PASSPORT = re.compile(
    r"(?<![a-z])(?:ho chieu|passport|pp)[\s:.#\-]*(?:so[\s:.]*)?(?P<n>[a-z]\d{7,8})(?!\d)"
)
_BIRTH = re.compile(
    r"(?<![a-z])(?<!phat )(?:ngay sinh|sinh ngay|sinh nam|nam sinh|sn|ns|dob|sinh)[\s:.]*"
    r"(?P<n>\d{1,2}[./\-]\d{1,2}[./\-](?:19|20)\d{2}|(?:19|20)\d{2})(?!\d)"
)
_SOCIAL = re.compile(
    r"(?<![\w.])(?:https?://)?(?:www\.|m\.)?(?:fb|facebook|zalo|tiktok|instagram|twitter|x)"
    r"\.(?:com|me|vn)/[\w.@\-/?=]+|(?<![\w@.])@[a-z0-9_](?:[a-z0-9_.]*[a-z0-9_])?(?![\w@])"
)
# Vietnamese licence plates: 29A-123.45, 51F 12345, 29-B1 234.56, 59X1-123.45.
_PLATE = re.compile(r"(?<![\w.])\d{2}\s?-?\s?[A-Z]{1,2}\d?\s?[\-.]?\s?\d{3}[.\s]?\d{1,2}(?![\w])")
# A number after a transaction lead-in is a transaction reference: kept readable (it names
# a transfer, not a person, and staff need it to trace it) unless it passes the Luhn check
# of a card number.
_TRANSACTION = re.compile(
    r"(?<![a-z])(?:ma (?:giao dich|gd)|so (?:tham chieu|giao dich)|ma tham chieu|"
    r"ref(?:erence)?|ft|gd)[\s:.#\-]*(?:so[\s:.]*)?(?P<n>\d[\d ]{8,22}\d)(?!\d)"
)
# A phone number spelt with several separators between its groups (0791 / 8800 / 4512):
# libphonenumber's matcher stops at the second one; the digits are checked with its validator.
_SPACED_PHONE = re.compile(r"(?<![\d\w])(?:\+?84|0)(?:[\s./\-()]{0,3}\d){8,10}(?!\d)")
# An identity number in groups with any separators (079 188 - 004 512): 12 digits.
_GROUPED_ID = re.compile(
    r"(?<![\d\w])\d{2,6}(?:\s*[\-/.]\s*|\s+)\d{2,6}(?:(?:\s*[\-/.]\s*|\s+)\d{2,6}){0,4}(?![\d\w])"
)
_DIGITS = r"\d(?:[ .\-]?\d)"  # digits with at most one space, dot or dash between two
# Digits spelt out in words, as a number read aloud is typed from a call ("không chín một hai
# ba bốn năm sáu bảy tám"): nine or more digit words in a row (the shortest phone or ID number),
# on the folded text, so with tone marks or without; linh and lẻ (0), mốt (1), tư (4), lăm (5).
DIGIT_WORDS = ("không", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy",
               "bẩy", "tám", "chín", "linh", "lẻ")  # fmt: skip
_DIGIT_WORD = "|".join(sorted({fold(w) for w in DIGIT_WORDS}, key=len, reverse=True))
# Digits and digit words mixed (0 9 một hai ba..., 09 một hai...), and pairs read with their
# tens (sáu mươi lăm: 65, mười hai: 12, chín mươi: 90; "mươi" and "mười" both fold to "muoi"):
# a run of either, read as a number when it holds at least nine digits, five of them spelt out
# (so that "15.000.000 hai kỳ" or "năm 2024" stay readable), and no unit of money or time
# follows (năm mươi triệu, hai mươi lăm nghìn đồng, ba mươi phần trăm).
TENS_WORDS = ("mươi", "mười")
_SPELT_TOKEN = rf"(?:{_DIGIT_WORD}|muoi|\d{{1,4}})(?!\w)"
_SPELT_NUMBER = re.compile(
    rf"(?<!\w){_SPELT_TOKEN}(?:(?:[^\S\n]*[,.\-][^\S\n]*|[^\S\n]+){_SPELT_TOKEN}){{4,}}"
)
_SPELT_WORDS = frozenset(fold(w) for w in DIGIT_WORDS)
_AMOUNT_AFTER = re.compile(
    r"[^\S\n]*(?:nghin|ngan|trieu|ty|ti|dong|vnd|d|k|tr|%|phan tram|tuoi|thang|ngay|nam|lan|"
    r"ky|gio|phut|usd|do)(?!\w)"
)
_TOKEN = re.compile(r"\w+")


def _spelt_numbers(text: str, folded: str) -> list[Span]:
    spans = []
    for m in _SPELT_NUMBER.finditer(folded):
        tokens = list(_TOKEN.finditer(folded, m.start(), m.end()))
        words = sum(t.group() in _SPELT_WORDS or t.group() == "muoi" for t in tokens)
        if words < 5 or _AMOUNT_AFTER.match(folded, m.end()):
            continue
        if _spoken_digits(text, tokens) >= 9:
            spans.append((*m.span(), PHONE))
    return spans


def _spoken_digits(text: str, tokens: list[re.Match]) -> int:
    """How many digits a run of digit words, tens words and digit groups says: sáu mươi lăm is
    two (65), chín mươi two (90), mười two (10), mười hai two (12)."""
    count = 0
    for i, t in enumerate(tokens):
        word = t.group()
        if word != "muoi":
            count += len(word) if word.isdigit() else 1
            continue
        unit_next = _unit_follows(text, tokens, i)
        if _is_tens(text, tokens, i):  # X mươi [Y]: X counted already
            count += 0 if unit_next else 1
        else:  # mười [Y]
            count += 1 if unit_next else 2
    return count


def _unit_follows(text: str, tokens: list[re.Match], i: int) -> bool:
    """Whether a digit word after the i-th token ("muoi") is its unit (sáu mươi lăm): only a
    space between, and not itself before a tens word (sáu mươi năm mươi: 60, 50)."""
    if i + 1 >= len(tokens) or tokens[i + 1].group() not in _SPELT_WORDS:
        return False
    if text[tokens[i].end() : tokens[i + 1].start()].strip():
        return False
    return i + 2 >= len(tokens) or tokens[i + 2].group() != "muoi"


# The digits whose tens are said "X mươi": 2 to 9 (một mươi, không mươi are never said).
_TENS_DIGITS = frozenset({"hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin"})


def _is_tens(text: str, tokens: list[re.Match], i: int) -> bool:
    """Whether the i-th token, "muoi", is "mươi" (tens after a digit word), not "mười" (ten):
    as written, or without tone marks, after a digit of 2-9 with only a space between."""
    written = text[tokens[i].start() : tokens[i].end()].lower()
    if not written.isascii():
        return written == "mươi"
    prev = tokens[i - 1] if i else None
    return (
        prev is not None
        and prev.group() in _TENS_DIGITS
        and not text[prev.end() : tokens[i].start()].strip()
    )


_GLUED_PHONE = re.compile(r"(?<=[^\W\d_])(?:\+?84|0)\d{8,10}(?!\d)")  # sđt0912345681
_LEAD = (
    r"(?<![a-z])(?:(?P<id>cccd|cmnd|cmt|can cuoc(?: cong dan)?|chung minh(?: nhan dan)?|"
    r"(?:so )?giay to(?: tuy than)?|ho chieu)|(?P<acct>stk|so tai khoan|tai khoan|tk|"
    r"so the|the(?: tin dung| atm| ngan hang)?))(?![a-z])[\s:.#\-]*(?:so[\s:.]*)?"
)
_LEAD_IN = re.compile(_LEAD + rf"(?P<n>{_DIGITS}{{5,18}})(?!\d)")
_NUMBER = re.compile(rf"(?<![\d])(?<![a-z])(?<![a-z][\-_/])(?P<n>{_DIGITS}{{8,18}})(?![\d])")
_UNIT = re.compile(r"\s*(?:d|dong|vnd|tr|trieu|ty|ti|k|nghin|ngan|usd|\$|%)(?![a-z])")
_AMOUNT = re.compile(r"[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})*")
_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2})"
    r"(?:[ T]\d{1,2}[:hg.]\d{2}(?::\d{2})?)?(?!\d)"
)
# Hotlines (toll-free 1800, shared-cost 1900) belong to companies, not people. Told apart by
# prefix: libphonenumber's number_type would cost as much as the match itself.
# 1800/1900 hotlines have 8 or 10 digits; an old 9-digit CMND can start 1800 too (a number
# libphonenumber also accepts): that one is an identity number.
_HOTLINE = re.compile(r"\D*1[89]00")

_FORMS_RE = "|".join(sorted(map(re.escape, FORMS), key=len, reverse=True))
_OTHER_NAME = re.compile(
    rf"(?<!\w)(?i:{_FORMS_RE})\s+(?P<family>(?i:{'|'.join(FAMILY_SAFE)})|{'|'.join(FAMILY_WORDS)}|"
    rf"{'|'.join(f.upper() for f in FAMILY_WORDS)})(?!\w)(?P<rest>(?:\s+\w+){{0,3}})"
)
_OTHER_NAME_TONELESS = re.compile(
    rf"(?<!\w)(?:{'|'.join(sorted({fold(f) for f in FORMS}, key=len, reverse=True))})\s+"
    rf"(?P<family>{'|'.join(FAMILY_TONELESS)})(?!\w)(?P<rest>(?:\s+\w+){{0,3}})"
)
_FORMS_FOLDED = "|".join(sorted({re.escape(fold(f)) for f in FORMS}, key=len, reverse=True))
# A given name alone after a form of address, capitalised (chị Lan, bà Tư, Anh TUẤN), or a
# name after a colon (KH: TRẦN VĂN LỢI): not only the complainant's.
_GIVEN_AFTER_FORM = re.compile(
    rf"(?<!\w)(?i:{_FORMS_RE})(?:\s*:\s*|\s+)(?P<given>{UPPER}\w*(?:\s+{UPPER}\w*){{0,3}})"
)
# A given name alone in lower case after a form of address (chị lan gọi, bà tư nói): only a
# syllable of GIVEN_SYLLABLES, written with its own tone marks or with none, and only before a
# word that follows a person (gọi, nói, đã...) or a punctuation mark, so "anh tư vấn", "chị
# hằng ngày", "anh năm nay" stay readable; "anh ấy", "chị em", "bà con" hold no given name.
# Without tone marks a kinship word is no name (anh chi = anh chị).
# The form is checked as written too: folded, "cơ", "có", "vô", "mà", "cầu" are "cô", "cô",
# "vợ", "má", "cậu". A given name that is also a word right after a subject ("khách hàng bảo
# gọi": told to call; "vô hoài", "mai gọi") is left to the capitalised rule.
_GIVEN_LOWER = frozenset(g.lower() for g in GIVEN_SYLLABLES) - {"bảo", "hoài", "toàn", "mai", "như"}
# Without tone marks a kinship word is no name (anh chi = anh chị), and only the forms that are
# no other word without theirs (co: có, ma: mà, vo: vô, ba: bà, ba, bá...) announce one.
_GIVEN_TONELESS = frozenset(map(fold, _GIVEN_LOWER)) - {
    *("chi", "em", "anh", "co", "con", "ba", "ong", "me", "bo", "cau", "di", "chu", "bac")
}
_FORMS_LOWER = frozenset(FORMS)
_FORMS_TONELESS = frozenset({"anh", "em", "chi", "khach hang", "kh"})
AFTER_NAME = ("gọi", "nói", "bảo", "hỏi", "nhắn", "báo", "kể", "đã", "đang", "sẽ", "có",
              "không", "là", "và", "với", "cũng", "vẫn", "chưa", "bị", "được", "đến", "tới",
              "ơi", "ạ", "nhé", "nhận", "trả", "vay", "nợ", "yêu", "ở", "thì", "mà", "nhưng",
              "cho", "để", "rồi", "lại", "xin", "muốn", "cần", "biết", "nhờ", "hứa")  # fmt: skip
# Verbs of action after a person (bà tư bán vé số, chị lan mua bảo hiểm); without tone marks
# only those that are no other word then (ban: bàn, bạn; di: dì; ky: kỳ; doi: đổi, đợi...).
AFTER_NAME_ACTION = ("bán", "mua", "đi", "ký", "kí", "gửi", "chuyển", "lấy", "mượn", "đưa",
                     "nộp", "đòi", "hẹn", "kêu", "làm", "dặn")  # fmt: skip
_ACTION_TONELESS = ("mua", "gui", "chuyen", "lay", "nop", "dan")  # (mua: its own spelling)
_AFTER_NAME = frozenset((*AFTER_NAME, *AFTER_NAME_ACTION))
_AFTER_NAME_TONELESS = frozenset((*map(fold, AFTER_NAME), *_ACTION_TONELESS))
# A given name and the next word that make one word together: "thu mua" (to buy up), "thu
# nhận" (to take in) hold no name.
_COMPOUNDS = frozenset({("thu", "mua"), ("thu", "nhận"), ("thu", "nhan")})
_GIVEN_LOWER_NAME = re.compile(
    rf"(?<!\w)(?P<form>{_FORMS_FOLDED})[^\S\n]+"
    rf"(?P<given>{'|'.join(sorted({fold(g) for g in GIVEN_SYLLABLES}, key=len, reverse=True))})"
    r"(?:[^\S\n]*(?:$|[,.;:!?)\n])|[^\S\n]+(?P<next>\w+))"
)
_WORD_CAP = rf"{UPPER}\w*"
_FAMILIES_ALL = sorted({*FAMILY_SAFE, *FAMILY_WORDS, *FAMILY_RARE}, key=len, reverse=True)
_FAMILY_ANY_CASE = _spellings(_FAMILIES_ALL)
# X Thị Y, X Văn Y (any case, tone marks or none): a full name wherever it stands.
_MARKS = _spellings(MIDDLE_MARKS)
_MARKED_NAME = re.compile(
    rf"(?<!\w){_WORD_CAP}[^\S\n]+(?:{_MARKS})(?:[^\S\n]+{_WORD_CAP}){{1,2}}(?!\w)"
)
_MARKED_NAME_LOWER = re.compile(
    rf"(?<!\w)(?:{'|'.join((*FAMILY_TONELESS, *LOWER_FAMILIES_EXTRA))})"
    rf"[^\S\n]+(?:thi|van)[^\S\n]+(?P<w1>[a-z]+)(?!\w)(?P<w2>[^\S\n]+[a-z]+(?!\w))?"
)
# A common family name and one to three capitalised words, no cue needed: Phạm Minh Tuấn.
_SAFE_NAME = re.compile(
    rf"(?<!\w)(?:{'|'.join(f'{f}|{f.upper()}' for f in FAMILY_SAFE)}|"
    rf"{'|'.join(_no_marks(f).upper() for f in FAMILY_SAFE)})"
    rf"(?:[^\S\n]+{_WORD_CAP}){{1,3}}(?!\w)"
)
# Given name first, then a common family name, as names are written in English or on social
# media (Tuấn Phạm, TUẤN PHẠM): a given name of GIVEN_SYLLABLES and a family name of
# FAMILY_SAFE, both capitalised; not a form of address that starts a sentence (Anh Nguyễn...:
# the form-of-address rule keeps the form readable).
_GIVEN_FIRST_NAMES = sorted({*GIVEN_SYLLABLES} - {f.title() for f in FORMS}, key=len, reverse=True)
_GIVEN_FIRST = re.compile(
    rf"(?<!\w)(?:{'|'.join(f'{g}|{g.upper()}' for g in _GIVEN_FIRST_NAMES)})"
    rf"[^\S\n]+(?:{'|'.join(f'{f}|{f.upper()}' for f in FAMILY_SAFE)})(?!\w)"
)
_LEADS_RE = "|".join(sorted(NAME_LEADS, key=len, reverse=True))
_LEAD_NAME = re.compile(
    rf"(?<!\w)(?i:{_LEADS_RE})[^\S\n]*:?[^\S\n]*(?P<name>{_WORD_CAP}(?:[^\S\n]+{_WORD_CAP}){{1,3}})(?!\w)"
)
_FAMILY_SET = frozenset(
    w for f in _FAMILIES_ALL for w in (f, f.upper(), _no_marks(f), _no_marks(f).upper())
)
# (a trie of the names in lower case: under IGNORECASE a lower-case letter matches either case)
_PLACE_NAMES = alternation({p.lower() for p in (*PLACES, *map(_no_marks, PLACES))}, r"\s+")
_PLACES_RE = re.compile(rf"(?<!\w)(?i:{_PLACE_NAMES})(?!\w)")
_NOT_NAMES = frozenset(NOT_NAMES)

Span = tuple[int, int, str]


def _digit_count(text: str) -> int:
    return sum(map(str.isdigit, text))


def _phones(text: str) -> tuple[list[Span], list[tuple[int, int]]]:
    """Personal phone numbers, and hotlines (left readable, and not read as account numbers)."""
    spans: list[Span] = []
    hotlines: list[tuple[int, int]] = []
    for found in Matcher(text):
        if not _HOTLINE.match(found.raw_string):
            spans.append((found.start, found.end, PHONE))
        elif _digit_count(found.raw_string) in (8, 10):
            hotlines.append((found.start, found.end))
        else:  # nine digits after 1800/1900: an old CMND, not a hotline
            spans.append((found.start, found.end, ID_NUMBER))
    # libphonenumber wants a number to stand apart from letters; staff glue them (sđt0912...).
    for m in _GLUED_PHONE.finditer(text):
        if is_valid_vn(m.group()) and not _HOTLINE.match(m.group()):
            spans.append((m.start(), m.end(), PHONE))
    return spans, hotlines


def _is_amount(folded: str, start: int, end: int) -> bool:
    """Money: a unit follows, or thousands grouping that ends in 000 (150.000.000)."""
    if _UNIT.match(folded, end):
        return True
    return bool(_AMOUNT.fullmatch(folded, start, end)) and folded[end - 3 : end] == "000"


def _numbers(folded: str, keep: list[tuple[int, int]]) -> list[Span]:
    spans = []
    for m in _LEAD_IN.finditer(folded):
        digits = _digit_count(m.group("n"))
        label = ACCOUNT if m.group("acct") or digits not in (9, 12) else ID_NUMBER
        spans.append((m.start("n"), m.end("n"), label))
    keep = keep + [(m.start(), m.end()) for m in _DATE.finditer(folded)]
    for m in _NUMBER.finditer(folded):
        start, end = m.span("n")
        if _is_amount(folded, start, end) or any(s < end and start < e for s, e in keep):
            continue
        digits = _digit_count(m.group("n"))
        spans.append((start, end, ID_NUMBER if digits in (9, 12) else ACCOUNT))
    return spans


def _luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# The rules of _other_ids with the words one of which each rule's matches always hold (in the
# folded text): kh (KH0045678, mã khách hàng), hd or hop dong, pp, passport or ho chieu,
# sinh, sn, ns or dob.
_ID_RULES = (
    (_CUSTOMER_ID, CUSTOMER_ID, ("kh",)),
    (_CONTRACT_ID, CONTRACT, ("hd", "hop dong")),
    (_PASSPORT, ID_NUMBER, ("pp", "passport", "ho chieu")),
    (_BIRTH, BIRTH, ("sinh", "sn", "ns", "dob")),
)


def _other_ids(text: str, folded: str) -> tuple[list[Span], list[tuple[int, int]]]:
    """Other customers' ids and contracts, passports, dates of birth, social links and
    handles, licence plates; and the transaction references to keep readable."""
    spans: list[Span] = []
    for pattern, label, words in _ID_RULES:
        if not any(w in folded for w in words):  # each rule's words: a substring test is cheap
            continue
        for m in pattern.finditer(folded):
            # KH0045678, HĐ-2024-...: the prefix is part of the id; a lead-in stays
            glued = folded.startswith(("kh", "hd"), m.start())
            spans.append((m.start() if glued else m.start("n"), m.end("n"), label))
    if "/" in folded or "@" in folded:  # a link or a handle
        spans += [(*m.span(), SOCIAL) for m in _SOCIAL.finditer(folded)]
    spans += [(*m.span(), PLATE) for m in _PLATE.finditer(text)]
    keep = []
    for m in _TRANSACTION.finditer(folded):
        digits = re.sub(r"\D", "", m.group("n"))
        if len(digits) in (15, 16, 19) and _luhn(digits):
            spans.append((*m.span("n"), ACCOUNT))
        else:
            keep.append(m.span("n"))
    return spans, keep


def _spaced_numbers(
    text: str, folded: str, keep: list[tuple[int, int]], phones: list[Span]
) -> list[Span]:
    """Phones and identity numbers typed with several separators between groups (a number
    libphonenumber's matcher found already is not parsed again)."""
    spans: list[Span] = []
    for m in _SPACED_PHONE.finditer(text):
        if any(s <= m.start() and m.end() <= e for s, e, _ in phones):
            continue
        digits = re.sub(r"\D", "", m.group())
        if is_valid_vn(digits if digits[0] == "0" else "+" + digits) and not _HOTLINE.match(digits):
            spans.append((*m.span(), PHONE))
    for m in _GROUPED_ID.finditer(folded):
        start, end = m.span()
        # (a hotline inside twelve grouped digits does not make them one)
        if any(s <= start and end <= e for s, e in keep) or _UNIT.match(folded, end):
            continue
        if _digit_count(m.group()) == 12 and not re.search(
            r"(?<!\d)\d{1,3}[.,]000(?!\d)", m.group()
        ):
            spans.append((start, end, ID_NUMBER))
    return spans


def _other_names(text: str, folded: str) -> list[Span]:
    spans = []
    for pattern, source in ((_OTHER_NAME, text), (_OTHER_NAME_TONELESS, folded)):
        for m in pattern.finditer(source):
            family = text[m.start("family") : m.end("family")]
            if source is folded and not family.isascii():
                continue  # spelt with its tone marks: the pattern above decides
            spans.append((m.start("family"), _name_end(text, m, family[0].isupper()), NAME))
    return spans


def _given_names(text: str) -> list[Span]:
    """Capitalised words after a form of address (chị Lan, bà Tư, KH: TRẦN VĂN LỢI), but not in
    text written in capitals (KHÁCH HÀNG DÙ...: a capital tells nothing there, unless a colon
    follows the form), nor acronyms and brands (con AI, khách hàng VPBank)."""
    spans = []
    for m in _GIVEN_AFTER_FORM.finditer(text):
        first = m.group("given").split()[0]
        form = text[m.start() : m.start("given")]
        if form.isupper() and first.isupper() and ":" not in form:
            continue
        if first in _NOT_NAMES or any(c.isupper() for c in first[1:]) and not first.isupper():
            continue
        spans.append((*m.span("given"), NAME))
    return spans


def _lower_given_names(text: str, folded: str) -> list[Span]:
    """Given names alone in lower case after a form of address (chị lan gọi, chi lan goi)."""
    spans = []
    for m in _GIVEN_LOWER_NAME.finditer(folded):
        form, given = (text[m.start(g) : m.end(g)] for g in ("form", "given"))
        if (
            _spelt_as(form.lower(), _FORMS_LOWER, _FORMS_TONELESS)
            and _spelt_as(given, _GIVEN_LOWER, _GIVEN_TONELESS)
            and (
                _follows_person(
                    given.lower(), m.group("next") and text[m.start("next") : m.end("next")]
                )
                or _neighbour(given.lower(), text, m.start("next"))
            )
        ):
            spans.append((*m.span("given"), NAME))
    return spans


# Where a person lives, after their given name: chị lan bên cạnh, cô hoa hàng xóm. Not after
# an ordinal nickname: "hai bên", "ba bên" (both sides, three parties) read the same.
_NEIGHBOUR = re.compile(r"(?:bên cạnh|kế bên|hàng xóm|nhà bên|ben canh|ke ben|hang xom)(?!\w)")
_ORDINALS = frozenset(("hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "tu",
                       "nam", "sau", "bay", "tam", "chin", "muoi"))  # fmt: skip


def _neighbour(given: str, text: str, at: int) -> bool:
    """Whether a lower-case given name stands before a word saying where the person lives."""
    return at >= 0 and given not in _ORDINALS and bool(_NEIGHBOUR.match(text.lower(), at))


def _follows_person(given: str, after: str | None) -> bool:
    """Whether the word after a lower-case given name is one that follows a person (gọi, nói,
    bán...) and makes no word with it (thu mua); None: a punctuation mark or the end."""
    if after is None:
        return True
    return (given, after) not in _COMPOUNDS and _spelt_as(after, _AFTER_NAME, _AFTER_NAME_TONELESS)


def _spelt_as(word: str, toned: frozenset[str], toneless: frozenset[str]) -> bool:
    """Whether ``word`` (lower case) is one of ``toned`` as written, or, written without any tone
    mark, one of ``toneless``: "vấn" is not "vẫn", though both fold to "van"."""
    return word in toneless if word.isascii() else word in toned


def _names_without_cue(text: str, folded: str) -> list[Span]:
    """Names no form of address announces: X Thị Y / X Văn Y, a common family name and its
    capitalised words, and two to four capitalised words holding a family name after a lead-in
    (tên, là, chủ TK...), in either order (Tuấn Phạm)."""
    spans = [
        (*m.span(), NAME)
        for p in (_MARKED_NAME, _SAFE_NAME, _GIVEN_FIRST)
        for m in p.finditer(text)
    ]
    for m in _MARKED_NAME_LOWER.finditer(folded):
        # in lower case without tone marks (le thi thu trang): "lại thì cao" is no name
        end = m.end("w2") if m.group("w2") and text[: m.end("w2")].isascii() else m.end("w1")
        written = text[m.start() : end]
        if written.islower() and written.isascii() and text[m.end("w1") :][:1] != "@":
            spans.append((m.start(), end, NAME))
    for m in _LEAD_NAME.finditer(text):
        words = m.group("name").split()
        lead = text[m.start() : m.start("name")]
        if lead.isupper() and m.group("name").isupper() and ":" not in lead:
            continue  # text in capitals: LÀ NHÂN VIÊN VPB
        if any(w in _FAMILY_SET for w in words):
            spans.append((*m.span("name"), NAME))
    return [
        sp
        for sp in spans
        if not _PLACE_BEFORE.search(text, 0, sp[0]) and not _is_unit_name(text[sp[0] : sp[1]])
    ]


# Streets, branches, schools and hospitals are named after people: chi nhánh Nguyễn Ảnh Thủ.
_PLACE_BEFORE = re.compile(
    r"(?i:chi nhánh|pgd|phòng giao dịch|đường|phố|quận|phường|trường|bệnh viện|cầu|chợ)"
    r"[^\S\n]+$"
)


def _is_unit_name(name: str) -> bool:
    """A ward or province of the maintained list (Phường Trần Hưng Đạo...): a place."""
    return " ".join(name.split()) in unit_name_set()


def _outside_places(text: str, spans: list[Span]) -> list[Span]:
    """The spans that touch no street, place or brand of PLACES (Bà Triệu, Hai Bà Trưng)."""
    if not spans:
        return spans
    places = [m.span() for m in _PLACES_RE.finditer(text)]
    if not places:
        return spans
    return [sp for sp in spans if not any(s < sp[1] and sp[0] < e for s, e in places)]


def _name_end(text: str, m: re.Match, capitalised: bool) -> int:
    """Where the name that begins with the family name ends: its capitalised words, or (written
    in lower case) at most two more words before a verb or particle."""
    end, taken = m.end("family"), 0
    for w in re.finditer(r"\s+(\w+)", text[m.start("rest") : m.end("rest")]):
        word = w.group(1)
        if word[0].isdigit() or capitalised != word[0].isupper():
            break
        if not capitalised and (taken == 2 or word.lower() in _STOP or word in _STOP_TONELESS):
            break
        end, taken = m.start("rest") + w.end(), taken + 1
    return end


# The same without tone marks, less the spellings of name syllables (van: Văn, nhung: Nhung).
_STOP_TONELESS = {fold(w) for w in _STOP} - {
    *("van", "thi", "la", "co", "ma", "ra", "ve", "di", "nhung", "tai", "luc", "dang", "nhan"),
    "tra",
}


def _chunks(value: str) -> str:
    return "".join(re.findall(r"[a-z0-9]+", fold(value)))


@dataclass(frozen=True)
class Own:
    """A row's own identifiers as skeletons (folded, separators and spaces dropped), so that
    matching them costs a string search, not a regular expression compiled per row."""

    values: tuple[tuple[str, str, bool], ...]  # (skeleton, label, needs word boundaries)
    given: str | None  # the given name, matched after a form of address
    given_written: str | None = None  # the same with its tone marks, in lower case


@lru_cache(maxsize=65536)
def own_patterns(
    name: str | None,
    phone: str | None,
    email: str | None,
    national_id: str | None,
    customer_id: str | None,
    contract_id: str | None,
) -> Own | None:
    """The row's own identifiers, ready for ``mask``."""
    values, given, given_written = [], None, None
    if name and len(skeleton := _chunks(name)) > 2:
        values.append((skeleton, NAME, True))
        tokens = fold(name).split()
        given = tokens[-1] if len(tokens[-1]) > 1 else None
        given_written = normalise(name).split()[-1].lower() if given else None
    if phone and len(digits := re.sub(r"\D", "", phone)) >= 8:
        # the number without its trunk or country prefix, which are masked with it
        values.append((digits[2:] if digits.startswith("84") else digits.lstrip("0"), PHONE, False))
    if email and "@" in email:
        values.append((_chunks(email), EMAIL, False))
    if national_id and len(digits := re.sub(r"\D", "", national_id)) >= 6:
        values.append((digits, ID_NUMBER, False))
    for label, value in ((CUSTOMER_ID, customer_id), (CONTRACT, contract_id)):
        if value and len(skeleton := _chunks(value)) >= 4:
            values.append((skeleton, label, True))
    return Own(tuple(values), given, given_written) if values or given else None


_SKELETON_DROP = re.compile(r"[^a-z0-9]+")
_PREFIX = re.compile(r"(?:\(?\+?84\)?|0)[\s.\-()]*$")
_FORM_WORD = re.compile(rf"(?<!\w)(?:{_FORMS_FOLDED})\s+(\w+)")


class _Skeleton:
    """The folded text without anything but letters and digits, and where each kept character
    stands in the text: kept as its runs of letters and digits (a dozen per text), not one index
    per character, since most texts hold none of the row's values."""

    def __init__(self, folded: str) -> None:
        self.runs = [m.span() for m in _ALNUM_RUN.finditer(folded)]
        self.text = "".join(folded[s:e] for s, e in self.runs)
        self.starts = list(accumulate((e - s for s, e in self.runs[:-1]), initial=0))

    def at(self, k: int) -> int:
        """Where the skeleton's k-th character stands in the text."""
        j = bisect_right(self.starts, k) - 1
        return self.runs[j][0] + k - self.starts[j]


_ALNUM_RUN = re.compile(r"[a-z0-9]+")


def _own(text: str, folded: str, own: Own | None) -> list[Span]:
    if own is None:
        return []
    spans = []
    skeleton = _Skeleton(folded)
    for value, label, bounded in own.values:
        at = skeleton.text.find(value)
        while at >= 0:
            start, end = skeleton.at(at), skeleton.at(at + len(value) - 1) + 1
            glued = bounded and (
                (start > 0 and folded[start - 1].isalnum())
                or (end < len(folded) and folded[end].isalnum())
            )
            if not glued:
                if label == PHONE and (prefix := _PREFIX.search(folded, 0, start)):
                    start = prefix.start()
                spans.append((start, end, label))
            at = skeleton.text.find(value, at + 1)
    if own.given:
        forms = _FORM_WORD.finditer(folded)
        spans += [(*m.span(1), NAME) for m in forms if m.group(1) == own.given]
        spans += _own_given_glued(text, folded, own, spans)
    return spans


# Marks a name is quoted or bracketed with, or that end a clause after it: (Hồng), "Hồng", Hồng,
_OPENING = frozenset('(["“«‘')
_CLOSING = frozenset(')]"”»’,.;:!?')


def _own_given_glued(text: str, folded: str, own: Own, found: list[Span]) -> list[Span]:
    """The row's own given name, capitalised and glued to a bracket, a quote or a punctuation
    mark ((Hồng), "Hồng", Hồng,), as written or without any tone mark; not inside a longer
    capitalised name (Sông Hồng, (Hồng Bàng)): a place's, not the complainant's. Inside a span
    ``found`` already (the full name) it is not looked at again."""
    spans: list[Span] = []
    if not own.given:
        return spans
    at = folded.find(own.given)
    while at >= 0:
        end = at + len(own.given)
        before, after = text[at - 1 : at], text[end : end + 1]
        written = text[at:end]
        if (
            (before in _OPENING or after in _CLOSING)
            and not any(s <= at < e for s, e, _ in found)
            and not (before.isalnum() or after.isalnum())
            and written[0].isupper()
            and written.lower() in (own.given_written, own.given)
            and not _in_longer_name(text, at, end)
        ):
            spans.append((at, end, NAME))
        at = folded.find(own.given, end)
    return spans


_PERSON_BEFORE = _FORMS_LOWER | {"khách", "khach"}


def _in_longer_name(text: str, start: int, end: int) -> bool:
    """Whether a capitalised word (not a form of address, nor "Khách") stands right before or
    after."""
    prev = re.search(r"(\w+)[^\S\n]+$", text[max(0, start - 20) : start])
    if prev and prev.group(1)[0].isupper() and prev.group(1).lower() not in _PERSON_BEFORE:
        return True
    nxt = re.match(r"[^\S\n]+(\w+)", text[end : end + 20])
    return bool(nxt and nxt.group(1)[0].isupper())


def _apply(text: str, spans: list[Span]) -> str:
    """Replace the spans; overlapping spans merge into the first (own identifiers come first)."""
    out: list[str] = []
    pos = 0
    for start, end, label in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < pos:
            if end > pos and out:
                pos = end
            continue
        out += [text[pos:start], label]
        pos = end
    out.append(text[pos:])
    return "".join(out)


# A text stays a text and a missing value stays missing: callers holding a str get a str.
@overload
def mask(text: str, own: Own | None = None) -> str: ...
@overload
def mask(text: str | None, own: Own | None = None) -> str | None: ...
def mask(text: str | None, own: Own | None = None) -> str | None:
    """``text`` with every personal value it holds replaced by its label."""
    if not text:
        return text
    text = normalise(text)
    folded = fold(text)
    spans = _own(text, folded, own)
    if "@" in text:
        spans += [(m.start(), m.end(), EMAIL) for m in _EMAIL.finditer(text)]
        spans += [(m.start(), m.end(), EMAIL) for m in _EMAIL_LOOSE.finditer(text)]
    if _SPELLED_HINT.search(folded):
        spans += [(m.start(), m.end(), EMAIL) for m in _EMAIL_SPELLED.finditer(folded)]
    others, references = _other_ids(text, folded)
    spans += others
    if _SIX_DIGITS.search(text):  # the shortest number masked has six digits
        phones, hotlines = _phones(text)
        spans += phones
        spans += _spaced_numbers(text, folded, hotlines + references, phones)
        spans += _numbers(folded, hotlines + references)
    spans += _spelt_numbers(text, folded)
    if _may_hold_address(text, folded):
        spans += addresses(text, folded)
    names = _other_names(text, folded) + _given_names(text) + _lower_given_names(text, folded)
    if _may_hold_name(text, folded):
        names += _names_without_cue(text, folded)
    spans += _outside_places(text, names)
    return _apply(text, spans)


# Gates for the address and name rules, on the folded text (one case, no tone marks: a fast
# scan) with the case read back from the text; each is true for every text its rules can change.
# An address's strong part begins with a unit, alley or street word before a number or a
# capital (phường 5, ngõ số 12, phố Huế), a P/Q/F/H/TX before one (P. Bến Thành, Q.1), a slashed
# house number, or a house number, a name and a comma (12 Lê Lợi, Hà Nội).
_ADDRESS_WORD = re.compile(
    r"(?<!\w)(?:phuong|xa|thi tran|thi xa|quan|huyen|thon|ap|xom|to|kp|khu pho|ngo|ngach|hem|"
    r"kiet|duong|pho|d\.)[\s.]*(?:so[\s.]*(?=\d))?(?=\w)"
)
_ADDRESS_SHAPE = re.compile(
    rf"(?<![^\W\d_])(?:P|Q|F|H|TX)(?:[.\s]+(?:\d|{UPPER})|\d)|\d[A-Za-z]?/\d|"
    rf"\d[A-Za-z]?[^\S\n]+{UPPER}\w*(?:[ \-]+{UPPER}\w*){{0,3}}[^\S\n]*,"
)


def _may_hold_address(text: str, folded: str) -> bool:
    if _ADDRESS_SHAPE.search(text):
        return True
    if any(_digit_or_capital(text, m.end()) for m in _ADDRESS_WORD.finditer(folded)):
        return True
    return may_lead_unit(text, folded)  # quê ở Tân Bình: a district or ward after a lead word


def _digit_or_capital(text: str, at: int) -> bool:
    return text[at].isdigit() or text[at].isupper()


# A name without a cue holds a middle mark (thị, văn), a common family name, or a lead-in
# (tên, là, chủ TK...) before a capital.
_NAME_WORD = re.compile(
    rf"(?<!\w)(?:thi|van|{'|'.join(sorted({fold(f) for f in FAMILY_SAFE}))})(?!\w)"
)
_LEAD_WORD = re.compile(
    rf"(?<!\w)(?:{'|'.join(sorted({fold(w) for w in NAME_LEADS}, key=len, reverse=True))})"
    r"[^\S\n]*:?[^\S\n]*(?=\w)"
)


def _may_hold_name(text: str, folded: str) -> bool:
    if _NAME_WORD.search(folded):
        return True
    return any(text[m.end()].isupper() for m in _LEAD_WORD.finditer(folded))


# Six digits close together, as pii_prefilter: libphonenumber is the costly step, so texts
# without a number skip it.
_SIX_DIGITS = re.compile(r"\d(?:[^\w\n]{0,3}\d){5}")


@lru_cache(maxsize=262144)
def _mask_once(text: str | None, owner: tuple[str | None, ...]) -> str | None:
    return mask(text, own_patterns(*owner))


def mask_values(texts: Sequence[str | None], owners: Sequence[Sequence[str | None]]) -> list:
    """Mask each text with its row's identifiers; each distinct pair is masked once, in
    ``_WORKERS`` processes when there are enough of them (register)."""
    pairs = [(t, tuple(o)) for t, o in zip(texts, owners, strict=True)]
    if _WORKERS > 1:
        todo = list(dict.fromkeys(p for p in pairs if p[0]))
        if len(todo) >= PARALLEL_MIN_TEXTS:
            chunk = -(-len(todo) // _WORKERS)
            parts = [todo[i : i + chunk] for i in range(0, len(todo), chunk)]
            try:
                done = dict(zip(todo, _chain(_pool().map(_mask_pairs, parts)), strict=True))
            except (BrokenProcessPool, OSError):  # no processes to be had: mask here
                set_workers(1)
            else:
                return [done[p] if p[0] else p[0] for p in pairs]
    return [_mask_once(t, o) for t, o in pairs]


# Below this many distinct texts in a batch, starting work in other processes costs more
# than it saves.
PARALLEL_MIN_TEXTS = 64
_WORKERS = 1
_POOL: ProcessPoolExecutor | None = None


def _mask_pairs(pairs: list[tuple[str, tuple[str | None, ...]]]) -> list[str | None]:
    return [_mask_once(t, o) for t, o in pairs]


def _chain(parts: Iterable[list]) -> list:
    return [x for part in parts for x in part]


def _pool() -> ProcessPoolExecutor:
    """Worker processes, started once per process from a clean server ("forkserver": never a
    fork of a process running DuckDB threads); the texts travel by pipe, never to disk."""
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(_WORKERS, mp_context=multiprocessing.get_context("forkserver"))
        atexit.register(_POOL.shutdown, cancel_futures=True)
    return _POOL


def set_workers(workers: int) -> None:
    """How many processes mask a batch's texts (0: one per CPU this process may use); a pool
    of another size is shut down."""
    global _WORKERS, _POOL
    count = workers or len(os.sched_getaffinity(0))
    if count != _WORKERS and _POOL is not None:
        _POOL.shutdown(cancel_futures=True)
        _POOL = None
    _WORKERS = count


def mask_batch(
    text: pa.Array,
    name: pa.Array,
    phone: pa.Array,
    email: pa.Array,
    national_id: pa.Array,
    customer_id: pa.Array,
    contract_id: pa.Array,
) -> pa.Array:
    """The DuckDB UDF: a batch of texts and their rows' identifiers in, masked texts out."""
    owner = (name, phone, email, national_id, customer_id, contract_id)
    columns = [c.to_pylist() for c in owner]
    return pa.array(mask_values(text.to_pylist(), list(zip(*columns, strict=True))), pa.string())


# Lead-ins and prefixes of the identifiers of _other_ids, as typed (tone marks or none).
_ID_LEADS = "|".join(
    sorted(
        {
            w
            for lead in (
                "kh",
                "hđ",
                "mã khách hàng",
                "hợp đồng",
                "ngày sinh",
                "năm sinh",
                "sinh ngày",
                "sinh năm",
                "sinh",
                "ns",
                "sn",
                "dob",
            )
            for w in (lead, fold(lead))
        },
        key=len,
        reverse=True,
    )
)


# The address rules' words and shapes in RE2 (addresses.py), case-insensitive.
_ADDRESS_PREFILTER = (
    r"(?i:ph[uư][oờ]ng|xã|thị trấn|quận|huy[eệ]n|thị xã|thôn|ấp|xóm|tổ|kp|khu phố|ng[oõ]|"
    r"ng[aá]ch|h[eẻ]m|ki[eệ]t)[\s.]*(?-i:\p{Lu}|\p{Nd})|(?:^|[^\pL])(?-i:P|Q|F|H|TX)[\s.]*\p{Nd}|"
    r"\p{Nd}/\p{Nd}|\p{Nd}\s+(?i:đường|duong|phố|pho|đ\.)"
)
# A street and its name (ở phố Huế), a house number, a name and a comma (12 Lê Lợi, Hà Nội).
_WEAK_ADDRESS_PREFILTER = (
    r"(?i:đường|duong|phố|pho|đ\.)\s*(?-i:\p{Lu}|\p{Nd})|"
    r"\p{Nd}[A-Za-z]?\s+\p{Lu}[\pL\p{M}\p{Nd}_]*(?:[ \-]+\p{Lu}[\pL\p{M}\p{Nd}_]*){0,3}\s*,"
)


# A capital after a word saying someone lives there (quê ở Tân Bình, trú tại số 5 Gò Vấp) or
# after a house number written as one (số 12 Bến Nghé).
_HOUSE_NO_PREFILTER = r"\p{Nd}{1,4}[A-Za-z]?(?:/\p{Nd}{1,4}[A-Za-z]?)*,?\s+"
_LED_UNIT_PREFILTER = (
    rf"(?:^|[^\pL])(?i:{'|'.join(sorted({*LIVES, *map(fold, LIVES)}, key=len, reverse=True))})"
    rf"\s*:?\s*(?:(?i:số nhà|so nha|số|so|sn)?\s*{_HOUSE_NO_PREFILTER})?\p{{Lu}}|"
    rf"(?:^|[^\pL\p{{Nd}}/])(?i:số nhà|so nha|số|sn)\s*{_HOUSE_NO_PREFILTER}\p{{Lu}}"
)


def _prefilters() -> tuple[str, str, str]:
    """RE2 patterns, one of which is true for every text that can hold a value the rules above
    mask (except the row's own identifiers, which macros.sql looks for): six digits close
    together, an '@', a form of address before a family name..."""
    gap = r"[\s\x{00A0}\x{1680}\x{2000}-\x{200B}\x{202F}\x{205F}\x{3000}\x{FEFF}]+"
    forms = "|".join(sorted({*FORMS, *(fold(f) for f in FORMS)}, key=len, reverse=True))
    families = "|".join([*FAMILY_SAFE, *FAMILY_WORDS, *FAMILY_TONELESS])
    givens = "|".join(sorted(_GIVEN_LOWER | _GIVEN_TONELESS, key=len, reverse=True))
    spoken = (*DIGIT_WORDS, *TENS_WORDS)
    digit_words = "|".join(sorted({*spoken, *map(fold, spoken)}, key=len, reverse=True))
    first = (
        # odd spaces (NBSP, thin...) hide values from the plain-space tests in macros.sql
        rf"@|[\x{{00A0}}\x{{2000}}-\x{{200B}}\x{{202F}}\x{{205F}}\x{{3000}}\x{{FEFF}}]|"
        # an address spelled out: [at], (dot), a còng
        r"(?i)[\[({<]\s*(?:at|dot)\s*[\])}>]|(?:^|\s)a ?c[oò]ng\s|"
        # (a class of separators, not "anything but letters": that makes RE2's DFA explode)
        rf"\p{{Nd}}(?:[\s.\-()/+,:_\x{{2013}}\x{{2014}}]{{0,3}}\p{{Nd}}){{5}}|"
        # other identifiers with fewer than six digits after their lead-in or prefix:
        # KH12345, HĐ-2024-..., sinh năm 1956; licence plates; social links; "name at domain"
        rf"(?i)(?:^|[^\pL])(?:{_ID_LEADS})(?:[\s:.#\-_/]|s[oố]){{0,6}}\p{{Nd}}|"
        r"\p{Nd}{2}[\s\-]{0,2}\p{Lu}{1,2}\p{Nd}?[\s\-.]{0,3}\p{Nd}{3}|"
        r"(?:fb|facebook|zalo|tiktok|instagram|twitter|x)\.(?:com|me|vn)/|\sat\s|"
        # addresses: a unit, alley or street word, a slashed house number (addresses.py)
        rf"{_ADDRESS_PREFILTER}|"
        # names without a cue: a middle mark, a lead-in, a common family name (_may_hold_name)
        rf"(?i:(?:^|[^\pL])(?:thị|văn|thi|van|{_LEADS_RE})(?:$|[^\pL]))|"
        rf"(?-i:{'|'.join(f'{f}|{f.upper()}|{_no_marks(f).upper()}' for f in FAMILY_SAFE)})|"
        # a capitalised word after a form of address (chị Lan, KH: TRẦN), case-sensitive
        rf"(?:^|[^\pL])(?i:{forms})(?:{gap}|(?:{gap})?:(?:{gap})?)(?-i:\p{{Lu}})|"
        rf"(?i)(?:^|[^\pL])(?:{forms}){gap}(?:{families})(?:$|[^\pL])"
    )
    # Issue 25's rules, a second pattern: joined to the first, RE2's DFA outgrows its memory
    # and falls back to a scan 60 times slower (3 s instead of 0.05 s over 40,000 texts).
    more = (
        # a given name in lower case after a form of address (_GIVEN_LOWER_NAME)
        rf"(?i:(?:^|[^\pL])(?:{forms}){gap}(?:{givens})(?:$|[^\pL]))|"
        # digits spelt out in words: five digit words or digit groups in a row (_SPELT_NUMBER)
        rf"(?i:(?:{digit_words}|\p{{Nd}}{{1,4}})(?:[\s,.\-]+(?:{digit_words}|\p{{Nd}}{{1,4}})){{4}})|"
        # addresses with no strong part (addresses._LED_STREET, _HOUSE_NAME)
        f"{_WEAK_ADDRESS_PREFILTER}|"
        # a capitalised word after an opening bracket or quote: the row's own given name, (Hồng)
        # (glued after a word, "Hồng,", macros.sql's may_name_own picks it)
        r"[(\[\"“«‘]\p{Lu}"
    )
    # A district or ward after a lead word or a house number (addresses._LED_UNIT), a third
    # pattern for the same reason: in the second it took 1.09 s instead of 0.03 s over 40,000
    # demo texts, and every load runs the prefilter over every text.
    return first, more, _LED_UNIT_PREFILTER


PREFILTERS = _prefilters()


def register(con: duckdb.DuckDBPyConnection, workers: int = 1) -> None:
    """Make ``mask_pii_text`` and ``pii_prefilter`` callable from SQL on this connection
    (macros.sql uses them); ``workers`` processes mask the texts (set_workers)."""
    set_workers(workers)
    con.execute(
        "CREATE OR REPLACE TEMP MACRO pii_prefilter(text) AS coalesce("
        + " or ".join(f"regexp_matches(text, '{p}')" for p in PREFILTERS)
        + ", false)"
    )
    with contextlib.suppress(duckdb.InvalidInputException, duckdb.CatalogException):
        con.remove_function("mask_pii_text")
    con.create_function(
        "mask_pii_text",
        mask_batch,
        ["VARCHAR"] * 7,
        "VARCHAR",
        type=PythonUDFType.ARROW,
        null_handling=FunctionNullHandling.SPECIAL,
        side_effects=False,
    )
