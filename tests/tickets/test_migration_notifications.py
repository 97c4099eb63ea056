"""tickets/0007 moves ticket notifications into the kernel's centre (issue 11): each row keeps
its id (links in old notification e-mails and SMS stay valid), a ticket becomes the link to its
page and its number the reference, and new rows continue after the copied ids."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gongzhi.core import clock
from gongzhi.core.models import Notification

BEFORE = [("tickets", "0006_open311_keys"), ("core", "0004_identity_controls")]


@pytest.mark.django_db(transaction=True)
def test_ticket_notifications_move_to_the_kernel_with_ids_and_links(new_ticket, people):
    ticket = new_ticket()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("tickets", "Notification")
    old.objects.all().delete()
    at = clock.now() - dt.timedelta(days=3)
    old.objects.create(
        id=41,
        user_id=people.gw.pk,
        ticket_id=ticket.pk,
        verb="submitted",
        text="新工单",
        read=False,
        created_at=at,
    )
    old.objects.create(
        id=42,
        user_id=people.resident.pk,
        ticket_id=None,
        verb="invited",
        text="会议邀请",
        read=True,
        created_at=at,
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = list(
        Notification.objects.order_by("pk").values(
            "pk", "user_id", "verb", "text", "link", "reference", "read"
        )
    )
    assert rows == [
        {
            "pk": 41,
            "user_id": people.gw.pk,
            "verb": "submitted",
            "text": "新工单",
            "link": f"/tickets/{ticket.pk}/",
            "reference": ticket.number,
            "read": False,
        },
        {
            "pk": 42,
            "user_id": people.resident.pk,
            "verb": "invited",
            "text": "会议邀请",
            "link": "",
            "reference": "",
            "read": True,
        },
    ]
    fresh = Notification.objects.create(user=people.gw, verb="x", text="新的")
    assert fresh.pk > 42
