"""Tickets' section of "my personal information" (PIPL art. 45): the tickets the person
submitted. Registered from `TicketsConfig.ready()`; the positions are listed in
docs/privacy.md "Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.tickets.selectors import my_tickets


def tickets(person: Person) -> list[Row]:
    if person.user is None:
        return []
    return [
        {
            _("Ticket number"): t.number,
            _("Kind"): t.get_kind_display(),
            _("Category"): t.category.name,
            _("Text"): t.text,
            _("Status"): t.get_status_display(),
            _("Latitude"): t.lat,
            _("Longitude"): t.lng,
            _("Created at"): t.created_at,
            _("Resolution note"): t.resolution_note,
            _("Rating"): t.rating,
        }
        for t in my_tickets(person.user)
    ]


register("tickets", gettext_lazy("Tickets I submitted"), tickets, order=50)
