"""The organisations demo on the small `world`: every status, the three incubator levels with
every stage, a round with winners published, and a second run adds nothing."""

from __future__ import annotations

import pytest

from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import organisations as demo
from gongzhi.organisations import selectors
from gongzhi.organisations.models import (
    Incubation,
    Incubator,
    Organisation,
    OrgStatus,
    RoundStatus,
    Stage,
    VentureApplication,
    VentureRound,
    VentureStatus,
)

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_shows_every_status_and_a_round_once(world):
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("street", Role.STREET_OFFICER, world.street_a)
    _login("district", Role.DISTRICT_OFFICER, world.district)
    _login("partner", Role.PARTNER_CONTACT, world.street_a)
    line = demo.build("small")
    assert str(Organisation.objects.count()) in line
    statuses = set(Organisation.objects.values_list("status", flat=True))
    assert statuses == set(OrgStatus.values)
    assert Organisation.objects.filter(rating="5").exists()
    assert Organisation.objects.filter(party_org__isnull=True).exists()
    assert Organisation.objects.filter(documents__kind="rating").exists()
    assert set(Incubator.objects.values_list("level", flat=True)) == {
        "district",
        "street",
        "community",
    }
    assert set(Incubation.objects.values_list("stage", flat=True)) == set(Stage.values)
    rnd = VentureRound.objects.get()
    assert rnd.status == RoundStatus.AWARDED
    winners = list(selectors.public_winners(rnd))
    assert len(winners) == 2 and winners[0].award_fen == 100000 * 100
    assert VentureApplication.objects.filter(status=VentureStatus.REPORTED).count() == 1
    assert VentureApplication.objects.filter(status=VentureStatus.NOT_AWARDED).count() == 2
    count = Organisation.objects.count()
    demo.build("small")
    assert Organisation.objects.count() == count
    assert VentureRound.objects.count() == 1
