"""The sent-down tasks demo on `world` plus three more communities under street A (the demo
street has five): every state once, some late, a second run adds nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.core.models import Notification, Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import keytasks as demo
from gongzhi.keytasks import selectors
from gongzhi.keytasks.models import Receiver, ReceiverState, SentDownTask
from tests.conftest import make_place

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_sends_two_tasks_with_every_state(kt):
    world = kt.world
    for i in range(3):
        place = make_place(world.street_a, "community", f"演示社区{i}", f"42011100201{i}")
        _login(f"worker-x{i}", Role.COMMUNITY_WORKER, place)
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("worker", Role.COMMUNITY_WORKER, world.community_a1)
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    with translation.override("en"):
        assert "2 tasks" in demo.build("small")
        assert "already present" in demo.build("small")
    gas = SentDownTask.objects.get(title=demo.GAS)
    states = list(gas.receivers.order_by("place_path").values_list("state", "late"))
    assert len(states) == 5
    assert (ReceiverState.SUBMITTED, False) in states
    assert (ReceiverState.SUBMITTED, True) in states
    assert (ReceiverState.REOPENED, False) in states
    assert [s for s, _late in states].count(ReceiverState.PENDING) == 2
    assert gas.receivers.exclude(reminded_at=None).count() == 3
    assert Notification.objects.filter(verb="keytask_remind").exists()
    elders = SentDownTask.objects.get(title=demo.ELDERS)
    a1 = elders.receivers.get(place=world.community_a1)
    assert a1.state == ReceiverState.PENDING and 0 < a1.rows_filled < a1.row_count
    assert elders.receivers.filter(state=ReceiverState.SUBMITTED).count() == 1
    # The street sees both tasks; the demo worker sees its community's forms only.
    assert selectors.sent_tasks(street).count() == 2
    # Late: the one submitted after the deadline and the three not submitted by it.
    assert selectors.sent_tasks(street).get(title=demo.GAS).late_total == 4
    assert selectors.sent_tasks(street).get(title=demo.ELDERS).late_total == 0
    worker = User.objects.get(username="worker")
    assert {r.place_id for r in selectors.todo(worker)} == {world.community_a1.pk}
    assert Receiver.objects.count() == 10


def test_the_demo_lists_seed_003s_nineteen_tasks(kt):
    from gongzhi.keytasks import list_selectors, list_status
    from gongzhi.keytasks.models import KeyTaskState, TaskList

    world = kt.world
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("worker", Role.COMMUNITY_WORKER, world.community_a1)
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    with translation.override("en"):
        assert "19 tasks of seed 003" in demo.build("small")
        assert "seed 003" not in demo.build("small")
    task_list = TaskList.objects.get(title=demo.ANNEX_TITLE)
    assert task_list.tasks.count() == 19
    assert TaskList.objects.filter(inspection=None).count() == 1  # + the rectification list
    first = task_list.tasks.get(number=1)
    assert first.due_on == demo.ANNEX_DUE
    assert [u.name for u in first.units.all()] == [
        "党政办",
        world.community_a1.name,
        world.community_a2.name,
    ]
    states = list(task_list.tasks.values_list("state", flat=True))
    assert states.count(KeyTaskState.VERIFIED) == 8 and states.count(KeyTaskState.DONE) == 3
    codes = [
        list_status.ORDER[t.status_code] for t in list_selectors.board(street, task_list=task_list)
    ]
    # Task 13 is under a supervision notice due in two weeks: not overdue any more.
    assert codes[:7] == ["overdue"] * 7 and codes.count("verified") == 8


def test_the_demo_supervises_inspects_and_verifies(kt):
    from gongzhi.keytasks import list_selectors, list_status, supervision
    from gongzhi.keytasks.models import Inspection, KeyTask, KeyTaskState, SupervisionNotice, Talk

    world = kt.world
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("worker", Role.COMMUNITY_WORKER, world.community_a1)
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    with translation.override("en"):
        built = demo.build("small")
        assert "2 notices, 1 talk" in built and "2 findings" in built
        again = demo.build("small")
        assert "notices" not in again and "findings" not in again
    twelve = KeyTask.objects.get(task_list__title=demo.ANNEX_TITLE, number=12)
    assert list_status.status(twelve, 30) == "overdue" and supervision.may_talk(twelve)
    assert SupervisionNotice.objects.count() == 2 and Talk.objects.count() == 1
    assert Talk.objects.get().notice.number == "督办〔2024〕1号"
    assert list_selectors.open_notices(street).count() == 2
    inspection = Inspection.objects.get(kind="yearly")
    rectified, late = inspection.task_list.tasks.order_by("number")
    assert rectified.state == KeyTaskState.VERIFIED and rectified.verified_by == street
    assert list_status.status(late, 30) == "overdue"
    assert Inspection.objects.filter(kind="visit").count() == 1
