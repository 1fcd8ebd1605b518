"""Vietnamese given names of one syllable, for telling a given name written alone in lower case
after a form of address (``chị lan gọi``, ``bà tư nói``) from an everyday word (``anh ấy``,
``chị em``, ``bà con``).

Compiled by hand for this project (issue 25) from common Vietnamese given names, and the
ordinal nicknames used as names in the south (``anh Hai``, ``bà Tư``, ``chú Năm``); no
maintained list of Vietnamese given names was found on PyPI. Tests measure recall on given
names listed separately (tests/personal_values.GIVENS, tests/other_values.GIVEN), not on this
list.
"""

from __future__ import annotations

# fmt: off
GIVEN_SYLLABLES = (
    "An", "Anh", "Bảo", "Bích", "Bình", "Cúc", "Cường", "Chi", "Châu", "Chung", "Dung", "Dũng",
    "Duy", "Dương", "Đào", "Đạt", "Điệp", "Định", "Đông", "Đức", "Giang", "Hà", "Hải", "Hạnh",
    "Hằng", "Hân", "Hậu", "Hiền", "Hiếu", "Hiệp", "Hoa", "Hòa", "Hoà", "Hoài", "Hoàn", "Hồng",
    "Huệ", "Hùng", "Hưng", "Hương", "Hường", "Huy", "Huyền", "Khang", "Khanh", "Khánh", "Khoa",
    "Khôi", "Kiên", "Kiều", "Lan", "Lâm", "Liên", "Liễu", "Linh", "Loan", "Long", "Lộc", "Lợi",
    "Luân", "Ly", "Mai", "Minh", "My", "Mỹ", "Nam", "Nga", "Ngân", "Nghĩa", "Ngọc",
    "Nguyệt", "Nhân", "Nhi", "Nhung", "Như", "Oanh", "Phát", "Phong", "Phúc", "Phụng",
    "Phương", "Phượng", "Quang", "Quân", "Quế", "Quyên", "Quỳnh", "Sang", "Sơn", "Tài",
    "Tâm", "Tân", "Thảo", "Thắm", "Thắng", "Thanh", "Thành", "Thịnh", "Thu", "Thủy",
    "Thuỷ", "Thúy", "Thuý", "Thư", "Tiến", "Toàn", "Trang", "Trâm", "Trí", "Trinh", "Trung",
    "Tú", "Tuấn", "Tùng", "Tuyết", "Tý", "Uyên", "Vân", "Vi", "Việt", "Vinh", "Vũ", "Vy",
    "Xuân", "Yến",
    # ordinal nicknames: the second to tenth child (anh Hai, chị Ba, bà Tư, chú Năm...)
    "Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười",
)
# fmt: on
