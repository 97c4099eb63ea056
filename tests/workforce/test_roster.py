"""The roster as xlsx: import of a real-shaped office roster (a title row, dates as dates and as
text, bad rows with their line numbers — all or nothing) and the export (personal columns only
for those who may see them), wrong roles refused."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gongzhi.core import crypto
from gongzhi.core.models import AuditRecord
from gongzhi.workforce import roster
from gongzhi.workforce.models import Worker, WorkerKind
from tests.workforce.conftest import add

pytestmark = pytest.mark.django_db

IDS = [f"4201111990010{i:04d}"[:17] + "X" for i in range(1, 8)]


@pytest.fixture
def registered(wf):
    """Seven residents of the community with their ID numbers in the registry."""
    for person, number in zip(wf.people[:7], IDS, strict=True):
        person.id_encrypted, person.id_index, person.id_masked = crypto.protect("id", number)
        person.save()
    return wf.people[:7]


def _book(rows, title=True):
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["珞南一社区社区工作者台账（2026年）"])
    sheet.append(
        [
            "序号",
            "姓名",
            "身份证号码",
            "人员类别",
            "到岗日期",
            "学历",
            "后备人选",
            "月基本报酬（元）",
        ]
    )
    for i, row in enumerate(rows, start=1):
        sheet.append([i, *row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _good(people):
    return [
        [people[0].name, IDS[0], "社区党组织书记", dt.datetime(2019, 3, 1), "本科", "否", 4200],
        [people[1].name, IDS[1].lower(), "社区工作者", "2021/7/15", "大专", "是", "3300.5"],
        [people[2].name, IDS[2], "兼职网格员", "2022年9月1日", "", "", ""],
    ]


def test_import_a_real_shaped_roster(wf, registered):
    result = roster.import_roster(wf.community, _book(_good(registered)), actor=wf.worker)
    assert result.errors == [] and result.created == 3
    first = Worker.objects.get(resident=registered[0])
    assert first.kind == WorkerKind.SECRETARY and first.started_on == dt.date(2019, 3, 1)
    second = Worker.objects.get(resident=registered[1])
    assert second.is_reserve and second.monthly_pay_fen == 330050
    assert second.education == "college"
    assert Worker.objects.get(resident=registered[2]).started_on == dt.date(2022, 9, 1)
    assert AuditRecord.objects.filter(action="workforce.roster_import").count() == 1
    assert AuditRecord.objects.filter(action="workforce.worker_add").count() == 3
    assert not any(
        IDS[0] in str(r.changes) for r in AuditRecord.objects.filter(action__startswith="workforce")
    )


def test_bad_rows_write_nothing_and_name_their_lines(wf, registered):
    rows = [
        *_good(registered),
        ["某某", "420111199912319999", "社区工作者", "2020-01-01", "本科", "否", ""],
        [registered[3].name, IDS[4], "社区工作者", "2020-01-01", "本科", "否", ""],
        [registered[5].name, IDS[5], "居委会委员长", "昨天", "小学", "也许", "很多"],
        [registered[0].name, IDS[0], "社区工作者", "2020-01-01", "", "", ""],
        [registered[6].name, IDS[6], "网格员", "2099-01-01", "", "", "=1+1"],
    ]
    result = roster.import_roster(wf.community, _book(rows), actor=wf.worker)
    assert result.created == 0 and not Worker.objects.exists()
    text = "\n".join(result.errors)
    assert len(result.errors) == 5
    assert result.errors[0].startswith("Row 6:")  # title row 1, header row 2, data from row 3
    assert "no resident of this community has this ID number" in result.errors[0]
    assert "the name does not match" in result.errors[1]
    assert "unknown kind" in result.errors[2] and "not a date" in result.errors[2]
    assert "unknown education" in result.errors[2] and "reserve candidate" in result.errors[2]
    assert "pay is not an amount" in result.errors[2]
    assert "appears twice" in result.errors[3]
    assert "formula" in result.errors[4]
    assert IDS[0] not in text


def test_errors_in_chinese_on_the_page(wf, registered, login):
    rows = [["某某", "420111199912319999", "社区工作者", "2020-01-01", "本科", "否", ""]]
    client = login(wf.worker)
    upload = io.BytesIO(_book(rows))
    upload.name = "台账.xlsx"
    from django.utils import translation

    with translation.override("zh-hans"):
        page = client.post(
            reverse("workforce:roster_import"),
            {"community": wf.community.pk, "file": upload},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        ).content.decode()
    assert 'data-testid="import-errors"' in page and "第 3 行" in page


def test_a_person_with_an_active_record_is_a_row_error(wf, registered):
    add(wf, registered[0])
    result = roster.import_roster(wf.community, _book(_good(registered)), actor=wf.worker)
    assert result.created == 0 and "already has an active" in result.errors[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a readable"),
        (b"PK\x03\x04 broken", "not a readable"),
        (b"name,id\n", "not a readable"),
    ],
)
def test_file_problems(wf, registered, data, message):
    with pytest.raises(roster.RosterFileError, match=message):
        roster.import_roster(wf.community, data, actor=wf.worker)


def test_missing_header_columns(wf, registered):
    book = Workbook()
    book.active.append(["姓名", "人员类别"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(roster.RosterFileError, match="lacks the columns"):
        roster.import_roster(wf.community, out.getvalue(), actor=wf.worker)


def test_grid_worker_and_other_community_cannot_import(wf, registered, login):
    with pytest.raises(PermissionDenied):
        roster.import_roster(wf.community, _book(_good(registered)), actor=wf.grid)
    assert login(wf.grid).get(reverse("workforce:roster_import")).status_code == 403
    upload = io.BytesIO(_book(_good(registered)))
    upload.name = "x.xlsx"
    response = login(wf.worker_a2).post(
        reverse("workforce:roster_import"), {"community": wf.community.pk, "file": upload}
    )
    assert response.status_code == 404
    assert not Worker.objects.exists()


def test_people_of_another_community_are_not_found(wf, registered):
    wf.other.id_encrypted, wf.other.id_index, wf.other.id_masked = crypto.protect(
        "id", "420111198001011111"
    )
    wf.other.save()
    rows = [[wf.other.name, "420111198001011111", "社区工作者", "2020-01-01", "", "", ""]]
    result = roster.import_roster(wf.community, _book(rows, title=False), actor=wf.worker)
    assert result.created == 0 and "no resident of this community" in result.errors[0]


def _export(client, query=""):
    response = client.get(reverse("workforce:roster_export") + query)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_export_personal_columns_only_for_those_who_may(wf, registered, login):
    roster.import_roster(wf.community, _book(_good(registered)), actor=wf.worker)
    rows = _export(login(wf.secretary))
    assert rows[0][:4] == ["序号", "街道", "社区", "姓名"] and len(rows) == 4
    secretary_row = next(r for r in rows if r[3] == registered[0].name)
    assert secretary_row[15] == "4200.00" and secretary_row[14].startswith("420111")
    grid_rows = _export(login(wf.grid))
    grid_row = next(r for r in grid_rows if r[3] == registered[0].name)
    assert grid_row[13] is None and grid_row[14] is None and grid_row[15] is None
    filtered = _export(login(wf.secretary), "?kind=grid_worker")
    assert len(filtered) == 2
    assert AuditRecord.objects.filter(action="workforce.roster_export").count() == 3


def test_export_refused_to_a_resident(wf, login):
    assert login(wf.resident_user).get(reverse("workforce:roster_export")).status_code == 403


def test_export_bounded_queries(wf, registered, login, django_assert_max_num_queries):
    for p in wf.people[:12]:
        add(wf, p)
    client = login(wf.secretary)
    with django_assert_max_num_queries(20):
        assert len(_export(client)) == 13
