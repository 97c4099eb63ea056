"""Demo people: the builder's totals and lookups."""

from __future__ import annotations

from gongzhi.core import crypto
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import places as places_demo
from gongzhi.demo.people.persons import (
    _PARTY_LOGIN_FAMILY,
    _RESIDENT_LOGIN_FAMILY,
    _SECRETARY_LOGIN_FAMILY,
    _VOLUNTEER_LOGIN_FAMILY,
)
from gongzhi.party.models import Checkin, PartyMember, PartyOrg
from gongzhi.people.models import Membership, Resident, ResidentTag
from gongzhi.places.models import Household


class _Lookups:
    # -- totals and lookups -----------------------------------------------------------------
    def _totals(self) -> dict[str, int]:
        return {
            "residents": Resident.objects.using(self.db).count(),
            "memberships": Membership.objects.using(self.db).count(),
            "tags": ResidentTag.objects.using(self.db).count(),
            "party_orgs": PartyOrg.objects.using(self.db).count(),
            "party_members": PartyMember.objects.using(self.db).count(),
            "checkins": Checkin.objects.using(self.db).count(),
        }

    def _ensure_orgs(self, specs: list[PartyOrg]) -> list[PartyOrg]:
        """Create the organisations that are new by (place, kind, name); ids on every spec."""
        found = {
            (o.place_id, o.kind, o.name): o
            for o in PartyOrg.objects.using(self.db).filter(
                place_id__in={s.place_id for s in specs}
            )
        }
        missing = [s for s in specs if (s.place_id, s.kind, s.name) not in found]
        if missing:
            PartyOrg.objects.using(self.db).bulk_create(missing, batch_size=self.batch_size)
            if any(o.pk is None for o in missing):
                for o in PartyOrg.objects.using(self.db).filter(
                    place_id__in={s.place_id for s in missing}
                ):
                    found.setdefault((o.place_id, o.kind, o.name), o)
        out = []
        for s in specs:
            if s.pk is None:
                s = found[(s.place_id, s.kind, s.name)]
            out.append(s)
        return out

    def _reserved_homes(self) -> dict[int, list]:
        """{household id: fixed family} for the demo logins' households."""
        homes: dict[int, list] = {}
        users = User.objects.using(self.db)
        posts = Post.objects.using(self.db)
        resident_user = (
            users.filter(phone_index=crypto.blind_index("phone", places_demo.RESIDENT_PHONE))
            .values_list("id", flat=True)
            .first()
        )
        if resident_user:
            home = (
                posts.filter(user_id=resident_user, role=Role.RESIDENT)
                .exclude(household=None)
                .values_list("household_id", flat=True)
                .first()
            )
            if home:
                homes[home] = _RESIDENT_LOGIN_FAMILY
        for username, grid, unit, room, family in (
            ("partymember", "G01", "2", "301", _PARTY_LOGIN_FAMILY),
            ("secretary", "G02", "1", "201", _SECRETARY_LOGIN_FAMILY),
            ("volunteer", "G01", "2", "402", _VOLUNTEER_LOGIN_FAMILY),
        ):
            community = (
                posts.filter(user__username=username)
                .exclude(place=None)
                .values_list("place__path", flat=True)
                .first()
            )
            if not community:
                continue
            home = (
                Household.objects.using(self.db)
                .filter(place_path=f"{community}{grid}/E1/B1/", unit_no=unit, room_no=room)
                .values_list("id", flat=True)
                .first()
            )
            if home and home not in homes:
                homes[home] = family
        return homes
