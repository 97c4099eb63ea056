"""Assessment rounds in headless Chromium: the street officer opens a round in the dialog and
it computes (inline in tests) → the secretary of community A2 contests a figure with a reason
→ the street officer adjusts it in the dialog → publishes → the ranking shows the adjusted
result (A2 first) with its hash verified → the cockpit ranks A2 first → the community's PDF,
downloaded from the round page, shows its name on the first page (rendered to PNG). Screenshots
at 1440×900."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.evaluation.models import Contest, ContestStatus, Round, RoundStatus
from tests.browser.conftest import RESULTS_DIR, TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.evaluation import rounds_support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ev(world, monkeypatch):
    yield from rounds_support.setup(world, monkeypatch)


def _context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_open_contest_adjust_publish(browser, live_server, ev):
    secretary = make_user(Role.COMMUNITY_SECRETARY, ev.world.community_a2, name="二社区书记")
    desk = _context(browser, live_server)
    page = desk.new_page()
    community = _context(browser, live_server)
    other = community.new_page()
    try:
        # 1. The street opens the round in the dialog; it is computed.
        submit_login(page, ev.street.username)
        page.goto("/evaluation/")
        page.get_by_test_id("open-round").click()
        form = page.get_by_test_id("open-round-form")
        form.locator("input[name=title]").fill("2025年度社区治理考核")
        form.locator("input[name=year]").fill("2025")
        form.locator("select[name=quarter]").select_option("0")
        screenshot(page, "evaluation-open-1440")
        form.get_by_test_id("open-round-submit").click()
        expect(page.get_by_test_id("ranking")).to_be_visible()
        rnd = Round.objects.get()
        assert rnd.status == RoundStatus.REVIEW
        first = page.get_by_test_id("rank-row").first
        expect(first).to_contain_text("珞南一社区")
        expect(first).to_contain_text("100.00")

        # 2. Community A2's secretary contests its rate with a reason.
        submit_login(other, secretary.username)
        other.goto(f"/evaluation/rounds/{rnd.pk}/")
        other.get_by_role("link", name="珞南二社区").click()
        expect(other.get_by_test_id("score-total")).to_have_text("24.00")
        other.get_by_test_id("contest-ev.rate").click()
        dialog = other.get_by_test_id("contest-form")
        dialog.locator("textarea[name=reason]").fill("漏计三件已办结工单，附办结回执。")
        dialog.locator("input[name=claimed]").fill("90")
        screenshot(other, "evaluation-contest-1440")
        dialog.get_by_test_id("contest-submit").click()
        expect(other.get_by_test_id("contest")).to_contain_text("漏计三件")
        assert Contest.objects.get().status == ContestStatus.OPEN

        # 3. The street adjusts it in the dialog.
        score = rnd.scores.get(place=ev.world.community_a2)
        page.goto(f"/evaluation/scores/{score.pk}/")
        page.get_by_test_id("decide").click()
        decide = page.get_by_test_id("decide-form")
        decide.locator("select[name=decision]").select_option("adjust")
        decide.locator("input[name=adjust_to]").fill("90")
        decide.locator("textarea[name=reason]").fill("核对回执属实，调整为90%。")
        decide.get_by_test_id("decide-submit").click()
        expect(page.get_by_test_id("adjusted")).to_contain_text("核对回执属实")
        expect(page.get_by_test_id("score-total")).to_have_text("84.00")

        # 4. Publish; the ranking shows the adjusted result, frozen and verified.
        page.goto(f"/evaluation/rounds/{rnd.pk}/")
        page.get_by_test_id("publish").click()
        page.get_by_test_id("publish-confirm").click()
        expect(page.get_by_test_id("verified")).to_be_visible()
        first = page.get_by_test_id("rank-row").first
        expect(first).to_contain_text("珞南二社区")
        expect(first).to_contain_text("84.00")
        screenshot(page, "evaluation-published-1440")
        rnd.refresh_from_db()
        assert rnd.status == RoundStatus.PUBLISHED and rnd.snapshot_sha256

        # 5. The cockpit ranks the published result.
        page.goto("/cockpit/")
        expect(page.get_by_test_id("cockpit-round")).to_have_text("2025年度社区治理考核")
        expect(page.locator("#gz-ck-rank-rows tr").first).to_contain_text("珞南二社区")
        expect(page.locator("#gz-ck-rank-rows tr").first).to_contain_text("84")

        # 6. The community's PDF from the round page: its first page names the community.
        page.goto(f"/evaluation/rounds/{rnd.pk}/")
        pdf = reverse("evaluation_reports:community_pdf", args=[rnd.pk, ev.world.community_a2.pk])
        with page.expect_download() as download:
            page.locator(f'a[href="{pdf}"]').click()
        data = Path(download.value.path()).read_bytes()
        first = pdfium.PdfDocument(data)[0]
        assert "珞南二社区" in first.get_textpage().get_text_range()
        image = first.render(scale=1.5).to_pil().convert("L")
        RESULTS_DIR.mkdir(exist_ok=True)
        image.save(RESULTS_DIR / "evaluation-report-page1.png")
        top = image.crop((0, 0, image.width, image.height // 4))
        assert sum(top.histogram()[:100]) > 500, "the first page's title area is blank"
    finally:
        desk.close()
        community.close()
