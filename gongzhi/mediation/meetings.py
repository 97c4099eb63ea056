"""Joint meetings on disputes (矛盾纠纷联动化解联席会议, issue 18 item 4; seed 003 §三(三)2:
建立健全矛盾纠纷联动化解联席会议制度，定期召开例会，及时协商解决矛盾纠纷).

The meeting itself is a deliberation meeting of the kind "dispute" (deliberation.MeetingKind.
DISPUTE): invitations, check-in, minutes, resolutions and their follow-throughs are
deliberation's (`deliberation.services`), not a copy. Mediation adds
- its cases on the agenda (`AgendaCase`: the agenda item names the case by its number and
  dispute type only — attendees are not all allowed its content);
- its decisions as actions (`CaseDecision`: a deliberation resolution with its follow-through,
  owner and deadline, tied to the case);
- the rhythm: `mediation.dispute_meeting_months` (a profile key; platform default 1: the seed
  says only 定期召开例会) and the state of each community in the current period, computed like
  deliberation's joint meetings (`deliberation.joint.JointMeetingState`): met, due in the
  period's last month, overdue when the previous period had none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, profiles
from gongzhi.core.models import User
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import Meeting, MeetingKind, MeetingStatus
from gongzhi.mediation import services
from gongzhi.mediation.early_warning import setting
from gongzhi.mediation.models import AgendaCase, Case, CaseDecision, Committee, Level
from gongzhi.places.models import Place

KEY = "mediation.dispute_meeting_months"
KIND = MeetingKind.DISPUTE


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, 1)


def meeting_states(
    communities: Iterable[Place], today: dt.date | None = None
) -> list[deliberation.JointMeetingState]:
    """Each community's state with the joint meeting on disputes in the current calendar
    period of `mediation.dispute_meeting_months` months. Two queries plus one per profile."""
    communities = list(communities)
    today = today or clock.today()
    setters = profiles.profile_setters(communities)
    loaded: dict[str, profiles.Profile] = {}
    months: dict[int, int] = {}
    found: dict[int, profiles.Profile | None] = {}
    default = int(profiles.SCHEMA[KEY].default or 1)
    for c in communities:
        setter = setters.get(c.pk)
        profile = None
        if setter is not None:
            if setter.policy_profile not in loaded:
                loaded[setter.policy_profile] = profiles.current(setter.policy_profile)
            profile = loaded[setter.policy_profile]
        value = profile.get(KEY) if profile is not None else None
        months[c.pk] = int(value) if value is not None else default
        found[c.pk] = profile
    windows = {}
    for c in communities:
        start = deliberation.period_start(today, months[c.pk])
        windows[c.pk] = (
            _add_months(start, -months[c.pk]),
            start,
            _add_months(start, months[c.pk]),
        )
    held: dict[int, list[Meeting]] = {}
    if windows:
        earliest = min(w[0] for w in windows.values())
        since = dt.datetime(
            earliest.year, earliest.month, 1, tzinfo=timezone.get_current_timezone()
        )
        for meeting in (
            Meeting.objects.filter(community_id__in=windows, kind=KIND, starts_at__gte=since)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("starts_at", "id")
        ):
            held.setdefault(meeting.community_id, []).append(meeting)
    states = []
    now = clock.now()
    for c in communities:
        prev, start, end = windows[c.pk]
        meetings = held.get(c.pk, [])
        days = [timezone.localdate(m.starts_at) for m in meetings]
        past = [m for m in meetings if m.starts_at <= now]
        states.append(
            deliberation.JointMeetingState(
                c,
                months[c.pk],
                start=start,
                end=end,
                previous_start=prev,
                last=past[-1] if past else None,
                met=any(start <= day < end for day in days),
                missed_previous=not any(prev <= day < start for day in days),
                profile=found[c.pk],
            )
        )
    return states


def meeting_state(community: Place, today: dt.date | None = None) -> deliberation.JointMeetingState:
    return meeting_states([community], today)[0]


def from_profile(community: Place) -> bool:
    """Whether the rhythm comes from the community's profile (False: the platform default)."""
    return setting(community, KEY).from_profile


