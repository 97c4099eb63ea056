"""Inspections and rectification (检查与限期整改, issue 17 item 3): findings become
rectification tasks led by the community, tracked like any task, verified only by the
inspector (two verifications at once → one), bad input refused in Chinese with nothing
written, wrong roles on page and API, the visits compliance row against the profile key."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.keytasks import inspections, list_selectors, list_services, list_status
from gongzhi.keytasks.inspections import Finding
from gongzhi.keytasks.list_status import Status
from gongzhi.keytasks.models import Inspection, KeyTask, KeyTaskState, TaskList, UnitRole
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _inspect(kt, *, actor=None, kind="yearly", held_on=dt.date(2026, 5, 28), findings=None):
    return inspections.record_inspection(
        kt.world.community_a1,
        actor=actor or kt.street,
        kind=kind,
        held_on=held_on,
        summary="年度检查：台账基本齐全。",
        findings=findings
        if findings is not None
        else [
            Finding("居务公开栏未按月更新", dt.date(2026, 6, 15)),
            Finding("消防通道堆放杂物", dt.date(2026, 6, 10)),
        ],
    )


def test_findings_become_rectification_tasks_tracked_like_any_task(kt):
    inspection = _inspect(kt)
    tasks = list(inspection.task_list.tasks.order_by("number"))
    assert [t.title for t in tasks] == ["居务公开栏未按月更新", "消防通道堆放杂物"]
    assert inspection.task_list.place == kt.world.street_a
    assert inspection.by_place == kt.world.street_a
    lead = tasks[0].units.get()
    assert lead.role == UnitRole.LEAD and lead.place == kt.world.community_a1
    # The community sees them on its board and reports on them.
    assert list_selectors.board(kt.worker_a1).count() == 2
    assert list_selectors.board(kt.worker_a2).count() == 0
    list_services.report_progress(tasks[0], actor=kt.worker_a1, text="已更新公开栏")
    with clock.travel_to(dt.datetime(2026, 6, 12, 9)):
        assert list_status.status(KeyTask.objects.get(pk=tasks[1].pk), 30) == Status.OVERDUE
    assert AuditRecord.objects.filter(action="keytasks.inspection").count() == 1


def test_only_the_inspector_verifies_a_rectification(kt):
    task = _inspect(kt).task_list.tasks.get(number=1)
    other = make_user(Role.STREET_OFFICER, kt.world.street_a, name="另一街道干部")
    list_services.step(task, "done", actor=kt.worker_a1)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError, match="检查人"):
            list_services.step(task, "verify", actor=other)
        with pytest.raises(ValidationError, match="检查人"):
            list_services.step(task, "verify", actor=kt.district)
    with pytest.raises(PermissionDenied):
        list_services.step(task, "verify", actor=kt.worker_a1)
    with pytest.raises(Http404):
        list_services.step(task, "verify", actor=kt.street_b)
    assert KeyTask.objects.get(pk=task.pk).state == KeyTaskState.DONE
    list_services.step(task, "verify", actor=kt.street)
    assert KeyTask.objects.get(pk=task.pk).state == KeyTaskState.VERIFIED


@pytest.mark.django_db(transaction=True)
def test_the_inspector_verifying_twice_at_once_makes_one_verification(kt):
    task = _inspect(kt).task_list.tasks.get(number=1)
    list_services.step(task, "done", actor=kt.worker_a1)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def verify() -> None:
        try:
            barrier.wait()
            results.append(
                list_services.step(KeyTask.objects.get(pk=task.pk), "verify", actor=kt.street)
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=verify) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done = [r for r in results if isinstance(r, KeyTask)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert AuditRecord.objects.filter(action="keytasks.task_verify").count() == 1


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(kt):
    cases = [
        ({"findings": [Finding("问题", dt.date(2026, 5, 1))]}, "整改期限"),
        ({"findings": [Finding(" ", dt.date(2026, 6, 10))]}, "为空"),
        ({"held_on": dt.date(2026, 6, 2)}, "未来"),
        ({"kind": "party"}, "检查类型"),
    ]
    with translation.override("zh-hans"):
        for extra, message in cases:
            with pytest.raises(ValidationError, match=message):
                _inspect(kt, **extra)
        _inspect(kt)
        with pytest.raises(ValidationError, match="已有"):
            _inspect(kt, findings=[])
        with pytest.raises(ValidationError, match="社区"):
            inspections.record_inspection(
                kt.world.grid_a1_1, actor=kt.street, kind="visit", held_on=dt.date(2026, 5, 1)
            )
    assert Inspection.objects.count() == 1 and TaskList.objects.count() == 1


def test_wrong_roles_on_inspection_pages_and_api(kt, login):
    inspection = _inspect(kt)
    body = {"community": kt.world.community_a1.pk, "kind": "visit", "held_on": "2026-05-30"}
    for user in (kt.worker_a1, kt.secretary_a1):
        client = login(user)
        assert client.get(reverse("keytasks:inspection_new")).status_code == 403
        assert client.post(reverse("keytasks:inspection_new"), body).status_code == 403
        assert _api(user).post("/api/v1/inspections/", body, format="json").status_code == 403
        # … but they see their community's inspection and its findings.
        assert client.get(reverse("keytasks:inspection", args=[inspection.pk])).status_code == 200
    for user in (kt.member, kt.resident_user, kt.grid_a1):
        assert login(user).get(reverse("keytasks:inspections")).status_code == 403
        assert _api(user).get("/api/v1/inspections/").status_code == 403
    # Another street: 404 for the inspection and for inspecting A1.
    other = login(kt.street_b)
    assert other.get(reverse("keytasks:inspection", args=[inspection.pk])).status_code == 404
    assert _api(kt.street_b).post("/api/v1/inspections/", body, format="json").status_code == 404
    with pytest.raises(Http404):
        inspections.record_inspection(
            kt.world.community_a1, actor=kt.street_b, kind="visit", held_on=dt.date(2026, 5, 30)
        )
    with pytest.raises(PermissionDenied):
        inspections.record_inspection(
            kt.world.community_a1, actor=kt.worker_a1, kind="visit", held_on=dt.date(2026, 5, 30)
        )
    # A worker of another community sees neither the inspection nor its tasks.
    assert (
        login(kt.worker_a2).get(reverse("keytasks:inspection", args=[inspection.pk])).status_code
        == 404
    )
    assert Inspection.objects.count() == 1
    # The street officer through the API and the page.
    created = _api(kt.street).post(
        "/api/v1/inspections/",
        {**body, "findings": [{"text": "议事记录缺失", "due_on": "2026-06-20"}]},
        format="json",
    )
    assert created.status_code == 201
    detail = _api(kt.street).get(f"/api/v1/inspections/{created.json()['id']}/").json()
    assert [f["text"] for f in detail["findings"]] == ["议事记录缺失"]
    bad = _api(kt.street).post(
        "/api/v1/inspections/",
        {**body, "held_on": "2026-05-29", "findings": [{"text": "x", "due_on": "2026-01-01"}]},
        format="json",
    )
    assert bad.status_code == 400
    page = login(kt.street).post(
        reverse("keytasks:inspection_new"),
        {
            "community": kt.world.community_a2.pk,
            "kind": "visit",
            "held_on": "2026-05-31",
            "summary": "走访指导",
            "finding-0-text": "网格员信息未公示",
            "finding-0-due": "2026-06-30",
            "finding-1-text": "缺少日期",
        },
    )
    assert page.status_code == 200 and "时限" in page.content.decode()
    assert Inspection.objects.count() == 2
    page = login(kt.street).post(
        reverse("keytasks:inspection_new"),
        {
            "community": kt.world.community_a2.pk,
            "kind": "visit",
            "held_on": "2026-05-31",
            "finding-0-text": "网格员信息未公示",
            "finding-0-due": "2026-06-30",
        },
    )
    assert page.status_code == 302 and Inspection.objects.count() == 3
    shown = login(kt.street).get(page["Location"]).content.decode()
    assert "网格员信息未公示" in shown


def test_visits_compliance_row_against_the_profile(kt, login, django_assert_max_num_queries):
    world = kt.world
    street = world.street_a
    street.policy_profile = "loudi"
    street.save(update_fields=["policy_profile"])
    assert inspections.required_visits(world.community_a1) == 3
    assert inspections.required_visits(world.community_b1) is None
    for day in (dt.date(2026, 2, 10), dt.date(2026, 4, 8), dt.date(2026, 5, 20)):
        _inspect(kt, kind="visit", held_on=day, findings=[])
    _inspect(kt, kind="visit", held_on=dt.date(2025, 11, 2), findings=[])  # last year
    inspections.record_inspection(
        world.community_a2, actor=kt.street, kind="visit", held_on=dt.date(2026, 3, 3)
    )
    rows = {r["community"].pk: r for r in inspections.visit_rows(kt.district)}
    assert rows[world.community_a1.pk]["visits"] == 3 and not rows[world.community_a1.pk]["short"]
    assert rows[world.community_a2.pk]["visits"] == 1 and rows[world.community_a2.pk]["short"]
    assert rows[world.community_b1.pk]["required"] is None
    assert not rows[world.community_b1.pk]["short"]
    assert inspections.visit_rows(kt.district)[0]["community"] == world.community_a2
    # The page lists 12+ inspections in bounded queries.
    for i in range(10):
        _inspect(kt, kind="yearly", held_on=dt.date(2026, 1, 1) + dt.timedelta(days=i), findings=[])
    client = login(kt.street)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("keytasks:inspections"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="inspection-row"') == 15
    assert 'data-short="1"' in response.content.decode()
    with django_assert_max_num_queries(10):
        assert _api(kt.street).get("/api/v1/inspections/").json()["count"] == 15
