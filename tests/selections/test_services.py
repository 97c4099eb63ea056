"""Every service of selections: what a user relies on, its refusals and its object rules."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from PIL import Image

from gongzhi.core.models import AuditRecord
from gongzhi.selections import services
from gongzhi.selections.models import Kind, Method, Nominee, NomineePhoto, PanelScore, Stage, Vote
from tests.selections.conftest import fresh, head_post

pytestmark = pytest.mark.django_db


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "p.jpg"
    return buffer


def test_create_copies_the_rules_and_is_audited(sw, make_selection):
    selection = make_selection()
    assert selection.stage == Stage.NOMINATING and selection.path == sw.world.street_a.path
    assert selection.votes_per_voter == 3 and selection.vote_weight_percent == 40
    assert selection.max_points == 100
    assert AuditRecord.objects.filter(action="selections.create").count() == 1


def test_create_refusals(sw):
    street = sw.world.street_a
    with pytest.raises(ValidationError):
        services.create_selection(
            actor=sw.officer,
            place=sw.world.community_a1,
            kind=Kind.STAR_BUILDING,
            year=2026,
            title="x",
            method=Method.VOTES,
        )
    with pytest.raises(ValidationError):
        services.create_selection(
            actor=sw.officer, place=street, kind="nope", year=2026, title="x", method="votes"
        )
    with pytest.raises(ValidationError):
        services.create_selection(
            actor=sw.officer,
            place=street,
            kind=Kind.STAR_BUILDING,
            year=1990,
            title="x",
            method="votes",
        )
    with pytest.raises(Http404):  # a community secretary may not run one (nor sees the street)
        services.create_selection(
            actor=sw.secretary,
            place=street,
            kind=Kind.STAR_BUILDING,
            year=2026,
            title="x",
            method="votes",
        )
    with pytest.raises(Http404):  # another street's officer does not see street A
        services.create_selection(
            actor=sw.officer_b,
            place=street,
            kind=Kind.STAR_BUILDING,
            year=2026,
            title="x",
            method="votes",
        )


def test_nominate_with_photos(sw, make_selection):
    selection = make_selection()
    nominee = services.nominate(
        actor=sw.secretary,
        selection=selection,
        reasons="环境整洁",
        building=sw.a1_b1,
        uploads=[_jpeg()],
    )
    assert nominee.community == sw.world.community_a1
    assert nominee.name.endswith(sw.a1_b1.name)
    assert NomineePhoto.objects.filter(nominee=nominee).count() == 1
    assert AuditRecord.objects.filter(action="selections.nominate").exists()


def test_nominate_object_rules(sw, make_selection):
    selection = make_selection()
    with pytest.raises((Http404, PermissionDenied)):  # another community's building
        services.nominate(actor=sw.secretary, selection=selection, reasons="x", building=sw.a2_b1)
    with pytest.raises((Http404, PermissionDenied)):  # a grid worker: only their own grid
        services.nominate(
            actor=sw.grid_worker, selection=selection, reasons="x", building=sw.a1g2_b1
        )
    services.nominate(actor=sw.grid_worker, selection=selection, reasons="x", building=sw.a1_b1)
    with pytest.raises(ValidationError):  # the same building twice
        services.nominate(actor=sw.secretary, selection=selection, reasons="y", building=sw.a1_b1)
    with pytest.raises(ValidationError):  # no reasons
        services.nominate(actor=sw.secretary, selection=selection, reasons=" ", building=sw.a1_b2)
    with pytest.raises(ValidationError):  # not a building
        services.nominate(
            actor=sw.secretary, selection=selection, reasons="x", building=sw.world.grid_a1_1
        )
    assert Nominee.objects.count() == 1


def test_nominees_per_community_limit(sw, make_selection):
    selection = make_selection()
    selection.nominees_per_community = 1
    selection.save()
    services.nominate(actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b1)
    with pytest.raises(ValidationError, match="1"):
        services.nominate(actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b2)
    # another community still may
    services.nominate(actor=sw.secretary_a2, selection=selection, reasons="x", building=sw.a2_b1)


def test_nominate_a_building_head(sw, make_selection):
    selection = make_selection(kind=Kind.BEST_BUILDING_HEAD, title="最美楼栋长")
    nominee = services.nominate(
        actor=sw.secretary, selection=selection, reasons="热心", head_post=head_post(sw.head)
    )
    assert nominee.head == sw.head and nominee.building == sw.a1_b1
    assert "楼栋长甲" in nominee.name
    with pytest.raises(ValidationError):
        services.nominate(actor=sw.secretary, selection=selection, reasons="x", head_post=None)
    with pytest.raises((Http404, PermissionDenied)):  # another community's building head
        services.nominate(
            actor=sw.secretary, selection=selection, reasons="x", head_post=head_post(sw.head_a2)
        )


def test_stage_steps(sw, make_selection):
    selection = make_selection()
    with pytest.raises(ValidationError):  # nobody nominated
        services.set_stage(actor=sw.officer, selection=selection, step="open_voting")
    services.nominate(actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b1)
    with pytest.raises(ValidationError):  # combined: the panel must be named first
        services.set_stage(actor=sw.officer, selection=selection, step="open_voting")
    services.set_panel(actor=sw.officer, selection=selection, member_ids=[sw.officer.pk])
    with pytest.raises(ValidationError):
        services.set_stage(actor=sw.officer, selection=selection, step="close")
    with pytest.raises(PermissionDenied):
        services.set_stage(actor=sw.secretary, selection=selection, step="open_voting")
    services.set_stage(actor=sw.officer, selection=selection, step="open_voting")
    with pytest.raises(ValidationError):  # nominations are closed now
        services.nominate(actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b2)
    with pytest.raises(ValidationError):
        services.set_stage(actor=sw.officer, selection=selection, step="bogus")


def test_panel_only_from_candidates(sw, make_selection):
    selection = make_selection()
    with pytest.raises(ValidationError):  # a resident cannot sit on the panel
        services.set_panel(actor=sw.officer, selection=selection, member_ids=[sw.resident.pk])
    with pytest.raises(ValidationError):
        services.set_panel(actor=sw.officer, selection=selection, member_ids=["x"])
    with pytest.raises(ValidationError):  # another street's officer is no candidate
        services.set_panel(actor=sw.officer, selection=selection, member_ids=[sw.officer_b.pk])
    services.set_panel(
        actor=sw.officer, selection=selection, member_ids=[sw.secretary.pk, sw.secretary_a2.pk]
    )
    assert set(selection.panel.all()) == {sw.secretary, sw.secretary_a2}


def test_vote_and_its_limits(sw, voting):
    row = services.vote(actor=sw.resident, nominee=fresh(voting.n1))
    assert row.slot == 1
    with pytest.raises(ValidationError, match="already|已"):
        services.vote(actor=sw.resident, nominee=fresh(voting.n1))
    assert services.vote(actor=sw.resident, nominee=fresh(voting.n2)).slot == 2
    assert Vote.objects.filter(voter=sw.resident).count() == 2
    assert AuditRecord.objects.filter(action="selections.vote").count() == 2


def test_vote_beyond_the_number_is_refused(sw, voting):
    voting.selection.votes_per_voter = 1
    voting.selection.save()
    services.vote(actor=sw.resident, nominee=fresh(voting.n1))
    with pytest.raises(ValidationError, match="1"):
        services.vote(actor=sw.resident, nominee=fresh(voting.n2))


def test_vote_object_rules(sw, voting):
    with pytest.raises(Http404):  # a resident of A2 for an A1 nominee
        services.vote(actor=sw.resident_a2, nominee=fresh(voting.n1))
    with pytest.raises(PermissionDenied):  # staff do not vote
        services.vote(actor=sw.secretary, nominee=fresh(voting.n1))
    services.vote(actor=sw.resident_a2, nominee=fresh(voting.n3))
    services.vote(actor=sw.head, nominee=fresh(voting.n1))  # building heads vote too


def test_vote_only_while_voting(sw, make_selection):
    selection = make_selection()
    nominee = services.nominate(
        actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b1
    )
    with pytest.raises(ValidationError):
        services.vote(actor=sw.resident, nominee=fresh(nominee))


def test_database_refuses_a_second_vote_and_a_slot_twice(sw, voting):
    services.vote(actor=sw.resident, nominee=fresh(voting.n1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            selection=voting.selection, nominee=voting.n1, voter=sw.resident, slot=2, path="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            selection=voting.selection, nominee=voting.n2, voter=sw.resident, slot=1, path="x"
        )


def test_panel_score(sw, voting):
    values = {"tidy": 18, "harmony": 20, "party_example": 15, "governance": 17, "civility": 10}
    rows = services.score(actor=sw.officer, nominee=fresh(voting.n1), values=values)
    assert sum(r.points for r in rows) == 80
    values["tidy"] = 20  # a second entry replaces the first
    services.score(actor=sw.officer, nominee=fresh(voting.n1), values=values)
    assert PanelScore.objects.filter(member=sw.officer).count() == 5
    assert AuditRecord.objects.filter(action="selections.score").count() == 2


def test_panel_score_refusals(sw, voting):
    good = {"tidy": 1, "harmony": 1, "party_example": 1, "governance": 1, "civility": 1}
    with pytest.raises(ValidationError) as error:
        services.score(actor=sw.officer, nominee=fresh(voting.n1), values={**good, "tidy": 21})
    assert "tidy" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.score(actor=sw.officer, nominee=fresh(voting.n1), values={**good, "tidy": "x"})
    with pytest.raises(PermissionDenied):  # sees the selection but is not on the panel
        services.score(actor=sw.secretary_a2, nominee=fresh(voting.n3), values=good)
    with pytest.raises(Http404):  # does not even see it
        services.score(actor=sw.officer_b, nominee=fresh(voting.n1), values=good)
    assert not PanelScore.objects.exists()


def test_the_database_keeps_points_within_the_maximum(sw, voting):
    with pytest.raises(IntegrityError), transaction.atomic():
        PanelScore.objects.create(
            nominee=voting.n1, member=sw.officer, criterion="tidy", points=21, maximum=20
        )


def test_close_computes_and_publish_freezes(sw, voting):
    services.vote(actor=sw.resident, nominee=fresh(voting.n1))
    services.vote(actor=sw.resident2, nominee=fresh(voting.n1))
    services.vote(actor=sw.resident2, nominee=fresh(voting.n2))
    services.vote(actor=sw.resident_a2, nominee=fresh(voting.n3))
    full = {"tidy": 20, "harmony": 20, "party_example": 20, "governance": 20, "civility": 20}
    half = {"tidy": 10, "harmony": 10, "party_example": 10, "governance": 10, "civility": 10}
    services.score(actor=sw.officer, nominee=fresh(voting.n1), values=full)
    services.score(actor=sw.secretary, nominee=fresh(voting.n1), values=half)
    services.score(actor=sw.officer, nominee=fresh(voting.n2), values=half)
    with pytest.raises(ValidationError):  # not closed yet
        services.publish(actor=sw.officer, selection=voting.selection)
    services.set_stage(actor=sw.officer, selection=voting.selection, step="close")
    n1, n2, n3 = (Nominee.objects.get(pk=n.pk) for n in (voting.n1, voting.n2, voting.n3))
    # n1: votes 2 of A1's best 2 → 100; panel (100 + 50) / 2 = 75; 0.4×100 + 0.6×75 = 85
    assert (n1.votes, n1.vote_score, n1.panel_score, n1.score) == (
        2,
        Decimal(100),
        Decimal(75),
        Decimal(85),
    )
    assert n1.stars == 3 and n1.rank == 1 and n1.is_winner
    # n2: 1 of 2 → 50; panel 50 → 0.4×50 + 0.6×50 = 50, no star
    assert (n2.score, n2.stars, n2.is_winner) == (Decimal(50), 0, False)
    # n3: A2's best → 100; no panel score → 40
    assert (n3.score, n3.rank) == (Decimal(40), 3)
    with pytest.raises(ValidationError):  # closed: no more votes
        services.vote(actor=sw.head, nominee=fresh(voting.n1))
    services.publish(actor=sw.officer, selection=voting.selection)
    voting.selection.refresh_from_db()
    assert voting.selection.stage == Stage.PUBLISHED and voting.selection.published_at
    record = AuditRecord.objects.get(action="selections.publish")
    assert record.changes["winners"] == [n1.name]
    with pytest.raises(ValidationError):  # published is final
        services.set_stage(actor=sw.officer, selection=voting.selection, step="reopen")


def test_withdraw(sw, make_selection):
    selection = make_selection()
    nominee = services.nominate(
        actor=sw.secretary, selection=selection, reasons="x", building=sw.a1_b1
    )
    with pytest.raises((Http404, PermissionDenied)):
        services.withdraw(actor=sw.secretary_a2, nominee=nominee)
    services.withdraw(actor=sw.secretary, nominee=nominee)
    assert not Nominee.objects.exists()
    assert AuditRecord.objects.filter(action="selections.withdraw").exists()
