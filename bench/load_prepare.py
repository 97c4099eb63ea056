"""Prepare the load run: migrate, build the small demo (idempotent), write API tokens for
resident accounts and grid workers to var/bench/load-tokens.json. Called by bench/load.sh."""

from __future__ import annotations

import json
import sys

from benchlib import ROOT, setup  # noqa: E402  (also puts the project on sys.path)


def main() -> None:
    setup(sys.argv[1], "load.sqlite3")
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from gongzhi.core.models import Post
    from gongzhi.core.roles import Role
    from gongzhi.tickets.models import Category

    call_command("migrate", verbosity=0)
    call_command("demo_data", scale="small", verbosity=0)
    residents = (
        Post.objects.filter(
            role=Role.RESIDENT, is_active=True, user__username__startswith="resident-"
        )
        .order_by("id")
        .values_list("user_id", flat=True)[:200]
    )
    grid = Post.objects.filter(role=Role.GRID_WORKER, is_active=True).order_by("id")
    tokens = {
        "residents": [Token.objects.get_or_create(user_id=u)[0].key for u in residents],
        "grid": [Token.objects.get_or_create(user_id=p.user_id)[0].key for p in grid],
        "categories": list(Category.objects.filter(is_active=True).values_list("id", flat=True)),
    }
    path = ROOT / "var" / "bench" / "load-tokens.json"
    path.write_text(json.dumps(tokens))
    print(
        f"{len(tokens['residents'])} resident and {len(tokens['grid'])} grid-worker tokens → {path}"
    )


if __name__ == "__main__":
    main()
