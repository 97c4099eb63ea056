"""Policy profiles: the numbers a policy document fixes, one file per document.

A profile is a YAML (``.yaml``/``.yml``) or TOML (``.toml``) file named ``<name>.<ext>`` in one of
``settings.POLICY_PROFILE_DIRS`` (first folder that has the name wins). It names its source document
(``source``, a file name) and a ``title``; its numbers are nested sections flattened to dotted keys
(``grid.households``). ``SCHEMA`` lists every key with its type, range, unit and label.

A place uses the profile of its nearest ancestor-or-self whose ``policy_profile`` is set.

Loading never raises: a broken or missing file gives a ``Profile`` whose ``errors`` say what is
wrong (file, key, problem), and whose values are not used. Parsed files are cached per process and
re-read when the file's modification time or size changes. docs/policy-profiles.md is the
operator's guide.
"""

from __future__ import annotations

import math
import os
import re
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

EXTENSIONS = (".yaml", ".yml", ".toml")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FILE_BYTES = 256 * 1024


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class Key:
    """One number a profile may set."""

    name: str  # dotted, e.g. "grid.households"
    kind: str  # "integer" or "number"
    minimum: float
    maximum: float
    unit: Any  # lazy string
    label: Any  # lazy string
    help: Any  # lazy string
    default: float | None = None  # platform default when a profile leaves it out

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]


# Ticket deadlines (gongzhi/tickets/deadlines.py). The documents ask that residents'
# requests be answered and fed back at once (seed 003 §三(三)1 第一时间解决、反馈; annex 2
# item 12) but fix no hours, so every key below has a platform default that applies until a
# profile sets it. Hours are clock hours (no working-day calendar).
_TICKET_KINDS = (
    ("consult", _("consultation"), 4, 24),
    ("help", _("request for help"), 2, 72),
    ("complaint", _("complaint"), 2, 72),
    ("report", _("report"), 2, 72),
    ("suggestion", _("suggestion"), 24, 168),
)
_TICKET_PRIORITIES = (
    ("low", _("low"), 200),
    ("normal", _("normal"), 100),
    ("high", _("high"), 50),
    ("urgent", _("urgent"), 25),
)


def _ticket_keys() -> list[Key]:
    keys = []
    for kind, label, response, resolve in _TICKET_KINDS:
        keys.append(
            Key(
                f"tickets.response_hours.{kind}",
                "integer",
                1,
                8760,
                _("hours"),
                format_lazy(_("Response time: {kind}"), kind=label),
                _(
                    "Hours within which a ticket of this kind must be accepted or dispatched. "
                    "Platform default when a profile leaves it out."
                ),
                default=response,
            )
        )
        keys.append(
            Key(
                f"tickets.resolve_hours.{kind}",
                "integer",
                1,
                8760,
                _("hours"),
                format_lazy(_("Resolution time: {kind}"), kind=label),
                _(
                    "Hours within which a ticket of this kind must be resolved. Platform "
                    "default when a profile leaves it out."
                ),
                default=resolve,
            )
        )
    for priority, label, percent in _TICKET_PRIORITIES:
        keys.append(
            Key(
                f"tickets.priority_percent.{priority}",
                "integer",
                1,
                1000,
                "%",
                format_lazy(_("Deadline share: {priority} priority"), priority=label),
                _(
                    "Both deadlines of a ticket of this priority, as a percentage of its kind's "
                    "hours. Platform default when a profile leaves it out."
                ),
                default=percent,
            )
        )
    keys.append(
        Key(
            "tickets.rating_window_days",
            "integer",
            1,
            365,
            _("days"),
            _("Rating window"),
            _(
                "Days a resident has to confirm and rate a resolved ticket before it is closed "
                "without a rating. Platform default when a profile leaves it out."
            ),
            default=7,
        )
    )
    return keys


