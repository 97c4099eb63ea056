"""Demo tickets: the builder's setup (categories, places, accounts, posts)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.hashers import make_password
from django.db import connections

from gongzhi.core import crypto
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import places as places_demo
from gongzhi.demo.tickets.constants import ACCOUNT_EVERY, PARTY_LOGINS
from gongzhi.demo.tickets.texts import TEXTS
from gongzhi.demo.tickets.world import _Building, _Grid
from gongzhi.places.models import Household, Place, PlaceKind
from gongzhi.tickets.models import Category


class _Setup:
    # -- setup ----------------------------------------------------------------------------
    def _load(self) -> None:
        db = self.db
        self.categories = list(Category.objects.using(db).filter(is_active=True))
        self.leaves = [c for c in self.categories if c.code in TEXTS]
        places = Place.objects.using(db)
        by_path = {}
        for p in places.filter(depth__lte=3).values("id", "path", "kind", "name"):
            by_path[p["path"]] = p
        self.district = places.filter(depth=0).order_by("id").first()
        self.grids: dict[str, _Grid] = {}
        for path, p in by_path.items():
            if p["kind"] != PlaceKind.GRID:
                continue
            parts = path.split("/")
            community_path = "/".join(parts[:3]) + "/"
            street_path = "/".join(parts[:2]) + "/"
            self.grids[path] = _Grid(
                p["id"],
                path,
                by_path[community_path]["id"],
                community_path,
                by_path[street_path]["id"],
                street_path,
            )
        names = dict(
            places.filter(kind__in=(PlaceKind.ESTATE, PlaceKind.GRID)).values_list("path", "name")
        )
        buildings = {}
        for b in (
            places.filter(kind=PlaceKind.BUILDING).values("id", "path", "name").order_by("path")
        ):
            grid_path = "/".join(b["path"].split("/")[:4]) + "/"
            grid = self.grids.get(grid_path)
            if grid is None:
                continue
            parent = b["path"][: b["path"][:-1].rfind("/") + 1]
            building = _Building(b["id"], b["path"], b["name"], names.get(parent, ""), parent)
            grid.buildings.append(building)
            buildings[b["id"]] = building
        self.buildings = buildings
        counts = defaultdict(int)
        for building_id in (
            Household.objects.using(db).values_list("building_id", flat=True).iterator(10_000)
        ):
            counts[building_id] += 1
        for grid in self.grids.values():
            grid.households = sum(counts[b.id] for b in grid.buildings)

    def _ensure_accounts(self) -> int:
        """Resident accounts for one household in n (idempotent), linked to the head."""
        db = self.db
        every = ACCOUNT_EVERY.get(self.scale.name, 4)
        users = User.objects.using(db)
        have = set(
            users.filter(username__startswith="resident-").values_list("username", flat=True)
        )
        template = users.filter(username="grid").values_list("password", flat=True).first()
        password = template or make_password(places_demo.DEMO_PASSWORD)
        from gongzhi.people.models import Relation, Resident

        created = 0
        wanted = []
        for hh_id, building_id in (
            Household.objects.using(db)
            .values_list("id", "building_id")
            .order_by("id")
            .iterator(10_000)
        ):
            if (
                hh_id % every == 0
                and f"resident-{hh_id}" not in have
                and building_id in self.buildings
            ):
                wanted.append((hh_id, building_id))
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            heads = dict(
                Resident.objects.using(db)
                .filter(household_id__in=[h for h, _b in chunk], relation=Relation.HEAD)
                .values_list("household_id", "name")
            )
            new = [
                User(
                    username=f"resident-{h}",
                    name=heads.get(h) or places_demo.person_name(h),
                    password=password,
                )
                for h, _b in chunk
            ]
            users.bulk_create(new, batch_size=5000)
            ids = dict(
                users.filter(username__in=[u.username for u in new]).values_list("username", "id")
            )
            posts = [
                Post(user_id=ids[f"resident-{h}"], role=Role.RESIDENT, place_id=b, household_id=h)
                for h, b in chunk
            ]
            Post.objects.using(db).bulk_create(posts, batch_size=5000)
            created += len(new)
        if created:
            with connections[db].cursor() as cur:
                cur.execute(
                    "UPDATE people_resident SET user_id = (SELECT u.id FROM core_user u "
                    "WHERE u.username = 'resident-' || people_resident.household_id) "
                    "WHERE relation = %s AND user_id IS NULL AND household_id %% %s = 0 "
                    "AND EXISTS (SELECT 1 FROM core_user u WHERE u.username = "
                    "'resident-' || people_resident.household_id)",
                    [Relation.HEAD, every],
                )
        return created

    def _ensure_party_logins(self) -> int:
        db = self.db
        users = User.objects.using(db)
        password = users.filter(username="grid").values_list("password", flat=True).first()
        password = password or make_password(places_demo.DEMO_PASSWORD)
        communities = {g.community_path: g.community_id for g in self.grids.values()}
        names = [
            f"party-{path.split('/')[2]}-{i + 1}"
            for path in communities
            for i in range(PARTY_LOGINS)
        ]
        have = set(users.filter(username__in=names).values_list("username", flat=True))
        new, posts = [], []
        for path, cid in communities.items():
            for i in range(PARTY_LOGINS):
                username = f"party-{path.split('/')[2]}-{i + 1}"
                if username not in have:
                    new.append(
                        (
                            User(
                                username=username,
                                name=places_demo.person_name(cid * 7 + i + 500),
                                password=password,
                            ),
                            cid,
                        )
                    )
        if new:
            users.bulk_create([u for u, _c in new], batch_size=5000)
            ids = dict(
                users.filter(username__in=[u.username for u, _c in new]).values_list(
                    "username", "id"
                )
            )
            posts = [
                Post(user_id=ids[u.username], role=Role.PARTY_MEMBER, place_id=c) for u, c in new
            ]
            Post.objects.using(db).bulk_create(posts, batch_size=5000)
        return len(new)

    def _load_posts(self) -> None:
        rows = (
            Post.objects.using(self.db)
            .filter(is_active=True, user__is_active=True)
            .exclude(role=Role.RESIDENT, household__isnull=True)
            .values_list(
                "id",
                "user_id",
                "role",
                "place__path",
                "household__building_id",
                "user__username",
                "user__phone_index",
            )
        )
        by_community = defaultdict(lambda: defaultdict(list))
        by_street = defaultdict(lambda: defaultdict(list))
        self.property = {}
        self.demo_resident = None
        self.partymember = None
        resident_phone = crypto.blind_index("phone", places_demo.RESIDENT_PHONE)
        for pid, uid, role, path, building_id, username, phone_index in rows.iterator(10_000):
            who = (uid, pid)
            if role == Role.RESIDENT:
                building = self.buildings.get(building_id)
                if building is not None:
                    if phone_index == resident_phone:
                        self.demo_resident = (who, building)
                    else:
                        building.accounts.append(who)
                continue
            if path is None:
                continue
            depth = path.count("/") - 1
            if role == Role.GRID_WORKER and path in self.grids:
                self.grids[path].workers.append(who)
            elif role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER) and depth == 2:
                by_community[path]["staff"].append(who)
            elif role == Role.PARTY_MEMBER and depth == 2:
                by_community[path]["party"].append(who)
                if username == "partymember":
                    self.partymember = who
            elif role == Role.STREET_OFFICER and depth == 1:
                by_street[path]["staff"].append(who)
            elif role == Role.PARTNER_CONTACT and depth == 1:
                by_street[path]["partners"].append(who)
            elif role == Role.PROPERTY_STAFF:
                self.property[path] = who
        self.demo_grid = None
        if self.demo_resident is not None:
            grid_path = "/".join(self.demo_resident[1].path.split("/")[:4]) + "/"
            self.demo_grid = self.grids.get(grid_path)
        for grid in self.grids.values():
            grid.community_staff = sorted(by_community[grid.community_path]["staff"])
            grid.party = sorted(by_community[grid.community_path]["party"])
            grid.street_staff = sorted(by_street[grid.street_path]["staff"])
            grid.partners = sorted(by_street[grid.street_path]["partners"])
            grid.workers.sort()
            for b in grid.buildings:
                b.accounts.sort()
