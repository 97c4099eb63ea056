"""Demo places: what a run returns, and the demo logins (one per role)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

from gongzhi.core.roles import Role


@dataclass
class Login:
    role: str  # Role value
    label: str  # Role label, translated
    login: str
    password: str
    post: str


@dataclass
class BuildResult:
    scale: str
    created: dict[str, int]
    totals: dict[str, int]
    logins: list[Login]
    seconds: float
    largest_batch: int = 0
    people: PeopleSummary | None = None  # gongzhi.demo.people.PeopleResult when built with people
    # What each feature's demo built: module name -> one line of text (see FEATURE_DEMOS).
    features: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or bool(self.people and self.people.changed)


class PeopleSummary(Protocol):
    """What is read of gongzhi.demo.people.PeopleResult (places imports nothing of people)."""

    created: dict[str, int]
    totals: dict[str, int]
    seconds: float

    @property
    def changed(self) -> bool: ...


@dataclass
class _StaffSpec:
    username: str | None
    name: str
    role: str
    place_path: str | None
    household: tuple[str, str, str] | None = None  # (building path, unit, room)
    phone: str | None = None
    label: str = ""


# The demo logins, one per role: (role, username, name, where). `where` names a place of
# the first community by its role in the tree (see _demo_places).
DEMO_LOGINS = [
    (Role.DISTRICT_OFFICER, "district", "王建国", "district"),
    (Role.STREET_OFFICER, "street", "李红梅", "street"),
    (Role.COMMUNITY_SECRETARY, "secretary", "张丽华", "community"),
    (Role.COMMUNITY_WORKER, "worker", "刘敏", "community"),
    (Role.GRID_WORKER, "grid", "陈伟", "grid"),
    (Role.BUILDING_HEAD, "buildinghead", "杨志强", "building"),
    (Role.PARTY_MEMBER, "partymember", "赵国庆", "community"),
    (Role.VOLUNTEER, "volunteer", "周晓燕", "community"),
    (Role.RESIDENT, None, "吴秀英", "building"),
    (Role.MERCHANT, "merchant", "孙立新", "community"),
    (Role.PARTNER_CONTACT, "partner", "马俊", "street"),
    (Role.PROPERTY_STAFF, "property", "胡建军", "estate"),
    (Role.SYSTEM_ADMIN, "admin", "郭涛", None),
    (Role.SECURITY_ADMIN, "security", "林静", None),
    (Role.AUDIT_ADMIN, "auditor", "黄志明", None),
]
