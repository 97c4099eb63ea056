"""Task lists (任务清单, issue 17 item 1): status from the dates with a moved clock, the xlsx
import with per-row Chinese errors (nothing written), wrong roles on page and API,
verification (two officers at once → one verification), the board's order and bounded
queries with 12+ rows."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.keytasks import list_import, list_selectors, list_services, list_status
from gongzhi.keytasks.list_services import TaskSpec, Unit
from gongzhi.keytasks.list_status import Status
from gongzhi.keytasks.models import KeyTask, KeyTaskState, TaskList

pytestmark = pytest.mark.django_db
OFFICES = ["党政办", "社事办", "政法办"]


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def make_list(kt, n=1, *, due=dt.date(2026, 7, 31), milestones=()):
    street = kt.world.street_a
    specs = [
        TaskSpec(
            title=f"重点任务{i}",
            due_on=due,
            paragraph=f"附件2第{i}条",
            lead=Unit("党政办"),
            cooperating=(Unit(kt.world.community_a1.name, kt.world.community_a1),),
            milestones=milestones,
        )
        for i in range(1, n + 1)
    ]
    return list_services.create_list(
        street,
        actor=kt.street,
        title="创建实验区任务清单",
        period="2026",
        offices=OFFICES,
        tasks=specs,
    )


def _status(task: KeyTask) -> str:
    task = KeyTask.objects.get(pk=task.pk)
    python = list_status.status(task, 30)
    sql = list_status.annotate(KeyTask.objects.filter(pk=task.pk), {task.task_list_id: 30}).get()
    assert list_status.ORDER[sql.status_code] == python
    return python


def test_status_follows_the_dates_with_a_moved_clock(kt):
    task_list = make_list(kt, milestones=[("制定方案", dt.date(2026, 6, 15))])
    task = task_list.tasks.get()
    assert _status(task) == Status.NOT_STARTED  # 2026-06-01, nothing reported
    list_services.report_progress(task, actor=kt.worker_a1, text="已召开部署会")
    assert _status(task) == Status.ON_TRACK
    with clock.travel_to(dt.datetime(2026, 6, 20, 9, 0)):
        # The milestone is behind, but the deadline is 41 days away (> 30).
        assert _status(task) == Status.ON_TRACK
    with clock.travel_to(dt.datetime(2026, 7, 5, 9, 0)):
        assert _status(task) == Status.AT_RISK
        # With the milestone reached it is on track again.
        list_services.report_progress(
            task, actor=kt.worker_a1, text="方案已印发", reached=[task.milestones.get().pk]
        )
        assert _status(task) == Status.ON_TRACK
    with clock.travel_to(dt.datetime(2026, 8, 1, 9, 0)):
        assert _status(task) == Status.OVERDUE
        list_services.step(task, "done", actor=kt.worker_a1)
        assert _status(task) == Status.DONE
        list_services.step(task, "verify", actor=kt.street)
        assert _status(task) == Status.VERIFIED


def test_the_platform_default_applies_without_a_profile(kt):
    assert list_status.risk_days(kt.world.street_a) == 30


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["长乐山工业园区创建实验区重点任务清单"])
    sheet.append(["序号", "任务", "出处", "责任单位", "完成时间"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_reads_units_and_before_month_deadlines(kt):
    a1 = kt.world.community_a1
    data = _xlsx(
        [
            [1, "健全基层党建联席会议制度", "附件2第1条", "党政办、各社区", "2024年8月前"],
            [2, "科学设置网格", "附件2第2条", f"政法办、{a1.name}", dt.datetime(2024, 6, 30)],
        ]
    )
    specs = list_import.parse(data, kt.world.street_a, OFFICES)
    assert [s.due_on for s in specs] == [dt.date(2024, 7, 31), dt.date(2024, 6, 30)]
    assert specs[0].lead == Unit("党政办")
    communities = {u.place for u in specs[0].cooperating}
    assert communities == {kt.world.community_a1, kt.world.community_a2}
    assert specs[1].cooperating[0].place == a1


def test_import_errors_are_per_row_in_chinese_and_nothing_is_written(kt, login):
    data = _xlsx(
        [
            [1, "健全基层党建联席会议制度", "", "党政办、各社区", "2024年8月前"],
            [2, "科学设置网格", "", "宣传办、各社区", "2024年8月前"],
            [3, "探索综合执法队伍进小区", "", "城管办", "明年"],
            [4, "", "", "党政办", "2024-13-01"],
        ]
    )
    with translation.override("zh-hans"), pytest.raises(list_import.ImportRefused) as refused:
        list_import.parse(data, kt.world.street_a, OFFICES)
    problems = refused.value.problems
    assert len(problems) == 3, problems
    assert problems[0].startswith("第 4 行") and "未知单位“宣传办”" in problems[0]
    assert "未知单位“城管办”" in problems[1] and "“明年”不是日期" in problems[1]
    assert problems[2].startswith("第 6 行") and "任务为空" in problems[2]
    # Through the page: the problems are shown, nothing is written.
    client = login(kt.street)
    upload = io.BytesIO(data)
    upload.name = "清单.xlsx"
    response = client.post(
        reverse("keytasks:list_import"),
        {
            "place": kt.world.street_a.pk,
            "title": "实验区任务清单",
            "period": "2024",
            "offices": "、".join(OFFICES),
            "file": upload,
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "未知单位“宣传办”" in response.content.decode()
    assert not TaskList.objects.exists() and not KeyTask.objects.exists()


def test_import_through_the_page_creates_the_list(kt, login):
    data = _xlsx([[1, "健全基层党建联席会议制度", "附件2第1条", "党政办、各社区", "2024年8月前"]])
    upload = io.BytesIO(data)
    upload.name = "清单.xlsx"
    response = login(kt.street).post(
        reverse("keytasks:list_import"),
        {
            "place": kt.world.street_a.pk,
            "title": "实验区任务清单",
            "period": "2024",
            "offices": "党政办",
            "file": upload,
        },
    )
    assert response.status_code == 302
    task = KeyTask.objects.get()
    assert task.due_on == dt.date(2024, 7, 31)
    assert [u.name for u in task.units.all()][0] == "党政办"
    assert AuditRecord.objects.filter(action="keytasks.list_create").count() == 1


def test_wrong_roles_on_pages_and_api(kt, login):
    task = make_list(kt).tasks.get()
    for user in (kt.resident_user, kt.member, kt.grid_a1):
        client = login(user)
        assert client.get(reverse("keytasks:board")).status_code == 403, user
        assert client.get(reverse("keytasks:list_task", args=[task.pk])).status_code == 403
        assert _api(user).get("/api/v1/list-tasks/").status_code == 403
        assert _api(user).post(f"/api/v1/list-tasks/{task.pk}/verify/").status_code == 403
    # Another street sees nothing of it: 404.
    other = login(kt.street_b)
    assert other.get(reverse("keytasks:list_task", args=[task.pk])).status_code == 404
    assert _api(kt.street_b).get(f"/api/v1/list-tasks/{task.pk}/").status_code == 404
    assert _api(kt.worker_b1).post(f"/api/v1/list-tasks/{task.pk}/done/").status_code == 404
    # Community A2 is not a unit of the task: it does not see it.
    assert _api(kt.worker_a2).get(f"/api/v1/list-tasks/{task.pk}/").status_code == 404
    # The cooperating community A1 sees it and reports, but does not verify (no button, 403).
    worker = login(kt.worker_a1)
    page = worker.get(reverse("keytasks:list_task", args=[task.pk])).content.decode()
    assert 'data-testid="done"' in page and 'data-testid="verify"' not in page
    assert _api(kt.worker_a1).post(f"/api/v1/list-tasks/{task.pk}/done/").status_code == 200
    assert _api(kt.worker_a1).post(f"/api/v1/list-tasks/{task.pk}/verify/").status_code == 403
    with pytest.raises(PermissionDenied):
        list_services.step(KeyTask.objects.get(pk=task.pk), "verify", actor=kt.worker_a1)
    with pytest.raises(Http404):
        list_services.step(KeyTask.objects.get(pk=task.pk), "verify", actor=kt.street_b)
    page = login(kt.street).get(reverse("keytasks:list_task", args=[task.pk])).content.decode()
    assert 'data-testid="verify"' in page
    assert _api(kt.street).post(f"/api/v1/list-tasks/{task.pk}/verify/").status_code == 200
    # Malformed ids and bodies: 404 / 400, never 500.
    assert _api(kt.street).get("/api/v1/list-tasks/99999999999/").status_code == 404
    assert _api(kt.street).get("/api/v1/list-tasks/?list=abc").status_code == 404
    body = {"text": "", "reached": ["x"]}
    assert (
        _api(kt.street)
        .post(f"/api/v1/list-tasks/{task.pk}/progress/", body, format="json")
        .status_code
        == 400
    )


def test_verify_twice_is_refused(kt):
    task = make_list(kt).tasks.get()
    with pytest.raises(ValidationError):
        list_services.step(task, "verify", actor=kt.street)  # not reported done
    list_services.step(task, "done", actor=kt.worker_a1)
    list_services.step(task, "verify", actor=kt.street)
    with pytest.raises(ValidationError):
        list_services.step(task, "verify", actor=kt.district)
    task.refresh_from_db()
    assert task.state == KeyTaskState.VERIFIED and task.verified_by == kt.street


@pytest.mark.django_db(transaction=True)
def test_two_officers_verifying_at_once_make_one_verification(kt):
    task = make_list(kt).tasks.get()
    list_services.step(task, "done", actor=kt.worker_a1)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def verify(actor) -> None:
        try:
            barrier.wait()
            results.append(
                list_services.step(KeyTask.objects.get(pk=task.pk), "verify", actor=actor)
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=verify, args=(u,)) for u in (kt.street, kt.district)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done = [r for r in results if isinstance(r, KeyTask)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert AuditRecord.objects.filter(action="keytasks.task_verify").count() == 1


def test_board_puts_overdue_first_and_reads_in_bounded_queries(
    kt, login, django_assert_max_num_queries
):
    task_list = make_list(kt, 14)
    late = task_list.tasks.get(number=9)
    KeyTask.objects.filter(pk=late.pk).update(due_on=dt.date(2026, 5, 1))
    client = login(kt.street)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("keytasks:board"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 14 and rows[0]["task"].pk == late.pk and rows[0]["status"] == "overdue"
    with django_assert_max_num_queries(14):
        response = client.get(
            reverse("keytasks:board"), {"status": "overdue", "list": task_list.pk}
        )
    assert [r["task"].pk for r in response.context["rows"]] == [late.pk]
    assert (
        client.get(reverse("keytasks:board"), {"unit": "党政办"}).context["page"].paginator.count
        == 14
    )
    with django_assert_max_num_queries(10):
        assert _api(kt.street).get("/api/v1/list-tasks/").status_code == 200
    # The cooperating community sees the street's tasks it works on.
    assert list_selectors.board(kt.worker_a1).count() == 14
    assert list_selectors.board(kt.worker_a2).count() == 0


def _jpeg() -> io.BytesIO:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(out, "JPEG")
    out.seek(0)
    out.name = "现场.jpg"
    return out


def test_progress_with_a_photo_on_the_page_is_served_only_to_viewers(kt, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    task = make_list(kt).tasks.get()
    client = login(kt.worker_a1)
    url = reverse("keytasks:list_task", args=[task.pk])
    response = client.post(url, {"text": "已完成入户宣传", "photos": [_jpeg()]})
    assert response.status_code == 302
    report = task.reports.get()
    photo = report.photos.get()
    assert photo.width == 40
    served = reverse("keytasks:list_photo", args=[task.pk, photo.pk])
    assert client.get(served).status_code == 200
    assert login(kt.worker_a2).get(served).status_code == 404
    # An empty report is refused with a message, nothing written.
    client.post(url, {"text": "  "})
    assert task.reports.count() == 1
