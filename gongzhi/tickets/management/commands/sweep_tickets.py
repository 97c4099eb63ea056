"""Escalate, supervise or close the tickets whose deadline has passed (see deadlines.py)."""

from django.core.management.base import BaseCommand

from gongzhi.tickets import deadlines


class Command(BaseCommand):
    help = "Escalate overdue tickets one level, supervise them, close unrated resolved tickets."

    def handle(self, *args, **options):
        counts = deadlines.sweep()
        total = sum(counts.values())
        details = ", ".join(f"{step}: {n}" for step, n in sorted(counts.items()))
        self.stdout.write(f"{total} tickets swept" + (f" ({details})" if details else ""))
