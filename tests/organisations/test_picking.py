"""Issue 16 item 1, second half: partner units and micro-project payees pick a registered social
organisation instead of a typed name; the data migrations link old typed names that match
exactly one organisation of the row's community or its street. (Activities: tests/volunteering/
test_organisers.py.)"""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.microprojects import services as microprojects
from gongzhi.microprojects.models import Project, Round, Spending
from gongzhi.organisations import linking, selectors
from gongzhi.organisations.models import Organisation
from gongzhi.partners import services as partners
from gongzhi.partners.models import PartnerUnit
from gongzhi.volunteering.models import Activity
from tests.conftest import make_user


def _org(name, place, **kw):
    values = dict(
        name=name,
        kind="service_org",
        status="filed",
        filed_on=dt.date(2025, 1, 1),
        field="elderly",
        place=place,
        place_path=place.path,
    )
    values.update(kw)
    return Organisation.objects.create(**values)


@pytest.fixture
def pk(world):
    clock.set_now(dt.datetime(2026, 6, 1, 10, 0))
    return type(
        "P",
        (),
        dict(
            world=world,
            a1=world.community_a1,
            a2=world.community_a2,
            cw=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
            cw_a2=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
            officer=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
            grid=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
            mine=_org("夕阳红助老服务队", world.community_a1),
            street=_org("乐坪社工服务中心", world.street_a),
            neighbour=_org("二社区志愿队", world.community_a2),
            far=_org("关山社工站", world.street_b),
            gone=_org(
                "已注销协会",
                world.community_a1,
                status="dissolved",
                dissolved_on=dt.date(2026, 1, 1),
            ),
        ),
    )


# --------------------------------------------------------------------------- the selector


def test_choosable_is_the_viewers_area_and_the_street_above_it(pk):
    names = set(selectors.choosable(pk.cw).values_list("name", flat=True))
    assert names == {"夕阳红助老服务队", "乐坪社工服务中心"}  # not dissolved, not elsewhere
    at_a1 = set(selectors.choosable(pk.officer, pk.a1.path).values_list("name", flat=True))
    assert at_a1 == {"夕阳红助老服务队", "乐坪社工服务中心"}
    street_wide = set(selectors.choosable(pk.officer).values_list("name", flat=True))
    assert street_wide == {"夕阳红助老服务队", "乐坪社工服务中心", "二社区志愿队"}
    grid = set(selectors.choosable(pk.grid, pk.world.grid_a1_1.path).values_list("name", flat=True))
    assert grid == {"夕阳红助老服务队", "乐坪社工服务中心"}
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.choosable(AnonymousUser()).exists()


# --------------------------------------------------------------------------- partner units


def test_a_social_organisation_unit_is_one_on_the_register(pk):
    unit = partners.add_unit(pk.a1, actor=pk.cw, name="", kind="social_org", organisation=pk.mine)
    assert unit.organisation == pk.mine and unit.name == "夕阳红助老服务队"
    with pytest.raises(ValidationError) as info:  # typed only: refused
        partners.add_unit(pk.a1, actor=pk.cw, name="某某协会", kind="social_org")
    assert "organisation" in info.value.message_dict
    for wrong in (pk.neighbour, pk.far, pk.gone):
        with pytest.raises(ValidationError):
            partners.add_unit(pk.a1, actor=pk.cw, name="", kind="social_org", organisation=wrong)
    with pytest.raises(ValidationError):  # a company names no organisation
        partners.add_unit(pk.a1, actor=pk.cw, name="建材", kind="enterprise", organisation=pk.mine)
    firm = partners.add_unit(pk.a1, actor=pk.cw, name="湘中建材", kind="enterprise")
    assert firm.organisation is None
    assert PartnerUnit.objects.count() == 2


