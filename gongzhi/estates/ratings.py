"""Writes of issue 14 items 1, 4 and 5: the residents' satisfaction survey, the community's
assessment, the street's publication of the yearly evaluations (star ratings) and of the red
and black list (红黑榜), and the daily re-election reminder (换届提醒). Same conventions as
gongzhi/estates/services.py: one transaction, the access check, one audit record, a clear
refusal that writes nothing. The score itself: gongzhi/estates/scoring.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.notifications import notify
from gongzhi.core.roles import Action, Role
from gongzhi.deliberation.models import FollowThroughStatus, Meeting, MeetingKind, MeetingStatus
from gongzhi.deliberation.selectors import public_follow_throughs
from gongzhi.estates import scoring
from gongzhi.estates.models import (
    BodyKind,
    CompanyStaff,
    Evaluation,
    ListColour,
    OwnersCommittee,
    PropertyCompany,
    RedBlackEntry,
    ServiceContract,
    Survey,
    SurveyAnswer,
    Term,
    TermMember,
    TermReminder,
)
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import stats as ticket_stats
from gongzhi.tickets.models import Status, Ticket

STREET_DEPTH = access.COMMUNITY_DEPTH - 1


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= clock.today().year:
        raise ValidationError({"year": _("Enter a year from 2000 to this year.")})
    return year


def _score_1_5(value: Any, field: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= 5:
        raise ValidationError({field: _("Choose from 1 to 5 stars.")})
    return n


def _community_of(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "".join(f"{p}/" for p in parts[: access.COMMUNITY_DEPTH + 1])


def _street_of(path: str) -> str:
    parts = [p for p in path.split("/") if p]
    return "".join(f"{p}/" for p in parts[: STREET_DEPTH + 1])


# --------------------------------------------------------------------------- the survey


def open_survey(estate: Place, *, actor: User, year: Any, closes_on: dt.date) -> Survey:
    """Open the year's satisfaction survey of an estate (one per estate and year)."""
    year = _year(year)
    if estate.kind != PlaceKind.ESTATE:
        raise ValidationError({"estate": _("A survey is for an estate.")})
    if closes_on < clock.today():
        raise ValidationError({"closes_on": _("The closing date cannot be in the past.")})
    with transaction.atomic():
        grant = access.require(
            actor, Action.ESTATE_MANAGE, estate.path, read_action=Action.ESTATE_VIEW
        )
        if Survey.objects.filter(estate=estate, year=year).exists():
            raise ValidationError(
                {
                    "year": _("%(estate)s already has a survey for %(year)s.")
                    % {"estate": estate.name, "year": year}
                }
            )
        survey = Survey.objects.create(
            estate=estate, year=year, closes_on=closes_on, place_path=estate.path
        )
        audit.record(
            actor=actor,
            action="estates.survey_open",
            target=survey,
            place_path=survey.place_path,
            post=grant.post,
            changes={"year": year, "closes_on": closes_on},
        )
    return survey


ANSWERED_TWICE = "answered_twice"


def _twice() -> ValidationError:
    return ValidationError(
        _("Your household has already answered this survey; each household answers once."),
        code=ANSWERED_TWICE,
    )


def answer_survey(
    survey: Survey, *, actor: User, company_score: Any, committee_score: Any
) -> SurveyAnswer:
    """A resident answers for their household: one answer per household (refused clearly the
    second time; the unique constraint keeps it so when two arrive at once)."""
    company = _score_1_5(company_score, "company_score")
    committee = _score_1_5(committee_score, "committee_score")
    resident = resident_of(actor)
    household = resident.household if resident is not None else None
    if resident is None or household is None or not resident.is_active:
        raise ValidationError(_("Your login is not linked to a household in the registry."))
    if not household.place_path.startswith(survey.place_path):
        raise ValidationError(_("Only households of the estate answer its survey."))
    if not survey.is_open:
        raise ValidationError(_("The survey closed on %(day)s.") % {"day": survey.closes_on})
    try:
        with transaction.atomic():
            grant = access.require(
                actor,
                Action.ESTATE_MINE,
                household.place_path,
                read_action=Action.COMMUNITY_PUBLIC_VIEW,
            )
            if SurveyAnswer.objects.filter(survey=survey, household=household).exists():
                raise _twice()
            answer = SurveyAnswer.objects.create(
                survey=survey,
                household=household,
                resident=resident,
                company_score=company,
                committee_score=committee,
            )
            audit.record(
                actor=actor,
                action="estates.survey_answer",
                target=survey,
                place_path=survey.place_path,
                post=grant.post,
                changes={"household": household.pk},
            )
    except IntegrityError as error:
        raise _twice() from error
    return answer


