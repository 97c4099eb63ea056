"""No button a user is shown answers 403 (issue 19, item 4).

One user per role, posted at home as tests/conftest.py posts them, on a world with something
on every page: tickets in several states (two resolved for the resident to rate), the partner
lists with claims completed on both sides (the partner contact's 确认完成 of issue 19), and one
object of every model in the home community (built as tests/security/conftest.py builds the
foreign ones). Each role's menu and service tiles are walked with the pages they link to; every
button link is followed and every form is sent as the page would send it (each post undone
after its answer, tests/ui/crawl.py). None may answer 403.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import override_settings

from gongzhi.core import navigation
from gongzhi.core.roles import Role
from gongzhi.partners import services as partners
from gongzhi.partners.models import ListKind
from gongzhi.places.models import Household
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, HandlerKind, Kind
from gongzhi.tickets.workflow import Step
from tests.conftest import ROLE_HOME, _community, make_place, make_user
from tests.security.conftest import build_foreign
from tests.ui.crawl import walk

ROLES = {role: home for role, (home, _sibling) in ROLE_HOME.items()}
ROLES[Role.RESIDENT] = "building"
ROLES[Role.BUILDING_HEAD] = "building"
# As in the demo: a partner unit is paired with the street, its contact posted there.
ROLES[Role.PARTNER_CONTACT] = "street_a"


def _tickets(world, users) -> None:
    repair = Category.objects.create(code="ui-repair", name="维修")
    resident, gw, cw, pm = (
        users[Role.RESIDENT],
        users[Role.GRID_WORKER],
        users[Role.COMMUNITY_WORKER],
        users[Role.PARTY_MEMBER],
    )

    def new(text):
        return tickets.submit(actor=resident, kind=Kind.HELP, category=repair, text=text)

    def run(ticket, step, actor, **params):
        function, _names = tickets.STEPS[step]
        return function(ticket, actor=actor, **params)

    new("楼道灯不亮")  # submitted: the grid worker's queue
    for text in ("水管漏水", "门禁坏了"):  # two resolved: the resident rates them
        t = run(new(text), Step.ACCEPT, gw)
        t = run(t, Step.ESCALATE, gw, note="需社区协调")
        t = run(t, Step.DISPATCH, cw, handler_user=pm, handler_kind=HandlerKind.PARTY_MEMBER)
        t = run(t, Step.START, pm)
        run(t, Step.RESOLVE, pm, note="已修好")
    t = run(new("垃圾清运"), Step.ACCEPT, gw)
    run(t, Step.ESCALATE, gw, note="需社区协调")  # the dispatch board
    t = run(new("路灯"), Step.ACCEPT, gw)
    t = run(t, Step.ESCALATE, gw, note="需社区协调")
    run(t, Step.POOL, cw)  # the pool


def _partners(world, users) -> None:
    a1, street = world.community_a1, world.street_a
    staff, contact = users[Role.COMMUNITY_WORKER], users[Role.PARTNER_CONTACT]
    officer = make_user(Role.STREET_OFFICER, street)
    unit = partners.add_unit(
        street, actor=officer, name="实验小学", kind="school", contacts=[contact]
    )
    # A need the partner's unit did: community staff confirm it, not the partner.
    need = partners.add_item(a1, actor=staff, kind=ListKind.NEED, title="老人助餐")
    made = partners.claim(need.pk, actor=contact, unit=unit)
    partners.complete(made.pk, actor=contact, evidence="每周三送餐")
    # A resource of the partner's unit the community used: the partner confirms it.
    resource = partners.add_item(
        street, actor=contact, kind=ListKind.RESOURCE, title="操场开放", category="venue", unit=unit
    )
    used = partners.claim(resource.pk, actor=staff, community=a1)
    partners.complete(used.pk, actor=staff, evidence="暑期开放四周")
    partners.add_item(a1, actor=staff, kind=ListKind.PROJECT, title="口袋公园")


@pytest.fixture(scope="module")
def walkers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at its end (as the URL
    matrix does); each test runs in a savepoint inside it."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("ui-media")))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()


def _build() -> dict:
    world = _world()
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    places = {**vars(world), "building": building}
    users = {
        role: make_user(
            role,
            places[where],
            household=home if role == Role.RESIDENT else None,
            phone="13900000001" if role == Role.RESIDENT else None,
        )
        for role, where in ROLES.items()
    }
    _tickets(world, users)
    _partners(world, users)
    at_home = SimpleNamespace(
        **vars(world),
        community_b1=world.community_a1,
        estate_b1=world.grid_a1_1.estate,
        building_b1=world.grid_a1_2.buildings[0],
    )
    with transaction.atomic():
        build_foreign(at_home)
    return users


def _world() -> SimpleNamespace:
    """The world of tests/conftest.py `world` (a function-scoped fixture there)."""
    # A policy document on the district: pages that cite it link to it (for those who may read).
    d = make_place(
        None, "district", "洪山区", "420111", official_code="420111", policy_profile="loudi"
    )
    sa = make_place(d, "street", "珞南街道", "420111002000", official_code="420111002000")
    sb = make_place(d, "street", "关山街道", "420111003000", official_code="420111003000")
    a1, a1_grids = _community(sa, "珞南一社区", "420111002001", ["G01", "G02"])
    a2, _a2_grids = _community(sa, "珞南二社区", "420111002002", ["G01"])
    d2 = make_place(None, "district", "武昌区", "420106", official_code="420106")
    return SimpleNamespace(
        district=d,
        district_b=d2,
        street_a=sa,
        street_b=sb,
        community_a1=a1,
        community_a2=a2,
        grid_a1_1=a1_grids[0],
        grid_a1_2=a1_grids[1],
    )


def _start_pages(user) -> list[str]:
    menu = [item["url"] for group in navigation.menu_for(user) for item in group["items"]]
    return ["/", *menu, *(item["url"] for item in navigation.services_for(user))]


@pytest.mark.parametrize("role", list(ROLES))
def test_no_button_answers_403(walkers, db, client, role):
    user = walkers[role]
    client.force_login(user)
    client.raise_request_exception = False
    findings, requests = walk(client, _start_pages(user), depth=1, max_pages=30)
    assert requests > 3, "the walk reached the user's pages"
    assert not findings, "\n".join(f"{f.page} → {f.method} {f.target}" for f in findings)
