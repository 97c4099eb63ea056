"""Reading one profile file: YAML or TOML, validated against the schema, with the citation
(the comment next to or above each value) of every key it sets. Never raises."""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from gongzhi.core.profiles.issues import Issue, _issue, _show
from gongzhi.core.profiles.keys import (
    _META,
    DATE_FIELDS,
    DUE_FIELD,
    FROM_FIELD,
    META_FIELDS,
    SCHEMA,
    Key,
)
from gongzhi.core.profiles.profile import Profile
from gongzhi.core.profiles.sections import registered_sections

EXTENSIONS = (".yaml", ".yml", ".toml")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FILE_BYTES = 256 * 1024


def _yaml_citations(node: yaml.Node | None, lines: list[str], prefix: str = "") -> dict[str, str]:
    """Comments next to each leaf: on its line after the value, else the comment lines above."""
    found: dict[str, str] = {}
    if not isinstance(node, yaml.MappingNode):
        return found
    for key_node, value_node in node.value:
        name = f"{prefix}{key_node.value}"
        if isinstance(value_node, yaml.MappingNode):
            found.update(_yaml_citations(value_node, lines, f"{name}."))
            continue
        end = value_node.end_mark
        tail = lines[end.line][end.column :] if end.line < len(lines) else ""
        comment = tail.split("#", 1)[1].strip() if "#" in tail else ""
        if not comment:
            comment = _comment_above(lines, key_node.start_mark.line)
        if comment:
            found[name] = comment
    return found


def _comment_above(lines: list[str], line: int) -> str:
    above: list[str] = []
    i = line - 1
    while i >= 0 and lines[i].strip().startswith("#"):
        above.insert(0, lines[i].strip().lstrip("#").strip())
        i -= 1
    return " ".join(part for part in above if part)


_TOML_LINE = re.compile(r"^\s*([A-Za-z0-9_.\-\"]+)\s*=\s*([^#]*?)\s*(?:#\s*(.*))?$")
_TOML_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]")


def _toml_citations(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    table = ""
    for number, line in enumerate(lines):
        header = _TOML_TABLE.match(line)
        if header:
            table = header.group(1) + "."
            continue
        match = _TOML_LINE.match(line)
        if not match:
            continue
        name = table + match.group(1).strip('"')
        comment = (match.group(3) or "").strip() or _comment_above(lines, number)
        if comment:
            found[name] = comment
    return found


def _bad_scalar_line(node: yaml.Node | None) -> int:
    """The line of the first scalar YAML cannot turn into a value (an impossible date)."""
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node)
        except ValueError:
            return node.start_mark.line + 1
        return 0
    children = node.value if isinstance(node, yaml.SequenceNode) else []
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    for child in children:
        if line := _bad_scalar_line(child):
            return line
    return 0


def _yaml_duplicates(node: yaml.Node | None, file: str, prefix: str = "") -> list[Issue]:
    issues: list[Issue] = []
    if not isinstance(node, yaml.MappingNode):
        return issues
    seen: set[str] = set()
    for key_node, value_node in node.value:
        name = f"{prefix}{key_node.value}"
        if name in seen:
            issues.append(_issue(file, "duplicate_key", name, key_node.start_mark.line + 1))
        seen.add(name)
        issues.extend(_yaml_duplicates(value_node, file, f"{name}."))
    return issues


def _check_value(file: str, key: Key, value: Any) -> Issue | None:
    number_ok = isinstance(value, int | float) and not isinstance(value, bool)
    if key.kind == "integer":
        number_ok = number_ok and isinstance(value, int)
    if not number_ok or (isinstance(value, float) and not math.isfinite(value)):
        return _issue(file, "wrong_type", key.name, expected=key.kind, value=_show(value))
    if not key.minimum <= value <= key.maximum:
        return _issue(
            file,
            "out_of_range",
            key.name,
            value=_show(value),
            minimum=_show(key.minimum),
            maximum=_show(key.maximum),
        )
    return None


def _flatten(data: dict, prefix: str, file: str, out: dict, issues: list[Issue]) -> None:
    for raw_key, value in data.items():
        name = f"{prefix}{raw_key}"
        if not prefix and name in _META:
            continue  # checked separately
        if name in SCHEMA:
            if name in out:
                issues.append(_issue(file, "duplicate_key", name))
                continue
            problem = _check_value(file, SCHEMA[name], value)
            if problem:
                issues.append(problem)
            else:
                out[name] = value
        elif any(k.startswith(f"{name}.") for k in SCHEMA):
            if isinstance(value, dict):
                _flatten(value, f"{name}.", file, out, issues)
            else:
                issues.append(_issue(file, "not_section", name))
        else:
            issues.append(_issue(file, "unknown_key", name))


