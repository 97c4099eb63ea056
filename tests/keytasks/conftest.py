"""Sent-down task fixtures on `world`: a street officer of street A (the sender), the staff of
communities A1 and A2 under it (the receivers), a grid worker of A1, a community worker of B1
(another street), a resident; residents with care tags in A1 and A2 for the rows."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import clock, crypto
from gongzhi.core.roles import Role
from gongzhi.keytasks import services
from gongzhi.keytasks.models import FieldKind, ReceiverKind, RowsOf, SentDownTask
from gongzhi.keytasks.services import FieldSpec
from gongzhi.people.models import Relation, Resident, ResidentTag, Tag
from gongzhi.places.models import Household
from tests.conftest import make_user

_n = itertools.count(1)
TODAY = dt.datetime(2026, 6, 1, 10, 0)
DUE = dt.date(2026, 6, 5)


def resident(household: Household, name: str, *, tag: str = "", id_number: str = "") -> Resident:
    person = Resident.objects.create(
        name=name,
        name_initials="jm",
        gender="F",
        household=household,
        relation=Relation.HEAD,
        place_path=household.place_path,
    )
    if id_number:
        person.id_encrypted = crypto.encrypt(id_number)
        person.id_masked = crypto.mask_id_number(id_number)
        person.save(update_fields=["id_encrypted", "id_masked"])
    if tag:
        ResidentTag.objects.create(resident=person, tag=tag)
    return person


@pytest.fixture
def kt(world):
    clock.set_now(TODAY)
    homes_a1 = list(Household.objects.filter(place_path__startswith=world.community_a1.path))
    homes_a2 = list(Household.objects.filter(place_path__startswith=world.community_a2.path))
    elders = [
        resident(homes_a1[0], "张桂兰", tag=Tag.LIVING_ALONE, id_number="420111194501011234"),
        resident(homes_a1[1], "李建国", tag=Tag.LIVING_ALONE),
        resident(homes_a2[0], "王秀英", tag=Tag.LIVING_ALONE),
    ]
    resident(homes_a1[2], "赵小明")  # no tag: not a row of a living-alone task
    return SimpleNamespace(
        world=world,
        street=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
        street_b=make_user(Role.STREET_OFFICER, world.street_b, name="关山街道干部"),
        district=make_user(Role.DISTRICT_OFFICER, world.district, name="区干部"),
        secretary_a1=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="一社区书记"),
        worker_a1=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="一社区干事"),
        worker_a2=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区干事"),
        worker_b1=make_user(Role.COMMUNITY_WORKER, world.community_b1, name="关山社区干事"),
        grid_a1=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        member=make_user(Role.PARTY_MEMBER, world.community_a1, name="党员"),
        resident_user=make_user(
            Role.RESIDENT, world.grid_a1_1.buildings[0], household=homes_a1[0], phone="13900000081"
        ),
        homes_a1=homes_a1,
        homes_a2=homes_a2,
        elders=elders,
    )


SAFETY_FIELDS = (
    FieldSpec("燃气报警器安装数", FieldKind.NUMBER, required=True),
    FieldSpec("检查人", FieldKind.TEXT, required=True),
    FieldSpec("检查日期", FieldKind.DATE),
    FieldSpec("现场照片", FieldKind.PHOTO),
    FieldSpec("是否存在隐患", FieldKind.CHOICE, required=True, choices=("是", "否")),
)


def send_plain(kt, **extra) -> SentDownTask:
    values = {
        "title": "燃气安全排查",
        "due_on": DUE,
        "receiver_kind": ReceiverKind.COMMUNITY,
        "fields": SAFETY_FIELDS,
        "instructions": "请各社区于周五前报送。",
    }
    values.update(extra)
    return services.send_task(kt.world.street_a, actor=kt.street, **values)


def send_rows(kt, **extra) -> SentDownTask:
    values = {
        "title": "独居老人走访",
        "due_on": DUE,
        "receiver_kind": ReceiverKind.COMMUNITY,
        "rows_of": RowsOf.RESIDENT,
        "row_tag": Tag.LIVING_ALONE,
        "fields": (
            FieldSpec("走访人", FieldKind.TEXT, required=True),
            FieldSpec(
                "身体状况",
                FieldKind.CHOICE,
                required=True,
                per_row=True,
                choices=("良好", "一般", "较差"),
            ),
            FieldSpec("备注", FieldKind.TEXT, per_row=True),
        ),
    }
    values.update(extra)
    return services.send_task(kt.world.street_a, actor=kt.street, **values)


def key(task: SentDownTask, label: str) -> str:
    return task.fields.get(label=label).key


def receiver_of(task: SentDownTask, place):
    return task.receivers.get(place=place)


def plain_answers(task: SentDownTask, n: int = 3, who: str = "王干事") -> dict[str, str]:
    return {
        key(task, "燃气报警器安装数"): str(n),
        key(task, "检查人"): who,
        key(task, "检查日期"): "2026-06-02",
        key(task, "是否存在隐患"): "否",
    }
