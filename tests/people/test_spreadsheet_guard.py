"""Uploaded spreadsheets are looked at before any parser opens them (issue 13): an .xlsx zip
bomb, odd zip members, too many members, rows, columns or CSV lines are refused with a Chinese
message and nothing written; a real 20,000-row register passes with room to spare.

The bombs are written with zipfile directly (a 300 KB file whose shared strings unpack to
114 MB), once per module, so the tests stay small and fast.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from gongzhi.core import spreadsheets
from gongzhi.core.roles import Role
from gongzhi.people import imports
from gongzhi.people.idcard import make_id
from gongzhi.people.models import ImportBatch, Resident
from tests.conftest import make_user
from tests.people.test_import import HEADERS, csv_bytes, nothing_written, person

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + b' xmlns:r="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" '
    b'sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b"</Relationships>"
)


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        name = chr(65 + rem) + name
    return name


def sheet_xml(rows: list[list[str]], first: int = 1) -> bytes:
    """Cells as inline strings (rows numbered from `first`)."""
    out = [b'<?xml version="1.0" encoding="UTF-8"?><worksheet ', NS, b"><sheetData>"]
    for n, row in enumerate(rows, start=first):
        out.append(f'<row r="{n}">'.encode())
        for i, value in enumerate(row):
            if value != "":
                out.append(
                    f'<c r="{_col(i)}{n}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()
                )
        out.append(b"</row>")
    out.append(b"</sheetData></worksheet>")
    return b"".join(out)


def workbook(sheet: bytes, extra: dict[str, bytes] | None = None, shared: bytes | None = None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/sharedStrings.xml", shared or b"<sst " + NS + b"/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def row_of(d: dict) -> list[str]:
    return [str(d.get(h, "")) for h in HEADERS]


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid workbook (header and one resident) whose unused shared strings unpack to more
    than 100 MB: about 300 KB on disk."""
    out = io.BytesIO()
    sheet = sheet_xml([HEADERS, row_of(person(1))])
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        block = (b"<si><t>" + b"A" * 1000 + b"</t></si>") * 1024
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as fh:
            fh.write(b"<sst " + NS + b">")
            for _ in range(110):
                fh.write(block)
            fh.write(b"</sst>")
    data = out.getvalue()
    assert len(data) < 400_000
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) > 100 * 2**20
    return data


@pytest.fixture(autouse=True)
def _private_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"


def secretary(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1)


RATIO_ZH = "该工作簿中有部分内容解压后超过压缩大小的 100 倍，正常的电子表格不会这样，已拒绝导入。"


def test_the_sample_workbook_is_a_real_one(world):
    """The hand-written workbook reads and imports like any other: the refusals below are the
    guard's, not a broken file's."""
    with translation.override("en"):
        batch = imports.start(
            world.community_a1,
            "ok.xlsx",
            workbook(sheet_xml([HEADERS, row_of(person(1))])),
            actor=secretary(world),
        )
    assert batch.status == ImportBatch.Status.VALIDATED and batch.valid_rows == 1


def test_a_shared_strings_bomb_is_refused_with_flat_memory(world, bomb):
    """Refused before its strings are expanded: memory stays flat (no wall-clock limit — the
    project measures speed with benchmarks, and a loaded CI machine would make one flaky)."""
    user = secretary(world)
    tracemalloc.start()
    try:
        with translation.override("zh-hans"), pytest.raises(imports.ImportFileError) as refusal:
            imports.start(world.community_a1, "bomb.xlsx", bomb, actor=user)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30 * 2**20
    with translation.override("zh-hans"):
        assert refusal.value.message.startswith(RATIO_ZH)
    assert nothing_written()


def test_the_bomb_is_refused_on_the_upload_page_in_chinese(world, bomb, client):
    client.force_login(secretary(world))
    response = client.post(
        "/people/import/",
        {"community": world.community_a1.pk, "file": SimpleUploadedFile("b.xlsx", bomb)},
    )
    assert response.status_code == 400
    assert RATIO_ZH in response.content.decode()
    assert ImportBatch.objects.count() == 0 and Resident.objects.count() == 0


