"""Desktop layouts (issue 19, item 3), in headless Chromium: the grid worker clears the queue
from the desktop table (1440×900) through dialogs — accept, handle, resolve each ticket until
the queue is empty, with a refused step shown inside the dialog; the same queue on a phone
(390×844) shows the cards; the secretary revokes a post through the posts table's dialog.
Screenshots go to test-results/ (not committed)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.tickets import services
from gongzhi.tickets.models import Category, Kind, Status, Ticket
from gongzhi.tickets.workflow import Step
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def _open(user, viewport, phone=False):
        options = {"base_url": live_server.url, "locale": "zh-CN", "viewport": viewport}
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        submit_login(page, user.username)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def queue(world):
    """Three new tickets in the grid worker's grid."""
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone="13900000088")
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, name="陈网格")
    other = make_user(Role.GRID_WORKER, world.grid_a1_1, name="李网格")
    repair = Category.objects.create(code="desk-repair", name="维修")
    tickets = [
        services.submit(actor=resident, kind=Kind.HELP, category=repair, text=text)
        for text in ("楼道灯不亮", "下水道堵塞", "单元门禁坏了")
    ]
    return worker, other, tickets


def _step(page, ticket, step, note=None):
    """Open the step's dialog from the ticket's row, fill the note, confirm; wait for the
    dialog to close."""
    row = page.locator(f"#ticket-row-{ticket.pk}")
    row.get_by_test_id(f"step-{step}").click()
    dialog = page.get_by_test_id("dialog")
    expect(dialog).to_be_visible()
    form = dialog.locator(f"form[data-step={step}]")
    expect(form).to_be_visible()
    if note is not None:
        form.locator("textarea[name=note]").fill(note)
    form.get_by_test_id("dialog-submit").click()
    expect(dialog).to_be_hidden()


def test_grid_worker_clears_the_queue_from_the_desktop_table_through_dialogs(open_as, queue):
    worker, other, tickets = queue
    page = open_as(worker, DESKTOP)
    page.goto("/tickets/queue/")
    table = page.get_by_test_id("ticket-table")
    expect(table).to_be_visible()
    expect(page.get_by_test_id("phone-list")).to_be_hidden()
    rows = table.locator("tbody tr[id^=ticket-row-]")
    expect(rows).to_have_count(3)
    screenshot(page, "desk-queue-1440")
    # The table fills the screen: no phone-width column.
    assert table.bounding_box()["width"] > 1200

    # A refused step stays in the dialog, in Chinese: the worker opens 受理 while a colleague
    # accepts the same ticket first.
    first = tickets[0]
    page.locator(f"#ticket-row-{first.pk}").get_by_test_id("step-accept").click()
    dialog = page.get_by_test_id("dialog")
    expect(dialog.locator("form[data-step=accept]")).to_be_visible()
    screenshot(page, "desk-queue-dialog-1440")
    services.STEPS[Step.ACCEPT][0](first, actor=other)
    dialog.get_by_test_id("dialog-submit").click()
    error = dialog.get_by_test_id("dialog-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("不能")
    expect(dialog.get_by_test_id("dialog-submit")).to_have_count(0)
    screenshot(page, "desk-queue-refused-1440")
    dialog.locator(".modal-footer button[data-bs-dismiss=modal]").click()
    expect(dialog).to_be_hidden()
    page.reload()

    # A required note left empty: the service's words in the dialog, the dialog stays open.
    page.locator(f"#ticket-row-{first.pk}").get_by_test_id("step-handle").click()
    dialog.locator("form[data-step=handle]").get_by_test_id("dialog-submit").click()
    expect(dialog).to_be_hidden()
    page.locator(f"#ticket-row-{first.pk}").get_by_test_id("step-resolve").click()
    dialog.locator("form[data-step=resolve]").get_by_test_id("dialog-submit").click()
    expect(dialog.get_by_test_id("dialog-error")).to_contain_text("请")
    dialog.locator("form[data-step=resolve] textarea[name=note]").fill("已更换灯泡")
    dialog.locator("form[data-step=resolve]").get_by_test_id("dialog-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#ticket-row-{first.pk}")).to_have_count(0)
    expect(page.get_by_test_id("toast").last).to_contain_text(first.number)

    # The other two: accept, handle, resolve — each row updated in place, then gone.
    for ticket in tickets[1:]:
        _step(page, ticket, "accept")
        row = page.locator(f"#ticket-row-{ticket.pk}")
        expect(row.get_by_test_id("row-status")).to_have_text("网格已受理")
        expect(row.get_by_test_id("step-handle")).to_be_visible()
        _step(page, ticket, "handle")
        expect(row.get_by_test_id("step-resolve")).to_be_visible()
        _step(page, ticket, "resolve", note="已处理完毕")
        expect(row).to_have_count(0)
    expect(rows).to_have_count(0)
    expect(page.get_by_test_id("ticket-table-empty")).to_be_visible()
    screenshot(page, "desk-queue-empty-1440")
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.RESOLVED}
    page.reload()
    expect(page.get_by_test_id("ticket-table-empty")).to_be_visible()


