from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import datetime as dt

    from gongzhi.core.dashboard import Event
    from gongzhi.core.models import User


class PartylifeConfig(AppConfig):
    name = "gongzhi.partylife"
    label = "partylife"
    verbose_name = _("Party organisational life")

    def ready(self) -> None:
        from gongzhi.core import audit_titles

        _register_dashboard()  # the workbench (core.dashboard)

        audit_titles.register(
            {
                "partylife.pledge_make": _("Pledge made"),
                "partylife.pledge_change": _("Pledge changed"),
                "partylife.pledge_review": _("Pledge reviewed"),
                "partylife.area_assign": _("Responsibility area assigned"),
                "partylife.area_end": _("Responsibility area ended"),
                "partylife.letter": _("Yearly letter to the workplace downloaded"),
                "partylife.index_declare": _("Vanguard index item declared"),
                "partylife.index_accept": _("Vanguard index item accepted"),
                "partylife.index_refuse": _("Vanguard index item refused"),
                "partylife.index_record": _("Vanguard index item recorded by the branch"),
            }
        )


def _register_dashboard() -> None:
    """The workbench: an in-service party member's pledge for the year, and the party
    meetings of today (core.dashboard, docs/ui.md)."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A

    d.register_todo(
        d.Todo(
            "partylife.pledge",
            _("This year's pledge to make"),
            "flag",
            "partylife:mine",
            _pledge_due,
            (A.PARTYLIFE_ATTEND,),
            order=55,
        )
    )
    d.register_today(d.Today("partylife.meetings", _meetings_today, (A.PARTYLIFE_VIEW,)))


def _pledge_due(user: User) -> int | None:
    """1 when the member has not pledged this year, 0 when they have; None for a login that
    is not an active party member (their page would be 404)."""
    from gongzhi.core import clock
    from gongzhi.partylife import rules
    from gongzhi.partylife import selectors as s

    if rules.member(user) is None:
        return None
    return 0 if s.own_pledges(user).filter(year=clock.today().year).exists() else 1


def _meetings_today(user: User, day: dt.date) -> list[Event]:
    from django.urls import reverse

    from gongzhi.core import dashboard as d
    from gongzhi.partylife import selectors as s

    return [
        d.Event(
            m.title,
            m.get_kind_display(),
            reverse("partylife:meeting", args=[m.pk]),
            where=m.location,
            icon="flag",
        )
        for m in s.visible_meetings(user).filter(held_on=day).order_by("id")[:20]
    ]
