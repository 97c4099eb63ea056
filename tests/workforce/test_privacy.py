"""The workforce's section of "my personal information" (PIPL art. 45): the person's own
records, certificates, rewards, assessments, training and appointments; nobody else's."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.personal_data import Person, sections
from gongzhi.workforce import appointments, services, training
from gongzhi.workforce.models import WorkerKind
from gongzhi.workforce.privacy_sections import workforce
from tests.workforce.conftest import add

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_section_is_registered_at_its_position():
    found = {s.code: s.order for s in sections()}
    assert found["workforce"] == 113
    assert list(found.values()).count(113) == 1


def test_the_person_sees_their_own_workforce_data_only(wf):
    me, colleague = wf.people[0], wf.people[1]
    mine = add(wf, me, kind=WorkerKind.SECONDED_CADRE, monthly_pay_yuan="3200")
    add(wf, colleague, education="bachelor")
    services.record_certificate(
        mine, actor=wf.secretary, level="assistant", number="A-1", obtained_on=D(2026, 3, 1)
    )
    services.record_assessment(mine, actor=wf.secretary, year=2025, grade="competent")
    held = training.record_course(
        wf.community,
        actor=wf.secretary,
        title="党务培训",
        organiser="区委组织部",
        kind="training",
        starts_on=D(2026, 3, 1),
        ends_on=D(2026, 3, 3),
        days="3",
    )
    training.record_attendance(held, actor=wf.secretary, worker=mine)
    appointments.appoint(
        mine,
        actor=wf.street,
        office="市委组织部",
        starts_on=D(2026, 1, 1),
        planned_end_on=D(2027, 1, 1),
    )
    rows = workforce(Person(user=None, resident=me))
    text = " ".join(str(v) for row in rows for v in row.values())
    assert "3200.00" in text and "A-1" in text and "党务培训" in text and "市委组织部" in text
    assert "本科" not in text and "Bachelor" not in text  # the colleague's record
    assert len(rows) == 6  # record, certificate, reward, assessment, training, appointment
    assert workforce(Person(user=None, resident=None)) == []
    other = workforce(Person(user=None, resident=colleague))
    assert len(other) == 1
