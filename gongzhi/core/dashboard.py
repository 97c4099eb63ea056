"""The workbench (工作台, issue 19): what each user has to do, what happens today, key figures.

The kernel knows no domain app. Each app registers its providers in its `AppConfig.ready()`:

- a **to-do** (`register_todo`): a label, an icon, the list page it links to (URL name and an
  optional query string) and `count(user)`, the number of rows that page shows the user — or
  None when it does not apply to them (no such list for this person). It is asked only of users
  holding one of its `actions` (the list page's own gate), so a user never sees a tile whose
  link would answer 403.
- a **today** provider (`register_today`): `items(user, day)`, the day's activities, meetings
  and visits the user takes part in or runs, each with its time and link.
- a **figure** provider (`register_figure`): `figures(user)`, a few key numbers of the user's
  area, each with the value of the previous period so the page can show the trend.

Providers read through their app's selectors (scoped, bounded: one or two queries each). Those
marked `costly` are cached per user for `TTL` seconds under a keyed hash of the user and the
provider (no user id in plain text in the cache), so a busy office reloading its home page does
not recount thousands of tickets; the counts can then lag by up to `TTL` seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from gongzhi.core import access, clock
from gongzhi.core.models import User

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TTL = 120  # seconds a costly count or figure stays cached
T = TypeVar("T")


# --------------------------------------------------------------------------- what apps give


@dataclass(frozen=True)
class Todo:
    key: str  # "tickets.overdue": unique, also the cache key's provider part
    label: StrOrPromise
    icon: str  # a bootstrap-icons name
    url_name: str
    count: Callable[[User], int | None]
    actions: tuple[str, ...] = ()  # any of them (the list page's gate); empty: everybody
    query: str = ""  # "status=overdue": the list page's own filter
    order: int = 100
    urgent: bool = False  # overdue things: shown in red when there are any
    costly: bool = False

    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True)
class Event:
    """One entry of today's schedule."""

    title: str
    kind: StrOrPromise  # 志愿活动, 议事会议, 组织生活, 走访…
    url: str = ""
    at: dt.datetime | None = None  # None: some time today (a date without an hour)
    where: str = ""
    icon: str = "calendar-event"


@dataclass(frozen=True)
class Today:
    key: str
    items: Callable[[User, dt.date], Sequence[Event]]
    actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A key number with the previous period's value; `percent` values are shown with %."""

    label: StrOrPromise
    value: float | int | None  # None: nothing to count ("—")
    previous: float | int | None
    url: str = ""
    percent: bool = False
    period: StrOrPromise = ""  # what the previous value is ("last month")
    higher_is_better: bool = True

    @property
    def trend(self) -> str:
        """ "up", "down", "flat" or "" (nothing to compare)."""
        if self.value is None or self.previous is None:
            return ""
        if self.value > self.previous:
            return "up"
        if self.value < self.previous:
            return "down"
        return "flat"

    @property
    def good(self) -> bool | None:
        """Whether the change is for the better (None: no change or nothing to compare)."""
        if self.trend in ("", "flat"):
            return None
        return (self.trend == "up") == self.higher_is_better


@dataclass(frozen=True)
class Figures:
    key: str
    figures: Callable[[User], Sequence[Figure]]
    actions: tuple[str, ...] = ()
    order: int = 100
    costly: bool = True


_TODOS: dict[str, Todo] = {}
_TODAY: dict[str, Today] = {}
_FIGURES: dict[str, Figures] = {}


def register_todo(todo: Todo) -> None:
    """Add (or replace: `ready()` may run twice) a to-do provider."""
    _TODOS[todo.key] = todo


def register_today(provider: Today) -> None:
    _TODAY[provider.key] = provider


def register_figure(provider: Figures) -> None:
    _FIGURES[provider.key] = provider


def registered_todos() -> list[Todo]:
    return sorted(_TODOS.values(), key=lambda t: (t.order, t.key))


# --------------------------------------------------------------------------- what pages read


@dataclass(frozen=True)
class Tile:
    key: str
    label: StrOrPromise
    icon: str
    url: str
    count: int
    urgent: bool


