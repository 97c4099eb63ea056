"""The rules of organisational life that are not a single write: who may manage or see an
organisation's records (the object rule), the meeting kinds each organisation holds, the
yearly frequencies and periods from the policy profile, and the review grade bands.

The object rule (a branch's records belong to the branch): a staff post (community secretary,
street officer, …) reaches every organisation under its place by the permission matrix; a
party member's post reaches only the organisation the member belongs to (and the
organisations above it, whose meetings they attend) and manages only the organisations whose
secretary they are in the party registry (and those under them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from gongzhi.core import access, profiles
from gongzhi.core.access import Grant
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.party.models import OrgKind, PartyMember, PartyOrg
from gongzhi.party.selectors import member_of
from gongzhi.partylife.models import Grade, MeetingKind
from gongzhi.places.models import Place

VIEW = Action.PARTYLIFE_VIEW
MANAGE = Action.PARTYLIFE_MANAGE
ATTEND = Action.PARTYLIFE_ATTEND

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
# The meetings each kind of organisation holds (三会一课 for branches, the group meeting for
# groups, the regular meeting for the big committees).
KINDS_OF_ORG: dict[str, tuple[str, ...]] = {
    OrgKind.BRANCH: (
        MeetingKind.GENERAL,
        MeetingKind.COMMITTEE,
        MeetingKind.LECTURE,
        MeetingKind.THEME_DAY,
    ),
    OrgKind.GENERAL_BRANCH: (
        MeetingKind.GENERAL,
        MeetingKind.COMMITTEE,
        MeetingKind.LECTURE,
        MeetingKind.THEME_DAY,
    ),
    OrgKind.GROUP: (MeetingKind.GROUP,),
    OrgKind.COMMUNITY_COMMITTEE: (MeetingKind.BIG_COMMITTEE, MeetingKind.LECTURE),
    OrgKind.STREET_COMMITTEE: (MeetingKind.BIG_COMMITTEE,),
}
# Of those, the kinds that have a yearly frequency (a lecture of a big committee has none).
PLANNED_KINDS: dict[str, tuple[str, ...]] = {
    **{k: v for k, v in KINDS_OF_ORG.items() if k in BRANCH_KINDS or k == OrgKind.GROUP},
    OrgKind.COMMUNITY_COMMITTEE: (MeetingKind.BIG_COMMITTEE,),
    OrgKind.STREET_COMMITTEE: (MeetingKind.BIG_COMMITTEE,),
}


# --------------------------------------------------------------------------- the object rule


def _covers(grant: Grant, path: str) -> bool:
    return grant.everything or path.startswith(grant.path or "\0")


def _is_member_post(grant: Grant) -> bool:
    return grant.post is not None and grant.post.role == Role.PARTY_MEMBER


def staff_q(user: Viewer, action: str, field: str = "place_path") -> Q:
    """Rows under the user's staff grants of `action` (a party member's post excluded)."""
    q = Q(pk__in=[])
    for grant in access.grants(user, action):
        if _is_member_post(grant) or grant.household_id is not None:
            continue
        if grant.everything:
            return Q()
        q |= Q(**{f"{field}__under": grant.path})
    return q


def _member(user: Viewer) -> PartyMember | None:
    if not any(_is_member_post(g) for g in access.grants(user, VIEW)):
        return None
    if not hasattr(user, "_partylife_member"):
        setattr(user, "_partylife_member", member_of(user))  # noqa: B010  (not a field of User)
    found: PartyMember | None = getattr(user, "_partylife_member")  # noqa: B009
    return found


def member(user: Viewer) -> PartyMember | None:
    """The active party member behind a login with a party member's post, or None."""
    return _member(user)


def chain(org: PartyOrg) -> list[int]:
    """The ids of `org` and the organisations above it."""
    ids = []
    current: PartyOrg | None = org
    while current is not None and current.pk not in ids:
        ids.append(current.pk)
        current = current.parent
    return ids


