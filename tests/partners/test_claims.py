from __future__ import annotations

import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from gongzhi.core.roles import Role
from gongzhi.partners import selectors, services
from gongzhi.partners.models import Claim, ClaimStatus, ItemStatus, ListItem, ListKind
from gongzhi.tickets.models import Category, Ticket
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _status(item):
    return ListItem.objects.get(pk=item.pk).status


def test_unit_claims_need_completes_staff_confirms(pw):
    c = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    assert _status(pw.need) == ItemStatus.CLAIMED
    services.progress(c.pk, actor=pw.contact, text="已联系食堂", hours="2")
    services.complete(c.pk, actor=pw.contact, evidence="每周三送餐", amount=500, hours="3.5")
    assert _status(pw.need) == ItemStatus.COMPLETED
    with pytest.raises((PermissionDenied, Http404)):
        services.confirm(c.pk, actor=pw.contact)  # the claimant does not confirm its own work
    services.confirm(c.pk, actor=pw.staff)
    c.refresh_from_db()
    assert (c.status, c.amount, c.minutes) == (ClaimStatus.CONFIRMED, 500, 330)
    assert _status(pw.need) == ItemStatus.CONFIRMED


def test_community_claims_resource_unit_confirms(pw):
    c = services.claim(pw.resource.pk, actor=pw.staff, community=pw.a1)
    services.complete(c.pk, actor=pw.staff, evidence="义诊 60 人次", hours=4)
    with pytest.raises(PermissionDenied, match="Only a contact"):
        services.confirm(c.pk, actor=pw.contact)  # a contact of another unit
    services.confirm(c.pk, actor=pw.contact_y)
    assert Claim.objects.get(pk=c.pk).status == ClaimStatus.CONFIRMED


def test_one_claim_at_a_time_and_withdraw_reopens(pw):
    c = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    with pytest.raises(ValidationError, match="already claimed"):
        services.claim(pw.need.pk, actor=pw.contact_y, unit=pw.hospital)
    services.withdraw(c.pk, actor=pw.contact)
    assert _status(pw.need) == ItemStatus.OPEN
    services.claim(pw.need.pk, actor=pw.contact_y, unit=pw.hospital)
    assert Claim.objects.filter(item=pw.need).exclude(status=ClaimStatus.WITHDRAWN).count() == 1


def test_contact_cannot_act_for_another_unit_or_outside_area(pw, world):
    with pytest.raises(PermissionDenied, match="not a contact"):
        services.claim(pw.need.pk, actor=pw.contact, unit=pw.hospital)
    with pytest.raises(ValidationError, match="does not exist"):
        services.claim(pw.need.pk, actor=pw.contact_b, unit=pw.far)
    c = services.claim(pw.project.pk, actor=pw.contact, unit=pw.school)
    with pytest.raises(PermissionDenied):
        services.progress(c.pk, actor=pw.contact_y, text="x")
    with pytest.raises(PermissionDenied):
        services.add_item(
            world.street_a,
            actor=pw.contact,
            kind=ListKind.RESOURCE,
            title="x",
            category="venue",
            unit=pw.hospital,
        )
    assert Claim.objects.count() == 1


def test_resource_claim_needs_a_community_in_reach(pw, world):
    with pytest.raises(ValidationError, match="community"):
        services.claim(pw.resource.pk, actor=pw.staff)
    with pytest.raises(Http404):
        services.claim(pw.resource.pk, actor=pw.staff, community=world.community_a2)
    with pytest.raises((PermissionDenied, Http404)):
        services.claim(pw.resource.pk, actor=pw.contact, community=pw.a1)
    assert Claim.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x", "amount": -5}, "amount"),
        ({"text": "x", "amount": "1e9"}, "amount"),
        ({"text": "x", "hours": "-1"}, "hours"),
        ({"text": "x", "hours": "abc"}, "hours"),
        ({"text": "x" * 1001}, "text"),
    ],
)
def test_bad_progress_writes_nothing(pw, kwargs, field):
    c = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    with pytest.raises(ValidationError) as info:
        services.progress(c.pk, actor=pw.contact, **kwargs)
    assert field in info.value.message_dict
    assert not c.updates.exists()


def test_bad_items_and_units(pw, world):
    with pytest.raises(ValidationError):
        services.add_item(pw.a1, actor=pw.staff, kind=ListKind.NEED, title="")
    with pytest.raises(ValidationError):
        services.add_item(pw.a1, actor=pw.staff, kind="wish", title="x")
    with pytest.raises(ValidationError):
        services.add_item(world.street_a, actor=pw.staff, kind=ListKind.NEED, title="x")
    with pytest.raises(ValidationError, match="already registered"):
        services.add_unit(world.street_a, actor=pw.street, name="实验小学", kind="school")
    with pytest.raises(ValidationError, match="partner-contact post"):
        services.add_unit(
            world.street_a, actor=pw.street, name="新单位", kind="school", contacts=[pw.staff]
        )
    with pytest.raises((PermissionDenied, Http404)):
        services.add_unit(world.street_a, actor=pw.contact, name="自封单位", kind="school")


