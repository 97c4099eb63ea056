"""First secretaries and seconded cadres (issue 15 item 3; seed 000 §二: 选派对口联系的机关企事业
单位优秀干部到社区……担任“第一书记”; 选派优秀青年干部到社区担任党组织书记或专职副书记,挂职期
不少于 1 年).

- `appoint`: a street officer (`workforce.appoint`) records the appointment of a worker's
  record of kind first secretary or seconded cadre: the sending unit — a partner unit of
  `gongzhi.partners` paired with the community or a place above it, chosen or matched by the
  typed name, else the office's name as typed — the start and the planned end. The term is at
  least `party.secondment_min_years` whole years (the planned end on or after the day before
  the anniversary: 2026-03-01 → 2027-02-28 is one year); shorter is refused. A profile without
  the key sets no minimum. The terms of one worker's record never overlap (row lock).
- `end_early`: the street ends an appointment before its planned end, with a reason.
- `add_log_entry`, `submit_report`: the appointee — and nobody else (an object rule: the
  record's person is linked to the actor's login; another worker gets 403) — keeps the duty log
  (dated entries: what was done) and submits the end-of-term report (text and optional files,
  checked and re-encoded by `core.photos` like the certificate scans), which may be submitted
  again until it is accepted.
- `accept_report`: a street officer accepts the submitted report (row lock: accepted once).

Each write: one transaction, the access check (404 outside the actor's scope, 403 inside it
without the right), one audit record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs, photos, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.partners.models import PartnerUnit
from gongzhi.workforce.models import (
    APPOINTED_KINDS,
    Appointment,
    AppointmentReportScan,
    DutyLogEntry,
    Worker,
)

MIN_YEARS_KEY = "party.secondment_min_years"
VIEW = Action.WORKFORCE_APPOINTMENT_VIEW
APPOINT = Action.WORKFORCE_APPOINT


def ancestors_and_self(path: str) -> list[str]:
    """Every prefix path of `path` ("A/B/C/" → "A/", "A/B/", "A/B/C/")."""
    parts = [p for p in path.split("/") if p]
    lead = "/" if path.startswith("/") else ""
    return [lead + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def shortest_end(starts_on: dt.date, years: int) -> dt.date:
    """The earliest planned end (the last day served) of a term of at least `years` years."""
    return add_years(starts_on, years) - dt.timedelta(days=1)


def min_years(worker: Worker) -> tuple[int | None, str]:
    """(least whole years of a secondment, the paragraph) from the community's profile."""
    profile = profiles.effective_profile(worker.community)
    if profile is None or not profile.ok or not profile.is_set(MIN_YEARS_KEY):
        return None, ""
    return int(profile.get(MIN_YEARS_KEY) or 0), profile.citations.get(MIN_YEARS_KEY, "")


def matching_unit(worker: Worker, name: str) -> PartnerUnit | None:
    """An active partner unit of this name paired with the worker's community or a place above."""
    if not name:
        return None
    return (
        PartnerUnit.objects.filter(
            name=name, is_active=True, place_path__in=ancestors_and_self(worker.place_path)
        )
        .order_by("-place_path")
        .first()
    )


def _own(appointment: Appointment, actor: User) -> access.Grant:
    """The appointee's object rule: their own appointment, seen through `workforce.
    appointment_view`."""
    grant = access.require(actor, VIEW, appointment.place_path, read_action=Action.WORKFORCE_VIEW)
    if appointment.resident.user_id is None or appointment.resident.user_id != actor.pk:
        raise PermissionDenied(_("Only the appointee keeps their duty log and report."))
    return grant


@transaction.atomic
def appoint(
    worker: Worker,
    *,
    actor: User,
    starts_on: dt.date,
    planned_end_on: dt.date,
    unit: PartnerUnit | None = None,
    office: str = "",
) -> Appointment:
    grant = access.require(actor, APPOINT, worker.place_path, read_action=Action.WORKFORCE_VIEW)
    worker = (
        Worker.objects.select_for_update(of=("self",))
        .select_related("resident", "community")
        .get(pk=worker.pk)
    )
    if worker.kind not in APPOINTED_KINDS:
        raise ValidationError(
            {"worker": _("Only a first secretary or a seconded cadre has an appointment.")}
        )
    if not worker.is_active:
        raise ValidationError({"worker": _("This worker has left; the record is closed.")})
    office = inputs.text(office, "office", 100, required=False)
    if unit is not None:
        if not unit.is_active or unit.place_path not in ancestors_and_self(worker.place_path):
            raise ValidationError(
                {"unit": _("This partner unit is not paired with the community or its street.")}
            )
    else:
        unit = matching_unit(worker, office)
    sending = unit.name if unit is not None else office
    if not sending:
        raise ValidationError(
            {"office": _("Choose the partner unit or type the sending office's name.")}
        )
    if planned_end_on <= starts_on:
        raise ValidationError({"planned_end_on": _("The planned end must come after the start.")})
    years, citation = min_years(worker)
    if years and planned_end_on < shortest_end(starts_on, years):
        raise ValidationError(
            {
                "planned_end_on": _(
                    "A secondment lasts at least %(n)s year(s) (%(citation)s): the planned end "
                    "is %(day)s at the earliest."
                )
                % {
                    "n": years,
                    "citation": citation or MIN_YEARS_KEY,
                    "day": shortest_end(starts_on, years).isoformat(),
                }
            }
        )
    for other in Appointment.objects.filter(worker=worker):
        if other.starts_on <= planned_end_on and starts_on <= other.end_on:
            raise ValidationError(
                {"starts_on": _("This worker already has an appointment in this period.")}
            )
    made = Appointment.objects.create(
        worker=worker,
        resident_id=worker.resident_id,
        community_id=worker.community_id,
        kind=worker.kind,
        unit=unit,
        sending_unit=sending,
        starts_on=starts_on,
        planned_end_on=planned_end_on,
        created_by=actor,
        place_path=worker.place_path,
    )
    audit.record(
        actor=actor,
        action="workforce.appointment_add",
        target=made,
        target_repr=f"{worker.resident.name} · {sending}",
        place_path=worker.place_path,
        post=grant.post,
        changes={
            "kind": [None, worker.kind],
            "sending_unit": [None, sending],
            "unit": [None, unit.pk if unit else None],
            "starts_on": [None, starts_on.isoformat()],
            "planned_end_on": [None, planned_end_on.isoformat()],
        },
    )
    return made


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("resident", "worker")
        .get(pk=appointment.pk)
    )


