"""The workbench (工作台, issue 19 item 1): to-dos that link to the lists they count, today's
schedule, key figures with their trend; bounded queries; costly counts cached under a hashed
key.

The world is the one tests/ui/test_no_forbidden_buttons.py builds (one user per role at home,
tickets in several states, the partner lists with claims, one object of every model in the
home community), built once for the module.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from gongzhi.core import access, clock, dashboard
from gongzhi.core.roles import Action, Role
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, Kind, Ticket
from gongzhi.tickets.workflow import Step
from tests.conftest import make_user
from tests.ui.test_no_forbidden_buttons import ROLES, _build

# To-dos that are one thing to do on their page rather than rows of a list.
NOT_A_LIST = {"partylife.pledge"}
STAFF_ROLES = [
    Role.GRID_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_WORKER,
    Role.STREET_OFFICER,
    Role.DISTRICT_OFFICER,
    Role.PROPERTY_STAFF,
    Role.BUILDING_HEAD,
    Role.SYSTEM_ADMIN,
]


@pytest.fixture(scope="module")
def users(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("dash-media")))
    media.enable()
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build()
            _more_tickets(built)
            _party_member(built[Role.PARTY_MEMBER])
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            media.disable()


def _more_tickets(users) -> None:
    """Twelve more tickets in the grid worker's queue, three of them overdue, one supervised:
    the query bound must hold with rows on every list."""
    category = Category.objects.filter(code="ui-repair").first() or Category.objects.create(
        code="dash-repair", name="维修"
    )
    resident = users[Role.RESIDENT]
    made = [
        tickets.submit(actor=resident, kind=Kind.HELP, category=category, text=f"报修{i}")
        for i in range(12)
    ]
    past = clock.now() - dt.timedelta(days=30)
    Ticket.objects.filter(pk__in=[t.pk for t in made[:3]]).update(
        response_due=past, resolve_due=past
    )
    Ticket.objects.filter(pk=made[3].pk).update(supervised=True)
    fn, _names = tickets.STEPS[Step.ACCEPT]
    fn(made[4], actor=users[Role.GRID_WORKER])


def _party_member(user) -> None:
    """The party member's login is an active member of a branch (his pledge is due)."""
    from gongzhi.party.models import OrgKind
    from tests.party.conftest import first_household, make_member, make_org, make_resident

    community = access.active_posts(user)[0].place
    grid = community.children.filter(kind="grid").order_by("path").first()
    branch = make_org(OrgKind.BRANCH, "看板党支部", grid)
    resident = make_resident(first_household(grid), "看板党员")
    make_member(resident, branch)
    resident.user = user
    resident.save(update_fields=["user"])


