"""Finding and loading profiles by name in `settings.POLICY_PROFILE_DIRS` (first folder that has
the name wins), with a per-process cache re-read when a file changes on disk."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from django.conf import settings

from gongzhi.core.profiles.issues import Issue, _issue
from gongzhi.core.profiles.parse import EXTENSIONS, parse_file
from gongzhi.core.profiles.profile import Profile
from gongzhi.core.profiles.sections import generation

_cache: dict[Path, tuple[tuple[int, int, int, int], Profile]] = {}
_lock = threading.Lock()


def load_file(path: Path) -> Profile:
    """`parse_file` with a per-process cache, invalidated when the file changes on disk."""
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino, generation())
    except OSError:
        return parse_file(path)
    with _lock:
        hit = _cache.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    profile = parse_file(path)
    with _lock:
        _cache[path] = (stamp, profile)
    return profile


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def profile_dirs() -> list[Path]:
    return [Path(d) for d in settings.POLICY_PROFILE_DIRS]


def _scan(directory: Path) -> dict[str, list[Path]]:
    here: dict[str, list[Path]] = {}
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return here
    for entry in entries:
        path = Path(entry.path)
        if path.suffix in EXTENSIONS and not entry.name.startswith(".") and entry.is_file():
            here.setdefault(path.stem, []).append(path)
    for paths in here.values():
        paths.sort(key=lambda p: EXTENSIONS.index(p.suffix))
    return here


def all_files() -> list[Path]:
    """Every profile file in every profile folder, shadowed ones included."""
    return [p for d in profile_dirs() for paths in _scan(d).values() for p in paths]


def _index() -> dict[str, list[Path]]:
    """Name → the files defining it in the first folder that has the name."""
    found: dict[str, list[Path]] = {}
    for directory in profile_dirs():
        for name, paths in _scan(directory).items():
            found.setdefault(name, paths)
    return found


def _load_named(name: str, paths: list[Path]) -> Profile:
    profile = load_file(paths[0])
    if len(paths) > 1:
        others = ", ".join(p.name for p in paths[1:])
        clash = _issue(paths[0].name, "ambiguous", name=name, other=others)
        return Profile(name=name, path=paths[0], errors=(*profile.errors, clash))
    return profile


def get(name: str) -> Profile:
    """The profile called `name`; a missing one comes back with a "not found" error."""
    paths = _index().get(name) if name else None
    if not paths:
        return Profile(name=name, errors=(_issue(name, "not_found", name=name),))
    return _load_named(name, paths)


def all_profiles() -> list[Profile]:
    return [_load_named(name, paths) for name, paths in sorted(_index().items())]


def available() -> list[str]:
    """Names of the profiles a place may be given: the valid ones."""
    return [p.name for p in all_profiles() if p.ok]


def check_all() -> list[Issue]:
    """Every problem in every profile file (the `check_profiles` command)."""
    issues: list[Issue] = []
    for directory in profile_dirs():
        for name, paths in sorted(_scan(directory).items()):
            issues.extend(_load_named(name, paths).errors)
    return issues
