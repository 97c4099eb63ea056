"""A round through the services: budget from the profile, proposals, review, votes, selection,
spending, photos and completion."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from PIL import Image

from gongzhi.core.models import AuditRecord
from gongzhi.microprojects import services
from gongzhi.microprojects.models import (
    BudgetSource,
    Method,
    Phase,
    Progress,
    Project,
    Review,
    Round,
    Selection,
    Spending,
    Support,
)

pytestmark = pytest.mark.django_db


def test_no_budget_is_borrowed_when_the_document_sets_none(mp):
    """Issue 12.1: no profile budget → staff must enter it; seed 000's 300,000 is not used."""
    assert services.budget_for(mp.community) is None
    with pytest.raises(ValidationError) as error:
        services.open_round(mp.community, 2026, actor=mp.cw)
    assert "budget" in error.value.message_dict
    assert not Round.objects.exists()
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="88000")
    assert rnd.budget_yuan == Decimal("88000.00") and rnd.budget_source == BudgetSource.ENTERED


def test_budget_from_the_profile(mp, profile_dir, world):
    (profile_dir / "tiny.yaml").write_text(
        "source: test\ntitle: t\nmicroprojects:\n  yearly_budget_yuan: 1234  # test\n"
    )
    world.district.policy_profile = "tiny"
    world.district.save()
    rnd = services.open_round(mp.community, 2026, actor=mp.cw)
    assert rnd.budget_yuan == Decimal("1234.00") and rnd.budget_source == BudgetSource.PROFILE


LOUDI_LIKE = (
    "source: test\ntitle: t\nmicroprojects:\n  yearly_budget_yuan: 200000  # 001 §15\n"
    "  county_yearly_budget_yuan: 100000  # 001 §15\n"
)


@pytest.mark.parametrize(
    ("area_class", "expected"),
    [("central", "200000.00"), ("", "200000.00"), ("county", "100000.00")],
)
def test_county_towns_get_the_county_budget(mp, profile_dir, world, area_class, expected):
    (profile_dir / "loudi-like.yaml").write_text(LOUDI_LIKE)
    world.district.policy_profile = "loudi-like"
    world.district.save()
    mp.community.area_class = area_class
    mp.community.save()
    rnd = services.open_round(mp.community, 2026, actor=mp.cw)
    assert rnd.budget_yuan == Decimal(expected)


def test_county_without_a_county_amount_uses_the_general_budget(mp, profile_dir, world):
    (profile_dir / "general.yaml").write_text(
        "source: test\ntitle: t\nmicroprojects:\n  yearly_budget_yuan: 200000  # x\n"
    )
    world.district.policy_profile = "general"
    world.district.save()
    mp.community.area_class = "county"
    mp.community.save()
    assert services.budget_for(mp.community) == Decimal("200000.00")


def test_shipped_loudi_profile_sets_200000(world):
    world.district.policy_profile = "loudi"
    world.district.save()
    assert services.budget_for(world.community_a1) == Decimal("200000.00")


def test_round_only_by_staff_of_the_community(mp):
    with pytest.raises((PermissionDenied, Http404)):
        services.open_round(mp.community, 2026, actor=mp.r1, budget="300000")
    with pytest.raises(Http404):
        services.open_round(mp.community, 2026, actor=mp.cw_other, budget="300000")
    services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
    with pytest.raises(ValidationError):
        services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")


def _round_with(mp, budget="1000"):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
    rnd.budget_yuan = Decimal(budget)
    rnd.save()
    return rnd


def test_proposal_with_cost_items(mp):
    rnd = _round_with(mp)
    p = services.propose(
        rnd,
        actor=mp.r1,
        title="楼道灯",
        description="换LED灯",
        items=[("灯具", "300"), ("人工", "100.5")],
    )
    assert p.cost == Decimal("400.50") and p.items.count() == 2 and p.proposer_name == "居民一"
    assert AuditRecord.objects.filter(action="microprojects.propose").exists()


