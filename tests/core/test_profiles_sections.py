"""Structured profile sections: an app registers a top-level block and its validator; the
kernel refuses an unregistered block, a bad one (naming the section) and never raises."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.core import profiles

HEAD = "source: 001_5ec5a89cad8c6552.txt\ntitle: t\ngrid:\n  households: 150  # 001 §3\n"


def _check(data):
    if not isinstance(data, dict) or "size" not in data:
        return ["needs a size"]
    return []


@pytest.fixture
def section():
    profiles.register_section("demo_block", _check)
    yield "demo_block"
    profiles.unregister_section("demo_block")


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_an_unregistered_block_is_an_unknown_key(profile_dir):
    write(profile_dir, "p.yaml", HEAD + "demo_block:\n  size: 3\n")
    profile = profiles.get("p")
    assert not profile.ok
    assert [i.code for i in profile.errors] == ["unknown_key"]


def test_a_registered_block_is_kept_beside_the_numbers(profile_dir, section):
    write(profile_dir, "p.yaml", HEAD + "demo_block:\n  size: 3\n  rows: [1, 2]\n")
    profile = profiles.get("p")
    assert profile.ok, [i.message for i in profile.errors]
    assert profile.section("demo_block") == {"size": 3, "rows": [1, 2]}
    assert profile.values == {"grid.households": 150}
    assert profile.section("other") is None


def test_a_bad_block_refuses_the_profile_naming_the_section(profile_dir, section):
    write(profile_dir, "p.yaml", HEAD + "demo_block:\n  rows: [1]\n")
    profile = profiles.get("p")
    assert not profile.ok and profile.section("demo_block") is None
    with translation.override("en"):
        assert [i.message for i in profile.errors] == ["p.yaml: section “demo_block”: needs a size"]
    with translation.override("zh-hans"):
        assert profile.errors[0].message == "p.yaml：“demo_block”部分：needs a size"
    assert profiles.get("p").get("grid.households") is None  # a broken profile's numbers unused


def test_a_validator_that_raises_refuses_the_profile_without_raising(profile_dir):
    def broken(data):
        raise RuntimeError("boom")

    profiles.register_section("demo_block", broken)
    try:
        write(profile_dir, "p.yaml", HEAD + "demo_block: 1\n")
        profile = profiles.get("p")
        assert not profile.ok and "boom" in profile.errors[0].message
    finally:
        profiles.unregister_section("demo_block")


def test_registering_a_section_rechecks_files_already_read(profile_dir):
    write(profile_dir, "p.yaml", HEAD + "demo_block:\n  size: 3\n")
    assert not profiles.get("p").ok  # cached as refused
    profiles.register_section("demo_block", _check)
    try:
        assert profiles.get("p").ok
    finally:
        profiles.unregister_section("demo_block")
    assert not profiles.get("p").ok


def test_a_section_may_not_shadow_profile_keys():
    with pytest.raises(ValueError):
        profiles.register_section("grid", _check)
    with pytest.raises(ValueError):
        profiles.register_section("valid_from", _check)


def test_the_evaluation_app_registers_the_index_system_block():
    assert "governance_index" in profiles.registered_sections()
