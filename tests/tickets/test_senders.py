"""External notification senders: after commit, in a task, failures logged and harmless."""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.http import Http404

from gongzhi.core import notifications as senders
from gongzhi.core import sms
from gongzhi.core.models import Notification
from gongzhi.tickets import services
from gongzhi.tickets.models import Kind, Status, Ticket
from gongzhi.tickets.workflow import Step
from tests.tickets.conftest import run_step

MEMORY = "gongzhi.core.notifications.MemorySender"
FAILING = "gongzhi.core.notifications.FailingSender"


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.NOTIFY_SENDERS = [MEMORY]
    senders.MemorySender.outbox = []
    sms.MemoryBackend.outbox = []
    yield senders.MemorySender.outbox


def _submit(people, cats):
    return services.submit(
        actor=people.resident, kind=Kind.HELP, category=cats.repair, text="灯坏了"
    )


def test_each_notification_is_sent_after_commit(
    people, cats, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = _submit(people, cats)
    assert outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    note = Notification.objects.get(reference=ticket.number)
    assert note.link == f"/tickets/{ticket.pk}/"
    assert [(m.notification_id, m.user, m.reference) for m in outbox] == [
        (note.pk, people.gw, ticket.number)
    ]
    assert outbox[0].text == note.text


def test_a_refused_step_sends_nothing(drive, people, outbox, django_capture_on_commit_callbacks):
    ticket = drive(Status.SUBMITTED)
    outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Http404),  # the other grid's worker does not see it
    ):
        run_step(ticket, Step.ACCEPT, people.gw_other, {})
    assert callbacks == [] and outbox == []


def test_every_step_notifies_through_the_senders(
    drive, people, outbox, django_capture_on_commit_callbacks
):
    ticket = drive(Status.SUBMITTED)
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_step(ticket, Step.ACCEPT, people.gw, {})
    assert [m.user for m in outbox] == [people.resident]


def test_a_failing_sender_is_logged_and_does_not_stop_the_others(
    settings, people, cats, outbox, caplog, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SENDERS = [FAILING, MEMORY, "gongzhi.core.notifications.NoSuchSender"]
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        ticket = _submit(people, cats)
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert len(outbox) == 1
    assert "sender FailingSender failed" in caplog.text
    assert "NoSuchSender cannot be loaded" in caplog.text


def test_a_queue_outage_does_not_break_the_committed_step(
    people, cats, caplog, django_capture_on_commit_callbacks
):
    with (
        mock.patch(
            "gongzhi.core.notifications.deliver_task", side_effect=ConnectionError("redis down")
        ),
        caplog.at_level(logging.ERROR),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = _submit(people, cats)
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert "could not enqueue" in caplog.text


def test_no_senders_no_task(settings, people, cats, django_capture_on_commit_callbacks):
    settings.NOTIFY_SENDERS = []
    with (
        mock.patch("gongzhi.core.notifications.deliver_task") as task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        _submit(people, cats)
    assert Notification.objects.exists()  # the in-app notification is written all the same
    task.assert_not_called()


def test_the_console_sender_logs_no_personal_data(
    settings, drive, people, caplog, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SENDERS = ["gongzhi.core.notifications.ConsoleSender"]
    ticket = drive(Status.SUBMITTED)
    with (
        caplog.at_level(logging.INFO, logger="gongzhi.core.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run_step(ticket, Step.ACCEPT, people.gw, {})
    lines = [r.getMessage() for r in caplog.records if r.name == "gongzhi.core.notifications"]
    assert len(lines) == 1
    assert f"user #{people.resident.pk}" in lines[0] and ticket.number in lines[0]
    text = Notification.objects.filter(reference=ticket.number).last().text
    for secret in ("13900000001", people.resident.name, text):
        assert secret not in lines[0]


def test_the_sms_sender_texts_users_with_a_phone_only(
    settings, drive, people, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SENDERS = ["gongzhi.core.notifications.SmsSender"]
    settings.SMS_BACKEND = "gongzhi.core.sms.MemoryBackend"
    with django_capture_on_commit_callbacks(execute=True):
        ticket = drive(Status.ACCEPTED)  # submit → the grid worker (no phone); accept → resident
    assert sms.MemoryBackend.outbox == [
        (
            "13900000001",
            Notification.objects.get(reference=ticket.number, user=people.resident).text,
        )
    ]


def test_inactive_users_are_not_sent_to(people, cats, outbox):
    ticket = _submit(people, cats)
    people.gw.is_active = False
    people.gw.save()
    ids = list(Notification.objects.filter(reference=ticket.number).values_list("pk", flat=True))
    assert senders.deliver(ids) == 0 and outbox == []