@pytest.mark.parametrize(
    "items", [[], [("灯具", "abc")], [("", "100")], [("灯具", "-5")], [("灯具", "0")]]
)
def test_bad_proposal_refused_nothing_written(mp, items):
    rnd = _round_with(mp)
    with pytest.raises(ValidationError) as error:
        services.propose(rnd, actor=mp.r1, title="t", description="d", items=items)
    assert "items" in error.value.message_dict
    assert not Project.objects.exists()


def test_other_community_cannot_propose(mp):
    rnd = _round_with(mp)
    with pytest.raises(Http404):
        services.propose(rnd, actor=mp.r_other, title="t", description="d", items=[("a", "1")])


def _flow(mp, budget, specs):
    """specs: (title, cost, voters) → the round after selection."""
    rnd = _round_with(mp, budget)
    projects = []
    for title, cost, _voters in specs:
        p = services.propose(rnd, actor=mp.r1, title=title, description="d", items=[("x", cost)])
        services.review(p, actor=mp.cw, feasible=True, reason="")
        projects.append(p)
    services.start_voting(rnd, actor=mp.cw)
    for p, (_t, _c, voters) in zip(projects, specs, strict=True):
        for voter in voters:
            services.support(p, actor=getattr(mp, voter))
    services.select(rnd, actor=mp.cw)
    return rnd


def test_whole_round_selection_with_a_skip(mp):
    rnd = _flow(
        mp, "1000", [("A", "600", ["r1", "r2"]), ("B", "500", ["r1"]), ("C", "400", ["r2"])]
    )
    by = {p.title: p for p in Project.objects.filter(round=rnd)}
    # A and B/C tie at one vote → C (cheaper) before B. A 600, C 400 = 1000; B skipped.
    assert by["A"].selection == Selection.SELECTED
    assert by["C"].selection == Selection.SELECTED
    assert by["B"].selection == Selection.SKIPPED and by["B"].remaining_before == Decimal("0")
    rnd.refresh_from_db()
    assert rnd.phase == Phase.SELECTED


def test_review_not_feasible_needs_reason_and_adjusts_cost(mp):
    rnd = _round_with(mp)
    p = services.propose(rnd, actor=mp.r1, title="t", description="d", items=[("x", "500")])
    with pytest.raises(ValidationError):
        services.review(p, actor=mp.cw, feasible=False, reason="")
    with pytest.raises((PermissionDenied, Http404)):
        services.review(p, actor=mp.r1, feasible=True, reason="")
    with pytest.raises(Http404):
        services.review(p, actor=mp.cw_other, feasible=True, reason="")
    p = services.review(p, actor=mp.cw, feasible=True, reason="按市场价调整", cost="450")
    assert p.cost == Decimal("450.00") and p.proposed_cost == Decimal("500.00")


def test_voting_rules(mp):
    rnd = _round_with(mp)
    ok = services.propose(rnd, actor=mp.r1, title="ok", description="d", items=[("x", "10")])
    bad = services.propose(rnd, actor=mp.r1, title="bad", description="d", items=[("x", "10")])
    with pytest.raises(ValidationError):
        services.support(ok, actor=mp.r1)  # not voting yet
    with pytest.raises(ValidationError):
        services.start_voting(rnd, actor=mp.cw)  # unreviewed proposals
    services.review(ok, actor=mp.cw, feasible=True, reason="")
    services.review(bad, actor=mp.cw, feasible=False, reason="涉及消防通道")
    services.start_voting(rnd, actor=mp.cw)
    services.support(ok, actor=mp.r1)
    with pytest.raises(ValidationError, match="already|已"):
        services.support(ok, actor=mp.r1)
    with pytest.raises(ValidationError):
        services.support(bad, actor=mp.r1)
    with pytest.raises(Http404):
        services.support(ok, actor=mp.r_other)
    assert Support.objects.count() == 1
    assert Project.objects.get(pk=ok.pk).votes == 1


