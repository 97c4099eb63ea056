"""Demo party groups on grids (seed 001 §1 把党小组建在网格上) in the demo street of 娄星区.

The people demo (gongzhi.demo.people) builds the organisation tree: a committee in each
community, a branch on most grids, groups on most buildings. Under the Loudi profile a grid asks
for a party group; this adds one on every grid of the demo street — under the grid's branch, or
under the community's own branch (社区党支部) where the grid has none — except the last grid of
the first community (春园社区 第八网格), which the gap list then shows.

Seed data written directly (one audit record per run that created anything). Idempotent.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.demo.places import DISTRICT_CODE
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.places.models import Place, PlaceKind

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)


def _demo_street(using: str) -> Place | None:
    district = Place.objects.using(using).filter(parent=None, code=DISTRICT_CODE).first()
    if district is None:
        return None
    return (
        Place.objects.using(using)
        .filter(parent=district, kind=PlaceKind.STREET)
        .order_by("code")
        .first()
    )


def _org(using: str, *, kind, name, place, parent) -> tuple[PartyOrg, bool]:
    return PartyOrg.objects.using(using).get_or_create(
        place=place,
        kind=kind,
        name=name,
        defaults={"parent": parent, "place_path": place.path},
    )


def build(scale, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    street = _demo_street(using)
    if street is None:
        return _("Party groups on grids: skipped (no demo street)")
    communities = list(
        Place.objects.using(using).filter(parent=street, kind=PlaceKind.COMMUNITY).order_by("code")
    )
    created = 0
    with transaction.atomic(using=using):
        for c_index, community in enumerate(communities):
            committee = (
                PartyOrg.objects.using(using)
                .filter(kind=OrgKind.COMMUNITY_COMMITTEE, place=community)
                .first()
            )
            if committee is None:
                continue  # the people demo has not run
            grids = list(
                Place.objects.using(using)
                .filter(parent=community, kind=PlaceKind.GRID)
                .order_by("code")
            )
            branches = {
                org.place_id: org
                for org in PartyOrg.objects.using(using).filter(
                    kind__in=BRANCH_KINDS, place__in=grids
                )
            }
            own_branch = None
            for g_index, grid in enumerate(grids):
                if c_index == 0 and g_index == len(grids) - 1:
                    continue  # left without a group: a gap on the party pages
                parent = branches.get(grid.pk)
                if parent is None:
                    if own_branch is None:
                        own_branch, new = _org(
                            using,
                            kind=OrgKind.BRANCH,
                            name=f"{community.name}党支部",
                            place=community,
                            parent=committee,
                        )
                        created += new
                    parent = own_branch
                _group, new = _org(
                    using,
                    kind=OrgKind.GROUP,
                    name=f"{community.name}{grid.name}党小组",
                    place=grid,
                    parent=parent,
                )
                created += new
        if created:
            audit.record(
                actor=None,
                action="demo_data.party_groups",
                target=street,
                place_path=street.path,
                changes={"created": created},
            )
    if not created:
        return _("Party groups on grids: already present in %(street)s") % {"street": street.name}
    return _("Party groups on grids: %(n)s organisations in %(street)s") % {
        "n": created,
        "street": street.name,
    }
