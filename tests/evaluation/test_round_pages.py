"""Round pages and the API: every page rendered, wrong roles refused (404 out of scope, 403 in
scope without the right) on pages and API, a community sees its own parts and the area's
totals but never another community's parts, the published figures come from the snapshot,
malformed ids and bodies never 500, bounded queries with 12+ communities."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from gongzhi.core.indicators import Period, Value
from gongzhi.evaluation import services
from gongzhi.evaluation.models import Contest, ContestStatus, Round, RoundStatus
from tests.conftest import make_place

from .rounds_support import FIGURES, open_street_round, part_of, score_of

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _jpeg() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(data, "JPEG")
    data.seek(0)
    data.name = "proof.jpg"
    return data


def test_every_page_renders_for_the_assessor(ev, login):
    rnd = open_street_round(ev)
    a2 = score_of(rnd, ev.world.community_a2)
    made = services.contest(
        actor=ev.worker_a2,
        part=part_of(rnd, ev.world.community_a2, "ev.rate"),
        reason="漏计",
        evidence=[_jpeg()],
    )
    client = login(ev.street)
    page = client.get(reverse("evaluation:rounds")).content.decode()
    assert rnd.title in page and 'data-testid="open-round"' in page
    page = client.get(reverse("evaluation:round", args=[rnd.pk])).content.decode()
    assert "珞南一社区" in page and "100.00" in page and 'data-testid="publish"' in page
    page = client.get(reverse("evaluation:score", args=[a2.pk])).content.decode()
    assert "测试办结率" in page and "/tickets/?place=" in page and "漏计" in page
    assert 'data-testid="decide"' in page and 'data-testid="record-item"' in page
    assert "测试用：办结件数占受理件数的比例。" in page
    assert "漏计" in client.get(reverse("evaluation:contests")).content.decode()
    assert client.get(reverse("evaluation:decide", args=[made.pk])).status_code == 200
    dialog = client.get(reverse("evaluation:decide", args=[made.pk]), HTTP_HX_REQUEST="true")
    assert b"<html" not in dialog.content and b"decide-form" in dialog.content
    photo = made.photos.get()
    got = client.get(reverse("evaluation:evidence", args=[made.pk, photo.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    trend = client.get(reverse("evaluation:trend", args=[ev.world.community_a2.pk]))
    assert "24.00" in trend.content.decode()
    bar = client.get(reverse("evaluation:progress", args=[rnd.pk]), HTTP_HX_REQUEST="true")
    assert bar.status_code == 200 and bar["HX-Refresh"] == "true"
    # A recorded bonus item reads by its name, before and after publication.
    services.record_item(actor=ev.street, score=a2, item="award", reason="获省级表彰")
    page = client.get(reverse("evaluation:score", args=[a2.pk])).content.decode()
    assert "「获市级以上表彰」：获省级表彰" in page
    services.decide_contest(actor=ev.street, contest=made, reject=True, reason="不予调整")
    services.publish(actor=ev.street, round=rnd)
    page = client.get(reverse("evaluation:score", args=[a2.pk])).content.decode()
    assert "「获市级以上表彰」：获省级表彰" in page


def test_the_street_opens_decides_and_publishes_from_the_pages(ev, login):
    client = login(ev.street)
    got = client.post(
        reverse("evaluation:rounds"),
        {"place": ev.world.street_a.pk, "title": "2025年度考核", "year": 2025, "quarter": 0},
    )
    rnd = Round.objects.get()
    assert got.status_code == 302 and rnd.status == RoundStatus.REVIEW
    assert (rnd.period_start, rnd.period_end) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    part = part_of(rnd, ev.world.community_a2, "ev.rate")
    worker = login(ev.worker_a2)
    form = worker.get(reverse("evaluation:contest", args=[part.pk]))
    assert form.status_code == 200
    got = worker.post(
        reverse("evaluation:contest", args=[part.pk]),
        {"reason": "漏计三件", "claimed": "90", "evidence": _jpeg()},
    )
    assert got.status_code == 302
    made = Contest.objects.get()
    assert made.photos.count() == 1
    client = login(ev.street)
    got = client.post(
        reverse("evaluation:decide", args=[made.pk]),
        {"decision": "adjust", "adjust_to": "", "reason": "x"},
    )
    assert got.status_code == 200 and Contest.objects.get().status == ContestStatus.OPEN
    client.post(
        reverse("evaluation:decide", args=[made.pk]),
        {"decision": "adjust", "adjust_to": "90", "reason": "核实"},
    )
    assert Contest.objects.get().status == ContestStatus.ADJUSTED
    client.post(
        reverse("evaluation:score_item", args=[score_of(rnd, ev.world.community_a1).pk]),
        {"item": "award", "reason": "表彰"},
    )
    assert score_of(rnd, ev.world.community_a1).bonus == D("3.00")
    client.post(reverse("evaluation:round_act", args=[rnd.pk, "publish"]))
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED
    page = client.get(reverse("evaluation:round", args=[rnd.pk])).content.decode()
    assert 'data-testid="verified"' in page and "84.00" in page
    assert (
        client.post(reverse("evaluation:round_act", args=[rnd.pk, "nonsense"])).status_code == 404
    )


def test_a_community_sees_its_own_parts_and_the_areas_totals_only(ev, login):
    rnd = open_street_round(ev)
    own, other = score_of(rnd, ev.world.community_a1), score_of(rnd, ev.world.community_a2)
    client = login(ev.worker_a1)
    page = client.get(reverse("evaluation:round", args=[rnd.pk])).content.decode()
    assert "珞南二社区" in page and "24.00" in page  # the ranking's totals
    assert reverse("evaluation:score", args=[other.pk]) not in page
    assert reverse("evaluation:score", args=[own.pk]) in page
    assert 'data-testid="publish"' not in page
    assert client.get(reverse("evaluation:score", args=[own.pk])).status_code == 200
    assert client.get(reverse("evaluation:score", args=[other.pk])).status_code == 404
    other_part = part_of(rnd, ev.world.community_a2, "ev.rate")
    assert client.get(reverse("evaluation:contest", args=[other_part.pk])).status_code == 404
    assert (
        client.post(
            reverse("evaluation:contest", args=[other_part.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert _api(ev.worker_a1).get(f"/api/v1/evaluation/scores/{other.pk}/").status_code == 404
    assert (
        _api(ev.worker_a1)
        .post("/api/v1/evaluation/contests/", {"part": other_part.pk, "reason": "x"}, format="json")
        .status_code
        == 404
    )
    listed = _api(ev.worker_a1).get(f"/api/v1/evaluation/scores/?round={rnd.pk}").json()
    assert [s["place"] for s in listed["results"]] == [ev.world.community_a1.pk]
    detail = _api(ev.worker_a1).get(f"/api/v1/evaluation/rounds/{rnd.pk}/").json()
    assert {r["place_name"] for r in detail["ranking"]} == {"珞南一社区", "珞南二社区"}
    # Its own trend; another community's is 404.
    assert (
        client.get(reverse("evaluation:trend", args=[ev.world.community_a1.pk])).status_code == 200
    )
    assert (
        client.get(reverse("evaluation:trend", args=[ev.world.community_a2.pk])).status_code == 404
    )


def test_wrong_roles_are_refused_on_pages_and_api(ev, login):
    rnd = open_street_round(ev)
    a1 = score_of(rnd, ev.world.community_a1)
    part = part_of(rnd, ev.world.community_a1, "ev.rate")
    made = services.contest(actor=ev.worker_a1, part=part, reason="漏计")
    # The grid worker has no evaluation right at all: 403 by the page gate.
    grid = login(ev.grid_a1)
    for url in (reverse("evaluation:rounds"), reverse("evaluation:round", args=[rnd.pk])):
        assert grid.get(url).status_code == 403
    assert _api(ev.grid_a1).get("/api/v1/evaluation/rounds/").status_code == 403
    # Another street's officer: the round, the score and the contest do not exist for them.
    other = login(ev.street_b)
    assert other.get(reverse("evaluation:round", args=[rnd.pk])).status_code == 404
    assert other.get(reverse("evaluation:score", args=[a1.pk])).status_code == 404
    assert other.post(reverse("evaluation:round_act", args=[rnd.pk, "publish"])).status_code == 404
    assert other.get(reverse("evaluation:decide", args=[made.pk])).status_code == 404
    assert _api(ev.street_b).get(f"/api/v1/evaluation/rounds/{rnd.pk}/").status_code == 404
    assert (
        _api(ev.street_b)
        .post(
            f"/api/v1/evaluation/contests/{made.pk}/decide/",
            {"reject": True, "reason": "x"},
            format="json",
        )
        .status_code
        == 404
    )
    # The community contests but does not decide, compute or publish (403).
    worker = login(ev.worker_a1)
    assert worker.get(reverse("evaluation:decide", args=[made.pk])).status_code == 403
    assert worker.post(reverse("evaluation:round_act", args=[rnd.pk, "publish"])).status_code == 403
    assert (
        worker.post(reverse("evaluation:score_item", args=[a1.pk]), {"item": "award"}).status_code
        == 403
    )
    assert (
        _api(ev.worker_a1).post(f"/api/v1/evaluation/rounds/{rnd.pk}/publish/").status_code == 403
    )
    assert (
        _api(ev.worker_a1)
        .post(
            "/api/v1/evaluation/rounds/",
            {"place": ev.world.street_a.pk, "year": 2025, "title": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    # The street assesses, it does not contest (403 by the gate).
    street = login(ev.street)
    assert (
        street.post(reverse("evaluation:contest", args=[part.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert (
        _api(ev.street)
        .post("/api/v1/evaluation/contests/", {"part": part.pk, "reason": "x"}, format="json")
        .status_code
        == 403
    )
    assert Round.objects.get().status == RoundStatus.REVIEW


def test_the_api_journey_and_malformed_input(ev):
    street = _api(ev.street)
    got = street.post(
        "/api/v1/evaluation/rounds/",
        {"place": ev.world.street_a.pk, "year": 2025, "quarter": 4, "title": "四季度考核"},
        format="json",
    )
    assert got.status_code == 201, got.content
    rnd = Round.objects.get()
    assert rnd.period_start == dt.date(2025, 10, 1)
    assert street.get("/api/v1/evaluation/rounds/").json()["results"][0]["id"] == rnd.pk
    part = part_of(rnd, ev.world.community_a2, "ev.rate")
    got = _api(ev.worker_a2).post(
        "/api/v1/evaluation/contests/",
        {"part": part.pk, "reason": "漏计", "claimed": "90"},
        format="json",
    )
    assert got.status_code == 201, got.content
    contest_id = got.json()["id"]
    got = street.post(
        f"/api/v1/evaluation/contests/{contest_id}/decide/",
        {"adjust_to": "90", "reason": "核实"},
        format="json",
    )
    assert got.status_code == 200 and got.json()["status"] == "adjusted"
    got = street.post(
        f"/api/v1/evaluation/contests/{contest_id}/decide/",
        {"reject": True, "reason": "再"},
        format="json",
    )
    assert got.status_code == 400
    score = score_of(rnd, ev.world.community_a2)
    detail = street.get(f"/api/v1/evaluation/scores/{score.pk}/").json()
    rate = next(p for p in detail["parts"] if p["indicator"] == "ev.rate")
    assert (rate["adjusted"], rate["source"]) == (
        "90.0000",
        f"/tickets/?place={ev.world.community_a2.pk}",
    )
    assert detail["figures"]["total"] == "84.00"
    assert street.post(f"/api/v1/evaluation/rounds/{rnd.pk}/publish/").status_code == 200
    assert street.post(f"/api/v1/evaluation/rounds/{rnd.pk}/publish/").status_code == 400
    assert street.post(f"/api/v1/evaluation/rounds/{rnd.pk}/compute/").status_code == 400
    # Malformed ids and bodies: 400 or 404, never 500.
    for url in (
        "/api/v1/evaluation/rounds/99999999999999/",
        "/api/v1/evaluation/scores/abc/",
        "/api/v1/evaluation/contests/0/",
    ):
        assert street.get(url).status_code == 404, url
    assert street.get("/api/v1/evaluation/scores/?round=abc").status_code == 200
    for body in (
        {},
        {"place": "x", "year": 2025, "title": "t"},
        {"place": ev.world.street_a.pk, "year": 99999, "title": "t"},
        {"place": ev.world.community_a1.pk, "year": 2025, "title": "t"},
        {"place": 2**40, "year": 2025, "title": "t"},
        {"place": ev.world.street_b.pk, "year": 2025, "title": "t"},
        ["not", "a", "dict"],
    ):
        assert street.post("/api/v1/evaluation/rounds/", body, format="json").status_code == 400, (
            body
        )
    worker = _api(ev.worker_a2)
    for body in (
        {},
        {"part": "x", "reason": "r"},
        {"part": part.pk, "reason": ""},
        {"part": part.pk, "reason": "r", "claimed": "1e99"},
    ):
        assert worker.post("/api/v1/evaluation/contests/", body, format="json").status_code in (
            400,
            404,
        ), body
    assert (
        street.post(
            f"/api/v1/evaluation/contests/{contest_id}/decide/", {"adjust_to": "abc"}, format="json"
        ).status_code
        == 400
    )
    assert Round.objects.count() == 1


def test_a_published_round_shows_its_frozen_figures_whatever_happens_after(ev, login):
    rnd = open_street_round(ev)
    services.publish(actor=ev.street, round=rnd)
    a1 = score_of(rnd, ev.world.community_a1)
    # The underlying data changes and someone writes to the rows behind the services' back.
    FIGURES["ev.rate"][ev.world.community_a1.pk] = Value.share(1, 10)
    type(a1).objects.filter(pk=a1.pk).update(total=D("1.00"))
    client = login(ev.street)
    page = client.get(reverse("evaluation:round", args=[rnd.pk])).content.decode()
    assert "100.00" in page and "1.00<" not in page
    page = client.get(reverse("evaluation:score", args=[a1.pk])).content.decode()
    assert 'data-testid="score-total">100.00<' in page
    api = _api(ev.street).get(f"/api/v1/evaluation/rounds/{rnd.pk}/").json()
    assert api["ranking"][0]["total"] == "100.00"
    rnd.refresh_from_db()
    assert services.verify(rnd)


def test_a_published_round_links_the_reports_each_viewer_may_download(ev, login):
    rnd = open_street_round(ev)
    a1, a2, street = ev.world.community_a1, ev.world.community_a2, ev.world.street_a

    def links(user) -> str:
        return login(user).get(reverse("evaluation:round", args=[rnd.pk])).content.decode()

    def report(name, place) -> str:
        return reverse(f"evaluation_reports:{name}", args=[rnd.pk, place.pk])

    assert 'data-testid="reports"' not in links(ev.street)  # not before publication
    services.publish(actor=ev.street, round=rnd)
    page = links(ev.street)
    for name, place in (("street_pdf", street), ("community_pdf", a1), ("community_pdf", a2)):
        assert report(name, place) in page
    page = links(ev.worker_a1)  # a community: its own report only, and it downloads
    assert report("community_pdf", a1) in page
    assert report("community_pdf", a2) not in page
    assert report("street_pdf", street) not in page
    client = login(ev.worker_a1)
    assert client.get(report("community_xlsx", a1)).status_code == 200
    assert client.get(report("community_xlsx", a2)).status_code == 404


def _many_communities(ev, n: int) -> None:
    street = ev.world.street_a
    for i in range(n):
        place = make_place(street, "community", f"测试社区{i}", f"42011100210{i:02d}")
        FIGURES["ev.rate"][place.pk] = Value.share(i, 20)
        FIGURES["ev.count"][place.pk] = Value.count(i)


def test_round_page_and_rounds_list_take_bounded_queries(ev, login, django_assert_max_num_queries):
    _many_communities(ev, 14)
    rnd = open_street_round(ev)
    assert rnd.scores.count() == 16
    for year in range(2010, 2024):
        services.open_round(
            actor=ev.street,
            place=ev.world.street_a,
            period=Period.year(year),
            title=f"{year}年度",
            compute=False,
        )
    client = login(ev.street)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("evaluation:rounds")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("evaluation:round", args=[rnd.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("evaluation:contests") + "?status=all").status_code == 200
    services.publish(actor=ev.street, round=rnd)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("evaluation:round", args=[rnd.pk])).status_code == 200


def test_the_evaluation_app_imports_no_domain_app():
    import ast
    from pathlib import Path

    import gongzhi.evaluation as app

    allowed = ("gongzhi.core", "gongzhi.places", "gongzhi.evaluation")
    folder = Path(app.__file__).parent
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.startswith("gongzhi") and name != "gongzhi":
                    assert name.startswith(allowed), (path.name, name)


def test_a_round_whose_stored_system_no_longer_reads_still_shows_its_items(ev, login):
    """An item's name comes from the round's stored system; a system that no longer reads
    (written by an older version) shows the item's code instead of failing the page."""
    rnd = open_street_round(ev)
    a2 = score_of(rnd, ev.world.community_a2)
    services.record_item(actor=ev.street, score=a2, item="award", reason="获省级表彰")
    services.publish(actor=ev.street, round=rnd)
    type(rnd).objects.filter(pk=rnd.pk).update(system={})
    client = login(ev.street)
    trend = client.get(reverse("evaluation:trend", args=[ev.world.community_a2.pk]))
    assert trend.status_code == 200
    page = client.get(reverse("evaluation:score", args=[a2.pk]))
    assert page.status_code == 200 and "「award」：获省级表彰" in page.content.decode()
