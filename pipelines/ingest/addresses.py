"""Addresses in free text (issue 25), masked as ``[địa chỉ]`` by masking.py.

An address is a chain of parts joined by commas or spaces: a house number (``số 12``,
``123/4``), an alley (``ngõ``, ``ngách``, ``hẻm``, ``kiệt`` and a number), a street (``đường``,
``phố`` and a name), an administrative unit after its word (``phường``, ``xã``, ``thị trấn``,
``quận``, ``huyện``, ``thị xã``, ``thôn``, ``ấp``, ``tổ``, and ``P.``, ``Q.``...: a capitalised
name or a number, so pre-2025 districts are read too), a province or city after its word
(``tỉnh``, ``thành phố``, ``TP``), or a unit's bare name. The
bare names come from a maintained list: the provinces and wards of the ``vietnam-provinces``
package (Nguyễn Hồng Quân, GPL-3.0-or-later, data of the General Statistics Office of Viet Nam,
after the July 2025 rearrangement), plus the provinces merged away in 2025 and the districts and
wards before it (``former_units.txt``, vendored from the same package's release 0.6.0). A
district or ward standing alone is an address after a word saying someone lives or is there
(``quê ở Tân Bình``, ``sống tại Cầu Giấy``, ``trú tại số 5 Gò Vấp``), not after a branch or an
office (``PGD Tân Bình``, ``chi nhánh ở Gò Vấp``). A house number, a
street, a province or a bare name counts only beside a stronger part (an alley, a house on a
street, a unit below a province after its word, a house number before a name, a comma and a
place's name as in ``12 Lê Lợi, Hà Nội``, a street after ``ở``, ``tại``, ``nhà`` or ``địa
chỉ``), so ``số 12``, ``đường Lê Lợi`` or ``Thành phố Hồ Chí Minh`` alone stay readable.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

ADDRESS = "[địa chỉ]"

# Provinces merged into others on 1 July 2025: still written in addresses.
FORMER_PROVINCES = (
    "Hà Giang", "Yên Bái", "Bắc Kạn", "Vĩnh Phúc", "Hòa Bình", "Bắc Giang", "Hải Dương",
    "Thái Bình", "Hà Nam", "Nam Định", "Quảng Bình", "Quảng Nam", "Kon Tum", "Phú Yên",
    "Bình Định", "Ninh Thuận", "Đắk Nông", "Bình Phước", "Bình Dương", "Bà Rịa - Vũng Tàu",
    "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Sóc Trăng", "Hậu Giang", "Bạc Liêu",
    "Kiên Giang", "Thừa Thiên Huế",
)  # fmt: skip

# An upper-case letter (Python's re has no \p{Lu}; à-ỹ would hold Đ and Ạ too).
UPPER = "[" + "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isupper()) + "]"
_CAP = rf"{UPPER}\w*"  # a capitalised word (or one in capitals)
_NAME = rf"{_CAP}(?:[ \-]+{_CAP}){{0,3}}"
_SP = r"[^\S\n]"  # a space, never a line break: an address is on one line
# Units below a province: an address, written after their word or its abbreviation.
_UNIT_WORD = (
    r"(?:(?i:ph[uư][oờ]ng|xã|thị trấn|quận|huy[eệ]n|thị xã|thôn|ấp|xóm|tổ dân phố|khu phố|"
    r"tổ|kp)|P|Q|H|TX|F)"
)
_UNIT = re.compile(
    rf"(?<!\w)(?<!hàng )(?<!Hàng ){_UNIT_WORD}(?:\.{_SP}*|{_SP}+)(?:{_NAME}|\d{{1,2}}(?!\d))"
    rf"|(?<!\w)(?:P|Q|F)\.?\d{{1,2}}(?![\w])"
)
# A province or city after its word: part of an address beside the rest, not one alone
# (a review names "Thành phố Hồ Chí Minh"; "TP Bank" is a bank).
_PROVINCE = re.compile(
    rf"(?<!\w)(?:(?i:t[iỉ]nh|th[aà]nh ph[oố]|tp)|TP)(?:\.[^\S\n]*|[^\S\n]+)(?![Bb]ank)"
    rf"(?:{_NAME}|[A-Z]{{2,4}})"
)
_ALLEY = re.compile(
    r"(?<!\w)(?i:ng[oõ]|ng[aá]ch|h[eẻ]m|ki[eệ]t)[^\S\n]*(?:s[oố][^\S\n]*)?\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
    r"(?!\w)"
)
_STREET_WORD = r"(?i:đường|duong|phố|pho|đ\.)"
_STREET = re.compile(rf"(?<!\w){_STREET_WORD}[^\S\n]*(?:{_NAME}|\d+[A-Z]?(?!\w))")
# A house on a street: 123/4 Lê Lợi (a number with a slash, then a name), 12 phố Huế.
_HOUSE_ON_STREET = re.compile(
    rf"(?<![\w/])\d{{1,4}}[A-Za-z]?(?:/\d{{1,3}}[A-Za-z]?)+[^\S\n]+{_NAME}"
    rf"|(?<![\w/])\d{{1,4}}[A-Za-z]?(?:/\d{{1,3}}[A-Za-z]?)*[^\S\n]+{_STREET_WORD}[^\S\n]*{_NAME}"
)
_HOUSE = re.compile(
    r"(?<!\w)(?:(?i:s[oố] nh[aà]|sn|s[oố])[^\S\n]*)?\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*(?![\w/])"
    rf"(?:[^\S\n]+{_NAME})?"
)
# A street after a word that says where someone is or lives (ở, tại, nhà, địa chỉ, đ/c): an
# address though nothing else is written (ở phố Huế, địa chỉ: đường Kim Mã). Without the word,
# "đường Lê Lợi" may be a branch or a landmark and stays readable.
_LED_STREET = re.compile(
    r"(?<!\w)(?i:ở|o|tại|tai|nhà|nha|địa chỉ|dia chi|đ/c|đc|dc)[^\S\n]*:?[^\S\n]*"
    rf"(?P<street>{_STREET_WORD}[^\S\n]*(?:{_NAME}|\d+[A-Z]?(?!\w)))"
)
# A house number before a street's name, then a comma and a place's name (12 Lê Lợi, Hà Nội;
# 45 Kim Mã, Ba Đình, with a ward the maintained list no longer has): a number, capitalised
# words, a comma and capitalised words is an address (none in 5,400 app reviews, the demo or
# the clean texts). Not a number that counts something (kỳ 3, tháng 5, lần 2, điều 3).
_HOUSE_NAME = re.compile(
    r"(?<![\w/.,:])(?<!kỳ )(?<!ky )(?<!tháng )(?<!thang )(?<!lần )(?<!lan )(?<!điều )"
    rf"(?<!dieu )(?<!ngày )(?<!ngay )(?<!năm )(?<!nam )\d{{1,4}}[A-Za-z]?[^\S\n]+{_NAME}"
    rf"[^\S\n]*,[^\S\n]*{_NAME}"
)
_JOIN = re.compile(r"[^\S\n]*[,;\-–]?[^\S\n]*")  # what may stand between two parts of one address


def _strip(text: str) -> str:
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in s if not unicodedata.combining(c)))


def alternation(words: Iterable[str], space: str = r"[^\S\n]+") -> str:
    """A regex matching any of ``words`` (a space in a word matches ``space``), written as a
    trie: Python's re tries a plain alternation's thousands of branches at every word of a text,
    a trie only the branches that share what it has read. At each point a longer word is tried
    before a shorter one, so the longest word matching at a position wins, as in an alternation
    sorted longest first."""
    trie: dict = {}
    for word in words:
        node = trie
        for c in word:
            node = node.setdefault(c, {})
        node[""] = {}
    return _trie_regex(trie, space)


def _trie_regex(node: dict, space: str) -> str:
    branches = [
        (space if c == " " else re.escape(c)) + _trie_regex(child, space)
        for c, child in sorted(node.items())
        if c
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" in node:  # a word ends here: the longer ones first, then this one
        return f"(?:{body})?"
    return body


@lru_cache(maxsize=1)
def _divisions() -> list[dict]:
    """The vietnam-provinces package's provinces with their wards (after July 2025), read once."""
    import vietnam_provinces

    return json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _province_names() -> frozenset[str]:
    """Provinces, current and merged away in 2025, as written."""
    names = (re.sub(r"^Thành phố ", "", p["name"]) for p in _divisions())
    return frozenset({*FORMER_PROVINCES, *names})


