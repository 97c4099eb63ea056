"""Pages and API: wrong roles (page and API), another community's form is 404, sending from
the page with the form's fields, filling in on the page, the roll-up download, bounded queries
on lists of 12+ rows, malformed ids and bodies (400/404, never 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import exports
from gongzhi.keytasks import services
from gongzhi.keytasks.models import FieldKind, ReceiverState, SentDownTask

from .conftest import DUE, key, plain_answers, receiver_of, send_plain

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_wrong_roles_are_refused_on_pages_and_api(kt, login):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    for user in (kt.resident_user, kt.member):
        client = login(user)
        for name in ("keytasks:todo", "keytasks:sent"):
            assert client.get(reverse(name)).status_code == 403, (user, name)
        assert client.get(reverse("keytasks:fill", args=[a1.pk])).status_code == 403
        assert _api(user).get("/api/v1/task-forms/").status_code == 403
        assert _api(user).get("/api/v1/sent-tasks/").status_code == 403
    # A community worker fills in but does not send.
    worker = login(kt.worker_a1)
    assert worker.get(reverse("keytasks:sent")).status_code == 403
    assert worker.get(reverse("keytasks:task", args=[task.pk])).status_code == 403
    assert worker.get(reverse("keytasks:rollup", args=[task.pk])).status_code == 403
    assert _api(kt.worker_a1).get("/api/v1/sent-tasks/").status_code == 403
    assert (
        _api(kt.worker_a1).post(f"/api/v1/task-forms/{a1.pk}/reopen/", {"reason": "x"}).status_code
        == 403
    )
    # The street sends but has no to-do list, and cannot fill a form in.
    street = login(kt.street)
    assert street.get(reverse("keytasks:todo")).status_code == 403
    assert _api(kt.street).get("/api/v1/task-forms/").status_code == 403
    assert (
        _api(kt.street)
        .post(f"/api/v1/task-forms/{a1.pk}/answers/", {"answers": {}}, format="json")
        .status_code
        == 403
    )
    # Another street's officer: the task does not exist for them.
    other = login(kt.street_b)
    assert other.get(reverse("keytasks:task", args=[task.pk])).status_code == 404
    assert other.get(reverse("keytasks:rollup", args=[task.pk])).status_code == 404
    assert _api(kt.street_b).get(f"/api/v1/sent-tasks/{task.pk}/").status_code == 404


def test_another_communitys_form_is_404_on_page_and_api(kt, login):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    services.save_answers(a1, actor=kt.worker_a1, answers=plain_answers(task), submit=True)
    client = login(kt.worker_a2)
    assert client.get(reverse("keytasks:fill", args=[a1.pk])).status_code == 404
    assert client.post(reverse("keytasks:receiver_act", args=[a1.pk, "recall"])).status_code == 404
    assert _api(kt.worker_a2).get(f"/api/v1/task-forms/{a1.pk}/").status_code == 404
    listed = _api(kt.worker_a2).get("/api/v1/task-forms/").json()["results"]
    assert [r["place_name"] for r in listed] == [kt.world.community_a2.name]
    page = client.get(reverse("keytasks:todo") + "?state=all").content.decode()
    assert kt.world.community_a1.name not in page


def test_the_street_sends_a_task_from_the_page(kt, login):
    client = login(kt.street)
    data = {
        "place": kt.world.street_a.pk,
        "title": "消防通道排查",
        "instructions": "",
        "due_on": DUE.isoformat(),
        "receiver_kind": "community",
        "rows_of": "",
        "row_tag": "",
        "fields-TOTAL_FORMS": "6",
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "30",
        "fields-0-label": "堵塞点数",
        "fields-0-kind": "number",
        "fields-0-required": "on",
        "fields-1-label": "是否整改",
        "fields-1-kind": "choice",
        "fields-1-choices": "是/否",
        **{f"fields-{i}-kind": "text" for i in range(2, 6)},
    }
    response = client.post(reverse("keytasks:sent"), data)
    task = SentDownTask.objects.get()
    assert response.status_code == 302 and response.url == reverse("keytasks:task", args=[task.pk])
    assert [(f.label, f.kind, f.required, f.choices) for f in task.fields.all()] == [
        ("堵塞点数", FieldKind.NUMBER, True, []),
        ("是否整改", FieldKind.CHOICE, False, ["是", "否"]),
    ]
    # A choice without options: refused, the field named, nothing sent.
    data["title"] = "第二次"
    data["fields-1-choices"] = ""
    page = client.post(reverse("keytasks:sent"), data).content.decode()
    assert "是否整改" in page and SentDownTask.objects.count() == 1


def test_filling_in_on_the_page_and_the_rollup_download(kt, login):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    client = login(kt.worker_a1)
    url = reverse("keytasks:fill", args=[a1.pk])
    assert "燃气报警器安装数" in client.get(url).content.decode()
    answers = plain_answers(task)
    del answers[key(task, "检查人")]
    page = client.post(url, {**answers, "step": "submit"}, follow=True).content.decode()
    assert "检查人" in page  # the refusal names the field
    a1.refresh_from_db()
    assert a1.state == ReceiverState.PENDING
    response = client.post(url, {**plain_answers(task), "step": "submit"})
    assert response.status_code == 302
    a1.refresh_from_db()
    assert a1.state == ReceiverState.SUBMITTED
    street = login(kt.street)
    response = street.get(reverse("keytasks:rollup", args=[task.pk]))
    assert response.status_code == 200 and response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    progress = street.get(reverse("keytasks:task", args=[task.pk])).content.decode()
    assert kt.world.community_a1.name in progress and "1 / 2" in progress
    # Remind the late one from the page.
    assert street.post(reverse("keytasks:task_act", args=[task.pk, "remind"])).status_code == 302
    assert receiver_of(task, kt.world.community_a2).reminded_at is not None


def test_lists_answer_in_a_bounded_number_of_queries(kt, login, django_assert_max_num_queries):
    for i in range(13):
        send_plain(kt, title=f"任务{i}")
    street = login(kt.street)
    with django_assert_max_num_queries(12):
        page = street.get(reverse("keytasks:sent"))
    assert page.content.decode().count('data-testid="task-row"') == 13
    worker = login(kt.worker_a1)
    with django_assert_max_num_queries(12):
        page = worker.get(reverse("keytasks:todo"))
    assert page.content.decode().count('data-testid="todo-row"') == 13
    task = SentDownTask.objects.first()
    street = login(kt.street)
    with django_assert_max_num_queries(14):
        assert street.get(reverse("keytasks:task", args=[task.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert _api(kt.worker_a1).get("/api/v1/task-forms/").status_code == 200


def test_api_runs_the_task_and_refuses_malformed_input(kt):
    street = _api(kt.street)
    body = {
        "place": kt.world.street_a.pk,
        "title": "疫苗接种摸排",
        "due_on": DUE.isoformat(),
        "receiver_kind": "community",
        "fields": [
            {"label": "应接种人数", "kind": "number", "required": True},
            {"label": "已接种人数", "kind": "number"},
        ],
    }
    made = street.post("/api/v1/sent-tasks/", body, format="json")
    assert made.status_code == 201, made.content
    task = SentDownTask.objects.get(pk=made.json()["id"])
    detail = street.get(f"/api/v1/sent-tasks/{task.pk}/").json()
    assert len(detail["receivers"]) == 2
    a1 = receiver_of(task, kt.world.community_a1)
    worker = _api(kt.worker_a1)
    refused = worker.post(
        f"/api/v1/task-forms/{a1.pk}/answers/",
        {"answers": {key(task, "已接种人数"): "3"}, "submit": True},
        format="json",
    )
    assert refused.status_code == 400 and "应接种人数" in refused.content.decode()
    done = worker.post(
        f"/api/v1/task-forms/{a1.pk}/answers/",
        {"answers": {key(task, "应接种人数"): "10"}, "submit": True},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "submitted"
    assert street.get(f"/api/v1/sent-tasks/{task.pk}/rollup/").status_code == 200
    assert street.post(f"/api/v1/sent-tasks/{task.pk}/remind/", {}, format="json").json() == {
        "reminded": 1
    }
    # Malformed: never a 500.
    assert street.get("/api/v1/sent-tasks/abc/").status_code == 404
    assert street.get("/api/v1/sent-tasks/99999999999/").status_code == 404
    assert worker.get("/api/v1/task-forms/0/").status_code == 404
    for bad in (
        {"title": "x"},
        {**body, "due_on": "next friday"},
        {**body, "place": "x"},
        {**body, "fields": "no"},
        {**body, "fields": [{"label": "x", "kind": "colour"}]},
        {**body, "place": kt.world.street_b.pk},
    ):
        assert street.post("/api/v1/sent-tasks/", bad, format="json").status_code == 400, bad
    for bad in ({"rows": {"x": {}}}, {"answers": "no"}, {"rows": {"1": "no"}}):
        response = worker.post(f"/api/v1/task-forms/{a1.pk}/answers/", bad, format="json")
        assert response.status_code == 400, bad
    assert street.post(f"/api/v1/task-forms/{a1.pk}/reopen/", {}, format="json").status_code == 400