def _validate(
    name: str, path: Path, data: Any, citations: dict[str, str], issues: list[Issue]
) -> Profile:
    file = path.name
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Profile(name=name, path=path, errors=(*issues, _issue(file, "not_mapping")))
    data = {str(k): v for k, v in data.items()}
    meta: dict[str, str] = {}
    for key, required in META_FIELDS:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                issues.append(_issue(file, "missing", key))
            continue
        if not isinstance(value, str):
            issues.append(_issue(file, "wrong_type", key, expected="text", value=_show(value)))
            continue
        meta[key] = value.strip()
    if "/" in meta.get("source", "") or "\\" in meta.get("source", ""):
        issues.append(_issue(file, "source_path", "source"))
    successor = meta.get("successor", "")
    if successor and (not NAME_RE.match(successor) or successor == name):
        issues.append(_issue(file, "bad_successor", "successor", value=_show(successor)))
    dates = {key: _date(file, key, data.get(key), issues) for key in DATE_FIELDS}
    start, end = dates["valid_from"], dates["valid_until"]
    if start and end and start > end:
        issues.append(_issue(file, "date_order", start=start, end=end))
    sections = _sections(file, data, issues)
    values: dict[str, float] = {}
    _flatten({k: v for k, v in data.items() if k not in sections}, "", file, values, issues)
    due_dates = _key_dates(file, DUE_FIELD, data.get(DUE_FIELD), values, issues)
    from_dates = _key_dates(file, FROM_FIELD, data.get(FROM_FIELD), values, issues)
    if not NAME_RE.match(name):
        issues.append(_issue(file, "bad_name", name=name))
    return Profile(
        name=name,
        path=path,
        source=meta.get("source", ""),
        title=meta.get("title", ""),
        notes=meta.get("notes", ""),
        values=values,
        citations={k: v for k, v in citations.items() if k in values},
        errors=tuple(issues),
        valid_from=start,
        valid_until=end,
        successor=successor,
        due_dates=due_dates,
        from_dates=from_dates,
        sections={k: v for k, v in sections.items() if v is not None},
    )


def _sections(file: str, data: dict[str, Any], issues: list[Issue]) -> dict[str, Any]:
    """The registered structured sections the file carries (gongzhi.core.profiles.sections),
    each checked by its validator; a bad one is kept as None (and refuses the profile)."""
    found: dict[str, Any] = {}
    for name, validate in registered_sections().items():
        if name not in data:
            continue
        try:
            problems = validate(data[name])
        except Exception as exc:  # a validator's bug must not make loading raise
            problems = [f"{type(exc).__name__}: {exc}"]
        for problem in problems:
            issues.append(_issue(file, "bad_section", name, detail=problem))
        found[name] = None if problems else data[name]
    return found


def _date(file: str, key: str, value: Any, issues: list[Issue]) -> dt.date | None:
    """A date from YAML/TOML (a date, or text YYYY-MM-DD); None (with an issue) otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    issues.append(_issue(file, "bad_date", key, value=_show(value)))
    return None


def _key_dates(
    file: str, field_name: str, raw: Any, values: dict, issues: list[Issue]
) -> dict[str, dt.date]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        issues.append(_issue(file, "due_not_mapping", field_name))
        return {}
    found: dict[str, dt.date] = {}
    for key, value in _flat_items(raw):
        if key not in values:
            issues.append(_issue(file, "due_unset", key, field=field_name))
            continue
        day = _date(file, f"{field_name}.{key}", value, issues)
        if day:
            found[key] = day
    return found


def _flat_items(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of a nested mapping whose leaves are not mappings."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flat_items(value, f"{name}.")
        else:
            yield name, value


def parse_file(path: Path) -> Profile:
    """Read and validate one profile file (no cache). Never raises."""
    name, file = path.stem, path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Profile(
                name, path, errors=(_issue(file, "too_large", limit=MAX_FILE_BYTES // 1024),)
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Profile(name, path, errors=(_issue(file, "unreadable", detail=detail),))
    lines = text.splitlines()
    issues: list[Issue] = []
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else 1
            detail = re.sub(r"\s*\(at line.*\)$", "", str(exc))
            return Profile(name, path, errors=(_issue(file, "syntax", line=line, detail=detail),))
        citations = _toml_citations(lines)
    else:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark else 1
            detail = getattr(exc, "problem", None) or str(exc)
            return Profile(name, path, errors=(_issue(file, "syntax", line=line, detail=detail),))
        except ValueError as exc:  # a well-formed but impossible date, e.g. 2021-02-30
            line = _bad_scalar_line(node) or 1
            return Profile(name, path, errors=(_issue(file, "syntax", line=line, detail=str(exc)),))
        citations = _yaml_citations(node, lines)
        issues.extend(_yaml_duplicates(node, file))
    return _validate(name, path, data, citations, issues)
