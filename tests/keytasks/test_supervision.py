"""Supervision (督办, issue 17 item 2): escalation with a moved clock (once per task and
status, the sweep idempotent), reminders before the deadline through the notification centre
and the SMS sender, supervision notices (numbered, a new deadline later than today, only on
overdue or at-risk tasks), talks only after the supervision deadline, wrong roles on pages and
API, the supervision list and the timeline in bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from gongzhi.core import clock, sms
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.keytasks import list_selectors, list_status, supervision
from gongzhi.keytasks.list_status import Status
from gongzhi.keytasks.models import Escalation, KeyTask, SupervisionNotice, Talk
from gongzhi.keytasks.tasks import sweep_key_tasks_daily
from tests.keytasks.test_lists import make_list

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 7, 31)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0)


def _one_task(kt, **kw) -> KeyTask:
    return make_list(kt, **kw).tasks.get()


def _overdue(kt) -> KeyTask:
    task = _one_task(kt)
    clock.set_now(_at(dt.date(2026, 8, 3)))
    return task


def test_escalation_to_the_owner_once_per_status_with_a_moved_clock(kt, settings):
    settings.NOTIFY_SENDERS = ["gongzhi.core.notifications.MemorySender"]
    task = _one_task(kt, milestones=[("制定方案", dt.date(2026, 6, 15))])
    assert supervision.sweep() == 0  # 2026-06-01: not started, nothing due
    with clock.travel_to(_at(dt.date(2026, 7, 5))):
        assert list_status.status(task, 30) == Status.AT_RISK
        assert supervision.sweep() == 1
        assert supervision.sweep() == 0  # idempotent
        owner = Notification.objects.get(verb="keytask_at_risk")
        assert owner.user == kt.street and "有逾期风险" in owner.text
    with clock.travel_to(_at(dt.date(2026, 7, 29))):
        # Reminder 3 days before (platform default): the unit's staff (community A1).
        assert supervision.sweep() == 1
        reminded = set(
            Notification.objects.filter(verb="keytask_reminder").values_list("user", flat=True)
        )
        assert reminded == {kt.secretary_a1.pk, kt.worker_a1.pk}
        assert supervision.sweep() == 0
    with clock.travel_to(_at(dt.date(2026, 8, 1))):
        assert sweep_key_tasks_daily.call_local() == 1  # the periodic job's body
        assert supervision.sweep() == 0
        text = Notification.objects.get(verb="keytask_overdue").text
        assert "已逾期" in text and "2026-07-31" in text
    kinds = sorted(Escalation.objects.values_list("kind", flat=True))
    assert kinds == ["at_risk", "overdue", "reminder"]
    assert AuditRecord.objects.filter(action="keytasks.escalate").count() == 2
    assert AuditRecord.objects.filter(action="keytasks.remind").count() == 1


def test_done_tasks_are_not_escalated(kt):
    task = _one_task(kt)
    from gongzhi.keytasks import list_services

    list_services.step(task, "done", actor=kt.worker_a1)
    with clock.travel_to(_at(dt.date(2026, 8, 3))):
        assert supervision.sweep() == 0


def test_reminders_reach_the_sms_sender_where_the_installation_sets_it(
    kt, settings, django_capture_on_commit_callbacks
):
    from gongzhi.core.roles import Role
    from tests.conftest import make_user

    settings.NOTIFY_SENDERS = ["gongzhi.core.notifications.SmsSender"]
    settings.SMS_BACKEND = "gongzhi.core.sms.MemoryBackend"
    sms.MemoryBackend.outbox = []
    make_user(Role.COMMUNITY_WORKER, kt.world.community_a1, phone="13900000099")
    _one_task(kt)
    with (
        clock.travel_to(_at(dt.date(2026, 7, 30))),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert supervision.sweep() == 1
    assert [phone for phone, _text in sms.MemoryBackend.outbox] == ["13900000099"]
    assert "2026-07-31" in sms.MemoryBackend.outbox[0][1]


def test_reminder_days_come_from_the_profile_or_the_platform_default(kt, profile_dir):
    assert supervision.reminder_days(kt.world.street_a) == 3
    (profile_dir / "test-kt.yaml").write_text(
        "source: test\ntitle: 测试\nkeytasks:\n  reminder_days: 10\n", encoding="utf-8"
    )
    street = kt.world.street_a
    street.policy_profile = "test-kt"
    street.save(update_fields=["policy_profile"])
    assert supervision.reminder_days(street) == 10
    _one_task(kt)
    with clock.travel_to(_at(dt.date(2026, 7, 22))):
        assert supervision.sweep() == 1  # 9 days before: inside 10


def test_a_supervision_notice_gives_a_new_deadline_numbered(kt):
    task = _overdue(kt)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError, match="督办期限须晚于今天"):
            supervision.issue_notice(task, actor=kt.street, reason="进度滞后", due_on=clock.today())
        with pytest.raises(ValidationError, match="督办原因"):
            supervision.issue_notice(task, actor=kt.street, reason=" ", due_on=dt.date(2026, 8, 20))
    assert not SupervisionNotice.objects.exists()
    notice = supervision.issue_notice(
        task, actor=kt.street, reason="进度滞后，请限期完成", due_on=dt.date(2026, 8, 20)
    )
    assert notice.number == "督办〔2026〕1号"
    task.refresh_from_db()
    assert task.supervised_due_on == dt.date(2026, 8, 20) and task.due_on == DUE
    # Its status counts from the new deadline; not overdue any more, so no second notice.
    assert list_status.status(task, 30) != Status.OVERDUE
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="只有逾期"):
        supervision.issue_notice(task, actor=kt.street, reason="再督办", due_on=dt.date(2026, 9, 1))
    # The community named on it is told; the issue is audited.
    assert Notification.objects.filter(
        verb="keytask_supervise", user=kt.worker_a1, reference=notice.number
    ).exists()
    assert AuditRecord.objects.filter(action="keytasks.supervise").count() == 1
    # After the new deadline it is overdue again, escalated once more and numbered 2.
    with clock.travel_to(_at(dt.date(2026, 8, 22))):
        assert list_status.status(KeyTask.objects.get(pk=task.pk), 30) == Status.OVERDUE
        assert supervision.sweep() == 1
        second = supervision.issue_notice(
            task, actor=kt.district, reason="仍未完成", due_on=dt.date(2026, 9, 1)
        )
    assert second.number == "督办〔2026〕2号"


def test_an_on_track_task_cannot_be_supervised(kt):
    task = _one_task(kt)
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="只有逾期"):
        supervision.issue_notice(task, actor=kt.street, reason="x", due_on=dt.date(2026, 6, 20))


def test_a_talk_only_after_the_supervision_deadline(kt):
    task = _overdue(kt)
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="尚未督办|先下发"):
        supervision.record_talk(
            task, actor=kt.street, held_on=clock.today(), talked_to="社区书记", minutes="约谈"
        )
    supervision.issue_notice(task, actor=kt.street, reason="滞后", due_on=dt.date(2026, 8, 10))
    assert not supervision.may_talk(task)
    with translation.override("zh-hans"), pytest.raises(ValidationError, match="督办期限"):
        supervision.record_talk(
            task, actor=kt.street, held_on=clock.today(), talked_to="社区书记", minutes="约谈"
        )
    assert not Talk.objects.exists()
    with clock.travel_to(_at(dt.date(2026, 8, 12))):
        assert supervision.may_talk(task)
        with translation.override("zh-hans"), pytest.raises(ValidationError, match="纪要"):
            supervision.record_talk(
                task, actor=kt.street, held_on=clock.today(), talked_to="书记", minutes=" "
            )
        with pytest.raises(ValidationError):
            supervision.record_talk(
                task,
                actor=kt.street,
                held_on=dt.date(2026, 8, 13),
                talked_to="书记",
                minutes="未来",
            )
        talk = supervision.record_talk(
            task,
            actor=kt.street,
            held_on=dt.date(2026, 8, 11),
            talked_to="珞南一社区书记",
            minutes="说明滞后原因，承诺两周内完成。",
        )
    assert talk.notice.number == "督办〔2026〕1号"
    assert AuditRecord.objects.filter(action="keytasks.talk").count() == 1


def test_wrong_roles_on_supervision_pages_and_api(kt, login):
    task = _overdue(kt)
    body = {"reason": "滞后", "due_on": "2026-08-20"}
    # The community on the task sees it but may not supervise: no form, 403 page and API.
    worker = login(kt.worker_a1)
    page = worker.get(reverse("keytasks:list_task", args=[task.pk])).content.decode()
    assert 'data-testid="notice-form"' not in page
    url = reverse("keytasks:list_task_act", args=[task.pk, "supervise"])
    assert worker.post(url, body).status_code == 403
    with pytest.raises(PermissionDenied):
        supervision.issue_notice(task, actor=kt.worker_a1, reason="x", due_on=dt.date(2026, 8, 20))
    assert (
        _api(kt.worker_a1).post(f"/api/v1/list-tasks/{task.pk}/supervise/", body).status_code == 403
    )
    # Another street: 404.
    assert (
        _api(kt.street_b).post(f"/api/v1/list-tasks/{task.pk}/supervise/", body).status_code == 404
    )
    with pytest.raises(Http404):
        supervision.issue_notice(task, actor=kt.street_b, reason="x", due_on=dt.date(2026, 8, 20))
    # Roles without the task lists: the supervision list is 403 on page and API.
    for user in (kt.member, kt.resident_user, kt.grid_a1):
        assert login(user).get(reverse("keytasks:supervision")).status_code == 403
        assert _api(user).get("/api/v1/supervision/").status_code == 403
    assert not SupervisionNotice.objects.exists()
    # The street officer: form shown, notice issued through the page; API refusals are 400.
    street = login(kt.street)
    page = street.get(reverse("keytasks:list_task", args=[task.pk])).content.decode()
    assert 'data-testid="notice-form"' in page
    assert street.post(url, body).status_code == 302
    assert SupervisionNotice.objects.count() == 1
    bad = _api(kt.street).post(
        f"/api/v1/list-tasks/{task.pk}/talk/",
        {"held_on": "2026-08-03", "talked_to": "书记", "minutes": "x"},
    )
    assert bad.status_code == 400
    assert (
        _api(kt.worker_a1)
        .post(
            f"/api/v1/list-tasks/{task.pk}/talk/",
            {"held_on": "2026-08-03", "talked_to": "书记", "minutes": "x"},
        )
        .status_code
        == 403
    )
    assert (
        _api(kt.street)
        .post(f"/api/v1/list-tasks/{task.pk}/supervise/", {"due_on": "x"})
        .status_code
        == 400
    )


def test_supervision_list_per_place_in_bounded_queries(kt, login, django_assert_max_num_queries):
    task_list = make_list(kt, 13)
    clock.set_now(_at(dt.date(2026, 8, 3)))
    for task in task_list.tasks.all():
        supervision.issue_notice(task, actor=kt.street, reason="滞后", due_on=dt.date(2026, 8, 10))
    first = task_list.tasks.get(number=1)
    with clock.travel_to(_at(dt.date(2026, 8, 12))):
        supervision.record_talk(
            first, actor=kt.street, held_on=dt.date(2026, 8, 11), talked_to="书记", minutes="纪要"
        )
        client = login(kt.street)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("keytasks:supervision"))
        assert response.status_code == 200
        rows = response.context["rows"]
        assert len(rows) == 13 and all(r["passed"] for r in rows)
        assert len(response.context["talks"]) == 1
        page = response.content.decode()
        assert "督办〔2026〕13号" in page and "书记" in page
        place = kt.world.street_a
        filtered = client.get(reverse("keytasks:supervision"), {"place": place.pk})
        assert len(filtered.context["rows"]) == 13
        with django_assert_max_num_queries(10):
            api = _api(kt.street).get("/api/v1/supervision/", {"place": place.pk})
        assert api.status_code == 200 and api.json()["count"] == 13
        assert _api(kt.street).get("/api/v1/supervision/", {"place": "x"}).status_code == 404
        # The community on the tasks sees the notices about them; another street nothing.
        assert list_selectors.open_notices(kt.worker_a1).count() == 13
        assert list_selectors.open_notices(kt.street_b).count() == 0
        # A task reported done leaves the open notices.
        from gongzhi.keytasks import list_services

        list_services.step(first, "done", actor=kt.worker_a1)
        assert list_selectors.open_notices(kt.street).count() == 12


def test_timeline_bars_follow_the_dates(kt, login, django_assert_max_num_queries):
    task_list = make_list(kt, 12, milestones=[("方案", dt.date(2026, 6, 30))])
    late = task_list.tasks.get(number=3)
    KeyTask.objects.filter(pk=late.pk).update(due_on=dt.date(2026, 6, 10))
    clock.set_now(_at(dt.date(2026, 6, 20)))
    client = login(kt.street)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("keytasks:timeline", args=[task_list.pk]))
    assert response.status_code == 200
    bars = response.context["bars"]
    assert len(bars) == 12 and bars[0].task.pk == late.pk and bars[0].status == "overdue"
    # 2026-06-01 (start) … 2026-07-31 (end): 60 days; the late one ends on day 9, and its
    # overdue segment runs 10 more days to today.
    assert bars[0].left == 0 and bars[0].width == 15.0 and bars[0].late == round(100 * 10 / 60, 2)
    assert bars[1].width == 100.0 and bars[1].late == 0
    assert bars[1].marks == ((round(100 * 29 / 60, 2), "方案", False),)
    page = response.content.decode()
    assert page.count('data-testid="timeline-row"') == 12 and "width:15.00%" in page
    assert (
        login(kt.member).get(reverse("keytasks:timeline", args=[task_list.pk])).status_code == 403
    )
    assert (
        login(kt.street_b).get(reverse("keytasks:timeline", args=[task_list.pk])).status_code == 404
    )


def test_a_long_timeline_labels_at_most_twelve_months_none_past_the_edge(kt, login):
    """Seed 003's list runs for years: a label per month would overlap (seen on the demo)."""
    task_list = make_list(kt, 12)
    KeyTask.objects.filter(task_list=task_list).update(due_on=dt.date(2028, 12, 31))
    clock.set_now(_at(dt.date(2026, 6, 20)))
    months = (
        login(kt.street).get(reverse("keytasks:timeline", args=[task_list.pk])).context["months"]
    )
    assert 6 <= len(months) <= 12
    assert all(left <= 94 for left, _name in months)
    # Evenly spaced: a quarter apart over these 31 months.
    names = [name for _left, name in months]
    assert names[:2] == ["2026-06", "2026-09"]
