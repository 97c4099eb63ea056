"""Identity documents: GB 11643 resident ID numbers and the other accepted document types.

An 18-digit resident ID (居民身份证号码) = 6-digit area code + 8-digit birth date + 3-digit
sequence (odd = male) + a check character (ISO 7064 MOD 11-2: 0-9 or X). The residence permits
of Hong Kong, Macao and Taiwan residents (港澳台居民居住证) use the same format with area codes
810000 / 820000 / 830000.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    HMT_RESIDENCE = "hmt_residence", _("Hong Kong/Macao/Taiwan residence permit")
    HK_MACAO_PERMIT = (
        "hk_macao_permit",
        _("Mainland travel permit for Hong Kong and Macao residents"),
    )
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    PASSPORT = "passport", _("Passport")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreign permanent resident ID card")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class IdError(ValueError):
    """A document number that cannot be right; `message` is translated for the user."""

    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IdFacts:
    number: str  # normalised (upper case, no spaces)
    gender: str | None = None  # derived from an 18-digit number
    birth_date: dt.date | None = None


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _parse_18(number: str) -> IdFacts:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise IdError(_("A resident ID number has 17 digits and a final digit or X."))
    if check_char(number[:17]) != number[17]:
        raise IdError(_("The check digit of this ID number is wrong; please check for a typo."))
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdError(_("The birth date inside this ID number does not exist.")) from exc
    if birth.year < 1900 or birth > clock.today():
        raise IdError(_("The birth date inside this ID number does not exist."))
    gender = Gender.MALE if int(number[16]) % 2 else Gender.FEMALE
    return IdFacts(number=number, gender=gender, birth_date=birth)


PATTERNS: dict[str, tuple[re.Pattern[str], StrOrPromise]] = {
    IdType.HK_MACAO_PERMIT: (
        re.compile(r"[HM]\d{8}(\d{2})?"),
        _("A Hong Kong/Macao permit number is H or M followed by 8 or 10 digits."),
    ),
    IdType.TAIWAN_PERMIT: (
        re.compile(r"\d{8}(\d{2})?"),
        _("A Taiwan permit number has 8 or 10 digits."),
    ),
    IdType.PASSPORT: (
        re.compile(r"[A-Z0-9]{5,20}"),
        _("A passport number has 5 to 20 letters or digits."),
    ),
    IdType.FOREIGN_PERMANENT: (
        re.compile(r"([A-Z]{3}\d{12}|9\d{16}[\dX])"),
        _("A foreign permanent resident ID has 15 or 18 characters."),
    ),
}


def parse(id_type: str, raw: str) -> IdFacts:
    """Validate a document number; for 18-digit numbers also derive gender and birth date."""
    number = re.sub(r"\s+", "", raw or "").upper()
    if not number:
        raise IdError(_("The document number is empty."))
    if id_type == IdType.RESIDENT_ID:
        return _parse_18(number)
    if id_type == IdType.HMT_RESIDENCE:
        facts = _parse_18(number)
        if number[:6] not in {"810000", "820000", "830000"}:
            raise IdError(_("A residence permit number starts with 810000, 820000 or 830000."))
        return facts
    if id_type not in PATTERNS:
        raise IdError(_("Unknown document type."))
    pattern, message = PATTERNS[id_type]
    if not pattern.fullmatch(number):
        raise IdError(message)
    if id_type == IdType.FOREIGN_PERMANENT and number[0] == "9":
        return _parse_18(number)
    return IdFacts(number=number)


def make_id(area: str, birth: dt.date, sequence: int) -> str:
    """A valid 18-digit number (demo data and tests): sequence odd = male."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
