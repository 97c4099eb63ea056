"""Demo places: the builder's helpers (password hash, totals, places by code)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password

from gongzhi.core import paths
from gongzhi.core.models import Post, User
from gongzhi.demo.places.names import person_name
from gongzhi.demo.places.scales import DEMO_PASSWORD
from gongzhi.places.models import Household, Place


class _Helpers:
    # -- helpers -------------------------------------------------------------------------
    @property
    def password_hash(self) -> str:
        # Argon2 is slow on purpose: hash the demo password once, reuse it for every user.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def _totals(self) -> dict[str, int]:
        return {
            "places": Place.objects.using(self.db).count(),
            "households": Household.objects.using(self.db).count(),
            "users": User.objects.using(self.db).count(),
            "posts": Post.objects.using(self.db).count(),
        }

    def _ensure_places(self, specs: list[Place]) -> list[Place]:
        """Create the places whose path is new; give every spec the id of its row."""
        found = dict(
            Place.objects.using(self.db)
            .filter(path__in=[p.path for p in specs])
            .values_list("path", "id")
        )
        missing = [p for p in specs if p.path not in found]
        if missing:
            Place.objects.using(self.db).bulk_create(missing, batch_size=self.batch_size)
            if any(p.pk is None for p in missing):  # backends that cannot return ids
                found.update(
                    Place.objects.using(self.db)
                    .filter(path__in=[p.path for p in missing])
                    .values_list("path", "id")
                )
        for p in specs:
            if p.pk is None:
                p.pk = found[p.path]
        return specs

    def _place(self, parent: Place | None, kind: str, name: str, code: str, **fields: Any) -> Place:
        place = Place(
            parent_id=parent.pk if parent else None,
            kind=kind,
            name=name,
            code=code,
            path=paths.join(parent.path if parent else "", code),
            depth=parent.depth + 1 if parent else 0,
            **fields,
        )
        return place

    def _next_name(self) -> str:
        self.person_seq += 1
        return person_name(self.person_seq)
