"""Retention (PIPL art. 19): what has been kept long enough is deleted or anonymised.

The categories are fixed here, one handler each; how long each is kept is a row of
`RetentionRule` (seeded by migration 0002, changed by an admin). `apply()` runs every rule:
daily from the task queue (privacy/tasks.py) and from `manage.py privacy_retention
[--dry-run]`. A run writes one audit record with the counts (none on a dry run), and each
anonymised person their own record.

- sms_codes: login codes live only in the cache (hashed, 5 minutes): nothing to do here.
- audit: never deleted. The audit trail is a hash chain (docs/audit.md); deleting a row would
  break it. Its rule states the legal minimum (six months) that the trail always exceeds.
- ticket_photos: photos of tickets closed longer ago than the rule: files and rows deleted
  (the files after the transaction commits). The ticket and its history stay.
- moved_away: residents who moved out longer ago than the rule: anonymised like a deletion
  request (privacy.services._anonymise).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core import audit, clock
from gongzhi.privacy.models import RetentionAction, RetentionRule

if TYPE_CHECKING:
    from gongzhi.people.models import Resident

LABELS = {
    "sms_codes": _("SMS login codes"),
    "audit": _("Audit trail"),
    "ticket_photos": _("Photos of closed tickets"),
    "moved_away": _("Residents who moved away"),
}


def _cutoff(rule: RetentionRule) -> dt.datetime:
    return clock.now() - dt.timedelta(days=rule.keep_days)


def _ticket_photos(rule: RetentionRule, dry_run: bool) -> int:
    from gongzhi.tickets.models import Ticket, TicketPhoto

    closed = Ticket.objects.filter(closed_at__lt=_cutoff(rule))
    photos = TicketPhoto.objects.filter(ticket__in=closed)
    if dry_run:
        return photos.count()
    files = [(p.file, p.thumb) for p in photos]
    count, _by_model = photos.delete()

    def remove_files() -> None:
        for file, thumb in files:
            for f in (file, thumb):
                if f and f.name:
                    f.storage.delete(f.name)

    transaction.on_commit(remove_files)
    return count


def moved_away(rule: RetentionRule) -> QuerySet[Resident]:
    """Residents no longer living here whose last move-out is older than the rule (or,
    without a dated move-out, whose record was last changed before it)."""
    from gongzhi.people.models import Membership, Resident

    cutoff = _cutoff(rule)
    still_or_recent = Membership.objects.filter(resident=OuterRef("pk")).filter(
        Q(moved_out=None) | Q(moved_out__gte=cutoff.date())
    )
    return (
        Resident.objects.filter(is_active=False, updated_at__lt=cutoff)
        .exclude(Exists(still_or_recent))
        # already anonymised (by a request or an earlier run)
        .exclude(name_initials="", id_index=None, phone_masked="", birth_date=None)
    )


def _moved_away(rule: RetentionRule, dry_run: bool) -> int:
    from gongzhi.privacy.services import _anonymise

    people = list(moved_away(rule).select_related("user"))
    if not dry_run:
        for resident in people:
            _anonymise(None, None, resident, resident.user)
    return len(people)


HANDLERS = {
    "ticket_photos": _ticket_photos,
    "moved_away": _moved_away,
}


@transaction.atomic
def apply(dry_run: bool = False) -> dict[str, int]:
    """Run every rule whose action deletes or anonymises; {category: rows affected}."""
    counts: dict[str, int] = {}
    for rule in RetentionRule.objects.all():
        handler = HANDLERS.get(rule.category)
        if handler is None or rule.action not in (
            RetentionAction.DELETE,
            RetentionAction.ANONYMISE,
        ):
            continue
        counts[rule.category] = handler(rule, dry_run)
    if dry_run:
        transaction.set_rollback(True)
    else:
        audit.record(
            actor=None,
            action="privacy.retention",
            target_repr=str(_("Retention run")),
            changes={"counts": counts},
        )
    return counts
