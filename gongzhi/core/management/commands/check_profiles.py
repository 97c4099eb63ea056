"""Validate every policy profile file: exit code 1 with the problems when any is wrong."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import profiles


class Command(BaseCommand):
    help = "Validate every policy profile file in settings.POLICY_PROFILE_DIRS."
    requires_system_checks = []  # a profile check must run even when other checks fail

    def handle(self, *args, **options):
        files = profiles.all_files()
        issues = profiles.check_all()
        for path in files:
            profile = profiles.parse_file(path)
            if profile.ok:
                uncited = [key for key in profile.values if key not in profile.citations]
                self.stdout.write(f"ok    {path}")
                for key in uncited:
                    self.stdout.write(f"      warning: {path.name}: {key} has no citation comment")
        if not files:
            self.stdout.write(
                "no profile files in: " + ", ".join(map(str, profiles.profile_dirs()))
            )
        if issues:
            for issue in issues:
                self.stderr.write(f"error {issue.message}")
            raise CommandError(f"{len(issues)} problem(s) in policy profiles", returncode=1)
