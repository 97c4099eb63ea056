"""People registry journeys in headless Chromium: import a spreadsheet, find a resident,
reveal a phone number with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.people.idcard import make_id
from gongzhi.people.models import Resident
from tests.browser.conftest import screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser

HEADER = "姓名,证件类型,证件号码,性别,出生日期,手机号,楼栋,单元,室号,与户主关系,居住状态,迁入日期,标签,技能特长"


def _csv(tmp_path, world):
    good_id = make_id("431302", dt.date(1950, 3, 8), 23)  # odd sequence: male
    bad_id = make_id("431302", dt.date(1988, 1, 2), 44)[:-1] + "0"
    if bad_id == make_id("431302", dt.date(1988, 1, 2), 44):
        bad_id = bad_id[:-1] + "1"
    building = f"{world.grid_a1_1.estate.name}1栋"
    rows = [
        HEADER,
        f"欧阳建国,居民身份证,{good_id},男,,13912340001,{building},1,0101,户主,户籍,2020-05-01,独居,电工",
        f"错号码,居民身份证,{bad_id},,,13912340002,{building},1,0201,户主,户籍,,,",
    ]
    path = tmp_path / "居民信息登记表.csv"
    path.write_bytes("\n".join(rows).encode("gb18030"))
    return path


def test_worker_imports_finds_and_reveals(page, world, tmp_path):
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="刘社工")
    submit_login(page, worker.username)

    page.goto(page.url.rstrip("/") + "/people/import/")
    page.select_option("select[name=community]", str(world.community_a1.pk))
    page.set_input_files("input[type=file]", str(_csv(tmp_path, world)))
    page.click("[data-testid=upload-form] button")
    # Preview: one row with a wrong check digit, shown before anything is written.
    expect(page.get_by_test_id("row-errors")).to_contain_text("错号码")
    assert not Resident.objects.exists()
    screenshot(page, "import-preview")

    page.check("input[name=mode][value=valid_only]")
    page.click("[data-testid=commit-form] button")
    expect(page.get_by_test_id("created")).to_have_text("1")
    assert Resident.objects.filter(name="欧阳建国").count() == 1

    # Find her by pinyin initials, open the record: ID and phone masked.
    page.goto(page.url.split("/people/")[0] + "/people/?q=oyjg")
    page.get_by_test_id("residents").get_by_text("欧阳建国").click()
    expect(page.get_by_test_id("phone-masked")).to_have_text("139****0001")

    # Reveal the phone: a reason is required, the value shows once, the reveal is audited.
    page.get_by_test_id("reveal-phone").click()
    page.fill("input[name=reason]", "通知疫苗接种")
    page.click("#reveal-phone button")
    expect(page.get_by_test_id("revealed")).to_have_text("13912340001")
    entry = AuditRecord.objects.get(action="pii.reveal")
    assert entry.actor_id == worker.pk and entry.reason == "通知疫苗接种"
    assert "13912340001" not in str(entry.changes)
    screenshot(page, "resident-revealed")


def test_grid_worker_sees_only_their_grid_and_cannot_reveal_ids(page, world):
    from gongzhi.people import services
    from gongzhi.places.models import Household

    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    for grid, name, seq in (
        (world.grid_a1_1, "本网格居民", 11),
        (world.grid_a1_2, "邻网格居民", 13),
    ):
        services.create_resident(
            actor=secretary,
            household=Household.objects.filter(place_path__under=grid.path).first(),
            name=name,
            id_number=make_id("431302", dt.date(1940, 1, 1), seq),
            phone=f"1391234{seq:04d}",
        )
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, name="陈网格")
    submit_login(page, worker.username)
    page.goto(page.url.rstrip("/") + "/people/")
    table = page.get_by_test_id("residents")
    expect(table).to_contain_text("本网格居民")
    expect(table).not_to_contain_text("邻网格居民")
    table.get_by_text("本网格居民").click()
    expect(page.get_by_test_id("reveal-phone")).to_have_count(1)
    expect(page.get_by_test_id("reveal-id")).to_have_count(0)
