"""A cell that is only "-" or "--" — the usual placeholder for "nothing" in a register — is not
refused as a formula by the import (the column's own check reads it); the export writer still
neutralises it, and a dash that starts a longer text is still a formula lead."""

from __future__ import annotations

import pytest

from gongzhi.core.exports import safe_cell
from gongzhi.core.roles import Role
from gongzhi.core.spreadsheets import looks_like_formula
from gongzhi.people import imports
from gongzhi.people.imports.fileformat import E_FORMULA_LEAD
from tests.conftest import make_user
from tests.people.test_import import csv_bytes, person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "formula"),
    [("-", False), ("--", False), (" - ", False), ("-1", True), ("-A1+1", True), ("---", True),
     ("\t-", True), ("=1", True), ("@x", True), ("", False), ("张三", False)],
)  # fmt: skip
def test_only_a_lone_dash_is_a_placeholder(text, formula):
    assert looks_like_formula(text) is formula
    assert looks_like_formula(text, strict=True) is (formula or text.strip() in ("-", "--"))


def test_the_export_writer_still_neutralises_a_lone_dash():
    assert safe_cell("-") == "'-"
    assert safe_cell("--") == "'--"
    assert safe_cell("张三") == "张三"


def test_an_import_takes_a_dash_placeholder_but_not_a_formula_lead(world, settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"  # the waiting file goes to a private folder
    rows = [person(1, 技能特长="-"), person(3, 技能特长="--"), person(5, 技能特长="-1+2")]
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    batch = imports.start(world.community_a1, "f.csv", csv_bytes(rows), actor=user)
    assert batch.error_rows == 1
    (entry,) = batch.errors
    assert [m for m, _p in entry["messages"]] == [E_FORMULA_LEAD]
    assert entry["messages"][0][1] == {"header": "技能特长"}
