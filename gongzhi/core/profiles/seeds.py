"""The numbers of the seed documents and the profile key that carries each (issue 12 point 9)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gongzhi.core.profiles.issues import _show
from gongzhi.core.profiles.keys import DATE_FIELDS, DUE_FIELD, FROM_FIELD, SCHEMA
from gongzhi.core.profiles.profile import Profile

# Every number of the seed documents with the key that carries it (issue 12 point 9). A sub-folder
# of profiles/, so the profile loader does not take it for a profile.
SEED_NUMBERS_FILE = (
    Path(__file__).resolve().parents[3] / "profiles" / "seed-numbers" / "seed-numbers.yaml"
)
_KEY_DATE_PREFIXES = (f"{DUE_FIELD}.", f"{FROM_FIELD}.")


@dataclass(frozen=True)
class SeedNumber:
    """One number of a policy document: where it stands, and the key that carries it."""

    source: str
    paragraph: str
    quote: str
    value: Any
    key: str | None
    reason: str = ""


def seed_numbers(path: Path | None = None) -> dict[str, list[SeedNumber]]:
    """Source file name → the numbers listed for that document (empty when the file is missing)."""
    path = path or SEED_NUMBERS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}
    return {
        str(source): [
            SeedNumber(
                source=str(source),
                paragraph=str(entry.get("paragraph", "")),
                quote=str(entry.get("quote", "")),
                value=entry.get("value"),
                key=entry.get("key") or None,
                reason=str(entry.get("reason") or "").strip(),
            )
            for entry in entries or ()
        ]
        for source, entries in data.items()
    }


def carried_value(profile: Profile, key: str) -> Any:
    """What `profile` holds under a seed-number key: a SCHEMA key's value, its validity dates
    (valid_from / valid_until), or a dated target (due.<key> / applies_from.<key>); None when
    it holds nothing there."""
    if key in DATE_FIELDS:
        return getattr(profile, key)
    for prefix in _KEY_DATE_PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in SCHEMA:
            dates = profile.due_dates if prefix == f"{DUE_FIELD}." else profile.from_dates
            return dates.get(key[len(prefix) :])
    if key in SCHEMA:
        return profile.values.get(key)
    return None


def number_problem(profile: Profile, number: SeedNumber) -> str:
    """Why `number` is not carried by `profile` ("" when it is, or when it is narration)."""
    if number.key is None:
        return "" if number.reason else "no key and no reason"
    held = carried_value(profile, number.key)
    if held is None:
        return f"{number.key} is not set in this profile"
    if held != number.value:
        return f"{number.key} is {_show(held)} here, the document says {_show(number.value)}"
    return ""


def numbers_without_key(
    profile: Profile, listed: dict[str, list[SeedNumber]] | None = None
) -> list[tuple[SeedNumber, str]]:
    """The numbers of `profile`'s source document that it does not carry: (number, problem)."""
    listed = seed_numbers() if listed is None else listed
    return [
        (number, problem)
        for number in listed.get(profile.source, ())
        if (problem := number_problem(profile, number))
    ]
