"""Deliberation: recurring meetings. A series creates its meetings ahead, until stopped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock
from gongzhi.core.models import User
from gongzhi.deliberation._common import TITLE_MAX, _manage, _reason, _text
from gongzhi.deliberation.joint import _add_months
from gongzhi.deliberation.models import (
    Meeting,
    MeetingKind,
    MeetingSeries,
    SeriesFrequency,
)
from gongzhi.places.models import Place, PlaceKind

# --------------------------------------------------------------------------- recurring meetings

SERIES_MAX_LEAD_DAYS = 60


def occurrences(series: MeetingSeries, start: dt.date, end: dt.date) -> list[dt.datetime]:
    """The series' meeting times on days `start` ≤ day ≤ `end` (aware, local time)."""
    tz = timezone.get_current_timezone()
    found = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        quarter_month = (month.month - 1) % 3 == 0
        if series.frequency == SeriesFrequency.MONTHLY or quarter_month:
            day = dt.date(month.year, month.month, series.day)
            if start <= day <= end:
                found.append(dt.datetime.combine(day, series.time, tzinfo=tz))
        month = _add_months(month, 1)
    return found


def _whole(value: int | str | None, fallback: int) -> int:
    """`value` as a whole number, or `fallback` when it is not one."""
    if value is None:
        return fallback
    try:
        return int(value)
    except (TypeError, ValueError):
        return fallback


def create_series(
    *,
    actor: User,
    community: Place,
    kind: str,
    title: str,
    frequency: str,
    day: int | str | None,
    time: dt.time | None,
    location: str = "",
    lead_days: int | str | None = 14,
) -> MeetingSeries:
    """Set up a recurring meeting (e.g. the 16th of every month, 003 annex 7). Its meetings
    are created ahead by the daily task; the first ones at once."""
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Meetings are held by a community.")})
    grant = _manage(actor, community.path)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if frequency not in SeriesFrequency.values:
        raise ValidationError({"frequency": _("Choose every month or every quarter.")})
    title = _text(title, "title", TITLE_MAX)
    location = _text(location, "location", 120, required=False)
    day = _whole(day, 0)
    if not 1 <= day <= 28:
        raise ValidationError(
            {"day": _("Choose a day of the month from 1 to 28 (every month has it).")}
        )
    if time is None:
        raise ValidationError({"time": _("Give the time of day of the meeting.")})
    lead_days = _whole(lead_days, -1)
    if not 1 <= lead_days <= SERIES_MAX_LEAD_DAYS:
        raise ValidationError(
            {
                "lead_days": _("Create meetings between 1 and %(n)s days ahead.")
                % {"n": SERIES_MAX_LEAD_DAYS}
            }
        )
    with transaction.atomic():
        series = MeetingSeries.objects.create(
            kind=kind,
            title=title,
            community=community,
            place_path=community.path,
            frequency=frequency,
            day=day,
            time=time,
            location=location,
            lead_days=lead_days,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="deliberation.series_create",
            target=series,
            place_path=community.path,
            post=grant.post,
            changes={"kind": kind, "frequency": frequency, "day": day, "lead_days": lead_days},
        )
    create_series_meetings(series_ids=[series.pk])
    return series


def stop_series(series: MeetingSeries, reason: str, *, actor: User) -> MeetingSeries:
    """No more meetings are created; those already created stay (cancel them one by one)."""
    grant = _manage(actor, series.place_path)
    reason = _reason(reason)
    with transaction.atomic():
        series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
        if not series.active:
            raise ValidationError(_("This recurring meeting is already stopped."))
        series.active, series.stopped_at = False, clock.now()
        series.save(update_fields=["active", "stopped_at"])
        audit.record(
            actor=actor,
            action="deliberation.series_stop",
            target=series,
            place_path=series.place_path,
            post=grant.post,
            reason=reason,
            changes={"active": [True, False]},
        )
    return series


def create_series_meetings(
    today: dt.date | None = None, series_ids: Iterable[int] | None = None
) -> int:
    """The periodic task: for every active series, create the meetings that fall within its
    `lead_days` from today (today included). Idempotent: an occurrence that has its meeting is
    skipped (and the unique constraint catches a race)."""
    today = today or clock.today()
    rows = MeetingSeries.objects.filter(active=True).select_related("community")
    if series_ids is not None:
        rows = rows.filter(pk__in=series_ids)
    created = 0
    for series in rows.order_by("id"):
        times = occurrences(series, today, today + dt.timedelta(days=series.lead_days))
        if not times:
            continue
        existing = set(
            Meeting.objects.filter(series=series, starts_at__in=times).values_list(
                "starts_at", flat=True
            )
        )
        for when in times:
            if when in existing:
                continue
            try:
                with transaction.atomic():
                    meeting = Meeting.objects.create(
                        kind=series.kind,
                        title=series.title,
                        community=series.community,
                        place_path=series.place_path,
                        starts_at=when,
                        location=series.location,
                        created_by_id=series.created_by_id,
                        series=series,
                    )
                    audit.record(
                        actor=None,
                        action="deliberation.series_meeting",
                        target=meeting,
                        place_path=series.place_path,
                        changes={"series": series.pk, "starts_at": when.isoformat()},
                    )
                    created += 1
            except IntegrityError:
                continue
    return created
