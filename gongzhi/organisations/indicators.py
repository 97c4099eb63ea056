"""The social-organisation indicator (issue 21): registered social organisations serving a
community (or a street), counted at the period's end. A plain count, not per 10,000 residents:
the residents registry holds today's residents only, not their number at the period's end.

One query grouped by the organisation's place path, folded onto the asked places in Python (the
places of one kind never nest, so a path has at most one asked ancestor)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.indicators import Direction, Indicator, Period, Value, register
from gongzhi.organisations.models import Organisation

if TYPE_CHECKING:
    from gongzhi.places.models import Place

LEVELS = ("community", "street")


def _owner(path: str, by_path: dict[str, int]) -> int | None:
    """The asked place whose path is a prefix of `path` (itself included)."""
    parts = path.strip("/").split("/")
    for i in range(len(parts), 0, -1):
        found = by_path.get("/".join(parts[:i]) + "/")
        if found is not None:
            return found
    return None


def registered(places: Sequence[Place], period: Period) -> dict[int, Value]:
    asked = [p for p in places if p.kind in LEVELS]
    if not asked:
        return {}
    by_path = {p.path: p.pk for p in asked}
    under = Q()
    for p in asked:
        under |= Q(place_path__startswith=p.path)
    rows = (
        Organisation.objects.filter(under)
        .filter(Q(filed_on__lt=period.end) | Q(registered_on__lt=period.end))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=period.end))
        .values("place_path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict.fromkeys(by_path.values(), 0)
    for row in rows:
        owner = _owner(row["place_path"], by_path)
        if owner is not None:
            counts[owner] += row["n"]
    return {pk: Value.count(n) for pk, n in counts.items()}


INDICATORS = (
    Indicator(
        code="organisations.registered",
        name=_("Registered social organisations"),
        unit="个",
        direction=Direction.HIGHER,
        definition=_(
            "Social organisations serving the place or a place under it, filed with the street "
            "or registered with civil affairs before the period's end and not dissolved by then."
        ),
        compute=registered,
        levels=LEVELS,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