# Volunteering, points, time bank, vanguard index (issue 5) and deliberation (issue 6). The
# documents ask for points (积分), a time bank and a vanguard index (seed 002 §三(一)2, §三(三)1;
# seed 003 item 16) but fix no numbers, so most keys carry a platform default. Set by documents:
# volunteering.target_percent (001 §13: 15%), microprojects.yearly_budget_yuan (000 §八: 30万元),
# deliberation.joint_meeting_months (003 §三(一)3: 原则上每季度召开一次).
def _participation_keys() -> list[Key]:
    return [
        Key(
            "volunteering.target_percent",
            "number",
            0,
            100,
            "%",
            _("Volunteer share target"),
            _(
                "Approved (active) volunteers as a share of the residents living in the "
                "community; registrations waiting for approval or suspended do not count."
            ),
        ),
        Key(
            "points.per_service_hour",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per hour of service"),
            _("Points earned for each confirmed hour of volunteer service."),
            default=10,
        ),
        Key(
            "points.per_activity",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per activity"),
            _("Points earned for taking part in an activity (checked in and out)."),
            default=5,
        ),
        Key(
            "points.per_resolved_ticket",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per resolved ticket"),
            _(
                "Points a party member or volunteer earns for a ticket they resolved "
                "that the resident confirmed."
            ),
            default=10,
        ),
        Key(
            "points.per_deliberation",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per deliberation"),
            _("Points for taking part in deliberation: attending a meeting, voting in a poll."),
            default=2,
        ),
        Key(
            "points.daily_cap",
            "integer",
            0,
            100000,
            _("points"),
            _("Daily points cap"),
            _("Most points one resident can earn in one day (0: no cap)."),
            default=100,
        ),
        Key(
            "points.expiry_months",
            "integer",
            0,
            120,
            _("months"),
            _("Points expiry"),
            _(
                "Points expire this many months after the end of the month they were "
                "earned in (0: never)."
            ),
            default=0,
        ),
        Key(
            "timebank.family_transfer",
            "integer",
            0,
            1,
            _("yes (1) / no (0)"),
            _("Time-bank transfer to family"),
            _(
                "Whether deposited service hours may be transferred to members of the "
                "same household."
            ),
            default=1,
        ),
        Key(
            "vanguard.weight_service",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: service hours weight"),
            _("Weight of recorded service hours in the vanguard index."),
            default=40,
        ),
        Key(
            "vanguard.weight_tickets",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: tickets weight"),
            _("Weight of tickets taken and resolved in the vanguard index."),
            default=30,
        ),
        Key(
            "vanguard.weight_claims",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: claimed posts weight"),
            _("Weight of claimed posts, tasks and families (认岗认事认亲) in the vanguard index."),
            default=20,
        ),
        Key(
            "vanguard.weight_feedback",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: residents' ratings weight"),
            _("Weight of residents' ratings of the member's work in the vanguard index."),
            default=10,
        ),
        Key(
            "vanguard.full_service_hours",
            "integer",
            1,
            10000,
            _("hours"),
            _("Vanguard index: service hours for full marks"),
            _("Service hours in a year that earn the full service score."),
            default=48,
        ),
        Key(
            "vanguard.full_tickets",
            "integer",
            1,
            1000,
            _("tickets"),
            _("Vanguard index: resolved tickets for full marks"),
            _("Tickets resolved in a year that earn the full tickets score."),
            default=12,
        ),
        Key(
            "vanguard.full_claims",
            "integer",
            1,
            100,
            _("claims"),
            _("Vanguard index: claims for full marks"),
            _("Posts, tasks and families claimed in a year that earn the full claims score."),
            default=3,
        ),
        Key(
            "deliberation.support_threshold",
            "integer",
            1,
            100000,
            _("residents"),
            _("Topic support threshold"),
            _("Supporters a topic needs before it goes onto a meeting agenda."),
            default=20,
        ),
        Key(
            "deliberation.joint_meeting_months",
            "integer",
            1,
            24,
            _("months"),
            _("Joint meeting interval"),
            _(
                "Months between joint meetings of community, owners' committee and property "
                "company."
            ),
            default=3,
        ),
        Key(
            "deliberation.representative_role_weight",
            "integer",
            0,
            10000,
            _("points"),
            _("Representative score per role"),
            _(
                "Score a candidate representative gets for each role held (party member, "
                "volunteer, building head); 002 §三(三)2."
            ),
            default=50,
        ),
        Key(
            "deliberation.representative_participation_weight",
            "integer",
            0,
            10000,
            _("points"),
            _("Representative score per participation"),
            _(
                "Score a candidate representative gets for each topic supported, opinion given "
                "or meeting attended; points earned count one for one."
            ),
            default=5,
        ),
        Key(
            "microprojects.yearly_budget_yuan",
            "number",
            0,
            100000000,
            _("yuan"),
            _("Micro-project budget"),
            _(
                "Yearly budget of each community for residents' micro-projects (民生微实事). "
                "Until a profile sets it, the platform default is the amount of seed 000."
            ),
            default=300000,
        ),
    ]


