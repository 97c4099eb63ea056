"""Re-encrypt every protected personal value with the current suite and key version.

Finds the values through gongzhi.core.crypto.protected_fields() (every `*_encrypted`
column). Works in batches of rows in primary-key order, one transaction per batch:
stopping it (Ctrl-C, a crash) loses at most the batch in progress, and a rerun only
touches the values whose header is not yet the current one. Each rewritten value is
read back from the database, decrypted and compared with the original, and its blind
index checked, before the batch commits. Blind indexes are recomputed with the values
(the index follows the suite and key of its value), so phone and ID searches work for
every rewritten row.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongzhi.core import audit, crypto

logger = logging.getLogger("gongzhi.crypto")


VerifyFailed = crypto.VerifyFailed


@dataclass
class FieldReport:
    label: str
    total: int = 0
    current: int = 0
    rewritten: int = 0
    failed: list = field(default_factory=list)
    found: Counter = field(default_factory=Counter)


class Command(BaseCommand):
    help = (
        "Re-encrypt every protected personal value (phone, ID numbers) with the current "
        "suite (GONGZHI_CRYPTO) and key version (highest in GONGZHI_FIELD_KEY), recomputing "
        "blind indexes; resumable, verified, in batches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--dry-run", action="store_true", help="only count the values per suite and key"
        )

    def handle(self, *args, batch_size=500, dry_run=False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        target = crypto.current()
        protector = crypto.Protector(target)
        self.stdout.write(f"target: {target.label}")
        reports = []
        for pf in crypto.protected_fields():
            report = self._field(pf, protector, batch_size, dry_run)
            reports.append(report)
            found = ", ".join(f"{k} {v}" for k, v in sorted(report.found.items())) or "-"
            self.stdout.write(
                f"{report.label}: {report.total} values, {report.current} already current, "
                f"{report.rewritten} rewritten, {len(report.failed)} failed (found: {found})"
            )
            for pk, problem in report.failed[:20]:
                self.stderr.write(f"  {report.label} pk {pk}: {problem}")
        rewritten = sum(r.rewritten for r in reports)
        failed = sum(len(r.failed) for r in reports)
        self.stdout.write(f"total: {rewritten} rewritten, {failed} failed")
        logger.info(
            "reencrypt to %s: %s rewritten, %s failed%s",
            target.label,
            rewritten,
            failed,
            " (dry run)" if dry_run else "",
        )
        if rewritten and not dry_run:
            with transaction.atomic():
                audit.record(
                    actor=None,
                    action="crypto.reencrypt",
                    changes={
                        "target": target.label,
                        "rewritten": {r.label: r.rewritten for r in reports},
                        "failed": failed,
                    },
                )
        if failed:
            raise CommandError(
                f"{failed} value(s) could not be decrypted (key version missing from "
                "GONGZHI_FIELD_KEY, or the value is damaged); the others were rewritten",
                returncode=1,
            )

    def _field(self, pf, protector, batch_size, dry_run) -> FieldReport:
        manager = pf.model._base_manager
        enc = pf.encrypted
        head = crypto.header(protector.sealing)
        report = FieldReport(str(pf))
        present = manager.exclude(**{enc: ""}).exclude(**{f"{enc}__isnull": True})
        report.total = present.count()
        pending = present.exclude(**{f"{enc}__startswith": head})
        report.current = report.total - pending.count()
        last_pk = None
        while True:
            page = pending.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            pks = list(page.values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            last_pk = pks[-1]
            if dry_run:
                for token in manager.filter(pk__in=pks).values_list(enc, flat=True):
                    report.found[crypto.sealing_of(token).label] += 1
                continue
            self._batch(pf, protector, pks, report)
        return report

    def _batch(self, pf, protector, pks, report: FieldReport) -> None:
        result = crypto.reencrypt_rows(pf, protector, pks)
        report.rewritten += result.rewritten
        report.found.update(result.found)
        report.failed.extend(result.failed)