def _applies(user: User, actions: tuple[str, ...]) -> bool:
    return not actions or any(access.has_any(user, action) for action in actions)


def cache_key(user: User, key: str) -> str:
    """A keyed hash of the user and the provider (and the language, for figures' labels)."""
    raw = f"{user.pk}:{key}:{translation.get_language() or ''}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), raw, hashlib.sha256).hexdigest()
    return f"dashboard:{digest[:40]}"


def _remembered(user: User, key: str, compute: Callable[[], T]) -> T:
    name = cache_key(user, key)
    hit = cache.get(name)
    if hit is not None:
        return hit  # what compute() stored under this key
    value = compute()
    cache.set(name, value, TTL)
    return value


def forget(user: User) -> None:
    """Drop the user's cached counts and figures (tests; after a bulk change)."""
    cache.delete_many([cache_key(user, t.key) for t in _TODOS.values()])
    cache.delete_many([cache_key(user, f.key) for f in _FIGURES.values()])


def todo_count(user: User, todo: Todo) -> int | None:
    """The count of one to-do for the user; None when it does not apply to them."""
    if not _applies(user, todo.actions):
        return None
    if todo.costly:
        # None is not cached (a miss), so "not applicable" is stored as -1.
        stored = _remembered(user, todo.key, lambda: _or_minus(todo.count(user)))
        return None if stored < 0 else stored
    return todo.count(user)


def _or_minus(value: int | None) -> int:
    return -1 if value is None else int(value)


def todos_for(user: User) -> list[Tile]:
    """The user's to-do tiles, in registration order; zero counts included (shown muted)."""
    tiles = []
    for todo in registered_todos():
        count = todo_count(user, todo)
        if count is None:
            continue
        tiles.append(
            Tile(
                key=todo.key,
                label=todo.label,
                icon=todo.icon,
                url=todo.url(),
                count=count,
                urgent=todo.urgent,
            )
        )
    return tiles


def today_for(user: User, day: dt.date | None = None) -> list[Event]:
    """Today's schedule from every provider, by time (those without an hour first)."""
    day = day or clock.today()
    events: list[Event] = []
    for provider in _TODAY.values():
        if _applies(user, provider.actions):
            events.extend(provider.items(user, day))
    return sorted(events, key=_event_order)


def _event_order(event: Event) -> tuple[int, Any, str]:
    if event.at is None:
        return (0, 0, event.title)
    return (1, event.at, event.title)


@dataclass(frozen=True)
class _FrozenFigure:
    """A figure as cached: labels as text in the current language (part of the key)."""

    label: str
    value: float | int | None
    previous: float | int | None
    url: str
    percent: bool
    period: str
    higher_is_better: bool


def figures_for(user: User) -> list[Figure]:
    out: list[Figure] = []
    for provider in sorted(_FIGURES.values(), key=lambda p: (p.order, p.key)):
        if not _applies(user, provider.actions):
            continue
        if provider.costly:
            frozen = _remembered(user, provider.key, partial(_frozen, provider, user))
            out.extend(
                Figure(
                    label=f.label,
                    value=f.value,
                    previous=f.previous,
                    url=f.url,
                    percent=f.percent,
                    period=f.period,
                    higher_is_better=f.higher_is_better,
                )
                for f in frozen
            )
        else:
            out.extend(provider.figures(user))
    return out


def _frozen(provider: Figures, user: User) -> list[_FrozenFigure]:
    return [
        _FrozenFigure(
            label=str(f.label),
            value=f.value,
            previous=f.previous,
            url=f.url,
            percent=f.percent,
            period=str(f.period),
            higher_is_better=f.higher_is_better,
        )
        for f in provider.figures(user)
    ]


# --------------------------------------------------------------------------- helpers for apps


def month_start(day: dt.date, back: int = 0) -> dt.date:
    """The first day of `day`'s month, `back` months earlier."""
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of `day` and of the next day, local time (aware)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


__all__ = [
    "TTL",
    "Event",
    "Figure",
    "Figures",
    "Tile",
    "Today",
    "Todo",
    "day_bounds",
    "figures_for",
    "forget",
    "month_start",
    "register_figure",
    "register_today",
    "register_todo",
    "today_for",
    "todos_for",
]