def agenda_label(case: Case) -> str:
    """The agenda item: the case's number and dispute type, never a name or the summary."""
    return _("Mediation case %(number)s (%(type)s)") % {
        "number": case.number,
        "type": case.get_dispute_type_display(),
    }


def _community_committee(committee: Committee) -> Place:
    if committee.level != Level.COMMUNITY:
        raise ValidationError(
            _("Joint meetings on disputes are held by a community's mediation committee.")
        )
    return committee.place


def _check_case(actor: User, meeting: Meeting, case: Case) -> None:
    if not services.may_handle(actor, case):
        raise Http404
    concerns = case.place_path.startswith(meeting.place_path) or (
        bool(case.household_path) and case.household_path.startswith(meeting.place_path)
    )
    if not concerns:
        raise ValidationError(
            {"cases": _("Case %(number)s is not of this community.") % {"number": case.number}}
        )


def schedule(
    committee: Committee,
    *,
    actor: User,
    title: str,
    starts_at: dt.datetime,
    location: str = "",
    cases: Sequence[Case] = (),
) -> Meeting:
    """A joint meeting on disputes of the committee's community, with cases on its agenda."""
    community = _community_committee(committee)
    with transaction.atomic():
        meeting = deliberation.create_meeting(
            actor=actor,
            community=community,
            kind=KIND,
            title=title,
            starts_at=starts_at,
            location=location,
        )
        if cases:
            put_on_agenda(meeting, cases, actor=actor)
    return meeting


def put_on_agenda(meeting: Meeting, cases: Sequence[Case], *, actor: User) -> list[AgendaCase]:
    """Cases on the agenda of a planned joint meeting on disputes; each once."""
    if meeting.kind != KIND:
        raise ValidationError(_("Only a joint meeting on disputes takes mediation cases."))
    if not cases:
        raise ValidationError({"cases": _("Choose at least one case.")})
    made = []
    with transaction.atomic():
        post = access.require(
            actor,
            services.MANAGE,
            meeting.place_path,
            read_action=services.VIEW,
        ).post
        already = set(AgendaCase.objects.filter(meeting=meeting).values_list("case_id", flat=True))
        for case in cases:
            _check_case(actor, meeting, case)
            if case.pk in already:
                raise ValidationError(
                    {
                        "cases": _("Case %(number)s is already on the agenda.")
                        % {"number": case.number}
                    }
                )
            deliberation.add_agenda_items(meeting, actor=actor, free_items=[agenda_label(case)])
            item = meeting.agenda.order_by("-order", "-id").first()
            assert item is not None
            made.append(
                AgendaCase.objects.create(
                    meeting=meeting,
                    case=case,
                    agenda_item=item,
                    place_path=meeting.place_path,
                    added_by=actor,
                )
            )
            already.add(case.pk)
        audit.record(
            actor=actor,
            action="mediation.meeting_agenda",
            target=meeting,
            place_path=meeting.place_path,
            post=post,
            changes={"cases": [c.number for c in cases]},
        )
    return made


def decide(
    entry: AgendaCase,
    *,
    actor: User,
    text: str,
    owner: User | None,
    due: dt.date | None,
    action_title: str = "",
) -> CaseDecision:
    """A decision of the meeting on a case: a deliberation resolution whose follow-through
    (owner, deadline) is the action; the owner is notified by deliberation."""
    meeting = entry.meeting
    if not services.may_handle(actor, entry.case):
        raise Http404
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    if meeting.starts_at > clock.now():
        raise ValidationError(_("Decisions are recorded once the meeting has begun."))
    with transaction.atomic():
        resolution = deliberation.add_resolution(
            meeting,
            actor=actor,
            text=text,
            owner=owner,
            due=due,
            follow_through_title=action_title,
        )
        decision = CaseDecision.objects.create(entry=entry, resolution=resolution)
        audit.record(
            actor=actor,
            action="mediation.meeting_decision",
            target=entry.case,
            place_path=entry.case.place_path,
            changes={"meeting": meeting.pk, "resolution": resolution.pk},
        )
    return decision