def below(org_ids: Iterable[int]) -> set[int]:
    """The ids of these organisations and every organisation under them (one query a level)."""
    found = set(org_ids)
    level = set(found)
    while level:
        level = set(PartyOrg.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        level -= found
        found |= level
    return found


def secretary_ids(member: PartyMember) -> set[int]:
    return below(PartyOrg.objects.filter(secretary=member).values_list("pk", flat=True))


def member_org_ids(user: Viewer) -> set[int]:
    """The organisations a party member's post reaches: their own and those above it, and
    those they are the secretary of with everything under them."""
    found = _member(user)
    if found is None:
        return set()
    cached = getattr(user, "_partylife_orgs", None)
    if cached is None:
        cached = set(chain(found.org)) | secretary_ids(found)
        setattr(user, "_partylife_orgs", cached)  # noqa: B010
    return cached


def visible_q(user: Viewer, org_field: str = "org_id", path_field: str = "place_path") -> Q:
    return staff_q(user, VIEW, path_field) | Q(**{f"{org_field}__in": member_org_ids(user)})


def may_view(user: Viewer, org: PartyOrg) -> bool:
    if any(
        _covers(g, org.place_path)
        for g in access.grants(user, VIEW)
        if not _is_member_post(g) and g.household_id is None
    ):
        return True
    return org.pk in member_org_ids(user)


def is_secretary(user: Viewer, org: PartyOrg) -> bool:
    found = _member(user)
    return found is not None and org.pk in secretary_ids(found)


def manage_grant(user: Viewer, org: PartyOrg) -> Grant | None:
    """The grant under which `user` manages `org`'s records, or None."""
    covering = [g for g in access.grants(user, MANAGE) if _covers(g, org.place_path)]
    for grant in covering:
        if not _is_member_post(grant):
            return grant
    if covering and is_secretary(user, org):
        return covering[0]
    return None


def may_manage(user: Viewer, org: PartyOrg) -> bool:
    return manage_grant(user, org) is not None


def require_manage(user: Viewer, org: PartyOrg) -> Grant:
    """A write on `org`'s records: not visible → 404; visible, not allowed → 403."""
    grant = manage_grant(user, org)
    if grant is not None:
        return grant
    if may_view(user, org):
        raise PermissionDenied
    raise Http404


def require_attend(user: Viewer, org: PartyOrg) -> tuple[PartyMember, Grant]:
    """A member's own step (check in, leave, self-assessment) on a record of `org`."""
    grant = access.grant_for(user, ATTEND, org.place_path)
    found = _member(user)
    if grant is None or found is None or org.pk not in set(chain(found.org)):
        if may_view(user, org):
            raise PermissionDenied
        raise Http404
    return found, grant


def own_or_managed_q(user: Viewer, member_field: str = "member_id") -> Q:
    """A member's own records (pledges, responsibility areas): staff see those under their
    place; a party member's post sees their own and those of the organisations they are the
    secretary of (with those under them) — not their branch-mates'."""
    q = staff_q(user, VIEW)
    found = _member(user)
    if found is not None:
        q |= Q(org_id__in=secretary_ids(found)) | Q(**{member_field: found.pk})
    return q


def letter_grant(user: Viewer, member: PartyMember, community_path: str) -> Grant:
    """The yearly letter about an in-service member (002): downloaded only by those who manage
    the member's branch (its secretary, the community secretary above it) or by the community
    committee's staff who manage organisational life in the community the member serves in.
    Not visible → 404; visible, not allowed → 403."""
    grant = manage_grant(user, member.org)
    if grant is not None:
        return grant
    for candidate in access.grants(user, MANAGE):
        if not _is_member_post(candidate) and _covers(candidate, community_path):
            return candidate
    if may_view(user, member.org) or any(
        _covers(g, community_path)
        for g in access.grants(user, VIEW)
        if not _is_member_post(g) and g.household_id is None
    ):
        raise PermissionDenied
    raise Http404


# --------------------------------------------------------------------------- the profile


def _number(profile: profiles.Profile | None, key: str) -> float:
    value = profile.get(key) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[key].default
    return float(value or 0)


def profiles_of(places: Iterable[Place]) -> dict[int, profiles.Profile | None]:
    """The effective profile of each place (one query for all of them)."""
    setters = profiles.profile_setters(places)
    return {
        pk: profiles.current(setter.policy_profile) if setter is not None else None
        for pk, setter in setters.items()
    }


def per_year(profile: profiles.Profile | None, kind: str) -> int:
    return int(_number(profile, f"partylife.per_year.{kind}"))


def periods(year: int, times: int) -> list[tuple[dt.date, dt.date]]:
    """The year split into `times` periods of whole months: [first day, last day]."""
    if times <= 0:
        return []
    times = min(times, 12)
    bounds = [(12 * i) // times for i in range(times + 1)]
    result = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        first = dt.date(year, start + 1, 1)
        last = dt.date(year + end // 12, end % 12 + 1, 1) - dt.timedelta(days=1)
        result.append((first, last))
    return result


def period_of(day: dt.date, times: int) -> tuple[dt.date, dt.date] | None:
    for first, last in periods(day.year, times):
        if first <= day <= last:
            return first, last
    return None


@dataclass(frozen=True)
class Weights:
    self_part: Decimal
    peer: Decimal
    branch: Decimal


def weights(profile: profiles.Profile | None) -> Weights:
    raw = [
        Decimal(str(_number(profile, f"partylife.review_weight.{p}")))
        for p in ("self", "peer", "branch")
    ]
    total = sum(raw) or Decimal(1)
    return Weights(*(w / total for w in raw))


def total_of(profile: profiles.Profile | None, self_score: int, peer: int, branch: int) -> Decimal:
    w = weights(profile)
    value = w.self_part * self_score + w.peer * peer + w.branch * branch
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def grade_of(profile: profiles.Profile | None, total: Decimal) -> str:
    """The grade of a weighted total: the highest band whose least total it reaches."""
    for grade in (Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC):
        least = Decimal(str(_number(profile, f"partylife.review_band.{grade}")))
        if total >= least:
            return grade
    return Grade.UNQUALIFIED
