"""Item 2: three levels of incubators (003 annex 2 item 13) and the stage table
applied → incubating → graduated (or withdrawn), with dates and a mentor."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongzhi.organisations import services, workflow
from gongzhi.organisations.models import Incubation, IncubatorLevel, Stage
from tests.organisations.conftest import D

pytestmark = pytest.mark.django_db


@pytest.fixture
def studio(ow):
    return services.add_incubator(
        ow.a1, actor=ow.secretary, name="珞南一社区社会组织工作室", opened_on=D(2024, 1, 1)
    )


def test_the_level_follows_the_place(ow, studio):
    assert studio.level == IncubatorLevel.COMMUNITY
    federation = services.add_incubator(
        ow.street, actor=ow.officer, name="珞南街道社会组织联合会", opened_on=D(2023, 1, 1)
    )
    assert federation.level == IncubatorLevel.STREET
    base = services.add_incubator(
        ow.world.district, actor=ow.district, name="区社会组织培育基地", opened_on=D(2022, 1, 1)
    )
    assert base.level == IncubatorLevel.DISTRICT
    with pytest.raises(ValidationError):
        services.add_incubator(ow.a1, actor=ow.secretary, name="第二个", opened_on=D(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.add_incubator(
            ow.world.grid_a1_1, actor=ow.secretary, name="网格", opened_on=D(2024, 1, 1)
        )


def test_every_step_of_the_table(ow, studio):
    inc = services.apply_incubation(ow.filed, studio, actor=ow.secretary, applied_on=D(2026, 1, 10))
    assert inc.stage == Stage.APPLIED
    with pytest.raises(ValidationError) as caught:
        services.step_incubation(inc, workflow.Step.ADMIT, actor=ow.secretary, on=D(2026, 2, 1))
    assert "mentor" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.step_incubation(inc, workflow.Step.GRADUATE, actor=ow.secretary, on=D(2026, 2, 1))
    inc = services.step_incubation(
        inc, workflow.Step.ADMIT, actor=ow.secretary, on=D(2026, 2, 1), mentor="张导师"
    )
    assert (inc.stage, inc.started_on, inc.mentor) == (Stage.INCUBATING, D(2026, 2, 1), "张导师")
    with pytest.raises(ValidationError):
        services.step_incubation(inc, workflow.Step.GRADUATE, actor=ow.secretary, on=D(2026, 1, 1))
    inc = services.step_incubation(
        inc, workflow.Step.GRADUATE, actor=ow.secretary, on=D(2026, 5, 1)
    )
    assert (inc.stage, inc.ended_on) == (Stage.GRADUATED, D(2026, 5, 1))
    with pytest.raises(ValidationError, match="已结束"):
        services.step_incubation(inc, workflow.Step.WITHDRAW, actor=ow.secretary, on=D(2026, 5, 2))


def test_the_table_is_the_only_source():
    assert workflow.steps_from(Stage.APPLIED) == [workflow.Step.ADMIT, workflow.Step.WITHDRAW]
    assert workflow.steps_from(Stage.GRADUATED) == []


def test_one_live_incubation(ow, studio):
    services.apply_incubation(ow.filed, studio, actor=ow.secretary, applied_on=D(2026, 1, 10))
    with pytest.raises(ValidationError):
        services.apply_incubation(ow.filed, studio, actor=ow.secretary, applied_on=D(2026, 1, 11))
    with pytest.raises(IntegrityError), transaction.atomic():
        Incubation.objects.create(
            organisation=ow.filed,
            incubator=studio,
            stage=Stage.INCUBATING,
            applied_on=D(2026, 1, 1),
            started_on=D(2026, 1, 2),
            mentor="m",
            place_path=studio.place_path,
        )


def test_withdrawn_may_apply_again(ow, studio):
    inc = services.apply_incubation(ow.filed, studio, actor=ow.secretary, applied_on=D(2026, 1, 10))
    services.step_incubation(inc, workflow.Step.WITHDRAW, actor=ow.secretary, on=D(2026, 1, 20))
    again = services.apply_incubation(
        ow.filed, studio, actor=ow.secretary, applied_on=D(2026, 3, 1)
    )
    assert again.stage == Stage.APPLIED
