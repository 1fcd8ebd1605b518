"""Vietnamese phone numbers in free text, found by Google's libphonenumber at a fraction of its
cost (issue 25: the worst case, every text holding personal data, must be cheap).

libphonenumber's matcher finds candidates with its own pattern and then parses and validates
each one in full (about a tenth of a millisecond): in a complaint that holds a phone and a
12-digit CCCD, both are parsed, and the CCCD can never be a phone. ``Matcher`` keeps the
matcher's search, its checks and its answers, and decides a candidate from libphonenumber's
own metadata for VN (``PhoneMetadata``, the patterns ``is_valid_number`` applies) when the
candidate is plain digits and separators without a '+': one whose digits cannot be a valid VN
number however its prefix is read is refused at once; one written ``0`` and a valid national
number is accepted at once. Every other candidate (a '+', an extension, other digits) goes to
libphonenumber as before. ``tests/test_masking_kinds.py`` checks the answers against the plain
matcher's.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberMatch, PhoneNumberMatcher

# Digits and the separators staff type between them, nothing else (no '+', no extension).
_PLAIN = re.compile(r"[0-9 .\-()/]+")
_NOT_DIGIT = re.compile(r"\D")
# libphonenumber's checks on a candidate's brackets and page ranges (phonenumbermatcher).
_BRACKETS_OK = phonenumbers.phonenumbermatcher._MATCHING_BRACKETS
_PUB_PAGES = phonenumbers.phonenumbermatcher._PUB_PAGES


@lru_cache(maxsize=1)
def _vn_types() -> tuple[re.Pattern[str], list[tuple[re.Pattern[str], frozenset[int]]]]:
    """VN's general pattern and each number type's pattern and lengths, from the metadata that
    ``is_valid_number`` reads."""
    meta = PhoneMetadata.metadata_for_region("VN")
    assert meta is not None and meta.general_desc is not None
    general_lengths = meta.general_desc.possible_length or ()
    general = re.compile(str(meta.general_desc.national_number_pattern))
    types = []
    for name in ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
                 "personal_number", "pager", "uan", "voicemail"):  # fmt: skip
        desc = getattr(meta, name)
        if desc is not None and desc.national_number_pattern:
            lengths = frozenset(desc.possible_length or general_lengths)
            types.append((re.compile(str(desc.national_number_pattern)), lengths))
    return general, types


@lru_cache(maxsize=65536)
def valid_national(nsn: str) -> bool:
    """Whether ``nsn`` (a national significant number, ASCII digits) is a valid VN number, as
    ``phonenumbers.is_valid_number`` decides it."""
    general, types = _vn_types()
    if not general.fullmatch(nsn):
        return False
    return any(len(nsn) in lengths and p.fullmatch(nsn) for p, lengths in types)


def _readings(digits: str) -> list[str]:
    """Every national number ``parse(digits, "VN")`` may keep: the digits without the country
    code 84 or with it, each without none, some or all of its leading zeros (it reads
    ``8400942279324`` as +84 942279324)."""
    bases = [digits, digits[2:]] if digits.startswith("84") else [digits]
    return [b[i:] for b in bases for i in range(len(b) - len(b.lstrip("0")) + 1)]


def _verdict(candidate: str) -> str | None:
    """A valid VN national number when the candidate is surely one ("0" and a valid national
    number), "" when it surely is none, None when only libphonenumber can tell."""
    if not _PLAIN.fullmatch(candidate):
        return None
    digits = _NOT_DIGIT.sub("", candidate)
    if digits.startswith("00"):  # an international call prefix: another country's number
        return None
    if digits.startswith("0") and valid_national(digits[1:]):
        return digits[1:]
    return None if any(valid_national(r) for r in _readings(digits)) else ""


def is_valid_vn(digits: str) -> bool:
    """``phonenumbers.is_valid_number(parse(digits, "VN"))`` for a number typed with its trunk 0
    (decided from the metadata), else for any digits as libphonenumber decides."""
    if digits.startswith("0") and not digits.startswith("00") and digits.isascii():
        return valid_national(digits[1:])
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(digits, "VN"))
    except phonenumbers.NumberParseException:
        return False


class Matcher(PhoneNumberMatcher):
    """libphonenumber's matcher for region VN at leniency VALID, deciding plain candidates from
    the metadata (see the module's docstring)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, "VN", leniency=phonenumbers.Leniency.VALID)

    def _extract_match(self, candidate: str, offset: int) -> PhoneNumberMatch | None:
        # Digits alone that are no VN number hold no inner number either (libphonenumber looks
        # for one after a slash, bracket, dash, dot or space): a CCCD costs one check.
        if candidate.isascii() and candidate.isdigit() and _verdict(candidate) == "":
            return None
        return super()._extract_match(candidate, offset)

    def _parse_and_verify(self, candidate: str, offset: int) -> PhoneNumberMatch | None:
        nsn = _verdict(candidate)
        if nsn is None:
            return super()._parse_and_verify(candidate, offset)
        if not nsn or not self._surroundings_ok(candidate, offset):
            return None
        number = PhoneNumber(country_code=84, national_number=int(nsn))
        return PhoneNumberMatch(offset, candidate, number)

    def _surroundings_ok(self, candidate: str, offset: int) -> bool:
        """libphonenumber's checks before it parses: brackets that pair, no page range, and no
        Latin letter, currency sign or '%' right before or after the number."""
        if not _BRACKETS_OK.fullmatch(candidate) or _PUB_PAGES.search(candidate):
            return False
        end = offset + len(candidate)
        around = [self.text[offset - 1]] if offset > 0 and candidate[0] != "(" else []
        around += [self.text[end]] if end < len(self.text) else []
        return not any(_latin_letter_or_sign(c) for c in around)


def _latin_letter_or_sign(c: str) -> bool:
    """libphonenumber's test of a number's neighbour (a Latin letter, a currency sign, '%'),
    answered without its Unicode tables for an ASCII character (A-Z, a-z, '$', '%')."""
    if c.isascii():
        return c.isalpha() or c in "$%"
    return Matcher._is_invalid_punctuation_symbol(c) or Matcher._is_latin_letter(c)
