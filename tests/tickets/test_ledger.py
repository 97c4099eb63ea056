"""The ticket ledger (issue 19 item 2): search, filters, sorting, scoping, refusals."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from gongzhi.core import clock, crypto
from gongzhi.core.roles import Role
from gongzhi.tickets import ledger, services
from gongzhi.tickets.models import Category, Kind, Status, Ticket
from gongzhi.tickets.workflow import Step
from tests.conftest import make_user
from tests.tickets.conftest import run_step

PAGE = reverse("tickets:ledger")


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are checked in English; one test checks the Chinese default."""
    settings.LANGUAGE_CODE = "en"


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()[:2000]
    return {t.number for t in response.context["page"].object_list}


def search(client, **fields):
    """POST the search form, follow the redirect; return (final response, its URL)."""
    response = client.post(PAGE, fields)
    assert response.status_code == 302
    url = response["Location"]
    return client.get(url), url


# --------------------------------------------------------------------------- scoping


def test_community_worker_sees_their_community_only(people, new_ticket, login, world):
    mine = new_ticket()
    elsewhere = services.submit(
        actor=people.cw_other,
        kind=Kind.REPORT,
        category=mine.category,
        text="二社区路灯",
        place=world.grid_a2_1,
        channel="patrol",
    )
    got = numbers(login(people.cw).get(PAGE))
    assert mine.number in got and elsewhere.number not in got
    assert elsewhere.number in numbers(login(people.street).get(PAGE))


def test_grid_worker_sees_their_grid_only(people, new_ticket, login):
    mine = new_ticket()
    other = services.submit(
        actor=people.other_grid_resident, kind=Kind.HELP, category=mine.category, text="隔壁网格"
    )
    got = numbers(login(people.gw).get(PAGE))
    assert mine.number in got and other.number not in got
    assert numbers(login(people.gw_other).get(PAGE)) == {other.number}


def test_resident_and_party_member_are_refused(people, new_ticket, login):
    new_ticket()
    assert login(people.resident).get(PAGE).status_code == 403
    assert login(people.pm1).get(PAGE).status_code == 403
    export = login(people.resident).post(reverse("tickets:ledger_export"), {"query": ""})
    assert export.status_code == 403


def test_anonymous_visitor_goes_to_the_login_page(client):
    assert client.get(PAGE).status_code == 302


# --------------------------------------------------------------------------- search


def test_search_by_number_and_text(people, new_ticket, login):
    a = new_ticket(text="三楼水管漏水")
    b = new_ticket(text="楼道灯坏了")
    client = login(people.cw)
    found, _url = search(client, q=a.number)
    assert numbers(found) == {a.number}
    found, _url = search(client, q="漏水")
    assert numbers(found) == {a.number}
    assert b.number in numbers(client.get(PAGE))


def test_search_by_phone_tail_keeps_the_digits_out_of_the_address(people, new_ticket, login):
    mine = new_ticket()  # people.resident: 13900000001
    neighbour = services.submit(
        actor=people.neighbour, kind=Kind.HELP, category=mine.category, text="门禁坏了"
    )
    client = login(people.cw)
    found, url = search(client, phone="0001")
    assert numbers(found) == {mine.number}
    assert "0001" not in url and "phone" not in url and "pt=" in url
    assert "0001" not in found.context["request"].get_full_path()
    found, url = search(client, phone="0002")
    assert numbers(found) == {neighbour.number}
    # The stored value is a keyed hash, never the digits.
    mine.refresh_from_db()
    assert len(mine.phone_tail_index) == 64 and "0001" not in mine.phone_tail_index


def test_search_by_name(people, new_ticket, login, cats, world):
    mine = new_ticket()
    entered = services.submit(
        actor=people.cw,
        kind=Kind.HELP,
        category=cats.repair,
        text="电话来报",
        place=world.grid_a1_1.buildings[0],
        channel="phone",
        on_behalf_of_name="王阿姨",
    )
    client = login(people.cw)
    found, url = search(client, name=people.resident.name)
    assert numbers(found) == {mine.number}
    assert people.resident.name not in url
    found, _url = search(client, name="王阿姨")
    assert numbers(found) == {entered.number}