def test_vote_cap_per_resident(mp):
    rnd = _round_with(mp)
    rnd.max_votes = 1
    rnd.save()
    a = services.propose(rnd, actor=mp.r1, title="a", description="d", items=[("x", "10")])
    b = services.propose(rnd, actor=mp.r1, title="b", description="d", items=[("x", "10")])
    for p in (a, b):
        services.review(p, actor=mp.cw, feasible=True, reason="")
    services.start_voting(rnd, actor=mp.cw)
    services.support(a, actor=mp.r1)
    with pytest.raises(ValidationError):
        services.support(b, actor=mp.r1)


def _png(exif=False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (40, 30), "red")
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"
        image.save(out, "JPEG", exif=info)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def test_implementation_spending_photos_completion(mp, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rnd = _flow(mp, "1000", [("A", "600", ["r1"])])
    p = Project.objects.get(round=rnd)
    services.add_spending(
        p, actor=mp.cw, amount="650", item="长椅", payee="某公司", paid_on=dt.date(2026, 6, 1)
    )
    p.refresh_from_db()
    assert p.progress == Progress.IN_PROGRESS
    assert services.overspent(p) == Decimal("50.00")
    photo = services.add_photo(p, _png(exif=True), actor=mp.cw, caption="完工")
    stored = Image.open(photo.file.path)
    assert not stored.getexif() and stored.size == (40, 30)
    with pytest.raises(ValidationError):
        services.add_photo(p, b"not an image", actor=mp.cw)
    with pytest.raises(ValidationError) as error:
        services.add_spending(p, actor=mp.cw, amount="x", item="", payee="", paid_on=None)
    assert set(error.value.message_dict) == {"amount", "item", "payee", "paid_on"}
    with pytest.raises((PermissionDenied, Http404)):
        services.add_spending(
            p, actor=mp.r1, amount="1", item="i", payee="a", paid_on=dt.date(2026, 6, 1)
        )
    assert Spending.objects.count() == 1
    services.complete(p, actor=mp.cw, note="已安装")
    p.refresh_from_db()
    assert p.progress == Progress.COMPLETED and p.completed_at


def test_not_selected_projects_cannot_spend(mp):
    rnd = _round_with(mp)
    p = services.propose(rnd, actor=mp.r1, title="t", description="d", items=[("x", "10")])
    with pytest.raises(ValidationError):
        services.add_spending(
            p, actor=mp.cw, amount="1", item="i", payee="a", paid_on=dt.date(2026, 6, 1)
        )
    assert p.review == Review.PENDING


def test_receipt_photo_belongs_to_a_spending_entry_of_the_project(mp):
    rnd = _flow(mp, "1000", [("A", "300", ["r1"]), ("B", "300", ["r1"])])
    a, b = Project.objects.filter(round=rnd).order_by("title")
    entry = services.add_spending(
        a, actor=mp.cw, amount="280", item="材料", payee="五金店", paid_on=dt.date(2026, 6, 1)
    )
    receipt = services.add_photo(a, _png(), actor=mp.cw, caption="发票", spending=entry)
    assert receipt.spending == entry and list(entry.receipts.all()) == [receipt]
    assert (
        AuditRecord.objects.filter(action="microprojects.photo").last().changes["receipt_of"]
        == entry.pk
    )
    with pytest.raises(ValidationError) as error:
        services.add_photo(b, _png(), actor=mp.cw, spending=entry)
    assert "spending" in error.value.message_dict
    assert b.photos.count() == 0


# --------------------------------------------------------------------------- rules and methods


def test_rules_change_before_voting_and_freeze_when_voting_opens(mp):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="1000")
    rnd = services.set_rules(
        rnd, actor=mp.cw, budget="2000", method=Method.EQUAL_SHARES, max_votes=3
    )
    assert (rnd.budget_yuan, rnd.method, rnd.max_votes) == (Decimal("2000.00"), "mes", 3)
    assert AuditRecord.objects.filter(action="microprojects.rules").count() == 1
    services.start_voting(rnd, actor=mp.cw)
    for change in ({"budget": "5000"}, {"method": Method.GREEDY}, {"max_votes": 1}):
        with pytest.raises(ValidationError) as error:
            services.set_rules(rnd, actor=mp.cw, **change)
        assert "冻结" in " ".join(error.value.messages)
    rnd.refresh_from_db()
    assert (rnd.budget_yuan, rnd.method, rnd.max_votes) == (Decimal("2000.00"), "mes", 3)
    assert AuditRecord.objects.filter(action="microprojects.rules").count() == 1


