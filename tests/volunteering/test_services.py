"""Volunteers, teams, activities, QR check-in and hours confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import clock, ledger
from gongzhi.core.models import AuditRecord, LedgerEntry
from gongzhi.volunteering import points, qr, services
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    Signup,
    SignupStatus,
    Team,
    Volunteer,
    VolunteerStatus,
)

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def _code(activity, kind="in", now=None):
    window = qr.current_window(now)
    return window, qr.token(activity, kind, window)


def _scan(user, activity, kind="in"):
    window, token = _code(activity, kind)
    return services.check(activity, kind, window, token, actor=user)


# --------------------------------------------------------------------------- volunteers


def test_a_resident_registers_and_staff_approve_or_suspend(vol, world):
    volunteer = services.register(actor=vol.res1, skills="急救", availability="周末", areas="敬老")
    assert volunteer.status == VolunteerStatus.PENDING
    assert volunteer.community == world.community_a1
    assert volunteer.place_path == vol.res1.resident.place_path
    again = services.register(actor=vol.res1, skills="急救, 驾驶")
    assert again.pk == volunteer.pk and Volunteer.objects.count() == 1
    services.decide(volunteer, "active", actor=vol.cw)
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.ACTIVE and volunteer.decided_by == vol.cw
    with pytest.raises(ValidationError, match="required"):
        services.decide(volunteer, "suspended", "", actor=vol.cw)
    services.decide(volunteer, "suspended", "多次缺席", actor=vol.cw)
    with pytest.raises(ValidationError, match="suspended"):
        services.register(actor=vol.res1, skills="急救")
    assert AuditRecord.objects.filter(action__startswith="volunteering.").count() == 4


def test_registration_needs_skills_and_a_resident_record(vol):
    with pytest.raises(ValidationError):
        services.register(actor=vol.res1, skills="  ")
    with pytest.raises(ValidationError, match="not linked"):
        services.register(actor=vol.no_record, skills="急救")
    with pytest.raises(ValidationError):
        services.register(actor=vol.res1, skills="x" * 201)
    assert Volunteer.objects.count() == 0


def test_only_staff_in_scope_decide(vol):
    volunteer = services.register(actor=vol.res1, skills="急救")
    with pytest.raises(Http404):
        services.decide(volunteer, "active", actor=vol.cw_other)
    with pytest.raises((PermissionDenied, Http404)):
        services.decide(volunteer, "active", actor=vol.res2)
    with pytest.raises(PermissionDenied):
        services.decide(volunteer, "active", actor=vol.gw)  # sees volunteers, may not manage
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.PENDING


def test_teams_by_theme_with_leader_and_members(vol, world):
    a = services.register(actor=vol.res1, skills="急救")
    b = services.register(actor=vol.res2, skills="调解")
    far = services.register(actor=vol.other, skills="唱歌")
    team = services.save_team(
        actor=vol.cw,
        community=world.community_a1,
        name="应急救援队",
        theme="rescue",
        leader=a,
        members=[b.pk],
    )
    assert set(team.members.all()) == {a, b}
    with pytest.raises(ValidationError, match="already"):
        services.save_team(
            actor=vol.cw, community=world.community_a1, name="应急救援队", theme="rescue"
        )
    with pytest.raises(ValidationError):
        services.save_team(
            actor=vol.cw,
            community=world.community_a1,
            name="别的队",
            theme="rescue",
            members=[far.pk],
        )
    with pytest.raises(ValidationError):
        services.save_team(actor=vol.cw, community=world.community_a1, name="x", theme="nope")
    with pytest.raises(Http404):
        services.save_team(
            actor=vol.cw_other, community=world.community_a1, name="y", theme="culture"
        )
    assert Team.objects.count() == 1


def test_a_team_is_edited_only_in_its_own_community(vol, world):
    """The right is checked over the community named in the request: naming one's own
    community does not open another community's team for editing."""
    team = services.save_team(
        actor=vol.cw, community=world.community_a1, name="助老队", theme="elderly"
    )
    with pytest.raises(ValidationError, match="stays in its community"):
        services.save_team(
            actor=vol.cw_other,
            community=world.community_a2,
            name="改名",
            theme="culture",
            team=team,
        )
    team.refresh_from_db()
    assert (team.name, team.community_id) == ("助老队", world.community_a1.pk)


