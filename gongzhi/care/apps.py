from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    import datetime as dt

    from gongzhi.core.dashboard import Event
    from gongzhi.core.models import User


class CareConfig(AppConfig):
    name = "gongzhi.care"
    label = "care"
    verbose_name = _("Care and outreach")

    def ready(self) -> None:
        from gongzhi.care import privacy_sections  # noqa: F401  (docs/privacy.md)
        from gongzhi.core import audit_titles

        audit_titles.register(
            {
                "care.visit_plan": _("Care visit planned"),
                "care.visit_reassign": _("Care visitor changed"),
                "care.visit_record": _("Care visit recorded"),
                "care.visit_ticket": _("Care visit need made a ticket"),
                "care.round_send": _("Verification round sent"),
                "care.round_check": _("Household checked in a verification round"),
                "care.donation_record": _("Donation recorded"),
                "care.service_point_save": _("Service point saved"),
                "care.talent_save": _("Talent base entry saved"),
                "care.talent_withdraw": _("Talent base entry withdrawn"),
                "care.talent_backbone": _("Backbone flag changed"),
                "care.skill_add": _("Skill added to a community's list"),
                "care.channel_save": _("Opinion channel saved"),
                "care.platform_bind": _("WeChat or DingTalk account linked"),
                "care.platform_unbind": _("WeChat or DingTalk account unlinked"),
                "care.opinion_ticket": _("Opinion made a ticket"),
                "care.opinion_handled": _("Opinion marked handled"),
            }
        )
        _register_dashboard()


def _register_dashboard() -> None:
    """The workbench's care visits: overdue plans for the planner, the visitor's own list and
    today's visits (core.dashboard, docs/ui.md)."""
    from gongzhi.care import selectors as s
    from gongzhi.core import clock
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A

    d.register_todo(
        d.Todo(
            "care.visits_overdue",
            _("Care visits overdue"),
            "heart-pulse",
            "care:visits",
            lambda u: s.visit_plans(u).filter(next_due_on__lt=clock.today()).count(),
            (A.CARE_VISIT_PLAN,),
            query="overdue=1",
            order=30,
            urgent=True,
        )
    )
    d.register_todo(
        d.Todo(
            "care.my_visits",
            _("People I visit"),
            "person-hearts",
            "care:my_visits",
            lambda u: s.my_visit_plans(u).count() or None,
            (A.CARE_VISIT_RECORD,),
            order=31,
        )
    )
    d.register_today(d.Today("care.visits", _visits_today, (A.CARE_VISIT_RECORD,)))


def _visits_today(user: User, day: dt.date) -> list[Event]:
    from django.urls import reverse

    from gongzhi.care import selectors as s
    from gongzhi.core import dashboard as d

    url = reverse("care:my_visits")
    return [
        d.Event(
            plan.resident.name,
            _("Care visit due"),
            url,
            icon="person-hearts",
        )
        for plan in s.my_visit_plans(user).filter(next_due_on=day)[:20]
    ]