# --------------------------------------------------------------------------- evaluations


def _published(path: str, year: int) -> bool:
    return Evaluation.objects.filter(
        year=year, place_path__under=_street_of(path), published_at__isnull=False
    ).exists()


def _refuse_published(path: str, year: int) -> None:
    if _published(path, year):
        raise ValidationError(
            _("The street has published the ratings of %(year)s; they can no longer change.")
            % {"year": year}
        )


def assess(
    body: PropertyCompany | OwnersCommittee,
    *,
    actor: User,
    year: Any,
    assessment: Any,
    note: str,
    community: Place | None = None,
) -> Evaluation:
    """The community's assessment (0–100, with a note) of a body for a year. A company is
    assessed by each community it serves (`community`); a committee by its own."""
    year = _year(year)
    note = inputs.text(note, "note", 500)
    try:
        points = int(assessment)
    except (TypeError, ValueError):
        points = -1
    if not 0 <= points <= 100:
        raise ValidationError({"assessment": _("Enter the assessment from 0 to 100 points.")})
    if isinstance(body, PropertyCompany):
        if community is None or community.kind != PlaceKind.COMMUNITY:
            raise ValidationError({"community": _("Choose the community that assesses.")})
        if not ServiceContract.objects.filter(
            company=body, place_path__under=community.path
        ).exists():
            raise ValidationError(
                {"community": _("The company has no service contract in this community.")}
            )
        path, kind = community.path, BodyKind.COMPANY
        lookup: dict[str, Any] = {"company": body, "year": year, "place_path": path}
    else:
        path, kind = body.place_path, BodyKind.COMMITTEE
        lookup = {"committee": body, "year": year}
    with transaction.atomic():
        grant = access.require(actor, Action.ESTATE_MANAGE, path, read_action=Action.ESTATE_VIEW)
        _refuse_published(path, year)
        evaluation, _created = Evaluation.objects.select_for_update().get_or_create(
            **lookup, defaults={"kind": kind, "place_path": path}
        )
        before = audit.snapshot(evaluation, ["assessment", "assessment_note"])
        evaluation.assessment = points
        evaluation.assessment_note = note
        _compute(evaluation)
        evaluation.save()
        audit.record(
            actor=actor,
            action="estates.assess",
            target=evaluation,
            place_path=path,
            post=grant.post,
            changes=audit.diff(evaluation, before, ["assessment", "assessment_note"]),
            reason=note,
        )
    return evaluation


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = clock.now().tzinfo
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def staff_user_ids(company: PropertyCompany, year: int) -> list[int] | None:
    """The users of the property_staff posts linked to the company (CompanyStaff) by a link in
    force at some time in `year`; None when the company had no such link (the caller falls
    back to the posts at its contract estates)."""
    links = CompanyStaff.objects.filter(since__lte=dt.date(year, 12, 31), company=company).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1))
    )
    if not links.exists():
        return None
    return list(
        Post.objects.filter(pk__in=links.values("post_id")).values_list("user_id", flat=True)
    )


def company_staff(
    company: PropertyCompany, community_path: str, year: int, estates: list[str]
) -> list[int]:
    """Who counts as the company's staff in `year`: the users of its linked posts
    (staff_user_ids); only in a year with no link in force, the users of the property_staff
    posts at its contract estates `estates` or at the community (the older reading)."""
    staff = staff_user_ids(company, year)
    if staff is not None:
        return staff
    return list(
        Post.objects.filter(
            role=Role.PROPERTY_STAFF,
            is_active=True,
            place__path__in=[*estates, community_path],
        ).values_list("user_id", flat=True)
    )


