"""Structured sections of a profile: a top-level block that is not a set of numbers (e.g. the
governance index system, ``governance_index:``), validated by the app that owns it.

The kernel knows no such app: an app calls ``register_section(name, validate)`` in its
``AppConfig.ready()``; ``validate(data)`` gets the block as read from YAML/TOML and returns the
problems (text, lazy text welcome), empty when the block is good. A profile carrying a block
nobody registered is refused ("unknown key"); a bad block refuses the profile like a bad
number, each problem naming the section. A good block is kept as read in ``Profile.sections``
(``profile.section(name)``), dated and cited by the profile like its numbers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from gongzhi.core.profiles.keys import _META, SCHEMA

Validate = Callable[[Any], list[Any]]

_sections: dict[str, Validate] = {}
_lock = threading.Lock()
_generation = [0]  # bumped at each (un)registration: parsed files are checked again


def register_section(name: str, validate: Validate) -> None:
    """Allow the top-level block `name` in profiles, checked by `validate`. Registering the
    same name again replaces the validator (a reloaded app). Files parsed before are parsed
    again (the loading cache keys on `generation()`)."""
    if name in _META or any(key.split(".", 1)[0] == name for key in SCHEMA):
        raise ValueError(f"profile section {name!r} clashes with a profile key")
    with _lock:
        _sections[name] = validate
        _generation[0] += 1


def unregister_section(name: str) -> None:
    """For tests."""
    with _lock:
        _sections.pop(name, None)
        _generation[0] += 1


def registered_sections() -> dict[str, Validate]:
    with _lock:
        return dict(_sections)


def generation() -> int:
    """Changes whenever the registered sections change (part of the loading cache's key)."""
    return _generation[0]
