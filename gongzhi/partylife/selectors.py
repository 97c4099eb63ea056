"""Reads of organisational life, narrowed by the object rule (gongzhi/partylife/rules.py):
staff posts see the organisations under their place, a party member their own organisation
(and those above it) and the ones they are the secretary of. Lists run a fixed number of
queries whatever their length."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.core.types import Viewer
from gongzhi.party.models import OrgKind, PartyMember, PartyOrg
from gongzhi.party.selectors import index_for, member_community
from gongzhi.partylife import rules
from gongzhi.partylife.index import score_for, whole_year
from gongzhi.partylife.models import (
    AreaUnit,
    Attendance,
    AttendanceStatus,
    DuesEntry,
    DuesKind,
    IndexEvidence,
    IndexItem,
    IndexItemState,
    Meeting,
    MeetingPhoto,
    Pledge,
    ResponsibilityArea,
    ReviewResult,
    ReviewRound,
    Transfer,
    TransferState,
)
from gongzhi.places.models import Household, Place, PlaceKind

# --------------------------------------------------------------------------- organisations


def visible_orgs(user: Viewer) -> QuerySet[PartyOrg]:
    return (
        PartyOrg.objects.filter(kind__in=list(rules.KINDS_OF_ORG))
        .filter(rules.visible_q(user, org_field="pk"))
        .select_related("place", "secretary__resident")
    )


def get_org(user: Viewer, pk: int) -> PartyOrg:
    return get_object_or_404(visible_orgs(user), pk=pk)


def org_rows(user: Viewer, year: int) -> QuerySet[PartyOrg]:
    return (
        visible_orgs(user)
        .annotate(
            held=Count(
                "partylife_meetings",
                filter=Q(
                    partylife_meetings__minutes_at__isnull=False,
                    partylife_meetings__held_on__year=year,
                ),
            )
        )
        .order_by("place_path", "kind", "name")
    )


def members_of(org: PartyOrg) -> QuerySet[PartyMember]:
    return (
        PartyMember.objects.filter(org_id__in=rules.below([org.pk]), is_active=True)
        .select_related("resident", "org")
        .order_by("resident__name", "id")
    )


# --------------------------------------------------------------------------- meetings


def visible_meetings(user: Viewer) -> QuerySet[Meeting]:
    return Meeting.objects.filter(rules.visible_q(user)).select_related("org")


def get_meeting(user: Viewer, pk: int) -> Meeting:
    return get_object_or_404(visible_meetings(user).select_related("org__place"), pk=pk)


def meetings_of(user: Viewer, org: PartyOrg) -> QuerySet[Meeting]:
    return visible_meetings(user).filter(org=org).order_by("-held_on", "-id")


def attendance_rows(meeting: Meeting) -> list[dict[str, Any]]:
    """Every member expected at the meeting with their attendance (two queries)."""
    marks = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    return [{"member": m, "mark": marks.get(m.pk)} for m in members_of(meeting.org)]


def photos_of(meeting: Meeting) -> QuerySet[MeetingPhoto]:
    return MeetingPhoto.objects.filter(meeting=meeting)


def get_photo(user: Viewer, pk: int) -> MeetingPhoto:
    return get_object_or_404(
        MeetingPhoto.objects.filter(meeting__in=visible_meetings(user).values("pk")), pk=pk
    )


@dataclass
class PlanRow:
    kind: str
    label: str
    per_year: int
    planned: int = 0
    held: int = 0
    missing: list[tuple[dt.date, dt.date]] = field(default_factory=list)


def plan(org: PartyOrg, year: int, today: dt.date) -> list[PlanRow]:
    """The year's plan of `org`: per kind, the frequency from the profile, what is planned and
    held, and the periods (ended or current) without a held meeting."""
    from gongzhi.partylife.models import MeetingKind

    profile = rules.profiles_of([org.place])[org.place_id]
    meetings = list(Meeting.objects.filter(org=org, held_on__year=year))
    rows = []
    for kind in rules.KINDS_OF_ORG.get(org.kind, ()):
        times = rules.per_year(profile, kind) if kind in rules.PLANNED_KINDS[org.kind] else 0
        mine = [m for m in meetings if m.kind == kind]
        row = PlanRow(kind, str(MeetingKind(kind).label), times, len(mine))
        row.held = sum(1 for m in mine if m.held)
        for first, last in rules.periods(year, times):
            if first > today:
                break
            if not any(m.held and first <= m.held_on <= last for m in mine):
                row.missing.append((first, last))
        rows.append(row)
    return rows


@dataclass
class Overdue:
    org: PartyOrg
    kind: str
    label: str
    first: dt.date
    last: dt.date


def overdue(user: Viewer, today: dt.date) -> list[Overdue]:
    """Organisations without a held meeting of a planned kind in the current period (e.g. no
    branch general meeting this quarter). Three queries for any number of organisations."""
    from gongzhi.partylife.models import MeetingKind

    orgs = [
        o
        for o in visible_orgs(user).order_by("place_path", "kind", "name")
        if o.kind in rules.PLANNED_KINDS
    ]
    profiles = rules.profiles_of({o.place for o in orgs})
    held: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    for org_id, kind, day in Meeting.objects.filter(
        org__in=orgs, held_on__year=today.year, minutes_at__isnull=False
    ).values_list("org_id", "kind", "held_on"):
        held[(org_id, kind)].append(day)
    rows = []
    for org in orgs:
        profile = profiles.get(org.place_id)
        for kind in rules.PLANNED_KINDS[org.kind]:
            period = rules.period_of(today, rules.per_year(profile, kind))
            if period is None:
                continue
            first, last = period
            if not any(first <= d <= last for d in held[(org.pk, kind)]):
                rows.append(Overdue(org, kind, str(MeetingKind(kind).label), first, last))
    return rows


# --------------------------------------------------------------------------- reviews


def rounds_of(user: Viewer, org: PartyOrg) -> QuerySet[ReviewRound]:
    return ReviewRound.objects.filter(rules.visible_q(user), org=org).order_by("-year")


def get_round(user: Viewer, pk: int) -> ReviewRound:
    return get_object_or_404(
        ReviewRound.objects.filter(rules.visible_q(user)).select_related("org__place"), pk=pk
    )


def results_of(user: Viewer, round_: ReviewRound) -> QuerySet[ReviewResult]:
    """All results for those who manage the branch (or oversee it as staff); for a member
    only their own."""
    qs = (
        ReviewResult.objects.filter(round=round_)
        .select_related("member__resident", "decided_by")
        .order_by("member__resident__name", "id")
    )
    if sees_all_results(user, round_):
        return qs
    me = rules.member(user)
    return qs.filter(member_id=me.pk if me is not None else 0)


def own_results(user: Viewer) -> QuerySet[ReviewResult]:
    me = rules.member(user)
    return (
        ReviewResult.objects.filter(member_id=me.pk if me is not None else 0)
        .select_related("round__org", "decided_by")
        .order_by("-round__year")
    )


def get_result(user: Viewer, pk: int) -> ReviewResult:
    """A result the user may read: their own, or any of a branch they manage or oversee."""
    result = get_object_or_404(
        ReviewResult.objects.select_related("round__org__place", "member__resident"), pk=pk
    )
    round_ = result.round
    if rules.may_manage(user, round_.org) or _oversees(user, round_):
        return result
    me = rules.member(user)
    if me is not None and me.pk == result.member_id:
        return result
    raise Http404


def _oversees(user: Viewer, round_: ReviewRound) -> bool:
    return ReviewRound.objects.filter(rules.staff_q(user, rules.VIEW), pk=round_.pk).exists()


def sees_all_results(user: Viewer, round_: ReviewRound) -> bool:
    return rules.may_manage(user, round_.org) or _oversees(user, round_)


# --------------------------------------------------------------------------- dues


@dataclass
class DuesRow:
    member: PartyMember
    due: dict[int, int] = field(default_factory=dict)  # month number → fen
    paid: dict[int, int] = field(default_factory=dict)
    arrears: list[int] = field(default_factory=list)  # months due and unpaid, before this month

    @property
    def arrears_fen(self) -> int:
        return sum(self.due[m] for m in self.arrears)


def dues_rows(org: PartyOrg, year: int, today: dt.date) -> list[DuesRow]:
    """Per member of the branch, the year's amounts due and payments by month and the arrears
    (a month ended with an amount due and no payment). Two queries."""
    rows = {m.pk: DuesRow(m) for m in members_of(org)}
    entries = DuesEntry.objects.filter(member_id__in=list(rows), month__year=year).values_list(
        "member_id", "month", "kind", "amount_fen"
    )
    for member_id, month, kind, amount in entries:
        target = rows[member_id].due if kind == DuesKind.DUE else rows[member_id].paid
        target[month.month] = amount
    this_month = today.replace(day=1)
    for row in rows.values():
        row.arrears = sorted(
            m for m in row.due if m not in row.paid and dt.date(year, m, 1) < this_month
        )
    return list(rows.values())


def sees_dues(user: Viewer, org: PartyOrg) -> bool:
    """The branch's dues table: for those who manage the branch or oversee it as staff."""
    return rules.may_manage(user, org) or (
        PartyOrg.objects.filter(rules.staff_q(user, rules.VIEW), pk=org.pk).exists()
    )


