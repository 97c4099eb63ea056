"""Issue 12.5: deliberation below the estate — recurring meetings (003 annex 7: 16号议事日),
the meeting kinds of 001 §2 and 003, and the residents' convention as a published notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.deliberation import services, tasks
from gongzhi.deliberation.models import Meeting, MeetingKind, MeetingSeries, NoticeCategory

pytestmark = pytest.mark.django_db


def _at(*args):
    return timezone.make_aware(dt.datetime(*args))


def _series(d, **overrides):
    values = dict(
        community=d.community,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="16号议事日",
        frequency="monthly",
        day=16,
        time=dt.time(19, 30),
        location="党群服务中心",
        lead_days=14,
    )
    values.update(overrides)
    return services.create_series(actor=d.secretary, **values)


def test_the_16th_of_every_month_is_created_ahead_and_only_once(d):
    with clock.travel_to(_at(2026, 5, 1, 9, 0)):
        series = _series(d)  # 16 May is 15 days ahead: not yet
        assert not Meeting.objects.filter(series=series).exists()
    with clock.travel_to(_at(2026, 5, 2, 6, 15)):
        assert services.create_series_meetings() == 1
        assert services.create_series_meetings() == 0  # idempotent
        assert tasks.create_series_meetings_task.call_local() == 0
    meeting = Meeting.objects.get(series=series)
    assert timezone.localtime(meeting.starts_at) == _at(2026, 5, 16, 19, 30)
    assert meeting.kind == MeetingKind.RESIDENTS_COUNCIL and meeting.location == "党群服务中心"
    assert meeting.community == d.community and meeting.status == "planned"
    with clock.travel_to(_at(2026, 6, 2, 6, 15)):
        services.create_series_meetings()
    starts = [timezone.localtime(m.starts_at).date() for m in Meeting.objects.filter(series=series)]
    assert sorted(starts) == [dt.date(2026, 5, 16), dt.date(2026, 6, 16)]
    assert AuditRecord.objects.filter(action="deliberation.series_meeting").count() == 2


def test_every_quarter_on_the_first_month(d):
    series = MeetingSeries(frequency="quarterly", day=10, time=dt.time(9, 0))
    days = [
        w.date() for w in services.occurrences(series, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    ]
    assert days == [dt.date(2026, m, 10) for m in (1, 4, 7, 10)]


def test_stopped_series_creates_nothing_more(d):
    with clock.travel_to(_at(2026, 5, 10, 9, 0)):
        series = _series(d)
        assert Meeting.objects.filter(series=series).count() == 1
        services.stop_series(series, "改为线上议事", actor=d.secretary)
        with pytest.raises(ValidationError):
            services.stop_series(series, "again", actor=d.secretary)
    with clock.travel_to(_at(2026, 6, 10, 9, 0)):
        assert services.create_series_meetings() == 0
    assert Meeting.objects.filter(series=series).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", 31),
        ("day", 0),
        ("lead_days", 0),
        ("lead_days", 400),
        ("frequency", "weekly"),
        ("kind", "party"),
        ("title", " "),
        ("time", None),
    ],
)
def test_bad_series_input_is_refused_and_writes_nothing(d, field, value):
    with pytest.raises(ValidationError) as error:
        _series(d, **{field: value})
    assert field in error.value.message_dict
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()


def test_series_wrong_roles(d):
    with pytest.raises(PermissionDenied):
        services.create_series(
            actor=d.resident,
            community=d.community,
            kind="residents_council",
            title="x",
            frequency="monthly",
            day=16,
            time=dt.time(19, 0),
        )
    with pytest.raises(Http404):
        services.create_series(
            actor=d.worker_other,
            community=d.community,
            kind="residents_council",
            title="x",
            frequency="monthly",
            day=16,
            time=dt.time(19, 0),
        )
    series = _series(d)
    with pytest.raises(PermissionDenied):
        services.stop_series(series, "x", actor=d.resident)
    with pytest.raises(Http404):
        services.stop_series(series, "x", actor=d.worker_other)


@pytest.mark.parametrize(
    "kind",
    ["residents_group", "residents_congress", "supervision", "dispute", "evening_talk"],
)
def test_new_meeting_kinds(d, kind):
    meeting = services.create_meeting(
        actor=d.secretary,
        community=d.community,
        kind=kind,
        title="会议",
        starts_at=_at(2026, 5, 20, 19),
    )
    assert meeting.get_kind_display()


def test_residents_convention_is_published_and_public(d, client):
    notice = services.publish_notice(
        actor=d.secretary,
        community=d.community,
        category=NoticeCategory.CONVENTION,
        title="春园社区居民公约（2026年修订）",
        body="经2026年5月居民代表大会决议通过。一、爱护公共环境……",
    )
    url = reverse("deliberation:public_notices", args=[d.community.pk])
    body = client.get(url + "?category=convention").content.decode()
    assert notice.title in body


# --------------------------------------------------------------------------- pages and API


def test_series_page_create_stop_and_queries(d, login, django_assert_max_num_queries):
    staff = login(d.secretary)
    url = reverse("deliberation:series")
    with clock.travel_to(_at(2026, 5, 10, 9, 0)):
        response = staff.post(
            url,
            {
                "community": d.community.pk,
                "kind": "residents_council",
                "title": "16号议事日",
                "frequency": "monthly",
                "day": "16",
                "time": "19:30",
                "location": "",
                "lead_days": "14",
            },
        )
        assert response.status_code == 302
        bad = staff.post(url, {"community": d.community.pk, "kind": "x", "title": ""})
        assert bad.status_code == 200
        for n in range(13):
            _series(d, title=f"议事日{n}", day=n + 1)
        with django_assert_max_num_queries(20):
            page = staff.get(url)
        assert page.status_code == 200 and "16号议事日" in page.content.decode()
    series = MeetingSeries.objects.get(title="16号议事日")
    assert Meeting.objects.filter(series=series).count() == 1
    staff.post(reverse("deliberation:series_stop", args=[series.pk]), {"reason": "暂停"})
    series.refresh_from_db()
    assert not series.active


def test_series_page_wrong_roles(d, login):
    series = _series(d)
    resident = login(d.resident)
    assert resident.get(reverse("deliberation:series")).status_code == 403
    assert (
        resident.post(
            reverse("deliberation:series_stop", args=[series.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    other = login(d.worker_other)
    assert (
        other.post(
            reverse("deliberation:series_stop", args=[series.pk]), {"reason": "x"}
        ).status_code
        == 404
    )


def test_series_api(d, login):
    staff = login(d.secretary)
    payload = {
        "community": d.community.pk,
        "kind": "residents_group",
        "title": "楼栋居民小组会",
        "frequency": "quarterly",
        "day": 5,
        "time": "19:00",
    }
    created = staff.post("/api/v1/meetings/series/", payload, content_type="application/json")
    assert created.status_code == 201 and created.json()["frequency"] == "quarterly"
    bad = staff.post(
        "/api/v1/meetings/series/", {**payload, "day": 30}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["detail"]
    listed = staff.get("/api/v1/meetings/series/")
    assert listed.status_code == 200 and len(listed.json()) == 1
    pk = created.json()["id"]
    resident = login(d.resident)
    assert resident.get("/api/v1/meetings/series/").status_code == 403
    stop_url = f"/api/v1/meetings/series/{pk}/stop/"
    assert resident.post(stop_url, {"reason": "x"}).status_code == 403
    assert login(d.worker_other).post(stop_url, {"reason": "x"}).status_code == 404
    stopped = login(d.secretary).post(stop_url, {"reason": "暂停"})
    assert stopped.status_code == 200 and stopped.json()["active"] is False
