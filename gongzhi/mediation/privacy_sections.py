"""Mediation's section of "my personal information" (PIPL art. 45): the cases the person is a
party to — as a resident of the registry, or as an outsider whose mobile number is the login's
(the same blind index) — and the committees they serve as a mediator. Only the person's own
part: the case's number, committee, type, their side, its state and dates; never the title,
summary, notes or another party's name or number (docs/mediation.md "Privacy"). Registered from
`MediationConfig.ready()`; the positions are listed in docs/privacy.md "Sections"."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.mediation.models import Mediator, Party


def mediation(person: Person) -> list[Row]:
    mine = Q(pk__in=[])
    if person.resident is not None:
        mine |= Q(resident=person.resident)
    if person.user is not None and person.user.phone_index:
        mine |= Q(resident__isnull=True, phone_index=person.user.phone_index)
    what, case_no, body, detail, state, when = (
        _("What"),
        _("Case number"),
        _("Committee"),
        _("Details"),
        _("State"),
        _("Date"),
    )
    rows: list[Row] = []
    parties = Party.objects.filter(mine).select_related("case__committee").order_by("case_id", "id")
    for p in parties:
        case = p.case
        rows.append(
            {
                what: _("Party to a mediation case"),
                case_no: case.number,
                body: case.committee.name,
                detail: _("%(side)s · %(type)s")
                % {"side": p.get_side_display(), "type": case.get_dispute_type_display()},
                state: case.get_state_display(),
                when: case.opened_at,
            }
        )
    served = Q(pk__in=[])
    if person.resident is not None:
        served |= Q(resident=person.resident)
    if person.user is not None:
        served |= Q(user=person.user)
    for m in Mediator.objects.filter(served).select_related("committee").order_by("id"):
        rows.append(
            {
                what: _("Mediator"),
                case_no: "",
                body: m.committee.name,
                detail: m.get_kind_display() + (f" · {m.specialties}" if m.specialties else ""),
                state: _("active") if m.is_active else _("retired"),
                when: m.created_at,
            }
        )
    return rows


register("mediation", gettext_lazy("Mediation cases and mediator roles"), mediation, order=117)
