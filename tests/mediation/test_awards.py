"""Awards for mediators, community lawyers and exemplary cases (000 §九, MECHANISMS 000-25):
the cap from the policy profile, propose → approve/reject → paid, one award a year, who may do
what (page and API), and two simultaneous approvals approving once."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core import clock, profiles
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.mediation import awards, services
from gongzhi.mediation.models import Award, AwardKind, AwardState, MediatorKind
from gongzhi.places.models import Place
from tests.conftest import make_user
from tests.mediation.conftest import open_case, resident

pytestmark = pytest.mark.django_db
CAP = 1_000_000  # 10000 yuan in fen


def set_cap(world, profile_dir, yuan=10000):
    (profile_dir / "awards.yaml").write_text(
        f"source: test\ntitle: test\nawards:\n  mediation_max_yuan: {yuan}\n", encoding="utf-8"
    )
    Place.objects.filter(pk=world.district.pk).update(policy_profile="awards")
    profiles.clear_cache()


@pytest.fixture
def aw(mw, profile_dir):
    set_cap(mw.world, profile_dir)
    mw.street2 = make_user(Role.STREET_OFFICER, mw.world.street_a, name="街道副主任")
    mw.district_officer = make_user(Role.DISTRICT_OFFICER, mw.world.district, name="区干部")
    mw.street_b = make_user(Role.STREET_OFFICER, mw.world.street_b, name="关山街道干部")
    mw.adviser = services.set_adviser(
        mw.world.community_a1, actor=mw.secretary, name="王律师", office_hours="周三下午"
    )
    return mw


def agreed_case(mw):
    case = open_case(mw)
    services.start(case, actor=mw.secretary)
    services.record_agreement(
        case, actor=mw.secretary, signed_on=clock.today(), terms="赔偿维修费", text="协议全文"
    )
    case.refresh_from_db()
    return case


def propose(mw, actor=None, amount=500_000, **nominee):
    if not nominee:
        nominee = {"kind": AwardKind.MEDIATOR, "mediator": mw.elder}
    return awards.propose(
        actor=actor or mw.street, reason="调解邻里纠纷成效突出", amount_fen=amount, **nominee
    )


def test_propose_approve_pay(aw):
    award = propose(aw)
    assert award.state == AwardState.PROPOSED and award.place == aw.world.street_a
    assert award.year == 2026 and award.nominee == "老党员" and award.amount_fen == 500_000
    award = awards.approve(award, actor=aw.street2, note="评选入选")
    assert award.state == AwardState.APPROVED and award.decided_by == aw.street2
    award = awards.mark_paid(award, actor=aw.street)
    assert award.state == AwardState.PAID and award.paid_at is not None
    steps = list(
        AuditRecord.objects.filter(action__startswith="mediation.award_").values_list(
            "action", flat=True
        )
    )
    assert sorted(steps) == [
        "mediation.award_approve",
        "mediation.award_pay",
        "mediation.award_propose",
    ]


def test_the_level_above_approves_and_the_proposer_cannot(aw):
    award = propose(aw)
    with pytest.raises(ValidationError, match="Another officer|另一"):
        awards.approve(award, actor=aw.street, note="自己批")
    with pytest.raises(Http404):  # another street does not see it
        awards.approve(award, actor=aw.street_b, note="不是本街道")
    with pytest.raises(Http404):  # the community keeps cases, not the street's awards
        awards.approve(award, actor=aw.secretary, note="社区")
    assert awards.approve(award, actor=aw.district_officer, note="区里同意").state == "approved"


def test_never_above_the_cap_and_reasons_required(aw):
    with pytest.raises(ValidationError, match="10,000.00"):
        propose(aw, amount=CAP + 1)
    with pytest.raises(ValidationError):
        propose(aw, amount=0)
    award = propose(aw, amount=CAP)
    with pytest.raises(ValidationError):
        awards.approve(award, actor=aw.street2, note="  ")
    assert Award.objects.get().state == AwardState.PROPOSED


def test_the_cap_is_read_again_at_approval(aw, profile_dir):
    award = propose(aw, amount=CAP)
    set_cap(aw.world, profile_dir, yuan=5000)
    with pytest.raises(ValidationError, match="5,000.00"):
        awards.approve(award, actor=aw.street2, note="同意")
    assert Award.objects.get().state == AwardState.PROPOSED


def test_without_a_profile_key_nothing_is_proposed_and_the_page_says_so(mw, login):
    street = mw.street
    assert awards.cap_fen(mw.world.street_a) is None
    with pytest.raises(ValidationError, match="本地政策未规定"):
        propose(mw)
    page = login(street).get(reverse("mediation:awards"))
    assert page.status_code == 200
    assert "本地政策未规定" in page.text and 'data-testid="award-form"' not in page.text


def test_the_shipped_east_lake_profile_sets_ten_thousand_yuan(mw):
    Place.objects.filter(pk=mw.world.district.pk).update(policy_profile="wuhan-east-lake")
    profiles.clear_cache()
    assert awards.cap_fen(Place.objects.get(pk=mw.world.street_a.pk)) == CAP


def test_one_award_a_year_per_person_or_case(aw):
    case = agreed_case(aw)
    propose(aw)
    with pytest.raises(ValidationError, match="already|已为其提名"):
        propose(aw, actor=aw.district_officer)
    adviser = propose(aw, kind=AwardKind.ADVISER, adviser=aw.adviser)
    with pytest.raises(ValidationError):
        propose(aw, kind=AwardKind.ADVISER, adviser=aw.adviser)
    first = propose(aw, kind=AwardKind.CASE, case=case)
    awards.reject(first, actor=aw.street2, note="材料不全")
    again = propose(aw, kind=AwardKind.CASE, case=case)  # a rejected one does not count
    assert again.nominee == case.number and adviser.nominee == "王律师"
    with clock.travel_to(dt.datetime(2027, 3, 1, 9, 0)):
        assert propose(aw).year == 2027


def test_only_a_case_with_an_agreement_and_a_matching_nominee(aw):
    with pytest.raises(ValidationError, match="agreement|协议"):
        propose(aw, kind=AwardKind.CASE, case=open_case(aw))
    with pytest.raises(ValidationError):
        propose(aw, kind=AwardKind.CASE, mediator=aw.elder)


def test_the_transition_table_refuses_every_other_step(aw):
    moves = {
        "approve": lambda a: awards.approve(a, actor=aw.street2, note="同意"),
        "reject": lambda a: awards.reject(a, actor=aw.street2, note="不同意"),
        "pay": lambda a: awards.mark_paid(a, actor=aw.street2),
    }
    makers = {
        AwardState.PROPOSED: lambda m: propose(aw, kind=AwardKind.MEDIATOR, mediator=m),
        AwardState.APPROVED: lambda m: moves["approve"](propose(aw, mediator=m, kind="mediator")),
        AwardState.REJECTED: lambda m: moves["reject"](propose(aw, mediator=m, kind="mediator")),
        AwardState.PAID: lambda m: moves["pay"](
            moves["approve"](propose(aw, mediator=m, kind="mediator"))
        ),
    }
    homes = itertools.cycle(aw.homes)
    for state, make in makers.items():
        for step, move in moves.items():
            mediator = services.add_mediator(
                aw.committee,
                actor=aw.secretary,
                kind=MediatorKind.RESIDENT,
                resident=resident(next(homes)),
            )
            award = make(mediator)
            assert award.state == state
            if (state, step) in awards.TRANSITIONS:
                assert move(award).state == awards.TRANSITIONS[(state, step)]
            else:
                with pytest.raises(ValidationError):
                    move(award)
                award.refresh_from_db()
                assert award.state == state


def test_pages_propose_and_decide(aw, login):
    client = login(aw.street)
    page = client.get(reverse("mediation:awards"))
    assert page.status_code == 200 and 'data-testid="award-form"' in page.text
    assert "¥10,000.00" in page.text
    posted = client.post(
        reverse("mediation:awards"),
        {"kind": "mediator", "mediator": aw.elder.pk, "reason": "成效突出", "amount_yuan": "3000"},
        follow=True,
    )
    award = Award.objects.get()
    assert award.amount_fen == 300_000 and "¥3,000.00" in posted.text
    assert 'data-testid="award-decide"' not in posted.text  # not for the proposer
    too_much = client.post(
        reverse("mediation:awards"),
        {"kind": "adviser", "adviser": aw.adviser.pk, "reason": "好", "amount_yuan": "10000.01"},
        follow=True,
    )
    assert too_much.status_code == 200 and Award.objects.count() == 1
    other = login(aw.street2)
    page = other.get(reverse("mediation:awards"))
    assert 'data-testid="award-decide"' in page.text
    other.post(reverse("mediation:award_act", args=[award.pk, "approve"]), {"note": "同意"})
    other.post(reverse("mediation:award_act", args=[award.pk, "paid"]))
    award.refresh_from_db()
    assert award.state == AwardState.PAID
    assert (
        other.post(reverse("mediation:award_act", args=[award.pk, "nonsense"])).status_code == 404
    )


def test_wrong_roles_on_page_and_api(aw, login, client):
    award = propose(aw)
    for user in (aw.secretary, aw.grid_worker, aw.member_user, aw.resident_user):
        c = login(user)
        assert c.get(reverse("mediation:awards")).status_code == 403
        assert (
            c.post(reverse("mediation:award_act", args=[award.pk, "approve"]), {"note": "x"})
        ).status_code == 403
        assert c.get("/api/v1/mediation-awards/").status_code == 403
        assert (
            c.post(f"/api/v1/mediation-awards/{award.pk}/approve/", {"note": "x"}).status_code
            == 403
        )
    c = login(aw.street_b)  # another street: the award does not exist for them
    assert (
        c.post(
            reverse("mediation:award_act", args=[award.pk, "approve"]), {"note": "x"}
        ).status_code
        == 404
    )
    assert c.get(f"/api/v1/mediation-awards/{award.pk}/").status_code == 404
    assert (
        c.get("/api/v1/mediation-awards/").json()["results"] == []
        or c.get("/api/v1/mediation-awards/").json() == []
    )
    award.refresh_from_db()
    assert award.state == AwardState.PROPOSED


def test_api(aw, login):
    case = agreed_case(aw)
    c = login(aw.street)
    made = c.post(
        "/api/v1/mediation-awards/",
        {"kind": "case", "case": case.pk, "reason": "优秀案例", "amount_fen": 200_000},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["nominee"] == case.number
    bad = [
        {"kind": "case", "case": "abc", "reason": "x", "amount_fen": 1},
        {"kind": "case", "case": 99999, "reason": "x", "amount_fen": 1},
        {"kind": "nobody", "reason": "x", "amount_fen": 1},
        {"kind": "mediator", "mediator": aw.elder.pk, "reason": "x", "amount_fen": CAP + 1},
        {"kind": "mediator", "reason": "x", "amount_fen": 100},
    ]
    for body in bad:
        assert (
            c.post("/api/v1/mediation-awards/", body, content_type="application/json").status_code
            == 400
        )
    assert c.post(f"/api/v1/mediation-awards/{pk}/approve/", {"note": "自己"}).status_code == 400
    assert c.get("/api/v1/mediation-awards/abc/").status_code == 404
    other = login(aw.street2)
    assert other.post(f"/api/v1/mediation-awards/{pk}/approve/", {}).status_code == 400
    done = other.post(f"/api/v1/mediation-awards/{pk}/approve/", {"note": "同意"})
    assert done.status_code == 200 and done.json()["state"] == "approved"
    paid = other.post(f"/api/v1/mediation-awards/{pk}/paid/")
    assert paid.json()["state"] == "paid"
    assert other.post(f"/api/v1/mediation-awards/{pk}/paid/").status_code == 400


def test_the_list_is_paginated_with_bounded_queries(aw, login, django_assert_max_num_queries):
    homes = itertools.cycle(aw.homes)
    for _ in range(14):
        mediator = services.add_mediator(
            aw.committee,
            actor=aw.secretary,
            kind=MediatorKind.RESIDENT,
            resident=resident(next(homes)),
        )
        award = propose(aw, kind=AwardKind.MEDIATOR, mediator=mediator)
        awards.approve(award, actor=aw.street2, note="同意")
    client = login(aw.district_officer)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("mediation:awards"))
    assert page.text.count('data-testid="award-row"') == 14
    with django_assert_max_num_queries(12):
        api = client.get("/api/v1/mediation-awards/")
    assert api.status_code == 200


def test_the_cap_is_the_nominee_communitys(mw, profile_dir, login):
    (profile_dir / "awards.yaml").write_text(
        "source: test\ntitle: test\nawards:\n  mediation_max_yuan: 2000\n", encoding="utf-8"
    )
    Place.objects.filter(pk=mw.world.community_a1.pk).update(policy_profile="awards")
    profiles.clear_cache()
    award = propose(mw, amount=200_000)  # the elder serves community A1's committee
    assert award.place == mw.world.street_a and awards.cap_fen(mw.world.street_a) is None
    with pytest.raises(ValidationError, match="本地政策未规定"):  # the street's own committee
        propose(mw, kind=AwardKind.MEDIATOR, mediator=mw.street_mediator)
    page = login(mw.street).get(reverse("mediation:awards"))
    assert "¥2,000.00" in page.text and "本地政策未规定" in page.text  # A1 set, A2 not
