"""Chinese error pages in the site's frame, each with a way back (issue 19, item 4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from gongzhi.core import views_errors
from gongzhi.core.roles import Role
from gongzhi.urls import urlpatterns as site_patterns

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


def _bad(request):
    raise SuspiciousOperation("odd input")


def _refused(request):
    raise PermissionDenied("只有社区工作人员可以做这一步。")


urlpatterns = [
    path("ui-test/boom/", _boom),
    path("ui-test/bad/", _bad),
    path("ui-test/refused/", _refused),
    *site_patterns,
]
handler400 = "gongzhi.core.views_errors.bad_request"
handler403 = "gongzhi.core.views_errors.permission_denied"
handler404 = "gongzhi.core.views_errors.page_not_found"
handler500 = "gongzhi.core.views_errors.server_error"


def _resident(world):
    from gongzhi.places.models import Household
    from tests.conftest import make_user

    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    return make_user(Role.RESIDENT, building, household=home, phone="13900000001")


def _framed(response, status: int, title: str) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert f'data-status="{status}"' in html and title in html
    assert 'data-testid="error-home"' in html  # a way back
    assert "Forbidden" not in html and "Not Found" not in html and "Server Error" not in html
    assert "gz-topbar" in html  # the site's frame
    return html


def test_404_in_chinese_with_the_menu(world, user_factory, client):
    client.force_login(user_factory(Role.COMMUNITY_WORKER, world.community_a1))
    html = _framed(client.get("/no-such-page/"), 404, "页面不存在")
    assert 'id="gz-nav"' in html  # the user's menu is there


def test_403_in_chinese_with_the_reason_and_the_page_before(world, user_factory, client):
    client.force_login(_resident(world))
    with override_settings(ROOT_URLCONF=__name__):
        response = client.get("/ui-test/refused/", HTTP_REFERER="http://testserver/tickets/mine/")
    html = _framed(response, 403, "您无权进行此操作")
    assert "只有社区工作人员可以做这一步。" in html
    assert 'href="http://testserver/tickets/mine/"' in html and "返回上一页" in html


def test_403_of_a_page_gate(world, user_factory, client):
    client.force_login(_resident(world))
    _framed(client.get("/audit/"), 403, "您无权进行此操作")


def test_a_link_back_to_another_site_is_not_offered(world, user_factory, client):
    client.force_login(_resident(world))
    html = client.get("/audit/", HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in html


def test_400_in_chinese():
    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF=__name__):
        _framed(client.get("/ui-test/bad/"), 400, "请求无法识别")


def test_csrf_failure_in_chinese(world, user_factory):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_factory(Role.COMMUNITY_WORKER, world.community_a1))
    html = _framed(client.post("/logout/"), 403, "页面已过期")
    assert "刷新" in html


def test_500_in_chinese():
    client = Client(raise_request_exception=False)
    with override_settings(ROOT_URLCONF=__name__):
        response = client.get("/ui-test/boom/")
    html = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in html and 'href="/"' in html


def test_the_500_page_needs_no_database_and_no_context(django_assert_num_queries):
    request = RequestFactory().get("/anything/")  # no session, no user, no middleware
    with django_assert_num_queries(0):
        response = views_errors.server_error(request)
    assert response.status_code == 500 and "系统出错了" in response.content.decode()


def test_the_api_keeps_json_errors(world, user_factory, client):
    client.force_login(user_factory(Role.COMMUNITY_WORKER, world.community_a1))
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_favicon_is_served(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("gongzhi/favicon.ico")
    assert finders.find("gongzhi/favicon.ico") and finders.find("gongzhi/favicon.svg")
    assert 'rel="icon"' in client.get("/login/").content.decode()
