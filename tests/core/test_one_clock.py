"""The one clock (docs/architecture.md "Types and the clock"): "now" is read only through
gongzhi.core.clock, which tests freeze and move. Ruff enforces most of it (pyproject.toml:
flake8-datetimez and banned `timezone.now` / `datetime.now` / `date.today`); what ruff cannot
see — `timezone.localdate()` and `timezone.localtime()` called without a value, which read the
system clock too — is looked for here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOCK = ROOT / "gongzhi" / "core" / "clock.py"
HERE = Path(__file__).resolve()
# localdate() / localtime() with nothing (or only a keyword like timezone=) between the brackets.
SYSTEM_CLOCK = re.compile(r"\blocal(?:date|time)\(\s*(?:\)|timezone=)")


def _sources():
    for folder in ("gongzhi", "tests", "bench", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path not in (CLOCK, HERE) and "migrations" not in path.parts:
                yield path


def test_no_local_date_or_time_without_a_value_outside_the_clock():
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SYSTEM_CLOCK.search(line)
    ]
    assert hits == [], "read the time from gongzhi.core.clock:\n" + "\n".join(hits)


def test_the_pattern_finds_what_it_is_for():
    assert SYSTEM_CLOCK.search("today = timezone.localdate()")
    assert SYSTEM_CLOCK.search("now = timezone.localtime( )")
    assert SYSTEM_CLOCK.search("timezone.localtime(timezone=tz)")
    assert not SYSTEM_CLOCK.search("timezone.localdate(clock.now())")
    assert not SYSTEM_CLOCK.search("timezone.localtime(value)")


def test_ruff_keeps_the_clock_rules():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert {"DTZ", "TID251"} <= set(lint["select"])
    banned = lint["flake8-tidy-imports"]["banned-api"]
    for name in (
        "django.utils.timezone.now",
        "datetime.datetime.now",
        "datetime.datetime.today",
        "datetime.datetime.utcnow",
        "datetime.date.today",
    ):
        assert name in banned
    allowed = lint["per-file-ignores"]
    assert [pattern for pattern, rules in allowed.items() if "TID251" in rules] == [
        "gongzhi/core/clock.py"
    ]