@lru_cache(maxsize=1)
def _current_ward_names() -> frozenset[str]:
    """Wards after July 2025, as written."""
    return frozenset(
        re.sub(r"^(?:Phường|Xã|Đặc khu)[^\S\n]+", "", " ".join(ward["name"].split()))
        for province in _divisions()
        for ward in province["wards"]
    )


@lru_cache(maxsize=1)
def former_unit_names() -> frozenset[str]:
    """The districts and wards before July 2025 (former_units.txt, vendored: its header says
    from where and under which licence)."""
    lines = (Path(__file__).with_name("former_units.txt")).read_text(encoding="utf-8")
    return frozenset(n for n in lines.splitlines() if n and not n.startswith("#"))


@lru_cache(maxsize=1)
def unit_name_set() -> frozenset[str]:
    """The bare names of provinces and wards after July 2025 (longer than 3 characters), as
    written and without tone marks: a set, so that telling whether a whole name is a unit costs
    a lookup, not a scan of the alternation of 6,000 names. (Not the 7,000 names before 2025:
    "Hương Mai", a ward until then, is a person's name too.)"""
    names = _province_names() | _current_ward_names()
    return frozenset(n for n in names | {_strip(n) for n in names} if len(n) > 3)


@lru_cache(maxsize=1)
def local_unit_names() -> re.Pattern[str]:
    """Districts and wards (not provinces: "quê ở Thái Bình" names a province, no one's
    address), as written and without tone marks, matched where a lead word leaves off."""
    names = (_current_ward_names() | former_unit_names()) - _province_names()
    names |= {_strip(n) for n in names} - {_strip(n) for n in _province_names()}
    return re.compile(rf"(?:{alternation(n for n in names if len(n) > 3)})(?!\w)")


