"""Deliberation's sections of "my personal information" (PIPL art. 45): topics raised,
support and opinions, and poll ballots. Registered from `DeliberationConfig.ready()`; the
positions are listed in docs/privacy.md "Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.deliberation.models import Opinion, PollBallot, Topic, TopicSupport


def topics(person: Person) -> list[Row]:
    if person.user is None:
        return []
    rows: list[Row] = []
    for t in Topic.objects.filter(raised_by=person.user).order_by("id"):
        rows.append(
            {
                _("Record type"): _("Topic raised"),
                _("Topic"): t.title,
                _("Text"): t.text,
                _("Date"): t.created_at,
            }
        )
    for s in TopicSupport.objects.filter(user=person.user).select_related("topic").order_by("id"):
        rows.append(
            {
                _("Record type"): _("Support"),
                _("Topic"): s.topic.title,
                _("Text"): "",
                _("Date"): s.created_at,
            }
        )
    for o in Opinion.objects.filter(author=person.user).select_related("topic").order_by("id"):
        rows.append(
            {
                _("Record type"): _("Opinion"),
                _("Topic"): o.topic.title,
                _("Text"): o.text,
                _("Date"): o.created_at,
            }
        )
    return rows


def polls(person: Person) -> list[Row]:
    if person.user is None:
        return []
    qs = (
        PollBallot.objects.filter(user=person.user)
        .select_related("poll")
        .prefetch_related("options")
    )
    return [
        {
            _("Poll"): b.poll.question,
            _("Choice"): "、".join(o.text for o in b.options.all()),
            _("Date"): b.created_at,
        }
        for b in qs
    ]


register("topics", gettext_lazy("Topics, support and opinions"), topics, order=100)
register("polls", gettext_lazy("Poll ballots"), polls, order=110)
