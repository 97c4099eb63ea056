"""The live key-task figure of the cockpit (数字驾驶舱, issue 21), as an indicator.

`keytasks.at_risk_now`: open key tasks of the place that are overdue or due within the profile
key `keytasks.at_risk_days` (of the asked place's profile, else the platform default), counted
now — a snapshot, the period is not used. The deadline that counts is the supervision notice's
when there is one (`list_status.deadline`). One aggregate query for many places; the evaluation
app reads it through `core.indicators` and never imports keytasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Case, Count, IntegerField, Q, When
from django.db.models import Value as V
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, indicators
from gongzhi.core.indicators import Direction, Indicator, Period, PeriodKind, Value
from gongzhi.keytasks.list_status import risk_days
from gongzhi.keytasks.models import KeyTask, KeyTaskState
from gongzhi.places.models import PlaceKind

if TYPE_CHECKING:
    from gongzhi.places.models import Place


def at_risk(places: Sequence[Place], period: Period) -> dict[int, Value]:
    if not places:
        return {}
    today = clock.today()
    area = Q()
    whens = []
    for place in places:
        horizon = today + dt.timedelta(days=risk_days(place))
        inside = Q(place_path__under=place.path)
        area |= inside & Q(deadline__lte=horizon)
        whens.append(When(inside & Q(deadline__lte=horizon), then=V(place.pk)))
    rows = (
        KeyTask.objects.filter(state=KeyTaskState.OPEN)
        .annotate(deadline=Coalesce("supervised_due_on", "due_on"))
        .filter(area)
        .annotate(at=Case(*whens, output_field=IntegerField()))
        .values("at")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {r["at"]: r["n"] for r in rows}
    return {p.pk: Value.count(found.get(p.pk, 0)) for p in places}


INDICATORS = (
    Indicator(
        code="keytasks.at_risk_now",
        name=_("Key tasks at risk"),
        unit="项",
        direction=Direction.LOWER,
        definition=_(
            "Open key tasks of the place that are overdue or due within the profile's at-risk "
            "days, counted now (a snapshot: the period is not used)."
        ),
        compute=at_risk,
        levels=(PlaceKind.COMMUNITY, PlaceKind.STREET, PlaceKind.DISTRICT),
        periods=(PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR),
    ),
)


def register() -> None:
    indicators.register(*INDICATORS)
