"""The volunteer share reads the profile a community uses today: an expired profile hands over
to its successor (`profiles.current`), as on every other page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.volunteering import selectors
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

OLD = (
    "source: x.txt\ntitle: old\nvalid_from: 2020-01-01\nvalid_until: 2025-12-31\n"
    "successor: vol-new\nvolunteering:\n  target_percent: 10  # x §1: 10%\n"
)
NEW = (
    "source: y.txt\ntitle: new\nvalid_from: 2026-01-01\n"
    "volunteering:\n  target_percent: 20  # y §1: 20%\n"
)


def test_the_volunteer_share_of_an_expired_profile_uses_its_successors_target(world, profile_dir):
    (profile_dir / "vol-old.yaml").write_text(OLD, encoding="utf-8")
    (profile_dir / "vol-new.yaml").write_text(NEW, encoding="utf-8")
    world.community_a1.policy_profile = "vol-old"
    world.community_a1.save()
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    with clock.travel_to(dt.datetime(2026, 12, 6, 9, 0)):
        shares = {s.community.pk: s for s in selectors.volunteer_shares(officer)}
    assert shares[world.community_a1.pk].target == 20
    with clock.travel_to(dt.datetime(2025, 6, 1, 9, 0)):  # still in force: its own target
        shares = {s.community.pk: s for s in selectors.volunteer_shares(officer)}
    assert shares[world.community_a1.pk].target == 10


def test_the_share_page_shows_the_status_of_the_document_it_cites(world, profile_dir, client):
    (profile_dir / "vol-old.yaml").write_text(OLD.replace("successor: vol-new\n", ""), "utf-8")
    world.community_a1.policy_profile = "vol-old"
    world.community_a1.save()
    client.force_login(make_user(Role.STREET_OFFICER, world.street_a))
    with clock.travel_to(dt.datetime(2026, 12, 6, 9, 0)):
        page = client.get(reverse("volunteering:share")).content.decode()
    assert 'data-profile="vol-old" data-status="expired"' in page
    assert "2025-12-31" in page
