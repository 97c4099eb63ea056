"""Indicators (指标): the figures each app can compute for a place and a period (issue 21).

The kernel knows no domain app. Each app declares its indicators in its own `indicators.py`
and registers them in its `AppConfig.ready()` with `register(...)`; the evaluation app (the
governance index, assessment rounds, the cockpit, yearly reports) reads only this registry and
never imports the app that computes a figure.

An indicator's `compute(places, period)` answers for *many* places of one kind at once, in a
bounded number of queries whatever the number of places (one aggregate query grouped by the
place, usually): a round computes every community of a district, so a query per place would
cost hundreds of queries. It returns a `Value` per place id; a place it has nothing to say
about (no data in the period) gets `Value(None)` or is left out, and both mean "no data".

Values carry their numerator and denominator where the figure is a share, so a reader can
trace a rate to the counts behind it; `source(place, period)` gives the URL of the list of
underlying records (the list page applies its own scope: a viewer sees the records they may
see there, never more because they followed the link).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import enum
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Place(Protocol):
    """What the registry needs of a place (the kernel does not import the places app)."""

    @property
    def pk(self) -> Any: ...

    @property
    def kind(self) -> str: ...


class Direction(enum.StrEnum):
    HIGHER = "higher"  # higher is better (rates, shares)
    LOWER = "lower"  # lower is better (overdue, complaints)


class PeriodKind(enum.StrEnum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    """A half-open date range [start, end) with its kind; `year(2026)`, `quarter(2026, 3)`."""

    kind: PeriodKind
    start: dt.date
    end: dt.date  # exclusive

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError(quarter)
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return cls(PeriodKind.QUARTER, start, end)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
        return cls(PeriodKind.MONTH, start, end)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}年"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年{self.start.month}月"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end


@dataclass(frozen=True)
class Value:
    """One indicator's raw value for one place: None means no data (not zero)."""

    value: Decimal | None
    numerator: Decimal | None = None  # for a share: the counts behind it
    denominator: Decimal | None = None
    note: str = ""  # e.g. "目标 12 人，实有 9 人"

    @classmethod
    def share(
        cls, numerator: int | Decimal, denominator: int | Decimal, percent: bool = True
    ) -> Value:
        """numerator / denominator (× 100 for a percentage), two decimals; no denominator: no data."""
        num, den = Decimal(numerator), Decimal(denominator)
        if not den:
            return cls(None, num, den)
        raw = num / den * (100 if percent else 1)
        return cls(raw.quantize(Decimal("0.01"), ROUND_HALF_UP), num, den)

    @classmethod
    def count(cls, number: int | Decimal) -> Value:
        return cls(Decimal(number))


# The apps' functions take their places.models.Place: typed Any here, so the kernel need not
# know the model (a Protocol parameter would make every app's function an error, contravariance).
Compute = Callable[[Sequence[Any], Period], dict[int, Value]]
Source = Callable[[Any, Period], str | None]


@dataclass(frozen=True)
class Indicator:
    code: str  # "tickets.response_rate": app label, dot, name; stable (profiles cite it)
    name: StrOrPromise  # Chinese name shown everywhere
    unit: str  # "%", "个", "人", "件"…
    direction: Direction
    definition: StrOrPromise  # one or two sentences: what is counted, over what, in the period
    compute: Compute
    levels: tuple[str, ...] = ("community",)  # PlaceKind values it applies to
    periods: tuple[PeriodKind, ...] = (PeriodKind.YEAR, PeriodKind.QUARTER)
    source: Source | None = None  # the URL of the underlying records' list
    app: str = field(default="")  # filled from the code when empty

    def applies(self, kind: str, period: PeriodKind) -> bool:
        return kind in self.levels and period in self.periods


_registry: dict[str, Indicator] = {}
T = TypeVar("T")
# Figures computed once per session (`memo`): several indicators of one app often read the same
# aggregate (the six ticket indicators one count per place), and a round asks them one by one.
_session: contextvars.ContextVar[dict[Hashable, Any] | None] = contextvars.ContextVar(
    "indicator_session", default=None
)


@contextlib.contextmanager
def session() -> Iterator[None]:
    """While it lasts, `memo()` computes each key once: wrap the computing of a round (or a
    cockpit refresh) in it. Outside a session nothing is remembered, so no figure is ever
    served stale from an earlier request."""
    if _session.get() is not None:
        yield
        return
    token = _session.set({})
    try:
        yield
    finally:
        _session.reset(token)


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per key in the current session (every time outside one). The key must
    name everything the result depends on (the app, the places, the period)."""
    store = _session.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def register(*indicators: Indicator) -> None:
    """Called from an app's `ready()`. Registering a code twice with another definition is a
    programming error; registering the same object again (a reloaded app) is harmless."""
    for indicator in indicators:
        if "." not in indicator.code:
            raise ValueError(f"indicator code {indicator.code!r} needs the app label and a dot")
        known = _registry.get(indicator.code)
        if known is not None and known is not indicator and known.compute is not indicator.compute:
            raise ValueError(f"indicator {indicator.code!r} registered twice")
        if not indicator.app:
            object.__setattr__(indicator, "app", indicator.code.split(".", 1)[0])
        _registry[indicator.code] = indicator


def unregister(code: str) -> None:
    """For tests that register a throwaway indicator."""
    _registry.pop(code, None)


def get(code: str) -> Indicator | None:
    return _registry.get(code)


def registered(kind: str | None = None, period: PeriodKind | None = None) -> list[Indicator]:
    """Every registered indicator (those applying to the place kind and period, when given),
    ordered by code."""
    found: Iterable[Indicator] = _registry.values()
    if kind is not None:
        found = [i for i in found if kind in i.levels]
    if period is not None:
        found = [i for i in found if period in i.periods]
    return sorted(found, key=lambda i: i.code)


def compute(
    codes: Iterable[str], places: Sequence[Place], period: Period
) -> dict[str, dict[int, Value]]:
    """Every asked indicator for every place: {code: {place id: Value}}, a `Value(None)` for a
    place an indicator did not answer for. Unknown codes raise KeyError (a profile naming an
    indicator no app registers is refused when the profile loads, not here)."""
    out: dict[str, dict[int, Value]] = {}
    with session():
        for code in codes:
            indicator = _registry[code]
            answered = indicator.compute(places, period) if places else {}
            out[code] = {p.pk: answered.get(p.pk, Value(None)) for p in places}
    return out
