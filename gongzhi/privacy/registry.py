"""The registry of "my personal information" (PIPL art. 45: the right of access and copy).

Each app that holds data about a person contributes a section:

    registry.register("tickets", _("Tickets I submitted"), tickets_of)

`function(person)` receives a `Person` (the login and the registry record behind it, either may
be missing) and returns a list of rows, each a dict {column label: value}. It reads only that
person's data. The download (`services.export_my_data`) runs every registered section in order.

Only apps above the registries layer may import this module (core, places and people may not);
the sections of the domain apps are in privacy/sections.py for now (docs/privacy.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Person:
    user: Any  # core.User or None
    resident: Any  # people.Resident or None


@dataclass(frozen=True)
class Section:
    code: str
    label: Any  # a lazy translation
    rows: Callable[[Person], list[Row]]


_sections: dict[str, Section] = {}


def register(code: str, label, function: Callable[[Person], list[Row]]) -> None:
    """Add (or replace, on a repeated app load) the section `code`."""
    _sections[code] = Section(code, label, function)


def unregister(code: str) -> None:
    _sections.pop(code, None)


def sections() -> list[Section]:
    return list(_sections.values())