def test_the_units_page_offers_the_register_and_refuses_wrong_roles(pk, login):
    page = login(pk.cw).get(reverse("partners:units")).content.decode()
    assert 'data-testid="unit-organisation"' in page and "乐坪社工服务中心" in page
    assert "关山社工站" not in page
    made = login(pk.cw).post(
        reverse("partners:units"),
        {"place": pk.a1.pk, "kind": "social_org", "organisation": pk.street.pk, "name": ""},
    )
    assert made.status_code == 302
    unit = PartnerUnit.objects.get()
    assert unit.organisation == pk.street
    detail = login(pk.cw).get(reverse("partners:unit", args=[unit.pk])).content.decode()
    assert 'data-testid="unit-organisation"' in detail
    # another street's organisation by id: not offered, not linked
    login(pk.cw).post(
        reverse("partners:units"),
        {"place": pk.a1.pk, "kind": "social_org", "organisation": pk.far.pk, "name": "x"},
    )
    login(pk.cw).post(
        reverse("partners:units"),
        {"place": pk.a1.pk, "kind": "social_org", "organisation": "abc", "name": "x"},
    )
    assert PartnerUnit.objects.count() == 1
    # a grid worker reads the units but registers none (403)
    refused = login(pk.grid).post(
        reverse("partners:units"),
        {"place": pk.a1.pk, "kind": "social_org", "organisation": pk.mine.pk},
    )
    assert refused.status_code == 403
    api = APIClient()
    api.force_authenticate(pk.cw)
    row = api.get("/api/v1/partner-units/").data
    rows = row["results"] if isinstance(row, dict) else row
    assert rows[0]["organisation"] == pk.street.pk


# --------------------------------------------------------------------------- payees


def _selected_project(pk) -> Project:
    rnd = Round.objects.create(
        community=pk.a1, place_path=pk.a1.path, year=2026, budget_yuan=1000, phase="selected"
    )
    return Project.objects.create(
        round=rnd,
        place_path=pk.a1.path,
        title="楼道灯",
        description="d",
        proposed_cost=500,
        proposer_name="社区工作者",
        cost=500,
        review="feasible",
        selection="selected",
    )


def test_a_payee_is_picked_on_the_register_or_typed_when_it_is_no_organisation(pk):
    project = _selected_project(pk)
    paid = dict(amount="100", item="服务费", paid_on=dt.date(2026, 5, 1))
    entry = microprojects.add_spending(project, actor=pk.cw, organisation=pk.street, **paid)
    assert entry.organisation == pk.street and entry.payee == "乐坪社工服务中心"
    firm = microprojects.add_spending(project, actor=pk.cw, payee="娄底某建设公司", **paid)
    assert firm.organisation is None and firm.payee_name == "娄底某建设公司"
    with pytest.raises(ValidationError) as info:  # a registered organisation typed by name
        microprojects.add_spending(project, actor=pk.cw, payee="夕阳红助老服务队", **paid)
    assert "payee" in info.value.message_dict
    for wrong in (pk.neighbour, pk.far, pk.gone):
        with pytest.raises(ValidationError):
            microprojects.add_spending(project, actor=pk.cw, organisation=wrong, **paid)
    with pytest.raises(ValidationError):  # both
        microprojects.add_spending(
            project, actor=pk.cw, organisation=pk.mine, payee="娄底某建设公司", **paid
        )
    assert Spending.objects.count() == 2


def test_the_payee_select_on_the_page_and_the_api(pk, login):
    project = _selected_project(pk)
    url = reverse("microprojects:project", args=[project.pk])
    page = login(pk.cw).get(url).content.decode()
    assert 'data-testid="payee-organisation"' in page and "夕阳红助老服务队" in page
    assert "二社区志愿队" not in page
    action = reverse("microprojects:project_action", args=[project.pk, "spend"])
    form = {"amount": "50", "item": "服务", "paid_on": "2026-05-02"}
    login(pk.cw).post(action, {**form, "organisation": pk.mine.pk})
    login(pk.cw).post(action, {**form, "organisation": pk.far.pk})  # refused: not offered
    login(pk.cw).post(action, {**form, "organisation": "x1"})  # refused: malformed
    assert list(Spending.objects.values_list("organisation", flat=True)) == [pk.mine.pk]
    api = APIClient()
    api.force_authenticate(pk.cw)
    spend = f"/api/v1/microprojects/{project.pk}/spending/"
    ok = api.post(spend, {**form, "organisation": pk.street.pk}, format="json")
    assert ok.status_code == 201
    assert ok.data["entries"][-1]["organisation"] == pk.street.pk
    for bad in (pk.far.pk, "abc", 10**12):
        assert api.post(spend, {**form, "organisation": bad}, format="json").status_code == 400
    # wrong roles: another community's worker does not see the project; a grid worker may
    # not spend
    api.force_authenticate(pk.cw_a2)
    assert api.post(spend, {**form, "organisation": pk.mine.pk}).status_code == 404
    assert login(pk.grid).post(action, {**form, "organisation": pk.mine.pk}).status_code in (
        302,
        403,
        404,
    )
    assert Spending.objects.count() == 2