def test_the_bomb_is_refused_by_the_command(world, bomb, tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    with translation.override("zh-hans"), pytest.raises(CommandError) as refusal:
        call_command("import_residents", str(path), community=world.community_a1.path)
    assert RATIO_ZH in str(refusal.value)
    assert Resident.objects.count() == 0


def test_a_stored_bomb_fails_the_background_check(world, bomb):
    """A file stored before the guard existed is refused by the worker too, not parsed."""
    batch = ImportBatch.objects.create(
        community=world.community_a1,
        place_path=world.community_a1.path,
        file_name="bomb.xlsx",
        file_format="xlsx",
        status=ImportBatch.Status.VALIDATING,
        background=True,
    )
    imports.store_file(batch, bomb)
    imports.run_check(batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.file_error[0] == spreadsheets.E_RATIO
    assert not imports.file_path(batch).exists()


def test_without_the_ratio_bound_the_unpacked_sizes_refuse_it(bomb, settings):
    settings.SPREADSHEET_MAX_RATIO = 100_000
    with translation.override("zh-hans"), pytest.raises(spreadsheets.SpreadsheetRefused) as one:
        spreadsheets.check_xlsx(bomb)
    assert one.value.msgid == spreadsheets.E_UNPACKED
    with translation.override("zh-hans"):
        assert one.value.message == (
            "该工作簿解压后为 109.1 MB，上限为 16 MB。请拆分成较小的文件。"
        )
    settings.SPREADSHEET_MAX_SHARED_STRINGS = 2**30
    with pytest.raises(spreadsheets.SpreadsheetRefused) as total:
        spreadsheets.check_xlsx(bomb)
    assert total.value.params == {"size": "109.1", "limit": "64"}


def excel_like_register(n: int) -> bytes:
    """A register of n residents as Excel saves it: text in shared strings, cells refer to it."""
    strings: dict[str, int] = {}

    def ref(text: str) -> int:
        return strings.setdefault(text, len(strings))

    rows = [b'<?xml version="1.0" encoding="UTF-8"?><worksheet ', NS, b"><sheetData>"]
    for r in range(n + 1):
        values = (
            HEADERS
            if r == 0
            else row_of(
                person(
                    r % 999 + 1,
                    姓名=f"居民{r}号",
                    证件号码=make_id("420111", dt.date(1940 + r // 999, 1, 2), r % 999 + 1),
                    手机号=f"139{r:08d}",
                    技能特长="水电维修、电工",
                )
            )
        )
        cells = "".join(
            f'<c r="{_col(i)}{r + 1}" s="1" t="s"><v>{ref(v)}</v></c>'
            for i, v in enumerate(values)
            if v
        )
        rows.append(f'<row r="{r + 1}" spans="1:14">{cells}</row>'.encode())
    rows.append(b"</sheetData></worksheet>")
    shared = b"".join(
        [f'<sst {NS.decode()} count="{n * 14}" uniqueCount="{len(strings)}">'.encode()]
        + [f"<si><t>{s}</t></si>".encode() for s in strings]
        + [b"</sst>"]
    )
    return workbook(b"".join(rows), shared=shared)


def test_a_real_20000_row_register_passes_with_room_to_spare():
    data = excel_like_register(20_000)
    spreadsheets.check_xlsx(data)  # passes
    members = {i.filename: i for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    total = sum(i.file_size for i in members.values())
    assert total * 3 < spreadsheets.limit("SPREADSHEET_MAX_UNPACKED")
    assert members["xl/sharedStrings.xml"].file_size * 4 < spreadsheets.limit(
        "SPREADSHEET_MAX_SHARED_STRINGS"
    )
    ratio = max(i.file_size / i.compress_size for i in members.values() if i.file_size > 2**20)
    assert ratio * 3 < spreadsheets.limit("SPREADSHEET_MAX_RATIO")


@pytest.mark.parametrize(
    "name",
    [
        "../evil.xml",
        "/etc/evil.xml",
        "xl\\evil.xml",
        "xl/embeddings/inner.zip",
        "xl/embeddings/Microsoft_Excel_Worksheet.xlsx",
        "xl/media/data.gz",
    ],
)
def test_odd_or_nested_members_are_refused(name):
    data = workbook(sheet_xml([HEADERS]), extra={name: b"PK\x03\x04 not really"})
    with pytest.raises(spreadsheets.SpreadsheetRefused) as refusal:
        spreadsheets.check_xlsx(data)
    assert refusal.value.msgid == spreadsheets.E_ODD


def test_unusual_compression_and_duplicate_names_are_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES, compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(spreadsheets.SpreadsheetRefused) as refusal:
        spreadsheets.check_xlsx(out.getvalue())
    assert refusal.value.msgid == spreadsheets.E_ODD
    twice = workbook(sheet_xml([HEADERS]), extra={"XL/workbook.xml": WORKBOOK})
    with pytest.raises(spreadsheets.SpreadsheetRefused) as refusal:
        spreadsheets.check_xlsx(twice)
    assert refusal.value.msgid == spreadsheets.E_ODD


def test_too_many_members_are_refused_before_the_directory_is_read(monkeypatch):
    extra = {f"xl/media/image{i}.png": b"x" for i in range(260)}
    data = workbook(sheet_xml([HEADERS]), extra=extra)
    monkeypatch.setattr(zipfile, "ZipFile", None)  # never opened
    with pytest.raises(spreadsheets.SpreadsheetRefused) as refusal:
        spreadsheets.check_xlsx(data)
    assert refusal.value.params == {"limit": 250}


def start_error(world, data: bytes, name: str) -> str:
    with translation.override("en"), pytest.raises(imports.ImportFileError) as refusal:
        imports.start(world.community_a1, name, data, actor=secretary(world))
    with translation.override("en"):
        return refusal.value.message


def test_a_sheet_wider_than_the_cap_is_refused(world):
    wide = HEADERS + [""] * 50 + ["备注"]  # a filled 65th column
    message = start_error(world, workbook(sheet_xml([wide, row_of(person(1))])), "w.xlsx")
    assert message.startswith("The sheet has more than 64 columns")
    wide_csv = csv_bytes([person(1)], headers=HEADERS + [""] * 60 + ["备注"])
    assert start_error(world, wide_csv, "w.csv").startswith("The sheet has more than 64 columns")
    assert nothing_written()
    # Empty columns beyond the cap are only cut off.
    padded = workbook(sheet_xml([HEADERS + [""] * 80, row_of(person(1)) + [""] * 80]))
    with translation.override("en"):
        batch = imports.start(world.community_a1, "p.xlsx", padded, actor=secretary(world))
    assert batch.valid_rows == 1


def test_rows_are_capped_while_streaming(world, monkeypatch):
    monkeypatch.setattr(imports.parse, "MAX_ROWS", 5)
    monkeypatch.setattr(imports.checks, "MAX_ROWS", 5)
    monkeypatch.setattr(imports.parse, "LINE_SLACK", 2)
    many = [row_of(person(n)) for n in range(1, 10)]
    message = start_error(world, workbook(sheet_xml([HEADERS, *many])), "m.xlsx")
    assert message == "The file has more than 5 rows; split it into smaller files."
    # A single row numbered 1,048,576 does not make the reader walk a million empty rows.
    far = sheet_xml([HEADERS]).replace(
        b"</sheetData>",
        b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
    )
    assert start_error(world, workbook(far), "far.xlsx").startswith("The file has more than 5 rows")
    assert nothing_written()


def test_csv_lines_are_counted_before_the_file_is_decoded(world, monkeypatch):
    monkeypatch.setattr(imports.parse, "MAX_ROWS", 5)
    monkeypatch.setattr(imports.checks, "MAX_ROWS", 5)
    monkeypatch.setattr(imports.parse, "LINE_SLACK", 2)
    decoded = []
    monkeypatch.setattr(imports.parse, "decode_csv", lambda data: decoded.append(data))
    data = csv_bytes([person(n) for n in range(1, 10)])
    assert start_error(world, data, "m.csv").startswith("The file has more than 5 rows")
    assert decoded == []
    assert nothing_written()


# --- formula leads (OWASP CSV injection) -------------------------------------------------------

LEADS = ["@SUM(A1)", "+1+1", "-1+1", "\t=1+1", "\r=1+1", " =1+1", "- 电工"]


def csv_quoted(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for r in rows:
        writer.writerow(row_of(r))
    return out.getvalue().encode("utf-8")


def xlsx_cells(rows: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(row_of(r))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_leads_are_refused_per_row(world, fmt):
    rows = [person(1)] + [person(3 + 2 * i, 姓名=lead) for i, lead in enumerate(LEADS)]
    rows.append(person(21, 技能特长="@cmd|' /C calc'!A0"))
    data = csv_quoted(rows) if fmt == "csv" else xlsx_cells(rows)
    user = secretary(world)
    with translation.override("en"):
        batch = imports.start(world.community_a1, f"leads.{fmt}", data, actor=user)
    assert batch.error_rows == len(LEADS) + 1 and batch.valid_rows == 1
    with translation.override("en"):
        shown = imports.rendered_errors(batch.errors)
    expected = (
        "starts with =, +, -, @, a tab or a line break, which a spreadsheet reads as a formula"
    )
    assert [e["messages"] for e in shown[:-1]] == [
        [f"“姓名” {expected}; enter the value without it."]
    ] * len(LEADS)
    assert shown[-1]["messages"] == [f"“技能特长” {expected}; enter the value without it."]
    with translation.override("zh-hans"):
        assert imports.rendered_errors(batch.errors)[0]["messages"] == [
            "“姓名”以 =、+、-、@、制表符或换行符开头，电子表格会把它当作公式；请去掉开头的这个符号后重新填写。"
        ]
    with pytest.raises(imports.ImportRefused):
        imports.commit(batch, "all_or_nothing", actor=user)
    assert Resident.objects.count() == 0


def test_a_phone_with_plus_86_is_normalised_not_refused(world):
    rows = [
        person(1, 手机号="+86 139 0000 0001"),
        person(3, 手机号="+8613900000003"),
        person(5, 手机号="-13900000005"),
        person(7, 手机号="+1-555-0100"),
    ]
    user = secretary(world)
    with translation.override("en"):
        batch = imports.start(world.community_a1, "p.csv", csv_quoted(rows), actor=user)
        shown = imports.rendered_errors(batch.errors)
    assert [e["row"] for e in shown] == [4, 5]
    assert all(
        m[0].startswith("“手机号” starts with =, +, -, @") for m in (e["messages"] for e in shown)
    )
    imports.commit(batch, "valid_only", actor=user)
    phones = sorted(r.phone_masked for r in Resident.objects.all())
    assert phones == ["139****0001", "139****0003"]


def test_looks_like_formula():
    yes = [
        "=1",
        "+1",
        "-1",
        "@x",
        "\t",
        "\tx",
        "\rx",
        " =1",
        "\n+1",
        "\u3000@x",
        "\x01=1",
        "\x7f-1",
    ]
    no = ["", "张三", "1栋 502", " 张三", "a=1", "1-2", "电工-水电", "\u3000张三"]
    assert [v for v in yes if not spreadsheets.looks_like_formula(v)] == []
    assert [v for v in no if spreadsheets.looks_like_formula(v)] == []


def test_the_kernel_module_is_the_only_spreadsheet_reader():
    """Every reader of an uploaded spreadsheet goes through gongzhi/core/spreadsheets.py:
    openpyxl's load_workbook and csv readers appear nowhere else in the code."""
    root = Path(spreadsheets.__file__).resolve().parents[1]
    readers = {}
    for path in root.rglob("*.py"):
        text = path.read_text("utf-8")
        for needle in ("load_workbook", "csv.reader", "csv.DictReader"):
            if needle in text:
                readers.setdefault(str(path.relative_to(root)), []).append(needle)
    assert readers == {
        "core/spreadsheets.py": ["load_workbook"],
        "people/imports/parse.py": ["csv.reader"],  # after spreadsheets.check_csv and csv_row
    }
