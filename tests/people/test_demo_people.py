"""Demo people: residents and families for every demo household, the demo logins' people, the
party organisation with its gaps, protected values only, idempotence and the streamed district."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, Max

from gongzhi.core import clock, crypto
from gongzhi.core.models import AuditRecord, Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import people as people_demo
from gongzhi.demo import places as demo
from gongzhi.party.models import PARENT_KINDS, PLACE_KINDS, Checkin, OrgKind, PartyMember, PartyOrg
from gongzhi.people import idcard, pinyin
from gongzhi.people.models import Membership, Relation, ResidenceStatus, Resident, ResidentTag, Tag
from gongzhi.places.models import Household, Place, PlaceKind

pytestmark = pytest.mark.django_db

COMMUNITY_1 = "431302/431302001000/431302001001/"  # 春园社区, the demo logins' community
GRID_1 = f"{COMMUNITY_1}G01/"


def _age(birth: dt.date) -> int:
    today = clock.today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _build_small():
    # The apps' demos (tickets, volunteering, …) have tests of their own.
    result = demo.build("small", people=True, features=False)
    assert result.people is not None
    return result.people


def _snapshot():
    return {
        "residents": Resident.objects.count(),
        "memberships": Membership.objects.count(),
        "tags": ResidentTag.objects.count(),
        "orgs": PartyOrg.objects.count(),
        "members": PartyMember.objects.count(),
        "checkins": Checkin.objects.count(),
        "max_resident": Resident.objects.aggregate(m=Max("id"))["m"],
        "updated": Resident.objects.aggregate(m=Max("updated_at"))["m"],
        "secretaries": sorted(PartyOrg.objects.values_list("id", "secretary_id")),
        "audit": AuditRecord.objects.count(),
    }


def test_every_household_gets_a_plausible_family():
    result = _build_small()

    residents = list(Resident.objects.all())
    assert 22_000 <= len(residents) <= 28_000
    assert result.created["residents"] == len(residents)
    per_household = Counter(r.household_id for r in residents)
    assert set(per_household) == set(Household.objects.values_list("id", flat=True))
    assert set(per_household.values()) <= {1, 2, 3, 4, 5}
    heads = Counter(r.household_id for r in residents if r.relation == Relation.HEAD)
    assert set(heads) == set(per_household) and set(heads.values()) == {1}
    relations = Counter(r.relation for r in residents)
    for relation in (Relation.SPOUSE, Relation.CHILD, Relation.PARENT, Relation.GRANDCHILD):
        assert relations[relation] > 100, relation

    # Ages fit the relation to the head.
    head_birth = {r.household_id: r.birth_date for r in residents if r.relation == Relation.HEAD}
    for r in residents:
        gap = (head_birth[r.household_id] - r.birth_date).days / 365.25
        if r.relation == Relation.CHILD:
            assert gap <= -18, r.name
        elif r.relation == Relation.PARENT:
            assert gap >= 18, r.name
        elif r.relation == Relation.GRANDCHILD:
            assert gap <= -40, r.name
        elif r.relation == Relation.SPOUSE:
            assert abs(gap) <= 6 and _age(r.birth_date) >= 20, r.name
    assert all(_age(r.birth_date) >= 20 for r in residents if r.relation == Relation.HEAD)

    # Valid ID numbers whose gender and birth date are the resident's; Hunan area codes.
    areas = Counter()
    for r in residents:
        facts = idcard.parse(r.id_type, crypto.decrypt(r.id_encrypted))
        assert (facts.gender, facts.birth_date) == (r.gender, r.birth_date), r.name
        assert r.id_masked == crypto.mask_id_number(facts.number)
        areas[facts.number[:6]] += 1
    assert all(area.startswith("43") for area in areas)
    assert 0.5 < areas["431302"] / len(residents) < 0.9 and len(areas) > 10

    # Realistic names, their pinyin initials, common surnames most often.
    assert all(2 <= len(r.name) <= 4 and not r.name.isascii() for r in residents)
    assert {len(r.name) for r in residents} >= {2, 3}
    assert all(r.name_initials == pinyin.initials(r.name) for r in residents[:2000])
    surnames = [s for s, _n in Counter(r.name[0] for r in residents).most_common(5)]
    assert set(surnames) <= set("王李张刘陈杨")
    assert not any(r.name.startswith(("=", "+", "-", "@")) for r in residents)

    # Phones for most, not all; residence statuses mixed, registered the most.
    with_phone = [r for r in residents if r.phone_index]
    assert 0.6 < len(with_phone) / len(residents) < 0.95
    assert all(re.fullmatch(r"1\d\d\*{4}\d{4}", r.phone_masked) for r in with_phone)
    assert all(not r.phone_encrypted and not r.phone_masked for r in residents if not r.phone_index)
    statuses = Counter(r.residence_status for r in residents)
    assert set(statuses) == set(ResidenceStatus.values)
    assert statuses.most_common(1)[0][0] == ResidenceStatus.REGISTERED

    # Tags in realistic proportions; living alone means a household of one, mostly 60+.
    tags = Counter(ResidentTag.objects.values_list("tag", flat=True))
    share = {tag: n / len(residents) for tag, n in tags.items()}
    assert 0.01 <= share[Tag.DISABLED] <= 0.035
    assert 0.015 <= share[Tag.LOW_INCOME] <= 0.045
    assert 0.005 <= share[Tag.VETERAN] <= 0.02
    assert 0.01 <= share[Tag.KEY_CARE] <= 0.04
    alone = Resident.objects.filter(tags__tag=Tag.LIVING_ALONE)
    assert all(per_household[r.household_id] == 1 for r in alone)
    ages = [_age(r.birth_date) for r in alone]
    assert sum(a >= 60 for a in ages) / len(ages) > 0.8
    # The grid worker's list "elderly living alone" of 第一网格 has several people.
    elderly_alone = [
        r for r in alone.filter(place_path__startswith=GRID_1) if _age(r.birth_date) >= 60
    ]
    assert len(elderly_alone) >= 5

    skilled = [r for r in residents if r.specialty]
    assert 0.02 < len(skilled) / len(residents) < 0.15
    assert {s for r in skilled for s in r.specialty.split("、")} <= set(people_demo.SKILLS)

    # One current membership per resident, with the move-in date; paths copied.
    memberships = {m.resident_id: m for m in Membership.objects.all()}
    assert len(memberships) == len(residents)
    places = dict(Household.objects.values_list("id", "place_path"))
    for r in residents:
        m = memberships[r.pk]
        assert (m.household_id, m.relation, m.moved_out) == (r.household_id, r.relation, None)
        assert r.birth_date <= m.moved_in <= clock.today()
        assert r.place_path == places[r.household_id]
    assert AuditRecord.objects.filter(action="demo_data.people").count() == 1


def test_the_demo_logins_find_their_people():
    _build_small()

    # The resident login (13800000001) is a resident of the household of her post, with family.
    user = User.objects.get_by_phone(demo.RESIDENT_PHONE)
    post = user.posts.get(role=Role.RESIDENT)
    me = Resident.objects.get(phone_index=crypto.blind_index("phone", demo.RESIDENT_PHONE))
    assert me.household_id == post.household_id
    assert (me.name, me.relation) == (user.name, Relation.HEAD)
    assert (post.household.unit_no, post.household.room_no) == ("1", "502")
    assert post.household.place_path.startswith(GRID_1)
    family = Resident.objects.filter(household=post.household).exclude(pk=me.pk)
    assert family.count() >= 2
    assert {r.relation for r in family} >= {Relation.SPOUSE, Relation.CHILD}

    # The party member login is a resident who is a party member of the demo community,
    # in service elsewhere, leading his building's party group.
    login = User.objects.get(username="partymember")
    community = Post.objects.get(user=login).place
    assert community.path == COMMUNITY_1
    zhao = Resident.objects.get(name=login.name)
    member = zhao.party_member
    assert member.place_path.startswith(COMMUNITY_1) and zhao.place_path.startswith(GRID_1)
    assert member.org.kind == OrgKind.GROUP and member.org.secretary_id == member.pk
    assert member.in_service and member.checkins.get().community_id == community.pk
    assert PartyOrg.objects.filter(kind=OrgKind.MEMBER_HOUSEHOLD, household=zhao.household).exists()
    # The secretary login leads the community party committee.
    secretary = Resident.objects.get(name=User.objects.get(username="secretary").name)
    committee = PartyOrg.objects.get(kind=OrgKind.COMMUNITY_COMMITTEE, place=community)
    assert committee.secretary_id == secretary.party_member.pk
    # The volunteer login is a resident of the demo community, linked to her login.
    volunteer = User.objects.get(username="volunteer")
    zhou = Resident.objects.get(user=volunteer)
    assert zhou.name == volunteer.name and zhou.place_path.startswith(GRID_1)
    assert zhou.birth_date and zhou.id_index and zhou.relation == Relation.HEAD
    # The logins' names belong to their people only.
    for name in people_demo.RESERVED_NAMES:
        assert Resident.objects.filter(name=name).count() <= 1, name


def test_the_party_organisation_has_a_tree_with_gaps():
    _build_small()
    streets = Place.objects.filter(kind=PlaceKind.STREET)
    communities = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    grids = list(Place.objects.filter(kind=PlaceKind.GRID).select_related("parent"))
    buildings = Place.objects.filter(kind=PlaceKind.BUILDING)
    orgs = list(PartyOrg.objects.select_related("parent", "place"))

    kinds = Counter(o.kind for o in orgs)
    assert kinds[OrgKind.STREET_COMMITTEE] == streets.count() == 1
    assert kinds[OrgKind.COMMUNITY_COMMITTEE] == communities.count() == 5
    for org in orgs:  # the five-level tree, bound to places of the right kind
        assert (org.parent.kind if org.parent else None) in PARENT_KINDS[org.kind], org.name
        assert org.place.kind in PLACE_KINDS[org.kind], org.name
        assert org.place_path == org.place.path
        assert org.place.path.startswith(org.parent.place_path if org.parent else "")
    # A branch per grid but two: the gaps panel has something to show.
    with_branch = {o.place_id for o in orgs if o.kind == OrgKind.BRANCH}
    without = sorted((g.parent.name, g.name) for g in grids if g.pk not in with_branch)
    assert without == [("吉星社区", "第四网格"), ("春园社区", "第八网格")]
    with_group = {o.place_id for o in orgs if o.kind == OrgKind.GROUP}
    assert 0.7 * buildings.count() < len(with_group) < buildings.count()
    member_homes = [o for o in orgs if o.kind == OrgKind.MEMBER_HOUSEHOLD]
    assert 5 <= len(member_homes) <= 40
    for home in member_homes:
        head = Resident.objects.get(household=home.household, relation=Relation.HEAD)
        assert home.secretary_id == head.party_member.pk
        assert home.place_id == home.household.building_id
    # Secretaries set for every committee, branch and group.
    assert all(o.secretary_id for o in orgs)
    assert len({o.secretary_id for o in orgs if o.kind != OrgKind.MEMBER_HOUSEHOLD}) == len(
        [o for o in orgs if o.kind != OrgKind.MEMBER_HOUSEHOLD]
    )

    # About 7 % of adults are members, spread over the organisations below the street.
    adults = sum(1 for b in Resident.objects.values_list("birth_date", flat=True) if _age(b) >= 18)
    members = list(PartyMember.objects.select_related("org", "resident"))
    assert 0.05 < len(members) / adults < 0.09
    assert all(_age(m.resident.birth_date) >= 18 for m in members)
    assert all(m.place_path == m.org.place_path for m in members)
    assert all(m.resident.place_path.startswith(m.place_path) for m in members)
    assert Counter(m.org.kind for m in members).keys() == {
        OrgKind.GROUP,
        OrgKind.BRANCH,
        OrgKind.COMMUNITY_COMMITTEE,
    }
    assert all(
        m.joined_on and _age(m.resident.birth_date) - _age(m.joined_on) >= 18 for m in members
    )

    # In-service members report to their home community, from workplace organisations.
    checkins = Checkin.objects.filter(community__path=COMMUNITY_1).select_related("member")
    assert 5 <= checkins.count() <= 60
    workplaces = {org for _workplace, org in people_demo.WORKPLACES}
    for checkin in checkins:
        assert checkin.member.in_service and checkin.ended_on is None
        assert checkin.workplace_org == checkin.member.workplace_org in workplaces
        assert checkin.place_path == COMMUNITY_1
        assert checkin.member.place_path.startswith(COMMUNITY_1)
        assert checkin.member.joined_on <= checkin.checked_in_on <= clock.today()
    assert {"娄底市第一人民医院党委", "娄星区税务局机关党支部"} <= set(
        Checkin.objects.values_list("workplace_org", flat=True)
    )
    assert not PartyMember.objects.filter(in_service=True, checkins=None).exists()


def test_no_plain_id_number_or_phone_anywhere_in_the_database():
    _build_small()
    plain = set()
    for id_enc, phone_enc in Resident.objects.values_list("id_encrypted", "phone_encrypted"):
        plain.add(crypto.decrypt(id_enc))
        if phone_enc:
            plain.add(crypto.decrypt(phone_enc))
    plain.add(demo.RESIDENT_PHONE)
    assert len(plain) > 40_000
    numbers = re.compile(r"\d{17}[\dX]|\d{11}")

    found = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cur.fetchall():
                for value in row:
                    text = value if isinstance(value, str) else str(value)
                    found += [n for n in numbers.findall(text) if n in plain]
    assert found == []


def test_running_again_changes_nothing_and_an_emptied_community_comes_back_the_same():
    _build_small()
    before = _snapshot()

    again = demo.build("small", people=True, features=False)

    assert not again.changed and not again.people.changed
    assert set(again.people.created.values()) == {0}
    assert again.people.communities_skipped == 5
    assert _snapshot() == before

    # A community emptied (say, by an interrupted run) is rebuilt with the same people.
    community = "431302/431302001000/431302001003/"
    in_community = Resident.objects.filter(place_path__startswith=community)
    ids = set(in_community.values_list("id_index", flat=True))
    members = PartyMember.objects.filter(place_path__startswith=community)
    Checkin.objects.filter(member__in=members).delete()
    PartyOrg.objects.filter(
        place_path__startswith=community, kind=OrgKind.MEMBER_HOUSEHOLD
    ).delete()
    PartyOrg.objects.filter(place_path__startswith=community).update(secretary=None)
    PartyOrg.objects.filter(kind=OrgKind.STREET_COMMITTEE, secretary__in=members).update(
        secretary=None
    )
    members.delete()
    Membership.objects.filter(resident__in=in_community).delete()
    in_community.delete()

    rebuilt = people_demo.build("small")

    assert rebuilt.communities_skipped == 4
    assert rebuilt.created["residents"] == len(ids)
    assert set(in_community.values_list("id_index", flat=True)) == ids
    assert Resident.objects.count() == before["residents"]
    assert PartyMember.objects.count() == before["members"]
    assert PartyOrg.objects.count() == before["orgs"]
    assert AuditRecord.objects.count() == before["audit"] + 1


def test_the_district_scale_streams_community_by_community_in_batches():
    tiny = demo.DISTRICT.replace(streets=2, communities_per_street=2, grids_per_community=3)
    demo.build(tiny, batch_size=100)

    result = people_demo.build(tiny, batch_size=100)

    assert result.scale == "district"
    assert 100 <= result.largest_batch <= 104  # a household more at most, never the community
    households = Household.objects.count()
    assert 2.6 < Resident.objects.count() / households < 3.1  # ≈ 1,000,000 / 350,000
    assert Household.objects.annotate(n=Count("residents")).filter(n=0).count() == 0
    assert PartyOrg.objects.filter(kind=OrgKind.STREET_COMMITTEE).count() == 2
    assert PartyOrg.objects.filter(kind=OrgKind.COMMUNITY_COMMITTEE).count() == 4
    assert PartyOrg.objects.filter(kind=OrgKind.BRANCH).count() >= 10
    assert PartyMember.objects.exists() and Checkin.objects.exists()
    # ID numbers unique across communities (each community has its own sequence slot).
    assert Resident.objects.values("id_index").distinct().count() == Resident.objects.count()
    before = _snapshot()
    assert not people_demo.build(tiny, batch_size=100).changed
    assert _snapshot() == before


def test_the_batch_protector_keeps_the_format_of_protect():
    protect = crypto.Protector()
    for kind, plain in (("id", "43130219800101001X"), ("phone", "13912345678")):
        token, index, masked = protect(kind, plain)
        single = crypto.protect(kind, plain)
        assert crypto.decrypt(token) == plain
        assert (index, masked) == single[1:]
        assert token != single[0] and token != protect(kind, plain)[0]  # a fresh nonce each time