def test_ticket_becomes_a_need_once(pw, world):
    import datetime as dt

    from gongzhi.core import clock

    cat = Category.objects.create(code="p-t", name="测试")
    now = clock.now()
    t = Ticket.objects.create(
        number="GZ-P-1",
        kind="help",
        category=cat,
        text="需要助老服务",
        place=world.grid_a1_1.buildings[0],
        place_path=world.grid_a1_1.buildings[0].path,
        response_due=now,
        resolve_due=now + dt.timedelta(days=1),
    )
    item = services.need_from_ticket(t.pk, actor=pw.staff)
    assert item.kind == ListKind.NEED and item.place == pw.a1 and item.source_ticket == t
    with pytest.raises(ValidationError, match="already on the needs list"):
        services.need_from_ticket(t.pk, actor=pw.staff)
    with pytest.raises(Http404):
        services.need_from_ticket(t.pk, actor=pw.staff_a2)


def test_ticket_number_form(pw, world, client):
    import datetime as dt

    from gongzhi.core import clock

    cat = Category.objects.create(code="p-n", name="测试")
    now = clock.now()
    building = world.grid_a1_1.buildings[0]
    Ticket.objects.create(
        number="GZ-P-2",
        kind="help",
        category=cat,
        text="楼道需要扶手",
        place=building,
        place_path=building.path,
        response_due=now,
        resolve_due=now + dt.timedelta(days=1),
    )
    client.force_login(pw.staff)
    resp = client.post(reverse("partners:need_from_number"), {"number": "gz-p-2"})
    item = ListItem.objects.get(source_ticket__number="GZ-P-2")
    assert resp.status_code == 302 and resp.url == reverse("partners:item", args=[item.pk])
    client.post(reverse("partners:need_from_number"), {"number": "nope"})
    assert ListItem.objects.filter(source_ticket__isnull=False).count() == 1
    client.force_login(pw.contact)
    assert (
        client.post(reverse("partners:need_from_number"), {"number": "GZ-P-2"}).status_code == 403
    )


def test_yearly_report(pw, client):
    c = services.claim(pw.need.pk, actor=pw.contact, unit=pw.school)
    services.complete(c.pk, actor=pw.contact, evidence="done", amount=300, hours=2)
    services.claim(pw.project.pk, actor=pw.contact, unit=pw.school)
    r = selectors.unit_report(pw.school, c.created_at.year)
    assert (r.needs_claimed, r.needs_completed, r.projects_claimed, r.projects_completed) == (
        1,
        1,
        1,
        0,
    )
    assert (r.amount, r.hours) == (300, 2.0)
    rc = services.claim(pw.resource.pk, actor=pw.staff, community=pw.a1)
    services.complete(rc.pk, actor=pw.staff, evidence="用了", hours=1)
    h = selectors.unit_report(pw.hospital, c.created_at.year)
    assert (h.resources_offered, h.resources_given, h.hours) == (1, 1, 1.0)
    client.force_login(pw.contact)
    page = client.get(reverse("partners:report", args=[pw.school.pk]) + f"?year={r.year}")
    assert page.status_code == 200
    xlsx = client.get(reverse("partners:report_xlsx", args=[pw.school.pk]) + f"?year={r.year}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "实验小学" and any(
        row[1] == "老人助餐" for row in values if len(row) > 1
    )


def test_yearly_report_titles_never_become_formulas(pw, client):
    """A need's title comes from a resident; in the unit's xlsx it must arrive as text."""
    need = services.add_item(
        pw.a1, actor=pw.staff, kind=ListKind.NEED, title='=HYPERLINK("http://x")'
    )
    c = services.claim(need.pk, actor=pw.contact, unit=pw.school)
    client.force_login(pw.contact)
    url = reverse("partners:report_xlsx", args=[pw.school.pk]) + f"?year={c.created_at.year}"
    sheet = load_workbook(io.BytesIO(client.get(url).content)).active
    titles = [row[1] for row in sheet.iter_rows(values_only=True) if len(row) > 1]
    assert '\'=HYPERLINK("http://x")' in titles
    assert not any(isinstance(t, str) and t.startswith("=") for t in titles)


def test_pages_render_and_bounded(pw, client, django_assert_max_num_queries):
    for i in range(12):
        services.add_item(pw.a1, actor=pw.staff, kind=ListKind.NEED, title=f"需求{i}")
    client.force_login(pw.staff)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("partners:lists") + "?kind=need").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("partners:units")).status_code == 200
    for url in (
        reverse("partners:unit", args=[pw.school.pk]),
        reverse("partners:item", args=[pw.need.pk]),
        reverse("partners:item", args=[pw.resource.pk]),
        reverse("partners:lists") + "?kind=resource",
    ):
        assert client.get(url).status_code == 200, url
    client.force_login(pw.contact)
    client.post(reverse("partners:claim", args=[pw.need.pk]), {"unit": pw.school.pk})
    c = Claim.objects.get()
    client.post(
        reverse("partners:claim_step", args=[c.pk, "complete"]), {"text": "完成", "amount": "10"}
    )
    assert Claim.objects.get().status == ClaimStatus.COMPLETED
    assert client.post(reverse("partners:claim_step", args=[c.pk, "explode"])).status_code == 404
    client.force_login(pw.staff)
    client.post(reverse("partners:claim_step", args=[c.pk, "confirm"]))
    assert Claim.objects.get().status == ClaimStatus.CONFIRMED
    client.post(
        reverse("partners:lists"), {"kind": "project", "place": pw.a1.pk, "title": "新项目"}
    )
    assert ListItem.objects.filter(title="新项目").exists()
    client.post(
        reverse("partners:units"),
        {"place": pw.a1.pk, "name": "物业公司", "kind": "property_company"},
    )
    assert pw.school.__class__.objects.filter(name="物业公司").exists()


