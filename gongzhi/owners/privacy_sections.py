"""Owners' section of "my personal information" (PIPL art. 45): the person's ballots in
owners' votes. Registered from `OwnersConfig.ready()`; the positions are listed in
docs/privacy.md "Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.owners.models import Ballot


def owners_ballots(person: Person) -> list[Row]:
    if person.resident is None:
        return []
    return [
        {
            _("Owners' vote"): b.vote.title,
            _("Choice"): b.get_choice_display(),
            _("Channel"): b.get_channel_display(),
            _("Cast at"): b.cast_at,
        }
        for b in Ballot.objects.filter(resident=person.resident).select_related("vote")
    ]


register("owners_ballots", gettext_lazy("Owners' ballots"), owners_ballots, order=90)
