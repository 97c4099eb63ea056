"""Inspections of communities and rectification (检查与限期整改, issue 17 item 3).

An officer above a community (KEYTASK_INSPECT: street or district officers) records an
inspection of it — a yearly inspection (seed 001 §17: 专项督查, 限期整改) or a visit (001 §14:
相关领导班子成员…每年深入社区调研、指导不少于3次) — with its findings. Each finding becomes a
rectification task (限期整改) with a time limit on the inspection's own task list, a list of the
inspecting place led by the community: tracked like any key task (status from the dates,
progress with photos, the board, supervision), and verified only by the inspector who recorded
it (list_services.step; the task row is locked, so of two verifications one wins).

The visit rule is the profile key `leadership.min_visits_per_year` of the community's
effective profile (001 §14 sets 3 in `loudi`); where the profile sets none there is no rule
and the compliance row says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.keytasks import list_services
from gongzhi.keytasks.list_services import TaskSpec, Unit
from gongzhi.keytasks.models import Inspection, InspectionKind, TaskList
from gongzhi.places.models import Place, PlaceKind

INSPECT = Action.KEYTASK_INSPECT
VIEW = Action.KEYTASK_LIST_VIEW
VISITS_KEY = "leadership.min_visits_per_year"
MAX_FINDINGS = 30
FINDING_MAX = 500
SUMMARY_MAX = 2000


@dataclass(frozen=True)
class Finding:
    """What the inspection found and the time limit to rectify it by."""

    text: str
    due_on: dt.date


def _street_of(community: Place) -> Place | None:
    prefixes = []
    parts = [p for p in community.path.split("/") if p]
    for i in range(1, len(parts)):
        prefixes.append("/".join(parts[:i]) + "/")
    return Place.objects.filter(kind=PlaceKind.STREET, path__in=prefixes).first()


def record_inspection(
    community: Place,
    *,
    actor: User,
    kind: str,
    held_on: dt.date,
    summary: str = "",
    findings: Sequence[Finding] = (),
) -> Inspection:
    """An inspection of a community and, for its findings, the rectification tasks."""
    summary = summary.strip()
    with transaction.atomic():
        grant = access.require(actor, INSPECT, community.path, read_action=VIEW)
        if community.kind != PlaceKind.COMMUNITY:
            raise ValidationError(_("An inspection is of a community."))
        if kind not in InspectionKind.values:
            raise ValidationError(_("Choose the kind of inspection."))
        today = clock.today()
        if held_on > today:
            raise ValidationError(_("The inspection cannot be dated in the future."))
        if len(summary) > SUMMARY_MAX:
            raise ValidationError(
                _("The summary is longer than %(n)s characters.") % {"n": SUMMARY_MAX}
            )
        if len(findings) > MAX_FINDINGS:
            raise ValidationError(_("At most %(n)s findings.") % {"n": MAX_FINDINGS})
        for number, finding in enumerate(findings, start=1):
            if not finding.text.strip():
                raise ValidationError(_("Finding %(n)s is empty.") % {"n": number})
            if len(finding.text.strip()) > FINDING_MAX:
                raise ValidationError(
                    _("Finding %(n)s is longer than %(max)s characters.")
                    % {"n": number, "max": FINDING_MAX}
                )
            if finding.due_on < today or finding.due_on <= held_on:
                raise ValidationError(
                    _(
                        "The time limit of finding %(n)s must be after the inspection and not in the past."
                    )
                    % {"n": number}
                )
        if Inspection.objects.filter(community=community, kind=kind, held_on=held_on).exists():
            raise ValidationError(
                _("This community already has an inspection of this kind on this day.")
            )
        post_place = grant.post.place if grant.post is not None else None
        by_place = (
            post_place
            if post_place is not None and post_place.kind in (PlaceKind.STREET, PlaceKind.DISTRICT)
            else _street_of(community)
        )
        if by_place is None:
            raise ValidationError(_("The community has no street above it."))
        inspection = Inspection.objects.create(
            community=community,
            place_path=community.path,
            by_place=by_place,
            kind=kind,
            held_on=held_on,
            summary=summary,
            inspector=actor,
        )
        if findings:
            label = InspectionKind(kind).label
            task_list = TaskList.objects.create(
                place=by_place,
                place_path=by_place.path,
                title=_("%(community)s %(day)s %(kind)s: rectification")
                % {"community": community.name, "day": held_on.isoformat(), "kind": label},
                period=str(held_on.year),
                source=_("Inspection findings (限期整改)"),
                created_by=actor,
            )
            for number, finding in enumerate(findings, start=1):
                list_services.add_task(
                    task_list,
                    number,
                    TaskSpec(
                        title=finding.text.strip(),
                        due_on=finding.due_on,
                        paragraph=_("Finding %(n)s") % {"n": number},
                        lead=Unit(community.name, community),
                    ),
                )
            inspection.task_list = task_list
            inspection.save(update_fields=["task_list"])
        audit.record(
            actor=actor,
            action="keytasks.inspection",
            target=inspection,
            place_path=community.path,
            changes={"kind": kind, "held_on": held_on.isoformat(), "findings": len(findings)},
            post=grant.post,
        )
    return inspection


# --------------------------------------------------------------------------- reads


def inspections(user: Viewer) -> QuerySet[Inspection]:
    """Inspections of the communities the viewer sees."""
    return access.scoped(
        Inspection.objects.select_related("community", "by_place", "inspector", "task_list"),
        user,
        VIEW,
        "place_path",
    ).order_by("-held_on", "-id")


def get_inspection(user: Viewer, pk: object) -> Inspection:
    text = str(pk)
    return get_object_or_404(
        inspections(user), pk=int(text) if text.isdigit() and len(text) < 10 else 0
    )


def inspectable(user: Viewer) -> QuerySet[Place]:
    """The communities the viewer may inspect."""
    return access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, INSPECT).order_by(
        "path"
    )


def required_visits(community: Place) -> int | None:
    """The visit rule of the community's profile, or None where it sets none."""
    profile = profiles.effective_profile(community)
    value = profile.get(VISITS_KEY) if profile is not None else None
    return int(value) if value is not None else None


def visit_rows(user: Viewer, year: int | None = None) -> list[dict[str, Any]]:
    """Per community the viewer sees: the street's visits this year against the rule; the
    communities short of it first (the compliance row)."""
    year = year or clock.today().year
    visits = (
        Inspection.objects.filter(
            community=OuterRef("pk"),
            kind=InspectionKind.VISIT,
            held_on__year=year,
            by_place__kind__in=(PlaceKind.STREET, PlaceKind.DISTRICT),
        )
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    places = access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, VIEW).annotate(
        visits=Coalesce(Subquery(visits, output_field=IntegerField()), Value(0))
    )
    rows: list[dict[str, Any]] = []
    for place in places.order_by("path")[:500]:
        needed = required_visits(place)
        count = int(vars(place)["visits"])
        rows.append(
            {
                "community": place,
                "visits": count,
                "required": needed,
                "short": needed is not None and count < needed,
            }
        )
    rows.sort(key=lambda r: (not r["short"], str(r["community"].path)))
    return rows
