"""Demo places: names (streets, communities, estates, roads, people) and the premises, rooms and
areas the builder cycles through."""

from __future__ import annotations

from gongzhi.places.models import RoomFunction

# Streets of 娄星区 (the names are real, the sequence codes are the demo's own). The district
# scale needs ten: the last three borrow the names of towns of 娄星区.
STREET_NAMES = [
    "乐坪街道",
    "花山街道",
    "长青街道",
    "大科街道",
    "黄泥塘街道",
    "涟滨街道",
    "大埠桥街道",
    "杉山街道",
    "万宝街道",
    "茶园街道",
]
COMMUNITY_WORDS = [
    "春园", "月塘", "湘阳", "吉星", "书院", "花山", "东青", "长青", "西阳", "涟水",
    "大科", "九星", "沿河", "涟滨", "青山", "黄泥塘", "石门", "大汉", "贤童", "杏园",
    "新星", "氐星", "珠山", "孙水", "乐坪",
]  # fmt: skip
COMMUNITY_SUFFIXES = ["", "东", "西", "南", "北"]
ESTATE_STEMS = [
    "乐坪", "春园", "长青", "氐星", "湘中", "花山", "大科", "涟滨", "吉星", "月塘",
    "书院", "湘阳", "贤童", "孙水", "涟水", "珠山", "娄星", "水府", "梅山", "锦绣",
    "阳光", "碧桂", "恒大", "中梁", "碧水", "新星", "东方", "金海", "青山", "翠竹",
    "丽景", "天宝", "世纪", "湘银", "华都", "康桥", "紫薇", "龙湾", "九星", "杏园",
]  # fmt: skip
ESTATE_SUFFIXES = ["花园", "小区", "家园", "雅苑", "公寓", "新村", "华庭", "名苑"]
ROADS = [
    "乐坪大道", "长青街", "氐星路", "春园路", "湘中大道", "娄星路", "吉星路", "贤童街",
    "新星路", "涟滨路", "花山路", "月塘路",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN_NAMES = [
    "建国", "秀英", "伟", "芳", "敏", "静", "丽华", "强", "磊", "军", "洋", "勇", "艳",
    "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "志强", "晓燕", "海燕",
    "红梅", "国庆", "俊", "立新", "文博", "思远", "雨欣", "子涵", "浩然", "欣怡",
]  # fmt: skip
# Service premises per community (m²), cycled; some below the 400 m² that loudi.yaml asks for.
SERVICE_AREAS = [650, 520, 380, 300, 800, 450, 360, 700]
# The community (by build order, cycled every five) that is newly built: 520 m², short of 600.
NEW_COMMUNITY_SEQ = 1
# Rooms by build order, cycled every five (001 §8–9): (function, name, m²); None: not recorded.
_NAMED_ROOMS = [
    (RoomFunction.PARTY_MASS, "党群活动室", "90"),
    (RoomFunction.MEDIATION, "人民调解室", "20"),
    (RoomFunction.POLICE, "警务室", "18"),
    (RoomFunction.FAMILY_PLANNING, "计划生育服务室", "16"),
    (RoomFunction.CHARITY_SUPERMARKET, "慈善超市", "40"),
    (RoomFunction.OFFICE, "社区办公室", "45"),
]
ROOMS_BY_SEQ = [
    [(RoomFunction.SERVICE_HALL, "社区服务中心大厅", "80"), *_NAMED_ROOMS],
    [
        (RoomFunction.SERVICE_HALL, "社区服务中心大厅", "60"),
        *_NAMED_ROOMS,
        (RoomFunction.ELDERLY_CARE, "日间照料中心", "150"),
    ],
    # No mediation room, and a service hall under 50 m².
    [(RoomFunction.SERVICE_HALL, "便民服务大厅", "45"), *_NAMED_ROOMS[:1], *_NAMED_ROOMS[2:]],
    [
        (RoomFunction.SERVICE_HALL, "社区服务中心大厅", "50"),
        *_NAMED_ROOMS,
        (RoomFunction.CHILDCARE, "四点半课堂", "60"),
    ],
    None,
]
# Grid workers who are part-time (兼职网格员): grids from this number on, by build order cycled
# every five; the fourth community has the most and is short of full-time staff.
PART_TIME_FROM_GRID = [5, 5, 5, 3, 5]
AREAS_M2 = ["58.60", "72.35", "89.50", "96.80", "108.20", "115.60", "126.40", "143.90"]

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 37 → 三十七 (1–99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def person_name(i: int) -> str:
    return (
        SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[(i * 7 + i // len(SURNAMES)) % len(GIVEN_NAMES)]
    )


def community_name(i: int) -> str:
    n = len(COMMUNITY_WORDS)
    return f"{COMMUNITY_WORDS[i % n]}{COMMUNITY_SUFFIXES[(i // n) % len(COMMUNITY_SUFFIXES)]}社区"


def estate_name(k: int) -> str:
    n, m = len(ESTATE_STEMS), len(ESTATE_SUFFIXES)
    name = ESTATE_STEMS[k % n] + ESTATE_SUFFIXES[(k + k // n) % m]
    phase = k // (n * m)
    return f"{name}{cn_number(phase + 1)}期" if phase else name


def street_name(i: int) -> str:
    base = STREET_NAMES[i % len(STREET_NAMES)]
    return (
        base if i < len(STREET_NAMES) else f"{base[:-2]}{cn_number(i // len(STREET_NAMES) + 1)}街道"
    )
