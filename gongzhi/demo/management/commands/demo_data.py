"""`python manage.py demo_data --scale small|district`: build (or complete) the demo data."""

from __future__ import annotations

import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from gongzhi.demo import places as demo


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def render_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Build demo data: --scale small (one street, ~10,000 households, ~25,000 residents, "
        "one login per role) or --scale district (350,000 households, ~1,000,000 residents, "
        "for benchmarks). Running it again changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="small")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument("--batch-size", type=int, default=demo.BATCH_SIZE)

    def handle(
        self,
        *args: Any,
        scale: str,
        database: str,
        batch_size: int,
        verbosity: int,
        **options: Any,
    ) -> None:
        progress = self.stdout.write if verbosity >= 1 and scale != "small" else None
        result = demo.build(
            scale, batch_size=batch_size, using=database, progress=progress, people=True
        )
        if verbosity < 1:
            return
        if any(result.created.values()):
            summary = _(
                "Demo data (%(scale)s) built in %(seconds).1f s: %(places)s places, "
                "%(households)s households, %(users)s users, %(posts)s posts created."
            )
            self.stdout.write(
                self.style.SUCCESS(
                    summary % {"scale": result.scale, "seconds": result.seconds, **result.created}
                )
            )
        elif not result.changed:
            self.stdout.write(
                _("Demo data (%(scale)s) already present; nothing changed.")
                % {"scale": result.scale}
            )
        self.stdout.write(
            _(
                "Totals: %(places)s places, %(households)s households, %(users)s users, %(posts)s posts."
            )
            % result.totals
        )
        people = result.people
        if people is not None and people.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "People built in %(seconds).1f s: %(residents)s residents, "
                        "%(party_orgs)s party organisations, %(party_members)s party members, "
                        "%(checkins)s check-ins created."
                    )
                    % {"seconds": people.seconds, **people.created}
                )
            )
        if people is not None:
            self.stdout.write(
                _(
                    "People: %(residents)s residents, %(party_orgs)s party organisations, "
                    "%(party_members)s party members, %(checkins)s check-ins."
                )
                % people.totals
            )
        for line in result.features.values():
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(_("Demo logins (the same password for all):"))
        header = [_("Role"), _("Username / phone"), _("Password"), _("Post")]
        rows = [[row.label, row.login, row.password, row.post] for row in result.logins]
        self.stdout.write(render_table(header, rows))
        self.stdout.write(
            self.style.WARNING(
                _(
                    "These logins share a published password: never load demo data into a "
                    "production installation."
                )
            )
        )
