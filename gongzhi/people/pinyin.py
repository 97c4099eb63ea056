"""Pinyin initials for name search: 张三丰 → "zsf".

Each character is read in its commonest reading from pypinyin's character table (a plain dict
lookup: imports of 100,000 rows spend microseconds here, where phrase segmentation cost ~20 µs a
name). A surname is read as a surname: 单田芳 → "stf" (shàn), 曾国藩 → "zgf" (zēng), so the
first character goes through SURNAMES first. Latin letters are kept: "Li Lei" → "lilei".
"""

import unicodedata
from functools import cache, lru_cache

from pypinyin.pinyin_dict import pinyin_dict

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


@cache
def _letter(char: str) -> str:
    if char.isascii():
        return char.lower() if char.isalpha() else ""
    readings = pinyin_dict.get(ord(char))
    if not readings:
        return ""
    first = unicodedata.normalize("NFKD", readings.split(",")[0])[0]
    return first.lower() if first.isascii() else ""


@lru_cache(maxsize=65536)
def initials(name: str) -> str:
    name = (name or "").strip()
    if not name:
        return ""
    letters = [_letter(c) for c in name]
    if name[0] in SURNAMES:
        letters[0] = SURNAMES[name[0]]
    return "".join(letters)[:64]
