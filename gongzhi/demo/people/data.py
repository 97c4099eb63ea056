"""Demo people: what families are drawn from (household sizes, surnames, given names, areas,
phones, skills, workplaces) and the columns a batch writes."""

from __future__ import annotations

from gongzhi.demo import places as places_demo

BATCH_SIZE = places_demo.BATCH_SIZE

# Household sizes 1–5: weights per scale. Small: mean 2.53 (≈25,000 residents in 10,000
# households); district: mean 2.87 (≈1,004,000 in 350,000).
SIZE_WEIGHTS = {
    "small": (22, 32, 25, 13, 8),
    "district": (15, 26, 28, 19, 12),
}

SQLITE_CACHE_KIB = 128 * 1024  # page cache during the build (SQLite), see _Builder.run

PARTY_SHARE = 0.07  # of adults
IN_SERVICE_SHARE = 0.10  # of members of working age
NO_BRANCH_EVERY = 20  # one grid in twenty has no branch (the gaps panel): in the demo
NO_BRANCH_REMAINDER = 7  # street, 第八网格 of 春园社区 and 第四网格 of 吉星社区
NO_GROUP_SHARE = 0.12  # buildings without a party group, in grids with a branch

# The commonest surnames with their share in percent (2020 census order), Hunan-common
# ones (谭 彭 曾 肖 邓 廖 龚 贺 易 颜) a little heavier.
SURNAME_WEIGHTS = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.8, "陈": 4.5, "杨": 3.1, "黄": 2.2, "赵": 2.0,
    "吴": 2.0, "周": 1.9, "徐": 1.3, "孙": 1.2, "马": 1.1, "朱": 1.1, "胡": 1.3, "郭": 1.0,
    "何": 1.2, "林": 0.9, "罗": 1.4, "高": 0.9, "郑": 0.8, "梁": 0.7, "谢": 1.0, "宋": 0.6,
    "唐": 1.0, "许": 0.6, "韩": 0.5, "邓": 1.1, "冯": 0.5, "曹": 0.6, "彭": 1.0, "曾": 1.0,
    "肖": 0.9, "田": 0.5, "董": 0.5, "袁": 0.5, "潘": 0.4, "蒋": 0.6, "谭": 0.9, "廖": 0.6,
    "龚": 0.4, "贺": 0.5, "易": 0.4, "颜": 0.3, "段": 0.3, "欧阳": 0.1,
}  # fmt: skip
_SURNAMES = list(SURNAME_WEIGHTS)
_SURNAME_CUM = []
_total = 0.0
for _w in SURNAME_WEIGHTS.values():
    _total += _w
    _SURNAME_CUM.append(_total)

# Given names by generation (born before 1965 / 1965–1989 / 1990 on) and gender.
GIVEN = {
    ("old", "M"): [
        "建国", "国庆", "建华", "德明", "志刚", "永红", "卫国", "长生", "福生", "国华", "建军",
        "振华", "庆云", "桂林", "树林", "正平", "文革", "学军", "金山", "光明", "新民", "铁军",
    ],
    ("old", "F"): [
        "秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "淑珍", "秀珍", "玉珍", "冬梅", "腊梅",
        "翠兰", "桂芳", "春花", "菊香", "素珍", "爱华", "美华", "金凤", "玉梅", "月娥", "香莲",
    ],
    ("mid", "M"): [
        "伟", "强", "勇", "军", "磊", "涛", "斌", "超", "明", "刚", "杰", "志强", "海涛", "建军",
        "立新", "文斌", "志勇", "永刚", "晓东", "俊杰", "国平", "小军", "卫东", "红兵", "海波",
    ],
    ("mid", "F"): [
        "芳", "敏", "静", "丽", "艳", "娟", "霞", "燕", "红", "萍", "晓燕", "海燕", "红梅",
        "丽娟", "小红", "艳红", "春燕", "慧", "玲", "琴", "丽萍", "美玲", "雪梅", "晓丽", "婷",
    ],
    ("young", "M"): [
        "浩然", "子轩", "宇航", "梓豪", "俊熙", "思远", "文博", "一鸣", "子涵", "宇", "浩",
        "鑫", "昊天", "博文", "家豪", "嘉懿", "睿", "皓轩", "煜", "天佑", "铭", "泽宇", "锦程",
    ],
    ("young", "F"): [
        "欣怡", "雨欣", "子涵", "梓涵", "诗涵", "可馨", "思琪", "佳怡", "雨桐", "梦瑶", "紫涵",
        "一诺", "若汐", "婧", "妍", "悦", "琳", "语嫣", "欣然", "佳琪", "晨曦", "雅琴", "安琪",
    ],
}  # fmt: skip

# GB/T 2260 area codes: 娄星区 first, then the rest of Loudi and other Hunan districts/counties.
HOME_AREA = places_demo.DISTRICT_CODE
HUNAN_AREAS = [
    "431321", "431322", "431381", "431382",  # 双峰 新化 冷水江 涟源
    "430102", "430103", "430104", "430111", "430121",  # 长沙
    "430302", "430304", "430381",  # 湘潭
    "430406", "430408", "430482",  # 衡阳
    "430502", "430582", "430522",  # 邵阳
    "430602", "430702", "430902", "431102", "431202",
]  # fmt: skip
PHONE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183",
    "184", "185", "186", "187", "188", "189", "191", "199",
]  # fmt: skip
SKILLS = [
    "电工", "水电维修", "法律咨询", "医护", "心理咨询", "书法", "摄影", "厨艺", "家电维修",
    "理发", "裁缝", "驾驶", "会计", "教育辅导", "文艺表演", "广场舞", "园艺", "电脑维修",
]  # fmt: skip
# (workplace, its party organisation) for in-service members.
WORKPLACES = [
    ("娄底市第一人民医院", "娄底市第一人民医院党委"),
    ("国家税务总局娄底市娄星区税务局", "娄星区税务局机关党支部"),
    ("娄底市中心医院", "娄底市中心医院党委"),
    ("娄星区教育局", "娄星区教育局机关党支部"),
    ("娄底职业技术学院", "娄底职业技术学院党委"),
    ("国网娄底供电公司", "国网娄底供电公司党委"),
    ("娄星区人民法院", "娄星区人民法院机关党支部"),
    ("湖南人文科技学院", "湖南人文科技学院党委"),
    ("娄底市公安局娄星分局", "娄底市公安局娄星分局党委"),
    ("中国建设银行娄底分行", "中国建设银行娄底分行党委"),
    ("娄底市第三中学", "娄底市第三中学党总支"),
    ("娄星区市场监督管理局", "娄星区市场监督管理局机关党支部"),
]

# The columns _flush writes, in its row order (the rest get their model defaults).
RESIDENT_COLUMNS = (
    "name", "name_initials", "gender", "birth_date", "id_encrypted", "id_index", "id_masked",
    "phone_encrypted", "phone_index", "phone_masked", "household", "relation", "place_path",
    "residence_status", "specialty", "consent_personal_info", "consent_contact",
    "consent_publicity",
)  # fmt: skip
MEMBER_COLUMNS = (
    "resident", "org", "status", "joined_on", "in_service", "workplace", "workplace_org",
    "place_path",
)  # fmt: skip

# Names that belong to the demo logins' people only.
RESERVED_NAMES = frozenset(name for _role, _login, name, _where in places_demo.DEMO_LOGINS)