# --------------------------------------------------------------------------- activities


def test_publish_validates_and_refuses_past_times(vol, world, new_activity):
    now = clock.now()
    with pytest.raises(ValidationError) as error:
        new_activity(starts_at=now - 3 * H, ends_at=now - H)
    assert "over" in str(error.value)
    with pytest.raises(ValidationError):
        new_activity(ends_at=now)  # ends before it starts
    with pytest.raises(ValidationError):
        new_activity(capacity=0)
    with pytest.raises(ValidationError):
        new_activity(capacity=10**9)
    with pytest.raises(ValidationError):
        new_activity(title="")
    with pytest.raises(Http404):
        new_activity(organiser=vol.res1)
    with pytest.raises(Http404):
        new_activity(organiser=vol.merchant)
    with pytest.raises(PermissionDenied):
        new_activity(organiser=vol.district)  # sees the community, may not organise
    with pytest.raises(ValidationError):
        new_activity(community=world.grid_a1_1.buildings[0])
    with pytest.raises(Http404):
        new_activity(organiser=vol.cw_other)
    assert Activity.objects.count() == 0
    with pytest.raises(Http404):
        new_activity(organiser=vol.gw)  # the whole community is outside the grid worker's
    assert Activity.objects.count() == 0
    # (A partner unit's contact publishes for the unit: tests/volunteering/test_organisers.py.)
    assert new_activity(organiser=vol.cw).organiser == vol.cw
    grid = new_activity(organiser=vol.gw, community=world.grid_a1_1)
    assert grid.community == world.community_a1 and grid.place_path == world.grid_a1_1.path
    services.sign_up(grid, actor=vol.res3)  # a resident of another grid of the community


def test_sign_up_cancel_and_capacity(vol, new_activity):
    activity = new_activity(capacity=2)
    services.sign_up(activity, actor=vol.res1)
    with pytest.raises(ValidationError, match="already"):
        services.sign_up(activity, actor=vol.res1)
    services.sign_up(activity, actor=vol.res2)
    with pytest.raises(ValidationError, match="full"):
        services.sign_up(activity, actor=vol.res3)
    services.cancel_signup(activity, actor=vol.res2)
    services.sign_up(activity, actor=vol.res3)
    activity.refresh_from_db()
    assert activity.signed_up == 2
    with pytest.raises(Http404):
        services.sign_up(activity, actor=vol.other)  # another community
    with pytest.raises(ValidationError):
        services.sign_up(activity, actor=vol.no_record)


def test_sign_up_closes_at_the_start(vol, new_activity):
    activity = new_activity()
    with clock.travel_to(activity.starts_at + M), pytest.raises(ValidationError, match="closed"):
        services.sign_up(activity, actor=vol.res1)
    assert not Signup.objects.exists()


def test_suspended_volunteer_cannot_sign_up(vol, new_activity):
    volunteer = services.register(actor=vol.res1, skills="急救")
    services.decide(volunteer, "suspended", "缺席", actor=vol.cw)
    with pytest.raises(ValidationError, match="suspended"):
        services.sign_up(new_activity(), actor=vol.res1)


# --------------------------------------------------------------------------- QR codes


def test_qr_current_and_previous_window_accepted(vol, new_activity):
    activity = new_activity()
    now = clock.now()
    window = qr.current_window(now)
    qr.check(activity, "in", window, qr.token(activity, "in", window), now=now)
    qr.check(activity, "in", window - 1, qr.token(activity, "in", window - 1), now=now)


