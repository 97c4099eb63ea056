"""Deliberation in headless Chromium: a resident raises a topic on the phone → supporters reach
the threshold (the last one through the page) → the secretary creates a joint meeting with the
topic on the agenda, records minutes and a resolution with an action → the action's owner
(property staff) marks it done → the public accountability page, without login, shows it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.deliberation import services
from gongzhi.deliberation.models import FollowThrough, Topic, TopicStatus
from gongzhi.places.models import Household, Place
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.deliberation.conftest import make_citizen

pytestmark = pytest.mark.browser


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(identifier=None, phone=False):
        options = {"base_url": live_server.url, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if identifier:
            submit_login(page, identifier)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_topic_to_public_action(as_user, world, profile_dir):
    (profile_dir / "tiny.yaml").write_text(
        "source: x.txt\ntitle: t\ndeliberation:\n  support_threshold: 3\n"
    )
    Place.objects.filter(pk=world.community_a1.pk).update(policy_profile="tiny")
    homes = list(Household.objects.filter(building__in=world.grid_a1_1.buildings).order_by("id"))
    resident = make_citizen(homes[0], "吴秀英")
    supporters = [make_citizen(homes[i], f"邻居{i}") for i in (1, 2, 3)]
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="张书记")
    manager = make_user(Role.PROPERTY_STAFF, world.community_a1, name="胡经理")

    # 1. The resident raises a topic on her phone.
    phone = as_user(resident.phone_plain, phone=True)
    phone.goto("/deliberation/topics/new/")
    phone.select_option("select[name=place]", str(world.community_a1.pk))
    phone.fill("input[name=title]", "增设电动车充电桩")
    phone.fill("textarea[name=text]", "电动车在楼道充电有火灾隐患，建议增设充电桩。")
    phone.locator("[data-testid=topic-form] button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/deliberation/topics/\d+/$"))
    topic = Topic.objects.get()
    expect(phone.locator("[data-testid=supporters]")).to_contain_text("0/3")

    # 2. Two neighbours support (setup); the third supports through the page.
    for user in supporters[:2]:
        services.support(topic, actor=user)
    last = as_user(supporters[2].phone_plain, phone=True)
    last.goto(f"/deliberation/topics/{topic.pk}/")
    last.locator("[data-testid=support]").click()
    last.wait_for_load_state()
    expect(last.locator("[data-testid=supporters]")).to_contain_text("3/3")
    expect(last.locator("[data-testid=topic-status]")).to_contain_text("已列入议程")
    screenshot(last, "deliberation-on-agenda")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.ON_AGENDA

    # 3. The secretary creates a joint meeting with the topic, records minutes and a resolution.
    desk = as_user(secretary.username)
    desk.goto("/deliberation/meetings/new/")
    desk.select_option("select[name=kind]", "joint")
    desk.fill("input[name=title]", "三方联席会议")
    started = timezone.localtime(clock.now()) - dt.timedelta(hours=1)
    desk.fill("input[name=starts_at]", started.strftime("%Y-%m-%dT%H:%M"))
    desk.fill("input[name=location]", "社区会议室")
    desk.check(f"input[name=topics][value='{topic.pk}']")
    desk.locator("[data-testid=meeting-form] button[type=submit]").click()
    desk.wait_for_url(re.compile(r".*/deliberation/meetings/\d+/$"))
    expect(desk.locator("[data-testid=agenda]")).to_contain_text("增设电动车充电桩")
    desk.fill("[data-testid=minutes-form] textarea[name=minutes]", "三方一致同意由物业增设充电桩。")
    desk.locator("[data-testid=minutes-form] button").click()
    desk.wait_for_load_state()
    expect(desk.locator("[data-testid=meeting-status]")).to_contain_text("已召开")
    form = desk.locator("[data-testid=resolution-form]")
    form.locator("textarea[name=text]").fill("物业在小区东侧增设充电桩")
    form.locator("input[name=action_title]").fill("增设充电桩")
    form.locator("select[name=owner]").select_option(str(manager.pk))
    form.locator("input[name=due]").fill((clock.today() + dt.timedelta(days=30)).isoformat())
    form.locator("button").click()
    desk.wait_for_load_state()
    expect(desk.locator("[data-testid=resolutions]")).to_contain_text("增设充电桩")
    screenshot(desk, "deliberation-meeting")
    follow_through = FollowThrough.objects.get()
    assert follow_through.owner == manager

    # 4. The owner marks the action done.
    owner = as_user(manager.username)
    owner.goto("/deliberation/actions/")
    owner.locator("[data-testid=actions] a", has_text="增设充电桩").click()
    owner.wait_for_url(re.compile(r".*/deliberation/actions/\d+/$"))
    owner.select_option("[data-testid=progress-form] select[name=status]", "done")
    owner.fill("[data-testid=progress-form] textarea[name=note]", "充电桩已安装并通电。")
    owner.locator("[data-testid=progress-form] button").click()
    owner.wait_for_load_state()
    expect(owner.locator("[data-testid=action-status]")).to_contain_text("已完成")

    # 5. The public page, without login, shows the completed action.
    public = as_user(phone=True)
    public.goto(f"/deliberation/public/{world.community_a1.pk}/")
    row = public.locator("[data-testid=public-actions] .list-group-item", has_text="增设充电桩")
    expect(row.locator("[data-testid=public-status]")).to_contain_text("已完成")
    expect(public.locator("main")).not_to_contain_text(resident.phone_plain)
    screenshot(public, "deliberation-public")