def own_dues(user: Viewer) -> QuerySet[DuesEntry]:
    me = rules.member(user)
    return DuesEntry.objects.filter(member_id=me.pk if me is not None else 0).order_by(
        "-month", "kind"
    )


def visible_dues(user: Viewer) -> QuerySet[DuesEntry]:
    return DuesEntry.objects.filter(rules.visible_q(user)).select_related("member__resident")


def my_meetings(user: Viewer) -> QuerySet[Meeting]:
    me = rules.member(user)
    if me is None:
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(org_id__in=rules.chain(me.org))
        .select_related("org")
        .order_by("-held_on", "-id")
    )


# --------------------------------------------------------------------------- transfers


def _transfers_q(user: Viewer) -> Q:
    """Transfers at either end of the staff's area; for a party member's post, those of the
    organisations they are the secretary of and their own (not their branch-mates')."""
    q = rules.staff_q(user, rules.VIEW, "from_path") | rules.staff_q(user, rules.VIEW, "to_path")
    me = rules.member(user)
    if me is not None:
        mine = rules.secretary_ids(me)
        q |= Q(from_org_id__in=mine) | Q(to_org_id__in=mine) | Q(member_id=me.pk)
    return q


def visible_transfers(user: Viewer) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(_transfers_q(user))
        .select_related("member__resident", "from_org", "to_org", "decided_by")
        .order_by("-created_at", "-id")
    )


