"""Household notices (issue 24 item 3): set-based sending, receipts exactly once per household,
the unread list scoped to the viewer (a building head: their building), the urgent SMS only to
unread households and only once, templates, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.care import selectors, services
from gongzhi.care.models import Delivery, Notice
from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.people.models import Tag

T0 = dt.datetime(2026, 7, 1, 9, 0)


def send(cw, place=None, **kw):
    actor = kw.pop("actor", cw.worker)
    fields = {"kind": "water", "title": "停水通知", "body": "7月2日9点至17点停水。"}
    fields.update(kw)
    return services.send_notice(place or cw.b1, actor=actor, **fields)


def test_a_building_notice_reaches_each_household_once(cw):
    notice = send(cw)
    assert notice.households == 5
    assert set(Delivery.objects.filter(notice=notice).values_list("household_id", flat=True)) == {
        h.pk for h in cw.households
    }
    assert all(d.place_path == cw.b1.path for d in Delivery.objects.filter(notice=notice))
    assert (
        AuditRecord.objects.filter(action="care.notice_send", target_id=str(notice.pk)).count() == 1
    )
    # the building head is told, through the kernel's notification centre
    told = Notification.objects.get(user=cw.head, verb="care.notice")
    assert told.link == f"/care/notices/{notice.pk}/knock/"
    assert not Notification.objects.filter(user=cw.head2).exists()


def test_grid_and_community_notices_reach_every_building(cw):
    assert send(cw, cw.world.grid_a1_1).households == 7
    community = send(cw, cw.world.community_a1)
    assert community.households == Delivery.objects.filter(notice=community).count() == 11


def test_a_care_tag_narrows_the_households(cw):
    notice = send(cw, cw.world.community_a1, care_tag=Tag.LIVING_ALONE)
    assert notice.households == 2
    assert set(Delivery.objects.filter(notice=notice).values_list("household_id", flat=True)) == {
        cw.households[2].pk,
        cw.households[3].pk,
    }


def test_nothing_is_written_when_no_household_matches(cw):
    with pytest.raises(ValidationError):
        send(cw, cw.b2, care_tag=Tag.VETERAN)
    assert not Notice.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"title": ""},
        {"body": "  "},
        {"kind": "flood"},
        {"care_tag": "rich"},
        {"body": "从____到____停水"},
        {"title": "x" * 101},
    ],
)
def test_bad_input_is_refused_and_writes_nothing(cw, fields):
    with pytest.raises(ValidationError):
        send(cw, **fields)
    assert not Notice.objects.exists()


def test_a_street_officer_warns_the_whole_street(cw, user_factory):
    street = user_factory(Role.STREET_OFFICER, cw.world.street_a)
    notice = send(cw, cw.world.street_a, actor=street, kind="weather", title="暴雨预警")
    # every household of the street's two communities
    assert notice.households == 11 + 4
    with pytest.raises(Http404):  # a community worker does not reach the street
        send(cw, cw.world.street_a)


def test_who_may_send(cw):
    with pytest.raises(PermissionDenied):  # sees the building, may not send
        send(cw, actor=cw.head)
    with pytest.raises(Http404):  # another community's worker does not see it
        send(cw, actor=cw.other)
    assert send(cw, actor=cw.grid).households == 5
    with pytest.raises(Http404):  # the grid worker's right stops at the grid
        send(cw, cw.world.community_a1, actor=cw.grid)


def test_templates_prefill_water_power_weather(cw):
    for kind in ("water", "power", "weather"):
        title, body = services.template(kind)
        assert title and "____" in body
    assert services.template("other") == ("", "")


def test_receipt_exactly_once_per_household(cw):
    notice = send(cw)
    assert services.read_notice(notice, actor=cw.r1) is True
    assert services.read_notice(notice, actor=cw.r1) is False
    delivery = Delivery.objects.get(notice=notice, household=cw.households[0])
    assert delivery.read_at is not None and delivery.read_by == cw.r1
    assert AuditRecord.objects.filter(action="care.notice_read").count() == 1
    assert selectors.figures(cw.worker, notice).read == 1


def test_a_household_outside_the_notice_cannot_read_it(cw):
    notice = send(cw)
    with pytest.raises(Http404):
        services.read_notice(notice, actor=cw.outsider)
    assert not Delivery.objects.filter(read_at__isnull=False).exists()


def test_a_login_without_a_household_is_told_so(cw):
    notice = send(cw)
    with pytest.raises(ValidationError):
        services.read_notice(notice, actor=cw.worker)


def test_unread_and_figures_are_scoped_to_the_viewer(cw):
    notice = send(cw, cw.world.grid_a1_1)
    services.read_notice(notice, actor=cw.r1)
    services.read_notice(notice, actor=cw.r2)
    # the building head of B1 sees B1's three unread households only
    unread = list(selectors.unread(cw.head, notice))
    assert {d.household_id for d in unread} == {h.pk for h in cw.households[2:]}
    assert selectors.figures(cw.head, notice).households == 5
    # the head of B2 sees the same notice with B2's two households
    assert selectors.figures(cw.head2, notice).households == 2
    assert selectors.figures(cw.head2, notice).read == 0
    # the grid worker and the community see all seven
    assert selectors.figures(cw.grid, notice) == selectors.Figures(households=7, read=2, texted=0)
    assert selectors.unread(cw.worker, notice).count() == 5
    # another community sees nothing of it
    assert not selectors.visible_notices(cw.other).filter(pk=notice.pk).exists()
    assert not selectors.visible_notices(cw.merchant).exists()


def test_a_building_head_sees_a_notice_sent_above_but_not_a_sibling_buildings(cw):
    to_b2 = send(cw, cw.b2)
    to_community = send(cw, cw.world.community_a1)
    visible = set(selectors.visible_notices(cw.head).values_list("pk", flat=True))
    assert visible == {to_community.pk}
    assert to_b2.pk not in visible


@pytest.fixture
def urgent(cw, outbox):
    clock.set_now(T0)
    notice = send(cw, urgent=True)
    assert notice.sms_due_at == clock.now() + dt.timedelta(minutes=60)  # platform default
    services.read_notice(notice, actor=cw.r1)
    services.read_notice(notice, actor=cw.r2)
    return notice


def test_the_urgent_sms_waits_until_it_is_due(
    cw, urgent, outbox, django_capture_on_commit_callbacks
):
    clock.set_now(T0 + dt.timedelta(minutes=59))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_urgent() == 0
    with pytest.raises(ValidationError):
        services.text_unread(urgent, actor=cw.worker)
    assert outbox == []


def test_the_urgent_sms_goes_only_to_unread_households_once(
    cw, urgent, outbox, django_capture_on_commit_callbacks
):
    clock.set_now(T0 + dt.timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_urgent() == 1
    # r1 and r2 read it; r3 is texted; 赵四 has no phone; the fifth household is empty
    assert [phone for phone, _text in outbox] == [cw.r3.phone_plain]
    assert "停水通知" in outbox[0][1]
    urgent.refresh_from_db()
    assert (urgent.sms_sent, urgent.sms_skipped) == (1, 2)
    assert urgent.sms_done_at is not None
    # once: neither the sweep nor the staff button texts again
    clock.set_now(T0 + dt.timedelta(minutes=70))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_urgent() == 0
    with pytest.raises(ValidationError):
        services.text_unread(urgent, actor=cw.worker)
    assert len(outbox) == 1
    assert Delivery.objects.filter(notice=urgent, sms_at__isnull=False).count() == 1
    # the sender is told how it went
    assert Notification.objects.filter(user=cw.worker, verb="care.notice_sms").count() == 1


def test_the_sms_limit_and_wait_come_from_the_profile(
    cw, outbox, profile_dir, django_capture_on_commit_callbacks
):
    (profile_dir / "care-test.yaml").write_text(
        "source: test\ntitle: t\ncare:\n  urgent_sms_after_minutes: 10  # test\n"
        "  urgent_sms_max_households: 1  # test\n",
        encoding="utf-8",
    )
    community = cw.world.community_a1
    community.policy_profile = "care-test"
    community.save(update_fields=["policy_profile"])
    clock.set_now(T0)
    notice = send(cw, urgent=True)
    assert notice.sms_due_at == clock.now() + dt.timedelta(minutes=10)
    clock.set_now(T0 + dt.timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.text_unread(notice, actor=cw.worker) == 1
    notice.refresh_from_db()
    assert notice.sms_sent == 1 and notice.sms_skipped == 4
    assert len(outbox) == 1


def test_only_senders_text_now_and_a_plain_notice_has_no_sms(cw, urgent, outbox):
    clock.set_now(T0 + dt.timedelta(minutes=61))
    with pytest.raises(PermissionDenied):
        services.text_unread(urgent, actor=cw.head)
    plain = send(cw)
    with pytest.raises(ValidationError):
        services.text_unread(plain, actor=cw.worker)
    assert outbox == []