@transaction.atomic
def end_early(
    appointment: Appointment, *, actor: User, ended_on: dt.date, reason: str
) -> Appointment:
    grant = access.require(
        actor, APPOINT, appointment.place_path, read_action=Action.WORKFORCE_VIEW
    )
    appointment = _locked(appointment)
    if appointment.ended_on is not None:
        raise ValidationError(_("This appointment has already ended."))
    reason = inputs.text(reason, "reason", 200)
    if ended_on < appointment.starts_on or ended_on > clock.today():
        raise ValidationError({"ended_on": _("The end must lie between the start and today.")})
    if ended_on >= appointment.planned_end_on:
        raise ValidationError(
            {"ended_on": _("An early end comes before the planned end of the term.")}
        )
    appointment.ended_on = ended_on
    appointment.end_reason = reason
    appointment.save(update_fields=["ended_on", "end_reason"])
    audit.record(
        actor=actor,
        action="workforce.appointment_end",
        target=appointment,
        target_repr=f"{appointment.resident.name} · {appointment.sending_unit}",
        place_path=appointment.place_path,
        post=grant.post,
        changes={"ended_on": [None, ended_on.isoformat()]},
        reason=reason,
    )
    return appointment


@transaction.atomic
def add_log_entry(
    appointment: Appointment, *, actor: User, day: dt.date, text: str
) -> DutyLogEntry:
    """A dated entry of the appointee's own duty log, within the term and not in the future."""
    appointment = _locked(appointment)
    grant = _own(appointment, actor)
    text = inputs.text(text, "text", 1000)
    if day < appointment.starts_on or day > appointment.end_on:
        raise ValidationError({"day": _("The date must lie within the term.")})
    if day > clock.today():
        raise ValidationError({"day": _("The date cannot be in the future.")})
    entry = DutyLogEntry.objects.create(
        appointment=appointment,
        day=day,
        text=text,
        written_by=actor,
        place_path=appointment.place_path,
    )
    audit.record(
        actor=actor,
        action="workforce.duty_log_add",
        target=entry,
        target_repr=f"{appointment.resident.name} · {day.isoformat()}",
        place_path=appointment.place_path,
        post=grant.post,
        changes={"day": [None, day.isoformat()]},
    )
    return entry


def submit_report(
    appointment: Appointment,
    *,
    actor: User,
    text: str,
    files: Iterable[IO[bytes] | None] | None = None,
) -> Appointment:
    """The appointee's end-of-term report (again until it is accepted); files are checked and
    re-encoded before anything is written, and removed again if the transaction fails."""
    text = inputs.text(text, "report_text", 5000)
    prepared = photos.prepare(files)
    with photos.files_removed_on_error() as written, transaction.atomic():
        appointment = _locked(appointment)
        grant = _own(appointment, actor)
        if appointment.report_accepted_at is not None:
            raise ValidationError(_("The report has been accepted; it can no longer change."))
        again = appointment.report_submitted_at is not None
        appointment.report_text = text
        appointment.report_submitted_at = clock.now()
        appointment.save(update_fields=["report_text", "report_submitted_at"])
        photos.write(
            AppointmentReportScan, prepared, user=actor, written=written, appointment=appointment
        )
        audit.record(
            actor=actor,
            action="workforce.report_submit",
            target=appointment,
            target_repr=f"{appointment.resident.name} · {appointment.sending_unit}",
            place_path=appointment.place_path,
            post=grant.post,
            changes={"submitted": [again, True], "files": [None, len(prepared)]},
        )
    return appointment


@transaction.atomic
def accept_report(appointment: Appointment, *, actor: User) -> Appointment:
    grant = access.require(
        actor, APPOINT, appointment.place_path, read_action=Action.WORKFORCE_VIEW
    )
    appointment = _locked(appointment)
    if appointment.report_submitted_at is None:
        raise ValidationError(_("No report has been submitted yet."))
    if appointment.report_accepted_at is not None:
        raise ValidationError(_("The report has already been accepted."))
    appointment.report_accepted_by = actor
    appointment.report_accepted_at = clock.now()
    appointment.save(update_fields=["report_accepted_by", "report_accepted_at"])
    audit.record(
        actor=actor,
        action="workforce.report_accept",
        target=appointment,
        target_repr=f"{appointment.resident.name} · {appointment.sending_unit}",
        place_path=appointment.place_path,
        post=grant.post,
        changes={"accepted": [False, True]},
    )
    return appointment
