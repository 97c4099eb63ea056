"""Pay floors (issue 15 item 6, 001 §15: 正职不低于1500元/月, 副职1400, 委员1200): members of the
two committees whose recorded pay is below their role's floor, boundary values, the highest
floor for a person with two seats, part-time posts left out, and pay hidden from a grid worker
(page and API)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.places.models import PostTerms
from gongzhi.workforce import pay
from gongzhi.workforce.models import CommitteeKind
from tests.workforce.conftest import PROFILE, add, seat, term

pytestmark = pytest.mark.django_db

PAY_PROFILE = PROFILE + (
    "pay:\n"
    "  chief_min_yuan_per_month: 1500  # 001 §15: 基本报酬正职不低于1500[元]/月\n"
    "  deputy_min_yuan_per_month: 1400  # 001 §15: 副职不低于1400[元]/月\n"
    "  member_min_yuan_per_month: 1200  # 001 §15: 委员不低于1200[元]/月\n"
)


@pytest.fixture
def pw(wf, profile_dir):
    (profile_dir / "workforce-pay.yaml").write_text(PAY_PROFILE)
    wf.world.district.policy_profile = "workforce-pay"
    wf.world.district.save()
    return wf


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def paid(pw):
    people = pw.people
    chief = add(pw, people[0], monthly_pay_yuan="1499.99")  # below 1500
    deputy = add(pw, people[1], monthly_pay_yuan="1400")  # exactly the floor
    member = add(pw, people[2], monthly_pay_yuan="1199")  # below 1200
    at_floor = add(pw, people[3], monthly_pay_yuan="1200")  # exactly the floor
    no_pay = add(pw, people[4])  # pay not recorded
    no_seat = add(pw, people[5], monthly_pay_yuan="100")  # no committee seat
    party = term(pw, CommitteeKind.PARTY, seats=5)
    residents = term(pw, CommitteeKind.RESIDENTS, seats=5)
    seat(pw, party, chief, "secretary")
    seat(pw, party, deputy, "deputy_secretary")
    seat(pw, party, member)
    seat(pw, party, at_floor)
    seat(pw, party, no_pay)
    # a member of the party committee who is deputy director too: held to 1400
    seat(pw, residents, at_floor, "deputy_director")
    return {"chief": chief, "deputy": deputy, "member": member, "both": at_floor, "x": no_seat}


def test_below_floor_with_boundaries(pw, paid):
    rows = {r.worker.pk: r for r in pay.below_floor(pw.secretary)}
    assert set(rows) == {paid["chief"].pk, paid["member"].pk, paid["both"].pk}
    assert rows[paid["chief"].pk].floor_yuan == "1500.00"
    assert rows[paid["both"].pk].floor_yuan == "1400.00"  # the highest of its two roles
    assert "001 §15" in rows[paid["chief"].pk].citation


def test_part_time_post_left_out(pw, paid):
    chief = paid["chief"]
    post = pw.secretary.posts.first()
    chief.resident.user = pw.secretary
    chief.resident.save()
    chief.post = post
    chief.save()
    PostTerms.objects.create(post=post, full_time=False)
    assert chief.pk not in {r.worker.pk for r in pay.below_floor(pw.secretary)}


def test_no_pay_keys_lists_nobody(wf):
    worker = add(wf, wf.people[0], monthly_pay_yuan="1")
    seat(wf, term(wf), worker, "secretary")
    assert pay.below_floor(wf.secretary) == []


def test_page_and_api_for_those_who_see_pay(pw, paid, login):
    for user in (pw.secretary, pw.street):
        client = login(user)
        page = client.get(reverse("workforce:pay_floors")).content.decode()
        assert page.count('data-testid="pay-row"') == 3 and "1499.99" in page
        assert (
            reverse("workforce:pay_floors")
            in client.get(reverse("workforce:index")).content.decode()
        )
        data = _api(user).get("/api/v1/workforce-pay-floors/").json()
        assert {r["worker"] for r in data} == {paid["chief"].pk, paid["member"].pk, paid["both"].pk}


def test_grid_worker_cannot_see_pay_floors(pw, paid, login):
    client = login(pw.grid)
    assert client.get(reverse("workforce:pay_floors")).status_code == 403
    assert (
        reverse("workforce:pay_floors")
        not in client.get(reverse("workforce:index")).content.decode()
    )
    assert _api(pw.grid).get("/api/v1/workforce-pay-floors/").status_code == 403
    assert client.get(reverse("workforce:pay_floors")).status_code == 403
    # nor a community worker or another community's worker (no workforce.personal)
    assert login(pw.worker).get(reverse("workforce:pay_floors")).status_code == 403
    assert _api(pw.worker_a2).get("/api/v1/workforce-pay-floors/").status_code == 403


def test_other_street_sees_none(pw, paid):
    from gongzhi.core.roles import Role
    from tests.conftest import make_user

    other = make_user(Role.STREET_OFFICER, pw.world.street_b, name="乙街道")
    assert _api(other).get("/api/v1/workforce-pay-floors/").json() == []
