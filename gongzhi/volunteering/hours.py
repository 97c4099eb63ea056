"""Volunteering: hours. Computed from check-in/out, corrected by a manager, confirmed (which
credits points and hours through the ledger); no-shows marked after the activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock, ledger
from gongzhi.core.models import User
from gongzhi.volunteering import points
from gongzhi.volunteering._common import _text
from gongzhi.volunteering.activities import _lock_activity, manage_grant
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    Signup,
    SignupStatus,
    Volunteer,
)

# --------------------------------------------------------------------------- hours


def computed_minutes(signup: Signup) -> int:
    """Check-out − check-in within the activity's time (arriving early or leaving late does
    not count beyond it), so at most its duration; 0 when incomplete."""
    if signup.minutes_override is not None:
        return signup.minutes_override
    if not signup.checked_in_at or not signup.checked_out_at:
        return 0
    activity = signup.activity
    start = max(signup.checked_in_at, activity.starts_at)
    end = min(signup.checked_out_at, activity.ends_at)
    worked = int((end - start).total_seconds() // 60)
    return max(0, min(worked, activity.duration_minutes))


@transaction.atomic
def correct_minutes(signup: Signup, minutes: object, reason: str, *, actor: User) -> Signup:
    """The organiser sets a participant's minutes (forgot to scan, left early…), with a reason."""
    activity = signup.activity
    grant = manage_grant(actor, activity)
    reason = _text(reason, "reason", required=True)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise ValidationError({"minutes": _("Give the minutes as a whole number, 0 or more.")})
    if minutes > activity.duration_minutes:
        raise ValidationError(
            {
                "minutes": _("At most the activity's duration: %(n)s minutes.")
                % {"n": activity.duration_minutes}
            }
        )
    locked = Signup.objects.select_for_update().get(pk=signup.pk)
    if locked.status not in (SignupStatus.SIGNED_UP, SignupStatus.NO_SHOW):
        raise ValidationError(_("These hours are already confirmed and credited."))
    before = computed_minutes(locked)
    locked.minutes_override, locked.override_reason = minutes, reason
    if locked.status == SignupStatus.NO_SHOW:
        locked.status = SignupStatus.SIGNED_UP
    locked.save()
    audit.record(
        actor=actor,
        action="volunteering.minutes_correct",
        target=activity,
        place_path=activity.place_path,
        changes={"resident": locked.resident_id, "minutes": [before, minutes]},
        post=grant.post,
        reason=reason,
    )
    return locked


def _credit(actor: User, activity: Activity, signup: Signup, minutes: int) -> int:
    """Points and hours of one participant; idempotent by the keys (replay-safe)."""
    base = f"activity:{activity.pk}:resident:{signup.resident_id}"
    resident = signup.resident
    total = 0
    if activity.awards_points:
        for rule, units, key in (
            ("service_hour", minutes / 60, f"{base}:points"),
            ("activity", 1, f"{base}:activity-points"),
        ):
            result = (
                points.earn_result(
                    resident,
                    rule,
                    source=activity,
                    units=units,
                    actor=actor,
                    key=key,
                    reason_text=activity.title,
                )
                if units
                else None
            )
            total += result.amount if result else 0
    if activity.awards_hours and minutes:
        points.deposit_hours(
            resident,
            minutes,
            source=activity,
            key=f"{base}:hours",
            actor=actor,
            reason_text=activity.title,
        )
    return total


def confirm_hours(
    activity: Activity, signup_ids: Iterable[int | str] | None = None, *, actor: User
) -> dict[str, int]:
    """Confirm the hours of the checked-out participants (or of `signup_ids`), crediting points
    and time-bank hours once each; after the end, mark who never checked in as no-show."""
    with transaction.atomic():
        grant = manage_grant(actor, activity)
        locked = _lock_activity(activity)
        if locked.status == ActivityStatus.CANCELLED:
            raise ValidationError(_("This activity was cancelled."))
        rows = (
            Signup.objects.select_for_update()
            .select_related("resident")
            .filter(activity=locked, status=SignupStatus.SIGNED_UP)
        )
        if signup_ids is not None:
            rows = rows.filter(pk__in=[int(i) for i in signup_ids])
        confirmed = credited = 0
        now = clock.now()
        for signup in rows:
            signup.activity = locked
            ready = signup.minutes_override is not None or signup.checked_out_at is not None
            if not ready:
                continue
            minutes = computed_minutes(signup)
            try:
                signup.points = _credit(actor, locked, signup, minutes)
            except (ledger.LedgerError, points.EarnError) as error:
                raise ValidationError(str(error)) from None
            signup.minutes, signup.status = minutes, SignupStatus.CONFIRMED
            signup.confirmed_at, signup.confirmed_by = now, actor
            signup.save()
            confirmed += 1
            credited += signup.points
        no_shows = _mark_no_shows(locked, now)
        if confirmed or no_shows:
            audit.record(
                actor=actor,
                action="volunteering.hours_confirm",
                target=locked,
                place_path=locked.place_path,
                changes={"confirmed": confirmed, "points": credited, "no_shows": no_shows},
                post=grant.post,
            )
        if now > locked.ends_at and not locked.signups.filter(status=SignupStatus.SIGNED_UP):
            locked.status, locked.confirmed_at = ActivityStatus.CONFIRMED, now
            locked.save(update_fields=["status", "confirmed_at"])
        return {"confirmed": confirmed, "points": credited, "no_shows": no_shows}


def _mark_no_shows(activity: Activity, now: dt.datetime) -> int:
    if now <= activity.ends_at:
        return 0
    missing = Signup.objects.filter(
        activity=activity,
        status=SignupStatus.SIGNED_UP,
        checked_in_at__isnull=True,
        minutes_override__isnull=True,
    )
    residents = list(missing.values_list("resident_id", flat=True))
    count = missing.update(status=SignupStatus.NO_SHOW)
    if residents:
        Volunteer.objects.filter(resident_id__in=residents).update(no_shows=F("no_shows") + 1)
    return count


def mark_no_shows(now: dt.datetime | None = None) -> int:
    """Periodic: no-shows of the activities that ended (run by tasks.py)."""
    now = now or clock.now()
    total = 0
    ended = Activity.objects.filter(
        status=ActivityStatus.PUBLISHED,
        ends_at__lt=now,
        signups__status=SignupStatus.SIGNED_UP,
        signups__checked_in_at__isnull=True,
    ).distinct()
    for activity in ended:
        with transaction.atomic():
            total += _mark_no_shows(_lock_activity(activity), now)
    return total
