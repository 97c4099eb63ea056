"""Online legal services (000 §九 公共法律线上服务): a resident asks the community's legal
adviser, the adviser (or the community's mediation staff) answers, the resident reads it; no
one else reads the question (page and API); no ID-card numbers in the text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.mediation import legal, services
from gongzhi.mediation.models import LegalAdviser, LegalQuestion
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lq(mw):
    adviser = services.set_adviser(
        mw.world.community_a1, actor=mw.secretary, name="王律师", office_hours="周三下午"
    )
    mw.lawyer = make_user(Role.PARTNER_CONTACT, mw.world.community_a1, name="王律师")
    LegalAdviser.objects.filter(pk=adviser.pk).update(user=mw.lawyer)
    mw.adviser = LegalAdviser.objects.get(pk=adviser.pk)
    mw.neighbour = make_user(
        Role.RESIDENT, mw.world.grid_a1_1.buildings[0], household=mw.homes[1], phone="13900000072"
    )
    return mw


def ask(lq, text="邻居装修噪音扰民，可以要求赔偿吗？", actor=None):
    return legal.ask(actor=actor or lq.resident_user, topic="neighbour", text=text)


def test_ask_answer_read(lq, login):
    question = ask(lq)
    assert question.community == lq.world.community_a1 and question.adviser == lq.adviser
    assert Notification.objects.filter(user=lq.lawyer, verb="legal_question").exists()
    record = AuditRecord.objects.get(action="mediation.question_ask")
    assert "装修" not in str(record.changes) and "装修" not in record.reason
    legal.answer(question, actor=lq.lawyer, text="可先协商，协商不成可申请人民调解。")
    with pytest.raises(ValidationError):
        legal.answer(question, actor=lq.secretary, text="再答一次")
    page = login(lq.resident_user).get(reverse("mediation:question", args=[question.pk]))
    assert page.status_code == 200 and "申请人民调解" in page.text
    assert Notification.objects.filter(user=lq.resident_user, verb="legal_answer").exists()


def test_an_id_number_is_refused_with_a_warning(lq, login):
    for text in ("我的身份证420111199001011234，怎么办", "身份证号 42011119900101123X"):
        with pytest.raises(ValidationError, match="ID-card|身份证"):
            ask(lq, text=text)
    page = login(lq.resident_user).post(
        reverse("mediation:legal_mine"),
        {"topic": "family", "text": "身份证号420111199001011234"},
        follow=True,
    )
    assert page.status_code == 200 and LegalQuestion.objects.count() == 0
    assert ask(lq, text="欠款12000元，对方电话打不通").pk  # other numbers are fine


def test_the_community_staff_answer_and_others_are_refused(lq, login):
    question = ask(lq)
    for outsider in (lq.neighbour, lq.grid_worker, lq.member_user, lq.worker_a2):
        with pytest.raises(Http404):
            legal.answer(question, actor=outsider, text="我来答")
        c = login(outsider)
        assert c.get(reverse("mediation:question", args=[question.pk])).status_code == 404
        assert c.get(f"/api/v1/legal-questions/{question.pk}/").status_code == 404
        assert (
            c.post(f"/api/v1/legal-questions/{question.pk}/answer/", {"answer": "x"}).status_code
            == 404
        )
        listed = c.get("/api/v1/legal-questions/").json()
        rows = listed["results"] if isinstance(listed, dict) else listed
        assert question.pk not in [r["id"] for r in rows]
    with pytest.raises(Exception) as refused:  # the asker reads but does not answer
        legal.answer(question, actor=lq.resident_user, text="自问自答")
    assert refused.type.__name__ == "PermissionDenied"
    assert legal.answer(question, actor=lq.secretary, text="社区答复").answered_by == lq.secretary


def test_wrong_roles_for_the_lists(lq, login):
    assert login(lq.grid_worker).get(reverse("mediation:legal_list")).status_code == 403
    assert login(lq.resident_user).get(reverse("mediation:legal_list")).status_code == 403
    assert login(lq.secretary).get(reverse("mediation:legal_mine")).status_code == 403
    made = login(lq.grid_worker).post(
        "/api/v1/legal-questions/", {"topic": "family", "text": "问题"}
    )
    assert made.status_code == 403
    assert login(lq.lawyer).get(reverse("mediation:legal_list")).status_code == 200


def test_resident_page_and_api(lq, login):
    c = login(lq.resident_user)
    page = c.get(reverse("mediation:legal_mine"))
    assert page.status_code == 200 and "王律师" in page.text and "周三下午" in page.text
    c.post(reverse("mediation:legal_mine"), {"topic": "labour", "text": "被拖欠工资怎么办"})
    made = c.post(
        "/api/v1/legal-questions/",
        {"topic": "family", "text": "离婚财产如何分割"},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert c.post("/api/v1/legal-questions/", {"topic": "nope", "text": "x"}).status_code == 400
    assert c.get("/api/v1/legal-questions/abc/").status_code == 404
    assert LegalQuestion.objects.filter(asker=lq.resident_user).count() == 2
    lawyer = login(lq.lawyer)
    pk = made.json()["id"]
    assert lawyer.post(f"/api/v1/legal-questions/{pk}/answer/", {}).status_code == 400
    done = lawyer.post(f"/api/v1/legal-questions/{pk}/answer/", {"answer": "按法律规定分割"})
    assert done.status_code == 200 and done.json()["answered_by"] == "王律师"
    assert "按法律规定分割" in c.get(f"/api/v1/legal-questions/{pk}/").json()["answer"]


def test_the_adviser_list_puts_unanswered_first_with_bounded_queries(
    lq, login, django_assert_max_num_queries
):
    questions = [ask(lq, text=f"问题{i}") for i in range(14)]
    for q in questions[:5]:
        legal.answer(q, actor=lq.lawyer, text="已答复")
    client = login(lq.lawyer)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("mediation:legal_list"))
    assert page.text.count('data-testid="question-row"') == 14
    rows = page.text.split('data-testid="question-row"')[1:]
    assert all("已答复" not in r and "问题" in r for r in rows[:9])
    first_answered = next(i for i, r in enumerate(rows) if "badge text-bg-success" in r)
    assert first_answered == 9
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/legal-questions/").status_code == 200