def test_the_same_queue_on_a_phone_shows_cards(open_as, queue):
    worker, _other, tickets = queue
    phone = open_as(worker, PHONE, phone=True)
    phone.goto("/tickets/queue/")
    expect(phone.get_by_test_id("ticket-table")).to_be_hidden()
    cards = phone.get_by_test_id("phone-list").locator(".list-group-item[id^=ticket-card-]")
    expect(cards).to_have_count(3)
    accept = phone.locator(f"#ticket-card-{tickets[0].pk} form[action$='/accept/'] button")
    expect(accept).to_be_visible()
    assert accept.bounding_box()["height"] >= 44
    screenshot(phone, "desk-queue-390")
    # No page-wide horizontal scroll on the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_secretary_revokes_a_post_through_the_posts_table_dialog(open_as, world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="张书记")
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, name="离职网格员")
    post = Post.objects.get(user=worker)
    page = open_as(secretary, DESKTOP)
    page.goto(f"/posts/?place={world.community_a1.pk}")
    row = page.locator(f"#post-row-{post.pk}")
    # One line: no reason box in the row, the button does not wrap.
    expect(row.locator("input, textarea")).to_have_count(0)
    button = row.get_by_test_id(f"revoke-{post.pk}")
    assert button.bounding_box()["height"] < 40
    screenshot(page, "desk-posts-1440")
    button.click()
    dialog = page.get_by_test_id("dialog")
    expect(dialog.get_by_test_id("revoke-form")).to_be_visible()
    dialog.locator("textarea[name=reason]").fill("调离本社区")
    screenshot(page, "desk-posts-dialog-1440")
    dialog.get_by_test_id("revoke-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id(f"post-status-{post.pk}")).to_have_text("已撤销")
    expect(page.get_by_test_id("toast").last).to_be_visible()
    post.refresh_from_db()
    assert post.is_active is False


def test_organiser_corrects_minutes_on_the_roster_through_a_dialog(open_as, world):
    import datetime as dt

    from gongzhi.core import clock
    from gongzhi.volunteering import services as volunteering
    from tests.volunteering.conftest import resident_user

    organiser = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="刘社工")
    now = clock.now()
    activity = volunteering.publish(
        actor=organiser,
        community=world.community_a1,
        title="敬老院陪护",
        location="春园敬老院",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=3),
        capacity=5,
    )
    signups = [
        volunteering.sign_up(activity, actor=resident_user(world.grid_a1_1.buildings[0], name))
        for name in ("吴秀英", "李四")
    ]
    page = open_as(organiser, DESKTOP)
    page.goto(f"/volunteering/manage/{activity.pk}/")
    roster = page.get_by_test_id("roster")
    # No form in the rows: one button per row opens the correction in the dialog.
    expect(roster.locator("tbody input[name=minutes]")).to_have_count(0)
    screenshot(page, "desk-roster-1440")
    roster.get_by_test_id(f"correct-{signups[0].pk}").click()
    dialog = page.get_by_test_id("dialog")
    form = dialog.get_by_test_id("correct-form")
    expect(form).to_be_visible()
    form.locator("input[name=minutes]").fill("90")
    form.locator("input[name=reason]").fill("忘记扫码签退")
    screenshot(page, "desk-roster-dialog-1440")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(roster).to_contain_text("忘记扫码签退")
    signups[0].refresh_from_db()
    assert signups[0].minutes_override == 90

    # On a phone the activity's buttons stay on one line, 44 px tall.
    phone = open_as(organiser, PHONE, phone=True)
    phone.goto(f"/volunteering/manage/{activity.pk}/")
    buttons = phone.get_by_test_id("activity-buttons").locator(".btn")
    boxes = [buttons.nth(i).bounding_box() for i in range(buttons.count())]
    assert len({round(b["y"]) for b in boxes}) == 1
    assert all(b["height"] >= 44 for b in boxes)
    screenshot(phone, "desk-roster-390")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