def test_anonymous_reports_are_not_found_by_name_or_phone(people, login, cats):
    report = services.submit(
        actor=people.resident, kind=Kind.REPORT, category=cats.repair, text="有人占用消防通道",
        anonymous=True,
    )  # fmt: skip
    assert report.phone_tail_index == ""
    client = login(people.cw)
    assert numbers(search(client, phone="0001")[0]) == set()
    assert numbers(search(client, name=people.resident.name)[0]) == set()
    html = client.get(PAGE).content.decode()
    assert people.resident.name not in html


def test_search_by_address(people, new_ticket, login, world):
    b1, b2 = world.grid_a1_1.buildings
    one = new_ticket(place=b1)
    two = services.submit(
        actor=people.neighbour, kind=Kind.HELP, category=one.category, text="门禁", place=b2
    )
    client = login(people.cw)
    assert numbers(search(client, address=b1.name)[0]) == {one.number}
    assert numbers(search(client, address=b2.name)[0]) == {two.number}
    assert numbers(search(client, address=world.grid_a1_1.name)[0]) == {one.number, two.number}


def test_personal_terms_in_the_address_are_refused(people, new_ticket, login):
    new_ticket()
    client = login(people.cw)
    for params in ({"phone": "0001"}, {"name": people.resident.name}):
        response = client.get(PAGE, params)
        assert response.status_code == 400
        assert response.context["page"] is None
        assert "search form" in response.content.decode()


def test_an_expired_search_token_asks_to_search_again(people, new_ticket, login):
    new_ticket()
    client = login(people.cw)
    _found, url = search(client, phone="0001")
    with clock.travel_to(clock.now() + dt.timedelta(hours=1)):
        response = client.get(url)
    assert response.status_code == 302 and response["Location"] == PAGE
    # Another session never holds this session's token.
    other = Client()
    other.force_login(people.gw)
    assert other.get(url).status_code == 302


# --------------------------------------------------------------------------- filters


def test_filters_status_kind_category_place_handler(people, drive, new_ticket, login, cats, world):
    submitted = new_ticket()
    dispatched = drive(Status.DISPATCHED)
    child = Category.objects.create(code="t-repair-door", name="门窗", parent=cats.repair)
    door = new_ticket(category=child, kind=Kind.CONSULT)
    other_grid = services.submit(
        actor=people.other_grid_resident, kind=Kind.HELP, category=cats.noise, text="夜里施工"
    )
    client = login(people.cw)
    assert numbers(client.get(PAGE, {"status": "dispatched"})) == {dispatched.number}
    assert numbers(client.get(PAGE, {"status": ["dispatched", "submitted"]})) >= {
        dispatched.number,
        submitted.number,
    }
    assert numbers(client.get(PAGE, {"kind": "consult"})) == {door.number}
    assert door.number in numbers(client.get(PAGE, {"category": cats.repair.pk}))
    assert numbers(client.get(PAGE, {"category": child.pk})) == {door.number}
    assert numbers(client.get(PAGE, {"place": world.grid_a1_2.pk})) == {other_grid.number}
    assert other_grid.number not in numbers(client.get(PAGE, {"place": world.grid_a1_1.pk}))
    assert numbers(client.get(PAGE, {"handler": people.pm1.pk})) == {dispatched.number}


