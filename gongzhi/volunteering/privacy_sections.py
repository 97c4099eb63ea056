"""Volunteering's section of "my personal information" (PIPL art. 45): the volunteer
registration, time-bank exchanges and activity sign-ups. Registered from
`VolunteeringConfig.ready()`; the positions are listed in docs/privacy.md "Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.volunteering.models import Volunteer
from gongzhi.volunteering.selectors import my_exchanges, my_signups


def volunteering(person: Person) -> list[Row]:
    if person.resident is None:
        return []
    rows: list[Row] = []
    volunteer = Volunteer.objects.filter(resident=person.resident).first()
    if volunteer is not None:
        rows.append(
            {
                _("Record type"): _("Volunteer registration"),
                _("Details"): "；".join(
                    x for x in (volunteer.skills, volunteer.availability, volunteer.areas) if x
                ),
                _("Status"): volunteer.get_status_display(),
                _("Date"): volunteer.registered_at,
            }
        )
    for e in my_exchanges(person.resident):
        rows.append(
            {
                _("Record type"): _("Time-bank exchange"),
                _("Details"): _("%(title)s, %(m)s minutes") % {"title": e.title, "m": e.minutes},
                _("Status"): e.get_status_display(),
                _("Date"): e.created_at,
            }
        )
    for s in my_signups(person.resident):
        rows.append(
            {
                _("Record type"): s.activity.title,
                _("Details"): _("%(m)s minutes, %(p)s points")
                % {"m": s.minutes or 0, "p": s.points},
                _("Status"): s.get_status_display(),
                _("Date"): s.signed_up_at,
            }
        )
    return rows


register("volunteering", gettext_lazy("Volunteering"), volunteering, order=60)
