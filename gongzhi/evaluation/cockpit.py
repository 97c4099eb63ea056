"""The cockpit (数字驾驶舱, issue 21 item 5): everything the street or district screen shows,
assembled for one place in a bounded number of queries and cached for a short time.

The evaluation app sits above the domain apps and imports none of them: the live figures are
indicators registered in `core.indicators` by the apps that own the data (tickets.received,
tickets.open_overdue, tickets.in_pool, volunteering.active_now, keytasks.at_risk_now — each
app's `indicators_live.py`), the map colours grids by any registered grid-level indicator or by
ticket heat (tickets.received per grid over the last `HEAT_DAYS` days), and the rankings and the
index trend come from this app's published rounds. A figure whose indicator no app registers
is shown as "—" (None), never as 0.

`data(place, map_code)` is cached per place, map choice and language for `TTL` seconds under a
keyed hash (HMAC of the secret key): the cache key names no place or user in plain text, and the
value holds only counts and place names, no personal data. The place is checked by the caller
(`place_for`), so a cached answer is only ever handed to someone allowed that place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import access, clock, indicators
from gongzhi.core.dashboard import month_start
from gongzhi.core.indicators import Period, PeriodKind
from gongzhi.core.roles import Action
from gongzhi.evaluation.models import Round, RoundStatus, Score
from gongzhi.places.models import Place, PlaceKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from gongzhi.core.types import Viewer

TTL = 30  # seconds the assembled data stays cached per place
REFRESH = 60  # seconds between the screen's polls
HEAT = "heat"  # the map's default colouring: tickets received per grid
HEAT_CODE = "tickets.received"
HEAT_DAYS = 30
TREND_MONTHS = 12
TREND_ROUNDS = 8
PAST_TTL = 3600  # seconds the past months' ticket counts stay cached
MAX_GRIDS = 2000  # a district has about a thousand
MAX_RANKED = 200
LEVELS = (PlaceKind.DISTRICT, PlaceKind.STREET)


@dataclass(frozen=True)
class Live:
    key: str
    code: str  # the indicator read
    label: StrOrPromise
    icon: str
    period: str  # "day": today; "month": this month; "now": a snapshot
    urgent: bool = False


LIVE = (
    Live("tickets_today", "tickets.received", gettext_lazy("Tickets today"), "inbox", "day"),
    Live(
        "overdue",
        "tickets.open_overdue",
        gettext_lazy("Overdue tickets"),
        "alarm",
        "now",
        urgent=True,
    ),
    Live("pool", "tickets.in_pool", gettext_lazy("In the pool"), "collection", "now"),
    Live(
        "volunteers",
        "volunteering.active_now",
        gettext_lazy("Volunteers active this month"),
        "heart",
        "month",
    ),
    Live(
        "tasks_at_risk",
        "keytasks.at_risk_now",
        gettext_lazy("Key tasks at risk"),
        "exclamation-triangle",
        "now",
        urgent=True,
    ),
)


# --------------------------------------------------------------------------- the place


def _areas(user: Viewer) -> QuerySet[Place]:
    """The streets and districts the user may open the cockpit of."""
    return access.scoped(Place.objects.filter(kind__in=LEVELS), user, Action.COCKPIT_VIEW)


def default_place(user: Viewer) -> Place:
    """The widest place of the user's cockpit scope (their district, or their street)."""
    place = _areas(user).order_by("depth", "path").first()
    if place is None:
        raise Http404
    return place


def place_for(user: Viewer, pk: int | None) -> Place:
    """The asked street or district: 404 when it is not one or lies outside the user's scope,
    403 inside it without the right (access.require)."""
    if pk is None:
        return default_place(user)
    place = Place.objects.filter(pk=pk, kind__in=LEVELS).first()
    if place is None:
        raise Http404
    access.require(user, Action.COCKPIT_VIEW, place.path)
    return place


def choices(user: Viewer) -> list[dict[str, Any]]:
    """The areas the user may pick: their district(s) and every street in scope, by path."""
    rows = _areas(user).order_by("path").values("pk", "name", "kind")[:200]
    return [{"id": r["pk"], "name": r["name"], "kind": r["kind"]} for r in rows]


def map_choices() -> list[dict[str, str]]:
    """Ticket heat first, then every registered indicator that applies to grids."""
    out = [{"code": HEAT, "name": str(gettext_lazy("Ticket heat (last 30 days)")), "unit": "件"}]
    for item in indicators.registered(PlaceKind.GRID):
        if item.code != HEAT_CODE:
            out.append({"code": item.code, "name": str(item.name), "unit": item.unit})
    return out


