"""Separation of duties (issue 13): system, security and audit admins are distinct roles."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from rest_framework.test import APIClient

from gongzhi.core import audit, services
from gongzhi.core.models import AuditRecord, Post, User
from gongzhi.core.roles import GRANTABLE, PROTECTED_ROLES, Role
from gongzhi.places import services as place_services
from tests.conftest import PASSWORD, make_user


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def admins(world):
    return {
        "system": make_user(Role.SYSTEM_ADMIN, world.district, name="系统管理员"),
        "security": make_user(Role.SECURITY_ADMIN, world.district, name="安全管理员"),
        "audit": make_user(Role.AUDIT_ADMIN, world.district, name="审计管理员"),
    }


@pytest.fixture
def account(db):
    return User.objects.create_user(username="xiaowang", password=PASSWORD, name="小王")


def test_only_the_security_admin_grants_the_protected_roles():
    for role, grantable in GRANTABLE.items():
        if role == Role.SECURITY_ADMIN:
            assert grantable == PROTECTED_ROLES
        else:
            assert not (grantable & PROTECTED_ROLES), role


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_system_admin_cannot_grant_security_or_audit_admin(world, admins, account, role):
    with pytest.raises(PermissionDenied):
        services.grant_post(account, role, world.district, actor=admins["system"])
    assert not Post.objects.filter(user=account).exists()


@pytest.mark.parametrize("role", [Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_system_admin_page_refuses_the_protected_roles(world, client, login, admins, role):
    res = login(admins["system"]).post(
        "/posts/grant/",
        {
            "role": role,
            "place": world.district.pk,
            "new_username": "xiaoshen",
            "new_name": "小沈",
            "new_password": "Gz-new-admin-2026",
        },
    )
    assert res.status_code == 400 and res.context["form"].errors["role"]
    assert not User.objects.filter(username="xiaoshen").exists()


def test_security_admin_grants_audit_admin_but_not_system_roles(world, admins, account):
    post = services.grant_post(account, Role.AUDIT_ADMIN, world.district, actor=admins["security"])
    assert post.is_active
    for role in (Role.SYSTEM_ADMIN, Role.GRID_WORKER, Role.DISTRICT_OFFICER):
        with pytest.raises(PermissionDenied):
            services.grant_post(account, role, world.district, actor=admins["security"])


def test_system_admin_cannot_revoke_an_audit_admin(world, client, login, admins):
    post = Post.objects.get(user=admins["audit"])
    res = login(admins["system"]).post(f"/posts/{post.pk}/revoke/")
    assert res.status_code == 403
    post.refresh_from_db()
    assert post.is_active
    # The security admin may.
    client.logout()
    assert login(admins["security"]).post(f"/posts/{post.pk}/revoke/").status_code == 302
    post.refresh_from_db()
    assert not post.is_active


def test_admin_posts_may_cover_the_whole_installation(db, admins):
    for role in (Role.SECURITY_ADMIN, Role.AUDIT_ADMIN):
        Post.objects.create(user=admins["system"], role=role, place=None)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - IntegrityError
        Post.objects.create(user=admins["system"], role=Role.GRID_WORKER, place=None)


# --- Reading the audit trail -------------------------------------------------------------


@pytest.fixture
def trail(world, admins):
    officer = make_user(Role.DISTRICT_OFFICER, world.district, name="区干部")
    place_services.update_place(actor=officer, place=world.grid_a1_1, name="甲网格")
    with transaction.atomic():
        audit.record(actor=admins["system"], action="user.create", target=admins["system"])
        audit.record(actor=officer, action="auth.login", target=officer)
    return AuditRecord.objects.all()


def _page_ids(response) -> set[int]:
    return {item.pk for item in response.context["page"]}


def _api_ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


def test_system_admin_reads_only_their_own_actions(world, client, login, admins, trail):
    own = set(trail.filter(actor_id=admins["system"].pk).values_list("pk", flat=True))
    assert own and own != set(trail.values_list("pk", flat=True))
    assert _page_ids(login(admins["system"]).get("/audit/")) == own
    assert _api_ids(_api(admins["system"]).get("/api/v1/audit/")) == own
    other = trail.exclude(actor_id=admins["system"].pk).first()
    assert client.get(f"/audit/{other.pk}/").status_code == 404
    assert _api(admins["system"]).get(f"/api/v1/audit/{other.pk}/").status_code == 404


def test_audit_admin_reads_the_whole_trail(world, client, login, admins, trail):
    everything = set(trail.values_list("pk", flat=True))
    assert _page_ids(login(admins["audit"]).get("/audit/")) == everything
    assert _api_ids(_api(admins["audit"]).get("/api/v1/audit/")) == everything


def test_audit_admin_changes_nothing(world, client, login, admins, account):
    c = login(admins["audit"])
    assert c.get("/posts/").status_code == 403
    res = c.post(
        "/posts/grant/",
        {"role": Role.GRID_WORKER, "place": world.grid_a1_1.pk, "existing_username": "xiaowang"},
    )
    assert res.status_code == 403
    assert c.get("/accounts/disabled/").status_code == 403
    assert c.post(f"/places/{world.grid_a1_1.pk}/edit/", {"name": "改名"}).status_code == 404
    assert _api(admins["audit"]).get(f"/api/v1/places/{world.grid_a1_1.pk}/").status_code == 404
    assert not Post.objects.filter(user=account).exists()


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.SECURITY_ADMIN])
def test_roles_without_the_audit_right_are_refused(world, client, login, admins, trail, role):
    user = admins["security"] if role == Role.SECURITY_ADMIN else make_user(role, world.grid_a1_1)
    assert login(user).get("/audit/").status_code == 403
    assert _api(user).get("/api/v1/audit/").status_code == 403


def test_workbench_of_the_audit_admin_renders(world, client, login, admins):
    page = login(admins["audit"]).get("/")
    assert page.status_code == 200 and "/audit/" in page.content.decode()
