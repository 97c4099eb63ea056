"""Care's section of a person's copy of their own data (PIPL art. 45, issue 24): their own
donations, tenancies, visits to them (the day and the visitor's role only — never the notes,
the point or the photo) and the notices their household read; never another resident's; empty
when there is nothing; the download renders with it in its place."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.care.models import (
    Delivery,
    Donation,
    Notice,
    NoticeKind,
    RentedHome,
    Tenancy,
    Visit,
    VisitPhoto,
    VisitPlan,
)
from gongzhi.care.privacy_sections import care
from gongzhi.core import clock
from gongzhi.core.personal_data import Person, sections
from gongzhi.people.models import Tag
from gongzhi.places.models import Household

pytestmark = pytest.mark.django_db
URL = reverse("privacy:download")
T0 = timezone.make_aware(dt.datetime(2026, 5, 4, 10, 0))


def _gift(resident, actor, **kw):
    fields = {
        "kind": "money",
        "to": "fund",
        "destination": "社区微基金",
        "amount_fen": 20000,
        "goods": "",
        "given_on": dt.date(2026, 5, 1),
    }
    fields.update(kw)
    return Donation.objects.create(
        resident=resident,
        community=actor.posts.first().place,
        recorded_by=actor,
        place_path=resident.place_path,
        **fields,
    )


def _visit(resident, visitor, *, found, need="", day=1):
    plan, _created = VisitPlan.objects.get_or_create(
        resident=resident,
        tag=Tag.LIVING_ALONE,
        defaults={
            "visitor": visitor,
            "every_days": 30,
            "next_due_on": dt.date(2026, 6, 1),
            "place_path": resident.place_path,
        },
    )
    return Visit.objects.create(
        plan=plan,
        visitor=visitor,
        visited_at=timezone.make_aware(dt.datetime(2026, 4, day, 9, 30)),
        lat=Decimal("30.512345"),
        lng=Decimal("114.398765"),
        found=found,
        need=need,
        place_path=resident.place_path,
    )


def _notice(cw, title):
    return Notice.objects.create(
        place=cw.b1,
        place_path=cw.b1.path,
        kind=NoticeKind.WATER,
        title=title,
        body="正文不属于本人数据",
        sent_by=cw.worker,
    )


@pytest.fixture
def pv(cw):
    clock.set_now(T0)
    me, neighbour = cw.r1.record, cw.r2.record
    # Gifts: two of mine (money, goods), one of the neighbour's.
    _gift(me, cw.worker)
    _gift(
        me,
        cw.worker,
        kind="goods",
        amount_fen=None,
        goods="冬衣三件",
        to="drive",
        destination="冬衣募捐",
        given_on=dt.date(2026, 3, 2),
    )
    _gift(neighbour, cw.worker, destination="邻居的基金", amount_fen=77700)
    # Tenancies: mine (moved out) in household 5 of B1; the neighbour's in B2.
    spare = cw.households[4]
    home = RentedHome.objects.create(
        household=spare, landlord=cw.nophone, place_path=spare.place_path
    )
    Tenancy.objects.create(
        home=home,
        tenant=me,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        ended_on=dt.date(2025, 10, 15),
        place_path=spare.place_path,
    )
    other = Household.objects.filter(building=cw.b2).order_by("id").first()
    other_home = RentedHome.objects.create(
        household=other, landlord=cw.nophone, place_path=other.place_path
    )
    Tenancy.objects.create(
        home=other_home,
        tenant=neighbour,
        starts_on=dt.date(2024, 2, 2),
        ends_on=dt.date(2026, 2, 2),
        place_path=other.place_path,
    )
    # Visits: one to me with notes and a photo, one to the neighbour.
    mine = _visit(me, cw.head, found="独居情绪低落的记录", need="需要助浴服务", day=3)
    VisitPhoto.objects.create(
        visit=mine,
        file="care/2026/04/secretphoto.jpg",
        thumb="care/2026/04/secretthumb.jpg",
        width=10,
        height=10,
        size=100,
        uploaded_by=cw.head,
    )
    _visit(neighbour, cw.head, found="邻居的走访记录", day=5)
    # Notices: my household read one and not another; the neighbour's household read a third.
    read, unread, theirs = (
        _notice(cw, "停水通知甲"),
        _notice(cw, "停电通知乙"),
        _notice(cw, "邻居读的"),
    )
    Delivery.objects.create(
        notice=read,
        household=cw.households[0],
        place_path=cw.households[0].place_path,
        read_at=T0,
        read_by=cw.r1,
    )
    Delivery.objects.create(
        notice=unread, household=cw.households[0], place_path=cw.households[0].place_path
    )
    Delivery.objects.create(
        notice=theirs,
        household=cw.households[1],
        place_path=cw.households[1].place_path,
        read_at=T0,
        read_by=cw.r2,
    )
    return cw


def _download(login, user, fmt="json"):
    response = login(user).post(URL, {"format": fmt})
    assert response.status_code == 200
    return response


def _section(response):
    body = json.loads(response.content)
    return {s["code"]: s for s in body["sections"]}["care"]


def test_the_section_holds_the_residents_own_rows(pv, login):
    response = _download(login, pv.r1)
    section = _section(response)
    assert section["label"] == "关爱与帮扶"
    rows = section["rows"]
    kinds = [r["事由"] for r in rows]
    assert kinds == ["捐赠", "捐赠", "租住", "关爱走访", "已读入户通知"]
    goods, money = rows[0]["详细说明"], rows[1]["详细说明"]
    assert "冬衣三件" in goods and "冬衣募捐" in goods and "募捐活动" in goods
    assert "¥200.00" in money and "社区微基金" in money and "社区基金" in money
    assert rows[0]["日期"] == "2026-03-02"
    tenancy = rows[2]["详细说明"]
    assert pv.households[4].room_no in tenancy
    assert "2025-01-01" in tenancy and "2025-12-31" in tenancy and "2025-10-15已搬离" in tenancy
    assert rows[3]["详细说明"] == "走访人身份：楼栋长"
    assert rows[3]["日期"].startswith("2026-04-03")
    assert rows[4]["详细说明"] == "停水通知甲"
    text = json.dumps(section, ensure_ascii=False)
    for theirs in ("邻居的基金", "777", "2024-02-02", "邻居的走访记录", "2026-04-05", "邻居读的"):
        assert theirs not in text
    assert "停电通知乙" not in text  # delivered but not read


def test_never_the_visit_notes_the_point_the_photo_or_the_visitors_name(pv, login):
    text = _download(login, pv.r1).content.decode()
    for secret in (
        "独居情绪低落的记录",
        "需要助浴服务",
        "secretphoto",
        "secretthumb",
        "30.512345",
        "114.398765",
        "一栋楼长",  # the visitor's name: their role only
        "正文不属于本人数据",  # the notice's text: its title only
    ):
        assert secret not in text


def test_the_section_reads_no_notes_from_the_database(pv, django_assert_max_num_queries):
    with django_assert_max_num_queries(6) as queries:
        rows = care(Person(user=pv.r1, resident=pv.r1.record))
    assert len(rows) == 5
    visit_reads = [q["sql"] for q in queries.captured_queries if "care_visit" in q["sql"]]
    assert visit_reads and not any('"found"' in sql or '"need"' in sql for sql in visit_reads)


def test_empty_when_the_person_has_nothing(pv, login):
    assert _section(_download(login, pv.r3))["rows"] == []
    assert care(Person(user=pv.worker, resident=None)) == []


def test_the_download_renders_with_the_section_in_its_place(pv, login):
    codes = [s.code for s in sections()]
    assert codes.index("mediation") < codes.index("care") < codes.index("consents")
    response = _download(login, pv.r1, fmt="xlsx")
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert ("关爱与帮扶", 4, "详细说明", "走访人身份：楼栋长") in values
    assert not any("独居情绪低落" in str(cell) for row in values for cell in row)
