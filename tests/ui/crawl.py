"""Walk a user's pages as the user would: the menu and the service tiles, the pages they link
to, every button link and every form on them, sent as the page would send it (issue 19, item 4:
no button a user is shown answers 403).

Used by tests/ui/test_no_forbidden_buttons.py with the Django test client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.db import transaction

# Forms that end the walk or change what the rest of it sees, not a step a page offers.
SKIPPED_ACTIONS = ("/logout/", "/i18n/setlang/", "/login/", "/display/text-size/")
# Pages that are files or long reports rather than pages with buttons.
SKIPPED_PATHS = ("/static/", "/media/", "/api/", "/open311/", "/django-admin/")
SKIPPED_SUFFIXES = ("/export/", ".xlsx", ".csv", "/photo/", "/thumb/", "/qr/")


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    # (name, value, formaction) of each submit button; a form without one is sent as is.
    submits: list[tuple[str, str, str]] = field(default_factory=list)
    selects: dict[str, str] = field(default_factory=dict)


class PageParser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.button_links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def _abs(self, href: str | None) -> str:
        return urljoin(self.url, href or "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if (
            tag == "a"
            and a.get("href")
            and not a["href"].startswith(("#", "javascript", "tel:", "mailto:"))
        ):
            url = self._abs(a["href"])
            self.links.append(url)
            if "btn" in a.get("class", "").split():
                self.button_links.append(url)
        elif tag == "form":
            self._form = Form(
                method=(a.get("method") or "get").lower(),
                action=self._abs(a.get("action") or self.url),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            name = a.get("name", "")
            if kind in ("submit", "image"):
                self._form.submits.append(
                    (
                        name,
                        a.get("value", ""),
                        self._abs(a["formaction"]) if a.get("formaction") else "",
                    )
                )
            elif kind in ("checkbox", "radio"):
                if name and "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind == "file" or not name:
                return
            else:
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                self._form.submits.append(
                    (
                        a.get("name", ""),
                        a.get("value", ""),
                        self._abs(a["formaction"]) if a.get("formaction") else "",
                    )
                )
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select:
            # The first option with a value (or the selected one) is what a user would send.
            value = a.get("value", "")
            if "selected" in a or (value and self._select not in self._form.selects):
                self._form.selects[self._select] = value
        elif tag == "textarea" and a.get("name"):
            self._form.fields.append((a["name"], "步行检查"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            if self._form is not None:
                self._form.fields.extend(self._form.selects.items())
            self._form = None
        elif tag == "select":
            self._select = None


def parse(url: str, html: str) -> PageParser:
    parser = PageParser(url)
    parser.feed(html)
    return parser


def local_path(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith(SKIPPED_PATHS) or parts.path.endswith(SKIPPED_SUFFIXES):
        return None
    return path


@dataclass
class Finding:
    page: str
    target: str
    method: str
    status: int


def walk(
    client, start: list[str], *, depth: int = 1, max_pages: int = 80, post: bool = True
) -> tuple[list[Finding], int]:
    """GET the start pages and (to `depth`) the pages they link to; on each, GET every button
    link and send every form as it stands. Returns the 403s found and the requests made."""
    findings: list[Finding] = []
    seen: set[str] = set()
    tried: set[tuple[str, str, tuple]] = set()
    frontier = [(p, 0, "(menu)") for p in start]
    requests = 0
    while frontier and len(seen) < max_pages:
        path, level, source = frontier.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        requests += 1
        if response.status_code == 403:
            findings.append(Finding(source, path, "GET", 403))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = parse(f"http://testserver{path}", response.content.decode())
        for url in page.button_links:
            target = local_path(url)
            if target and ("GET", target, ()) not in tried:
                tried.add(("GET", target, ()))
                requests += 1
                status = client.get(target).status_code
                if status == 403:
                    findings.append(Finding(path, target, "GET", status))
        if level < depth:
            for url in page.links:
                target = local_path(url)
                if target and target not in seen:
                    frontier.append((target, level + 1, path))
        for form in page.forms:
            submits = form.submits or [("", "", "")]
            for name, value, formaction in submits:
                target = local_path(formaction or form.action)
                if not target or target.startswith(SKIPPED_ACTIONS):
                    continue
                data = list(form.fields) + ([(name, value)] if name else [])
                key = (form.method.upper(), target, tuple(sorted(n for n, _v in data)))
                if key in tried:
                    continue
                tried.add(key)
                if form.method == "post" and not post:
                    continue
                payload: dict[str, list[str]] = {}
                for n, v in data:
                    payload.setdefault(n, []).append(v)
                requests += 1
                if form.method == "post":
                    # Each step is undone after its answer: the walk sees the same world
                    # throughout (a revoked post or a withdrawn claim would hide later pages).
                    with transaction.atomic():
                        status = client.post(target, payload).status_code
                        transaction.set_rollback(True)
                else:
                    status = client.get(target, payload).status_code
                if status == 403:
                    findings.append(Finding(path, target, form.method.upper(), status))
    return findings, requests
