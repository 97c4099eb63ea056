"""Every deliberation page renders for its users; the wrong role and other communities are
refused; public pages need no login and show no personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Opinion, Topic, TopicStatus
from tests.deliberation.conftest import T0, agenda_topic


@pytest.fixture
def full(d, threshold, meeting):
    """A little of everything in community A1."""
    topic = agenda_topic(d)
    services.invite(meeting, [d.resident, d.property], actor=d.secretary)
    resolution = services.add_resolution(
        meeting, actor=d.secretary, text="修复路灯", owner=d.property, due=dt.date(2026, 6, 1)
    )
    poll = services.create_poll(
        actor=d.secretary,
        community=d.community,
        question="广场舞时间",
        options=["19:00", "20:00"],
        opens_at=T0,
        closes_at=T0 + dt.timedelta(days=7),
    )
    notice = services.publish_entries_notice(
        actor=d.secretary,
        community=d.community,
        title="财务公开",
        body="收支",
        amounts="办公 | 100",
    )
    services.confirm_representative(d.community, d.resident.resident_record, actor=d.secretary)
    return dict(
        topic=topic,
        meeting=meeting,
        follow_through=resolution.follow_through,
        poll=poll,
        notice=notice,
    )


def test_every_page_renders_for_the_secretary(d, full, login):
    client = login(d.secretary)
    urls = [
        reverse("deliberation:topics"),
        reverse("deliberation:topic_new"),
        reverse("deliberation:topic", args=[full["topic"].pk]),
        reverse("deliberation:meetings"),
        reverse("deliberation:meeting_new"),
        reverse("deliberation:meeting", args=[full["meeting"].pk]),
        reverse("deliberation:meeting_qr", args=[full["meeting"].pk]),
        reverse("deliberation:meeting_qr_code", args=[full["meeting"].pk]),
        reverse("deliberation:follow_throughs"),
        reverse("deliberation:follow_through", args=[full["follow_through"].pk]),
        reverse("deliberation:polls"),
        reverse("deliberation:poll_new"),
        reverse("deliberation:poll", args=[full["poll"].pk]),
        reverse("deliberation:notices"),
        reverse("deliberation:representatives"),
        reverse("deliberation:joint_overdue"),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    qr = client.get(reverse("deliberation:meeting_qr", args=[full["meeting"].pk]))
    assert b"<svg" in qr.content


def test_resident_pages_and_the_threshold_display(d, full, login):
    client = login(d.resident)
    page = client.get(reverse("deliberation:topic", args=[full["topic"].pk]))
    assert "3/3" in page.content.decode()
    for url in (
        reverse("deliberation:topics"),
        reverse("deliberation:topic_new"),
        reverse("deliberation:meetings"),
        reverse("deliberation:meeting", args=[full["meeting"].pk]),
        reverse("deliberation:polls"),
        reverse("deliberation:poll", args=[full["poll"].pk]),
        reverse("deliberation:follow_throughs"),
    ):
        assert client.get(url).status_code == 200, url


def test_wrong_role_is_refused(d, full, login):
    client = login(d.resident)
    for name in ("meeting_new", "poll_new", "notices", "representatives", "joint_overdue"):
        assert client.get(reverse(f"deliberation:{name}")).status_code == 403, name
    assert (
        client.get(reverse("deliberation:meeting_qr", args=[full["meeting"].pk])).status_code == 403
    )
    merchant_client = login(d.property)
    assert merchant_client.get(reverse("deliberation:topics")).status_code == 403


def test_other_community_gets_404(d, full, login):
    client = login(d.worker_other)
    for url in (
        reverse("deliberation:topic", args=[full["topic"].pk]),
        reverse("deliberation:meeting", args=[full["meeting"].pk]),
        reverse("deliberation:follow_through", args=[full["follow_through"].pk]),
        reverse("deliberation:poll", args=[full["poll"].pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_property_staff_sees_the_meeting_invited_to_and_its_action(d, full, login):
    client = login(d.property)
    assert client.get(reverse("deliberation:meeting", args=[full["meeting"].pk])).status_code == 200
    response = client.post(
        reverse("deliberation:follow_through_progress", args=[full["follow_through"].pk]),
        {"status": "done", "note": "已修复"},
    )
    assert response.status_code == 302
    full["follow_through"].refresh_from_db()
    assert full["follow_through"].status == "done"


def test_support_and_opinion_through_the_pages(d, topic, login):
    client = login(d.neighbour)
    client.post(reverse("deliberation:topic_support", args=[topic.pk]))
    again = client.post(reverse("deliberation:topic_support", args=[topic.pk]), follow=True)
    assert "once" in again.content.decode() or "一次" in again.content.decode()
    topic.refresh_from_db()
    assert topic.support_count == 1
    client.post(reverse("deliberation:topic_opinion", args=[topic.pk]), {"text": "支持"})
    assert Opinion.objects.filter(topic=topic).count() == 1


def test_hidden_opinion_seen_by_others_as_a_notice(d, topic, login):
    opinion = services.give_opinion(topic, "骂人的话", actor=d.neighbour)
    staff = login(d.secretary)
    staff.post(reverse("deliberation:opinion_hide", args=[opinion.pk]), {"reason": "不文明"})
    other = login(d.resident).get(reverse("deliberation:topic", args=[topic.pk])).content.decode()
    assert "不文明" in other and "骂人的话" not in other
    author = login(d.neighbour).get(reverse("deliberation:topic", args=[topic.pk])).content.decode()
    assert "不文明" in author and "骂人的话" in author


def test_raise_topic_form_errors_write_nothing(d, login):
    client = login(d.resident)
    response = client.post(
        reverse("deliberation:topic_new"), {"place": d.community.pk, "title": "", "text": "x"}
    )
    assert response.status_code == 200 and not Topic.objects.exists()
    response = client.post(
        reverse("deliberation:topic_new"),
        {"place": d.community.pk, "title": "充电桩", "text": "需要"},
    )
    assert response.status_code == 302 and Topic.objects.get().status == TopicStatus.OPEN


def test_raise_a_topic_on_a_building_through_the_page_and_api(d, login):
    building = d.world.grid_a1_1.buildings[0]
    client = login(d.resident)
    form = client.get(reverse("deliberation:topic_new")).content.decode()
    assert f'value="{building.pk}"' in form and f'value="{d.world.grid_a1_1.pk}"' in form
    response = client.post(
        reverse("deliberation:topic_new"),
        {"place": building.pk, "title": "加装电梯", "text": "七层老楼"},
    )
    assert response.status_code == 302 and Topic.objects.get().place == building
    api = client.post(
        "/api/v1/topics/",
        {"place": d.world.grid_a1_1.pk, "title": "网格巡逻", "text": "夜间"},
        content_type="application/json",
    )
    assert api.status_code == 201


def test_vote_page_and_results_hidden_before_close(d, full, login):
    poll = full["poll"]
    client = login(d.resident)
    with clock.travel_to(T0 + dt.timedelta(hours=1)):
        option = poll.options.first()
        client.post(reverse("deliberation:poll_vote", args=[poll.pk]), {"options": [option.pk]})
        page = client.get(reverse("deliberation:poll", args=[poll.pk])).content.decode()
        assert 'data-testid="results-hidden"' in page and 'data-testid="turnout"' not in page
        staff = login(d.secretary).get(reverse("deliberation:poll", args=[poll.pk]))
        assert 'data-testid="turnout"' in staff.content.decode()
        assert 'data-testid="results"' not in staff.content.decode()
    with clock.travel_to(T0 + dt.timedelta(days=8)):
        page = login(d.resident).get(reverse("deliberation:poll", args=[poll.pk])).content.decode()
        assert 'data-testid="results"' in page
    assert poll.ballots.count() == 1


def test_public_pages_need_no_login_and_show_no_phones(d, full, client):
    for url in (
        reverse("deliberation:public", args=[d.community.pk]),
        reverse("deliberation:public_notices", args=[d.community.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        for user in (d.resident, d.neighbour):
            assert user.phone_plain not in html
            assert user.resident_record.phone_masked not in html
    page = client.get(reverse("deliberation:public", args=[d.community.pk])).content.decode()
    assert "修复路灯" in page and "胡经理" in page
    assert "吴**" in page and "吴秀英" not in page  # no consent to public display
    notices = client.get(reverse("deliberation:public_notices", args=[d.community.pk]))
    assert "100.00" in notices.content.decode()
    assert (
        client.get(reverse("deliberation:public", args=[d.world.grid_a1_1.pk])).status_code == 404
    )


def test_lists_are_paginated_with_bounded_queries(d, login, django_assert_max_num_queries):
    for i in range(35):
        services.raise_topic(actor=d.secretary, place=d.community, title=f"议题{i}", text="x")
    client = login(d.resident)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("deliberation:topics"))
    assert len(response.context["page"].object_list) == 30
    with django_assert_max_num_queries(15):
        client.get(reverse("deliberation:topics") + "?page=2")


def test_qr_check_in_page(d, meeting, login):
    client = login(d.resident)
    code = services.checkin_token(meeting)
    url = reverse("deliberation:checkin", args=[meeting.pk, code])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert meeting.attendances.filter(user=d.resident).exists()
    old = reverse("deliberation:checkin", args=[meeting.pk, "0" * 20])
    response = login(d.neighbour).post(old)
    assert response.status_code == 200
    assert not meeting.attendances.filter(user=d.neighbour).exists()


def test_public_notices_filter_by_category(d, client):
    for category, title in (
        ("party", "党费收缴公示"),
        ("residents", "停水通知"),
        ("financial", "一季度财务公开"),
        ("financial", "二季度财务公开"),
    ):
        if category == "financial":  # made from the funding lines' entries (issue 16)
            services.publish_entries_notice(
                actor=d.secretary, community=d.community, title=title, body="正文", amounts=""
            )
            continue
        services.publish_notice(
            actor=d.secretary, community=d.community, category=category, title=title, body="正文"
        )
    url = reverse("deliberation:public_notices", args=[d.community.pk])
    everything = client.get(url).content.decode()
    assert all(t in everything for t in ("党费收缴公示", "停水通知", "一季度财务公开"))
    assert 'data-testid="category-financial"' in everything
    financial = client.get(url, {"category": "financial"}).content.decode()
    assert "一季度财务公开" in financial and "二季度财务公开" in financial
    assert "党费收缴公示" not in financial and "停水通知" not in financial
    assert 'class="nav-link py-1 px-2 active" href="?category=financial"' in financial
    party = client.get(url, {"category": "party"}).content.decode()
    assert (
        "党费收缴公示" in party and "财务公开" not in party.split('data-testid="public-notices"')[1]
    )
    # an unknown category shows everything rather than an empty page
    assert "停水通知" in client.get(url, {"category": "nonsense"}).content.decode()


def _many(d, n=12):
    meetings = [
        services.create_meeting(
            actor=d.secretary,
            community=d.community,
            kind="residents_council",
            title=f"议事会{i:02d}",
            starts_at=T0 + dt.timedelta(days=i),
            location="会议室",
        )
        for i in range(n)
    ]
    for i in range(n):
        services.add_resolution(
            meetings[i],
            actor=d.secretary,
            text=f"决议{i:02d}",
            owner=d.property if i % 2 else d.grid,
            due=dt.date(2026, 6, 1) + dt.timedelta(days=i),
        )
        services.create_poll(
            actor=d.secretary,
            community=d.community,
            question=f"问卷{i:02d}",
            options=["是", "否"],
            opens_at=T0,
            closes_at=T0 + dt.timedelta(days=7),
        )
        if i % 3 == 2:  # financial notices are made from the funding lines' entries
            notice = services.publish_entries_notice(
                actor=d.secretary,
                community=d.community,
                title=f"公告{i:02d}",
                body="正文",
                amounts="经费 | 100",
            )
        else:
            notice = services.publish_notice(
                actor=d.secretary,
                community=d.community,
                category=("party", "residents")[i % 3],
                title=f"公告{i:02d}",
                body="正文",
            )
        if i % 4 == 0:
            services.withdraw_notice(notice, "重发", actor=d.secretary)
    return meetings


def test_lists_and_public_pages_have_bounded_queries(
    d, login, client, django_assert_max_num_queries
):
    _many(d)
    staff = login(d.secretary)
    for name, marker, count in (
        ("meetings", "议事会", 12),
        ("follow_throughs", "决议", 0),
        ("polls", "问卷", 12),
        ("notices", "公告", 12),
    ):
        with django_assert_max_num_queries(12):
            response = staff.get(reverse(f"deliberation:{name}"))
        assert response.status_code == 200, name
        assert len(response.context["page"].object_list) == 12, name
        assert response.content.decode().count(marker) >= count, name
    owner = login(d.property)
    with django_assert_max_num_queries(12):
        response = owner.get(reverse("deliberation:follow_throughs"))
    assert len(response.context["page"].object_list) == 6
    resident = login(d.resident)
    with django_assert_max_num_queries(12):
        response = resident.get(reverse("deliberation:polls"))
    assert len(response.context["page"].object_list) == 12
    with django_assert_max_num_queries(12):
        response = resident.get(reverse("deliberation:meetings"))
    assert len(response.context["page"].object_list) == 12
    client.logout()
    with django_assert_max_num_queries(6):
        public = client.get(reverse("deliberation:public", args=[d.community.pk]))
    assert all(f"决议{i:02d}" in public.content.decode() for i in range(12))
    assert public.content.decode().count('data-testid="public-status"') == 12
    with django_assert_max_num_queries(6):
        notices = client.get(reverse("deliberation:public_notices", args=[d.community.pk]))
    assert notices.content.decode().count('data-testid="withdrawn"') == 3
    assert all(f"公告{i:02d}" in notices.content.decode() for i in range(12))


def test_joint_meetings_page_states_pagination_and_queries(
    world, profile_dir, login, django_assert_max_num_queries
):
    """Street staff see each community's state: due / overdue where the document sets the
    rhythm, "not set by this document" where it does not; paginated, bounded queries."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.core import clock
    from gongzhi.core.roles import Role
    from tests.conftest import make_place, make_user
    from tests.deliberation.conftest import set_profile

    (profile_dir / "quarterly.yaml").write_text(
        "source: x.txt\ntitle: t\ndeliberation:\n  joint_meeting_months: 3  # 003\n"
    )
    set_profile(world.street_a, "quarterly")
    for n in range(30):
        make_place(world.street_a, "community", f"测试社区{n}", f"4201110020{n + 50}")
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    client = login(officer)
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 6, 10, 9, 0))):
        with django_assert_max_num_queries(20):
            page = client.get(reverse("deliberation:joint_overdue"))
        body = page.content.decode()
        assert page.status_code == 200 and 'data-testid="joint-due"' in body
        assert body.count('data-testid="joint-row"') == 30  # one page of 32 communities
        assert client.get(reverse("deliberation:joint_overdue") + "?page=2").status_code == 200
    # Without the key (another street's document sets nothing): listed, nothing enforced.
    set_profile(world.street_a, "")
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 6, 10, 9, 0))):
        body = client.get(reverse("deliberation:joint_overdue")).content.decode()
    assert 'data-testid="joint-not-set"' in body and 'data-testid="joint-due"' not in body
