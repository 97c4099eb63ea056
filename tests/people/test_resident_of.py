"""A login finds the registry record of the person behind it."""

from gongzhi.core import crypto
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.people import services
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
    assert resident_of(user) == other  # found by the phone …
    assert Resident.objects.get(pk=other.pk).user_id is None  # … but a selector writes nothing
    assert not AuditRecord.objects.filter(action="resident.link_login").exists()
    assert services.link_login(actor=user) == other
    assert Resident.objects.get(pk=other.pk).user_id == user.pk
    record = AuditRecord.objects.get(action="resident.link_login")
    assert record.actor_id == user.pk and record.target_id == str(other.pk)
    assert "13911112222" not in str(record.changes)
    assert resident_of(user) == other
    assert services.link_login(actor=user) is None  # already linked: nothing more
    assert AuditRecord.objects.filter(action="resident.link_login").count() == 1


def test_logging_in_links_the_record(world, client):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    other = _resident(home, "乙", "13911113333")
    user = make_user(Role.RESIDENT, building, household=home, phone="13911113333")
    client.force_login(user)
    assert Resident.objects.get(pk=other.pk).user_id == user.pk
    assert AuditRecord.objects.filter(action="resident.link_login", actor_id=user.pk).exists()


def test_a_record_linked_to_another_login_is_not_taken(world):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    first = make_user(Role.RESIDENT, building, household=home, phone="13911114444")
    shared = _resident(home, "丙", "13911114444")
    assert services.link_login(actor=first) == shared
    second = make_user(Role.RESIDENT, building, household=home)
    second.phone_index = first.phone_index  # a second login with the same phone
    assert services.link_login(actor=second) is None
    assert resident_of(second) is None
    assert Resident.objects.get(pk=shared.pk).user_id == first.pk


def test_no_phone_and_no_link_gives_none(world):
    user = make_user(Role.PARTY_MEMBER, world.community_a1)
    assert resident_of(user) is None
