"""A login finds the registry record of the person behind it."""

from gongzhi.core import crypto
from gongzhi.core.roles import Role
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Household
from tests.conftest import make_user


def _resident(household, name, phone=""):
    r = Resident(
        name=name,
        name_initials="x",
        gender="F",
        household=household,
        place_path=household.place_path,
    )
    if phone:
        r.phone_encrypted, r.phone_index, r.phone_masked = crypto.protect("phone", phone)
    r.save()
    return r


def test_linked_resident_wins_then_phone_match_is_linked(world):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    other = _resident(home, "甲", "13911112222")
    user = make_user(Role.RESIDENT, building, household=home, phone="13911112222")
    assert resident_of(user) == other
    assert Resident.objects.get(pk=other.pk).user_id == user.pk  # linked on first use
    assert resident_of(user) == other


def test_no_phone_and_no_link_gives_none(world):
    user = make_user(Role.PARTY_MEMBER, world.community_a1)
    assert resident_of(user) is None