@lru_cache(maxsize=1)
def unit_names() -> re.Pattern[str]:
    """The bare names of provinces, wards and the districts and wards before July 2025, as
    written and without tone marks: parts of an address beside a stronger one."""
    former = {n for n in former_unit_names() if len(n) > 3}
    names = unit_name_set() | former | {_strip(n) for n in former}
    return re.compile(rf"(?<!\w)(?:{alternation(names)})(?!\w)")


# A district or ward standing alone (Tân Bình, Cầu Giấy: local_unit_names) after a word saying
# someone lives or is there (quê ở, sống tại, trú, địa chỉ...), a house number between them or
# not; or after a house number written as one (số 5 Gò Vấp). Without such a word, "Tân Bình"
# may be a branch or a landmark and stays readable.
LIVES = (
    "ở", "tại", "quê quán", "nguyên quán", "quê", "nhà", "thường trú", "tạm trú", "cư trú",
    "trú", "sống", "địa chỉ", "đ/c", "đc", "hktt",
)  # fmt: skip
_LIVES_WRITTEN = frozenset({*LIVES, *map(_strip, LIVES)})
_HOUSE_NO = r"\d{1,4}[a-z]?(?:/\d{1,4}[a-z]?)*,?[^\S\n]+"
# On the folded text (lower case, no tone marks: one scan without IGNORECASE is three times
# cheaper), the words as a trie after one \b (half the cost of a lookbehind and an
# alternation); the lead word is then checked as written ("ô", "ơ" are no "ở").
_LED_UNIT = re.compile(
    rf"\b(?:(?P<lead>{alternation({_strip(w).lower() for w in LIVES})})[^\S\n]*:?[^\S\n]*"
    rf"(?P<house>(?:(?:so nha|so|sn)[^\S\n]*)?{_HOUSE_NO})?"
    rf"|(?P<numbered>(?:so nha|so|sn)[^\S\n]*{_HOUSE_NO}))(?=\w)"
)
# A branch, an office or a shop before the word: "chi nhánh ở Gò Vấp" names no one's home.
_BRANCH_BEFORE = re.compile(
    r"(?i:chi nhánh|chi nhanh|pgd|phòng giao dịch|phong giao dich|văn phòng|van phong|"
    r"cửa hàng|cua hang|trụ sở|tru so|atm|điểm giao dịch|diem giao dich|đại lý|dai ly|"
    r"ngân hàng|ngan hang|công ty|cong ty|siêu thị|sieu thi|showroom)[^\S\n]*$"
)


def may_lead_unit(text: str, folded: str) -> bool:
    """Whether a lead word or a house number stands before a district or ward (led_units);
    ``folded`` is ``text`` in lower case without tone marks, character for character."""
    return bool(led_units(text, folded, branches=False))


def led_units(text: str, folded: str, branches: bool = True) -> list[tuple[int, int]]:
    """Spans of the districts and wards that a word saying someone lives there, or a house
    number, leads (with the house number); not after a branch or an office."""
    spans = []
    for m in _LED_UNIT.finditer(folded):
        at = m.end()
        if (
            not text[at].isupper()
            or folded[m.start() - 1 : m.start()] == "/"
            or (m.group("lead") and text[m.start() : m.end("lead")].lower() not in _LIVES_WRITTEN)
        ):
            continue
        unit = local_unit_names().match(text, at)
        if (
            unit is None
            or branches
            and _BRANCH_BEFORE.search(text, max(0, m.start() - 24), m.start())
        ):
            continue
        start = m.start("house") if m.group("house") else m.start("numbered")
        spans.append((at if start < 0 else start, unit.end()))
    return spans


def addresses(text: str, folded: str) -> list[tuple[int, int, str]]:
    """Spans of the addresses in ``text`` (``folded``: the same in lower case without tone
    marks, character for character)."""
    strong = [
        m.span() for p in (_UNIT, _ALLEY, _HOUSE_ON_STREET, _HOUSE_NAME) for m in p.finditer(text)
    ]
    strong += [m.span("street") for m in _LED_STREET.finditer(text)]
    strong += led_units(text, folded)
    if not strong:
        return []
    weak = [m.span() for p in (_HOUSE, _STREET, _PROVINCE) for m in p.finditer(text)]
    weak += [m.span() for m in unit_names().finditer(text)]
    spans = sorted(strong)
    # grow each chain by the weak parts next to it, until nothing more joins
    pending = sorted(set(weak) - set(strong))
    grew = True
    while grew and pending:
        grew = False
        for part in list(pending):
            for s, e in spans:
                if _touches(text, part, (s, e)):
                    spans.append(part)
                    pending.remove(part)
                    grew = True
                    break
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and (s <= merged[-1][1] or _JOIN.fullmatch(text, merged[-1][1], s)):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e, ADDRESS) for s, e in merged]


def _touches(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] < b[1] and b[0] < a[1]:
        return True
    left, right = (a, b) if a[1] <= b[0] else (b, a)
    return bool(_JOIN.fullmatch(text, left[1], right[0]))
