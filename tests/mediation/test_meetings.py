"""Joint meetings on disputes (issue 18 item 4): a deliberation meeting of the kind "dispute"
with the rhythm from the profile (platform default: monthly) and an overdue signal when a period
is missed (a moved clock), its cases on the agenda by number only, its decisions as actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import clock, profiles
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.deliberation import services as deliberation
from gongzhi.deliberation.models import AgendaItem, FollowThrough, MeetingKind
from gongzhi.mediation import meetings, services
from gongzhi.mediation.models import AgendaCase, CaseDecision
from gongzhi.places.models import Place

from .conftest import open_case

pytestmark = pytest.mark.django_db


def _at(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h, 0))


def _meeting(mw, when, cases=()):
    return meetings.schedule(
        mw.committee,
        actor=mw.secretary,
        title="矛盾纠纷联动化解联席会议",
        starts_at=when,
        location="社区会议室",
        cases=list(cases),
    )


def test_the_rhythm_is_monthly_by_default_and_a_missed_month_is_overdue(mw):
    community = mw.world.community_a1
    state = meetings.meeting_state(community)
    assert state.months == 1 and not meetings.from_profile(community)
    assert state.overdue and not state.met  # nothing in May
    _meeting(mw, _at(2026, 6, 1, 9))
    state = meetings.meeting_state(community)
    assert state.met and state.last is not None and state.overdue  # May is still missed
    with clock.travel_to(dt.datetime(2026, 7, 10, 10, 0)):
        state = meetings.meeting_state(community)
        assert not state.overdue and not state.met  # June had one; July none yet
    with clock.travel_to(dt.datetime(2026, 8, 3, 10, 0)):
        assert meetings.meeting_state(community).overdue  # July was missed
    # A meeting of another kind does not count.
    deliberation.create_meeting(
        actor=mw.secretary,
        community=community,
        kind=MeetingKind.JOINT,
        title="三方联席会议",
        starts_at=_at(2026, 7, 5),
    )
    with clock.travel_to(dt.datetime(2026, 8, 3, 10, 0)):
        assert meetings.meeting_state(community).overdue


def test_the_rhythm_comes_from_the_profile(mw, profile_dir):
    (profile_dir / "quarter.yaml").write_text(
        "source: test\ntitle: test\nmediation:\n  dispute_meeting_months: 3\n", encoding="utf-8"
    )
    Place.objects.filter(pk=mw.world.community_a1.pk).update(policy_profile="quarter")
    profiles.clear_cache()
    community = Place.objects.get(pk=mw.world.community_a1.pk)
    _meeting(mw, _at(2026, 5, 20))  # in the second quarter
    state = meetings.meeting_state(community)
    assert state.months == 3 and meetings.from_profile(community)
    assert state.met and state.overdue  # the first quarter had none
    with clock.travel_to(dt.datetime(2026, 8, 1, 10, 0)):
        state = meetings.meeting_state(community)
        assert not state.overdue and not state.met


def test_cases_on_the_agenda_by_number_only_and_decisions_as_actions(mw):
    case = open_case(mw, title="张三与李四漏水纠纷")
    meeting = _meeting(mw, _at(2026, 6, 1, 9), [case])
    assert meeting.kind == MeetingKind.DISPUTE
    (entry,) = AgendaCase.objects.filter(meeting=meeting)
    item = AgendaItem.objects.get(meeting=meeting)
    assert entry.agenda_item == item and case.number in item.title
    assert "张三" not in item.title and "漏水" not in item.title
    with pytest.raises(ValidationError):  # once per meeting
        meetings.put_on_agenda(meeting, [case], actor=mw.secretary)
    decision = meetings.decide(
        entry,
        actor=mw.secretary,
        text="由物业三日内查明漏点，社区组织双方再次调解",
        owner=mw.worker,
        due=dt.date(2026, 6, 10),
        action_title="查明漏点并再次调解",
    )
    action = FollowThrough.objects.get(resolution=decision.resolution)
    assert (action.owner, action.due, action.title) == (
        mw.worker,
        dt.date(2026, 6, 10),
        "查明漏点并再次调解",
    )
    assert Notification.objects.filter(user=mw.worker, verb="action_assigned").exists()
    assert AuditRecord.objects.filter(action="mediation.meeting_decision").exists()
    assert AuditRecord.objects.filter(action="mediation.meeting_agenda").exists()
    assert list(CaseDecision.objects.filter(entry__case=case)) == [decision]


def test_agenda_and_decision_refusals(mw):
    case = open_case(mw)
    later = _meeting(mw, _at(2026, 6, 20))
    (entry,) = meetings.put_on_agenda(later, [case], actor=mw.secretary)
    with pytest.raises(ValidationError):  # the meeting has not begun
        meetings.decide(entry, actor=mw.secretary, text="x", owner=mw.worker, due=clock.today())
    with pytest.raises(Http404):  # a party member of the community may not read the case
        meetings.put_on_agenda(later, [open_case(mw)], actor=mw.outsider_member)
    with pytest.raises(Http404):
        meetings.decide(entry, actor=mw.grid_worker, text="x", owner=mw.worker, due=None)
    other_kind = deliberation.create_meeting(
        actor=mw.secretary,
        community=mw.world.community_a1,
        kind=MeetingKind.JOINT,
        title="三方联席会议",
        starts_at=_at(2026, 6, 20),
    )
    with pytest.raises(ValidationError):
        meetings.put_on_agenda(other_kind, [case], actor=mw.secretary)
    with pytest.raises(ValidationError):  # a street committee holds no such meeting
        meetings.schedule(
            mw.street_committee, actor=mw.street, title="x", starts_at=_at(2026, 6, 20)
        )
    # A case of the street's committee that concerns no household of the community.
    street_case = services.open_case(
        mw.street_committee,
        actor=mw.street,
        source="walk_in",
        title="街道案件",
        summary="别处的纠纷",
        dispute_type="labour",
    )
    with pytest.raises(ValidationError):
        meetings.put_on_agenda(later, [street_case], actor=mw.street)
    assert AgendaCase.objects.count() == 1


def test_the_meetings_page_schedules_adds_and_decides(mw, login):
    case = open_case(mw)
    page = login(mw.secretary)
    url = reverse("mediation:meetings")
    body = page.get(url).content.decode()
    assert 'data-testid="meeting-overdue"' in body and "定期召开例会" in body
    page.post(
        url,
        {
            "committee": mw.committee.pk,
            "title": "六月矛盾纠纷联席会议",
            "starts_at": "2026-06-01T09:00",
            "location": "会议室",
            "cases": [case.pk],
        },
    )
    entry = AgendaCase.objects.get(case=case)
    body = page.get(url).content.decode()
    assert "六月矛盾纠纷联席会议" in body and case.number in body
    page.post(
        reverse("mediation:meeting_decision", args=[entry.pk]),
        {
            "text": "再次调解",
            "action_title": "约双方面谈",
            "owner": mw.worker.pk,
            "due": "2026-06-08",
        },
    )
    assert CaseDecision.objects.filter(entry=entry).count() == 1
    case_page = page.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert "约双方面谈" in case_page
    for user in (mw.grid_worker, mw.outsider_member, mw.resident_user):
        assert login(user).get(url).status_code == 403
        assert (
            login(user)
            .post(reverse("mediation:meeting_decision", args=[entry.pk]), {"text": "x"})
            .status_code
            == 403
        )
