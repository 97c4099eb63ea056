"""Web security (issue 13): the Django admin login, security headers, the CSP, no caching of
personal pages, the idle timeout of staff sessions."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from django.conf import settings
from rest_framework.test import APIClient

from gongzhi.core import middleware
from gongzhi.core.models import AuditRecord, User
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.conftest import PASSWORD, make_user

# --- Hole 5: the Django admin login -----------------------------------------------------


def test_django_admin_login_checks_no_password_and_sends_to_the_rate_limited_login(world, client):
    root = User.objects.create_superuser("root", PASSWORD)
    answers = [
        client.post("/django-admin/login/", {"username": "root", "password": f"wrong-{i}"})
        for i in range(25)
    ]
    # None of the 25 guesses is checked: every one is sent to /login/.
    assert {a.status_code for a in answers} == {302}
    assert all(a["Location"].startswith("/login/?next=") for a in answers)
    root.refresh_from_db()
    assert root.failed_logins == 0
    assert not AuditRecord.objects.filter(action="auth.login_failed").exists()
    # Even the right password does not log in there.
    client.post("/django-admin/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_django_admin_is_reached_through_the_login_page(world, client, settings):
    settings.OTP_REQUIRED = False  # superusers pass a second factor: test_security_otp.py
    User.objects.create_superuser("root", PASSWORD)
    first = client.get("/django-admin/")
    assert first.status_code == 302
    second = client.get(first["Location"])
    assert second.status_code == 302 and second["Location"] == "/login/?next=%2Fdjango-admin%2F"
    logged = client.post(second["Location"], {"identifier": "root", "password": PASSWORD})
    assert logged["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_django_admin_login_never_redirects_off_site(world, client):
    res = client.get("/django-admin/login/?next=https://evil.example/")
    assert res["Location"] == "/login/?next=%2Fdjango-admin%2F"


def test_login_through_the_admin_path_is_rate_limited(world, client, settings):
    settings.LOGIN_RATE = "3/m"
    for i in range(3):
        client.post("/login/?next=/django-admin/", {"identifier": "root", "password": f"x{i}"})
    res = client.post("/login/?next=/django-admin/", {"identifier": "root", "password": "x"})
    assert res.status_code == 429


def test_django_admin_password_change_goes_to_the_rules_page(world, client, login):
    user = User.objects.create_superuser("root", PASSWORD)
    res = login(user).get("/django-admin/password_change/")
    assert res.status_code == 302 and res["Location"] == "/account/password/"


# --- Hole 7: headers --------------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
    }


def test_pages_carry_a_content_security_policy_with_a_fresh_nonce(world, client):
    first, second = client.get("/login/"), client.get("/login/")
    policy = _csp(first)
    assert policy["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", policy["script-src"])
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in first[
        "Content-Security-Policy"
    ].replace("style-src-attr 'unsafe-inline'", "")
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert _csp(second)["script-src"] != policy["script-src"]
    nonce = policy["script-src"].split("'nonce-")[1].rstrip("'")
    # htmx puts its indicator <style> under the same nonce.
    assert f'"inlineStyleNonce": "{nonce}"' in first.content.decode()


def test_map_tile_server_is_allowed_for_images(world, client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.cn/{z}/{x}/{y}.png"
    assert "https://tiles.example.cn" in _csp(client.get("/login/"))["img-src"]


def test_frame_nosniff_and_referrer_headers(world, client):
    res = client.get("/login/")
    assert res["X-Frame-Options"] == "DENY"
    assert res["X-Content-Type-Options"] == "nosniff"
    assert res["Referrer-Policy"] == "same-origin"


def test_hsts_over_https(world, client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert client.get("/login/", secure=True)["Strict-Transport-Security"].startswith(
        "max-age=31536000"
    )


def test_check_deploy_with_secure_cookies_has_no_hsts_warning():
    env = {
        **os.environ,
        "SECURE_COOKIES": "true",
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "Q9x-7vLp2_Zr4mT8wYb1sN6cHj3dFgA0eKuVoXiP5",
        "ALLOWED_HOSTS": "gongzhi.example.gov.cn",
    }
    out = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = out.stdout + out.stderr
    assert "System check identified" in text or out.returncode == 0, text
    for warning in ("security.W004", "security.W006", "security.W012", "security.W016"):
        assert warning not in text, text


def test_personal_pages_and_api_answers_are_not_cached(world, client, login, settings):
    settings.OTP_REQUIRED = False  # tokens with the second factor: test_security_otp.py
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    page = login(worker).get("/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store, private"
    api = APIClient()
    token = api.post("/api/v1/auth/token/", {"identifier": worker.username, "password": PASSWORD})
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200 and me["Cache-Control"] == "no-store, private"
    assert "no-store" not in APIClient().get("/healthz").get("Cache-Control", "")


TEMPLATES = settings.BASE_DIR / "gongzhi" / "templates"


# Templates never sent to a browser, so the page's Content-Security-Policy does not apply.
NOT_SERVED = {
    "evaluation/report_document.html": "rendered into a PDF by WeasyPrint (evaluation/"
    "reports_pdf.py), which fetches nothing: its stylesheet must be inline",
}


def test_no_template_has_inline_script_or_event_handler_outside_the_nonce():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).as_posix() in NOT_SERVED:
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.name}: {tag}")
        for handler in re.findall(r"\son[a-z]+=\"", text):
            offenders.append(f"{path.name}: {handler.strip()}")
        for style in re.findall(r"<style\b[^>]*>", text):
            if "nonce=" not in style:
                offenders.append(f"{path.name}: {style}")
        if "javascript:" in text:
            offenders.append(f"{path.name}: javascript: URL")
    assert offenders == []


def test_api_docs_load_their_script_as_a_file(world, client, login):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    page = login(worker).get("/api/v1/docs/")
    assert page.status_code == 200
    body = page.content.decode()
    assert re.search(r"<script>\s*\S", body) is None
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- Idle timeout ------------------------------------------------------------------------


def _at(monkeypatch, seconds: float) -> None:
    monkeypatch.setattr(middleware, "wall_time", lambda: 1_800_000_000.0 + seconds)


def test_staff_session_ends_after_idle_timeout(world, client, monkeypatch, settings):
    settings.STAFF_IDLE_TIMEOUT = 30 * 60
    settings.OTP_REQUIRED = False
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    _at(monkeypatch, 0)
    client.post("/login/", {"identifier": worker.username, "password": PASSWORD})
    _at(monkeypatch, 29 * 60)
    assert client.get("/").status_code == 200
    _at(monkeypatch, 58 * 60)  # 29 minutes after the last request: still in
    assert client.get("/").status_code == 200
    _at(monkeypatch, 89 * 60)  # 31 minutes idle
    res = client.get("/places/")
    assert res.status_code == 302 and res["Location"].startswith("/login/?next=/places/")
    assert "_auth_user_id" not in client.session
    assert "不活动" in client.get(res["Location"]).content.decode()


def test_idle_staff_api_session_gets_401(world, client, monkeypatch, settings):
    settings.STAFF_IDLE_TIMEOUT = 60
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    _at(monkeypatch, 0)
    client.force_login(worker)
    _at(monkeypatch, 61)
    assert client.get("/api/v1/me/").status_code == 401


def test_residents_keep_the_absolute_expiry(world, client, monkeypatch, settings):
    settings.STAFF_IDLE_TIMEOUT = 30 * 60
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone="13900000077")
    _at(monkeypatch, 0)
    client.post("/login/", {"identifier": "13900000077", "password": PASSWORD})
    _at(monkeypatch, 3 * 3600)
    assert client.get("/").status_code == 200
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_idle_clock_is_not_written_on_every_request(
    world, client, login, monkeypatch, django_assert_max_num_queries
):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    _at(monkeypatch, 0)
    login(worker).get("/")
    _at(monkeypatch, 10)
    with django_assert_max_num_queries(8) as captured:
        client.get("/account/password/")
    assert not any("UPDATE" in q["sql"] for q in captured.captured_queries)
