"""Demo places: people of the tree: community staff, grid workers and the demo logins."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core import crypto, paths
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo.places.results import DEMO_LOGINS, Login, _StaffSpec
from gongzhi.demo.places.scales import DEMO_PASSWORD, RESIDENT_PHONE
from gongzhi.places.models import Household, Place


class _Staff:
    # -- people ----------------------------------------------------------------------------
    def _community_staff(self, community: Place, grids: list[Place], is_demo: bool) -> None:
        """A secretary, a few community workers and a worker for every grid. In the demo
        community the demo logins hold the secretary's and the first grid's posts."""
        code = community.code
        specs = []
        if not is_demo:
            specs.append(
                _StaffSpec(
                    f"secretary-{code}",
                    self._next_name(),
                    Role.COMMUNITY_SECRETARY,
                    community.path,
                )
            )
        for i in range(self.scale.workers_per_community):
            specs.append(
                _StaffSpec(
                    f"worker-{code}-{i + 1}",
                    self._next_name(),
                    Role.COMMUNITY_WORKER,
                    community.path,
                )
            )
        for g, grid in enumerate(grids):
            if is_demo and g == 0:
                continue
            specs.append(
                _StaffSpec(
                    f"grid-{code}-{grid.code.lower()}",
                    self._next_name(),
                    Role.GRID_WORKER,
                    grid.path,
                )
            )
        self._ensure_staff(specs, {p.path: p.pk for p in [community, *grids]}, bulk=True)

    def _ensure_staff(
        self, specs: list[_StaffSpec], place_ids: dict[str, int], *, bulk: bool
    ) -> dict[int, User]:
        """Create missing users and posts; return {spec index: user}."""
        users = User.objects.using(self.db)
        by_name = {
            u.username: u
            for u in users.filter(username__in=[s.username for s in specs if s.username])
        }
        phones = {crypto.blind_index("phone", s.phone): s for s in specs if s.phone}
        by_phone = {u.phone_index: u for u in users.filter(phone_index__in=list(phones))}
        found: dict[int, User] = {}
        new: list[tuple[int, User]] = []
        for i, spec in enumerate(specs):
            user = (
                by_phone.get(crypto.blind_index("phone", spec.phone))
                if spec.phone
                else by_name.get(spec.username)
            )
            if user is not None:
                found[i] = user
            elif bulk:
                new.append(
                    (i, User(username=spec.username, name=spec.name, password=self.password_hash))
                )
            else:
                user = User.objects.db_manager(self.db).create_user(
                    spec.username, None, phone=spec.phone, name=spec.name
                )
                user.password = self.password_hash
                user.save(using=self.db, update_fields=["password"])
                found[i] = user
        if new:
            users.bulk_create([u for _, u in new], batch_size=self.batch_size)
            if any(u.pk is None for _, u in new):
                ids = dict(
                    users.filter(username__in=[u.username for _, u in new]).values_list(
                        "username", "id"
                    )
                )
                for _, u in new:
                    u.pk = ids[u.username]
            found.update(new)
        households = {}
        wanted = [s.household for s in specs if s.household]
        for building_path, unit, room in wanted:
            households[building_path, unit, room] = (
                Household.objects.using(self.db)
                .values_list("id", flat=True)
                .get(place_path=building_path, unit_no=unit, room_no=room)
            )
        existing: set[tuple[int, str, int | None, int | None]] = set(
            Post.objects.using(self.db)
            .filter(user__in=[u.pk for u in found.values()])
            .values_list("user_id", "role", "place_id", "household_id")
        )
        posts = []
        for i, spec in enumerate(specs):
            key = (
                found[i].pk,
                spec.role,
                place_ids[spec.place_path] if spec.place_path else None,
                households[spec.household] if spec.household else None,
            )
            if key not in existing:
                existing.add(key)
                posts.append(
                    Post(user_id=key[0], role=key[1], place_id=key[2], household_id=key[3])
                )
        Post.objects.using(self.db).bulk_create(posts, batch_size=self.batch_size)
        return found

    def _demo_logins(self, district: Place, street: Place) -> list[Login]:
        assert street.official_code is not None  # every demo street has its official code
        community_path = paths.join(street.path, f"{street.official_code[:9]}001")
        grid_path = paths.join(community_path, "G01")
        estate_path = paths.join(grid_path, "E1")
        building_path = paths.join(estate_path, "B1")
        _units, floors, rooms = self.scale.shapes[0]
        resident_home = (building_path, "1", f"{min(floors, 5)}{min(rooms, 2):02d}")
        where = {
            "district": district.path,
            "street": street.path,
            "community": community_path,
            "grid": grid_path,
            "estate": estate_path,
            "building": building_path,
        }
        places = {
            p.path: p for p in Place.objects.using(self.db).filter(path__in=list(where.values()))
        }
        specs = []
        for role, username, name, key in DEMO_LOGINS:
            path = where[key] if key else None
            is_resident = role == Role.RESIDENT
            specs.append(
                _StaffSpec(
                    username,
                    name,
                    role,
                    path,
                    household=resident_home if is_resident else None,
                    phone=RESIDENT_PHONE if is_resident else None,
                    label=self._post_label(places, path, resident_home if is_resident else None),
                )
            )
        self._ensure_staff(specs, {p: pl.pk for p, pl in places.items()}, bulk=False)
        return [
            Login(
                role=s.role,
                label=str(Role(s.role).label),
                login=s.phone or s.username or "",  # a demo login has one of them
                password=DEMO_PASSWORD,
                post=s.label,
            )
            for s in specs
        ]

    @staticmethod
    def _post_label(
        places: dict[str, Place], path: str | None, household: tuple[str, str, str] | None
    ) -> str:
        if path is None:
            return _("Whole installation")
        names = [places[p].name for p in sorted(places, key=len) if path.startswith(p)]
        label = " ".join(names[1:] or names)  # the district name only for district posts
        if household:
            label += " " + _("unit %(unit)s room %(room)s") % {
                "unit": household[1],
                "room": household[2],
            }
        return label
