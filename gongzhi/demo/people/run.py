"""Demo people: the builder's run, street by street."""

from __future__ import annotations

import time

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from gongzhi.core.models import User
from gongzhi.demo import places as places_demo
from gongzhi.demo.people.data import SQLITE_CACHE_KIB
from gongzhi.demo.people.persons import PeopleResult
from gongzhi.party.models import MemberStatus, OrgKind, PartyMember, PartyOrg
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind


class _Run:
    # -- the run -----------------------------------------------------------------------------
    def run(self) -> PeopleResult:
        conn = connections[self.db]
        if conn.vendor != "sqlite":
            return self._run()
        # The blind indexes are random-ordered: with SQLite's default 2 MB page cache a
        # million inserts spill index pages to the WAL over and over (19 GB written for a
        # 1 GB database). A larger cache for this connection, while the build runs.
        with conn.cursor() as cur:
            cur.execute("PRAGMA cache_size")
            (previous,) = cur.fetchone()
            cur.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            return self._run()
        finally:
            with conn.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(previous)}")

    def _link_logins(self) -> None:
        """Link the demo logins that live in the demo street to their registry records (by
        name within their reserved household), so their points, votes and volunteering work."""
        users = User.objects.using(self.db)
        residents = Resident.objects.using(self.db)
        for household_id, family in self.reserved.items():
            for name, *_rest in family:
                user = users.filter(name=name, resident=None).order_by("id").first()
                if user is None:
                    continue
                residents.filter(household_id=household_id, name=name, user=None).update(user=user)

    def _run(self) -> PeopleResult:
        started = time.perf_counter()
        before = self._totals()
        district = (
            Place.objects.using(self.db).filter(parent=None, code=places_demo.DISTRICT_CODE).first()
        )
        skipped = 0
        if district is not None:
            self.reserved = self._reserved_homes()
            streets = list(
                Place.objects.using(self.db)
                .filter(parent=district, kind=PlaceKind.STREET)
                .order_by("path")
            )
            for n, street in enumerate(streets):
                # One transaction per street, a savepoint per community: far fewer commits
                # (each rewrites the index pages its batch touched; the blind indexes are
                # random-ordered), and an interrupted run still resumes street by street.
                with transaction.atomic(using=self.db):
                    skipped += self._street(street)
                self.progress(
                    _("Residents of street %(n)s of %(total)s: %(name)s")
                    % {"n": n + 1, "total": len(streets), "name": street.name}
                )
            self._link_logins()
        after = self._totals()
        created = {k: after[k] - before[k] for k in after}
        if any(created.values()) and self.db == DEFAULT_DB_ALIAS:
            from gongzhi.core import audit

            with transaction.atomic(using=self.db):
                audit.record(
                    actor=None,
                    action="demo_data.people",
                    target=district,
                    place_path=district.path,
                    changes={"scale": self.scale_name, "created": created},
                )
        if any(created.values()) and connections[self.db].vendor == "postgresql":
            with connections[self.db].cursor() as cur:
                for table in (
                    "people_resident",
                    "people_membership",
                    "people_residenttag",
                    "party_partyorg",
                    "party_partymember",
                    "party_checkin",
                ):
                    cur.execute(f"ANALYZE {table}")
        return PeopleResult(
            scale=self.scale_name,
            created=created,
            totals=after,
            seconds=time.perf_counter() - started,
            largest_batch=self.largest_batch,
            communities_skipped=skipped,
        )

    def _street(self, street: Place) -> int:
        """The street's working committee, then each community not yet populated."""
        (committee,) = self._ensure_orgs(
            [
                PartyOrg(
                    kind=OrgKind.STREET_COMMITTEE,
                    name=f"{street.name}大工委",
                    place_id=street.pk,
                    place_path=street.path,
                )
            ]
        )
        skipped = 0
        communities = (
            Place.objects.using(self.db)
            .filter(parent=street, kind=PlaceKind.COMMUNITY)
            .order_by("path")
        )
        for community in communities:
            populated = (
                Resident.objects.using(self.db).filter(place_path__under=community.path).exists()
            )
            if populated:
                skipped += 1
                continue
            with transaction.atomic(using=self.db):
                self._community(committee, community)
        self._street_secretary(committee)
        return skipped

    def _street_secretary(self, committee: PartyOrg) -> None:
        """The street committee's secretary: the first member of the street who leads nothing."""
        if committee.secretary_id:
            return
        leaders = PartyOrg.objects.using(self.db).exclude(secretary=None).values("secretary_id")
        member = (
            PartyMember.objects.using(self.db)
            .filter(place_path__under=committee.place_path, status=MemberStatus.FULL)
            .exclude(pk__in=leaders)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if member:
            committee.secretary_id = member
            committee.save(using=self.db, update_fields=["secretary"])