def get_transfer(user: Viewer, pk: int) -> Transfer:
    return get_object_or_404(visible_transfers(user), pk=pk)


def transfers_of(user: Viewer, org: PartyOrg) -> QuerySet[Transfer]:
    """The transfers out of and into `org` (and the organisations under it)."""
    ids = rules.below([org.pk])
    return visible_transfers(user).filter(Q(from_org_id__in=ids) | Q(to_org_id__in=ids))


def awaiting(user: Viewer, org: PartyOrg) -> QuerySet[Transfer]:
    """Transfers into `org` (or under it) waiting for its acceptance."""
    return transfers_of(user, org).filter(
        state=TransferState.REQUESTED, to_org_id__in=rules.below([org.pk])
    )


def transfer_targets(org: PartyOrg) -> QuerySet[PartyOrg]:
    """Organisations a member of `org` may be transferred to from the page: those holding
    members in the same street (the API takes any organisation on the platform)."""
    from gongzhi.party.services import MEMBER_ORG_KINDS
    from gongzhi.places.models import Place, PlaceKind

    found = (
        Place.objects.filter(path__in=org.place.ancestor_paths(), kind=PlaceKind.STREET)
        .values_list("path", flat=True)
        .first()
    )
    return (
        PartyOrg.objects.filter(
            kind__in=list(MEMBER_ORG_KINDS), place_path__under=found or org.place_path
        )
        .exclude(pk=org.pk)
        .order_by("place_path", "kind", "name")
    )


def candidate(user: Viewer, org: PartyOrg, pk: int) -> Any:
    """A resident (not a member) the user may record as transferred in to `org`, or 404."""
    from gongzhi.party.selectors import residents_for

    return get_object_or_404(residents_for(user).exclude(party_member__is_active=True), pk=pk)


# --------------------------------------------------------------------------- pledges and areas