SCHEMA: dict[str, Key] = {
    key.name: key
    for key in (
        Key(
            "grid.households",
            "integer",
            1,
            5000,
            _("households"),
            _("Grid size (households)"),
            _("About how many households one grid holds."),
        ),
        Key(
            "grid.people",
            "integer",
            1,
            20000,
            _("people"),
            _("Grid size (people)"),
            _("About how many residents one grid holds."),
        ),
        Key(
            "grid.tolerance_percent",
            "number",
            0,
            100,
            "%",
            _("Grid size tolerance"),
            _(
                "How far above the grid size a grid may grow before it is flagged. The documents "
                "say “about”; when a profile leaves this out the platform default applies."
            ),
            default=20,
        ),
        Key(
            "staffing.households_per_worker",
            "integer",
            1,
            10000,
            _("households per worker"),
            _("Staffing ratio"),
            _(
                "One community worker (secretary, workers and grid workers) per this many households."
            ),
        ),
        Key(
            "premises.service_centre_min_m2",
            "number",
            1,
            100000,
            "m²",
            _("Service premises minimum"),
            _("Least floor area of a community's service centre and premises."),
        ),
        *(_ticket_keys()),
        *(_participation_keys()),
    )
}

# Text fields at the top of every profile: (name, required).
META_FIELDS = (("source", True), ("title", True), ("notes", False))
_META = {name for name, _required in META_FIELDS}
_SECTIONS = {key.section for key in SCHEMA.values()}


# --------------------------------------------------------------------------- errors

_MESSAGES = {
    "unreadable": _("%(file)s: the file cannot be read (%(detail)s)."),
    "too_large": _("%(file)s: the file is larger than %(limit)s KB."),
    "syntax": _("%(file)s, line %(line)s: syntax error: %(detail)s"),
    "not_mapping": _("%(file)s: the file must hold keys and values at its top level."),
    "unknown_key": _("%(file)s: unknown key “%(key)s”."),
    "not_section": _("%(file)s: “%(key)s” must be a section of keys, not a single value."),
    "duplicate_key": _("%(file)s: the key “%(key)s” is set more than once."),
    "wrong_type": _("%(file)s: “%(key)s” must be %(expected)s, not “%(value)s”."),
    "out_of_range": _(
        "%(file)s: “%(key)s” is %(value)s, outside the allowed range %(minimum)s–%(maximum)s "
        "%(unit)s."
    ),
    "missing": _("%(file)s: the required key “%(key)s” is missing."),
    "source_path": _(
        "%(file)s: “source” must be the file name of the source document, not a path."
    ),
    "bad_name": _(
        "%(file)s: “%(name)s” is not a valid profile name (lower-case letters, digits, “-” and "
        "“_”, at most 64 characters)."
    ),
    "ambiguous": _("%(file)s: profile “%(name)s” is also defined by %(other)s in the same folder."),
    "not_found": _("There is no policy profile file named “%(name)s”."),
}

_EXPECTED = {
    "integer": _("a whole number"),
    "number": _("a number"),
    "text": _("text"),
}


@dataclass(frozen=True)
class Issue:
    """One thing wrong with a profile file. Rendered in the current language when shown."""

    file: str
    code: str
    key: str = ""
    line: int | None = None
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        values: dict[str, Any] = {"file": self.file, "key": self.key, "line": self.line}
        values.update(self.params)
        if "expected" in values:
            values["expected"] = str(_EXPECTED.get(values["expected"], values["expected"]))
        if self.key in SCHEMA:
            values.setdefault("unit", str(SCHEMA[self.key].unit))
        return str(_MESSAGES[self.code]) % values

    def __str__(self) -> str:
        return self.message


