"""The cockpit page (数字驾驶舱): a full-screen dark screen for street and district officers.

The page carries no figures itself: cockpit.js fetches the one data endpoint
(`/api/v1/cockpit/<pk>/`, api_cockpit.py) at once and every `cockpit.REFRESH` seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.evaluation import cockpit

if TYPE_CHECKING:
    from django.http import HttpResponse

    from gongzhi.core.types import AuthenticatedRequest


def inputs_id(value: str | None) -> int | None:
    """The area picked in the page's form (?place=<id>); anything else: the default area."""
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else None


@login_required
@requires(Action.COCKPIT_VIEW)
def screen(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        pk = inputs_id(request.GET.get("place"))
    place = cockpit.place_for(request.user, pk)
    return render(
        request,
        "evaluation/cockpit.html",
        {
            "title": _("Cockpit"),
            "place": place,
            "areas": cockpit.choices(request.user),
            "map_choices": cockpit.map_choices(),
            "map_config": cockpit.map_config(),
            "source": reverse("api-cockpit", args=[place.pk]),
            "refresh": cockpit.REFRESH,
        },
    )
