"""Ticket notifications move into the kernel's notification centre (core.Notification, issue 11):
every row is copied with its id (the centre's links stay valid), its ticket becoming a link to
the ticket's page and the ticket's number its reference; then tickets.Notification is deleted.

The link is written as `reverse("tickets:detail", args=[pk])` gives it ("/tickets/<pk>/"),
hard-coded: a migration must not import the URL configuration."""

import re

from django.core.management.color import no_style
from django.db import migrations

BATCH = 2000
TICKET_LINK = re.compile(r"^/tickets/(\d+)/$")


def _reset_sequence(schema_editor, model) -> None:
    """Rows copied with their ids: the id sequence (PostgreSQL) continues after them."""
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
        schema_editor.execute(sql)


def to_core(apps, schema_editor):
    Old = apps.get_model("tickets", "Notification")
    New = apps.get_model("core", "Notification")
    rows = Old.objects.order_by("id").values(
        "id", "user_id", "ticket_id", "ticket__number", "verb", "text", "read", "created_at"
    )
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        ticket_id = row["ticket_id"]
        batch.append(
            New(
                id=row["id"],
                user_id=row["user_id"],
                verb=row["verb"],
                text=row["text"],
                link=f"/tickets/{ticket_id}/" if ticket_id else "",
                reference=(row["ticket__number"] or "") if ticket_id else "",
                read=row["read"],
                created_at=row["created_at"],
            )
        )
        if len(batch) >= BATCH:
            New.objects.bulk_create(batch)
            batch = []
    if batch:
        New.objects.bulk_create(batch)
    _reset_sequence(schema_editor, New)


def to_tickets(apps, schema_editor):
    Old = apps.get_model("tickets", "Notification")
    New = apps.get_model("core", "Notification")
    Ticket = apps.get_model("tickets", "Ticket")
    known = set(Ticket.objects.values_list("id", flat=True))
    batch = []
    for row in New.objects.order_by("id").iterator(chunk_size=BATCH):
        found = TICKET_LINK.match(row.link or "")
        ticket_id = int(found.group(1)) if found else None
        batch.append(
            Old(
                id=row.id,
                user_id=row.user_id,
                ticket_id=ticket_id if ticket_id in known else None,
                verb=row.verb,
                text=row.text,
                read=row.read,
                created_at=row.created_at,
            )
        )
        if len(batch) >= BATCH:
            Old.objects.bulk_create(batch)
            batch = []
    if batch:
        Old.objects.bulk_create(batch)
    _reset_sequence(schema_editor, Old)
    New.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0006_open311_keys"),
        ("core", "0005_notification"),
    ]

    operations = [
        migrations.RunPython(to_core, to_tickets),
        migrations.DeleteModel(name="Notification"),
    ]
