"""Pinyin initials for name search: 张三丰 → "zsf".

A surname is read as a surname: 单田芳 → "stf" (shàn), 曾国藩 → "zgf" (zēng). pypinyin reads
characters in their commonest sense, so the first character goes through SURNAMES first.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Polyphonic characters whose surname reading differs from the common one: initial letter.
SURNAMES = {
    "单": "s",  # shàn
    "曾": "z",  # zēng
    "解": "x",  # xiè
    "仇": "q",  # qiú
    "区": "o",  # ōu
    "查": "z",  # zhā
    "盖": "g",  # gě
    "朴": "p",  # piáo
    "乐": "y",  # yuè
    "尉": "y",  # yù (尉迟)
    "长": "z",  # zhǎng (长孙)
    "种": "c",  # chóng
    "繁": "p",  # pó
    "员": "y",  # yùn
    "召": "s",  # shào
    "缪": "m",  # miào
    "翟": "z",  # zhái
    "覃": "q",  # qín
    "秘": "b",  # bì
    "万": "w",
}


@lru_cache(maxsize=65536)
def initials(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    if name[0] in SURNAMES and letters:
        letters[0] = SURNAMES[name[0]]
    return "".join(letters).lower()[:64]