def visible_pledges(user: Viewer) -> QuerySet[Pledge]:
    """A member sees their own pledges, a branch's secretary the branch's, staff (the
    community committee, the street) those under their place."""
    return (
        Pledge.objects.filter(rules.own_or_managed_q(user))
        .select_related("member__resident", "org", "reviewed_by")
        .order_by("-year", "member__resident__name", "id")
    )


def get_pledge(user: Viewer, pk: int) -> Pledge:
    return get_object_or_404(visible_pledges(user), pk=pk)


def pledges_of(user: Viewer, org: PartyOrg, year: int) -> QuerySet[Pledge]:
    """The year's pledges of `org`'s members (and those under it)."""
    return visible_pledges(user).filter(org_id__in=rules.below([org.pk]), year=year)


def sees_member_records(user: Viewer, org: PartyOrg) -> bool:
    """The branch's lists of pledges and areas: for those who manage it or oversee it as staff."""
    return sees_dues(user, org)


def own_pledges(user: Viewer) -> QuerySet[Pledge]:
    me = rules.member(user)
    return Pledge.objects.filter(member_id=me.pk if me is not None else 0).order_by("-year")


def visible_areas(user: Viewer) -> QuerySet[ResponsibilityArea]:
    return (
        ResponsibilityArea.objects.filter(rules.own_or_managed_q(user))
        .select_related("member__resident", "org")
        .prefetch_related(_units())
        .order_by("-starts_on", "-id")
    )


def _units() -> Prefetch[Any]:
    return Prefetch(
        "units",
        queryset=AreaUnit.objects.select_related("building", "household__building").order_by(
            "place_path", "id"
        ),
    )


def get_area(user: Viewer, pk: int) -> ResponsibilityArea:
    return get_object_or_404(visible_areas(user), pk=pk)


def areas_of(user: Viewer, org: PartyOrg) -> QuerySet[ResponsibilityArea]:
    return visible_areas(user).filter(org_id__in=rules.below([org.pk]))


def own_areas(user: Viewer, today: dt.date) -> QuerySet[ResponsibilityArea]:
    """The member's current responsibility areas (the member's phone page)."""
    me = rules.member(user)
    return (
        ResponsibilityArea.objects.filter(member_id=me.pk if me is not None else 0)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today), starts_on__lte=today)
        .select_related("org")
        .prefetch_related(_units())
        .order_by("starts_on", "id")
    )


def area_buildings(org: PartyOrg) -> QuerySet[Place]:
    """Buildings under the branch's place (names of buildings, nothing personal)."""
    return Place.objects.filter(kind=PlaceKind.BUILDING, path__under=org.place_path).order_by(
        "path"
    )


def area_households(
    org: PartyOrg, building_id: int | None, posted: list[int] | None = None
) -> QuerySet[Household]:
    """The households (addresses only) under the branch's place: of one building for the
    form, or those posted (whose choices the form then checks)."""
    qs = Household.objects.filter(place_path__under=org.place_path).select_related("building")
    if posted is not None:
        return qs.filter(pk__in=posted[:500])
    if building_id is None:
        return Household.objects.none()
    return qs.filter(building_id=building_id)


# --------------------------------------------------------------------------- the yearly letter


def letter_members(org: PartyOrg) -> QuerySet[PartyMember]:
    """In-service members the yearly letter may be written for: those of `org` and the
    organisations under it, and — for a community committee — those with an open check-in to
    its community."""
    q = Q(org_id__in=rules.below([org.pk]))
    if org.kind == OrgKind.COMMUNITY_COMMITTEE:
        q |= Q(checkins__community_id=org.place_id, checkins__ended_on__isnull=True)
    return (
        PartyMember.objects.filter(q, is_active=True, in_service=True)
        .select_related("resident", "org")
        .distinct()
        .order_by("resident__name", "id")
    )


def get_letter_member(pk: int) -> PartyMember:
    """The member of a letter; whether the user may have it is the service's object rule."""
    return get_object_or_404(
        PartyMember.objects.select_related("resident", "org__place"), pk=pk, is_active=True
    )


@dataclass
class Attended:
    held: int = 0
    present: int = 0
    leave: int = 0

    @property
    def absent(self) -> int:
        return max(self.held - self.present - self.leave, 0)