def _contract_estates(company: PropertyCompany, community_path: str, year: int) -> list[str]:
    return list(
        ServiceContract.objects.filter(
            company=company,
            place_path__under=community_path,
            starts_on__lte=dt.date(year, 12, 31),
            ends_on__gte=dt.date(year, 1, 1),
        ).values_list("place_path", flat=True)
    )


def company_ticket_rates(company: PropertyCompany, community_path: str, year: int) -> dict:
    """The ticket rates (gongzhi.tickets.stats definitions) of the tickets created in `year`
    under the company's contract estates in the community and handled by property-company
    staff: the posts linked to the company that year (CompanyStaff), else the property_staff
    posts at one of those estates or the community."""
    estates = _contract_estates(company, community_path, year)
    counts = dict.fromkeys(ticket_stats.COUNT_NAMES, 0)
    if estates:
        staff = company_staff(company, community_path, year, estates)
        where = Q()
        for path in estates:
            where |= Q(place_path__under=path)
        start, end = _year_range(year)
        row = (
            Ticket.objects.filter(where, handler_user_id__in=staff)
            .filter(created_at__gte=start, created_at__lt=end)
            .exclude(status=Status.MERGED)
            .aggregate(**ticket_stats.count_expressions(clock.now()))
        )
        counts = {name: row[name] or 0 for name in ticket_stats.COUNT_NAMES}
    result = ticket_stats.Row(key=company.pk, label=company.name)
    result.add(counts)
    rates = {name: result.rate(name) for name in MEASURED_RATES}
    return {"tickets": counts["tickets"], "rates": rates}


MEASURED_RATES = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")


