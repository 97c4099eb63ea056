"""Volunteering in headless Chromium: the organiser publishes an activity → a resident signs
up on the phone → the organiser shows the rotating check-in code → the resident opens the
code's URL and checks in → later checks out the same way → the organiser confirms the hours →
the resident sees the points and hours. The clock is moved (gongzhi.core.clock) between
check-in and check-out, so the hours are real."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.people.models import Resident
from gongzhi.places.models import Household
from gongzhi.volunteering.models import Activity, Signup
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser

PHONE = "13900000055"


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(identifier, phone=False):
        options = {"base_url": live_server.url, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        submit_login(page, identifier)
        return page

    yield _open
    for context in contexts:
        context.close()


def _scan(organiser, phone, activity, kind):
    organiser.goto(f"/volunteering/manage/{activity.pk}/")
    organiser.click(f"[data-testid=qr-{kind}]")
    code = organiser.locator("[data-testid=qr-code]")
    expect(code.locator("svg")).to_be_visible()
    url = code.get_attribute("data-url")
    phone.goto(url)  # what the phone's camera opens
    phone.click("[data-testid=scan-confirm]")
    phone.wait_for_load_state()
    expect(phone.locator(".alert-success")).to_be_visible()


def test_publish_sign_up_scan_confirm_points(as_user, world):
    start_real = clock.now().replace(second=0, microsecond=0)
    clock.set_now(start_real)
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    user = make_user(Role.RESIDENT, building, household=home, phone=PHONE, name="吴阿姨")
    Resident.objects.create(
        name="吴阿姨",
        name_initials="wy",
        gender="F",
        household=home,
        place_path=building.path,
        user=user,
    )
    organiser_user = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="刘社工")

    organiser = as_user(organiser_user.username)
    organiser.goto("/volunteering/manage/new/")
    starts = timezone.localtime(start_real + dt.timedelta(minutes=10))
    organiser.select_option("select[name=community]", str(world.community_a1.pk))
    organiser.fill("input[name=title]", "敬老院陪护")
    organiser.fill("input[name=location]", "春园敬老院")
    organiser.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    organiser.fill(
        "input[name=ends_at]", (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    organiser.fill("input[name=capacity]", "5")
    organiser.click("[data-testid=activity-form] button[type=submit]")
    organiser.wait_for_load_state()
    activity = Activity.objects.get()
    assert organiser.url.endswith(f"/volunteering/manage/{activity.pk}/")

    phone = as_user(PHONE, phone=True)
    phone.goto("/volunteering/activities/")
    phone.click(f"[data-testid=signup-{activity.pk}]")
    phone.wait_for_load_state()
    expect(phone.locator(".alert-success")).to_be_visible()
    screenshot(phone, "volunteering-signed-up")

    _scan(organiser, phone, activity, "in")
    screenshot(organiser, "volunteering-qr")
    clock.set_now(start_real + dt.timedelta(minutes=100))  # 90 minutes of service
    _scan(organiser, phone, activity, "out")
    signup = Signup.objects.get()
    assert signup.checked_in_at and signup.checked_out_at

    organiser.goto(f"/volunteering/manage/{activity.pk}/")
    organiser.click("[data-testid=confirm-hours]")
    organiser.wait_for_load_state()
    expect(organiser.locator(".alert-success")).to_be_visible()

    phone.goto("/volunteering/points/")
    # 1.5 h × 10 points + 5 for the activity (platform defaults).
    expect(phone.locator("[data-testid=points-balance]")).to_have_text("20")
    expect(phone.locator("[data-testid=statement]")).to_contain_text("敬老院陪护")
    screenshot(phone, "volunteering-points")
