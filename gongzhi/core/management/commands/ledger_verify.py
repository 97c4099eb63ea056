"""Recompute every ledger balance from its entries; exit 1 when one does not match."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from gongzhi.core import ledger


class Command(BaseCommand):
    help = (
        "Check that every ledger account's stored balance equals the sum of its entries "
        "and that each currency sums to zero (exit code 1 otherwise)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, batch_size=5000, **options):
        result = ledger.verify_ledger(batch_size=batch_size)
        summary = f"{result.accounts} accounts, {result.entries} entries checked"
        if result.ok:
            self.stdout.write(f"{summary}: OK")
            return
        for pk, stored, computed in result.mismatches[:50]:
            self.stderr.write(f"account {pk}: stored balance {stored}, entries sum to {computed}")
        if len(result.mismatches) > 50:
            self.stderr.write(f"… and {len(result.mismatches) - 50} more")
        for currency, total in result.totals.items():
            if total:
                self.stderr.write(f"{currency}: balances sum to {total}, not 0")
        raise CommandError(
            f"{summary}: BROKEN — {len(result.mismatches)} balance(s) do not match", returncode=1
        )
