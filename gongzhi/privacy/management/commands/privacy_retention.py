"""Delete or anonymise personal information kept longer than its retention rule.

manage.py privacy_retention            # apply, audited with counts
manage.py privacy_retention --dry-run  # only count what would go
"""

from django.core.management.base import BaseCommand

from gongzhi.privacy import retention


class Command(BaseCommand):
    help = "Apply the retention rules of personal information (PIPL art. 19)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args, dry_run=False, **options):
        counts = retention.apply(dry_run=dry_run)
        verb = "would be processed" if dry_run else "processed"
        for category, n in counts.items():
            self.stdout.write(f"{category}: {n} {verb}")
        if not counts:
            self.stdout.write("no rule deletes or anonymises anything")
