"""Benchmark: what a page costs, for every main page and API list of each role, next to floors.

    .venv/bin/python bench/pages.py                 # SQLite var/bench/pages.sqlite3 (demo street)
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi_pages
    .venv/bin/python bench/pages.py --only queue --profile var/bench/queue.prof

The first run builds the small demo street (`demo_data --scale small`) in the bench database;
later runs reuse it. Each page is fetched through Django's test client, logged in as its role's
demo login, after one warm-up: the median wall time of --runs calls and the number of SQL
queries one call runs. Next to it, in the same run:

- **bare**: a view that returns a fixed short response, served through the same middleware
  stack and the same session login (a throwaway URLconf adds it): what any page costs before
  it does anything of its own;
- **rows**: for the lists, the same rows the page shows (the first 30 of the page's selector,
  for the same user) fetched with `values_list` — the database's part of the page.

A page's "× bare" is its median over the bare view's. Issue 20's targets: every list page and
API list of 30 rows at most 3× bare and ≤ 8 ms on the demo street. `--profile FILE` writes
cProfile stats of --runs calls of the pages chosen with `--only` (read with
`python -m pstats FILE` or snakeviz).
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchlib import median_ms, setup  # noqa: E402  (also puts the project on sys.path)


@dataclass(frozen=True)
class Page:
    name: str
    login: str
    path: str
    # The same rows fetched as tuples for the same user: (user) -> list.
    rows: Callable[[Any], list] | None = None
    is_list: bool = True


def _pages() -> list[Page]:
    from gongzhi.people import selectors as people
    from gongzhi.tickets import selectors as tickets
    from gongzhi.volunteering import selectors as volunteering

    def first30(qs_fn: Callable[[Any], Any], *fields: str) -> Callable[[Any], list]:
        return lambda user: list(qs_fn(user).values_list(*fields)[:30])

    ticket_fields = ("id", "number", "text", "status", "place__name", "category__name")
    return [
        Page("resident home", "resident", "/", is_list=False),
        Page(
            "my tickets", "resident", "/tickets/mine/", first30(tickets.my_tickets, *ticket_fields)
        ),
        Page("submit form", "resident", "/tickets/new/", is_list=False),
        Page("grid worker home", "grid", "/", is_list=False),
        Page("queue", "grid", "/tickets/queue/", first30(tickets.grid_queue, *ticket_fields)),
        Page("board", "worker", "/tickets/board/", first30(tickets.dispatch_board, *ticket_fields)),
        Page("overdue", "worker", "/tickets/overdue/", first30(tickets.overdue, *ticket_fields)),
        Page("pool", "partymember", "/tickets/pool/", first30(tickets.pool, *ticket_fields)),
        Page(
            "people list",
            "worker",
            "/people/",
            first30(
                people.visible_residents, "id", "name", "phone_masked", "household__building__name"
            ),
        ),
        Page(
            "volunteers",
            "worker",
            "/volunteering/volunteers/",
            first30(volunteering.volunteers, "id", "resident__name", "community__name"),
        ),
        Page(
            "api tickets",
            "worker",
            "/api/v1/tickets/",
            first30(tickets.visible_tickets, *ticket_fields),
        ),
        Page("api notifications", "worker", "/api/v1/notifications/", None),
        Page("api residents", "worker", "/api/v1/residents/", None),
        Page("places tree", "secretary", "/places/", is_list=False),
        Page("street statistics", "street", "/tickets/stats/", is_list=False),
        Page("compliance", "district", "/compliance/", is_list=False),
    ]


class _Counter:
    def __init__(self, connection: Any) -> None:
        self.connection, self.count = connection, 0

    def _record(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> _Counter:
        self._cm = self.connection.execute_wrapper(self._record)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._cm.__exit__(*exc)


def _build_if_needed() -> None:
    from django.core.management import call_command

    from gongzhi.core.models import User

    call_command("migrate", verbosity=0, interactive=False)
    # Outside SQLite, settings give static files hashed names: the pages need the manifest
    # (written without whitenoise's compression, which takes minutes and no page reads).
    from django.conf import settings as django_settings

    if "Manifest" in django_settings.STORAGES["staticfiles"]["BACKEND"]:
        django_settings.STORAGES["staticfiles"]["BACKEND"] = (
            "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        )
    call_command("collectstatic", verbosity=0, interactive=False)
    if not User.objects.filter(username="grid").exists():
        started = time.perf_counter()
        call_command("demo_data", scale="small", verbosity=0)
        print(f"built the demo street in {time.perf_counter() - started:.1f} s")


def _user(login: str) -> Any:
    """A demo login: a username, or the demo resident's phone number."""
    from gongzhi.core.models import User

    if login == "resident":
        return User.objects.get_by_phone("13800000001")
    return User.objects.get(username=login)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", help="comma-separated page names (substring match)")
    parser.add_argument("--profile", help="write cProfile stats of the chosen pages here")
    args = parser.parse_args(argv)
    setup(args.database_url, "pages.sqlite3")

    from django.conf import settings
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    from gongzhi.core import otp

    _build_if_needed()

    def bare(request: Any) -> HttpResponse:
        return HttpResponse(b"ok")

    import types

    urlconf = types.ModuleType("bench_pages_urls")
    urlconf.urlpatterns = [  # type: ignore[attr-defined]
        path("__bench__/bare/", bare),
        path("", include(settings.ROOT_URLCONF)),
    ]
    import sys

    sys.modules["bench_pages_urls"] = urlconf
    pages = _pages()
    if args.only:
        wanted = [w.strip() for w in args.only.split(",")]
        pages = [p for p in pages if any(w in p.name for w in wanted)]

    clients: dict[str, Client] = {}

    def client_for(login: str) -> Client:
        if login not in clients:
            client = Client(raise_request_exception=True)
            client.force_login(_user(login))
            # A finished login: the second factor passed (as tests/conftest.py does).
            session = client.session
            session[otp.SESSION_KEY] = "bench"
            session.save()
            clients[login] = client
        return clients[login]

    rows_out = []
    with override_settings(ROOT_URLCONF="bench_pages_urls", ALLOWED_HOSTS=["*"]):
        bare_ms = {}
        for login in sorted({p.login for p in pages}):
            c = client_for(login)
            bare_ms[login] = median_ms(lambda c=c: c.get("/__bench__/bare/"), args.runs)
        profiler = cProfile.Profile() if args.profile else None
        for page in pages:
            c = client_for(page.login)
            response = c.get(page.path)
            if response.status_code != 200:
                print(f"{page.name}: {page.path} answered {response.status_code}; skipped")
                continue
            with _Counter(connection) as counter:
                c.get(page.path)
            if profiler is not None:
                profiler.enable()
            ms = median_ms(lambda c=c, p=page.path: c.get(p), args.runs)
            if profiler is not None:
                profiler.disable()
            user = _user(page.login)
            rows_ms = median_ms(lambda u=user, f=page.rows: f(u), args.runs) if page.rows else None
            rows_out.append((page, ms, counter.count, bare_ms[page.login], rows_ms))
        if profiler is not None:
            profiler.dump_stats(args.profile)
            print(f"profile written to {args.profile}")

    print()
    print(f"database: {connection.vendor}, runs: {args.runs} (median after one warm-up)")
    print(
        f"{'page':<20} {'login':<10} {'ms':>7} {'queries':>8} {'bare ms':>8} {'× bare':>7}"
        f" {'rows ms':>8} {'target':>10}"
    )
    for page, ms, queries, bare, rows_ms in rows_out:
        ratio = ms / bare if bare else float("nan")
        target = ""
        if page.is_list:
            target = "met" if (ratio <= 3 and ms <= 8) else "missed"
        rows_txt = f"{rows_ms:8.2f}" if rows_ms is not None else f"{'-':>8}"
        print(
            f"{page.name:<20} {page.login:<10} {ms:7.2f} {queries:8d} {bare:8.2f}"
            f" {ratio:7.1f} {rows_txt} {target:>10}"
        )
    lists = [ms for page, ms, *_ in rows_out if page.is_list]
    if lists:
        print(f"\nlists: median {statistics.median(lists):.2f} ms, worst {max(lists):.2f} ms")


if __name__ == "__main__":
    main()
