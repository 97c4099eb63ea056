"""axe-core in the browser tests: the page is checked by the accessibility engine from npm
(node_modules/axe-core, installed by `make setup` from package-lock.json), injected as a script
into the page under test — no CDN, no network.

`check(page)` runs the WCAG 2 A and AA rules and fails on every critical or serious violation,
with a readable list: rule, impact, help text and the first few offending elements."""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("critical", "serious")
SHOWN_NODES = 4


def run(page, tags: list[str] | None = None) -> list[dict]:
    """The violations axe finds on the page as it is now (the script is injected once)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        if not AXE_JS.exists():
            raise AssertionError(f"{AXE_JS} is missing: run `make setup` (npm ci)")
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy
        # (no inline scripts) does not govern: the pages are checked as they are served.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;void 0")
    return page.evaluate(
        """async (tags) => {
            const result = await window.axe.run(document, {
                runOnly: { type: "tag", values: tags },
                resultTypes: ["violations"],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({ target: n.target.join(" "), html: n.html.slice(0, 160),
                                          summary: n.failureSummary || "" })),
            }));
        }""",
        tags or TAGS,
    )


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s)")
        for node in v["nodes"][:SHOWN_NODES]:
            lines.append(f"    {node['target']}: {node['html']}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"      {summary[:240]}")
    return "\n".join(lines)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING]


def check(page, label: str = "") -> None:
    """Fail with a readable list when axe finds a critical or serious violation."""
    found = serious(run(page))
    assert not found, f"axe: {label or page.url}\n{report(found)}"