@pytest.mark.parametrize("age", [dt.timedelta(minutes=2), dt.timedelta(days=1)])
def test_qr_old_screenshot_is_refused(vol, new_activity, age):
    activity = new_activity()
    window, token = _code(activity, "in", clock.now() - age)
    with pytest.raises(qr.TokenError, match="expired"):
        qr.check(activity, "in", window, token)


def test_qr_forged_wrong_kind_and_wrong_activity_refused(vol, new_activity):
    a, b = new_activity(), new_activity(title="另一个")
    window, token = _code(a)
    with pytest.raises(qr.TokenError, match="not valid"):
        qr.check(a, "in", window, "0" * 24)
    with pytest.raises(qr.TokenError, match="not valid"):
        qr.check(b, "in", window, token)  # a's code on b
    with pytest.raises(qr.TokenError, match="not valid"):
        qr.check(a, "out", window, token)  # check-in code used to check out
    with pytest.raises(qr.TokenError):
        qr.check(a, "sideways", window, token)
    with pytest.raises(qr.TokenError):
        qr.check(a, "in", "not-a-number", token)
    with pytest.raises(qr.TokenError, match="yet"):
        later = qr.current_window() + 5
        qr.check(a, "in", later, qr.token(a, "in", later))


def test_the_svg_encodes_a_url(vol, new_activity):
    svg = qr.svg("https://example.org" + qr.scan_path(new_activity(), "in"))
    assert svg.startswith("<svg") and "</svg>" in svg


# --------------------------------------------------------------------------- check-in and hours


def _attended(vol, activity, user, minutes_in=0, minutes_out=120):
    with clock.travel_to(activity.starts_at + minutes_in * M):
        _scan(user, activity, "in")
    with clock.travel_to(activity.starts_at + minutes_out * M):
        _scan(user, activity, "out")


def test_check_in_out_and_confirm_credits_once(vol, new_activity):
    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    services.sign_up(activity, actor=vol.res2)
    _attended(vol, activity, vol.res1, 0, 150)  # 150 min, capped at the 120-min duration
    with clock.travel_to(activity.starts_at + 10 * M):
        signup = _scan(vol.res2, activity, "in")
        with pytest.raises(ValidationError, match="already checked in"):
            _scan(vol.res2, activity, "in")
    assert signup.checked_in_at
    with clock.travel_to(activity.ends_at + H):
        result = services.confirm_hours(activity, actor=vol.cw)
    # res1: 2 h × 10 + 5 per activity; res2 never checked out: still waiting.
    assert result == {"confirmed": 1, "points": 25, "no_shows": 0}
    res1 = Signup.objects.get(activity=activity, resident=vol.res1.resident)
    assert (res1.minutes, res1.points, res1.status) == (120, 25, SignupStatus.CONFIRMED)
    assert ledger.balance(points.points_account(vol.res1.resident)) == 25
    assert ledger.balance(points.hours_account(vol.res1.resident)) == 120
    keys = set(LedgerEntry.objects.values_list("idempotency_key", flat=True))
    base = f"activity:{activity.pk}:resident:{vol.res1.resident.pk}"
    assert keys == {f"{base}:points", f"{base}:activity-points", f"{base}:hours"}
    # Replay: confirming again credits nothing more.
    with clock.travel_to(activity.ends_at + 2 * H):
        again = services.confirm_hours(activity, actor=vol.cw)
    assert again["points"] == 0 and LedgerEntry.objects.count() == 3
    # A correction for res2 (forgot to check out), then confirm.
    with clock.travel_to(activity.ends_at + 2 * H):
        res2 = Signup.objects.get(activity=activity, resident=vol.res2.resident)
        with pytest.raises(ValidationError):
            services.correct_minutes(res2, 90, "", actor=vol.cw)
        with pytest.raises(ValidationError):
            services.correct_minutes(res2, 500, "忘记签退", actor=vol.cw)
        with pytest.raises(ValidationError):
            services.correct_minutes(res2, -5, "忘记签退", actor=vol.cw)
        services.correct_minutes(res2, 90, "忘记签退", actor=vol.cw)
        assert services.confirm_hours(activity, actor=vol.cw)["confirmed"] == 1
        with pytest.raises(ValidationError, match="already"):
            services.correct_minutes(res1, 10, "改", actor=vol.cw)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED
    assert ledger.balance(points.hours_account(vol.res2.resident)) == 90
    assert ledger.verify_ledger().ok


