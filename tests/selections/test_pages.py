"""Every page rendered, wrong roles refused (404 out of scope, 403 in scope), bounded lists."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core.roles import Role
from gongzhi.selections import services
from gongzhi.selections.models import Kind, Nominee, PanelScore, Selection, Stage, Vote
from tests.conftest import make_user
from tests.selections.conftest import fresh

pytestmark = pytest.mark.django_db

FULL = {"tidy": 20, "harmony": 20, "party_example": 20, "governance": 20, "civility": 20}


def test_staff_list_and_create_in_the_dialog(sw, login, make_selection):
    make_selection()
    client = login(sw.officer)
    page = client.get(reverse("selections:list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "2026年星级文明楼栋评选" in body and 'data-gz-dialog="new-selection"' in body
    answer = client.post(
        reverse("selections:new"),
        {
            "place": sw.world.street_a.pk,
            "kind": Kind.BEST_BUILDING_HEAD,
            "method": "votes",
            "year": "2026",
            "title": "最美楼栋长评选",
        },
    )
    made = Selection.objects.get(title="最美楼栋长评选")
    assert answer.status_code == 302 and answer["Location"].endswith(f"/{made.pk}/")
    bad = client.post(reverse("selections:new"), {"place": sw.world.street_a.pk, "year": "x"})
    assert bad.status_code == 302 and Selection.objects.count() == 2
    assert client.post(reverse("selections:new"), {"place": "abc"}).status_code == 404


def test_the_secretary_sees_the_list_and_nominates(sw, login, make_selection):
    selection = make_selection()
    client = login(sw.secretary)
    assert client.get(reverse("selections:list")).status_code == 200
    page = client.get(reverse("selections:detail", args=[selection.pk]))
    assert page.status_code == 200 and 'data-gz-dialog="nominate"' in page.content.decode()
    assert sw.a1_b1.name in page.content.decode()
    answer = client.post(
        reverse("selections:nominate", args=[selection.pk]),
        {"building": sw.a1_b1.pk, "reasons": "楼道整洁"},
    )
    assert answer.status_code == 302 and Nominee.objects.count() == 1
    # another community's building: not found for them, nothing written
    answer = client.post(
        reverse("selections:nominate", args=[selection.pk]),
        {"building": sw.a2_b1.pk, "reasons": "x"},
    )
    assert answer.status_code == 404 and Nominee.objects.count() == 1
    # no reasons: a message, nothing written
    answer = client.post(
        reverse("selections:nominate", args=[selection.pk]), {"building": sw.a1_b2.pk}, follow=True
    )
    assert "理由" in answer.content.decode() or "reasons" in answer.content.decode()
    assert Nominee.objects.count() == 1


def test_wrong_roles_on_staff_pages(sw, login, make_selection, client):
    selection = make_selection()
    # a resident: in scope nowhere for staff pages → 403
    login(sw.resident)
    assert client.get(reverse("selections:list")).status_code == 403
    assert client.get(reverse("selections:detail", args=[selection.pk])).status_code == 403
    # another street's officer: the selection does not exist for them
    login(sw.officer_b)
    assert client.get(reverse("selections:detail", args=[selection.pk])).status_code == 404
    assert client.post(reverse("selections:act", args=[selection.pk, "close"])).status_code == 404
    # the secretary sees it but may not run it
    login(sw.secretary)
    assert client.post(reverse("selections:act", args=[selection.pk, "close"])).status_code == 403
    # anonymous → the login page
    client.logout()
    assert client.get(reverse("selections:list")).status_code == 302


def test_manager_steps_through_the_page(sw, login, make_selection):
    selection = make_selection()
    services.nominate(actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b1)
    client = login(sw.officer)
    page = client.get(reverse("selections:detail", args=[selection.pk]))
    assert 'data-gz-dialog="panel-dialog"' in page.content.decode()
    client.post(
        reverse("selections:act", args=[selection.pk, "panel"]), {"members": [sw.officer.pk]}
    )
    assert list(selection.panel.all()) == [sw.officer]
    client.post(reverse("selections:act", args=[selection.pk, "open_voting"]))
    selection.refresh_from_db()
    assert selection.stage == Stage.VOTING
    page = client.get(reverse("selections:detail", args=[selection.pk]))
    assert 'data-testid="score-' in page.content.decode()
    nominee = Nominee.objects.get()
    client.post(reverse("selections:nominee_act", args=[selection.pk, nominee.pk, "score"]), FULL)
    assert PanelScore.objects.filter(member=sw.officer).count() == 5
    answer = client.post(
        reverse("selections:nominee_act", args=[selection.pk, nominee.pk, "score"]),
        {**FULL, "tidy": "99"},
        follow=True,
    )
    assert "0" in answer.content.decode() and PanelScore.objects.get(criterion="tidy").points == 20
    client.post(reverse("selections:act", args=[selection.pk, "close"]))
    page = client.get(reverse("selections:detail", args=[selection.pk]))
    assert 'data-testid="score"' in page.content.decode()
    client.post(reverse("selections:act", args=[selection.pk, "publish"]))
    selection.refresh_from_db()
    assert selection.stage == Stage.PUBLISHED
    assert client.post(reverse("selections:act", args=[selection.pk, "bogus"])).status_code == 302


def test_a_non_panel_member_cannot_score(sw, login, voting):
    client = login(sw.secretary_a2)
    answer = client.post(
        reverse("selections:nominee_act", args=[voting.selection.pk, voting.n3.pk, "score"]), FULL
    )
    assert answer.status_code == 403 and not PanelScore.objects.exists()


def test_resident_votes_on_the_phone(sw, login, voting):
    client = login(sw.resident)
    mine = client.get(reverse("selections:mine"))
    assert mine.status_code == 200 and voting.selection.title in mine.content.decode()
    page = client.get(reverse("selections:ballot", args=[voting.selection.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "gz-phone" in body
    assert voting.n1.name in body and voting.n3.name not in body  # own community only
    client.post(reverse("selections:vote", args=[voting.selection.pk, voting.n1.pk]))
    assert Vote.objects.filter(voter=sw.resident, nominee=voting.n1).exists()
    again = client.post(
        reverse("selections:vote", args=[voting.selection.pk, voting.n1.pk]), follow=True
    )
    assert Vote.objects.filter(voter=sw.resident).count() == 1
    assert "已" in again.content.decode() or "already" in again.content.decode()
    # another community's nominee does not exist for them
    answer = client.post(reverse("selections:vote", args=[voting.selection.pk, voting.n3.pk]))
    assert answer.status_code == 404
    # staff do not vote
    login(sw.secretary)
    answer = client.post(reverse("selections:vote", args=[voting.selection.pk, voting.n1.pk]))
    assert answer.status_code == 403


def test_resident_does_not_see_another_streets_selection(sw, login, voting):
    building = sw.world.grid_b1_1.buildings[0]
    from gongzhi.places.models import Household

    home = Household.objects.filter(building=building).first()
    other = make_user(Role.RESIDENT, building, household=home, phone="13900001009")
    client = login(other)
    assert client.get(reverse("selections:ballot", args=[voting.selection.pk])).status_code == 404
    assert client.get(reverse("selections:result", args=[voting.selection.pk])).status_code == 404


def test_result_page(sw, login, voting):
    services.vote(actor=sw.resident, nominee=fresh(voting.n1))
    services.score(actor=sw.officer, nominee=fresh(voting.n1), values=FULL)
    client = login(sw.resident)
    page = client.get(reverse("selections:result", args=[voting.selection.pk]))
    assert page.status_code == 200 and 'data-testid="results"' not in page.content.decode()
    services.set_stage(actor=sw.officer, selection=voting.selection, step="close")
    services.publish(actor=sw.officer, selection=voting.selection)
    page = client.get(reverse("selections:result", args=[voting.selection.pk]))
    body = page.content.decode()
    assert 'data-testid="winner"' in body and voting.n1.name in body
    assert voting.n3.name in body  # the published results are public to the street
    ballot = client.get(reverse("selections:ballot", args=[voting.selection.pk]))
    assert ballot.status_code == 302


def test_photo(sw, login, make_selection, tmp_path):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "JPEG")
    buffer.seek(0)
    selection = make_selection()
    nominee = services.nominate(
        actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b1, uploads=[buffer]
    )
    photo = nominee.photos.get()
    url = reverse("selections:photo", args=[selection.pk, nominee.pk, photo.pk])
    assert login(sw.secretary).get(url).status_code == 200
    assert login(sw.secretary_a2).get(url).status_code == 404


def test_lists_have_bounded_queries(sw, login, django_assert_max_num_queries, world):
    for i in range(13):
        services.create_selection(
            actor=sw.officer,
            place=world.street_a,
            kind=Kind.STAR_BUILDING,
            year=2026,
            title=f"评选{i}",
            method="votes",
        )
    client = login(sw.officer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("selections:list")).status_code == 200
    selection = Selection.objects.first()
    selection.nominees_per_community = 50
    selection.save()
    from tests.conftest import make_place

    for i in range(13):
        building = make_place(world.grid_a1_1, "building", f"{i + 10}栋", f"X{i}")
        services.nominate(actor=sw.secretary, selection=selection, reasons="x", building=building)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("selections:detail", args=[selection.pk])).status_code == 200
    services.set_stage(actor=sw.officer, selection=selection, step="open_voting")
    resident = login(sw.resident)
    with django_assert_max_num_queries(14):
        assert resident.get(reverse("selections:ballot", args=[selection.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert resident.get(reverse("selections:mine")).status_code == 200
    services.set_stage(actor=sw.officer, selection=selection, step="close")
    services.publish(actor=sw.officer, selection=selection)
    with django_assert_max_num_queries(12):
        assert resident.get(reverse("selections:result", args=[selection.pk])).status_code == 200


def test_workbench_todo_counts(sw, voting):
    from gongzhi.core import dashboard

    todos = {t.key: t for t in dashboard.registered_todos()}
    assert todos["selections.vote"].count(sw.resident) == 1
    assert todos["selections.vote"].count(sw.resident_a2) == 1
    assert todos["selections.nominate"].count(sw.secretary) == 0
