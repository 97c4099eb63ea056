"""Linking rows that named a social organisation by typed text to the register (issue 16 item
1): the data migrations of volunteering (activities), partners (partner units of kind social
organisation) and microprojects (spending payees) call `link_by_name` with their historical
models. A row is linked when its typed name, trimmed, is exactly the name of one organisation
— and only one — serving the row's community or its street (for a street-level row, the
street or one of its communities); otherwise it keeps its text only. The text is never
changed, so what was typed stays readable. docs/social-organisations.md, "Picking an
organisation"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _serves(org_path: str, path: str) -> bool:
    return org_path in _ancestors(path)[1:3] or org_path.startswith(path)


def link_by_name(organisations: Any, rows: Iterable[tuple[int, str, str]]) -> dict[int, int]:
    """`rows`: (row id, typed name, the row's place path). Returns {row id: organisation id}
    for the rows whose name matches exactly one organisation in scope. `organisations` is the
    Organisation model (a migration's historical one)."""
    wanted = [(pk, (name or "").strip(), path or "") for pk, name, path in rows]
    names = {name for _, name, _ in wanted if name}
    if not names:
        return {}
    by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, path in organisations.objects.filter(name__in=names).values_list(
        "pk", "name", "place_path"
    ):
        by_name[name].append((pk, path))
    linked: dict[int, int] = {}
    for pk, name, path in wanted:
        if not name or not path:
            continue
        found = [org for org, org_path in by_name.get(name, ()) if _serves(org_path, path)]
        if len(found) == 1:
            linked[pk] = found[0]
    return linked
