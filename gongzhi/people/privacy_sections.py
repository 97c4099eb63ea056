"""The registry's sections of "my personal information" (PIPL art. 45): the resident record
and the household history. Registered from `PeopleConfig.ready()`; the positions are listed in
docs/privacy.md "Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, plain, register
from gongzhi.people.selectors import age_tags, membership_history


def resident_record(person: Person) -> list[Row]:
    r = person.resident
    if r is None:
        return []
    tags = [t.get_tag_display() for t in r.tags.all()]
    return [
        {
            _("Full name"): r.name,
            _("Gender"): r.get_gender_display(),
            _("Birth date"): r.birth_date,
            _("Document type"): r.get_id_type_display(),
            _("Document number"): plain(r.id_encrypted),
            _("Phone"): plain(r.phone_encrypted),
            _("Address"): r.household.short_address if r.household_id else "",
            _("Relation to the head"): r.get_relation_display(),
            _("Residence status"): r.get_residence_status_display(),
            _("Tags"): "、".join([*age_tags(r), *tags]),
            _("Skills and specialties"): r.specialty,
            _("Lives here"): r.is_active,
            _("Created at"): r.created_at,
            _("Updated at"): r.updated_at,
        }
    ]


def household(person: Person) -> list[Row]:
    if person.resident is None:
        return []
    return [
        {
            _("Address"): m.household.short_address,
            _("Relation to the head"): m.get_relation_display(),
            _("Moved in"): m.moved_in,
            _("Moved out on"): m.moved_out,
        }
        for m in membership_history(person.resident)
    ]


register("resident", gettext_lazy("My resident record"), resident_record, order=30)
register("household", gettext_lazy("My household history"), household, order=40)