def test_wrong_roles_refused(pw, client, world):
    building = world.grid_a1_1.buildings[0]
    from gongzhi.places.models import Household

    resident = make_user(
        Role.RESIDENT, building, household=Household.objects.filter(building=building).first()
    )
    client.force_login(resident)
    for url in (
        reverse("partners:units"),
        reverse("partners:lists"),
        "/api/v1/partner-units/",
        "/api/v1/partner-items/",
    ):
        assert client.get(url).status_code == 403, url
    client.force_login(pw.contact_b)
    assert client.get(reverse("partners:unit", args=[pw.school.pk])).status_code == 404
    assert client.get(reverse("partners:item", args=[pw.need.pk])).status_code == 404
    assert client.get(f"/api/v1/partner-items/{pw.need.pk}/").status_code == 404
    client.force_login(pw.contact)
    assert client.get(reverse("partners:units")).status_code == 200


def test_api_claim_flow(pw, client):
    client.force_login(pw.contact)
    items = client.get("/api/v1/partner-items/?kind=need").json()
    rows = items["results"] if isinstance(items, dict) else items
    assert [r["title"] for r in rows] == ["老人助餐"]
    resp = client.post(
        f"/api/v1/partner-items/{pw.need.pk}/claim/",
        {"unit": pw.hospital.pk},
        content_type="application/json",
    )
    assert resp.status_code == 403
    resp = client.post(
        f"/api/v1/partner-items/{pw.need.pk}/claim/",
        {"unit": pw.school.pk},
        content_type="application/json",
    )
    assert resp.status_code == 201
    cid = resp.json()["id"]
    again = client.post(
        f"/api/v1/partner-items/{pw.need.pk}/claim/",
        {"unit": pw.school.pk},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["detail"]
    bad = client.post(
        f"/api/v1/partner-claims/{cid}/complete/", {"text": ""}, content_type="application/json"
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/api/v1/partner-claims/{cid}/complete/",
        {"text": "好", "hours": 2},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "completed"
    client.force_login(pw.staff)
    assert client.post(f"/api/v1/partner-claims/{cid}/confirm/").json()["status"] == "confirmed"


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_one_wins(pw):
    units = [(pw.contact, pw.school), (pw.contact_y, pw.hospital)] * 2
    barrier = threading.Barrier(len(units))
    results: list = [None] * len(units)

    def run(i):
        try:
            barrier.wait(timeout=10)
            user, unit = units[i]
            with translation.override("en"):
                results[i] = services.claim(pw.need.pk, actor=user, unit=unit)
        except BaseException as exc:  # noqa: BLE001
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(units))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sum(isinstance(r, Claim) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == len(units) - 1, results
    assert Claim.objects.filter(item=pw.need).count() == 1


def _ticket_in_a1(world, number):
    import datetime as dt

    from gongzhi.core import clock

    cat, _ = Category.objects.get_or_create(code="p-d", defaults={"name": "测试"})
    building = world.grid_a1_1.buildings[0]
    now = clock.now()
    return Ticket.objects.create(
        number=number,
        kind="help",
        category=cat,
        text="独居老人需要每周上门探访",
        place=building,
        place_path=building.path,
        response_due=now,
        resolve_due=now + dt.timedelta(days=1),
    )


def test_ticket_page_offers_the_needs_list_to_community_staff_only(pw, world, client):
    ticket = _ticket_in_a1(world, "GZ-P-3")
    page = reverse("tickets:detail", args=[ticket.pk])

    client.force_login(make_user(Role.GRID_WORKER, world.grid_a1_1))
    assert 'data-testid="ticket-to-need"' not in client.get(page).content.decode()

    client.force_login(pw.staff)
    html = client.get(page).content.decode()
    assert 'data-testid="ticket-to-need"' in html
    resp = client.post(reverse("partners:ticket_to_need", args=[ticket.pk]))
    item = ListItem.objects.get(source_ticket=ticket)
    assert resp.status_code == 302 and resp.url == reverse("partners:item", args=[item.pk])

    # Once listed, the page links the need instead of offering the button again.
    html = client.get(page).content.decode()
    assert 'data-testid="ticket-to-need"' not in html
    assert reverse("partners:item", args=[item.pk]) in html
