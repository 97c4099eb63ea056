"""Resident import: the file format (columns, accepted values), the limits, the messages and errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext, gettext_noop

from gongzhi.people.idcard import IdType
from gongzhi.people.models import (
    Relation,
    ResidenceStatus,
    Tag,
)

if TYPE_CHECKING:
    from gongzhi.people.imports.checks import CheckResult

MAX_ROWS = 200_000  # beyond this a file must be split (a street's worth of residents)
LINE_SLACK = 1_000  # header and blank lines read beyond MAX_ROWS before a file is refused
CHUNK = 900  # rows per lookup query and per write transaction (valid_only); < SQLite's 999
PROGRESS_EVERY = 1000
AUDIT_ACTION = "resident.import"

# -- the file format ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header of the template: part of the file format, not UI text
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True),
    Column("id_type", "证件类型", False, ("证件种类",)),
    Column("id_number", "证件号码", True, ("身份证号", "身份证号码", "公民身份号码", "证件号")),
    Column("gender", "性别"),
    Column("birth_date", "出生日期", False, ("出生年月日",)),
    Column("phone", "手机号", False, ("手机号码", "联系电话", "电话")),
    Column("building", "楼栋", True, ("楼栋名称", "楼号")),
    Column("unit", "单元", False, ("单元号",)),
    Column("room", "室号", True, ("房号", "门牌号", "室")),
    Column("relation", "与户主关系", False, ("与户主的关系",)),
    Column("status", "居住状态", False, ("人口类型",)),
    Column("moved_in", "迁入日期", False, ("入住日期",)),
    Column("tags", "标签"),
    Column("specialty", "技能特长", False, ("特长",)),
)
HEADER_OF = {c.key: c.header for c in COLUMNS}

ID_TYPES = {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "港澳台居民居住证": IdType.HMT_RESIDENCE,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "护照": IdType.PASSPORT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
}
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}
GENDER_LABEL = {"M": "男", "F": "女"}
RELATIONS = {
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙子女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "外祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
    "租户": Relation.TENANT,
    "租客": Relation.TENANT,
    "其他": Relation.OTHER,
}
STATUSES = {
    "户籍": ResidenceStatus.REGISTERED,
    "户籍人口": ResidenceStatus.REGISTERED,
    "常住": ResidenceStatus.RESIDENT,
    "常住人口": ResidenceStatus.RESIDENT,
    "流动": ResidenceStatus.FLOATING,
    "流动人口": ResidenceStatus.FLOATING,
}
TAGS = {
    "独居": Tag.LIVING_ALONE,
    "独居老人": Tag.LIVING_ALONE,
    "残疾": Tag.DISABLED,
    "残疾人": Tag.DISABLED,
    "低保": Tag.LOW_INCOME,
    "低保户": Tag.LOW_INCOME,
    "退役军人": Tag.VETERAN,
    "重点关爱": Tag.KEY_CARE,
    "留守儿童": Tag.LEFT_BEHIND_CHILD,
    "大病": Tag.SERIOUS_ILLNESS,
    "重病": Tag.SERIOUS_ILLNESS,
    "失业": Tag.UNEMPLOYED,
    "失业人员": Tag.UNEMPLOYED,
}
# Age tags are derived from the birth date; a file exported elsewhere may carry them: ignored.
DERIVED_TAGS = {"老年人", "高龄", "高龄老人", "60岁以上", "80岁以上"}
TAG_SPLIT = re.compile(r"[,，、;；/\s]+")

# -- messages (translated when shown; Chinese in i18n/import.json) ------------------------------

E_TOO_BIG = gettext_noop(
    "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
)
E_EMPTY = gettext_noop("The file is empty.")
E_NO_ROWS = gettext_noop("The file has a header row but no residents below it.")
E_FORMAT = gettext_noop(
    "Only .xlsx and .csv files can be imported (save an .xls file as .xlsx first)."
)
E_CORRUPT = gettext_noop(
    "The file cannot be read as an .xlsx workbook; it may be damaged. Open it in Excel or WPS and save it again."
)
E_ENCODING = gettext_noop(
    "The CSV file is neither UTF-8 nor GBK/GB18030 text. Save it as “CSV UTF-8”."
)
E_CSV = gettext_noop("The CSV file cannot be read: %(problem)s")
E_HEADERS = gettext_noop(
    "The header row does not match the template. Missing: %(missing)s. Unknown: %(unknown)s. Download the template and copy the data into it."
)
E_HEADER_TWICE = gettext_noop("The column “%(header)s” appears twice in the header row.")
E_TOO_MANY = gettext_noop("The file has more than %(limit)s rows; split it into smaller files.")

E_REQUIRED = gettext_noop("“%(header)s” is required.")
E_FORMULA = gettext_noop(
    "“%(header)s” contains a formula; formulas are not imported. Enter the value itself."
)
E_FORMULA_LEAD = gettext_noop(
    "“%(header)s” starts with =, +, -, @, a tab or a line break, which a spreadsheet reads as a formula; enter the value without it."
)
E_TOO_LONG = gettext_noop("“%(header)s” is longer than %(n)s characters.")
E_ID_TYPE = gettext_noop("Unknown document type “%(value)s”.")
E_ID_NUMERIC = gettext_noop(
    "The document number was stored as a number and lost its last digits; format the column as text and enter it again."
)
E_GENDER = gettext_noop("Unknown gender “%(value)s”; write 男 or 女.")
E_GENDER_MISMATCH = gettext_noop("The gender (%(value)s) does not match the ID number.")
E_DATE = gettext_noop("“%(header)s” is not a date: “%(value)s”.")
E_BIRTH_MISMATCH = gettext_noop(
    "The birth date (%(value)s) does not match the ID number (%(expected)s)."
)
E_FUTURE = gettext_noop("“%(header)s” is in the future.")
E_PHONE = gettext_noop("“%(value)s” is not a mobile number (11 digits starting with 13 to 19).")
E_BUILDING = gettext_noop("No building “%(value)s” in this community.")
E_BUILDING_AMBIGUOUS = gettext_noop(
    "Several buildings in this community are called “%(value)s”; write it with its estate, e.g. %(examples)s."
)
E_ROOM = gettext_noop("Building %(building)s has no room %(room)s.")
E_RELATION = gettext_noop("Unknown relation to the head “%(value)s”.")
E_STATUS = gettext_noop("Unknown residence status “%(value)s”; write 户籍, 常住 or 流动.")
E_TAG = gettext_noop("Unknown tag “%(value)s”.")
E_DUPLICATE = gettext_noop("The same document number is already in row %(row)s of this file.")
E_OTHER_COMMUNITY = gettext_noop(
    "This person is registered in another community; that community must record the move first."
)

M_HAS_ERRORS = gettext_noop(
    "%(n)s rows have errors. In “all rows or nothing” mode nothing was written; correct the file and upload it again, or import only the valid rows."
)
M_CHANGED = gettext_noop(
    "Some of these people were registered by someone else while the file was being imported; nothing more was written. Import again: they will be updated."
)
M_NOT_READY = gettext_noop("This import cannot be committed now (status: %(status)s).")


def render(msgid: str, params: dict | None = None) -> str:
    text = gettext(msgid)
    return text % params if params else text


class ImportFileError(Exception):
    """A problem with the whole file: nothing is written."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid, self.params = msgid, params

    @property
    def message(self) -> str:
        return render(self.msgid, self.params)

    def as_json(self) -> list:
        return [self.msgid, self.params]


class ImportRefused(Exception):
    """A commit that cannot go ahead (errors in all-or-nothing mode, wrong status)."""

    result: CheckResult | None = None

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid, self.params = msgid, params

    @property
    def message(self) -> str:
        return render(self.msgid, self.params)
