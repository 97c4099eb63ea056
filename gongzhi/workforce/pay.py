"""Pay floors (issue 15 item 6, seed 001 §15: 社区党组织和社区居委会专职成员的基本报酬正职不低于1500
元/月, 副职不低于1400元/月, 委员不低于1200元/月): where a worker's monthly basic pay is recorded and
the worker holds an open seat on a current committee term, the pay is compared with the floor of
the seat's role from the community's effective profile:

- secretary or director (正职): `pay.chief_min_yuan_per_month`;
- deputy secretary or deputy director (副职): `pay.deputy_min_yuan_per_month`;
- member (委员): `pay.member_min_yuan_per_month`.

A person with several seats is held to the highest floor. Part-time posts (兼职, the post's
`places.PostTerms`) are left out: the paragraph speaks of full-time members. Pay is personal
data: the list is read only over the communities where the viewer has `workforce.personal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gongzhi.core import access, profiles
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.places.models import Place
from gongzhi.workforce.models import CommitteeSeat, SeatRole, Worker

CHIEF = "pay.chief_min_yuan_per_month"
DEPUTY = "pay.deputy_min_yuan_per_month"
MEMBER = "pay.member_min_yuan_per_month"
KEY_OF = {
    SeatRole.SECRETARY: CHIEF,
    SeatRole.DIRECTOR: CHIEF,
    SeatRole.DEPUTY_SECRETARY: DEPUTY,
    SeatRole.DEPUTY_DIRECTOR: DEPUTY,
    SeatRole.MEMBER: MEMBER,
}


@dataclass
class BelowFloor:
    worker: Worker
    role: str
    key: str
    floor_fen: int
    citation: str

    @property
    def pay_yuan(self) -> str | None:
        return self.worker.monthly_pay_yuan

    @property
    def role_label(self) -> str:
        return str(SeatRole(self.role).label)

    @property
    def floor_yuan(self) -> str:
        return f"{self.floor_fen // 100}.{self.floor_fen % 100:02d}"

    def as_dict(self) -> dict[str, object]:
        w = self.worker
        return {
            "worker": w.pk,
            "name": w.resident.name,
            "community": {"id": w.community_id, "name": w.community.name},
            "role": self.role,
            "key": self.key,
            "monthly_pay_yuan": self.pay_yuan,
            "floor_yuan": self.floor_yuan,
            "citation": self.citation,
        }


def _floor_fen(profile: profiles.Profile | None, key: str) -> int | None:
    if profile is None or not profile.ok or not profile.is_set(key):
        return None
    return int(Decimal(str(profile.get(key))) * 100)


def below_floor(user: Viewer, limit: int = 500) -> list[BelowFloor]:
    """Workers in the viewer's `workforce.personal` area paid below their seat's floor
    (three queries: the seats, the communities' profile setters, nothing per row)."""
    seats = list(
        access.scoped(
            CommitteeSeat.objects.filter(
                left_on__isnull=True,
                term__succeeded_on__isnull=True,
                worker__left_on__isnull=True,
                worker__monthly_pay_fen__isnull=False,
            ).select_related("worker__resident", "worker__community", "worker__post__terms"),
            user,
            Action.WORKFORCE_PERSONAL,
            path_field="place_path",
        ).order_by("place_path", "worker_id", "id")[: limit * 3]
    )
    communities: dict[int, Place] = {s.worker.community_id: s.worker.community for s in seats}
    setters = profiles.profile_setters(list(communities.values()))
    profile_of = {
        pk: profiles.current(setter.policy_profile) if setter else None
        for pk, setter in setters.items()
    }
    best: dict[int, BelowFloor] = {}
    for seat in seats:
        worker = seat.worker
        terms = getattr(worker.post, "terms", None) if worker.post else None
        if terms is not None and not terms.full_time:
            continue
        profile = profile_of.get(worker.community_id)
        key = KEY_OF[SeatRole(seat.role)]
        floor = _floor_fen(profile, key)
        if floor is None or worker.monthly_pay_fen is None:
            continue
        held = best.get(worker.pk)
        if held is None or floor > held.floor_fen:
            best[worker.pk] = BelowFloor(
                worker, seat.role, key, floor, profile.citations.get(key, "") if profile else ""
            )
    return [b for b in best.values() if b.worker.monthly_pay_fen < b.floor_fen][:limit]  # type: ignore[operator]
