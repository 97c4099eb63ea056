from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.party.models import OrgKind
from gongzhi.partylife import checkin, services
from gongzhi.partylife.models import Meeting, MeetingKind
from tests.party.conftest import first_household, make_member, make_org, make_resident

pytestmark = pytest.mark.django_db


def test_index_and_org_pages_list_many_rows_in_bounded_queries(
    life, client, django_assert_max_num_queries
):
    for i in range(13):
        make_org(OrgKind.GROUP, f"第{i}党小组", life.world.grid_a1_1.buildings[0], life.branch)
        services.plan_meeting(
            life.branch,
            actor=life.cs,
            kind=MeetingKind.THEME_DAY,
            held_on=clock.today() - dt.timedelta(days=i),
        )
    client.force_login(life.cs)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("partylife:index"))
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="overdue-row"') >= 13
    with django_assert_max_num_queries(30):
        page = client.get(reverse("partylife:org", args=[life.branch.pk]))
    assert page.status_code == 200 and page.content.decode().count("/partylife/meetings/") >= 13


def test_meeting_page_lists_attendance_in_bounded_queries(
    life, client, django_assert_max_num_queries
):
    home = first_household(life.world.grid_a1_1.buildings[1])
    for i in range(12):
        make_member(make_resident(home, f"党员{i}"), life.branch)
    m = services.plan_meeting(
        life.branch, actor=life.cs, kind=MeetingKind.GENERAL, held_on=clock.today()
    )
    client.force_login(life.secretary_user)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("partylife:meeting", args=[m.pk]))
    assert page.content.decode().count('data-testid="attendance-row"') == 14
    assert 'data-testid="checkin-link"' in page.content.decode()


def test_wrong_role_and_other_branch_on_pages(life, client):
    m = services.plan_meeting(
        life.branch, actor=life.cs, kind=MeetingKind.GENERAL, held_on=clock.today()
    )
    client.force_login(life.outsider_user)  # a member of the other branch
    assert client.get(reverse("partylife:meeting", args=[m.pk])).status_code == 404
    assert client.get(reverse("partylife:org", args=[life.branch.pk])).status_code == 404
    assert client.get(reverse("partylife:dues", args=[life.branch.pk])).status_code == 404
    client.force_login(life.member_user)  # own branch, not its secretary
    assert client.get(reverse("partylife:org", args=[life.branch.pk])).status_code == 200
    assert client.get(reverse("partylife:dues", args=[life.branch.pk])).status_code == 404
    response = client.post(
        reverse("partylife:minutes", args=[m.pk]), {"minutes": "越权"}, follow=True
    )
    assert response.status_code == 403
    client.force_login(life.cw)  # oversees: reads, may not manage, may not check in
    assert client.get(reverse("partylife:org", args=[life.branch.pk])).status_code == 200
    assert (
        client.post(reverse("partylife:minutes", args=[m.pk]), {"minutes": "x"}).status_code == 403
    )
    assert client.get(reverse("partylife:mine")).status_code == 403
    client.force_login(life.foreign_cs)
    assert client.get(reverse("partylife:meeting", args=[m.pk])).status_code == 404
    assert not Meeting.objects.filter(minutes__contains="越权").exists()


