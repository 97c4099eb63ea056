"""The roll-up: one xlsx whose cells equal the receivers' answers (numbers as numbers, dates
as dates, rows with what the reader may see of the registry — never a full ID number), and the
rows of many receivers in receiver then row order. Its speed (100 receivers × 500 rows) is
measured by bench/keytasks.py next to its floor, not here."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from gongzhi.keytasks import rollup, selectors, services
from gongzhi.keytasks.models import FormField, Receiver, ReceiverRow, SentDownTask
from gongzhi.people.models import Resident
from gongzhi.places.models import Place

from .conftest import key, plain_answers, receiver_of, send_plain, send_rows

pytestmark = pytest.mark.django_db
ROWS = 200  # × 12 receivers: 2,400 rows, more than one chunk of rollup.rows' stream


def _sheet(content: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_the_rollup_equals_the_answers(kt):
    task = send_plain(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    services.save_answers(
        a1, actor=kt.worker_a1, answers=plain_answers(task, 7, "=HYPERLINK(1)"), submit=True
    )
    a2 = receiver_of(task, kt.world.community_a2)
    services.save_answers(a2, actor=kt.worker_a2, answers={key(task, "燃气报警器安装数"): "2.5"})
    sheet = _sheet(rollup.xlsx(task, user=kt.street))
    head, first, second = sheet
    assert head[0] == "接收单位" or head[0] == "Receiver"
    assert head[4:9] == ["燃气报警器安装数", "检查人", "检查日期", "现场照片", "是否存在隐患"]
    assert first[0] == kt.world.community_a1.name
    assert first[4] == 7 and first[5] == "'=HYPERLINK(1)"  # formula neutralised by the writer
    assert first[6] == dt.datetime(2026, 6, 2) and first[8] == "否"
    assert second[0] == kt.world.community_a2.name and second[4] == 2.5 and second[5] is None
    # The sum over the roll-up equals the sum of the answers.
    stored = [float(r.answers.get(key(task, "燃气报警器安装数"), 0)) for r in task.receivers.all()]
    assert sum(line[4] for line in sheet[1:]) == sum(stored)


def test_rows_show_what_the_reader_may_see_and_never_a_full_id(kt):
    task = send_rows(kt)
    a1 = receiver_of(task, kt.world.community_a1)
    rows = list(a1.rows.order_by("position"))
    health = key(task, "身体状况")
    services.save_answers(
        a1,
        actor=kt.worker_a1,
        answers={key(task, "走访人"): "李"},
        rows={rows[0].pk: {health: "良好"}, rows[1].pk: {health: "较差"}},
        submit=True,
    )
    sheet = _sheet(rollup.xlsx(task, user=kt.street))
    lines = sheet[1:]
    assert len(lines) == 3  # two rows of A1, one of A2
    assert lines[0][5] == 1 and lines[0][6] == "张桂兰 420111********1234" and lines[0][7] == "良好"
    assert lines[1][7] == "较差" and lines[2][0] == kt.world.community_a2.name
    assert "420111194501011234" not in str(sheet)
    # Someone without the registry right sees the surname and stars only.
    row = selectors.rows_of(a1).first()
    assert selectors.row_label(kt.member, row) == "张**"


def test_many_receivers_rows_come_in_receiver_then_row_order_with_their_answers(kt):
    """Receivers and rows written in bulk as the service would, more rows than one chunk of
    the stream (2,000): every line is there, in order, with its receiver's answers."""
    task = send_rows(kt)
    parent = kt.world.street_a
    places = Place.objects.bulk_create(
        [
            Place(
                parent=parent,
                kind="community",
                name=f"测试社区{i:03d}",
                code=f"X{i:03d}",
                path=f"{parent.path}X{i:03d}/",
                depth=2,
            )
            for i in range(12)
        ]
    )
    home = kt.homes_a1[0]
    people = Resident.objects.bulk_create(
        [
            Resident(
                name=f"居民{i}",
                name_initials="jm",
                gender="M",
                household=home,
                place_path=home.place_path,
                id_masked=f"420111********{i:04d}",
            )
            for i in range(ROWS)
        ]
    )
    fields = list(FormField.objects.filter(task=task))
    per_row = [f for f in fields if f.per_row]
    receivers = Receiver.objects.bulk_create(
        [
            Receiver(
                task=task,
                place=p,
                place_path=p.path,
                row_count=ROWS,
                rows_filled=ROWS,
                answers={fields[0].key: f"网格员{n}"},
            )
            for n, p in enumerate(places)
        ]
    )
    ReceiverRow.objects.bulk_create(
        [
            ReceiverRow(
                receiver=r,
                position=i + 1,
                resident=people[i],
                values={per_row[0].key: "良好", per_row[1].key: f"第{i}户已走访"},
                filled=True,
            )
            for r in receivers
            for i in range(ROWS)
        ]
    )
    content = rollup.xlsx(SentDownTask.objects.get(pk=task.pk), user=kt.street)
    sheet = _sheet(content)
    assert len(sheet) == 1 + 12 * ROWS + 3  # header, the bulk rows, A1's 2 and A2's 1
    bulk = [line for line in sheet[1:] if str(line[0]).startswith("测试社区")]
    assert [(line[0], line[5]) for line in bulk] == [
        (f"测试社区{n:03d}", i + 1) for n in range(12) for i in range(ROWS)
    ]
    assert all(line[4] == f"网格员{int(str(line[0])[-3:])}" for line in bulk)
    assert bulk[-1][6] == f"居民{ROWS - 1} 420111********{ROWS - 1:04d}"
    assert sheet[-1][-2:] == ["良好", f"第{ROWS - 1}户已走访"]
