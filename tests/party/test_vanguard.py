"""认岗认事认亲 and the vanguard index, with hand-computed expectations."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.party import vanguard
from gongzhi.party.models import (
    Checkin,
    ClaimKind,
    OrgKind,
    PartyMember,
    PartyOrg,
    RecordStatus,
    ServiceRecord,
    VanguardClaim,
)
from gongzhi.people.models import Resident, ResidentTag
from gongzhi.places.models import Household, Place
from gongzhi.tickets.models import Category, Ticket
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)
_n = itertools.count(1)


def _member(world, community, name, *, in_service_to=None):
    building = (
        world.grid_a1_1.buildings[0]
        if community == world.community_a1
        else world.grid_a2_1.buildings[0]
    )
    home = Household.objects.filter(building=building).first()
    user = make_user(Role.PARTY_MEMBER, in_service_to or community, name=name)
    resident = Resident.objects.create(
        name=name,
        name_initials="x",
        gender="M",
        household=home,
        place_path=building.path,
        user=user,
    )
    org, _c = PartyOrg.objects.get_or_create(
        kind=OrgKind.COMMUNITY_COMMITTEE,
        place=community,
        name=f"{community.name}党委",
        defaults={"place_path": community.path},
    )
    member = PartyMember.objects.create(
        resident=resident, org=org, place_path=community.path, in_service=in_service_to is not None
    )
    if in_service_to is not None:
        Checkin.objects.create(
            member=member,
            community=in_service_to,
            workplace_org="某单位党支部",
            checked_in_on=dt.date(2026, 1, 5),
            place_path=in_service_to.path,
        )
    return user, member


def _ticket(handler, *, rating=None, resolved_at=NOW, status="closed", place):
    cat, _c = Category.objects.get_or_create(code="v-test", defaults={"name": "测试"})
    return Ticket.objects.create(
        number=f"GZ-V-{next(_n)}",
        kind="help",
        category=cat,
        text="t",
        place=place,
        place_path=place.path,
        status=status,
        handler_user=handler,
        response_due=NOW,
        resolve_due=NOW,
        resolved_at=resolved_at,
        rating=rating,
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English whatever a previous test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def v(world):
    clock.set_now(NOW)
    a1 = world.community_a1
    user, member = _member(world, a1, "赵国庆")
    staff = make_user(Role.COMMUNITY_WORKER, a1, name="社工")
    post = vanguard.add_post(a1, actor=staff, name="楼栋引导岗")
    post2 = vanguard.add_post(a1, actor=staff, name="文明交通岗")
    task = vanguard.add_task(a1, actor=staff, title="清理楼道杂物")
    elder_home = Household.objects.filter(building=world.grid_a1_1.buildings[1]).first()
    elder = Resident.objects.create(
        name="独居老人",
        name_initials="d",
        gender="F",
        household=elder_home,
        place_path=elder_home.place_path,
    )
    ResidentTag.objects.create(resident=elder, tag="living_alone")
    plain = Resident.objects.create(
        name="普通居民",
        name_initials="p",
        gender="F",
        household=elder_home,
        place_path=elder_home.place_path,
    )
    return SimpleNamespace(
        a1=a1,
        user=user,
        member=member,
        staff=staff,
        post=post,
        post2=post2,
        task=task,
        elder=elder,
        plain=plain,
    )


def test_hand_computed_index_with_default_weights(v, world):
    # Claims held in 2026: post and task = 2 of 3; a claim ended in 2025 does not count.
    c_post = vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.TASK, target_id=v.task.pk)
    old = VanguardClaim.objects.create(
        member=v.member,
        kind="post",
        service_post=v.post2,
        community=v.a1,
        claimed_on=dt.date(2025, 3, 1),
        ended_on=dt.date(2025, 12, 1),
        place_path=v.a1.path,
    )
    assert old.pk
    # Service: 10 h + 2 h confirmed, 5 h rejected, 3 h pending → 12 h of 48 → 25.0
    recs = [
        vanguard.record_service(actor=v.user, claim_id=c_post.pk, served_on="2026-06-01", hours=h)
        for h in (10, 2, 5, 3)
    ]
    vanguard.review_record(recs[0].pk, actor=v.staff, confirm=True)
    vanguard.review_record(recs[1].pk, actor=v.staff, confirm=True)
    vanguard.review_record(recs[2].pk, actor=v.staff, confirm=False)
    # Tickets: 3 done in 2026 (ratings 5, 4, none) → 3 of 12 → 25.0; rating 4.5/5 → 90.0.
    # Not counted: one in progress, one resolved in 2025, one handled by someone else.
    _ticket(v.user, rating=5, place=v.a1)
    _ticket(v.user, rating=4, status="resolved", place=v.a1)
    _ticket(v.user, status="confirmed", place=v.a1)
    _ticket(v.user, status="in_progress", resolved_at=None, rating=None, place=v.a1)
    _ticket(v.user, rating=1, resolved_at=NOW - dt.timedelta(days=365), place=v.a1)
    _ticket(v.staff, rating=1, place=v.a1)
    idx = vanguard.index_for(v.member, 2026)
    scores = {c.name: (c.raw, c.score, c.weight) for c in idx.components}
    assert scores["service"] == (12.0, 25.0, 40)
    assert scores["tickets"] == (3, 25.0, 30)
    assert scores["claims"] == (2, 66.7, 20)
    assert scores["feedback"] == (4.5, 90.0, 10)
    # (40×25 + 30×25 + 20×200/3 + 10×90) / 100 = 39.83
    assert idx.value == 39.8
    vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.FAMILY, target_id=v.elder.pk)
    # claims 3 of 3 → 100: (1000 + 750 + 2000 + 900) / 100 = 46.5
    assert vanguard.index_for(v.member, 2026).value == 46.5
    # 2025: only the ended claim (1 of 3) and the old ticket (1 of 12; rating 1 → 20)
    # (30 × 100/12 + 20 × 100/3 + 10 × 20) / 100 = (250 + 666.67 + 200) / 100 = 11.17 → 11.2
    assert vanguard.index_for(v.member, 2025).value == 11.2


def test_weights_and_full_marks_from_the_profile(v, profile_dir):
    (profile_dir / "vg.yaml").write_text(
        "source: x.txt\ntitle: t\nvanguard:\n  weight_service: 1\n  weight_tickets: 0\n"
        "  weight_claims: 1\n  weight_feedback: 0\n  full_service_hours: 4\n  full_claims: 2\n"
    )
    Place.objects.filter(pk=v.a1.pk).update(policy_profile="vg")
    c = vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    r = vanguard.record_service(actor=v.user, claim_id=c.pk, served_on="2026-06-01", hours="3")
    vanguard.review_record(r.pk, actor=v.staff, confirm=True)
    # service 3/4 → 75; claims 1/2 → 50; (75 + 50) / 2 = 62.5
    assert vanguard.index_for(v.member, 2026).value == 62.5


def test_zero_weights_give_zero(v, profile_dir):
    (profile_dir / "z.yaml").write_text(
        "source: x.txt\ntitle: t\nvanguard:\n  weight_service: 0\n  weight_tickets: 0\n"
        "  weight_claims: 0\n  weight_feedback: 0\n"
    )
    Place.objects.filter(pk=v.a1.pk).update(policy_profile="z")
    assert vanguard.index_for(v.member, 2026).value == 0.0


def test_claim_rules(v, world):
    vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    with pytest.raises(ValidationError, match="already claimed"):
        vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    with pytest.raises(ValidationError, match="not open"):
        vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.FAMILY, target_id=v.plain.pk)
    with pytest.raises(ValidationError, match="not open"):
        vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.TASK, target_id=99999)
    with pytest.raises(ValidationError):
        vanguard.claim(v.a1, actor=v.user, kind="nonsense", target_id=1)
    with pytest.raises(Http404):
        vanguard.claim(world.community_b1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    with pytest.raises(PermissionDenied):
        vanguard.claim(v.a1, actor=v.staff, kind=ClaimKind.POST, target_id=v.post2.pk)


def test_in_service_member_claims_after_checkin_only(v, world, profile_dir):
    user, member = _member(world, world.community_a2, "在职党员", in_service_to=v.a1)
    c = vanguard.claim(v.a1, actor=user, kind=ClaimKind.TASK, target_id=v.task.pk)
    assert c.member == member and vanguard.member_community(member) == v.a1
    # The profile of the community served applies: full claims at 1 in A1 only.
    (profile_dir / "one.yaml").write_text("source: x.txt\ntitle: t\nvanguard:\n  full_claims: 1\n")
    Place.objects.filter(pk=v.a1.pk).update(policy_profile="one")
    claims = {x.name: x.score for x in vanguard.index_for(member, 2026).components}
    assert claims["claims"] == 100.0
    Checkin.objects.filter(member=member).update(ended_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="Check in"):
        vanguard.claim(v.a1, actor=user, kind=ClaimKind.POST, target_id=v.post.pk)


@pytest.mark.parametrize(
    ("hours", "day"),
    [
        (0, "2026-06-01"),
        (-2, "2026-06-01"),
        (25, "2026-06-01"),
        ("x", "2026-06-01"),
        (2, "2027-01-01"),
        (2, "bad"),
    ],
)
def test_bad_service_records_write_nothing(v, hours, day):
    c = vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    with pytest.raises(ValidationError):
        vanguard.record_service(actor=v.user, claim_id=c.pk, served_on=day, hours=hours)
    assert ServiceRecord.objects.count() == 0


def test_review_rules(v, world):
    c = vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    r = vanguard.record_service(actor=v.user, claim_id=c.pk, served_on="2026-06-01", hours="1.5")
    assert r.minutes == 90
    with pytest.raises((PermissionDenied, Http404)):
        vanguard.review_record(r.pk, actor=v.user, confirm=True)
    with pytest.raises(Http404):
        vanguard.review_record(
            r.pk, actor=make_user(Role.COMMUNITY_WORKER, world.community_b1), confirm=True
        )
    vanguard.review_record(r.pk, actor=v.staff, confirm=True)
    with pytest.raises(ValidationError, match="already reviewed"):
        vanguard.review_record(r.pk, actor=v.staff, confirm=False)
    assert ServiceRecord.objects.get(pk=r.pk).status == RecordStatus.CONFIRMED


def test_ranking_is_ordered_scoped_and_bounded(v, world, django_assert_max_num_queries):
    other_user, other = _member(world, v.a1, "钱党员")
    c = vanguard.claim(v.a1, actor=other_user, kind=ClaimKind.POST, target_id=v.post.pk)
    r = vanguard.record_service(actor=other_user, claim_id=c.pk, served_on="2026-06-01", hours=8)
    vanguard.review_record(r.pk, actor=v.staff, confirm=True)
    for i in range(5):
        _member(world, v.a1, f"党员{i}")
    _member(world, world.community_a2, "二社区党员")
    with django_assert_max_num_queries(15):
        rows = vanguard.ranking(v.staff, 2026)
    names = [r.member.resident.name for r in rows]
    assert names[0] == "钱党员" and "二社区党员" not in names and len(names) == 7


def test_pages(client, v, world):
    client.force_login(v.user)
    vanguard.claim(v.a1, actor=v.user, kind=ClaimKind.POST, target_id=v.post.pk)
    page = client.get(reverse("party:vanguard"))
    assert page.status_code == 200 and 'data-testid="index-value"' in page.content.decode()
    client.post(reverse("party:vanguard_claim"), {"kind": "family", "target": v.elder.pk})
    assert VanguardClaim.objects.filter(kind="family").count() == 1
    c = VanguardClaim.objects.filter(kind="post").first()
    client.post(
        reverse("party:vanguard_record"), {"claim": c.pk, "served_on": "2026-06-01", "hours": "2"}
    )
    assert ServiceRecord.objects.count() == 1
    assert client.get(reverse("party:vanguard_ranking")).status_code == 403
    client.force_login(v.staff)
    page = client.get(reverse("party:vanguard_ranking"))
    assert page.status_code == 200 and "赵国庆" in page.content.decode()
    client.post(
        reverse("party:vanguard_review", args=[ServiceRecord.objects.get().pk]),
        {"decision": "confirm"},
    )
    assert ServiceRecord.objects.get().status == RecordStatus.CONFIRMED
    client.post(
        reverse("party:vanguard_publish"), {"community": v.a1.pk, "what": "task", "name": "新任务"}
    )
    assert v.a1.pk and client.get(reverse("party:vanguard")).status_code == 403
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home)
    client.force_login(resident)
    assert client.get(reverse("party:vanguard")).status_code == 403
    assert client.get(reverse("party:vanguard_ranking")).status_code == 403


def test_api_index(client, v):
    client.force_login(v.user)
    resp = client.get("/api/v1/vanguard-index/")
    assert (
        resp.status_code == 200 and resp.json()["value"] == vanguard.index_for(v.member, 2026).value
    )
    assert client.get("/api/v1/vanguard-ranking/").status_code == 403
    client.force_login(v.staff)
    assert client.get("/api/v1/vanguard-index/").status_code == 403
    resp = client.get("/api/v1/vanguard-ranking/?year=2026")
    assert resp.status_code == 200 and resp.json()[0]["name"] == "赵国庆"


def test_ranking_page_query_count_is_bounded(client, v, world, django_assert_max_num_queries):
    """Fifteen members, each with a claim and a service record waiting: the ranked list and
    the records to confirm read a fixed number of queries."""
    for i in range(15):
        user, _member_row = _member(world, v.a1, f"党员{i}")
        target = v.post if i % 3 == 0 else v.post2 if i % 3 == 1 else v.task
        kind = ClaimKind.TASK if target is v.task else ClaimKind.POST
        c = vanguard.claim(v.a1, actor=user, kind=kind, target_id=target.pk)
        vanguard.record_service(actor=user, claim_id=c.pk, served_on="2026-06-01", hours=2)
    client.force_login(v.staff)
    client.get(reverse("party:vanguard_ranking"))
    with django_assert_max_num_queries(22):
        response = client.get(reverse("party:vanguard_ranking"))
    body = response.content.decode()
    assert response.status_code == 200 and body.count("党员1") >= 6  # 党员1, 党员10…党员14
    assert body.count('name="decision" value="confirm"') == 15
