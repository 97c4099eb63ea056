"""Validate every policy profile file and list what each one carries.

Exit code 1 with the problems when any file is wrong. For each valid profile: its document's
status (in force, expired since …), every key it sets with the paragraph it cites (and the due
date of a dated target), and every number of its source document that no key carries yet
(profiles/seed-numbers/seed-numbers.yaml lists the numbers of each seed document).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import profiles


class Command(BaseCommand):
    help = (
        "Validate every policy profile file in settings.POLICY_PROFILE_DIRS; list each profile's "
        "status, keys with their paragraphs, and the numbers of its document without a key."
    )
    requires_system_checks = []  # a profile check must run even when other checks fail

    def add_arguments(self, parser):
        parser.add_argument(
            "--brief", action="store_true", help="Only the ok lines and the problems."
        )

    def handle(self, *args, brief=False, **options):
        files = profiles.all_files()
        issues = profiles.check_all()
        listed = profiles.seed_numbers()
        for path in files:
            profile = profiles.parse_file(path)
            if not profile.ok:
                continue
            self.stdout.write(f"ok    {path}")
            for key in profile.values:
                if key not in profile.citations:
                    self.stdout.write(f"      warning: {path.name}: {key} has no citation comment")
            if profile.successor and not profiles.get(profile.successor).ok:
                self.stdout.write(
                    f"      warning: {path.name}: successor “{profile.successor}” is not a "
                    "valid profile"
                )
            if not brief:
                self._describe(profile, listed)
        if not files:
            self.stdout.write(
                "no profile files in: " + ", ".join(map(str, profiles.profile_dirs()))
            )
        if issues:
            for issue in issues:
                self.stderr.write(f"error {issue.message}")
            raise CommandError(f"{len(issues)} problem(s) in policy profiles", returncode=1)

    def _describe(self, profile: profiles.Profile, listed) -> None:
        out = self.stdout.write
        status = profile.status()
        out(f"      {profile.name}: {profile.title}")
        line = f"      status: {status.code} — {status.label}"
        if profile.successor:
            line += f"; successor: {profile.successor}"
        out(line)
        for key, value in profile.values.items():
            extra = ""
            if due := profile.due(key):
                extra += f" [due {due.isoformat()}]"
            if start := profile.applies_from(key):
                extra += f" [from {start.isoformat()}]"
            citation = profile.citations.get(key, "(no citation)")
            out(f"      key {key} = {profiles._show(value)}{extra} — {citation}")
        numbers = listed.get(profile.source)
        if numbers is None:
            out(f"      seed numbers: none listed for {profile.source}")
            return
        missing = profiles.numbers_without_key(profile, listed)
        narration = sum(1 for n in numbers if n.key is None and n.reason)
        out(
            f"      seed numbers without a key: {len(missing)} "
            f"({len(numbers)} listed, {narration} not policy parameters)"
        )
        for number, problem in missing:
            out(
                f"      no key: {number.source[:3]} {number.paragraph} “{number.quote}” "
                f"= {profiles._show(number.value)}: {problem}"
            )
