from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import datetime as dt

    from gongzhi.core.dashboard import Event
    from gongzhi.core.models import User


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation")

    def ready(self) -> None:
        from gongzhi.deliberation import privacy_sections  # noqa: F401  (docs/privacy.md)

        _register_dashboard()


def _register_dashboard() -> None:
    """The workbench's meetings of today and the resolution actions a non-manager owes
    (core.dashboard, docs/ui.md)."""
    from gongzhi.core import access
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.deliberation import selectors as s

    d.register_todo(
        d.Todo(
            "deliberation.actions",
            _("Resolution actions assigned to me"),
            "list-task",
            "deliberation:follow_throughs",
            lambda u: (
                None
                if access.has_any(u, A.DELIBERATION_MANAGE)
                else (s.my_follow_throughs(u).count() or None)
            ),
            order=50,
        )
    )
    d.register_today(d.Today("deliberation.meetings", _meetings_today))


def _meetings_today(user: User, day: dt.date) -> list[Event]:
    from django.urls import reverse

    from gongzhi.core import access
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.deliberation import selectors as s
    from gongzhi.deliberation.models import MeetingStatus

    if access.has_any(user, A.DELIBERATION_MANAGE):
        meetings = s.managed_meetings(user)
    else:
        meetings = s.my_meetings(user)
    start, end = d.day_bounds(day)
    rows = (
        meetings.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "id")[:20]
    )
    return [
        d.Event(
            m.title,
            m.get_kind_display(),
            reverse("deliberation:meeting", args=[m.pk]),
            at=m.starts_at,
            where=m.location,
            icon="chat-square-text",
        )
        for m in rows
    ]
