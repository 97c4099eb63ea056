"""The demo street served with a read replica: which database each request's queries went to.

    bash scripts/replica.sh start        # the local hot standby on port 5433 (as root: runuser)
    .venv/bin/python bench/replica.py    # PostgreSQL gongzhi_replica_demo, built on first run

Builds the small demo street on the primary (first run), waits until the standby has replayed
it, then, logged in as the street officer (`street`) through Django's test client with the
replica configured as production would (DATABASE_REPLICA_URL):

1. the street's ticket statistics page: its queries per database and its median time, read
   from the replica, next to the same page pinned to the primary;
2. a write (POST) by the same user: the following page reads the primary (read your writes),
   and the replica again once the sticky time has passed;
3. the replica stopped: the page still answers, from the primary; started again, it is used
   again after the next health check.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from typing import Any

from benchlib import ROOT, median_ms, setup  # noqa: E402  (also puts the project on sys.path)

PRIMARY = "postgres://postgres@127.0.0.1:5432/gongzhi_replica_demo"
REPLICA = "postgres://postgres@127.0.0.1:5433/gongzhi_replica_demo"


class _PerDatabase:
    """Counts the queries run on each database alias while active."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._managers: list[Any] = []

    def __enter__(self) -> _PerDatabase:
        from django.db import connections

        for alias in ("default", "replica"):

            def record(execute, sql, params, many, context, alias=alias):  # noqa: ANN001
                self.counts[alias] = self.counts.get(alias, 0) + 1
                return execute(sql, params, many, context)

            manager = connections[alias].execute_wrapper(record)
            manager.__enter__()
            self._managers.append(manager)
        return self

    def __exit__(self, *exc: object) -> None:
        for manager in self._managers:
            manager.__exit__(*exc)

    def __str__(self) -> str:
        return ", ".join(f"{alias}: {n}" for alias, n in sorted(self.counts.items())) or "none"


def _replica(command: str) -> None:
    script = str(ROOT / "scripts" / "replica.sh")
    subprocess.run(["/bin/bash", script, command], check=True)  # noqa: S603 - fixed arguments


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=PRIMARY)
    parser.add_argument("--replica-url", default=REPLICA)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["/usr/bin/createdb", "-h", "127.0.0.1", "-U", "postgres", name],
        capture_output=True,
        check=False,
    )
    os.environ["DATABASE_REPLICA_URL"] = args.replica_url
    os.environ["REPLICA_CHECK_SECONDS"] = "1"
    os.environ["REPLICA_STICKY_SECONDS"] = "3"
    setup(args.database_url, "unused.sqlite3")

    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from gongzhi.core import otp, replicas
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
    if not User.objects.filter(username="street").exists():
        started = time.perf_counter()
        call_command("demo_data", scale="small", verbosity=0)
        print(f"built the demo street on the primary in {time.perf_counter() - started:.1f} s")

    # The standby has replayed everything once its last user equals the primary's.
    last = User.objects.order_by("-id").values_list("id", flat=True).first()
    for _ in range(200):
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT max(id) FROM core_user")
            if cursor.fetchone()[0] == last:
                break
        time.sleep(0.1)

    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username="street"))
    session = client.session
    session[otp.SESSION_KEY] = "bench"
    session.save()
    page = "/tickets/stats/"
    replicas.health.reset()

    def fetch(label: str) -> None:
        with _PerDatabase() as seen:
            response = client.get(page)
        print(f"  {label:<46} HTTP {response.status_code}; queries: {seen}")

    print(f"\n1. {page} as `street`")
    fetch("from the replica")
    on_replica = median_ms(lambda: client.get(page), args.runs)

    def pinned() -> None:
        # As if the user had just written: the primary.
        client.cookies[replicas.STICKY_COOKIE] = f"{time.time():.3f}"

    pinned()
    fetch("pinned to the primary")
    on_primary = median_ms(lambda: (pinned(), client.get(page)), args.runs)
    del client.cookies[replicas.STICKY_COOKIE]
    print(f"  median of {args.runs}: replica {on_replica:.1f} ms, primary {on_primary:.1f} ms")

    print("\n2. read your writes")
    response = client.post("/display/text-size/", {"size": "large", "next": page})
    print(
        f"  POST /display/text-size/ -> HTTP {response.status_code}, pin cookie set:"
        f" {replicas.STICKY_COOKIE in response.cookies}"
    )
    fetch("the next page (within the sticky time)")
    time.sleep(3.5)
    fetch("3.5 s later")

    print("\n3. the replica stopped")
    _replica("stop")
    time.sleep(1.2)
    fetch("replica down")
    _replica("start")
    time.sleep(1.2)
    connections["replica"].close()
    fetch("replica started again")
    print("\nreplica status: ", end="", flush=True)
    _replica("status")


if __name__ == "__main__":
    main()
