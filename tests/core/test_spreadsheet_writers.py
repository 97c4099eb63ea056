"""Every spreadsheet the platform writes goes through the formula-safe writer
(gongzhi.core.exports: write_xlsx / write_csv), so a resident's text that starts with "=",
"+", "-", "@", a tab or a carriage return never becomes a live formula in a staff spreadsheet."""

from __future__ import annotations

import re
from pathlib import Path

import gongzhi

ROOT = Path(gongzhi.__file__).resolve().parent
WRITER = ROOT / "core" / "exports.py"
# Builders allowed to make a workbook themselves, each with the reason.
ALLOWED = {
    # The empty import template: only the column headers and notes written in code, no data;
    # it needs text-formatted columns, which the streaming writer cannot set.
    ROOT / "people" / "views_import.py": 1,
}
BUILDS_A_SHEET = re.compile(
    r"\bWorkbook\s*\(|\bcsv\.(writer|DictWriter)\s*\(|xlsxwriter|\bpandas\b"
)


def test_no_workbook_is_built_outside_the_safe_writer():
    found: dict[Path, int] = {}
    for path in ROOT.rglob("*.py"):
        if path == WRITER or "migrations" in path.parts:
            continue
        hits = len(BUILDS_A_SHEET.findall(path.read_text(encoding="utf-8")))
        if hits:
            found[path] = hits
    assert found == ALLOWED, (
        "Build spreadsheets with gongzhi.core.exports.write_xlsx / write_csv: "
        + ", ".join(str(p.relative_to(ROOT)) for p in found if p not in ALLOWED)
    )


def test_the_writer_neutralises_every_formula_lead():
    import csv
    import io

    from openpyxl import load_workbook

    from gongzhi.core.exports import write_csv, write_xlsx

    leads = ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", " =1", "\x01=1"]
    sheet = load_workbook(io.BytesIO(write_xlsx([[v] for v in leads], ["h"]))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(c, str) and c.startswith("'") for c in cells), cells
    text = write_csv([[v] for v in leads], ["h"]).decode("utf-8-sig")
    values = [row[0] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert len(values) == len(leads) and all(v.startswith("'") for v in values), values
