from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import datetime as dt

    from gongzhi.core.dashboard import Event, Figure
    from gongzhi.core.models import User


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self) -> None:
        from gongzhi.tickets.signals import ticket_stepped
        from gongzhi.volunteering import receivers

        ticket_stepped.connect(
            receivers.ticket_confirmed, dispatch_uid="volunteering.ticket_confirmed"
        )

        from gongzhi.volunteering import privacy_sections  # noqa: F401  (docs/privacy.md)

        _register_dashboard()
        _register_indicators()
        # The cockpit's live figures (issue 21), read by evaluation through core.indicators.
        from gongzhi.volunteering import indicators_live

        indicators_live.register()


def _register_dashboard() -> None:
    """The workbench's volunteering to-dos, today's activities and a key figure
    (core.dashboard, docs/ui.md)."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.volunteering import selectors as s
    from gongzhi.volunteering.models import VolunteerStatus

    d.register_todo(
        d.Todo(
            "volunteering.pending",
            _("Volunteers waiting for approval"),
            "person-plus",
            "volunteering:volunteers",
            lambda u: s.volunteers(u).filter(status=VolunteerStatus.PENDING).count(),
            (A.VOLUNTEER_MANAGE,),
            query=f"status={VolunteerStatus.PENDING}",
            order=60,
        )
    )
    d.register_today(d.Today("volunteering.organised", _organised_today, (A.ACTIVITY_ORGANISE,)))
    d.register_today(d.Today("volunteering.mine", _signed_up_today, (A.VOLUNTEER_JOIN,)))
    d.register_figure(d.Figures("volunteering.taking_part", _taking_part, (A.VOLUNTEER_VIEW,), 20))


def _organised_today(user: User, day: dt.date) -> list[Event]:
    from django.urls import reverse

    from gongzhi.core import dashboard as d
    from gongzhi.volunteering import selectors as s

    return [
        d.Event(
            a.title,
            _("Volunteer activity"),
            reverse("volunteering:activity", args=[a.pk]),
            at=a.starts_at,
            where=a.location,
            icon="heart",
        )
        for a in s.organised_between(user, *d.day_bounds(day))[:20]
    ]


def _signed_up_today(user: User, day: dt.date) -> list[Event]:
    from django.urls import reverse

    from gongzhi.core import dashboard as d
    from gongzhi.volunteering import selectors as s

    url = reverse("volunteering:activities")
    return [
        d.Event(
            r.activity.title,
            _("Activity I signed up for"),
            url,
            at=r.activity.starts_at,
            where=r.activity.location,
            icon="heart",
        )
        for r in s.my_signups_between(user, *d.day_bounds(day))[:20]
    ]


def _taking_part(user: User) -> list[Figure]:
    """People at activities this month so far against the same days of last month."""
    from django.urls import reverse

    from gongzhi.core import clock
    from gongzhi.core import dashboard as d
    from gongzhi.volunteering import selectors as s

    now = clock.now()
    this = d.day_bounds(d.month_start(clock.today()))[0]
    last = d.day_bounds(d.month_start(clock.today(), 1))[0]
    before, after = s.taking_part(user, (last, min(last + (now - this), this)), (this, now))
    return [
        d.Figure(
            _("Volunteers at activities this month"),
            after,
            before,
            reverse("volunteering:volunteers"),
            period=_("same days last month"),
        )
    ]


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.volunteering.indicators import register_all

    register_all()