def test_replayed_credit_after_a_crash_posts_nothing_twice(vol, new_activity):
    """A confirmation that crashed after the ledger entries (the signup row not saved) is
    retried: the keys return the original entries."""
    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    _attended(vol, activity, vol.res1)
    signup = Signup.objects.select_related("resident").get(activity=activity)
    signup.activity = activity
    services._credit(vol.cw, activity, signup, 120)  # the first attempt's postings
    with clock.travel_to(activity.ends_at + H):
        services.confirm_hours(activity, actor=vol.cw)
    assert LedgerEntry.objects.count() == 3
    assert ledger.balance(points.points_account(vol.res1.resident)) == 25


def test_no_shows_are_marked_after_the_end(vol, new_activity):
    activity = new_activity()
    volunteer = services.register(actor=vol.res2, skills="扫地")
    services.sign_up(activity, actor=vol.res1)
    services.sign_up(activity, actor=vol.res2)
    with clock.travel_to(activity.starts_at):
        assert services.mark_no_shows() == 0
    with clock.travel_to(activity.ends_at + M):
        assert services.mark_no_shows() == 2
        assert services.mark_no_shows() == 0
    assert set(Signup.objects.values_list("status", flat=True)) == {SignupStatus.NO_SHOW}
    volunteer.refresh_from_db()
    assert volunteer.no_shows == 1


def test_check_in_rules(vol, world, new_activity):
    activity = new_activity()
    walk_in = new_activity(title="开放活动", allow_walk_in=True)
    with clock.travel_to(activity.starts_at - 2 * H), pytest.raises(ValidationError, match="opens"):
        _scan(vol.res1, activity)
    with clock.travel_to(activity.starts_at):
        with pytest.raises(ValidationError, match="not signed up"):
            _scan(vol.res1, activity)
        with pytest.raises(ValidationError, match="Check in first"):
            _scan(vol.res1, walk_in, "out")
        signup = _scan(vol.res1, walk_in)
        assert signup.walk_in
        with pytest.raises(Http404):
            _scan(vol.other, walk_in)
    with clock.travel_to(activity.ends_at + 3 * H), pytest.raises(ValidationError, match="over"):
        _scan(vol.res1, walk_in, "out")


def test_confirm_needs_the_organiser_right(vol, new_activity):
    activity = new_activity()
    with pytest.raises(Http404):
        services.confirm_hours(activity, actor=vol.cw_other)
    with pytest.raises((PermissionDenied, Http404)):
        services.confirm_hours(activity, actor=vol.res1)


def test_cancelled_activity(vol, new_activity):
    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    with pytest.raises(ValidationError):
        services.cancel_activity(activity, "", actor=vol.cw)
    services.cancel_activity(activity, "下雨", actor=vol.cw)
    with clock.travel_to(activity.starts_at), pytest.raises(ValidationError, match="cancelled"):
        _scan(vol.res1, activity)
    with pytest.raises(ValidationError):
        services.sign_up(activity, actor=vol.res2)


def test_minutes_count_only_within_the_activity_time(vol, new_activity):
    activity = new_activity()  # 2 hours
    services.sign_up(activity, actor=vol.res1)
    _attended(vol, activity, vol.res1, -30, 60)  # arrived 30 min early, left after 1 h
    signup = Signup.objects.get()
    signup.activity = activity
    assert services.computed_minutes(signup) == 60
