"""The people registry feeds the compliance page with the people living in each grid."""

from gongzhi.people.compliance import people_per_grid
from gongzhi.people.models import Resident
from gongzhi.places import compliance
from gongzhi.places.compliance import Status
from gongzhi.places.models import Household, Place


def _residents(building, n, *, active=True):
    home = Household.objects.filter(building=building).first()
    Resident.objects.bulk_create(
        Resident(
            name=f"居民{i}",
            name_initials="jm",
            gender="F",
            household=home,
            place_path=home.place_path,
            is_active=active,
        )
        for i in range(n)
    )


def test_people_are_counted_per_grid_from_the_registry(world, django_assert_max_num_queries):
    _residents(world.grid_a1_1.buildings[0], 3)
    _residents(world.grid_a1_1.buildings[1], 2)
    _residents(world.grid_a1_1.buildings[1], 4, active=False)  # moved out: not counted
    _residents(world.grid_a2_1.buildings[0], 7)  # another community
    grids = list(Place.objects.filter(pk__in=[world.grid_a1_1.pk, world.grid_a1_2.pk]))
    with django_assert_max_num_queries(1):
        counts = people_per_grid(grids)
    # the second grid has households but nobody in the registry yet: left out → "not recorded"
    assert counts == {world.grid_a1_1.pk: 5}


def test_the_compliance_report_uses_the_registry(world):
    Place.objects.filter(pk=world.district.pk).update(policy_profile="loudi")
    _residents(world.grid_a1_1.buildings[0], 5)
    assert compliance.people_provider() is people_per_grid  # installed when the app loads
    report = compliance.community_report(Place.objects.get(pk=world.community_a1.pk))
    rows = {row.grid.pk: row for row in report.grids}
    assert rows[world.grid_a1_1.pk].people == 5
    assert rows[world.grid_a1_1.pk].people_status == Status.OK
    assert rows[world.grid_a1_2.pk].people_status == Status.NOT_RECORDED
