from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from gongzhi.core.models import User


class PartnersConfig(AppConfig):
    name = "gongzhi.partners"
    label = "partners"
    verbose_name = _("Partner units and the three lists")

    def ready(self) -> None:
        _register_dashboard()


def _register_dashboard() -> None:
    """The workbench's three-lists to-dos: needs to review and to confirm for the community,
    needs to claim and resources to confirm for a partner unit (core.dashboard, docs/ui.md)."""
    from gongzhi.core import dashboard as d
    from gongzhi.core.roles import Action as A
    from gongzhi.partners.models import ItemStatus, ListKind

    rows = (
        (
            "needs_pending",
            ListKind.NEED,
            ItemStatus.PENDING,
            A.PARTNER_MANAGE,
            _("Residents' needs to review"),
            "card-checklist",
        ),
        (
            "needs_completed",
            ListKind.NEED,
            ItemStatus.COMPLETED,
            A.PARTNER_MANAGE,
            _("Needs done, to confirm"),
            "patch-check",
        ),
        (
            "needs_open",
            ListKind.NEED,
            ItemStatus.OPEN,
            A.PARTNER_CLAIM,
            _("Needs open for claiming"),
            "card-checklist",
        ),
        (
            "resources_completed",
            ListKind.RESOURCE,
            ItemStatus.COMPLETED,
            A.PARTNER_CLAIM,
            _("Resources used, to confirm"),
            "patch-check",
        ),
    )
    for order, (key, kind, status, action, label, icon) in enumerate(rows):
        d.register_todo(
            d.Todo(
                f"partners.{key}",
                label,
                icon,
                "partners:lists",
                partial(_items, kind, status),
                (action,),
                query=f"kind={kind}&status={status}",
                order=80 + order,
            )
        )


def _items(kind: str, status: str, user: User) -> int:
    from gongzhi.partners import selectors

    return selectors.visible_items(user, kind, status).count()