def joint_attendance(community: Place, user_ids: Any, year: int) -> dict[str, Any]:
    """Joint-meeting attendance of a body (issue 14 items 4 and 6): the community's three-party
    joint meetings (deliberation, kind `joint`) that took place in `year` (not cancelled,
    started by now) to which one of the body's people (`user_ids`) was invited or came, and of
    those the ones at least one of them attended (checked in or marked by staff). Rate =
    attended ÷ invited × 100, one decimal; None when the body was invited to none."""
    start, end = _year_range(year)
    ids = list(user_ids)
    meetings = (
        Meeting.objects.filter(
            community=community,
            kind=MeetingKind.JOINT,
            starts_at__gte=start,
            starts_at__lt=min(end, clock.now()),
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(Q(invitations__user_id__in=ids) | Q(attendances__user_id__in=ids))
        .distinct()
    )
    n = meetings.count()
    attended = (
        Meeting.objects.filter(pk__in=meetings.values("pk"), attendances__user_id__in=ids)
        .distinct()
        .count()
    )
    rate = round(attended * 100 / n, 1) if n else None
    return {"meetings": n, "attended": attended, "attendance_rate": rate}


def follow_throughs_owed(community: Place, user_ids: Any, year: int) -> dict[str, Any]:
    """The follow-throughs (落实事项) of the community's joint meetings due in `year` owed by
    one of `user_ids`, and how many were done by their deadline. Rate = on time ÷ owed × 100,
    one decimal; None when none was owed."""
    owed = public_follow_throughs(community).filter(
        resolution__meeting__kind=MeetingKind.JOINT,
        owner_id__in=user_ids,
        due__gte=dt.date(year, 1, 1),
        due__lte=dt.date(year, 12, 31),
    )
    n = owed.count()
    on_time = owed.filter(status=FollowThroughStatus.DONE, done_at__date__lte=F("due")).count()
    rate = round(on_time * 100 / n, 1) if n else None
    return {"follow_throughs": n, "on_time": on_time, "follow_through_rate": rate}


def company_joint_work(company: PropertyCompany, community: Place, year: int) -> dict[str, Any]:
    """A company's joint-meeting attendance and follow-throughs in a community it serves, its
    people read as for its tickets (company_staff)."""
    estates = _contract_estates(company, community.path, year)
    staff = company_staff(company, community.path, year, estates) if estates else []
    return {
        **joint_attendance(community, staff, year),
        **follow_throughs_owed(community, staff, year),
    }


def committee_follow_throughs(committee: OwnersCommittee, year: int) -> dict[str, Any]:
    """The committee's measured part (issue 14 item 6): the follow-throughs (落实事项) of the
    community's three-party joint meetings (三方联动, deliberation) due in `year` and owed by a
    member of one of its terms in force that year (the member's linked login), and how many
    were done by their deadline. Rate = on time ÷ owed × 100; None when none was owed."""
    return follow_throughs_owed(committee.community, committee_users(committee, year), year)


def committee_users(committee: OwnersCommittee, year: int) -> Any:
    """The linked logins of the members of the committee's terms in force in `year` (a member
    who left, or a term that ended early, before the year began does not count)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (
        TermMember.objects.filter(
            term__committee=committee,
            term__starts_on__lte=last,
            term__ends_on__gte=first,
            resident__user__isnull=False,
        )
        .filter(
            Q(left_on__isnull=True) | Q(left_on__gte=first),
            Q(term__ended_early_on__isnull=True) | Q(term__ended_early_on__gte=first),
        )
        .values("resident__user_id")
    )


def committee_joint_work(committee: OwnersCommittee, year: int) -> dict[str, Any]:
    """A committee's joint-meeting attendance and follow-throughs (its members' logins)."""
    users = list(committee_users(committee, year).values_list("resident__user_id", flat=True))
    return {
        **joint_attendance(committee.community, users, year),
        **follow_throughs_owed(committee.community, users, year),
    }


def _profile_for(path: str) -> profiles.Profile | None:
    place = Place.objects.filter(path=path).first()
    return profiles.effective_profile(place) if place is not None else None


def _compute(evaluation: Evaluation) -> None:
    """Fill score, stars and parts from the survey answers, the assessment and what the
    platform measures (not saved)."""
    year = evaluation.year
    if evaluation.kind == BodyKind.COMPANY:
        company = evaluation.company
        assert company is not None
        estates = ServiceContract.objects.filter(
            company=company,
            place_path__under=evaluation.place_path,
            starts_on__lte=dt.date(year, 12, 31),
            ends_on__gte=dt.date(year, 1, 1),
        ).values("estate_id")
        answers = SurveyAnswer.objects.filter(survey__year=year, survey__estate_id__in=estates)
        scores = list(answers.values_list("company_score", flat=True))
        measured = company_ticket_rates(company, evaluation.place_path, year)
        community = Place.objects.get(path=evaluation.place_path)
        joint = company_joint_work(company, community, year)
        ticket_value = scoring.measured_value(measured["rates"])
        measured_value = scoring.measured_value(
            {
                "tickets": ticket_value,
                "attendance": joint["attendance_rate"],
                "follow_through": joint["follow_through_rate"],
            }
        )
        details: dict[str, dict[str, Any]] = {
            "measured": {
                "tickets": measured["tickets"],
                **{k: v for k, v in measured["rates"].items()},
                "ticket_value": None if ticket_value is None else str(ticket_value),
                **joint,
            }
        }
    else:
        committee = evaluation.committee
        assert committee is not None
        answers = SurveyAnswer.objects.filter(survey__year=year, survey__estate=committee.estate)
        scores = list(answers.values_list("committee_score", flat=True))
        joint = committee_joint_work(committee, year)
        measured_value = scoring.measured_value(
            {
                "attendance": joint["attendance_rate"],
                "follow_through": joint["follow_through_rate"],
            }
        )
        details = {"measured": {"tickets": None, **joint}}
    details["satisfaction"] = {"answers": len(scores)}
    details["assessment"] = {"note": evaluation.assessment_note}
    result = scoring.score(
        {
            "satisfaction": scoring.satisfaction_value(scores),
            "assessment": evaluation.assessment,
            "measured": measured_value,
        },
        _profile_for(evaluation.place_path),
        details,
    )
    evaluation.score = result.score
    evaluation.stars = result.stars
    evaluation.parts = result.parts


def publish_year(street: Place, *, actor: User, year: Any) -> int:
    """The street publishes the year: every owners' committee of its estates and every
    property company with a contract in one of its communities that year is evaluated (the
    scores computed now, kept with their parts), and the year's red and black list goes
    public. Once only; the year must have ended."""
    year = _year(year)
    if street.kind != PlaceKind.STREET:
        raise ValidationError({"street": _("Ratings are published by a street.")})
    if year >= clock.today().year:
        raise ValidationError({"year": _("A year is rated once it has ended.")})
    now = clock.now()
    with transaction.atomic():
        grant = access.require(
            actor, Action.ESTATE_RATE, street.path, read_action=Action.ESTATE_VIEW
        )
        _refuse_published(street.path, year)
        evaluations: list[Evaluation] = []
        for committee in OwnersCommittee.objects.filter(place_path__under=street.path):
            evaluation, _c = Evaluation.objects.get_or_create(
                committee=committee,
                year=year,
                defaults={"kind": BodyKind.COMMITTEE, "place_path": committee.place_path},
            )
            evaluations.append(evaluation)
        pairs = {
            (company_id, _community_of(path))
            for company_id, path in ServiceContract.objects.filter(
                place_path__under=street.path,
                starts_on__lte=dt.date(year, 12, 31),
                ends_on__gte=dt.date(year, 1, 1),
            ).values_list("company_id", "place_path")
        }
        for company_id, path in sorted(pairs):
            evaluation, _c = Evaluation.objects.get_or_create(
                company_id=company_id,
                year=year,
                place_path=path,
                defaults={"kind": BodyKind.COMPANY},
            )
            evaluations.append(evaluation)
        if not evaluations:
            raise ValidationError(_("There is nothing to rate under this street for that year."))
        for evaluation in evaluations:
            _compute(evaluation)
            earned = scoring.award(
                evaluation.kind, evaluation.stars, _profile_for(evaluation.place_path)
            )
            evaluation.award_max_fen, evaluation.award_basis = earned or (None, "")
            evaluation.published_at = now
            evaluation.save()
        entries = RedBlackEntry.objects.filter(street=street, year=year).update(published_at=now)
        audit.record(
            actor=actor,
            action="estates.publish_year",
            target=street,
            place_path=street.path,
            post=grant.post,
            changes={"year": year, "evaluations": len(evaluations), "redblack": entries},
        )
    return len(evaluations)


# --------------------------------------------------------------------------- red and black list


def add_redblack(
    street: Place,
    body: PropertyCompany | OwnersCommittee,
    *,
    actor: User,
    year: Any,
    colour: str,
    reason: str,
    evidence: str,
) -> RedBlackEntry:
    """An entry of the street's red or black list for a year (public when the year is
    published). The body must lie (or serve an estate) under the street."""
    year = _year(year)
    reason = inputs.text(reason, "reason", 500)
    evidence = inputs.text(evidence, "evidence", 200)
    if colour not in ListColour.values:
        raise ValidationError({"colour": _("Choose the red or the black list.")})
    if street.kind != PlaceKind.STREET:
        raise ValidationError({"street": _("The red and black list is published by a street.")})
    if isinstance(body, PropertyCompany):
        kind = BodyKind.COMPANY
        ours = (
            body.place_path.startswith(street.path)
            or body.contracts.filter(place_path__under=street.path).exists()
        )
        fields: dict[str, Any] = {"company": body}
    else:
        kind = BodyKind.COMMITTEE
        ours = body.place_path.startswith(street.path)
        fields = {"committee": body}
    if not ours:
        raise ValidationError(_("The body is not under this street."))
    with transaction.atomic():
        grant = access.require(
            actor, Action.ESTATE_RATE, street.path, read_action=Action.ESTATE_VIEW
        )
        _refuse_published(street.path, year)
        if RedBlackEntry.objects.filter(street=street, year=year, **fields).exists():
            raise ValidationError(
                _("%(body)s is already on the %(year)s list.") % {"body": body, "year": year}
            )
        entry = RedBlackEntry.objects.create(
            street=street,
            year=year,
            colour=colour,
            kind=kind,
            reason=reason,
            evidence=evidence,
            place_path=street.path,
            **fields,
        )
        audit.record(
            actor=actor,
            action="estates.redblack_add",
            target=entry,
            place_path=street.path,
            post=grant.post,
            changes={"year": year, "colour": colour, "kind": kind, "body": body.pk},
            reason=reason,
        )
    return entry


def company_bar(company: PropertyCompany, place: Place) -> scoring.Bar | None:
    """Whether the company is barred under the effective profile of `place` (000 §五)."""
    years = RedBlackEntry.objects.filter(
        company=company, colour=ListColour.BLACK, published_at__isnull=False
    ).values_list("year", flat=True)
    return scoring.bar(years, profiles.effective_profile(place), clock.today())


def refuse_barred(company: PropertyCompany, estate: Place) -> None:
    """Called by services.add_contract: a barred company takes no new service contract."""
    found = company_bar(company, estate)
    if found is not None:
        raise ValidationError(
            _(
                "%(company)s was on the black list %(run)s years running (last in %(year)s) "
                "and is barred until %(until)s (%(where)s); it cannot take a new service "
                "contract."
            )
            % {
                "company": company.name,
                "run": found.run,
                "year": found.last_year,
                "until": found.until,
                "where": found.citation or _("the local policy"),
            }
        )


def _plain(text: str) -> str:
    return "".join(text.split()).upper()


def barred_payee(payee: str, place_path: str) -> str | None:
    """Installed in microprojects (services.set_payee_check) by EstatesConfig.ready(): a
    micro-project may not pay a company barred from public projects (000 §五) under the
    effective profile of the project's place. The payee matches a company when its text holds
    the company's name or its credit code (spaces and letter case ignored). Returns the
    refusal, or None."""
    place = Place.objects.filter(path=place_path).first()
    if place is None:
        return None
    text = _plain(payee)
    listed = RedBlackEntry.objects.filter(
        colour=ListColour.BLACK, published_at__isnull=False, company__isnull=False
    ).values("company_id")
    for company in PropertyCompany.objects.filter(pk__in=listed).order_by("pk"):
        name = _plain(company.name)
        if not ((name and name in text) or company.credit_code in text):
            continue
        found = company_bar(company, place)
        if found is not None:
            return _(
                "%(company)s was on the black list %(run)s years running (last in %(year)s) "
                "and is barred from public projects until %(until)s (%(where)s); a "
                "micro-project cannot pay it."
            ) % {
                "company": company.name,
                "run": found.run,
                "year": found.last_year,
                "until": found.until,
                "where": found.citation or _("the local policy"),
            }
    return None


# --------------------------------------------------------------------------- reminders


def _reminder_text(term: Term) -> str:
    return _("Term %(n)s of %(committee)s ends on %(day)s: prepare the re-election (换届).") % {
        "n": term.number,
        "committee": term.committee.name,
        "day": term.ends_on,
    }


def remind_term_expiry() -> int:
    """The daily sweep (换届提醒): a current term ending within
    `owners_committee.term_reminder_months` of the estate's effective profile (platform
    default 3) — the community's secretaries and workers are notified, once per term (a
    TermReminder row, unique per term)."""
    today = clock.today()
    sent = 0
    terms = (
        Term.objects.filter(
            ended_early_on__isnull=True,
            starts_on__lte=today,
            ends_on__gte=today,
            reminder__isnull=True,
        )
        .select_related("committee__estate", "committee__community")
        .order_by("id")
    )
    for term in terms:
        profile = profiles.effective_profile(term.committee.estate)
        months = int(scoring.setting(profile, scoring.REMINDER_KEY) or 0)
        if not months or today < _months_before(term.ends_on, months):
            continue
        community = term.committee.community
        try:
            with transaction.atomic():
                TermReminder.objects.create(term=term)
                staff = Post.objects.filter(
                    place=community,
                    role__in=(Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER),
                    is_active=True,
                ).values_list("user_id", flat=True)
                with translation.override(settings.LANGUAGE_CODE):
                    text = _reminder_text(term)
                notify(
                    staff,
                    verb="estates.term_expiry",
                    text=text,
                    link=reverse("estates:committee", args=[term.committee_id]),
                )
                audit.record(
                    actor=None,
                    action="estates.term_reminder",
                    target=term,
                    place_path=term.place_path,
                    changes={"ends_on": term.ends_on.isoformat(), "months": months},
                )
                sent += 1
        except IntegrityError:
            continue
    return sent


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, 28)
