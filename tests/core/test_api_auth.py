"""API tokens for phone apps: same lockout as the login page, rate-limited."""

from django.conf import settings
from rest_framework.test import APIClient

from gongzhi.core.roles import Role
from tests.conftest import PASSWORD, make_user


def test_token_for_good_credentials_opens_the_api(world, settings):
    settings.OTP_REQUIRED = False  # the second factor for tokens: tests/core/test_security_otp.py
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    api = APIClient()
    res = api.post("/api/v1/auth/token/", {"identifier": user.username, "password": PASSWORD})
    assert res.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {res.json()['token']}")
    me = api.get("/api/v1/me/").json()
    assert me["id"] == user.pk
    assert me["posts"][0]["role"] == Role.GRID_WORKER


def test_token_refused_for_bad_password_and_locked_account(world):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    api = APIClient()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert (
            api.post(
                "/api/v1/auth/token/", {"identifier": user.username, "password": "x"}
            ).status_code
            == 400
        )
    res = api.post("/api/v1/auth/token/", {"identifier": user.username, "password": "x"})
    assert res.status_code == 403
    res = api.post("/api/v1/auth/token/", {"identifier": user.username, "password": PASSWORD})
    assert res.status_code == 403 and "token" not in res.json()


def test_token_endpoint_is_rate_limited(world, settings):
    settings.LOGIN_RATE = "2/m"
    api = APIClient()
    for _ in range(2):
        api.post("/api/v1/auth/token/", {"identifier": "nobody", "password": "x"})
    assert (
        api.post("/api/v1/auth/token/", {"identifier": "nobody", "password": "x"}).status_code
        == 429
    )


def test_me_masks_the_phone(world):
    from gongzhi.places.models import Household

    resident = make_user(
        Role.RESIDENT,
        world.grid_a1_1.buildings[0],
        household=Household.objects.first(),
        phone="13955556666",
    )
    api = APIClient()
    api.force_authenticate(resident)
    body = api.get("/api/v1/me/").json()
    assert body["phone"] == "139****6666"
    assert body["staff"] is False
