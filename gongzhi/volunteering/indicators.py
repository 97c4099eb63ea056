"""The volunteering indicators (issue 21): the volunteer share against the profile's target
(seed 001 §13, `volunteering.target_percent`, the definition of selectors.volunteer_shares) and
the volunteers active in the period. Bounded queries whatever the number of communities."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.core import profiles
from gongzhi.core.indicators import Direction, Indicator, Period, Value, register
from gongzhi.people.models import Resident
from gongzhi.volunteering.models import Signup, SignupStatus, Volunteer, VolunteerStatus

if TYPE_CHECKING:
    from gongzhi.places.models import Place

TARGET_KEY = "volunteering.target_percent"


def _local(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _communities(places: Sequence[Place]) -> list[Place]:
    return [p for p in places if p.kind == "community"]


def share(places: Sequence[Place], period: Period) -> dict[int, Value]:
    """Active volunteers registered before the period's end ÷ residents living in the
    community (×100), with the profile's target in the note. Three queries plus the profiles."""
    communities = _communities(places)
    if not communities:
        return {}
    residents = Resident.objects.filter(is_active=True).aggregate(
        **{f"c{c.pk}": Count("id", filter=Q(place_path__startswith=c.path)) for c in communities}
    )
    volunteers = dict(
        Volunteer.objects.filter(
            community__in=communities,
            status=VolunteerStatus.ACTIVE,
            registered_at__lt=_local(period.end),
        )
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    setters = profiles.profile_setters(communities)
    documents: dict[str, profiles.Profile] = {}
    out: dict[int, Value] = {}
    for c in communities:
        value = Value.share(volunteers.get(c.pk, 0), residents[f"c{c.pk}"] or 0)
        setter = setters.get(c.pk)
        target = None
        if setter is not None:
            name = setter.policy_profile
            if name not in documents:
                documents[name] = profiles.current(name)
            target = documents[name].get(TARGET_KEY)
        if target is not None:
            note = gettext("Target %(target)s%%") % {"target": target}
            value = Value(value.value, value.numerator, value.denominator, note)
        out[c.pk] = value
    return out


def active(places: Sequence[Place], period: Period) -> dict[int, Value]:
    """Residents with at least one confirmed sign-up (hours confirmed) for an activity of the
    community starting in the period: one query."""
    communities = _communities(places)
    if not communities:
        return {}
    found = dict(
        Signup.objects.filter(
            status=SignupStatus.CONFIRMED,
            activity__community__in=communities,
            activity__starts_at__gte=_local(period.start),
            activity__starts_at__lt=_local(period.end),
        )
        .values("activity__community_id")
        .annotate(n=Count("resident_id", distinct=True))
        .values_list("activity__community_id", "n")
    )
    return {c.pk: Value.count(found.get(c.pk, 0)) for c in communities}


def _source(place: Place, period: Period) -> str:
    params = {"community": place.pk, "status": VolunteerStatus.ACTIVE}
    return f"{reverse('volunteering:volunteers')}?{urlencode(params)}"


INDICATORS = (
    Indicator(
        code="volunteering.volunteer_share",
        name=_("Volunteer share"),
        unit="%",
        direction=Direction.HIGHER,
        definition=_(
            "Approved (active) volunteers registered before the period's end as a share of the "
            "residents living in the community; the profile's target "
            "(volunteering.target_percent) is shown beside it."
        ),
        compute=share,
        source=_source,
    ),
    Indicator(
        code="volunteering.active_volunteers",
        name=_("Active volunteers"),
        unit="人",
        direction=Direction.HIGHER,
        definition=_(
            "Residents whose service hours were confirmed for at least one activity of the "
            "community starting in the period."
        ),
        compute=active,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