def _issue(file: str, code: str, key: str = "", line: int | None = None, **params) -> Issue:
    return Issue(file=file, code=code, key=key, line=line, params=tuple(sorted(params.items())))


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Row:
    """One schema key as set (or not) by a profile, for display."""

    key: Key
    value: float | None
    is_set: bool
    citation: str


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path | None = None
    source: str = ""
    title: str = ""
    notes: str = ""
    values: dict[str, float] = field(default_factory=dict)
    citations: dict[str, str] = field(default_factory=dict)
    errors: tuple[Issue, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else ""

    def is_set(self, key: str) -> bool:
        return self.ok and key in self.values

    def get(self, key: str) -> float | None:
        """The value of `key`, the platform default when the profile leaves it out, or None.
        A broken profile gives None for every key: its numbers are not trusted."""
        if key not in SCHEMA:
            raise KeyError(key)
        if not self.ok:
            return None
        if key in self.values:
            return self.values[key]
        return SCHEMA[key].default

    def rows(self) -> list[Row]:
        return [
            Row(
                key=key,
                value=self.get(key.name),
                is_set=self.is_set(key.name),
                citation=self.citations.get(key.name, ""),
            )
            for key in SCHEMA.values()
        ]


# --------------------------------------------------------------------------- parsing


def _yaml_citations(node, lines: list[str], prefix: str = "") -> dict[str, str]:
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


def _yaml_duplicates(node, file: str, prefix: str = "") -> list[Issue]:
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


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


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


def _validate(name: str, path: Path, data: Any, citations: dict[str, str], issues: list[Issue]):
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
    values: dict[str, float] = {}
    _flatten(data, "", file, values, issues)
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
    )


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
        citations = _yaml_citations(node, lines)
        issues.extend(_yaml_duplicates(node, file))
    return _validate(name, path, data, citations, issues)


# --------------------------------------------------------------------------- loading (cached)

_cache: dict[Path, tuple[tuple[int, int, int], Profile]] = {}
_lock = threading.Lock()


def load_file(path: Path) -> Profile:
    """`parse_file` with a per-process cache, invalidated when the file changes on disk."""
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
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


# --------------------------------------------------------------------------- inheritance


def profile_setters(places) -> dict[int, Any]:
    """For each place, the nearest ancestor-or-self with `policy_profile` set (or None).
    One query for any number of places."""
    from gongzhi.places.models import Place

    places = list(places)
    wanted = {p for place in places for p in place.ancestor_paths()}
    setters = {
        p.path: p
        for p in Place.objects.filter(path__in=wanted)
        .exclude(policy_profile="")
        .only("id", "name", "kind", "path", "depth", "policy_profile")
    }
    result: dict[int, Any] = {}
    for place in places:
        chain = [setters.get(p) for p in reversed(place.ancestor_paths())]
        result[place.pk] = next((s for s in chain if s is not None), None)
    return result


def profile_setter(place):
    """The place whose `policy_profile` applies to `place` (itself or an ancestor), or None."""
    if place.policy_profile:
        return place
    return profile_setters([place])[place.pk]


def effective_profile(place) -> Profile | None:
    """The profile that applies to `place`, or None when no ancestor names one. A named but
    missing or broken profile comes back with its errors (check `profile.ok`)."""
    setter = profile_setter(place)
    return get(setter.policy_profile) if setter else None


def describe_problem(name: str) -> str:
    """Why a profile name cannot be used, in the current language; "" when it can."""
    profile = get(name)
    return "; ".join(issue.message for issue in profile.errors)


# --------------------------------------------------------------------------- reads for a user


def require_view(user) -> None:
    """Profiles are public policy; any user granted PROFILE_VIEW somewhere may read them."""
    from django.core.exceptions import PermissionDenied

    from gongzhi.core import access
    from gongzhi.core.roles import Action

    if not access.has_any(user, Action.PROFILE_VIEW):
        raise PermissionDenied


def usage_counts(user) -> dict[str, int]:
    """How many places in the user's scope name each profile (one query)."""
    from django.db.models import Count

    from gongzhi.core.roles import Action
    from gongzhi.places.selectors import visible_places

    rows = (
        visible_places(user, Action.PROFILE_VIEW)
        .exclude(policy_profile="")
        .order_by()
        .values("policy_profile")
        .annotate(n=Count("id"))
    )
    return {row["policy_profile"]: row["n"] for row in rows}


def places_using(user, name: str):
    """The places in the user's scope that name this profile themselves."""
    from gongzhi.core.roles import Action
    from gongzhi.places.selectors import visible_places

    return visible_places(user, Action.PROFILE_VIEW).filter(policy_profile=name).order_by("path")
