from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from gongzhi.core.models import User


class MediationConfig(AppConfig):
    name = "gongzhi.mediation"
    label = "mediation"
    verbose_name = _("People's mediation")

    def ready(self) -> None:
        from gongzhi.mediation import privacy_sections  # noqa: F401  (docs/privacy.md)

        _register_dashboard()
        _register_indicators()


def _register_dashboard() -> None:
    """The workbench's mediation cases by state (core.dashboard, docs/ui.md)."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.mediation.models import State

    gate = (A.MEDIATION_VIEW, A.MEDIATION_MANAGE, A.MEDIATION_MEDIATE)
    for order, (state, label, icon) in enumerate(
        (
            (State.OPENED, _("Mediation cases opened"), "folder-plus"),
            (State.MEDIATING, _("Cases in mediation"), "people"),
            (State.FOLLOW_UP, _("Mediation follow-ups"), "telephone-forward"),
        )
    ):
        d.register_todo(
            d.Todo(
                f"mediation.{state}",
                label,
                icon,
                "mediation:index",
                partial(_cases_in, state),
                gate,
                query=f"state={state}",
                order=40 + order,
            )
        )


def _cases_in(state: str, user: User) -> int | None:
    """The cases in `state` the user knows of. For a mediator who only mediates (a party
    member, volunteer or building head named on a committee), only when there are any: the
    right comes with every such post, the cases only with a mediator's seat."""
    from gongzhi.core import access
    from gongzhi.core.roles import Action
    from gongzhi.mediation import selectors

    count = selectors.case_rows(user, state).count()
    staff = access.has_any(user, Action.MEDIATION_VIEW) or access.has_any(
        user, Action.MEDIATION_MANAGE
    )
    return count if staff or count else None


def _register_indicators() -> None:
    """The app's indicators for the governance index (core.indicators, issue 21)."""
    from gongzhi.mediation.indicators import register_all

    register_all()
