"""Post management: grant and revoke posts, create staff accounts — services and pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import access, audit, services
from gongzhi.core.models import AuditRecord, Post, User
from gongzhi.core.roles import Action, Role
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "Gz-new-worker-2026"


@pytest.fixture
def secretary(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记甲")


@pytest.fixture
def worker_account(db):
    return User.objects.create_user(username="xiaowang", password=PASSWORD, name="小王")


# --- Services ---------------------------------------------------------------------------


def test_secretary_grants_grid_worker_in_own_community(world, secretary, worker_account):
    post = services.grant_post(worker_account, Role.GRID_WORKER, world.grid_a1_1, actor=secretary)
    assert (post.user, post.role, post.place, post.is_active) == (
        worker_account,
        Role.GRID_WORKER,
        world.grid_a1_1,
        True,
    )
    entry = AuditRecord.objects.get(action="post.grant")
    assert entry.actor_id == secretary.pk
    assert entry.target_id == str(post.pk)
    assert entry.place_path == world.grid_a1_1.path
    assert entry.changes["role"] == [None, Role.GRID_WORKER]
    assert entry.changes["user"] == [None, "小王"]
    assert audit.verify_chain().ok
    # The new post takes effect: the worker now sees their grid.
    assert access.can(worker_account, Action.PLACE_VIEW, world.grid_a1_1.path)


def test_grid_of_another_community_does_not_exist_for_secretary(world, secretary, worker_account):
    with pytest.raises(Http404):
        services.grant_post(worker_account, Role.GRID_WORKER, world.grid_a2_1, actor=secretary)
    assert not Post.objects.filter(user=worker_account).exists()
    assert not AuditRecord.objects.exists()


def test_secretary_cannot_grant_higher_roles(world, secretary, worker_account):
    with pytest.raises(PermissionDenied):
        services.grant_post(
            worker_account, Role.STREET_OFFICER, world.community_a1, actor=secretary
        )
    with pytest.raises(PermissionDenied):
        services.grant_post(
            worker_account, Role.COMMUNITY_SECRETARY, world.community_a1, actor=secretary
        )
    assert not Post.objects.filter(user=worker_account).exists()


def test_role_without_post_manage_is_refused(world, worker_account):
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    with pytest.raises(PermissionDenied):  # sees the grid, may not manage it: 403
        services.grant_post(worker_account, Role.VOLUNTEER, world.grid_a1_1, actor=grid_worker)


def test_post_must_fit_the_place_kind(world, secretary, worker_account):
    with pytest.raises(ValidationError) as error:
        services.grant_post(worker_account, Role.GRID_WORKER, world.community_a1, actor=secretary)
    assert "place" in error.value.message_dict


def test_street_officer_grants_across_communities_of_own_street(world, worker_account):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    services.grant_post(worker_account, Role.COMMUNITY_SECRETARY, world.community_a2, actor=officer)
    with pytest.raises(Http404):
        services.grant_post(
            worker_account, Role.COMMUNITY_SECRETARY, world.community_b1, actor=officer
        )
    with pytest.raises(PermissionDenied):
        services.grant_post(worker_account, Role.DISTRICT_OFFICER, world.street_a, actor=officer)


def test_a_post_is_held_once(world, secretary, worker_account):
    services.grant_post(worker_account, Role.GRID_WORKER, world.grid_a1_1, actor=secretary)
    with pytest.raises(ValidationError):
        services.grant_post(worker_account, Role.GRID_WORKER, world.grid_a1_1, actor=secretary)
    # Several different posts are fine.
    services.grant_post(worker_account, Role.GRID_WORKER, world.grid_a1_2, actor=secretary)
    assert Post.objects.filter(user=worker_account, is_active=True).count() == 2


def test_revoke_keeps_history(world, secretary, worker_account):
    post = services.grant_post(worker_account, Role.GRID_WORKER, world.grid_a1_1, actor=secretary)
    services.revoke_post(post, actor=secretary, reason="调岗")
    post.refresh_from_db()
    assert post.is_active is False
    entry = AuditRecord.objects.get(action="post.revoke")
    assert entry.changes["is_active"] == [True, False]
    assert entry.reason == "调岗"
    assert not access.can(worker_account, Action.PLACE_VIEW, world.grid_a1_1.path)
    with pytest.raises(ValidationError):
        services.revoke_post(post, actor=secretary)
    # Granting again reactivates the same row; the trail holds grant, revoke, grant.
    again = services.grant_post(worker_account, Role.GRID_WORKER, world.grid_a1_1, actor=secretary)
    assert again.pk == post.pk and again.is_active
    assert list(AuditRecord.objects.order_by("id").values_list("action", flat=True)) == [
        "post.grant",
        "post.revoke",
        "post.grant",
    ]
    assert audit.verify_chain().ok


def test_revoke_is_scoped(world, secretary):
    other = make_user(Role.GRID_WORKER, world.grid_a2_1)
    with pytest.raises(Http404):
        services.revoke_post(other.posts.get(), actor=secretary)
    colleague = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    with pytest.raises(PermissionDenied):
        services.revoke_post(colleague.posts.get(), actor=secretary)
    assert colleague.posts.get().is_active


def test_create_staff_user_is_audited_without_secrets(world, secretary):
    user = services.create_staff_user(
        "xiaoli",
        "小李",
        NEW_PASSWORD,
        actor=secretary,
        phone="13912345678",
        place=world.community_a1,
    )
    assert user.check_password(NEW_PASSWORD)
    entry = AuditRecord.objects.get(action="user.create")
    assert entry.place_path == world.community_a1.path
    text = str(entry.changes)
    assert NEW_PASSWORD not in text and "13912345678" not in text
    assert entry.changes["phone"][1] == user.phone_masked


def test_create_staff_user_validates(world, secretary, worker_account):
    with pytest.raises(ValidationError) as error:
        services.create_staff_user("xiaowang", "", "123", actor=secretary, phone="12")
    assert set(error.value.message_dict) == {"username", "name", "password", "phone"}
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    with pytest.raises(PermissionDenied):
        services.create_staff_user("xiaozhao", "小赵", NEW_PASSWORD, actor=grid_worker)
    assert not User.objects.filter(username="xiaozhao").exists()


def test_new_user_and_post_are_all_or_nothing(world, secretary):
    with pytest.raises(ValidationError):
        services.grant_post_to_new_user(
            actor=secretary,
            username="xiaozhou",
            name="小周",
            password=NEW_PASSWORD,
            role=Role.GRID_WORKER,
            place=world.community_a1,  # a grid worker cannot sit at a community
        )
    assert not User.objects.filter(username="xiaozhou").exists()
    assert not AuditRecord.objects.exists()


# --- Pages ------------------------------------------------------------------------------


def test_list_shows_posts_in_scope(client, login, world, secretary, django_assert_max_num_queries):
    for i in range(4):
        make_user(Role.GRID_WORKER, world.grid_a1_1 if i % 2 else world.grid_a1_2)
    outsider = make_user(Role.GRID_WORKER, world.grid_a2_1)
    c = login(secretary)
    with django_assert_max_num_queries(12):
        response = c.get("/posts/")
    assert response.status_code == 200
    users = {post.user for post in response.context["page"]}
    assert secretary in users and outsider not in users
    assert len(users) == 5


def test_list_filters(client, login, world, secretary):
    make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员一")
    make_user(Role.GRID_WORKER, world.grid_a1_2, name="网格员二")
    c = login(secretary)
    page = c.get("/posts/", {"role": Role.GRID_WORKER}).context["page"]
    assert {p.user.name for p in page} == {"网格员一", "网格员二"}
    page = c.get("/posts/", {"place": world.grid_a1_2.pk}).context["page"]
    assert {p.user.name for p in page} == {"网格员二"}
    assert c.get("/posts/", {"place": world.grid_a2_1.pk}).status_code == 404


def test_list_is_paginated_with_filters_kept(client, login, world, secretary):
    from gongzhi.core import views_posts

    for _ in range(views_posts.PAGE_SIZE + 1):
        make_user(Role.VOLUNTEER, world.community_a1)
    response = login(secretary).get("/posts/", {"role": Role.VOLUNTEER})
    assert len(response.context["page"]) == views_posts.PAGE_SIZE
    assert "role=volunteer&amp;page=2" in response.content.decode()


def test_page_grants_to_existing_user(client, login, world, secretary, worker_account):
    response = login(secretary).post(
        "/posts/grant/",
        {"role": Role.GRID_WORKER, "place": world.grid_a1_1.pk, "existing_username": "xiaowang"},
    )
    assert response.status_code == 302
    assert Post.objects.filter(
        user=worker_account, role=Role.GRID_WORKER, place=world.grid_a1_1, is_active=True
    ).exists()
    assert AuditRecord.objects.filter(action="post.grant").count() == 1


def test_page_grants_to_new_user(client, login, world, secretary):
    response = login(secretary).post(
        "/posts/grant/",
        {
            "role": Role.GRID_WORKER,
            "place": world.grid_a1_2.pk,
            "new_username": "xiaochen",
            "new_name": "小陈",
            "new_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="xiaochen")
    assert user.posts.get().place == world.grid_a1_2
    assert set(AuditRecord.objects.values_list("action", flat=True)) == {
        "user.create",
        "post.grant",
    }


def test_page_refuses_out_of_scope_and_higher_roles(
    client, login, world, secretary, worker_account
):
    c = login(secretary)
    response = c.post(
        "/posts/grant/",
        {"role": Role.GRID_WORKER, "place": world.grid_a2_1.pk, "existing_username": "xiaowang"},
    )
    assert response.status_code == 404
    response = c.post(
        "/posts/grant/",
        {
            "role": Role.STREET_OFFICER,
            "place": world.community_a1.pk,
            "existing_username": "xiaowang",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["role"]
    assert not Post.objects.filter(user=worker_account).exists()


def test_page_shows_service_errors_in_the_form(client, login, world, secretary):
    response = login(secretary).post(
        "/posts/grant/",
        {
            "role": Role.GRID_WORKER,
            "place": world.grid_a1_1.pk,
            "new_username": "xiaoxu",
            "new_name": "小徐",
            "new_password": "123",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["new_password"]
    assert not User.objects.filter(username="xiaoxu").exists()


def test_page_revokes(client, login, world, secretary):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    post = worker.posts.get()
    c = login(secretary)
    # GET shows the form (the posts table's dialog, or a page without JavaScript), writes nothing.
    shown = c.get(f"/posts/{post.pk}/revoke/")
    assert shown.status_code == 200 and 'name="reason"' in shown.content.decode()
    assert Post.objects.get(pk=post.pk).is_active
    assert c.post(f"/posts/{post.pk}/revoke/", {"reason": "离职"}).status_code == 302
    post.refresh_from_db()
    assert post.is_active is False
    assert AuditRecord.objects.get(action="post.revoke").reason == "离职"
    revoked = c.get("/posts/", {"status": "revoked"}).context["page"]
    assert [p.pk for p in revoked] == [post.pk]
    assert post.pk not in [p.pk for p in c.get("/posts/").context["page"]]


def test_page_revoke_is_scoped(client, login, world, secretary):
    outsider = make_user(Role.GRID_WORKER, world.grid_a2_1).posts.get()
    colleague = make_user(Role.COMMUNITY_SECRETARY, world.community_a1).posts.get()
    c = login(secretary)
    assert c.post(f"/posts/{outsider.pk}/revoke/").status_code == 404
    assert c.post(f"/posts/{colleague.pk}/revoke/").status_code == 403
    assert Post.objects.filter(pk__in=[outsider.pk, colleague.pk], is_active=True).count() == 2


def test_roles_without_post_manage_get_403(client, login, world):
    for role, place in [
        (Role.GRID_WORKER, world.grid_a1_1),
        (Role.COMMUNITY_WORKER, world.community_a1),
    ]:
        c = login(make_user(role, place))
        assert c.get("/posts/").status_code == 403
        assert c.get("/posts/grant/").status_code == 403


def test_revoke_in_the_posts_table_dialog(client, login, world, secretary):
    """Issue 19, item 3: the posts list is a table whose revoke (with its reason) is a dialog
    loaded by htmx; the answer replaces the row and shows a toast; a refusal stays inside."""
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    post = worker.posts.get()
    c = login(secretary)
    page = c.get("/posts/").content.decode()
    row = page[page.index(f'<tr id="post-row-{post.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'name="reason"' not in row and "<form" not in row
    assert f'hx-get="/posts/{post.pk}/revoke/"' in row and 'id="gz-dialog"' in page
    hx = {"HTTP_HX_REQUEST": "true"}
    form = c.get(f"/posts/{post.pk}/revoke/", **hx)
    assert form.status_code == 200 and form["X-Gz-Dialog"] == "1"
    assert "<html" not in form.content.decode() and 'name="reason"' in form.content.decode()
    done = c.post(f"/posts/{post.pk}/revoke/", {"reason": "调离"}, **hx)
    html = done.content.decode()
    assert done.status_code == 200 and "gzDialogDone" in done["HX-Trigger"]
    assert f'<tr id="post-row-{post.pk}" class="text-muted" hx-swap-oob="true">' in html
    assert "已撤销" in html and 'data-testid="toast"' in html
    assert AuditRecord.objects.get(action="post.revoke").reason == "调离"
    again = c.post(f"/posts/{post.pk}/revoke/", {"reason": "调离"}, **hx)
    assert again.status_code == 409 and 'data-testid="dialog-error"' in again.content.decode()
    assert AuditRecord.objects.filter(action="post.revoke").count() == 1
