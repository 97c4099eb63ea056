"""The live volunteering figure of the cockpit (数字驾驶舱, issue 21), as an indicator.

`volunteering.active_now`: distinct volunteers who checked in to an activity of the place in
the period (the cockpit asks for the current month); one aggregate query for many places.
The evaluation app reads it through `core.indicators` and never imports volunteering.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, When
from django.db.models import Value as V
from django.utils.translation import gettext_lazy as _

from gongzhi.core import indicators
from gongzhi.core.indicators import Direction, Indicator, Period, PeriodKind, Value
from gongzhi.places.models import PlaceKind
from gongzhi.volunteering.models import Signup, SignupStatus

if TYPE_CHECKING:
    from gongzhi.places.models import Place


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def active(places: Sequence[Place], period: Period) -> dict[int, Value]:
    if not places:
        return {}
    area = Q()
    whens = []
    for place in places:
        area |= Q(place_path__under=place.path)
        whens.append(When(place_path__under=place.path, then=V(place.pk)))
    rows = (
        Signup.objects.filter(
            area,
            checked_in_at__gte=_start(period.start),
            checked_in_at__lt=_start(period.end),
        )
        .exclude(status=SignupStatus.CANCELLED)
        .annotate(at=Case(*whens, output_field=IntegerField()))
        .values("at")
        .annotate(n=Count("resident_id", distinct=True))
        .order_by()
    )
    found = {r["at"]: r["n"] for r in rows}
    return {p.pk: Value.count(found.get(p.pk, 0)) for p in places}


INDICATORS = (
    Indicator(
        code="volunteering.active_now",
        name=_("Volunteers active"),
        unit="人",
        direction=Direction.HIGHER,
        definition=_(
            "Distinct volunteers who checked in to a volunteer activity of the place in the "
            "period (cancelled sign-ups left out)."
        ),
        compute=active,
        levels=(PlaceKind.COMMUNITY, PlaceKind.STREET, PlaceKind.DISTRICT),
        periods=(PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR),
    ),
)


def register() -> None:
    indicators.register(*INDICATORS)
