"""The register of processing activities (PIPL arts. 55–56)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.privacy.models import ProcessingActivity
from tests.conftest import make_user


@pytest.fixture
def officer(world):
    return make_user(Role.DISTRICT_OFFICER, world.district, name="区干部")


def test_register_page_lists_seeded_activities(officer, login):
    response = login(officer).get(reverse("privacy:register"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "居民信息登记" in html and "履行法定职责" in html
    assert 'data-testid="retention"' in html


def test_export_is_formula_safe_and_audited(officer, login):
    ProcessingActivity.objects.filter(code="registry").update(purpose="=cmd|' /C calc'!A0")
    response = login(officer).post(reverse("privacy:register_export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + ProcessingActivity.objects.count()
    assert rows[1][1].startswith("'=")
    assert (
        AuditRecord.objects.get(action="privacy.register_export").changes["count"] == len(rows) - 1
    )


@pytest.mark.parametrize(
    "role,place", [(Role.COMMUNITY_SECRETARY, "community_a1"), (Role.RESIDENT, None)]
)
def test_other_roles_get_403_on_page_and_api(world, login, role, place):
    if role == Role.RESIDENT:
        building = world.grid_a1_1.buildings[0]
        user = make_user(role, building, household=Household.objects.filter(building=building)[0])
    else:
        user = make_user(role, getattr(world, place))
    client = login(user)
    assert client.get(reverse("privacy:register")).status_code == 403
    assert client.post(reverse("privacy:register_export")).status_code == 403
    assert client.get("/api/v1/privacy/register/").status_code == 403
    assert not AuditRecord.objects.filter(action="privacy.register_export").exists()


def test_api_lists_the_register(officer, login):
    response = login(officer).get("/api/v1/privacy/register/")
    assert response.status_code == 200
    assert {r["code"] for r in response.json()["results"]} >= {"registry", "tickets"}
