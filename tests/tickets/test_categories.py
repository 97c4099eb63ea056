"""The configurable category tree: pages for district officers and system admins (the tree,
add at the top or under a category, edit, deactivate / activate, delete when unused), services
with audit records, every other role refused, clear Chinese messages for bad input, and inactive
categories no longer offered while old tickets keep theirs."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core.models import AuditRecord
from gongzhi.core.navigation import menu_for
from gongzhi.core.roles import Role
from gongzhi.tickets import services
from gongzhi.tickets.models import Category, Kind, RoutingTarget
from tests.conftest import make_user

LIST = reverse("tickets:categories")
NEW = reverse("tickets:category_new")


def _edit(c):
    return reverse("tickets:category_edit", args=[c.pk])


def _change(c, change):
    return reverse("tickets:category_change", args=[c.pk, change])


def _messages(res) -> list[str]:
    return [str(m) for m in get_messages(res.wsgi_request)]


@pytest.fixture
def admins(world):
    return {
        "district": make_user(Role.DISTRICT_OFFICER, world.district, name="区干部"),
        "sysadmin": make_user(Role.SYSTEM_ADMIN, None, name="管理员"),
    }


@pytest.fixture
def officer(admins):
    return admins["district"]


@pytest.fixture
def tree(db):
    """市政 (municipal) → 景观灯 (lamp), 道路 (road); 综合 (other) at the top."""
    municipal = Category.objects.create(code="x-municipal", name="市政", sort=0)
    return {
        "municipal": municipal,
        "lamp": Category.objects.create(code="x-lamp", name="景观灯", parent=municipal, sort=0),
        "road": Category.objects.create(code="x-road", name="道路", parent=municipal, sort=1),
        "other": Category.objects.create(code="x-other", name="综合", sort=5),
    }


# --------------------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["district", "sysadmin"])
def test_the_tree_page_renders_for_the_roles_that_configure_it(client, admins, tree, who):
    client.force_login(admins[who])
    res = client.get(LIST)
    assert res.status_code == 200
    html = res.content.decode()
    codes = re.findall(r'data-testid="category" data-code="([^"]+)"', html)
    # Parents before their children, children in their order.
    assert codes.index("x-municipal") < codes.index("x-lamp") < codes.index("x-road")
    assert "工单类别" in html
    for url in (NEW, f"{NEW}?parent={tree['municipal'].pk}", _edit(tree["lamp"])):
        assert client.get(url).status_code == 200, url


REFUSED = ["street", "cw", "gw", "resident", "pm1", "volunteer", "building_head"]


@pytest.mark.parametrize("who", REFUSED)
def test_every_other_role_is_refused_on_every_page_and_change(client, people, tree, who):
    user = getattr(people, who)
    client.force_login(user)
    lamp = tree["lamp"]
    for url in (LIST, NEW, _edit(lamp)):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, {"name": "新类别", "routing": "grid"}).status_code == 403
    assert client.post(_edit(lamp), {"name": "改名", "routing": "grid"}).status_code == 403
    for change in ("deactivate", "delete"):
        assert client.post(_change(lamp, change)).status_code == 403
    lamp.refresh_from_db()
    assert lamp.name == "景观灯" and lamp.is_active
    assert not Category.objects.filter(name__in=["新类别", "改名"]).exists()
    with pytest.raises(PermissionDenied):
        services.create_category(actor=user, name="新类别")
    with pytest.raises(PermissionDenied):
        services.deactivate_category(lamp, actor=user)


def test_the_menu_shows_the_entry_only_to_those_who_configure(officer, people):
    def labels(user):
        return [str(i["label"]) for g in menu_for(user) for i in g["items"]]

    from django.utils import translation

    with translation.override("en"):
        assert "Ticket categories" in labels(officer)
        assert "Ticket categories" not in labels(people.cw)
        assert "Ticket categories" not in labels(people.street)  # the tree is shared


def test_anonymous_visitors_are_sent_to_login(client, db):
    res = client.get(LIST)
    assert res.status_code == 302 and "login" in res["Location"]


# --------------------------------------------------------------------------- add and edit


def test_add_at_the_top_and_under_a_category_with_audit(client, officer, tree):
    client.force_login(officer)
    res = client.post(NEW, {"name": " 绿化 ", "routing": "grid", "default_priority": "low"})
    assert res.status_code == 302 and res["Location"] == LIST
    assert "已添加类别“绿化”。" in _messages(res)
    top = Category.objects.get(name="绿化")
    assert top.parent is None and top.is_active and top.code.startswith("c-")
    # Under 市政: the form starts with the parent's routing.
    form = client.get(f"{NEW}?parent={tree['municipal'].pk}").content.decode()
    assert "在“市政”下新增子类别" in form
    res = client.post(
        NEW,
        {
            "name": "井盖",
            "parent": tree["municipal"].pk,
            "code": "manhole",
            "routing": RoutingTarget.COMMUNITY,
            "default_priority": "high",
            "response_hours": "4",
            "resolve_hours": "48",
            "sort": "3",
        },
    )
    assert res.status_code == 302
    child = Category.objects.get(code="manhole")
    assert (child.parent, child.routing, child.default_priority) == (
        tree["municipal"],
        RoutingTarget.COMMUNITY,
        "high",
    )
    assert (child.response_hours, child.resolve_hours, child.sort) == (4, 48, 3)
    record = AuditRecord.objects.get(action="ticket.category_create", target_id=str(child.pk))
    assert record.actor_id == officer.pk and record.post_id == officer.posts.get().pk
    assert record.changes["name"] == [None, "井盖"]
    # The new child shows in the tree under its parent.
    html = client.get(LIST).content.decode()
    codes = re.findall(r'data-testid="category" data-code="([^"]+)"', html)
    assert codes.index("x-municipal") < codes.index("manhole") < codes.index("x-other")


def test_edit_name_routing_priority_and_hours_with_audit(client, officer, tree):
    lamp = tree["lamp"]
    client.force_login(officer)
    html = client.get(_edit(lamp)).content.decode()
    assert 'value="景观灯"' in html and "x-lamp" in html
    res = client.post(
        _edit(lamp),
        {
            "name": "景观照明",
            "parent": tree["municipal"].pk,
            "routing": RoutingTarget.PROPERTY_COMPANY,
            "default_priority": "urgent",
            "response_hours": "",
            "resolve_hours": "24",
            "sort": "0",
        },
    )
    assert res.status_code == 302 and "已保存类别“景观照明”。" in _messages(res)
    lamp.refresh_from_db()
    assert (lamp.name, lamp.routing, lamp.default_priority, lamp.resolve_hours) == (
        "景观照明",
        RoutingTarget.PROPERTY_COMPANY,
        "urgent",
        24,
    )
    assert lamp.code == "x-lamp"  # the code never changes
    record = AuditRecord.objects.get(action="ticket.category_update")
    assert record.changes["name"] == ["景观灯", "景观照明"]
    assert record.changes["routing"] == ["grid", "property_company"]


def test_moving_a_category_under_another_one(client, officer, tree):
    client.force_login(officer)
    road = tree["road"]
    data = {
        "name": "道路",
        "parent": tree["other"].pk,
        "routing": "grid",
        "default_priority": "normal",
    }
    assert client.post(_edit(road), data).status_code == 302
    road.refresh_from_db()
    assert road.parent == tree["other"]


# --------------------------------------------------------------------------- bad input


def _errors(res) -> str:
    return " ".join(re.findall(r'role="alert">([^<]+)<', res.content.decode()))


def test_an_empty_name_is_refused_with_a_clear_message(client, officer, tree):
    client.force_login(officer)
    for url in (NEW, _edit(tree["lamp"])):
        res = client.post(url, {"name": "   ", "routing": "grid", "default_priority": "normal"})
        assert res.status_code == 200 and "请填写类别名称。" in _errors(res)
    tree["lamp"].refresh_from_db()
    assert tree["lamp"].name == "景观灯"
    with pytest.raises(ValidationError) as error:
        services.create_category(actor=officer, name="  ")
    assert error.value.message_dict["name"] == ["请填写类别名称。"]


def test_a_duplicate_name_among_siblings_is_refused_but_allowed_elsewhere(client, officer, tree):
    client.force_login(officer)
    municipal = tree["municipal"]
    data = {"name": "道路", "parent": municipal.pk, "routing": "grid", "default_priority": "normal"}
    res = client.post(NEW, data)
    assert res.status_code == 200
    assert "同一上级类别下已有名为“道路”的类别" in _errors(res)
    assert Category.objects.filter(name="道路").count() == 1
    # Renaming 景观灯 to its sibling's name: refused too; at the top level the same for 综合.
    res = client.post(_edit(tree["lamp"]), data)
    assert "同一上级类别下已有名为“道路”的类别" in _errors(res)
    res = client.post(NEW, {"name": "综合", "routing": "grid", "default_priority": "normal"})
    assert "已有名为“综合”的类别" in _errors(res)
    # The same name under another parent is fine.
    data["parent"] = tree["other"].pk
    assert client.post(NEW, data).status_code == 302
    assert Category.objects.filter(name="道路").count() == 2


def test_the_database_refuses_duplicate_sibling_names_too(tree):
    for parent in (tree["municipal"], None):
        name = "景观灯" if parent else "综合"
        with pytest.raises(IntegrityError), transaction.atomic():
            Category.objects.create(code=f"dup-{bool(parent)}", name=name, parent=parent)


def test_a_cycle_is_refused_with_a_clear_message(client, officer, tree):
    client.force_login(officer)
    municipal, lamp = tree["municipal"], tree["lamp"]
    deeper = services.create_category(actor=officer, name="灯杆", parent=lamp)
    for new_parent in (municipal, lamp, deeper):  # itself, its child, its grandchild
        res = client.post(
            _edit(municipal),
            {
                "name": "市政",
                "parent": new_parent.pk,
                "routing": "grid",
                "default_priority": "normal",
            },
        )
        assert res.status_code == 200
        assert "不能把类别移到它自己或它的下级类别之下。" in _errors(res)
    municipal.refresh_from_db()
    assert municipal.parent is None


def test_a_bad_or_taken_code_and_bad_hours_are_refused(client, officer, tree):
    client.force_login(officer)
    base = {"name": "新", "routing": "grid", "default_priority": "normal"}
    assert "代码“x-lamp”已被使用。" in _errors(client.post(NEW, {**base, "code": "x-lamp"}))
    assert "代码为 1–40 个小写字母" in _errors(client.post(NEW, {**base, "code": "有 空格"}))
    assert client.post(NEW, {**base, "response_hours": "0"}).status_code == 200
    with pytest.raises(ValidationError) as error:
        services.create_category(actor=officer, name="新", resolve_hours=0)
    assert "时限须为 1 到" in error.value.message_dict["resolve_hours"][0]
    assert not Category.objects.filter(name="新").exists()


# --------------------------------------------------------------------------- deactivate


def test_deactivated_categories_are_no_longer_offered_but_old_tickets_keep_theirs(
    client, officer, people, tree
):
    lamp, municipal = tree["lamp"], tree["municipal"]
    old = services.submit(actor=people.resident, kind=Kind.HELP, category=lamp, text="景观灯不亮")
    client.force_login(officer)
    res = client.post(_change(municipal, "deactivate"))
    assert res.status_code == 302
    assert "已停用类别“市政”及其 2 个子类别，提交工单时不再提供。" in _messages(res)
    assert not Category.objects.filter(pk__in=[municipal.pk, lamp.pk], is_active=True).exists()
    assert AuditRecord.objects.filter(action="ticket.category_deactivate").count() == 3
    # The submit form no longer offers them; the API and the service refuse them.
    client.force_login(people.resident)
    form = client.get(reverse("tickets:submit")).content.decode()
    assert "景观灯" not in form and "综合" in form
    res = client.post(
        reverse("tickets:submit"), {"kind": Kind.HELP, "category": lamp.pk, "text": "又不亮了"}
    )
    assert res.status_code == 200 and old.category.tickets.count() == 1
    api = APIClient()
    api.force_authenticate(people.resident)
    body = {"kind": Kind.HELP, "category": lamp.pk, "text": "又不亮了"}
    assert api.post("/api/v1/tickets/", body, format="json").status_code == 400
    lamp.refresh_from_db()
    with pytest.raises(ValidationError):
        services.submit(actor=people.resident, kind=Kind.HELP, category=lamp, text="又不亮了")
    assert "x-lamp" not in client.get("/open311/v2/services.json").content.decode()
    # The old ticket keeps its category, shown on its page.
    page = client.get(reverse("tickets:detail", args=[old.pk])).content.decode()
    assert "景观灯" in page
    old.refresh_from_db()
    assert old.category_id == lamp.pk


def test_a_category_in_use_cannot_be_deleted_only_deactivated(client, officer, people, tree):
    lamp = tree["lamp"]
    services.submit(actor=people.resident, kind=Kind.HELP, category=lamp, text="景观灯不亮")
    client.force_login(officer)
    html = client.get(LIST).content.decode()
    row = re.search(r'data-code="x-lamp".*?</tr>', html, re.S).group(0)
    assert 'data-testid="delete"' not in row and "已使用" in row
    res = client.post(_change(lamp, "delete"))
    assert "已有工单使用类别“景观灯”，不能删除，请改为停用。" in _messages(res)
    assert Category.objects.filter(pk=lamp.pk).exists()
    # A parent with children cannot be deleted either; an unused leaf can.
    res = client.post(_change(tree["municipal"], "delete"))
    assert "类别“市政”下还有子类别，请先删除或移走它们。" in _messages(res)
    res = client.post(_change(tree["road"], "delete"))
    assert "已删除类别“道路”。" in _messages(res)
    assert not Category.objects.filter(pk=tree["road"].pk).exists()
    assert AuditRecord.objects.filter(action="ticket.category_delete").count() == 1


def test_activation_needs_an_active_parent(client, officer, tree):
    client.force_login(officer)
    municipal, lamp = tree["municipal"], tree["lamp"]
    services.deactivate_category(municipal, actor=officer)
    res = client.post(_change(lamp, "activate"))
    assert "类别“市政”已停用，请先启用它。" in _messages(res)
    lamp.refresh_from_db()
    assert not lamp.is_active
    client.post(_change(municipal, "activate"))
    res = client.post(_change(lamp, "activate"))
    assert "已启用类别“景观灯”。" in _messages(res)
    lamp.refresh_from_db()
    assert lamp.is_active
    # An active category cannot be moved under an inactive one; a new child of an inactive
    # category starts inactive.
    services.deactivate_category(tree["other"], actor=officer)
    with pytest.raises(ValidationError) as error:
        services.update_category(lamp, actor=officer, parent=tree["other"])
    assert error.value.message_dict["parent"] == ["类别“综合”已停用，请先启用它。"]
    assert not services.create_category(actor=officer, name="杂项", parent=tree["other"]).is_active


@pytest.mark.parametrize("n", [3, 40])
def test_the_tree_page_has_bounded_queries(
    client, officer, people, tree, django_assert_max_num_queries, n
):
    for i in range(n):
        category = Category.objects.create(code=f"b-{i}", name=f"类别{i}", parent=tree["other"])
        if i % 2:
            services.submit(actor=people.resident, kind=Kind.HELP, category=category, text="测试")
    client.force_login(officer)
    with django_assert_max_num_queries(6):
        res = client.get(LIST)
    assert res.content.decode().count('data-testid="category"') == Category.objects.count()
    assert Category.objects.count() >= n + 4
