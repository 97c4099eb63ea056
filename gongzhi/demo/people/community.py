"""Demo people: one community (its party organisation, secretaries, member households)."""

from __future__ import annotations

import random

from gongzhi.demo.people.data import NO_BRANCH_EVERY, NO_BRANCH_REMAINDER, NO_GROUP_SHARE
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.places.models import Household, Place, PlaceKind


class _Community:
    # -- a community ----------------------------------------------------------------------------
    def _community(self, street_committee: PartyOrg, community: Place) -> None:
        places = list(
            Place.objects.using(self.db)
            .filter(path__under=community.path)
            .exclude(pk=community.pk)
            .order_by("path")
            .only("id", "kind", "name", "path", "code", "parent_id")
        )
        by_id = {p.pk: p for p in places}
        grids = [p for p in places if p.kind == PlaceKind.GRID]
        buildings = [p for p in places if p.kind == PlaceKind.BUILDING]
        code = community.official_code or community.code
        try:
            slot = ((int(code[6:9]) - 1) * 10 + int(code[9:12]) - 1) % 100
        except ValueError:
            slot = 0
        self.slot = slot
        self.id_counts: dict[tuple, int] = {}

        # The party organisation of the community.
        (committee,) = self._ensure_orgs(
            [
                PartyOrg(
                    kind=OrgKind.COMMUNITY_COMMITTEE,
                    name=f"{community.name}大党委",
                    parent_id=street_committee.pk,
                    place_id=community.pk,
                    place_path=community.path,
                )
            ]
        )
        n_grids = len(grids)
        branch_specs = [
            PartyOrg(
                kind=OrgKind.BRANCH,
                name=f"{community.name}{grid.name}党支部",
                parent_id=committee.pk,
                place_id=grid.pk,
                place_path=grid.path,
            )
            for g, grid in enumerate(grids)
            if (slot * n_grids + g) % NO_BRANCH_EVERY != NO_BRANCH_REMAINDER
        ]
        branches = {o.place_path: o for o in self._ensure_orgs(branch_specs)}
        group_specs = []
        for b in buildings:
            grid_path = self._grid_path(community.path, b.path)
            branch = branches.get(grid_path)
            if branch is None:
                continue
            if b.code != "B1" and random.Random(f"group:{b.path}").random() < NO_GROUP_SHARE:
                continue
            parent = by_id.get(b.parent_id)
            group_specs.append(
                PartyOrg(
                    kind=OrgKind.GROUP,
                    name=f"{parent.name if parent else ''}{b.name}党小组",
                    parent_id=branch.pk,
                    place_id=b.pk,
                    place_path=b.path,
                )
            )
        groups = {o.place_path: o for o in self._ensure_orgs(group_specs)}
        self.org_for_path: dict[str, int] = {}
        for b in buildings:
            grid_path = self._grid_path(community.path, b.path)
            org = groups.get(b.path) or branches.get(grid_path) or committee
            self.org_for_path[b.path] = org.pk
        self.community_path = community.path
        self.community_id = community.pk
        self.committee_id = committee.pk
        self.group_of_building = {path: o.pk for path, o in groups.items()}
        self.leaders: dict[int, int] = {}  # org id → member id (the reserved people)
        self.candidates: dict[str, list[int]] = {}  # place path → first members below it
        self.member_homes: dict[str, tuple[int, str, str, str]] = {}  # grid → a household
        self.head_members: dict[int, int] = {}  # household id → its head's party member id

        # Households, in a fixed order, each with its own generator.
        households = (
            Household.objects.using(self.db)
            .filter(place_path__under=community.path)
            .order_by("place_path", "unit_no", "room_no")
            .values_list("id", "place_path", "unit_no", "room_no")
        )
        for hid, path, unit, room in households:
            family = self.reserved.get(hid)
            people = (
                self._reserved_family(family)
                if family
                else self._family(random.Random(f"{path}{unit}-{room}"))
            )
            head = people[0]
            grid_path = self._grid_path(community.path, path)
            if (
                head.party
                and path in self.group_of_building
                and (grid_path not in self.member_homes or family is not None)
            ):
                self.member_homes[grid_path] = (hid, path, unit, room)
            for person in people:
                person.household_id = hid
                person.place_path = path
                self.buffer.append(person)
            if len(self.buffer) >= self.batch_size:
                self._flush()
        self._flush()
        self._secretaries(committee, list(branches.values()), list(groups.values()))
        self._member_households(by_id)

    @staticmethod
    def _grid_path(community_path: str, path: str) -> str:
        return community_path + path[len(community_path) :].split("/", 1)[0] + "/"

    def _secretaries(self, committee, branches, groups) -> None:
        """Leaders first (the demo logins), then the first member below each organisation
        who leads nothing yet: groups, branches, then the community committee."""
        taken = set(self.leaders.values())
        changed = []
        for org in [*groups, *branches, committee]:
            if org.secretary_id:
                taken.add(org.secretary_id)
                continue
            member = self.leaders.get(org.pk)
            if member is None:
                member = next(
                    (m for m in self.candidates.get(org.place_path, []) if m not in taken), None
                )
            if member is not None:
                org.secretary_id = member
                taken.add(member)
                changed.append(org)
        PartyOrg.objects.using(self.db).bulk_update(
            changed, ["secretary"], batch_size=self.batch_size
        )

    def _member_households(self, by_id: dict) -> None:
        """A party-member household in every other grid (and the party login's home)."""
        specs = []
        grids = sorted(self.member_homes)
        for g, grid_path in enumerate(grids):
            hid, path, unit, room = self.member_homes[grid_path]
            if g % 2 and hid not in self.reserved:
                continue
            building = next(p for p in by_id.values() if p.path == path)
            parent = by_id.get(building.parent_id)
            specs.append(
                PartyOrg(
                    kind=OrgKind.MEMBER_HOUSEHOLD,
                    name=f"{parent.name if parent else ''}{building.name}{unit}单元{room}室党员中心户",
                    parent_id=self.group_of_building[path],
                    place_id=building.pk,
                    place_path=path,
                    household_id=hid,
                    secretary_id=self.head_members.get(hid),
                )
            )
        self._ensure_orgs(specs)
