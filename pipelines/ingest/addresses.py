"""Addresses in free text (issue 25), masked as ``[địa chỉ]`` by masking.py.

An address is a chain of parts joined by commas or spaces: a house number (``số 12``,
``123/4``), an alley (``ngõ``, ``ngách``, ``hẻm``, ``kiệt`` and a number), a street (``đường``,
``phố`` and a name), an administrative unit after its word (``phường``, ``xã``, ``thị trấn``,
``quận``, ``huyện``, ``thị xã``, ``thôn``, ``ấp``, ``tổ``, and ``P.``, ``Q.``...: a capitalised
name or a number, so pre-2025 districts are read too), a province or city after its word
(``tỉnh``, ``thành phố``, ``TP``), or a unit's bare name. The
bare names come from a maintained list: the provinces and wards of the ``vietnam-provinces``
package (Nguyễn Hồng Quân, GPL-3.0-or-later, data of the General Statistics Office of Viet Nam,
after the July 2025 rearrangement), plus the provinces merged away in 2025. A house number, a
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
def unit_name_set() -> frozenset[str]:
    """The bare names of provinces and wards (longer than 3 characters), as written and without
    tone marks: a set, so that telling whether a whole name is a unit costs a lookup, not a scan
    of the alternation of 6,000 names."""
    import vietnam_provinces

    data = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    names = {*FORMER_PROVINCES}
    for province in data:
        names.add(re.sub(r"^Thành phố ", "", province["name"]))
        for ward in province["wards"]:
            names.add(re.sub(r"^(?:Phường|Xã|Đặc khu)[^\S\n]+", "", " ".join(ward["name"].split())))
    names |= {_strip(n) for n in names}
    return frozenset(n for n in names if len(n) > 3)


@lru_cache(maxsize=1)
def unit_names() -> re.Pattern[str]:
    """The bare names of provinces and wards, as written and without tone marks."""
    return re.compile(rf"(?<!\w)(?:{alternation(unit_name_set())})(?!\w)")


def addresses(text: str) -> list[tuple[int, int, str]]:
    """Spans of the addresses in ``text``."""
    strong = [
        m.span() for p in (_UNIT, _ALLEY, _HOUSE_ON_STREET, _HOUSE_NAME) for m in p.finditer(text)
    ]
    strong += [m.span("street") for m in _LED_STREET.finditer(text)]
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
