"""Recompute the audit chain; exit 1 and name the first broken record when it does not hold."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gongzhi.core import audit

_NAMES = {"sha256": "SHA-256", "sm3": "SM3"}


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail (exit code 1 when it is broken)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            metavar="HASH",
            help="a head hash printed by an earlier run; fail if the chain no longer holds it",
        )
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, anchor=None, batch_size=5000, **options):
        result = audit.verify_chain(batch_size=batch_size, anchor=anchor)
        if result.ok:
            self.stdout.write(f"{result.checked} records checked: OK")
            self.stdout.write(f"hash: {_NAMES.get(result.algorithm, result.algorithm)}")
            if result.head_id is not None:
                # Keep this line somewhere else; `--anchor HASH` later proves no tail was cut.
                self.stdout.write(f"head: id {result.head_id} hash {result.head_hash}")
            return
        if result.broken_id is None:
            raise CommandError(
                f"{result.checked} records checked: BROKEN — {result.problem}", returncode=1
            )
        at = timezone.localtime(result.broken_at).isoformat() if result.broken_at else "?"
        raise CommandError(
            f"{result.checked} records checked: BROKEN at record id {result.broken_id} "
            f"(time {at}, action {result.broken_action}, hash "
            f"{_NAMES.get(result.algorithm, result.algorithm)}): {result.problem}",
            returncode=1,
        )
