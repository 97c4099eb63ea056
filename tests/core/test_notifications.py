"""The kernel's notification centre (gongzhi.core.notifications): `notify` writes one row per
person and forgets their cached unread counts, hands the rows to the senders after commit; a
person reads one or all of their own, never another's; the reads see only one's own."""

from __future__ import annotations

import pytest
from django.http import Http404

from gongzhi.core import notifications
from gongzhi.core.models import Notification
from gongzhi.core.roles import Role
from tests.conftest import make_user


@pytest.fixture
def two(world):
    return (
        make_user(Role.MERCHANT, world.community_a1),
        make_user(Role.MERCHANT, world.community_a1),
    )


def test_notify_writes_one_row_per_person_with_its_link(two):
    alice, bob = two
    rows = notifications.notify(
        [alice.pk, bob.pk, alice.pk, None],
        verb="meeting_invite",
        text="会议邀请",
        link="/deliberation/meetings/7/",
        reference="M-7",
    )
    assert len(rows) == 2
    assert list(Notification.objects.order_by("user_id").values_list("user_id", flat=True)) == [
        alice.pk,
        bob.pk,
    ]
    row = Notification.objects.get(user=alice)
    assert (row.verb, row.text, row.link, row.reference, row.read) == (
        "meeting_invite",
        "会议邀请",
        "/deliberation/meetings/7/",
        "M-7",
        False,
    )
    assert notifications.notify([], verb="x", text="nobody") == []
    long = notifications.notify([bob.pk], verb="x", text="长" * 400)
    assert len(Notification.objects.get(pk=long[0].pk).text) == notifications.TEXT_MAX


def test_notify_forgets_the_cached_unread_count(two, django_assert_num_queries):
    alice, _bob = two
    assert notifications.badge_count(alice) == 0
    with django_assert_num_queries(0):
        assert notifications.badge_count(alice) == 0  # cached
    notifications.notify([alice.pk], verb="submit", text="一")
    assert notifications.badge_count(alice) == 1
    Notification.objects.create(user=alice, verb="submit", text="二")  # save() forgets too
    assert notifications.badge_count(alice) == 2


def test_notify_hands_the_rows_to_the_senders_after_commit(
    two, settings, django_capture_on_commit_callbacks
):
    alice, _bob = two
    settings.NOTIFY_SENDERS = ["gongzhi.core.notifications.MemorySender"]
    notifications.MemorySender.outbox = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (row,) = notifications.notify([alice.pk], verb="submit", text="一", reference="GZ-1")
    assert notifications.MemorySender.outbox == []
    for callback in callbacks:
        callback()
    (message,) = notifications.MemorySender.outbox
    assert (message.notification_id, message.user, message.text, message.reference) == (
        row.pk,
        alice,
        "一",
        "GZ-1",
    )
    assert message.ticket_number == "GZ-1"  # the former name still answers


def test_the_former_sender_paths_still_load(settings):
    settings.NOTIFY_SENDERS = ["gongzhi.tickets.senders.ConsoleSender"]
    (sender,) = notifications.senders()
    assert isinstance(sender, notifications.ConsoleSender)


def test_read_one_and_all_of_ones_own(two):
    alice, bob = two
    first, *_ = notifications.notify([alice.pk], verb="a", text="一")
    notifications.notify([alice.pk], verb="b", text="二")
    notifications.notify([alice.pk], verb="c", text="三")
    assert notifications.badge_count(alice) == 3
    assert notifications.read_notification(first.pk, actor=alice).read
    assert notifications.badge_count(alice) == 2
    assert notifications.read_notification(first.pk, actor=alice).read  # again: no change
    assert notifications.unread_count(alice) == 2
    assert notifications.read_all_notifications(actor=bob) == 0
    assert notifications.read_all_notifications(actor=alice) == 2
    assert notifications.badge_count(alice) == 0
    assert not Notification.objects.filter(user=alice, read=False).exists()


def test_another_users_notification_is_404_and_stays_unread(two):
    alice, bob = two
    (theirs,) = notifications.notify([alice.pk], verb="a", text="一")
    with pytest.raises(Http404):
        notifications.read_notification(theirs.pk, actor=bob)
    with pytest.raises(Http404):
        notifications.read_notification(theirs.pk + 1000, actor=alice)
    theirs.refresh_from_db()
    assert not theirs.read
    assert list(notifications.notifications(bob)) == []
    assert notifications.unread_count(bob) == 0 and notifications.badge_count(bob) == 0


def test_reads_see_only_ones_own_newest_first_and_nothing_when_signed_out(two):
    from django.contrib.auth.models import AnonymousUser

    alice, bob = two
    notifications.notify([alice.pk, bob.pk], verb="a", text="一")
    (newer,) = notifications.notify([alice.pk], verb="b", text="二")
    mine = list(notifications.notifications(alice))
    assert [n.text for n in mine] == ["二", "一"] and mine[0].pk == newer.pk
    notifications.read_notification(newer.pk, actor=alice)
    assert [n.text for n in notifications.notifications(alice, unread_only=True)] == ["一"]
    anonymous = AnonymousUser()
    assert list(notifications.notifications(anonymous)) == []
    assert notifications.unread_count(anonymous) == 0
    assert notifications.badge_count(anonymous) == 0 and notifications.badge_count(None) == 0


def test_the_count_is_capped_and_labelled(two):
    alice, _bob = two
    notifications.notify([alice.pk], verb="a", text="一")
    Notification.objects.bulk_create(
        [Notification(user=alice, verb="a", text=str(i)) for i in range(120)]
    )
    assert notifications.unread_count(alice) == notifications.UNREAD_CAP
    assert notifications.badge_label(notifications.badge_count(alice)) == "99+"
    assert notifications.badge_label(7) == "7"