def test_bad_input_on_a_page_is_a_chinese_message(life, client):
    client.force_login(life.secretary_user)
    response = client.post(
        reverse("partylife:org", args=[life.branch.pk]),
        {"kind": MeetingKind.THEME_DAY, "held_on": "1800-01-01"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "2000年至2100年" in response.content.decode()
    assert not Meeting.objects.exists()


def test_member_checks_in_by_link_and_sees_own_page(life, client):
    m = services.plan_meeting(
        life.branch, actor=life.secretary_user, kind=MeetingKind.THEME_DAY, held_on=clock.today()
    )
    window = checkin.current_window()
    url = reverse("partylife:check_in", args=[m.pk, window, checkin.token(m, window)])
    client.force_login(life.member_user)
    assert client.get(url).status_code == 200
    page = client.post(url)
    assert 'data-testid="checked-in"' in page.content.decode()
    mine = client.get(reverse("partylife:mine"))
    assert mine.status_code == 200 and m.title in mine.content.decode()


def test_dues_read_in_yuan(life, client):
    month = clock.today().replace(day=1)
    services.record_due(life.member, actor=life.secretary_user, month=month, amount_fen=1250)
    client.force_login(life.member_user)
    mine = client.get(reverse("partylife:mine"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "12.50 元" in mine and "1250" not in mine
    client.force_login(life.secretary_user)
    year = client.get(reverse("partylife:dues", args=[life.branch.pk])).content.decode()
    assert "12.50" in year


def test_api_scoped_and_malformed(life, client):
    client.force_login(life.secretary_user)
    ok = client.post(
        "/api/v1/party-meetings/",
        {"org": life.branch.pk, "kind": "theme_day", "held_on": str(clock.today())},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.content
    pk = ok.json()["id"]
    assert (
        client.post(
            "/api/v1/party-meetings/", {"org": "x", "kind": "nope"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/v1/party-meetings/",
            {"org": life.other.pk, "kind": "theme_day", "held_on": str(clock.today())},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert client.get("/api/v1/party-meetings/999999/").status_code == 404
    client.force_login(life.outsider_user)
    assert client.get(f"/api/v1/party-meetings/{pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/party-meetings/{pk}/minutes/",
            {"minutes": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    client.force_login(life.member_user)
    assert client.get(f"/api/v1/party-meetings/{pk}/").status_code == 200
    assert (
        client.post(
            f"/api/v1/party-meetings/{pk}/minutes/",
            {"minutes": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    dues = client.post(
        "/api/v1/party-dues/",
        {"member": life.member.pk, "month": "2026-01-01", "kind": "due", "amount_fen": 200},
        content_type="application/json",
    )
    assert dues.status_code == 403
    client.force_login(life.secretary_user)
    assert (
        client.post(
            "/api/v1/party-dues/",
            {"member": life.member.pk, "month": "bad", "kind": "due", "amount_fen": -1},
            content_type="application/json",
        ).status_code
        == 400
    )


def test_api_review_results_are_own_only(life, client):
    round_ = services.open_review(life.branch, actor=life.cs, year=2025)
    client.force_login(life.member_user)
    rows = client.get("/api/v1/party-review-results/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [r["member"] for r in rows] == [life.member.pk]
    client.force_login(life.secretary_user)
    rows = client.get("/api/v1/party-review-results/").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert {r["member"] for r in rows} == {life.member.pk, life.secretary.pk}
    assert round_.results.count() == 2


def test_dues_and_review_pages_list_many_members_in_bounded_queries(
    life, client, django_assert_max_num_queries
):
    home = first_household(life.world.grid_a1_1.buildings[1])
    members = [make_member(make_resident(home, f"缴费党员{i}"), life.branch) for i in range(12)]
    for member in members:
        services.record_due(member, actor=life.cs, month=dt.date(2026, 1, 1), amount_fen=200)
    round_ = services.open_review(life.branch, actor=life.cs, year=2025)
    client.force_login(life.secretary_user)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("partylife:dues", args=[life.branch.pk]) + "?year=2026")
    body = page.content.decode()
    assert page.status_code == 200 and body.count("缴费党员") >= 24  # table and arrears
    with django_assert_max_num_queries(25):
        page = client.get(reverse("partylife:review", args=[round_.pk]))
    assert page.content.decode().count('data-testid="result-row"') == 14
    client.force_login(life.member_user)
    page = client.get(reverse("partylife:review", args=[round_.pk]))
    assert page.content.decode().count('data-testid="result-row"') == 1


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_minutes_with_a_photo_served_only_within_reach(life, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongzhi.partylife.models import MeetingPhoto

    settings.MEDIA_ROOT = str(tmp_path)
    m = services.plan_meeting(
        life.branch, actor=life.cs, kind=MeetingKind.GENERAL, held_on=clock.today()
    )
    client.force_login(life.secretary_user)
    client.post(
        reverse("partylife:minutes", args=[m.pk]),
        {"minutes": "支部党员大会记录", "photos": [SimpleUploadedFile("a.jpg", _jpeg())]},
    )
    photo = MeetingPhoto.objects.get(meeting=m)
    assert client.get(reverse("partylife:photo", args=[photo.pk])).status_code == 200
    client.force_login(life.member_user)
    assert client.get(reverse("partylife:photo", args=[photo.pk])).status_code == 200
    client.force_login(life.outsider_user)
    assert client.get(reverse("partylife:photo", args=[photo.pk])).status_code == 404


def test_member_reads_own_grade_and_parts_on_the_phone_page(life, client):
    round_ = services.open_review(life.branch, actor=life.cs, year=2025)
    mine = round_.results.get(member=life.member)
    services.self_assess(mine, actor=life.member_user, score=80, note="认真履职")
    mine.refresh_from_db()
    services.decide(mine, actor=life.secretary_user, peer_score=75, branch_score=72)
    theirs = round_.results.get(member=life.secretary)
    services.decide(theirs, actor=life.cs, peer_score=95, branch_score=96, self_score=99)
    client.force_login(life.member_user)
    page = client.get(reverse("partylife:mine"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "合格" in page and "80" in page and "75" in page and "72" in page
    assert "99" not in page and "优秀" not in page
    assert client.post(reverse("partylife:review_decide", args=[theirs.pk])).status_code == 404
