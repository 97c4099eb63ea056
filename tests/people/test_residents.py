"""Residents: validation of documents and phones, derived facts, protected storage, moves.

Helpers here (`keeper`, `add`, `next_id`) are imported by the other tests of the registry.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from rest_framework.test import APIClient

from gongzhi.core import crypto
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.people import idcard, services
from gongzhi.people.idcard import Gender, IdType
from gongzhi.people.models import Membership, Resident, ResidentTag
from gongzhi.places.models import Household
from tests.conftest import make_user

_seq = itertools.count(11)


def next_id(birth: dt.date = dt.date(1950, 3, 4), male: bool = True) -> str:
    n = next(_seq) * 2 + (1 if male else 0)
    return idcard.make_id("420111", birth, n % 1000)


def keeper(world):
    """A community secretary of community A1 (every registry right there)."""
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1)


def household_in(place, index: int = 0) -> Household:
    return Household.objects.filter(place_path__under=place.path).order_by("id")[index]


def add(actor, household, name="张三", *, birth=dt.date(1950, 3, 4), male=True, phone=None, **kw):
    number = kw.pop("id_number", None) or next_id(birth, male)
    phone = phone if phone is not None else f"139{next(_seq):08d}"
    return services.create_resident(
        actor=actor, household=household, name=name, id_number=number, phone=phone, **kw
    )


def field_errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Documents -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the published example of GB 11643
        idcard.make_id("420111", dt.date(1990, 1, 1), 1),
        idcard.make_id("440305", dt.date(2000, 2, 29), 222),
    ],
)
def test_valid_check_digits_are_accepted(number):
    facts = idcard.parse(IdType.RESIDENT_ID, number)
    assert facts.number == number
    assert facts.birth_date is not None


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check digit (should be X)
        "11010519491231002",  # 17 characters
        "420111199013010015",  # 13th month
        "ABCDEFGHIJKLMNOPQR",
    ],
)
def test_invalid_numbers_are_refused_on_the_field(world, number):
    actor = keeper(world)
    with pytest.raises(ValidationError) as excinfo:
        add(actor, household_in(world.grid_a1_1), id_number=number)
    assert "id_number" in field_errors(excinfo)
    assert not Resident.objects.exists()


def test_gender_and_birth_date_come_from_the_id(world):
    actor = keeper(world)
    woman = add(
        actor, household_in(world.grid_a1_1), "李四", birth=dt.date(1949, 12, 31), male=False
    )
    assert woman.gender == Gender.FEMALE
    assert woman.birth_date == dt.date(1949, 12, 31)
    published = add(actor, household_in(world.grid_a1_1, 1), "王五", id_number="11010519491231002X")
    assert (published.gender, published.birth_date) == (Gender.FEMALE, dt.date(1949, 12, 31))


def test_birth_date_contradicting_the_id_is_an_error(world):
    actor = keeper(world)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        add(actor, household_in(world.grid_a1_1), birth_date=dt.date(1950, 3, 5))
    errors = field_errors(excinfo)
    assert list(errors) == ["birth_date"]
    assert "birth date" in errors["birth_date"][0]


def test_gender_contradicting_the_id_is_an_error(world):
    actor = keeper(world)
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        add(actor, household_in(world.grid_a1_1), male=True, gender=Gender.FEMALE)
    errors = field_errors(excinfo)
    assert list(errors) == ["gender"]
    assert "male" in errors["gender"][0]


def test_matching_gender_and_birth_date_are_accepted(world):
    actor = keeper(world)
    r = add(
        actor, household_in(world.grid_a1_1), gender=Gender.MALE, birth_date=dt.date(1950, 3, 4)
    )
    assert r.gender == Gender.MALE


def test_passport_needs_no_derived_facts(world):
    actor = keeper(world)
    r = add(
        actor,
        household_in(world.grid_a1_1),
        "John Smith",
        id_type=IdType.PASSPORT,
        id_number="E12345678",
        gender=Gender.MALE,
        birth_date=dt.date(1980, 5, 6),
    )
    assert (r.gender, r.birth_date, r.id_masked) == (
        Gender.MALE,
        dt.date(1980, 5, 6),
        crypto.mask_id_number("E12345678"),
    )


@pytest.mark.parametrize("phone", ["12800001111", "1380000111", "138000011112", "0277654321"])
def test_bad_mobile_numbers_are_refused(world, phone):
    with pytest.raises(ValidationError) as excinfo:
        add(keeper(world), household_in(world.grid_a1_1), phone=phone)
    assert "phone" in field_errors(excinfo)


def test_mobile_number_is_normalised(world):
    r = add(keeper(world), household_in(world.grid_a1_1), phone="+86 138-0013-8000")
    assert r.phone_masked == "138****8000"
    assert crypto.decrypt(r.phone_encrypted) == "13800138000"


def test_one_person_per_document_naming_the_existing_record(world):
    actor = keeper(world)
    number = next_id()
    first = add(actor, household_in(world.grid_a1_1), "赵六", id_number=number)
    with pytest.raises(ValidationError) as excinfo:
        add(actor, household_in(world.grid_a1_2), "别人", id_number=number)
    message = field_errors(excinfo)["id_number"][0]
    assert "赵六" in message and str(first.pk) in message
    assert number not in message
    # Someone who cannot see the existing record learns only a masked name.
    other = make_user(Role.COMMUNITY_SECRETARY, world.community_a2)
    with pytest.raises(ValidationError) as excinfo:
        add(other, household_in(world.community_a2), "别人", id_number=number)
    message = field_errors(excinfo)["id_number"][0]
    assert "赵*" in message and "赵六" not in message and number not in message
    assert Resident.objects.count() == 1


# --- What is stored --------------------------------------------------------------------


def test_create_stores_protected_values_and_opens_a_membership(world):
    actor = keeper(world)
    household = household_in(world.grid_a1_1)
    number = next_id(dt.date(1944, 6, 1))
    r = add(
        actor,
        household,
        "单田芳",
        id_number=number,
        phone="13812345678",
        tags=["living_alone"],
        moved_in=dt.date(2001, 1, 1),
    )
    assert r.name_initials == "stf"
    assert r.place_path == household.place_path
    assert r.id_masked == crypto.mask_id_number(number) and r.phone_masked == "138****5678"
    assert crypto.decrypt(r.id_encrypted) == number
    assert r.id_index == crypto.blind_index("id", number)
    assert list(ResidentTag.objects.filter(resident=r).values_list("tag", flat=True)) == [
        "living_alone"
    ]
    m = Membership.objects.get(resident=r)
    assert (m.household, m.moved_in, m.moved_out) == (household, dt.date(2001, 1, 1), None)
    record = AuditRecord.objects.get(action="resident.create")
    text = str(record.changes) + record.reason + record.target_repr
    assert number not in text and "13812345678" not in text
    assert record.changes["id_masked"][1] == r.id_masked


def _scan_database(plain_values: list[str]) -> list[str]:
    """Plain values found anywhere in the database: the raw file bytes on SQLite, every
    row of the registry and audit tables as text on PostgreSQL."""
    found = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        name = Path(connection.settings_dict["NAME"])
        blob = b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal")) if p.exists())
        found = [v for v in plain_values if v.encode() in blob]
    else:
        with connection.cursor() as cur:
            for table in (
                "people_resident",
                "people_membership",
                "people_residenttag",
                "core_auditrecord",
            ):
                cur.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 — fixed names
                rows = "\n".join(r[0] for r in cur.fetchall())
                found += [f"{table}:{v}" for v in plain_values if v in rows]
    return found


@pytest.mark.django_db(transaction=True)
def test_no_plain_id_or_phone_in_the_database(world):
    actor = keeper(world)
    plain = []
    for i in range(3):
        number, phone = next_id(dt.date(1960 + i, 1, 2)), f"1370000{i:04d}"
        plain += [number, phone]
        add(actor, household_in(world.grid_a1_1, i % 2), f"居民{i}", id_number=number, phone=phone)
    r = Resident.objects.first()
    services.reveal(r, "phone", "入户走访需要联系", actor=actor)
    services.update_resident(r, actor=actor, phone="13900009999")
    plain.append("13900009999")
    assert Resident.objects.count() == 3
    assert _scan_database(plain) == []
    # The scan is able to find a plain value when there is one.
    Resident.objects.filter(pk=r.pk).update(specialty=plain[0])
    assert _scan_database(plain[:1]) != []


# --- Updates, tags, moves ----------------------------------------------------------------


def test_update_revalidates_and_audits_masked(world):
    actor = keeper(world)
    r = add(actor, household_in(world.grid_a1_1), birth=dt.date(1950, 3, 4))
    with pytest.raises(ValidationError) as excinfo:
        services.update_resident(r, actor=actor, birth_date=dt.date(1951, 1, 1))
    assert "birth_date" in field_errors(excinfo)
    new_number = next_id(dt.date(1970, 7, 7), male=False)
    services.update_resident(r, actor=actor, id_number=new_number, phone="", specialty="书法")
    r.refresh_from_db()
    assert (r.gender, r.birth_date) == (Gender.FEMALE, dt.date(1970, 7, 7))
    assert r.phone_masked == "" and r.phone_encrypted == ""
    record = AuditRecord.objects.filter(action="resident.update").get()
    assert new_number not in str(record.changes)
    assert record.changes["specialty"] == ["", "书法"]


def test_set_tags_replaces_the_set(world):
    actor = keeper(world)
    r = add(actor, household_in(world.grid_a1_1), tags=["disabled", "veteran"])
    services.set_tags(r, ["veteran", "key_care"], actor=actor)
    assert sorted(r.tags.values_list("tag", flat=True)) == ["key_care", "veteran"]
    with pytest.raises(ValidationError):
        services.set_tags(r, ["80+"], actor=actor)


def test_move_keeps_history_and_shows_it(world, client):
    actor = keeper(world)
    old, new = household_in(world.grid_a1_1), household_in(world.grid_a1_2)
    r = add(actor, old, "搬家人", moved_in=dt.date(2010, 1, 1))
    services.move_resident(r, new, "tenant", dt.date(2024, 5, 1), actor=actor)
    r.refresh_from_db()
    assert (r.household, r.place_path, r.relation) == (new, new.place_path, "tenant")
    history = list(Membership.objects.filter(resident=r).order_by("id"))
    assert [(m.household, m.moved_in, m.moved_out) for m in history] == [
        (old, dt.date(2010, 1, 1), dt.date(2024, 5, 1)),
        (new, dt.date(2024, 5, 1), None),
    ]
    with pytest.raises(ValidationError):  # moving before having moved in
        services.move_resident(r, old, "head", dt.date(2020, 1, 1), actor=actor)
    client.force_login(actor)
    body = client.get(f"/people/{r.pk}/").content.decode()
    assert old.short_address in body and new.short_address in body


def test_move_needs_the_right_at_both_ends(world):
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    r = add(grid_worker, household_in(world.grid_a1_1))
    from django.http import Http404

    with pytest.raises(Http404):
        services.move_resident(r, household_in(world.grid_a1_2), "head", actor=grid_worker)
    assert Membership.objects.filter(resident=r).count() == 1


def test_move_out_leaves_current_lists_but_keeps_the_record(world, client):
    actor = keeper(world)
    r = add(actor, household_in(world.grid_a1_1), "迁出人")
    services.move_out(r, dt.date(2025, 1, 1), actor=actor)
    r.refresh_from_db()
    assert not r.is_active and r.place_path  # the path stays: the record is still ours
    assert Membership.objects.get(resident=r).moved_out == dt.date(2025, 1, 1)
    client.force_login(actor)
    assert "迁出人" not in client.get("/people/").content.decode()
    assert "迁出人" in client.get("/people/?active=0").content.decode()
    assert client.get(f"/people/{r.pk}/").status_code == 200
    with pytest.raises(ValidationError):
        services.move_out(r, actor=actor)


# --- Pages and API -------------------------------------------------------------------


def test_create_page_and_masked_detail(world, client):
    actor = keeper(world)
    household = household_in(world.grid_a1_1)
    client.force_login(actor)
    assert client.get(f"/people/new/?household={household.pk}").status_code == 200
    number = next_id(dt.date(1980, 8, 8))
    res = client.post(
        "/people/new/",
        {
            "addr-building": household.building_id,
            "addr-unit_no": household.unit_no,
            "addr-room_no": household.room_no,
            "name": "页面新增",
            "id_type": "resident_id",
            "id_number": number,
            "phone": "13555556666",
            "relation": "head",
            "residence_status": "registered",
            "tags": ["veteran"],
        },
    )
    assert res.status_code == 302
    r = Resident.objects.get(name="页面新增")
    body = client.get(res["Location"]).content.decode()
    assert r.id_masked in body and "135****6666" in body
    assert number not in body and "13555556666" not in body
    edit = client.get(f"/people/{r.pk}/edit/").content.decode()
    assert number not in edit and "13555556666" not in edit and r.id_masked in edit


def test_create_page_shows_the_field_error(world, client):
    household = household_in(world.grid_a1_1)
    client.force_login(keeper(world))
    res = client.post(
        "/people/new/",
        {
            "addr-building": household.building_id,
            "addr-unit_no": household.unit_no,
            "addr-room_no": household.room_no,
            "name": "错号",
            "id_type": "resident_id",
            "id_number": "110105194912310021",
            "relation": "head",
            "residence_status": "registered",
        },
    )
    assert res.status_code == 400
    assert "110105194912310021" in res.content.decode()  # the user's own input, echoed back
    assert not Resident.objects.exists()


def test_edit_page_keeps_protected_values_when_left_empty(world, client):
    actor = keeper(world)
    r = add(actor, household_in(world.grid_a1_1), "原名", phone="13811112222")
    client.force_login(actor)
    res = client.post(
        f"/people/{r.pk}/edit/",
        {
            "name": "新名",
            "id_type": "resident_id",
            "id_number": "",
            "phone": "",
            "relation": "head",
            "residence_status": "resident",
        },
    )
    assert res.status_code == 302
    r.refresh_from_db()
    assert r.name == "新名" and r.phone_masked == "138****2222" and r.name_initials == "xm"


def test_api_create_and_read_are_masked(world):
    actor = keeper(world)
    api = APIClient()
    api.force_authenticate(actor)
    number = next_id(dt.date(1955, 5, 5))
    res = api.post(
        "/api/v1/residents/",
        {
            "name": "接口新增",
            "id_number": number,
            "phone": "13666667777",
            "household": household_in(world.grid_a1_1).pk,
            "tags": ["low_income"],
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["id_masked"] == crypto.mask_id_number(number)
    assert body["phone_masked"] == "136****7777"
    assert body["tags"] == ["low_income"]
    assert "id_number" not in body and "phone" not in body
    detail = api.get(f"/api/v1/residents/{body['id']}/")
    text = detail.content.decode()
    assert number not in text and "13666667777" not in text
    for leaked in ("id_encrypted", "id_index", "phone_encrypted", "phone_index"):
        assert leaked not in detail.json()
    assert detail.json()["memberships"][0]["moved_out"] is None
    bad = api.post(
        "/api/v1/residents/",
        {"name": "坏号", "id_number": "110105194912310021", "household": body["household"]},
        format="json",
    )
    assert bad.status_code == 400 and "id_number" in bad.json()
    res = api.patch(f"/api/v1/residents/{body['id']}/", {"specialty": "厨艺"}, format="json")
    assert res.status_code == 200 and res.json()["specialty"] == "厨艺"


def test_household_page_and_api_list_members_masked(world, client):
    actor = keeper(world)
    household = household_in(world.grid_a1_1)
    r = add(actor, household, "户内人", phone="13700001234")
    client.force_login(actor)
    body = client.get(f"/places/households/{household.pk}/").content.decode()
    assert "户内人" in body and r.id_masked in body and "137****1234" in body
    assert "13700001234" not in body
    api = APIClient()
    api.force_authenticate(actor)
    members = api.get(f"/api/v1/households/{household.pk}/members/").json()
    assert [m["name"] for m in members] == ["户内人"]
    assert members[0]["phone_masked"] == "137****1234"
    assert "13700001234" not in str(members)
