"""The estates demo on the small `world`: what it builds, and that a second run adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import estates as estates_demo
from gongzhi.estates import ratings, selectors
from gongzhi.estates.models import (
    CompanyStaff,
    Evaluation,
    OwnersCommittee,
    PropertyCompany,
    RedBlackEntry,
    ServiceContract,
    StartupGrant,
    Survey,
    SurveyAnswer,
)
from gongzhi.places.models import Household
from tests.conftest import make_user
from tests.estates.conftest import party_member, resident

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_builds_committees_and_a_shared_company_once(ew):
    world = ew.world
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    second = world.grid_a1_2.estate
    home = Household.objects.filter(place_path__startswith=second.path).first()
    assert home is not None
    people = [resident(home) for _ in range(6)]
    for p in people[:3]:
        party_member(p, ew.org)
    with translation.override("en"):
        line = estates_demo.build("small")
        assert "2 owners' committees" in line and "3 property companies" in line
        assert "ratings published" in line
        assert "already present" in estates_demo.build("small")
    assert OwnersCommittee.objects.count() == 2
    assert PropertyCompany.objects.count() == 3
    shared = PropertyCompany.objects.get(name=estates_demo.COMPANIES[0][0])
    assert ServiceContract.objects.filter(company=shared).count() == 2
    orgs = {(r.kind, r.body.name) for r in selectors.without_party_org(street)}
    assert ("company", estates_demo.COMPANIES[2][0]) in orgs
    # Last year's ratings published with star levels; the third company black-listed two
    # years running; this year's survey in progress.
    last = Evaluation.objects.filter(year=2025, published_at__isnull=False)
    assert last.filter(kind="committee").count() == 2
    assert all(e.stars for e in last.filter(kind="committee"))
    bare = PropertyCompany.objects.get(name=estates_demo.COMPANIES[2][0])
    assert sorted(
        RedBlackEntry.objects.filter(company=bare, colour="black").values_list("year", flat=True)
    ) == [2024, 2025]
    assert Survey.objects.get(year=2026).is_open
    # Row 000-17: the second estate (Wuhan East Lake) has its new branch's start-up funds
    # requested and awaiting the street (the paid one is on the fifth estate).
    grant = StartupGrant.objects.get()
    assert grant.status == "requested" and grant.amount_fen == 500000
    assert grant.committee.estate == second and grant.party_org.name.endswith("业主委员会党支部")


def test_the_demo_links_staff_to_every_company_and_answers_part_of_the_survey(ew):
    world = ew.world
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("street", Role.STREET_OFFICER, world.street_a)
    prop = _login("property", Role.PROPERTY_STAFF, ew.estate)
    second = world.grid_a1_2.estate
    home = Household.objects.filter(place_path__startswith=second.path).first()
    for p in [resident(home) for _ in range(6)][:3]:
        party_member(p, ew.org)
    # two households of the first estate with a resident login
    homes = list(Household.objects.filter(place_path__startswith=ew.estate.path).order_by("id"))
    for i, h in enumerate(homes[:2]):
        person = resident(h)
        person.user = make_user(Role.RESIDENT, h.building, household=h, phone=f"1390000090{i}")
        person.save()
    estates_demo.build("small")
    links = CompanyStaff.objects.select_related("company", "post__user")
    # one per company with a contract (the small world's community has two estates: the third
    # company has none)
    served = PropertyCompany.objects.filter(contracts__isnull=False).distinct()
    assert served.count() == 2
    assert sorted(links.values_list("company_id", flat=True)) == sorted(
        served.values_list("pk", flat=True)
    )
    first = links.get(company__name=estates_demo.COMPANIES[0][0])
    assert first.post.user == prop and first.since == dt.date(2025, 1, 1)
    assert {link.post.user.username for link in links} == {"property", "xzwy-kefu"}
    # the first company's ratings now count its linked staff (not the fallback reading)
    assert ratings.staff_user_ids(first.company, 2025) == [prop.pk]
    assert SurveyAnswer.objects.filter(survey__year=2026).count() == 2
    # a second run adds nothing
    estates_demo.build("small")
    assert CompanyStaff.objects.count() == 2