# --------------------------------------------------------------------------- the migrations


def test_link_by_name_links_exactly_one_match_in_the_community_or_its_street(pk):
    twin_a = _org("同名协会", pk.a1)
    _org("同名协会", pk.world.street_a)  # two in scope: not linked
    rows = [
        (1, " 夕阳红助老服务队 ", pk.a1.path),  # the community's own, trimmed
        (2, "乐坪社工服务中心", pk.world.grid_a1_1.path),  # the street's, from a grid
        (3, "二社区志愿队", pk.a1.path),  # another community's: not in scope
        (4, "关山社工站", pk.a1.path),  # another street's
        (5, "同名协会", pk.a1.path),  # two candidates: ambiguous
        (6, "不在名册", pk.a1.path),
        (7, "", pk.a1.path),
        (8, "二社区志愿队", pk.world.street_a.path),  # a street's row: its communities count
    ]
    assert linking.link_by_name(Organisation, rows) == {
        1: pk.mine.pk,
        2: pk.street.pk,
        8: pk.neighbour.pk,
    }
    assert twin_a.pk not in linking.link_by_name(Organisation, rows).values()


def _migration(app, name):
    return importlib.import_module(f"gongzhi.{app}.migrations.{name}")


def test_the_three_data_migrations_link_and_keep_the_text(pk, world):
    now = clock.now()
    typed = Activity.objects.create(
        community=pk.a1,
        place_path=world.grid_a1_1.path,
        title="旧活动",
        location="活动室",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        capacity=5,
        organiser=pk.cw,
        organiser_kind="social_org",
        organiser_name="乐坪社工服务中心",
    )
    unknown = Activity.objects.create(
        community=pk.a1,
        place_path=pk.a1.path,
        title="旧活动二",
        location="活动室",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        capacity=5,
        organiser=pk.cw,
        organiser_kind="social_org",
        organiser_name="没登记的协会",
    )
    unit = PartnerUnit.objects.create(
        name="夕阳红助老服务队", kind="social_org", place=pk.a1, place_path=pk.a1.path
    )
    firm = PartnerUnit.objects.create(
        name="乐坪社工服务中心", kind="enterprise", place=pk.a1, place_path=pk.a1.path
    )
    project = _selected_project(pk)
    paid = Spending.objects.create(
        project=project, amount=10, payee="夕阳红助老服务队", paid_on=dt.date(2026, 5, 1)
    )
    company = Spending.objects.create(
        project=project, amount=10, payee="某建设公司", paid_on=dt.date(2026, 5, 1)
    )
    _migration("volunteering", "0004_link_organisations").link(apps, None)
    _migration("partners", "0004_link_organisations").link(apps, None)
    _migration("microprojects", "0006_link_organisations").link(apps, None)
    for row in (typed, unknown, unit, firm, paid, company):
        row.refresh_from_db()
    assert typed.organisation == pk.street and typed.organiser_name == "乐坪社工服务中心"
    assert unknown.organisation is None and unknown.organiser_body == "没登记的协会"
    assert unit.organisation == pk.mine and firm.organisation is None
    assert paid.organisation == pk.mine and paid.payee == "夕阳红助老服务队"
    assert company.organisation is None and company.payee_name == "某建设公司"
