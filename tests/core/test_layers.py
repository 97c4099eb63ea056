"""Imports point down (docs/architecture.md "Layers"): the suite reads every module's imports
with `ast` — those inside functions and under TYPE_CHECKING included — and fails on an import
upward, on a sideways import between domain apps that is not declared below, and on any cycle.
A lower app learns of a higher one through a registration hook (core.directory, the compliance
providers, party.vanguard.set_ticket_provider, places.selectors.set_household_members)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import gongzhi

ROOT = Path(gongzhi.__file__).resolve().parent

# Lowest first. An app may import any app of a lower layer.
LAYERS: list[set[str]] = [
    {"core"},  # kernel: accounts, posts, access, audit, paths, profiles, ledger, files
    {"places"},  # kernel: the place tree (above core: it uses access and audit)
    {"people"},  # registries
    {"party"},
    {
        "tickets",
        "volunteering",
        "merchants",
        "partners",
        "deliberation",
        "owners",
        "microprojects",
        "estates",
        "mediation",
        "keytasks",
        "care",
        "partylife",
        "workforce",
        "organisations",
        "funds",
    },  # domain apps
    # evaluation: reads every app's figures through core.indicators, imports no domain app's
    # models for them; selections: star civilised buildings and best building heads.
    {"evaluation", "selections"},
    {"privacy"},  # reads every domain app's records for a resident's copy (docs/privacy.md)
    {"demo"},  # every demo builder; nobody imports it
]
# Sideways imports inside the domain layer, each with its reason. Anything new must be added here
# (and must not close a cycle).
SIDEWAYS = {
    ("volunteering", "tickets"): "points for a resolved ticket (volunteering.apps registers)",
    ("volunteering", "partners"): "an activity organised by a partner unit",
    ("merchants", "volunteering"): "redemptions spend volunteering points accounts",
    ("partners", "tickets"): "a ticket put on the needs list",
    ("deliberation", "volunteering"): "points for deliberation, representatives' scores",
    ("estates", "owners"): "a committee term links the owners' vote that elected it",
    ("estates", "tickets"): "a property company's yearly rating counts the tickets its staff "
    "handled (tickets.stats definitions); estates installs the company router "
    "(tickets.routing.set_property_finder)",
    ("mediation", "tickets"): "a mediation case opened from a dispute ticket links it",
    ("workforce", "partners"): "a first secretary's appointment names the partner unit that sends "
    "them (000 §二)",
    ("care", "tickets"): "a need raised on a care visit becomes a ticket (tickets.services.submit)",
    ("care", "volunteering"): "a resident's 爱心档案 lists their volunteering "
    "(volunteering.selectors.my_signups)",
    ("care", "merchants"): "a service point of the service circle may be a merchant's record",
    ("mediation", "deliberation"): "the joint meeting on disputes is a deliberation meeting "
    "(kind dispute): its agenda, resolutions and follow-throughs",
    ("estates", "microprojects"): "estates installs the payee bar of a black-listed company "
    "(microprojects.services.set_payee_check)",
    ("funds", "organisations"): "a purchased service's supplier and a fund's grant name a "
    "registered organisation or its venture-philanthropy project",
    ("funds", "deliberation"): "the financial public notice of the funding lines is published "
    "as a deliberation notice (deliberation.services.publish_notice)",
    ("funds", "microprojects"): "a fund's grant to a micro-project; the benefit-project funding "
    "line reads the micro-project budget rule (microprojects.services.profile_budget); funds "
    "installs the round budget booking (microprojects.services.set_round_budget_hook)",
    ("volunteering", "organisations"): "an activity organised by a social organisation picks "
    "it on the register (organisations.selectors.choosable / check_choice)",
    ("partners", "organisations"): "a partner unit of kind social organisation is one on the "
    "register (organisations.selectors.choosable / check_choice)",
    ("microprojects", "organisations"): "a payee that is a social organisation is picked on "
    "the register; a typed name of one is refused (organisations.selectors.named_like)",
    ("estates", "deliberation"): "an owners' committee's rating counts the joint meetings' "
    "follow-throughs its members owed and did on time; estates installs the joint meeting's "
    "invitees (deliberation.selectors.set_joint_invitees)",
}


def _layer_of(app: str) -> int:
    for i, apps in enumerate(LAYERS):
        if app in apps:
            return i
    raise AssertionError(f"app {app!r} is in no layer: add it to LAYERS")


def _imports() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or "migrations" in rel.parts:
            continue
        app = rel.parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "gongzhi":
                    names = [f"gongzhi.{a.name}" for a in node.names]
                else:
                    names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                other = parts[1] if parts[0] == "gongzhi" and len(parts) > 1 else ""
                if other and other != app and (ROOT / other).is_dir():
                    found[(app, other)].append(f"{rel}:{node.lineno}")
    return found


def test_every_import_points_down_or_is_a_declared_sideways_one():
    wrong = {
        f"{a} -> {b}": where[:3]
        for (a, b), where in _imports().items()
        if _layer_of(b) > _layer_of(a) or (_layer_of(b) == _layer_of(a) and (a, b) not in SIDEWAYS)
    }
    assert not wrong, wrong


def test_no_cycle_between_apps():
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in _imports():
        graph[a].add(b)

    def reach(start: str) -> set[str]:
        seen, stack = set(), [start]
        while stack:
            for nxt in graph[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    assert not [a for a in list(graph) if a in reach(a)]


def test_declared_sideways_imports_still_exist():
    assert set(SIDEWAYS) <= set(_imports())


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """An import of a domain app from the kernel is caught (the test can fail)."""
    fake = tmp_path / "gongzhi"
    for app in ("core", "tickets"):
        (fake / app).mkdir(parents=True)
    (fake / "core" / "bad.py").write_text("def f():\n    from gongzhi.tickets import models\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", fake)
    assert _imports() == {("core", "tickets"): ["core/bad.py:2"]}
    assert _layer_of("tickets") > _layer_of("core")