@dataclass
class LetterData:
    letterhead: str
    community: str
    member_name: str
    member_org: str
    workplace: str
    workplace_org: str
    year: int
    attended: Attended
    index: Any  # gongzhi.party.selectors.Index
    pledge: Pledge | None
    issued_on: dt.date
    score: Any = None  # gongzhi.partylife.index.Score of the whole year


def served_community(member: PartyMember) -> Place | None:
    """The community the member serves in: an open check-in's, else their organisation's."""
    return member_community(member)


def letter_data(member: PartyMember, year: int, today: dt.date) -> LetterData:
    """What the yearly letter says about a member: the community committee (letterhead), the
    year's organisational-life attendance (held meetings of the member's organisation and those
    above it, and any other meeting the member's attendance was recorded at), the vanguard
    index with its parts, the pledge with its review. No ID or phone number."""
    community = served_community(member)
    committee = (
        PartyOrg.objects.filter(place=community, kind=OrgKind.COMMUNITY_COMMITTEE)
        .order_by("id")
        .first()
        if community is not None
        else None
    )
    marks = dict(
        Attendance.objects.filter(member=member, meeting__held_on__year=year).values_list(
            "meeting_id", "status"
        )
    )
    held = set(
        Meeting.objects.filter(held_on__year=year, minutes_at__isnull=False)
        .filter(Q(org_id__in=rules.chain(member.org)) | Q(pk__in=list(marks)))
        .values_list("pk", flat=True)
    )
    attended = Attended(
        held=len(held),
        present=sum(1 for m, s in marks.items() if m in held and s == AttendanceStatus.PRESENT),
        leave=sum(1 for m, s in marks.items() if m in held and s == AttendanceStatus.LEAVE),
    )
    checkin = (
        member.checkins.filter(ended_on__isnull=True).order_by("-checked_in_on", "-id").first()
    )
    name = committee.name if committee is not None else (community.name if community else "")
    return LetterData(
        letterhead=name,
        community=community.name if community is not None else "",
        member_name=member.resident.name,
        member_org=member.org.name,
        workplace=member.workplace,
        workplace_org=(checkin.workplace_org if checkin is not None else "")
        or member.workplace_org,
        year=year,
        attended=attended,
        index=index_for(member, year),
        pledge=Pledge.objects.filter(member=member, year=year).first(),
        issued_on=today,
        score=score_for(member, whole_year(year)),
    )


# --------------------------------------------------------------------------- the vanguard index


def visible_items(user: Viewer) -> QuerySet[IndexItem]:
    """Vanguard index items: a member sees their own, a branch's secretary the branch's (and
    those under it), staff those under their place — never a branch-mate's."""
    return (
        IndexItem.objects.filter(rules.own_or_managed_q(user))
        .select_related("member__resident", "org", "reviewed_by")
        .prefetch_related("evidence")
        .order_by("-occurred_on", "-id")
    )


def get_item(user: Viewer, pk: int) -> IndexItem:
    return get_object_or_404(visible_items(user), pk=pk)


def pending_items(user: Viewer, org: PartyOrg) -> QuerySet[IndexItem]:
    """The declarations waiting for `org`'s review (and those of the branches under it)."""
    return visible_items(user).filter(
        org_id__in=rules.below([org.pk]), state=IndexItemState.PENDING
    )


def own_items(user: Viewer) -> QuerySet[IndexItem]:
    me = rules.member(user)
    return (
        IndexItem.objects.filter(member_id=me.pk if me is not None else 0)
        .select_related("reviewed_by")
        .prefetch_related("evidence")
        .order_by("-occurred_on", "-id")
    )


def get_evidence(user: Viewer, pk: int) -> IndexEvidence:
    return get_object_or_404(
        IndexEvidence.objects.filter(item__in=visible_items(user).values("pk")), pk=pk
    )


def index_members(org: PartyOrg) -> QuerySet[PartyMember]:
    """The current members of a branch and the organisations under it, for its score table
    (the caller has checked that the viewer sees the branch's member records)."""
    return (
        PartyMember.objects.filter(org_id__in=rules.below([org.pk]), is_active=True)
        .select_related("resident", "org")
        .order_by("resident__name", "id")
    )