def _tiles(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response, {t.key: t for t in response.context["todos"]}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_count_equals_the_rows_of_the_list_it_links_to(users, db, client, role):
    user = users[role]
    _response, tiles = _tiles(client, user)
    for tile in tiles.values():
        page = client.get(tile.url)
        assert page.status_code == 200, (tile.key, tile.url)
        if tile.key in NOT_A_LIST:
            assert tile.count in (0, 1)
            continue
        listed = page.context["page"].paginator.count
        assert tile.count == listed, (role, tile.key, tile.url)


def test_the_roles_see_the_to_dos_of_their_posts(users, db, client):
    seen = {role: set(_tiles(client, users[role])[1]) for role in ROLES}
    assert {"tickets.queue", "tickets.overdue", "tickets.supervised"} <= seen[Role.GRID_WORKER]
    assert {"tickets.board", "tickets.overdue"} <= seen[Role.COMMUNITY_SECRETARY]
    assert "tickets.pool" in seen[Role.PARTY_MEMBER]
    assert "partylife.pledge" in seen[Role.PARTY_MEMBER]
    assert "partners.needs_open" in seen[Role.PARTNER_CONTACT]
    assert "keytasks.overdue" in seen[Role.STREET_OFFICER]
    # Wrong roles: a grid worker does not dispatch, a resident has no staff list, a party
    # member has no queue, a partner contact only the tickets handed to his unit.
    assert "tickets.board" not in seen[Role.GRID_WORKER]
    assert not {k for k in seen[Role.RESIDENT] if k.startswith(("tickets.", "keytasks."))}
    assert "tickets.queue" not in seen[Role.PARTY_MEMBER]
    assert {k for k in seen[Role.PARTNER_CONTACT] if k.startswith("tickets.")} <= {"tickets.taken"}
    assert "workforce.rewards" not in seen[Role.COMMUNITY_WORKER]


def test_a_provider_is_not_asked_for_a_user_without_its_right(users, db):
    asked = []
    todo = dashboard.Todo(
        "test.audit",
        "audit",
        "shield",
        "audit:list",
        lambda u: asked.append(u) or 7,
        (Action.AUDIT_VIEW,),
    )
    dashboard.register_todo(todo)
    try:
        assert dashboard.todo_count(users[Role.GRID_WORKER], todo) is None
        assert asked == []
        assert dashboard.todo_count(users[Role.AUDIT_ADMIN], todo) == 7
    finally:
        dashboard._TODOS.pop("test.audit")


def test_zero_tiles_are_shown_muted(users, db, client):
    response, tiles = _tiles(client, users[Role.COMMUNITY_SECRETARY])
    zero = [t for t in tiles.values() if t.count == 0]
    assert zero, "the secretary has a list with nothing on it"
    html = response.content.decode()
    assert f'data-key="{zero[0].key}" data-count="0"' in html
    assert "bg-body-tertiary" in html


# Queries per role with the module's data: posts, session and user, one count per to-do,
# one query per today provider, one aggregate per figure, the jurisdiction's counts.
BOUND = 36


@pytest.mark.parametrize("role", [*STAFF_ROLES, Role.PARTY_MEMBER, Role.PARTNER_CONTACT])
def test_the_home_page_is_bounded(users, db, client, role, django_assert_max_num_queries):
    client.force_login(users[role])
    client.get(reverse("home"))  # sessions, caches warm as in use
    cache.clear()
    with django_assert_max_num_queries(BOUND):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_costly_counts_are_cached_under_a_hashed_key(users, db, client):
    user = users[Role.GRID_WORKER]
    cache.clear()
    before = {t.key: t.count for t in dashboard.todos_for(user)}
    key = dashboard.cache_key(user, "tickets.overdue")
    assert key.startswith("dashboard:") and len(key) == len("dashboard:") + 40
    assert cache.get(key) == before["tickets.overdue"]
    # The user's id is nowhere in the key in plain text (a keyed hash).
    assert f":{user.pk}:" not in key and not key.endswith(f":{user.pk}")
    # A new overdue ticket shows once the cache has expired (or is forgotten).
    category = Category.objects.first()
    made = tickets.submit(actor=users[Role.RESIDENT], kind=Kind.HELP, category=category, text="新")
    past = clock.now() - dt.timedelta(days=30)
    Ticket.objects.filter(pk=made.pk).update(response_due=past, resolve_due=past)
    assert {t.key: t.count for t in dashboard.todos_for(user)}["tickets.overdue"] == before[
        "tickets.overdue"
    ]
    dashboard.forget(user)
    assert {t.key: t.count for t in dashboard.todos_for(user)}["tickets.overdue"] == (
        before["tickets.overdue"] + 1
    )


def test_figures_show_this_month_against_last(users, db, client):
    response, _tiles_ = _tiles(client, users[Role.COMMUNITY_SECRETARY])
    figures = response.context["figures"]
    labels = [str(f.label) for f in figures]
    assert "本月工单" in labels, labels
    tickets_now = next(f for f in figures if str(f.label) == "本月工单")
    assert tickets_now.value >= 12
    assert tickets_now.trend in ("up", "flat", "down")
    html = response.content.decode()
    assert 'data-testid="figure"' in html and "bi-arrow-" in html


def test_figure_trend():
    up = dashboard.Figure("x", 5, 3)
    assert (up.trend, up.good) == ("up", True)
    worse = dashboard.Figure("x", 5, 3, higher_is_better=False)
    assert (worse.trend, worse.good) == ("up", False)
    assert dashboard.Figure("x", None, 3).trend == ""
    assert dashboard.Figure("x", 2, 2).good is None


def test_today_lists_the_days_activities_and_meetings(users, db, client):
    from gongzhi.volunteering.models import Activity

    secretary = users[Role.COMMUNITY_SECRETARY]
    home = access.active_posts(secretary)[0].place
    activity = (
        Activity.objects.filter(place_path__startswith=home.path)
        .exclude(status="cancelled")
        .first()
    )
    assert activity is not None, "build_foreign makes an activity in the home community"
    client.force_login(secretary)
    with clock.travel_to(activity.starts_at - dt.timedelta(minutes=1)):
        response = client.get(reverse("home"))
        titles = [e.title for e in response.context["events"]]
    assert activity.title in titles
    assert reverse("volunteering:activity", args=[activity.pk]) in response.content.decode()


def test_a_resident_sees_no_staff_tiles_and_the_party_member_his_pool(users, db, client):
    client.force_login(users[Role.RESIDENT])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "tickets/pool" not in response.content.decode()
    client.force_login(users[Role.PARTY_MEMBER])
    response = client.get(reverse("home"))
    assert reverse("tickets:pool") in response.content.decode()
    assert "我的待办" in response.content.decode()
    # On the phone home page only what has something in it: nothing → no section.
    assert all(t.count for t in response.context["todos"])
    client.force_login(users[Role.MERCHANT])
    response = client.get(reverse("home"))
    assert "我的待办" not in response.content.decode()


def test_a_staff_user_without_any_post_list_sees_the_empty_note(users, db, client):
    user = make_user(Role.SECURITY_ADMIN, None)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "今天没有活动、会议或走访" in response.content.decode()


def test_a_second_look_within_the_ttl_reads_the_costly_counts_from_the_cache(users, db, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users[Role.STREET_OFFICER])
    client.get(reverse("home"))
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("home"))
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("home"))
    # Overdue and supervised tickets, overdue key tasks, two figure aggregates.
    assert len(second) <= len(first) - 4, (len(first), len(second))