def test_frozen_message_is_chinese(mp, settings):
    from django.utils import translation

    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="1000")
    services.start_voting(rnd, actor=mp.cw)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.set_rules(rnd, actor=mp.cw, budget="5000")
    assert "冻结" in " ".join(error.value.messages)


def test_rules_only_by_staff_and_bad_input_refused(mp):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="1000")
    with pytest.raises(PermissionDenied):
        services.set_rules(rnd, actor=mp.r1, budget="5")
    with pytest.raises(Http404):
        services.set_rules(rnd, actor=mp.cw_other, budget="5")
    for bad in ({"budget": "abc"}, {"method": "lottery"}, {"max_votes": "0"}):
        with pytest.raises(ValidationError):
            services.set_rules(rnd, actor=mp.cw, **bad)
    rnd.refresh_from_db()
    assert rnd.budget_yuan == Decimal("1000.00") and rnd.method == Method.GREEDY


def test_bad_method_on_open_refused(mp):
    with pytest.raises(ValidationError):
        services.open_round(mp.community, 2026, actor=mp.cw, budget="1000", method="lottery")
    assert not Round.objects.exists()


def _mes_round(mp, world, method):
    """Budget 300, three voters (share 100 each). A (200) and C (100) are wanted by residents
    one and two, B (100) by resident three only."""
    from tests.microprojects.conftest import _resident

    r3 = _resident(world.grid_a1_1.buildings[0], "13900000024", "居民三")
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300", method=method)
    projects = {}
    for title, cost in (("A", "200"), ("B", "100"), ("C", "100")):
        p = services.propose(rnd, actor=mp.r1, title=title, description="d", items=[("x", cost)])
        projects[title] = services.review(p, actor=mp.cw, feasible=True, reason="")
    services.start_voting(rnd, actor=mp.cw)
    for user, titles in ((mp.r1, "AC"), (mp.r2, "AC"), (r3, "B")):
        for title in titles:
            services.support(projects[title], actor=user)
    services.select(rnd, actor=mp.cw)
    return {k: Project.objects.get(pk=p.pk) for k, p in projects.items()}


@pytest.mark.parametrize("method", [Method.GREEDY, Method.EQUAL_SHARES])
def test_select_keeps_both_outcomes_and_the_method_is_binding(mp, world, method):
    p = _mes_round(mp, world, method)
    # Greedy, in vote order: A and C (2 votes each) fill the 300; B is skipped.
    assert [p[k].greedy_selected for k in "ABC"] == [True, False, True]
    # Equal shares: C costs its two supporters 50 each (the best ratio), then A no longer fits
    # their remaining 50 + 50, while resident three's share pays for B.
    assert [p[k].mes_selected for k in "ABC"] == [False, True, True]
    chosen = "greedy_selected" if method == Method.GREEDY else "mes_selected"
    for project in p.values():
        assert (project.selection == Selection.SELECTED) == getattr(project, chosen)
    if method == Method.EQUAL_SHARES:
        assert p["A"].selection == Selection.NOT_FUNDED
        assert (p["C"].selection_rank, p["B"].selection_rank) == (1, 2)


def test_open_round_refuses_the_role_before_reading_the_input(mp):
    with pytest.raises(PermissionDenied):
        services.open_round(mp.community, 2026, actor=mp.r1)  # no budget: still 403, not 400
    with pytest.raises(Http404):
        services.open_round(mp.community, 2026, actor=mp.cw_other)
    assert not Round.objects.exists()
