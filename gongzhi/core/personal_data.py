"""The registry of "my personal information" (PIPL art. 45: the right of access and copy).

It lives in the kernel so that every app can contribute its section from its own
`AppConfig.ready()` without importing the privacy app (privacy is above the domain apps,
docs/architecture.md "Layers"). Each app that holds data about a person registers one:

    personal_data.register("tickets", _("Tickets I submitted"), tickets_of, order=50)

`function(person)` receives a `Person` (the login and the registry record behind it, either may
be missing) and returns a list of rows, each a dict {column label: value}. It reads only that
person's data. The download (`privacy.services.export_my_data`) runs every registered section,
lowest `order` first (ties: the first registered first); the positions of today's sections are
listed in docs/privacy.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

from gongzhi.core import crypto

if TYPE_CHECKING:
    from gongzhi.core.models import User

Row = dict[str, Any]

# Where a section registered without a position goes: after every numbered one.
LAST = 1000


@dataclass(frozen=True)
class Person:
    user: User | None
    resident: Any  # people.Resident or None (the kernel does not import the registries)


@dataclass(frozen=True)
class Section:
    code: str
    label: str | Promise  # usually a lazy translation
    rows: Callable[[Person], list[Row]]
    order: int = LAST


_sections: dict[str, Section] = {}


def register(
    code: str,
    label: str | Promise,
    function: Callable[[Person], list[Row]],
    *,
    order: int = LAST,
) -> None:
    """Add (or replace, on a repeated app load) the section `code` at position `order`."""
    _sections[code] = Section(code, label, function, order)


def unregister(code: str) -> None:
    _sections.pop(code, None)


def sections() -> list[Section]:
    """Every registered section, lowest `order` first (stable: ties keep registration order)."""
    return sorted(_sections.values(), key=lambda s: s.order)


def plain(token: str) -> str:
    """The clear value of an encrypted field, for the person themselves ("" when empty)."""
    return crypto.decrypt(token) if token else ""