def test_filters_dates_overdue_rating(people, drive, new_ticket, login):
    start = clock.now()
    with clock.travel_to(start - dt.timedelta(days=40)):
        old = new_ticket(text="四十天前")
    closed = drive(Status.CLOSED)  # rated 2
    fresh = new_ticket()
    client = login(people.cw)
    before = (start - dt.timedelta(days=30)).date().isoformat()
    assert numbers(client.get(PAGE, {"created_to": before})) == {old.number}
    got = numbers(client.get(PAGE, {"created_from": before}))
    assert old.number not in got and fresh.number in got
    today = clock.today().isoformat()
    assert numbers(client.get(PAGE, {"closed_from": today, "closed_to": today})) == {closed.number}
    assert numbers(client.get(PAGE, {"overdue": "yes"})) == {old.number}
    assert old.number not in numbers(client.get(PAGE, {"overdue": "no"}))
    assert numbers(client.get(PAGE, {"rating": "2"})) == {closed.number}
    assert numbers(client.get(PAGE, {"rating": "low"})) == {closed.number}
    assert numbers(client.get(PAGE, {"rating": "5"})) == set()
    assert closed.number not in numbers(client.get(PAGE, {"rating": "none"}))


def test_sorting_by_whitelisted_columns(people, new_ticket, login):
    tickets = [new_ticket(text=f"第{i}件") for i in range(3)]
    client = login(people.cw)
    newest_first = [t.number for t in client.get(PAGE).context["page"].object_list]
    assert newest_first == [t.number for t in reversed(tickets)]
    oldest_first = [
        t.number for t in client.get(PAGE, {"sort": "number"}).context["page"].object_list
    ]
    assert oldest_first == [t.number for t in tickets]
    html = client.get(PAGE).content.decode()
    assert "?sort=number" in html and "?sort=created" in html  # newest first now: toggles


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "text"},
        {"sort": "password"},
        {"status": "nonsense"},
        {"kind": "x"},
        {"category": "abc"},
        {"category": "999999"},
        {"place": "-1"},
        {"handler": "1 OR 1=1"},
        {"created_from": "2026-13-01"},
        {"created_from": "yesterday"},
        {"created_from": "2026-03-05", "created_to": "2026-03-01"},
        {"overdue": "maybe"},
        {"rating": "7"},
        {"q": "x" * 101},
        {"q": "13900000001"},
        {"place": ["1", "2"]},
    ],
)
def test_malformed_input_is_a_400_not_a_500(people, new_ticket, login, params):
    new_ticket()
    response = login(people.cw).get(PAGE, params)
    assert response.status_code == 400
    assert response.context["error"]


def test_malformed_phone_digits_are_refused(people, new_ticket, login):
    new_ticket()
    client = login(people.cw)
    for phone in ("001", "abcd", "13900000001"):
        response, _url = search(client, phone=phone)
        assert response.status_code == 400


