"""Correction and deletion requests (PIPL arts. 46–47) and refusals with a reason (art. 50)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, User
from gongzhi.people.models import Resident
from gongzhi.privacy import services
from gongzhi.privacy.models import PrivacyRequest, RequestStatus
from tests.privacy.conftest import NOW


def _file(user, kind="correction", what="出生日期错了，应为1960年6月1日", why="登记有误"):
    return services.file_request(kind, what, why, actor=user)


def test_filing_sets_community_deadline_and_audit(pw, settings):
    settings.PRIVACY_REQUEST_DAYS = 15
    item = _file(pw.alice)
    assert item.community == pw.world.community_a1
    assert item.status == RequestStatus.RECEIVED
    assert item.due_on == clock.today() + dt.timedelta(days=15)
    assert item.resident.user == pw.alice
    entry = AuditRecord.objects.get(action="privacy.request")
    assert entry.changes["kind"] == "correction"
    assert "出生日期" not in str(entry.changes)


def test_deadline_is_a_setting(pw, settings):
    settings.PRIVACY_REQUEST_DAYS = 30
    assert _file(pw.alice).due_on == clock.today() + dt.timedelta(days=30)


@pytest.mark.parametrize(
    "kind,what,why",
    [
        ("other", "x", "y"),
        ("correction", "", "y"),
        ("deletion", "x", "  "),
        ("deletion", "x" * 1001, "y"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(pw, kind, what, why):
    with pytest.raises(ValidationError):
        services.file_request(kind, what, why, actor=pw.alice)
    assert not PrivacyRequest.objects.exists()
    assert not AuditRecord.objects.filter(action="privacy.request").exists()


def test_roles_without_the_right_cannot_file(pw):
    with pytest.raises(PermissionDenied):
        _file(pw.merchant)


def test_staff_steps_start_refuse_with_reason(pw):
    item = _file(pw.alice)
    item = services.start_request(item, actor=pw.worker)
    assert item.status == RequestStatus.IN_PROGRESS
    with pytest.raises(ValidationError):
        services.refuse_request(item, "  ", actor=pw.worker)
    assert PrivacyRequest.objects.get(pk=item.pk).status == RequestStatus.IN_PROGRESS
    item = services.refuse_request(item, "户籍信息以公安登记为准，请到派出所更正", actor=pw.worker)
    assert item.status == RequestStatus.REFUSED and item.closed_at == NOW
    assert AuditRecord.objects.filter(action="privacy.request_refuse").count() == 1
    with pytest.raises(ValidationError):
        services.complete_request(item, actor=pw.worker)


def test_refusal_needs_a_reason_in_the_database_too(pw):
    from django.db import IntegrityError, transaction

    item = _file(pw.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        PrivacyRequest.objects.filter(pk=item.pk).update(status="refused", refusal_reason="")


def test_staff_of_another_community_get_404_grid_worker_403(pw):
    item = _file(pw.alice)
    with pytest.raises(Http404):
        services.start_request(item, actor=pw.worker_a2)
    with pytest.raises(PermissionDenied):
        services.start_request(item, actor=pw.grid_worker)
    assert PrivacyRequest.objects.get(pk=item.pk).status == RequestStatus.RECEIVED


def test_done_correction(pw):
    item = services.complete_request(_file(pw.alice), "已在居民信息中更正出生日期", actor=pw.worker)
    assert item.status == RequestStatus.DONE
    assert item.handled_by == pw.worker
    assert Resident.objects.get(user=pw.alice).name == "王丽"  # nothing anonymised


def test_done_deletion_anonymises_and_keeps_records(pw):
    resident = Resident.objects.get(user=pw.alice)
    item = _file(pw.alice, kind="deletion", what="全部个人信息", why="已搬离本社区")
    services.complete_request(item, "已匿名化", actor=pw.secretary)
    resident.refresh_from_db()
    assert resident.name == "已匿名"
    assert resident.id_index is None and resident.id_encrypted == "" and resident.phone_masked == ""
    assert resident.birth_date is None and resident.specialty == ""
    assert not resident.tags.exists()
    assert resident.user is None and not resident.is_active
    user = User.objects.get(pk=pw.alice.pk)
    assert user.name == "已匿名" and not user.is_active and user.phone_index is None
    item.refresh_from_db()
    assert item.status == RequestStatus.DONE and item.name == ""
    entry = AuditRecord.objects.get(action="privacy.anonymise")
    assert "王丽" not in entry.target_repr
    assert "王丽" not in str(entry.changes)


# --- Pages ------------------------------------------------------------------------------


def test_resident_files_from_the_phone_and_sees_only_own(pw, login):
    other = _file(pw.bob)
    client = login(pw.alice)
    page = client.get(reverse("privacy:request_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("privacy:request_new"),
        {"kind": "deletion", "what": "我的电话号码", "why": "不再使用"},
    )
    mine = PrivacyRequest.objects.get(user=pw.alice)
    assert response.status_code == 302
    assert response.url == reverse("privacy:my_request", args=[mine.pk])
    assert client.get(reverse("privacy:my_request", args=[mine.pk])).status_code == 200
    assert client.get(reverse("privacy:my_request", args=[other.pk])).status_code == 404
    listing = client.get(reverse("privacy:mine"))
    assert "我的电话号码" in listing.content.decode()
    assert "出生日期" not in listing.content.decode()


def test_empty_form_shows_an_error_and_writes_nothing(pw, login):
    response = login(pw.alice).post(reverse("privacy:request_new"), {"kind": "deletion"})
    assert response.status_code == 200
    assert not PrivacyRequest.objects.exists()


def test_refusal_reason_reaches_the_resident(pw, login):
    item = _file(pw.alice)
    services.refuse_request(item, "证件信息须凭原件更正", actor=pw.worker)
    page = login(pw.alice).get(reverse("privacy:my_request", args=[item.pk]))
    assert "证件信息须凭原件更正" in page.content.decode()


def test_queue_highlights_overdue_and_paginates(pw, login, django_assert_max_num_queries):
    for n in range(14):
        _file(pw.alice, what=f"第{n}项")
    with clock.travel_to(NOW + dt.timedelta(days=20)):
        client = login(pw.worker)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("privacy:queue"))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('data-testid="overdue"') == 14
        assert client.get(reverse("privacy:queue") + "?status=overdue").status_code == 200
    fresh = login(pw.worker).get(reverse("privacy:queue"))
    assert 'data-testid="overdue"' not in fresh.content.decode()


def test_queue_and_request_pages_wrong_roles(pw, login, client):
    item = _file(pw.alice)
    url = reverse("privacy:handle", args=[item.pk])
    assert login(pw.worker).get(url).status_code == 200
    client.logout()
    assert login(pw.worker_a2).get(url).status_code == 404
    assert "王丽" not in login(pw.worker_a2).get(reverse("privacy:queue")).content.decode()
    client.logout()
    assert login(pw.grid_worker).get(url).status_code == 403
    assert login(pw.grid_worker).get(reverse("privacy:queue")).status_code == 403
    client.logout()
    assert login(pw.bob).get(url).status_code == 403


def test_handle_page_steps(pw, login):
    item = _file(pw.alice)
    client = login(pw.worker)
    url = reverse("privacy:handle", args=[item.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="resident-link"' in page
    assert client.post(url, {"step": "start"}).status_code == 302
    refused = client.post(url, {"step": "refuse", "refuse-reason": ""})
    assert refused.status_code == 200
    assert PrivacyRequest.objects.get(pk=item.pk).status == RequestStatus.IN_PROGRESS
    assert client.post(url, {"step": "refuse", "refuse-reason": "不属实"}).status_code == 302
    assert PrivacyRequest.objects.get(pk=item.pk).refusal_reason == "不属实"


# --- API --------------------------------------------------------------------------------


def test_api_file_list_and_handle(pw, login, client):
    api = "/api/v1/privacy-requests/"
    c = login(pw.alice)
    created = c.post(
        api, {"kind": "correction", "what": "电话", "why": "换号"}, content_type="application/json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        c.post(
            api, {"kind": "x", "what": "", "why": ""}, content_type="application/json"
        ).status_code
        == 400
    )
    assert [r["id"] for r in c.get(api).json()["results"]] == [pk]
    bob_item = _file(pw.bob)
    assert c.get(f"{api}{bob_item.pk}/").status_code == 404
    client.logout()
    queue = "/api/v1/privacy-queue/"
    w = login(pw.worker)
    assert {r["id"] for r in w.get(queue).json()["results"]} == {pk, bob_item.pk}
    assert w.post(f"{queue}{pk}/start/").json()["status"] == "in_progress"
    assert (
        w.post(f"{queue}{pk}/refuse/", {"reason": ""}, content_type="application/json").status_code
        == 400
    )
    done = w.post(f"{queue}{pk}/done/", {"note": "已更正"}, content_type="application/json")
    assert done.json()["status"] == "done"
    client.logout()
    assert login(pw.worker_a2).get(f"{queue}{bob_item.pk}/").status_code == 404
    assert login(pw.worker_a2).post(f"{queue}{bob_item.pk}/start/").status_code == 404
    client.logout()
    assert login(pw.grid_worker).get(queue).status_code == 403
    assert login(pw.grid_worker).post(f"{queue}{bob_item.pk}/start/").status_code == 403
    client.logout()
    assert login(pw.merchant).get(api).status_code == 403


def test_my_requests_list_paginates_with_bounded_queries(pw, login, django_assert_max_num_queries):
    for n in range(25):
        _file(pw.alice, what=f"第{n}项信息")
    client = login(pw.alice)
    client.get(reverse("privacy:mine"))  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(reverse("privacy:mine"))
    html = response.content.decode()
    assert len(re.findall(r'href="/privacy/requests/\d+/"', html)) == 20
    second = client.get(reverse("privacy:mine") + "?page=2").content.decode()
    assert len(re.findall(r'href="/privacy/requests/\d+/"', second)) == 5


def test_deletion_keeps_the_tickets_without_the_name(pw):
    from gongzhi.tickets import services as ticket_services
    from gongzhi.tickets.models import Category, Ticket

    category = Category.objects.create(code="t-repair", name="维修")
    ticket = ticket_services.submit(
        actor=pw.alice, kind="help", category=category, text="楼道灯坏了"
    )
    services.complete_request(_file(pw.alice, kind="deletion"), actor=pw.worker)
    ticket = Ticket.objects.select_related("submitter").get(pk=ticket.pk)
    assert ticket.text == "楼道灯坏了"
    assert ticket.submitter.name == "已匿名"


def test_anonymise_resident_needs_the_right_in_scope(pw):
    resident = Resident.objects.get(user=pw.bob)
    with pytest.raises(Http404):
        services.anonymise_resident(resident, actor=pw.worker_a2)
    with pytest.raises(PermissionDenied):
        services.anonymise_resident(resident, actor=pw.grid_worker)
    assert Resident.objects.get(pk=resident.pk).name == "李强"
    assert services.anonymise_resident(resident, actor=pw.worker) == {
        "resident": 1,
        "user": 1,
        "posts_closed": 1,
    }
    assert Resident.objects.get(pk=resident.pk).name == "已匿名"
