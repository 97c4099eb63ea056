"""Every owners' page renders for the right role and refuses the wrong one; the API too."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.owners import services
from gongzhi.owners.models import Ballot, Owner, OwnersVote, RollEntry
from gongzhi.places.models import Household
from tests.owners.conftest import START, scan_pdf

pytestmark = pytest.mark.django_db


def test_staff_pages_render(estate_world, open_vote, login, django_assert_max_num_queries):
    ew = estate_world
    vote = open_vote()
    client = login(ew.cw)
    assert client.get(reverse("owners:index")).status_code == 200
    with django_assert_max_num_queries(20):
        page = client.get(reverse("owners:estate", args=[ew.estate.pk]))
    assert page.status_code == 200 and "吴业主" in page.content.decode()
    with django_assert_max_num_queries(25):
        page = client.get(reverse("owners:vote", args=[vote.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and RollEntry.objects.first().ballot_id in body


def test_owner_votes_through_the_page(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    client = login(ew.owner_user)
    assert vote.title in client.get(reverse("owners:index")).content.decode()
    page = client.get(reverse("owners:vote", args=[vote.pk]))
    assert page.status_code == 200 and 'name="choice"' in page.content.decode()
    response = client.post(reverse("owners:vote_action", args=[vote.pk, "cast"]), {"choice": "yes"})
    assert response.status_code == 302
    assert Ballot.objects.get().choice == "yes"
    # a second post is refused with a message, nothing written
    response = client.post(
        reverse("owners:vote_action", args=[vote.pk, "cast"]), {"choice": "no"}, follow=True
    )
    body = response.content.decode()
    assert "each owner has one vote" in body or "每位业主只有一票" in body
    assert Ballot.objects.count() == 1


def test_result_page_shows_each_threshold(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    services.cast_online(vote, "yes", actor=ew.owner_user)
    clock.set_now(START + dt.timedelta(days=8))
    client = login(ew.cw)
    response = client.post(reverse("owners:vote_action", args=[vote.pk, "close"]))
    assert response.status_code == 302
    page = client.get(reverse("owners:result", args=[vote.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "89.50 / 209.50 m²" in body and "1 / 2" in body
    assert "✗" in body and "✓" in body
    vote.refresh_from_db()
    assert vote.result_hash in body
    # the owner sees the result too
    assert login(ew.owner_user).get(reverse("owners:result", args=[vote.pk])).status_code == 200


def test_staff_creates_and_opens_through_pages(estate_world, login):
    ew = estate_world
    clock.set_now(START)
    client = login(ew.cw)
    client.post(reverse("owners:estate_action", args=[ew.estate.pk, "import"]))
    client.post(
        reverse("owners:estate_action", args=[ew.estate.pk, "owner"]),
        {"name": "非居民业主", "label": "商铺 S1", "area_m2": "45.2"},
    )
    response = client.post(
        reverse("owners:estate_action", args=[ew.estate.pk, "vote"]),
        {
            "title": "使用维修资金",
            "matter": "major",
            "co_owner_rule": "any",
            "opens_at": "2026-05-01T10:00",
            "closes_at": "2026-05-08T10:00",
        },
    )
    vote = OwnersVote.objects.get()
    assert response.status_code == 302
    client.post(reverse("owners:vote_action", args=[vote.pk, "open"]))
    vote.refresh_from_db()
    assert vote.status == "open" and vote.total_owners == 3


def test_bad_vote_form_gives_message(estate_world, login):
    ew = estate_world
    response = login(ew.cw).post(
        reverse("owners:estate_action", args=[ew.estate.pk, "vote"]),
        {"title": "", "matter": "x", "opens_at": "bad", "closes_at": ""},
        follow=True,
    )
    assert response.status_code == 200 and not OwnersVote.objects.exists()
    assert (
        "close after it opens" in response.content.decode() or "晚于" in response.content.decode()
    )


def _file(data: bytes, name: str = "ballot.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_wrong_roles_refused(estate_world, open_vote, login, client):
    ew = estate_world
    vote = open_vote()
    assert login(ew.gw).get(reverse("owners:estate", args=[ew.estate.pk])).status_code == 403
    assert login(ew.cw_other).get(reverse("owners:estate", args=[ew.estate.pk])).status_code == 404
    assert login(ew.cw_other).get(reverse("owners:vote", args=[vote.pk])).status_code == 404
    # an owner cannot enter paper ballots or close
    owner = login(ew.owner_user)
    entry = RollEntry.objects.first()
    response = owner.post(
        reverse("owners:vote_action", args=[vote.pk, "paper"]),
        {"ballot_id": entry.ballot_id, "choice": "yes", "scan": _file(scan_pdf())},
    )
    assert response.status_code == 404
    assert owner.post(reverse("owners:vote_action", args=[vote.pk, "close"])).status_code == 404
    assert owner.get(reverse("owners:estate", args=[ew.estate.pk])).status_code == 404
    # a grid worker sees the vote read-only: no ballot, no paper entry (403)
    gw = login(ew.gw)
    assert gw.get(reverse("owners:vote", args=[vote.pk])).status_code == 200
    response = gw.post(reverse("owners:vote_action", args=[vote.pk, "cast"]), {"choice": "yes"})
    assert response.status_code == 403
    response = gw.post(
        reverse("owners:vote_action", args=[vote.pk, "paper"]),
        {"ballot_id": entry.ballot_id, "choice": "yes", "scan": _file(scan_pdf())},
    )
    assert response.status_code == 403
    client.logout()
    assert client.get(reverse("owners:index")).status_code == 302
    assert not Ballot.objects.exists()


def test_resident_not_on_the_roll_is_told_so(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    tenant = login(ew.tenant_user)
    for response in (
        tenant.get(reverse("owners:vote", args=[vote.pk])),
        tenant.post(reverse("owners:vote_action", args=[vote.pk, "cast"]), {"choice": "yes"}),
        tenant.get(reverse("owners:result", args=[vote.pk])),
    ):
        body = response.content.decode()
        assert response.status_code == 403
        assert 'data-testid="not-on-roll"' in body
        assert "您不在本次表决的业主名册中" in body
    api = tenant.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"})
    assert api.status_code == 403 and "您不在本次表决的业主名册中" in api.json()["detail"]
    api = tenant.get(f"/api/v1/owners-votes/{vote.pk}/")
    assert api.status_code == 403 and "名册" in api.json()["detail"]
    # a resident of another community still gets a plain 404
    outsider = login(ew.outsider)
    assert outsider.get(reverse("owners:vote", args=[vote.pk])).status_code == 404
    assert not Ballot.objects.exists()
    assert not AuditRecord.objects.filter(action="owners.ballot_cast").exists()


def test_draft_vote_is_not_announced_to_residents(estate_world, login):
    ew = estate_world
    clock.set_now(START)
    services.import_roll(ew.estate, actor=ew.cw)
    draft = services.create_vote(
        ew.estate,
        actor=ew.cw,
        title="草稿",
        matter="ordinary",
        opens_at=START,
        closes_at=START + dt.timedelta(days=1),
    )
    assert login(ew.tenant_user).get(reverse("owners:vote", args=[draft.pk])).status_code == 404


def _two_entries(ew):
    """吴业主 owns flat 1 alone and co-owns flat 2: two roll entries."""
    clock.set_now(START - dt.timedelta(days=1))
    services.import_roll(ew.estate, actor=ew.cw)
    services.add_co_owner(
        Owner.objects.exclude(name="吴业主").get(), actor=ew.cw, resident=ew.owner
    )
    vote = services.create_vote(
        ew.estate,
        actor=ew.cw,
        title="两套房",
        matter="ordinary",
        opens_at=START,
        closes_at=START + dt.timedelta(days=7),
    )
    vote = services.open_vote(vote, actor=ew.cw)
    clock.set_now(START + dt.timedelta(hours=1))
    return vote, list(RollEntry.objects.filter(vote=vote).order_by("id"))


def test_owner_of_two_properties_votes_for_each_on_the_page(estate_world, login):
    ew = estate_world
    vote, entries = _two_entries(ew)
    client = login(ew.owner_user)
    body = client.get(reverse("owners:vote", args=[vote.pk])).content.decode()
    assert body.count('data-testid="my-entry"') == 2
    assert body.count('name="entry"') == 2
    for entry in entries:
        assert entry.properties in body and f'value="{entry.pk}"' in body
    client.post(
        reverse("owners:vote_action", args=[vote.pk, "cast"]),
        {"choice": "yes", "entry": entries[1].pk},
    )
    body = client.get(reverse("owners:vote", args=[vote.pk])).content.decode()
    assert body.count('name="entry"') == 1 and f'value="{entries[0].pk}"' in body
    assert "已计入" in body or "Counted" in body
    # without naming the property, the page explains that she must choose
    response = client.post(
        reverse("owners:vote_action", args=[vote.pk, "cast"]), {"choice": "no"}, follow=True
    )
    assert "这张选票所投的房产" in response.content.decode()
    assert Ballot.objects.count() == 1
    client.post(
        reverse("owners:vote_action", args=[vote.pk, "cast"]),
        {"choice": "no", "entry": entries[0].pk},
    )
    assert dict(Ballot.objects.values_list("entry_id", "choice")) == {
        entries[0].pk: "no",
        entries[1].pk: "yes",
    }
    assert response.status_code == 200


def test_owner_of_two_properties_through_the_api(estate_world, login):
    ew = estate_world
    vote, entries = _two_entries(ew)
    client = login(ew.owner_user)
    mine = client.get(f"/api/v1/owners-votes/{vote.pk}/mine/")
    assert mine.status_code == 200
    assert [row["entry"] for row in mine.json()] == [e.pk for e in entries]
    assert all(row["may_cast"] and row["ballot"] is None for row in mine.json())
    response = client.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"})
    assert response.status_code == 400 and response.json()["detail"]
    for entry, choice in zip(entries, ("yes", "abstain"), strict=True):
        response = client.post(
            f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": choice, "entry": entry.pk}
        )
        assert response.status_code == 201 and response.json()["entry"] == entry.pk
    again = client.post(
        f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "no", "entry": entries[0].pk}
    )
    assert again.status_code == 400
    assert [
        row["ballot"]["choice"]
        for row in client.get(f"/api/v1/owners-votes/{vote.pk}/mine/").json()
    ] == ["yes", "abstain"]


def test_paper_ballot_with_scan_through_the_page(estate_world, open_vote, login, _media):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.get(vote=vote, name="吴业主")
    staff = login(ew.cw)
    page = staff.get(reverse("owners:vote", args=[vote.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file" id="scan" name="scan"' in page
    # no file: refused with a message, nothing written
    response = staff.post(
        reverse("owners:vote_action", args=[vote.pk, "paper"]),
        {"ballot_id": entry.ballot_id, "choice": "yes"},
        follow=True,
    )
    assert not Ballot.objects.exists()
    assert "扫描件" in response.content.decode() or "scan" in response.content.decode()
    # an SVG renamed to .pdf is refused: the type comes from the content
    response = staff.post(
        reverse("owners:vote_action", args=[vote.pk, "paper"]),
        {"ballot_id": entry.ballot_id, "choice": "yes", "scan": _file(b"<svg></svg>")},
        follow=True,
    )
    assert not Ballot.objects.exists()
    assert "PDF" in response.content.decode()
    data = scan_pdf("page")
    response = staff.post(
        reverse("owners:vote_action", args=[vote.pk, "paper"]),
        {"ballot_id": entry.ballot_id, "choice": "yes", "scan": _file(data), "scan_ref": "A-7"},
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.scan_sha256 == hashlib.sha256(data).hexdigest() and ballot.scan_ref == "A-7"
    page = staff.get(reverse("owners:vote", args=[vote.pk])).content.decode()
    assert 'data-testid="scan-link"' in page and ballot.scan_sha256[:12] in page
    served = staff.get(reverse("owners:scan", args=[ballot.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    assert b"".join(served.streaming_content) == data
    assert "attachment" in served["Content-Disposition"] and "no-store" in served["Cache-Control"]


def test_scans_served_only_to_the_staff_running_the_vote(estate_world, open_vote, login, client):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.exclude(name="吴业主").get(vote=vote)
    png = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(png, "PNG")
    ballot = services.enter_paper(
        vote, actor=ew.cw, ballot_id=entry.ballot_id, choice="no", scan=png.getvalue()
    )
    url = reverse("owners:scan", args=[ballot.pk])
    served = login(ew.cw).get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert login(ew.gw).get(url).status_code == 403  # sees the vote read-only, not the scans
    assert login(ew.owner_user).get(url).status_code == 403  # an owner on the roll
    assert login(ew.cw_other).get(url).status_code == 404
    assert login(ew.tenant_user).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_api_cast_and_refusals(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    owner = login(ew.owner_user)
    listing = owner.get("/api/v1/owners-votes/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    response = owner.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "maybe"})
    assert response.status_code == 400 and response.json()["detail"]
    response = owner.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"})
    assert response.status_code == 201
    response = owner.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "no"})
    assert response.status_code == 400
    staff = login(ew.cw)
    response = staff.post(
        f"/api/v1/owners-votes/{vote.pk}/paper/",
        {"ballot_id": "FORGED0000000000", "choice": "yes", "scan": _file(scan_pdf())},
    )
    detail = response.json()["detail"]
    assert response.status_code == 400 and ("ballot" in detail.lower() or "选票" in detail)
    other = RollEntry.objects.exclude(name="吴业主").get(vote=vote)
    response = staff.post(
        f"/api/v1/owners-votes/{vote.pk}/paper/",
        {"ballot_id": other.ballot_id, "choice": "yes", "scan": _file(b"not a scan", "x.pdf")},
    )
    assert response.status_code == 400 and "PDF" in response.json()["detail"]
    # a grid worker browses the votes of the grid read-only, and cannot enter ballots
    gw = login(ew.gw)
    assert gw.get(f"/api/v1/owners-votes/{vote.pk}/").status_code == 200
    response = gw.post(
        f"/api/v1/owners-votes/{vote.pk}/paper/",
        {"ballot_id": other.ballot_id, "choice": "yes", "scan": _file(scan_pdf())},
    )
    assert response.status_code == 403
    assert gw.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"}).status_code == 403
    outsider = login(ew.outsider)
    assert outsider.get(f"/api/v1/owners-votes/{vote.pk}/").status_code == 404
    assert (
        outsider.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"}).status_code == 404
    )
    assert Ballot.objects.count() == 1
    response = login(ew.cw).post(
        f"/api/v1/owners-votes/{vote.pk}/paper/",
        {"ballot_id": other.ballot_id, "choice": "no", "scan": _file(scan_pdf("api"))},
    )
    assert response.status_code == 201
    assert response.json()["scan_sha256"] == hashlib.sha256(scan_pdf("api")).hexdigest()


def test_api_staff_create_open_roll_and_close(estate_world, login):
    ew = estate_world
    clock.set_now(START - dt.timedelta(days=1))
    services.import_roll(ew.estate, actor=ew.cw)
    staff = login(ew.cw)
    payload = {
        "estate": ew.estate.pk,
        "title": "选聘物业服务企业",
        "matter": "ordinary",
        "opens_at": START.isoformat(),
        "closes_at": (START + dt.timedelta(days=7)).isoformat(),
    }
    bad = staff.post("/api/v1/owners-votes/", {**payload, "closes_at": START.isoformat()})
    assert bad.status_code == 400 and not OwnersVote.objects.exists()
    created = staff.post("/api/v1/owners-votes/", payload)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    opened = staff.post(f"/api/v1/owners-votes/{pk}/open/")
    assert opened.status_code == 200 and opened.json()["total_owners"] == 2
    assert staff.post(f"/api/v1/owners-votes/{pk}/open/").status_code == 400  # already open
    clock.set_now(START + dt.timedelta(hours=1))
    services.cast_online(OwnersVote.objects.get(pk=pk), "yes", actor=ew.owner_user)
    roll = staff.get(f"/api/v1/owners-votes/{pk}/roll/")
    assert roll.status_code == 200 and roll.json()["count"] == 2
    rows = {row["name"]: row for row in roll.json()["results"]}
    assert rows["吴业主"]["ballot"]["choice"] == "yes" and len(rows["吴业主"]["ballot_id"]) == 16
    live = staff.get(f"/api/v1/owners-estates/{ew.estate.pk}/roll/")
    assert live.status_code == 200 and live.json()["count"] == 2
    assert {r["name"] for r in live.json()["results"]} >= {"吴业主"}
    assert staff.get("/api/v1/owners-estates/").json()["count"] >= 1
    assert staff.post(f"/api/v1/owners-votes/{pk}/close/").status_code == 400  # still open
    clock.set_now(START + dt.timedelta(days=8))
    closed = staff.post(f"/api/v1/owners-votes/{pk}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert len(closed.json()["result_hash"]) == 64


def test_api_staff_endpoints_refuse_other_roles(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    payload = {
        "estate": ew.estate.pk,
        "title": "t",
        "matter": "major",
        "opens_at": START.isoformat(),
        "closes_at": (START + dt.timedelta(days=1)).isoformat(),
    }

    def gw():
        return login(ew.gw)

    def owner():
        return login(ew.owner_user)

    def other():
        return login(ew.cw_other)

    assert gw().post("/api/v1/owners-votes/", payload).status_code == 403
    assert other().post("/api/v1/owners-votes/", payload).status_code == 404
    assert owner().post("/api/v1/owners-votes/", payload).status_code == 404
    assert OwnersVote.objects.count() == 1
    clock.set_now(START + dt.timedelta(days=8))
    assert gw().post(f"/api/v1/owners-votes/{vote.pk}/close/").status_code == 403
    assert owner().post(f"/api/v1/owners-votes/{vote.pk}/close/").status_code == 404
    assert other().post(f"/api/v1/owners-votes/{vote.pk}/close/").status_code == 404
    assert OwnersVote.objects.get(pk=vote.pk).status == "open"
    assert gw().get(f"/api/v1/owners-votes/{vote.pk}/roll/").status_code == 403
    assert owner().get(f"/api/v1/owners-votes/{vote.pk}/roll/").status_code == 404
    assert gw().get(f"/api/v1/owners-estates/{ew.estate.pk}/roll/").status_code == 403
    assert other().get(f"/api/v1/owners-estates/{ew.estate.pk}/roll/").status_code == 404
    assert gw().get("/api/v1/owners-estates/").json()["count"] == 0


def test_owner_page_edits_the_roll(estate_world, login):
    ew = estate_world
    services.import_roll(ew.estate, actor=ew.cw)
    from gongzhi.owners.models import Owner
    from gongzhi.people.models import Resident

    wu = Owner.objects.get(name="吴业主")
    spouse = Resident.objects.create(
        name="配偶",
        name_initials="po",
        gender="M",
        household=ew.homes[0],
        relation="spouse",
        place_path=ew.building.path,
    )
    client = login(ew.cw)
    page = client.get(reverse("owners:owner", args=[wu.pk]))
    assert page.status_code == 200 and "配偶" in page.content.decode()  # a candidate co-owner
    client.post(
        reverse("owners:owner_action", args=[wu.pk, "property"]),
        {"label": "车位 B3", "area_m2": "12.5"},
    )
    prop = wu.properties.get(label="车位 B3")
    client.post(
        reverse("owners:owner_action", args=[wu.pk, "area"]),
        {"property": prop.pk, "area_m2": "13"},
    )
    client.post(
        reverse("owners:owner_action", args=[wu.pk, "co_owner"]),
        {"resident": spouse.pk, "representative": "1"},
    )
    prop.refresh_from_db()
    assert str(prop.area_m2) == "13.00"
    assert wu.members.get(is_representative=True).resident == spouse
    response = client.post(
        reverse("owners:owner_action", args=[wu.pk, "area"]),
        {"property": prop.pk, "area_m2": "-1"},
        follow=True,
    )
    assert "square metres" in response.content.decode() or "平方米" in response.content.decode()
    assert login(ew.gw).get(reverse("owners:owner", args=[wu.pk])).status_code == 403
    assert login(ew.cw_other).get(reverse("owners:owner", args=[wu.pk])).status_code == 404


def test_roll_and_vote_pages_queries_do_not_grow(
    estate_world, open_vote, login, django_assert_max_num_queries
):
    ew = estate_world
    Household.objects.bulk_create(
        Household(
            building=ew.building,
            unit_no="3",
            room_no=f"{i + 101}",
            place_path=ew.building.path,
            exclusive_area_m2=Decimal("75.5"),
        )
        for i in range(28)
    )
    vote = open_vote()
    for entry in RollEntry.objects.filter(vote=vote)[:20]:
        services.enter_paper(
            vote,
            actor=ew.cw,
            ballot_id=entry.ballot_id,
            choice="yes",
            scan=scan_pdf(),
            scan_ref="S",
        )
    client = login(ew.cw)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("owners:estate", args=[ew.estate.pk]))
    assert page.status_code == 200 and page.content.decode().count("owners/owner/") == 30
    with django_assert_max_num_queries(25):
        page = client.get(reverse("owners:vote", args=[vote.pk]))
    assert page.status_code == 200 and page.content.decode().count("SCAN") == 0
    assert page.content.decode().count("<code>") == 30


def test_index_queries_do_not_grow_with_the_votes(
    estate_world, login, django_assert_max_num_queries
):
    ew = estate_world
    clock.set_now(START - dt.timedelta(days=1))
    services.import_roll(ew.estate, actor=ew.cw)
    for i in range(12):
        vote = services.create_vote(
            ew.estate,
            actor=ew.cw,
            title=f"表决{i:02d}",
            matter="major" if i % 2 else "ordinary",
            opens_at=START,
            closes_at=START + dt.timedelta(days=7),
        )
        services.open_vote(vote, actor=ew.cw)
    clock.set_now(START + dt.timedelta(hours=1))
    staff = login(ew.cw)
    with django_assert_max_num_queries(12):
        page = staff.get(reverse("owners:index"))
    body = page.content.decode()
    assert page.status_code == 200 and body.count("表决") >= 12
    assert all(f"表决{i:02d}" in body for i in range(12))
    owner = login(ew.owner_user)
    with django_assert_max_num_queries(12):
        page = owner.get(reverse("owners:index"))
    assert page.status_code == 200 and all(
        f"表决{i:02d}" in page.content.decode() for i in range(12)
    )
    gw = login(ew.gw)
    with django_assert_max_num_queries(12):
        page = gw.get(reverse("owners:index"))
    assert page.status_code == 200 and "表决11" in page.content.decode()