def clean_map_code(value: str | None) -> str:
    """A known map choice, else the heat map (an unknown code is not an error on a screen)."""
    value = (value or "").strip()
    if value != HEAT and value in {c["code"] for c in map_choices()}:
        return value
    return HEAT


def map_config() -> dict[str, Any]:
    """The tile layer from settings (none by default: outlines only, no external request)."""
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "key": getattr(settings, "MAP_TILE_KEY", ""),
        "subdomains": getattr(settings, "MAP_TILE_SUBDOMAINS", "") or "abc",
        "label_zoom": {"grid": 0},
        "centre": [28.0, 112.0],
        "text": {},
    }


# --------------------------------------------------------------------------- the data


def _keyed(raw: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()
    return f"cockpit:{digest[:40]}"


def cache_key(place: Place, map_code: str) -> str:
    """The key of the place's data: a keyed hash (no place id or name in plain text)."""
    return _keyed(f"{place.pk}:{map_code}:{translation.get_language() or ''}")


def data(place: Place, map_code: str = HEAT) -> dict[str, Any]:
    """Everything the screen shows, from the cache when fresh (at most TTL seconds old)."""
    key = cache_key(place, map_code)
    hit = cache.get(key)
    if hit is not None:
        return dict(hit)
    value = assemble(place, map_code)
    cache.set(key, value, TTL)
    return value


def forget(place: Place) -> None:
    """Drop the place's cached data (tests; after a bulk import)."""
    keys = [cache_key(place, c["code"]) for c in map_choices()]
    keys.append(_keyed(f"past:{place.pk}:{month_start(clock.today()).isoformat()}"))
    cache.delete_many(keys)


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _day(day: dt.date) -> Period:
    # A one-day period: the kernel has no day kind; the live indicators use start and end only.
    return Period(PeriodKind.MONTH, day, day + dt.timedelta(days=1))


def _this_month(day: dt.date) -> Period:
    return Period.month(day.year, day.month)


def figures(place: Place, today: dt.date) -> list[dict[str, Any]]:
    out = []
    for live in LIVE:
        indicator = indicators.get(live.code)
        value = None
        if indicator is not None and place.kind in indicator.levels:
            period = _this_month(today) if live.period == "month" else _day(today)
            value = _number(indicator.compute([place], period).get(place.pk, _none()).value)
        out.append(
            {
                "key": live.key,
                "label": str(live.label),
                "icon": live.icon,
                "value": value,
                "unit": indicator.unit if indicator else "",
                "urgent": live.urgent,
            }
        )
    return out


def _none() -> indicators.Value:
    return indicators.Value(None)


def grid_map(place: Place, map_code: str, today: dt.date) -> dict[str, Any]:
    """The grids of the place with a boundary, each with the chosen indicator's value."""
    grids = list(
        Place.objects.filter(path__under=place.path, kind=PlaceKind.GRID, boundary__isnull=False)
        .only("pk", "name", "path", "kind", "boundary")
        .order_by("path")[:MAX_GRIDS]
    )
    code = HEAT_CODE if map_code == HEAT else map_code
    indicator = indicators.get(code)
    if map_code == HEAT:
        period = Period(PeriodKind.MONTH, today - dt.timedelta(days=HEAT_DAYS - 1), _next(today))
        name = str(gettext_lazy("Ticket heat (last 30 days)"))
    else:
        period = _this_month(today)
        if indicator is not None and PeriodKind.MONTH not in indicator.periods:
            period = Period.year(today.year)
        name = str(indicator.name) if indicator else ""
    values: dict[int, indicators.Value] = {}
    if indicator is not None and grids:
        values = indicator.compute(grids, period)
    features = []
    numbers = []
    for grid in grids:
        number = _number(values.get(grid.pk, _none()).value)
        if number is not None:
            numbers.append(number)
        features.append(
            {
                "type": "Feature",
                "geometry": _geometry(grid.boundary),
                "properties": {"id": grid.pk, "name": grid.name, "value": number},
            }
        )
    return {
        "indicator": map_code,
        "name": name,
        "unit": indicator.unit if indicator else "",
        "higher_is_better": bool(indicator and indicator.direction == "higher")
        and map_code != HEAT,
        "period": period.label if map_code != HEAT else name,
        "min": min(numbers) if numbers else None,
        "max": max(numbers) if numbers else None,
        "grids": {"type": "FeatureCollection", "features": features},
    }


def _next(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1)


def _geometry(boundary: Any) -> Any:
    """Place.boundary is a GeoJSON geometry, a Feature or a FeatureCollection of one."""
    if isinstance(boundary, dict):
        if boundary.get("type") == "Feature":
            return boundary.get("geometry")
        if boundary.get("type") == "FeatureCollection":
            features = boundary.get("features") or []
            return features[0].get("geometry") if features else None
    return boundary


def _covering_rounds(place: Place) -> QuerySet[Round]:
    """Published rounds of the place or of an area above it (they rank its communities)."""
    return Round.objects.filter(status=RoundStatus.PUBLISHED, place_path__in=place.ancestor_paths())


def ranking(place: Place) -> dict[str, Any]:
    """The communities of the place in the latest published round covering it, best first."""
    latest = _covering_rounds(place).order_by("-period_start", "-published_at", "-id").first()
    if latest is None:
        return {"round": None, "rows": []}
    scores = (
        Score.objects.filter(round=latest, place_path__under=place.path)
        .select_related("place", "street")
        .order_by("-total", "place__path")[:MAX_RANKED]
    )
    rows = []
    for position, score in enumerate(scores, start=1):
        if latest.place_id == place.pk:
            rank = score.rank_in_area or position
        elif place.kind == PlaceKind.STREET:
            rank = score.rank_in_street or position
        else:
            rank = position
        rows.append(
            {
                "rank": rank,
                "community": score.place.name,
                "street": score.street.name,
                "total": _number(score.total),
                "grade": score.grade,
                "vetoed": score.vetoed,
            }
        )
    return {
        "round": {
            "id": latest.pk,
            "title": latest.title,
            "published_at": latest.published_at.isoformat() if latest.published_at else None,
        },
        "rows": rows,
    }


def index_trend(place: Place) -> list[dict[str, Any]]:
    """The average index of the place's communities in each published round covering it."""
    rounds = (
        _covering_rounds(place)
        .annotate(
            average=Avg("scores__total", filter=Q(scores__place_path__under=place.path)),
            scored=Count("scores", filter=Q(scores__place_path__under=place.path)),
        )
        .order_by("-period_start", "-id")[:TREND_ROUNDS]
    )
    out = []
    for item in reversed(list(rounds)):
        if item.scored:
            average = Decimal(item.average).quantize(Decimal("0.01"))
            out.append({"round": item.title, "average": _number(average)})
    return out


def ticket_trend(place: Place, today: dt.date) -> list[dict[str, Any]]:
    """Tickets received per month over the last TREND_MONTHS months (this one included). The
    past months hardly change: they are counted once per place and month and kept for
    `PAST_TTL` seconds (a ticket is received once; only a merge takes one away later), so a
    refresh counts the current month only."""
    indicator = indicators.get(HEAT_CODE)
    if indicator is None or place.kind not in indicator.levels:
        return [
            {"month": month_start(today, back).strftime("%Y-%m"), "count": None}
            for back in range(TREND_MONTHS - 1, -1, -1)
        ]

    def count(start: dt.date) -> float | int | None:
        period = Period.month(start.year, start.month)
        return _number(indicator.compute([place], period).get(place.pk, _none()).value)

    key = _keyed(f"past:{place.pk}:{month_start(today).isoformat()}")
    past = cache.get(key)
    if past is None:
        past = [
            {
                "month": month_start(today, back).strftime("%Y-%m"),
                "count": count(month_start(today, back)),
            }
            for back in range(TREND_MONTHS - 1, 0, -1)
        ]
        cache.set(key, past, PAST_TTL)
    current = month_start(today)
    return [*past, {"month": current.strftime("%Y-%m"), "count": count(current)}]


def assemble(place: Place, map_code: str = HEAT) -> dict[str, Any]:
    """The screen's data, uncached."""
    now = clock.now()
    today = clock.today()
    return {
        "place": {"id": place.pk, "name": place.name, "kind": place.kind},
        "updated_at": now.isoformat(),
        "refresh_seconds": REFRESH,
        "figures": figures(place, today),
        "map": grid_map(place, map_code, today),
        "ranking": ranking(place),
        "trend": {"index": index_trend(place), "tickets": ticket_trend(place, today)},
        "labels": {"none": _("No data")},
    }


# --------------------------------------------------------------------------- the menu entry


def add_to_navigation() -> None:
    """The workbench menu's entry (group 监督考核), for those holding `cockpit.view`; called
    from EvaluationConfig.ready(), harmless when called again."""
    from gongzhi.core import navigation

    # NavItem.label is typed str, but every entry of NAV is lazy (translated per request).
    label: Any = gettext_lazy("Cockpit")
    item = navigation.NavItem(label, "cockpit:screen", "speedometer", Action.COCKPIT_VIEW)
    for index, group in enumerate(navigation.NAV):
        if group.icon == "clipboard-check":
            if all(i.url_name != item.url_name for i in group.items):
                navigation.NAV[index] = navigation.NavGroup(
                    group.label, group.icon, (item, *group.items)
                )
            return
