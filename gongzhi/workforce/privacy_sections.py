"""The workforce's section of "my personal information" (PIPL art. 45): the person's own
workers' records (community, kind, dates, education, reserve, pay), certificates, certificate
rewards, yearly assessments, training attendance and appointments as a first secretary or
seconded cadre (with the number of duty-log entries and the report's state). Only the person's
own data: never a colleague's, and never who assessed them. Registered from
`WorkforceConfig.ready()`; the position is listed in docs/privacy.md "Sections"."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.workforce.models import (
    Appointment,
    Assessment,
    Attendance,
    Certificate,
    Reward,
    Worker,
)


def workforce(person: Person) -> list[Row]:
    if person.resident is None:
        return []
    who = person.resident
    what, body, detail, state, when = (
        _("What"),
        _("Community"),
        _("Details"),
        _("State"),
        _("Date"),
    )
    rows: list[Row] = []
    for w in Worker.objects.filter(resident=who).select_related("community").order_by("id"):
        parts = [str(w.get_kind_display())]
        if w.education:
            parts.append(str(w.get_education_display()))
        if w.is_reserve:
            parts.append(_("reserve candidate"))
        if w.monthly_pay_yuan is not None:
            parts.append(_("basic pay %(yuan)s yuan a month") % {"yuan": w.monthly_pay_yuan})
        rows.append(
            {
                what: _("Worker's record"),
                body: w.community.name,
                detail: " · ".join(parts),
                state: _("left on %(day)s: %(reason)s")
                % {"day": w.left_on.isoformat(), "reason": w.leave_reason}
                if w.left_on
                else _("active"),
                when: w.started_on,
            }
        )
    for c in (
        Certificate.objects.filter(worker__resident=who)
        .select_related("worker__community")
        .order_by("obtained_on", "id")
    ):
        rows.append(
            {
                what: _("Certificate"),
                body: c.worker.community.name,
                detail: f"{c.get_level_display()} {c.title} · {c.number}".replace("  ", " "),
                state: "",
                when: c.obtained_on,
            }
        )
    for r in Reward.objects.filter(resident=who).order_by("created_at", "id"):
        rows.append(
            {
                what: _("Certificate reward"),
                body: "",
                detail: _("%(level)s · %(yuan)s yuan")
                % {"level": r.get_level_display(), "yuan": r.amount_yuan},
                state: r.get_status_display(),
                when: r.created_at,
            }
        )
    for a in Assessment.objects.filter(resident=who).order_by("year"):
        rows.append(
            {
                what: _("Yearly assessment"),
                body: "",
                detail: f"{a.year} · {a.get_grade_display()}"
                + (f" · {a.comments}" if a.comments else ""),
                state: "",
                when: a.created_at,
            }
        )
    for t in Attendance.objects.filter(resident=who).select_related("course").order_by("id"):
        rows.append(
            {
                what: _("Training attended"),
                body: t.course.organiser,
                detail: _("%(title)s · %(days)s days") % {"title": t.course.title, "days": t.days}
                + (f" · {_('rank')} {t.rank}" if t.rank else ""),
                state: "",
                when: t.course.starts_on,
            }
        )
    for p in (
        Appointment.objects.filter(resident=who)
        .select_related("community")
        .annotate(entries=Count("log"))
        .order_by("starts_on", "id")
    ):
        rows.append(
            {
                what: p.get_kind_display(),
                body: p.community.name,
                detail: _("sent by %(unit)s · %(start)s–%(end)s · %(n)s duty-log entries")
                % {
                    "unit": p.sending_unit,
                    "start": p.starts_on.isoformat(),
                    "end": p.end_on.isoformat(),
                    "n": getattr(p, "entries", 0),
                },
                state: _("report accepted")
                if p.report_accepted_at
                else _("report submitted")
                if p.report_submitted_at
                else _("no report"),
                when: p.starts_on,
            }
        )
    return rows


register(
    "workforce",
    gettext_lazy("Community work: records, certificates, training, appointments"),
    workforce,
    order=113,
)
