"""The workforce compliance rows against the profile, at their boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.places.compliance import Status
from gongzhi.workforce import checks
from gongzhi.workforce.models import CommitteeKind, SeatRole
from tests.conftest import make_user
from tests.workforce.conftest import add, resident, seat, term

pytestmark = pytest.mark.django_db
D = dt.date


def _rows(community, key):
    return [c for c in checks.community_report(community).checks if c.key == key]


def _row(community, key):
    (row,) = _rows(community, key)
    return row


def _committee(wf, kind, n, start=0):
    t = term(wf, kind, seats=10)
    workers = [add(wf, p) for p in wf.people[start : start + n]]
    for i, w in enumerate(workers):
        chair = SeatRole.SECRETARY if kind == CommitteeKind.PARTY else SeatRole.DIRECTOR
        seat(wf, t, w, chair if i == 0 else SeatRole.MEMBER)
    return workers


def test_nothing_recorded(wf):
    report = checks.community_report(wf.community)
    each = _rows(wf.community, checks.EACH_MIN)
    assert [c.status for c in each] == [Status.NOT_RECORDED, Status.NOT_RECORDED]
    assert _row(wf.community, checks.GRADUATES).status == Status.NOT_RECORDED
    assert report.state == "incomplete" or report.short_checks


@pytest.mark.parametrize(
    ("n", "least", "most"),
    [
        (2, Status.SHORT, Status.OK),
        (3, Status.OK, Status.OK),
        (5, Status.OK, Status.OK),
        (6, Status.OK, Status.OVER),
    ],
)
def test_each_committee_three_to_five(wf, n, least, most):
    _committee(wf, CommitteeKind.PARTY, n)
    party_least, _residents_least = _rows(wf.community, checks.EACH_MIN)
    party_most, _residents_most = _rows(wf.community, checks.EACH_MAX)
    assert (party_least.actual, party_least.status) == (n, least)
    assert party_most.status == most
    assert party_least.citation.startswith("001 §5")
    assert _residents_least.status == Status.NOT_RECORDED  # no term of the other committee


@pytest.mark.parametrize(
    ("party", "residents", "least", "most"),
    [
        (3, 1, Status.SHORT, Status.OK),
        (3, 2, Status.OK, Status.OK),
        (4, 3, Status.OK, Status.OK),
        (5, 3, Status.OK, Status.OVER),
    ],
)
def test_two_committees_five_to_seven_in_all(wf, party, residents, least, most):
    _committee(wf, CommitteeKind.PARTY, party)
    _committee(wf, CommitteeKind.RESIDENTS, residents, start=party)
    assert (_row(wf.community, checks.TOTAL_MIN).status) == least
    assert (_row(wf.community, checks.TOTAL_MAX).status) == most


def test_cross_appointed_member_counts_once_and_one_person_both_chairs(wf):
    workers = _committee(wf, CommitteeKind.PARTY, 3)
    t = term(wf, CommitteeKind.RESIDENTS, seats=5)
    seat(wf, t, workers[0], SeatRole.DIRECTOR)  # 一肩挑
    seat(wf, t, workers[1], SeatRole.MEMBER)  # 交叉任职
    report = checks.community_report(wf.community)
    assert report.one_person_both_chairs and report.cross_appointed == 2
    total = _row(wf.community, checks.TOTAL_MIN)
    assert total.actual == 3 and total.status == Status.SHORT


def test_graduates_at_least_one(wf):
    add(wf, wf.people[0], education="secondary")
    assert _row(wf.community, checks.GRADUATES).status == Status.SHORT
    add(wf, wf.people[1], education="college")
    row = _row(wf.community, checks.GRADUATES)
    assert (row.actual, row.status) == (1, Status.OK)


def test_reserve_age_boundary_35_counts_36_does_not(wf):
    home = wf.people[0].household
    turns_35 = resident(home, born=D(1991, 6, 1))  # 35 on 2026-06-01
    add(wf, turns_35, education="college", is_reserve=True)
    assert _row(wf.community, checks.RESERVE_MIN).status == Status.OK
    clock.set_now(dt.datetime(2027, 6, 1, 9, 0))  # now 36
    row = _row(wf.community, checks.RESERVE_MIN)
    assert row.actual == 0
    assert row.status == Status.OVERDUE and row.due == D(2016, 12, 31)


def test_reserve_needs_college(wf):
    add(wf, wf.people[0], education="secondary", is_reserve=True)
    assert _row(wf.community, checks.RESERVE_MIN).actual == 0


def test_reserves_one_to_two(wf):
    for p in wf.people[:3]:
        add(wf, p, education="bachelor", is_reserve=True)
    assert _row(wf.community, checks.RESERVE_MAX).status == Status.OVER
    assert _row(wf.community, checks.RESERVE_MIN).status == Status.OK


def test_staffing_rows_come_from_places_and_skip_part_time(wf):
    from gongzhi.core.models import Post
    from gongzhi.places.models import PostTerms

    for _i in range(7):
        make_user(Role.COMMUNITY_WORKER, wf.community)
    part = make_user(Role.GRID_WORKER, wf.world.grid_a1_2)
    PostTerms.objects.create(post=Post.objects.get(user=part), full_time=False)
    # secretary + worker + grid fixture posts + 7 = 10 full-time; the part-time one is left out
    row = _row(wf.community, "staffing.full_time_workers")
    assert row.actual == 10 and row.status == Status.OK and row.citation.startswith("002")


def test_eight_full_time_boundary(wf):
    for _i in range(4):
        make_user(Role.COMMUNITY_WORKER, wf.community)
    assert _row(wf.community, "staffing.full_time_workers").actual == 7
    assert _row(wf.community, "staffing.full_time_workers").status == Status.SHORT
    make_user(Role.COMMUNITY_WORKER, wf.community)
    assert _row(wf.community, "staffing.full_time_workers").status == Status.OK


def test_a_profile_without_the_keys_sets_nothing(wf):
    wf.world.district.policy_profile = "no-keys"
    wf.world.district.save()
    _committee(wf, CommitteeKind.PARTY, 1)
    report = checks.community_report(wf.community)
    assert all(c.status == Status.NOT_SET for c in report.checks)
    assert report.state == "not_set"


def test_reports_for_many_communities_bounded(wf, django_assert_max_num_queries):
    communities = [wf.community, wf.world.community_a2, wf.world.community_b1]
    _committee(wf, CommitteeKind.PARTY, 4)
    with django_assert_max_num_queries(17):
        reports = checks.reports_for(communities)
    assert [r.community for r in reports] == communities
