"""Workers' records and the two committees: writes, refusals, audit, turnover."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import clock, profiles
from gongzhi.core.models import AuditRecord, Post
from gongzhi.core.roles import Role
from gongzhi.places.models import PostTerms
from gongzhi.workforce import selectors, services
from gongzhi.workforce.models import (
    CommitteeKind,
    CommitteeSeat,
    ElectionMethod,
    SeatRole,
    Worker,
    WorkerKind,
)
from tests.conftest import make_user
from tests.workforce.conftest import add, seat, term

pytestmark = pytest.mark.django_db
D = dt.date


def test_add_worker_records_and_audits_without_the_pay(wf):
    w = add(wf, wf.people[0], education="bachelor", monthly_pay_yuan="3200.50", is_reserve=True)
    assert w.monthly_pay_fen == 320050 and w.monthly_pay_yuan == "3200.50"
    assert w.place_path == wf.community.path and w.is_graduate
    record = AuditRecord.objects.get(action="workforce.worker_add")
    assert "3200" not in str(record.changes)
    assert record.changes["monthly_pay"] == [None, "recorded"]


def test_one_active_record_per_person(wf):
    add(wf, wf.people[0])
    with pytest.raises(ValidationError, match="already has an active"):
        add(wf, wf.people[0], kind=WorkerKind.GRID_WORKER)
    assert Worker.objects.count() == 1


def test_after_leaving_a_new_record_may_start(wf):
    w = add(wf, wf.people[0])
    services.end_worker(w, actor=wf.secretary, left_on=D(2026, 5, 1), reason="调任")
    again = add(wf, wf.people[0], started_on=D(2026, 5, 20))
    assert again.pk != w.pk


@pytest.mark.parametrize("pay", ["abc", "-1", "100000.01", "1.234", "NaN"])
def test_bad_pay_is_refused_and_nothing_written(wf, pay):
    with pytest.raises(ValidationError):
        add(wf, wf.people[0], monthly_pay_yuan=pay)
    assert not Worker.objects.exists()


def test_future_start_refused(wf):
    with pytest.raises(ValidationError, match="future"):
        add(wf, wf.people[0], started_on=D(2026, 6, 2))


def test_post_must_be_the_persons_own_login_in_the_community(wf):
    person = wf.people[0]
    person.user = wf.worker
    person.save()
    own = Post.objects.get(user=wf.worker)
    w = add(wf, person, post=own)
    assert w.post == own
    with pytest.raises(ValidationError, match="someone else"):
        add(wf, wf.people[1], post=Post.objects.get(user=wf.grid))


def test_grid_worker_and_other_community_refused(wf):
    with pytest.raises(PermissionDenied):
        services.add_worker(
            wf.community,
            actor=wf.grid,
            resident=wf.people[0],
            kind=WorkerKind.COMMUNITY_WORKER,
            started_on=D(2020, 1, 1),
        )
    with pytest.raises(Http404):
        services.add_worker(
            wf.community,
            actor=wf.worker_a2,
            resident=wf.people[0],
            kind=WorkerKind.COMMUNITY_WORKER,
            started_on=D(2020, 1, 1),
        )
    assert not Worker.objects.exists()


def test_update_changes_fields_and_hides_pay_amounts_in_audit(wf):
    w = add(wf, wf.people[0], monthly_pay_yuan="3000")
    services.update_worker(w, actor=wf.secretary, monthly_pay_yuan="3500", education="college")
    w.refresh_from_db()
    assert w.monthly_pay_fen == 350000 and w.education == "college"
    record = AuditRecord.objects.get(action="workforce.worker_change")
    assert "3500" not in str(record.changes) and "3000" not in str(record.changes)
    with pytest.raises(ValidationError, match="Unknown"):
        services.update_worker(w, actor=wf.secretary, community=wf.world.community_a2)


def test_leaving_ends_the_seats(wf):
    w = add(wf, wf.people[0])
    t = term(wf)
    s = seat(wf, t, w, SeatRole.SECRETARY)
    services.end_worker(w, actor=wf.secretary, left_on=D(2026, 5, 1), reason="退休")
    s.refresh_from_db()
    assert s.left_on == D(2026, 5, 1)
    with pytest.raises(ValidationError, match="already left"):
        services.end_worker(w, actor=wf.secretary, left_on=D(2026, 5, 1), reason="x")


def test_leaving_needs_a_reason_and_a_date_in_range(wf):
    w = add(wf, wf.people[0])
    with pytest.raises(ValidationError):
        services.end_worker(w, actor=wf.secretary, left_on=D(2026, 5, 1), reason=" ")
    with pytest.raises(ValidationError):
        services.end_worker(w, actor=wf.secretary, left_on=D(2019, 1, 1), reason="x")
    w.refresh_from_db()
    assert w.is_active


# --------------------------------------------------------------------------- committees


def test_term_succession_closes_the_old_term_and_its_seats(wf):
    w = add(wf, wf.people[0])
    first = term(wf, elected=D(2021, 1, 1))
    s = seat(wf, first, w, SeatRole.SECRETARY)
    second = term(wf, number=2, elected=D(2026, 1, 1))
    first.refresh_from_db()
    s.refresh_from_db()
    assert first.succeeded_on == D(2026, 1, 1) and s.left_on == D(2026, 1, 1)
    assert second.is_current
    with pytest.raises(ValidationError, match="succeeded"):
        seat(wf, first, w)


def test_term_numbers_follow_and_residents_committee_is_elected_directly(wf):
    term(wf, elected=D(2021, 1, 1))
    with pytest.raises(ValidationError, match="follow"):
        term(wf, number=1, elected=D(2026, 1, 1))
    with pytest.raises(ValidationError, match="directly"):
        services.add_term(
            wf.community,
            CommitteeKind.RESIDENTS,
            actor=wf.secretary,
            number=1,
            elected_on=D(2024, 1, 1),
            ends_on=D(2029, 1, 1),
            method=ElectionMethod.TWO_RECOMMEND,
            seats=5,
        )
    with pytest.raises(ValidationError, match="after the election"):
        services.add_term(
            wf.community,
            CommitteeKind.PARTY,
            actor=wf.secretary,
            number=2,
            elected_on=D(2024, 1, 1),
            ends_on=D(2024, 1, 1),
            method=ElectionMethod.TWO_RECOMMEND,
            seats=5,
        )


def test_seat_rules(wf):
    a, b, c = (add(wf, p) for p in wf.people[:3])
    t = term(wf, seats=2)
    seat(wf, t, a, SeatRole.SECRETARY)
    with pytest.raises(ValidationError, match="chair"):
        seat(wf, t, b, SeatRole.SECRETARY)
    with pytest.raises(ValidationError, match="does not exist"):
        seat(wf, t, b, SeatRole.DIRECTOR)
    with pytest.raises(ValidationError, match="already sits"):
        seat(wf, t, a, SeatRole.MEMBER)
    seat(wf, t, b, SeatRole.DEPUTY_SECRETARY)
    with pytest.raises(ValidationError, match="Every seat"):
        seat(wf, t, c, SeatRole.MEMBER)
    assert CommitteeSeat.objects.count() == 2


def test_seat_for_a_worker_of_another_community_refused(wf):
    t = term(wf)
    other = services.add_worker(
        wf.world.community_a2,
        actor=wf.street,
        resident=wf.other,
        kind=WorkerKind.COMMUNITY_WORKER,
        started_on=D(2020, 1, 1),
    )
    with pytest.raises(ValidationError, match="active worker of this community"):
        seat(wf, t, other)


def test_grid_worker_cannot_keep_committees(wf):
    with pytest.raises(PermissionDenied):
        services.add_term(
            wf.community,
            CommitteeKind.PARTY,
            actor=wf.grid,
            number=1,
            elected_on=D(2024, 1, 1),
            ends_on=D(2029, 1, 1),
            method=ElectionMethod.TWO_RECOMMEND,
            seats=5,
        )


def test_turnover_reminder_with_a_moved_clock(wf):
    t = term(wf, elected=D(2021, 9, 1))  # due 2026-09-01; default reminder: 3 months
    clock.set_now(dt.datetime(2026, 5, 31, 23, 0))
    assert selectors.turnover_state(t, 3, clock.today()) == ""
    clock.set_now(dt.datetime(2026, 6, 1, 9, 0))
    assert selectors.turnover_state(t, 3, clock.today()) == "soon"
    assert [state for _t, state in selectors.turnover_due(wf.secretary)] == ["soon"]
    clock.set_now(dt.datetime(2026, 9, 1, 9, 0))
    assert selectors.turnover_state(t, 3, clock.today()) == "soon"
    clock.set_now(dt.datetime(2026, 9, 2, 9, 0))
    assert selectors.turnover_state(t, 3, clock.today()) == "overdue"
    term(wf, number=2, elected=D(2026, 9, 2))
    assert selectors.turnover_due(wf.secretary) == []


def test_turnover_reminder_months_from_the_profile(wf, profile_dir):
    assert selectors.reminder_months(wf.community) == 3  # platform default
    (profile_dir / "six.yaml").write_text(
        "source: test\ntitle: t\ncommittees:\n  turnover_reminder_months: 6  # local rule\n"
    )
    wf.community.policy_profile = "six"
    wf.community.save()
    profiles.clear_cache()
    assert selectors.reminder_months(wf.community) == 6
    t = term(wf, elected=D(2021, 11, 1))  # due 2026-11-01: six months ahead is 2026-05-01
    assert [state for _t, state in selectors.turnover_due(wf.secretary)] == ["soon"]
    assert selectors.turnover_state(t, 3, clock.today()) == ""


def test_part_time_post_shows_in_the_record(wf):
    person = wf.people[0]
    grid_user = make_user(Role.GRID_WORKER, wf.world.grid_a1_2)
    person.user = grid_user
    person.save()
    post = Post.objects.get(user=grid_user)
    PostTerms.objects.create(post=post, full_time=False)
    w = add(wf, person, kind=WorkerKind.GRID_WORKER, post=post)
    row = selectors.get_worker(wf.secretary, w.pk)
    assert row.post is not None and row.post.terms.full_time is False
