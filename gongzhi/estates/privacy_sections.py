"""Estates' section of "my personal information" (PIPL art. 45): the person's owners'
committee memberships, candidacies (with a negative-list reason, if any), supervision
committee memberships and the satisfaction-survey answers they gave. Registered from
`EstatesConfig.ready()`; the positions are listed in docs/privacy.md "Sections"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.personal_data import Person, Row, register
from gongzhi.estates.models import Candidate, SupervisionMember, SurveyAnswer, TermMember


def estates_roles(person: Person) -> list[Row]:
    resident = person.resident
    if resident is None:
        return []
    what, body, detail, when = _("What"), _("Body"), _("Details"), _("Date")
    rows: list[Row] = []
    for m in TermMember.objects.filter(resident=resident).select_related("term__committee"):
        rows.append(
            {
                what: _("Owners' committee member"),
                body: m.term.committee.name,
                detail: _("Term %(n)s%(chair)s")
                % {"n": m.term.number, "chair": _(", chair") if m.is_chair else ""},
                when: m.term.starts_on,
            }
        )
    for c in Candidate.objects.filter(resident=resident).select_related(
        "candidate_list__committee"
    ):
        rows.append(
            {
                what: _("Candidate"),
                body: c.candidate_list.committee.name,
                detail: c.exclusion_reason if c.excluded else c.candidate_list.title,
                when: c.candidate_list.created_at,
            }
        )
    for s in SupervisionMember.objects.filter(resident=resident):
        rows.append(
            {
                what: _("Supervision committee member"),
                body: _("Residents' supervision committee"),
                detail: _("chair") if s.is_chair else "",
                when: s.since,
            }
        )
    for a in SurveyAnswer.objects.filter(resident=resident).select_related("survey__estate"):
        rows.append(
            {
                what: _("Satisfaction survey answer"),
                body: a.survey.estate.name,
                detail: _("property company %(c)s, owners' committee %(o)s")
                % {"c": a.company_score, "o": a.committee_score},
                when: a.answered_at,
            }
        )
    return rows


register(
    "estates",
    gettext_lazy("Owners' committees, candidacies and estate surveys"),
    estates_roles,
    order=115,
)
