"""ID numbers are checked against the platform's one clock (gongzhi.core.clock), not the
machine's date: a birth date after "today" is refused, whatever day the clock shows."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import clock
from gongzhi.people import idcard
from gongzhi.people.idcard import IdError, IdType

AREA = "420111"


def test_a_birth_date_after_the_clocks_today_is_refused():
    number = idcard.make_id(AREA, dt.date(2020, 6, 2), 13)
    with clock.travel_to(dt.datetime(2020, 6, 1, 12, 0)), pytest.raises(IdError):
        idcard.parse(IdType.RESIDENT_ID, number)
    with clock.travel_to(dt.datetime(2020, 6, 2, 12, 0)):
        facts = idcard.parse(IdType.RESIDENT_ID, number)
    assert facts.birth_date == dt.date(2020, 6, 2)
    assert facts.gender == idcard.Gender.MALE


def test_a_birth_date_before_1900_is_refused():
    number = idcard.make_id(AREA, dt.date(1899, 12, 31), 12)
    with pytest.raises(IdError):
        idcard.parse(IdType.RESIDENT_ID, number)