def test_malformed_input_speaks_chinese(people, new_ticket, login, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    new_ticket()
    response = login(people.cw).get(PAGE, {"created_from": "昨天"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "YYYY-MM-DD" in html and "日期" in html


def test_the_page_reads_a_bounded_number_of_queries(
    people, new_ticket, login, django_assert_max_num_queries
):
    for i in range(14):
        new_ticket(text=f"第{i}件")
    client = login(people.cw)
    client.get(PAGE)  # warm the session and the category tree
    with django_assert_max_num_queries(22):
        response = client.get(PAGE, {"sort": "handler"})
    assert len(response.context["page"].object_list) == 14
    _found, url = search(client, phone="0001")
    with django_assert_max_num_queries(22):
        assert len(numbers(client.get(url))) == 14


def test_the_page_pages(people, new_ticket, login, monkeypatch):
    monkeypatch.setattr(ledger, "PAGE_SIZE", 5)
    for i in range(12):
        new_ticket(text=f"第{i}件")
    client = login(people.cw)
    first = client.get(PAGE)
    assert len(first.context["page"].object_list) == 5
    assert first.context["page"].paginator.num_pages == 3
    assert len(client.get(PAGE, {"page": 3}).context["page"].object_list) == 2


def test_menu_entry_for_staff_not_residents(people, login):
    assert f'href="{PAGE}"' in login(people.cw).get(reverse("home")).content.decode()
    assert f'href="{PAGE}"' not in login(people.resident).get(reverse("home")).content.decode()


# --------------------------------------------------------------------------- phone tails


def test_the_data_migration_fills_existing_tickets(people, new_ticket):
    ticket = new_ticket()
    expected = ticket.phone_tail_index
    Ticket.objects.filter(pk=ticket.pk).update(phone_tail_index="")
    module = import_module("gongzhi.tickets.migrations.0009_ledger_phone_tails")
    module.fill(apps, None)
    ticket.refresh_from_db()
    assert ticket.phone_tail_index == expected != ""


def test_tickets_indexed_before_a_key_rotation_are_found(people, cats, world, settings):
    def resident_ticket(phone):
        b1 = world.grid_a1_1.buildings[0]
        resident = make_user(Role.RESIDENT, b1, household=b1.households.first(), phone=phone)
        return services.submit(actor=resident, kind=Kind.HELP, category=cats.repair, text="报修")

    settings.FIELD_ENCRYPTION_KEY = "1:the-old-secret-of-this-test"
    before = resident_ticket("13711110001")
    settings.FIELD_ENCRYPTION_KEY = "2:a-new-secret-after-rotation,1:the-old-secret-of-this-test"
    assert crypto.current_version() == 2
    after = resident_ticket("13722220001")
    assert after.phone_tail_index != before.phone_tail_index  # indexed under the new key
    query = ledger.parse({}, {"phone": "0001"})
    assert set(ledger.tickets(people.cw, query)) == {before, after}


def test_staff_entries_and_patrols_have_no_resident_phone(people, cats, world):
    entered = services.submit(
        actor=people.cw,
        kind=Kind.HELP,
        category=cats.repair,
        text="电话来报",
        place=world.grid_a1_1.buildings[0],
        channel="phone",
        on_behalf_of_name="王阿姨",
    )
    assert entered.phone_tail_index == ""


def test_steps_keep_the_tail(people, new_ticket):
    ticket = new_ticket()
    tail = ticket.phone_tail_index
    ticket = run_step(ticket, Step.ACCEPT, people.gw, {})
    ticket.refresh_from_db()
    assert ticket.phone_tail_index == tail


def test_a_district_officer_sees_everything_in_the_district(world, new_ticket, login):
    ticket = new_ticket()
    officer = make_user(Role.DISTRICT_OFFICER, world.district)
    assert ticket.number in numbers(login(officer).get(PAGE))


# --------------------------------------------------------------------------- the API

API = "/api/v1/ticket-ledger/"


def test_api_searches_like_the_page(people, new_ticket, login):
    mine = new_ticket()
    services.submit(actor=people.neighbour, kind=Kind.HELP, category=mine.category, text="门禁")
    client = login(people.cw)
    response = client.post(API, {"phone": "0001"}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["number"] == mine.number
    response = client.post(
        API, {"q": mine.number, "status": ["submitted"]}, content_type="application/json"
    )
    assert [r["number"] for r in response.json()["results"]] == [mine.number]
    assert client.post(API, {}, content_type="application/json").json()["count"] == 2


def test_api_refuses_residents_and_malformed_bodies(people, new_ticket, login):
    new_ticket()
    resident = login(people.resident)
    assert resident.post(API, {}, content_type="application/json").status_code == 403
    client = login(people.cw)
    for body in (
        {"created_from": "tomorrow"},
        {"status": "submitted"},
        {"page": "abc"},
        {"phone": "12"},
        {"sort": "password"},
    ):
        response = client.post(API, body, content_type="application/json")
        assert response.status_code == 400, body
    broken = client.post(API, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert client.get(API).status_code == 405


def test_the_demo_fill_sets_missing_tails_only(people, new_ticket, cats):
    ticket = new_ticket()
    expected = ticket.phone_tail_index
    anonymous = services.submit(
        actor=people.resident, kind=Kind.REPORT, category=cats.repair, text="匿名举报",
        anonymous=True,
    )  # fmt: skip
    Ticket.objects.filter(pk=ticket.pk).update(phone_tail_index="")
    assert ledger.fill_phone_tails() == 1
    ticket.refresh_from_db()
    anonymous.refresh_from_db()
    assert ticket.phone_tail_index == expected and anonymous.phone_tail_index == ""
    assert ledger.fill_phone_tails() == 0
