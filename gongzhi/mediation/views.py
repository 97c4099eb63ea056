"""Mediation pages: the case list (what the viewer may know of), a case with its actions, the
committees with their mediators and the communities' legal advisers, and the figures. Thin:
forms parse, selectors read, services write; a refusal comes back as a flash message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, exports, gates, inputs, refusals
from gongzhi.core.gates import requires
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.deliberation import selectors as deliberation_selectors
from gongzhi.mediation import (
    awards,
    early_warning,
    forms,
    legal,
    meetings,
    selectors,
    services,
    stats,
    workflow,
)
from gongzhi.mediation.models import AwardKind, Case, Committee, State
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import selectors as ticket_selectors

PAGE_SIZE = 30
VIEW = Action.MEDIATION_VIEW
MANAGE = Action.MEDIATION_MANAGE
MEDIATE = Action.MEDIATION_MEDIATE
AWARD = Action.MEDIATION_AWARD
ASK = Action.MEDIATION_ASK


# --------------------------------------------------------------------------- cases


def _case_form(user: Any, data: Any = None) -> forms.CaseForm:
    committees = selectors.managed_committees(user)
    paths = list(committees.values_list("place_path", flat=True)[:50])
    households = selectors.households_of(user, paths[0]) if len(paths) == 1 else None
    form = forms.CaseForm(data, choices={"committee": committees})
    if households is not None:
        offered = households if data is not None else households[:500]
        form.fields["household"].queryset = offered  # type: ignore[attr-defined]
    else:
        form.fields.pop("household")
    return form


@login_required
@requires(VIEW, MANAGE, MEDIATE)
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    manage = access.has_any(user, MANAGE)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = _case_form(user, request.POST)
        made: list[Case] = []
        if refusals.act(
            request,
            form,
            lambda d: made.append(
                services.open_case(
                    d["committee"],
                    actor=user,
                    source=d["source"],
                    title=d["title"],
                    summary=d["summary"],
                    dispute_type=d["dispute_type"],
                    risk=d["risk"],
                    amount_yuan=d["amount_yuan"],
                    household=d.get("household"),
                    referred_by=d["referred_by"],
                    escalation_risk=bool(d.get("escalation_risk")),
                )
            ),
            _("The case is opened."),
        ):
            return redirect("mediation:case", pk=made[0].pk)
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    page = Paginator(selectors.case_rows(user, state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/index.html",
        {
            "page": page,
            "rows": page.object_list,
            "states": State.choices,
            "state": state,
            "manage": manage,
            "form": _case_form(user) if manage else None,
        },
    )


def _case_forms(user: Any, case: Case, staff: bool) -> dict[str, Any]:
    parties = case.parties.all()
    mediators = case.committee.mediators.filter(is_active=True)
    context: dict[str, Any] = {
        "party_form": forms.PartyForm(
            choices={"resident": selectors.residents_of(user, case.place_path)[:300]}
        ),
        "session_form": forms.SessionForm(choices={"parties": parties, "mediators": mediators}),
        "agreement_form": forms.AgreementForm(),
        "fail_form": forms.NoAgreementForm(),
        "note_form": forms.NoteForm(),
        "optional_note_form": forms.OptionalNoteForm(),
        "follow_up_form": forms.FollowUpForm(),
    }
    if staff:
        context["assign_form"] = forms.AssignForm(choices={"mediator": mediators})
    return context


@login_required
@requires(VIEW, MANAGE, MEDIATE)
def case(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_case(user, pk)
    staff = access.can(user, MANAGE, item.place_path)
    context: dict[str, Any] = {
        "case": item,
        "staff": staff,
        "steps": workflow.steps_from(item.state),
        "above": services.committee_above(item.committee),
        "meetings": selectors.case_meetings(item),
        **selectors.case_detail(item),
    }
    if item.state != State.CLOSED:
        context.update(_case_forms(user, item, staff))
    return render(request, "mediation/case.html", context)


def _party(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.add_party(
        case, actor=user, side=d["side"], resident=d["resident"], name=d["name"], phone=d["phone"]
    )


def _session(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.record_session(
        case,
        actor=user,
        held_at=d["held_at"],
        location=d["location"],
        parties=d["parties"],
        mediators=d["mediators"],
        others=d["others"],
        notes=d["notes"],
    )


def _agree(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.record_agreement(
        case,
        actor=user,
        signed_on=d["signed_on"],
        terms=d["terms"],
        text=d["text"],
        scans=[d["scan"]] if d["scan"] else [],
    )


def _fail(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.record_no_agreement(case, actor=user, referral=d["referral"], note=d["note"])


def _follow_up(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.follow_up(
        case, actor=user, visited_on=d["visited_on"], kept=d["kept"] == "1", note=d["note"]
    )


# act → (form class, call, message)
ACTS: dict[str, tuple[type[forms._Form], Callable[[Any, Case, dict[str, Any]], object], Any]] = {
    "party": (forms.PartyForm, _party, gettext_lazy("The party is added.")),
    "session": (forms.SessionForm, _session, gettext_lazy("The session is recorded.")),
    "agree": (forms.AgreementForm, _agree, gettext_lazy("The agreement is recorded.")),
    "fail": (forms.NoAgreementForm, _fail, gettext_lazy("The outcome is recorded.")),
    "refer_up": (
        forms.NoteForm,
        lambda u, c, d: services.refer_up(c, actor=u, note=d["note"]),
        gettext_lazy("The case is referred to the committee above."),
    ),
    "withdraw": (
        forms.NoteForm,
        lambda u, c, d: services.withdraw(c, actor=u, note=d["note"]),
        gettext_lazy("The withdrawal is recorded."),
    ),
    "start": (
        forms.OptionalNoteForm,
        lambda u, c, d: services.start(c, actor=u),
        gettext_lazy("Mediation has started."),
    ),
    "follow_up": (forms.FollowUpForm, _follow_up, gettext_lazy("The follow-up visit is recorded.")),
    "close": (
        forms.OptionalNoteForm,
        lambda u, c, d: services.close(c, actor=u, note=d["note"]),
        gettext_lazy("The case is closed."),
    ),
    "escalation": (
        forms.NoteForm,
        lambda u, c, d: services.flag_escalation(c, actor=u, note=d["note"]),
        gettext_lazy("The case is flagged to the street."),
    ),
    "assign": (
        forms.AssignForm,
        lambda u, c, d: services.assign_mediator(c, d["mediator"], actor=u),
        gettext_lazy("The mediator is assigned."),
    ),
}


@login_required
@require_POST
@requires(MANAGE, MEDIATE)
def case_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponse:
    user = request.user
    item = selectors.get_case(user, pk)
    if act not in ACTS:
        raise Http404
    form_class, call, done = ACTS[act]
    choices: dict[str, Any] = {}
    if act == "party":
        choices = {"resident": selectors.residents_of(user, item.place_path)}
    elif act == "session":
        choices = {
            "parties": item.parties.all(),
            "mediators": item.committee.mediators.filter(is_active=True),
        }
    elif act == "assign":
        choices = {"mediator": item.committee.mediators.filter(is_active=True)}
    form = form_class(request.POST, request.FILES, choices=choices)
    refusals.act(request, form, lambda d: call(user, item, d), str(done))
    if selectors.readable_cases(user).filter(pk=item.pk).exists():
        return redirect("mediation:case", pk=item.pk)
    return redirect("mediation:index")


@login_required
@requires(VIEW, MANAGE, MEDIATE)
def scan(request: AuthenticatedRequest, pk: int, scan_pk: int) -> FileResponse:
    """A scan of the signed agreement, only for those who may read the case (404 otherwise)."""
    item = selectors.get_scan(selectors.get_case(request.user, pk), scan_pk)
    return item.serve(thumb=bool(request.GET.get("thumb")))


@login_required
@require_POST
@requires(MANAGE)
def from_ticket(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    ticket = ticket_selectors.get_ticket(user, pk)
    try:
        made = services.open_from_ticket(ticket, actor=user)
    except ValidationError as error:
        refusals.say(request, error)
        return redirect("tickets:detail", ticket.pk)
    messages.success(request, _("The case is opened."))
    return redirect("mediation:case", pk=made.pk)


# --------------------------------------------------------------------------- committees


@login_required
@requires(VIEW)
def committees(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    manage = access.has_any(user, MANAGE)
    if request.method == "POST":
        gates.check(user, MANAGE)
        if request.POST.get("form") == "adviser":
            adviser_form = forms.AdviserForm(
                request.POST, choices={"community": selectors.communities_for(user)}
            )
            refusals.act(
                request,
                adviser_form,
                lambda d: services.set_adviser(
                    d["community"],
                    actor=user,
                    name=d["name"],
                    firm=d["firm"],
                    office_phone=d["office_phone"],
                    office_hours=d["office_hours"],
                ),
                _("The legal adviser is recorded."),
            )
        else:
            form = forms.CommitteeForm(
                request.POST, choices={"place": selectors.places_without_committee(user)}
            )
            refusals.act(
                request,
                form,
                lambda d: services.create_committee(d["place"], actor=user, name=d["name"]),
                _("The mediation committee is recorded."),
            )
        return redirect("mediation:committees")
    page = Paginator(selectors.committee_rows(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "rows": page.object_list,
        "advisers": selectors.adviser_rows(user)[:200],
        "manage": manage,
    }
    if manage:
        context["form"] = forms.CommitteeForm(
            choices={"place": selectors.places_without_committee(user)[:300]}
        )
        context["adviser_form"] = forms.AdviserForm(
            choices={"community": selectors.communities_for(user)[:300]}
        )
    return render(request, "mediation/committees.html", context)


def _mediator_form(user: Any, body: Committee, data: Any = None) -> forms.MediatorForm:
    residents = selectors.residents_of(user, body.place_path)
    staff = selectors.staff_of(user, body)
    if data is None:  # the page offers the first ones; a POST checks against them all
        residents, staff = residents[:500], staff[:200]
    return forms.MediatorForm(data, choices={"resident": residents, "user": staff})


@login_required
@requires(VIEW)
def committee(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_committee(user, pk)
    manage = access.can(user, MANAGE, body.place_path)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = _mediator_form(user, body, request.POST)
        refusals.act(
            request,
            form,
            lambda d: services.add_mediator(
                body,
                actor=user,
                kind=d["kind"],
                resident=d["resident"],
                user=d["user"],
                specialties=d["specialties"],
            ),
            _("The mediator is recorded."),
        )
        return redirect("mediation:committee", pk=body.pk)
    return render(
        request,
        "mediation/committee.html",
        {
            "committee": body,
            "mediators": selectors.mediators_of(body),
            "above": services.committee_above(body),
            "manage": manage,
            "form": _mediator_form(user, body) if manage else None,
        },
    )


@login_required
@require_POST
@requires(MANAGE)
def mediator_active(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mediator = selectors.get_mediator(user, pk)
    try:
        services.set_mediator_active(mediator, actor=user, active=request.POST.get("active") == "1")
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("mediation:committee", pk=mediator.committee_id)


# --------------------------------------------------------------------------- figures


@login_required
@requires(VIEW)
def figures(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    year = stats.year_of(request)
    by = stats.by_of(request)
    return render(
        request,
        "mediation/figures.html",
        {"year": year, "by": by, "figures": stats.figures(user, year, by)},
    )


@login_required
@requires(VIEW)
def figures_export(request: AuthenticatedRequest) -> HttpResponse:
    """The figures as .xlsx (gongzhi.core.exports): counts only, the same rows as the page."""
    year = stats.year_of(request)
    by = stats.by_of(request)
    response = HttpResponse(
        stats.xlsx(request.user, year, by), content_type=exports.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="mediation-{year}-{by}.xlsx"'
    return response


# --------------------------------------------------------------------------- early warning


@login_required
@requires(MANAGE)
def board(request: AuthenticatedRequest) -> HttpResponse:
    """The warning board of a committee the viewer keeps (docs/mediation.md "Early warning")."""
    user = request.user
    body = selectors.board_committee(user, request.GET.get("committee"))
    context: dict[str, Any] = {
        "committees": selectors.managed_committees(user).order_by("place_path")[:100],
        "committee": body,
    }
    if body is not None:
        context["board"] = early_warning.board(user, body)
        communities = Place.objects.filter(
            kind=PlaceKind.COMMUNITY, path__under=body.place_path
        ).order_by("path")[:200]
        # Each state with the last day of its current period (`end` is the day after it).
        context["meeting_states"] = [
            (state, state.end - dt.timedelta(days=1) if state.end else None)
            for state in meetings.meeting_states(communities)
        ]
    return render(request, "mediation/board.html", context)


# --------------------------------------------------------------------------- joint meetings


def _meeting_form(user: Any, body: Committee, data: Any = None) -> forms.MeetingForm:
    cases = selectors.agenda_candidates(user, body)
    # The page offers the first ones; a POST checks against them all.
    return forms.MeetingForm(data, choices={"cases": cases if data is not None else cases[:200]})


@login_required
@requires(MANAGE)
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    """The joint meetings on disputes of a community committee: the rhythm, the meetings with
    their cases and decisions; schedule one."""
    user = request.user
    rows = selectors.meeting_committees(user).order_by("place_path")
    pk = request.GET.get("committee") or request.POST.get("committee")
    body = (rows.filter(pk=selectors._pk(pk)).first() if pk else None) or rows.first()
    if body is None:
        return render(request, "mediation/meetings.html", {"committee": None})
    if request.method == "POST":
        form = _meeting_form(user, body, request.POST)
        refusals.act(
            request,
            form,
            lambda d: meetings.schedule(
                body,
                actor=user,
                title=d["title"],
                starts_at=d["starts_at"],
                location=d["location"],
                cases=list(d["cases"]),
            ),
            _("The joint meeting on disputes is scheduled."),
        )
        return redirect(f"{reverse('mediation:meetings')}?committee={body.pk}")
    page = Paginator(selectors.dispute_meetings(body), 10).get_page(request.GET.get("page"))
    listed = list(page.object_list)
    entries = selectors.meeting_entries(listed)
    now = clock.now()
    owners = None
    for m in listed:
        m.entries = entries[m.pk]  # type: ignore[attr-defined]  # for the template
        m.begun = m.starts_at <= now  # type: ignore[attr-defined]
        if m.begun and owners is None:  # type: ignore[attr-defined]
            owners = deliberation_selectors.invitable_users(m).order_by("name", "id")[:300]
    candidates = selectors.agenda_candidates(user, body)[:200]
    return render(
        request,
        "mediation/meetings.html",
        {
            "committee": body,
            "committees": rows[:100],
            "page": page,
            "meetings": listed,
            "state": meetings.meeting_state(body.place),
            "from_profile": meetings.from_profile(body.place),
            "form": _meeting_form(user, body),
            "agenda_form": forms.AgendaForm(choices={"cases": candidates}),
            "decision_form": forms.DecisionForm(
                choices={"owner": owners if owners is not None else User.objects.none()}
            ),
        },
    )


@login_required
@require_POST
@requires(MANAGE)
def meeting_agenda(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    rows = selectors.meeting_committees(user)
    body = rows.filter(pk=selectors._pk(request.POST.get("committee"))).first()
    if body is None:
        raise Http404
    meeting = selectors.get_meeting(user, body, pk)
    form = forms.AgendaForm(
        request.POST, choices={"cases": selectors.agenda_candidates(user, body)}
    )
    refusals.act(
        request,
        form,
        lambda d: meetings.put_on_agenda(meeting, list(d["cases"]), actor=user),
        _("The cases are on the agenda."),
    )
    return redirect(f"{reverse('mediation:meetings')}?committee={body.pk}")


@login_required
@require_POST
@requires(MANAGE)
def meeting_decision(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    entry = selectors.get_entry(user, pk)
    owners = deliberation_selectors.invitable_users(entry.meeting)
    form = forms.DecisionForm(request.POST, choices={"owner": owners})
    refusals.act(
        request,
        form,
        lambda d: meetings.decide(
            entry,
            actor=user,
            text=d["text"],
            owner=d["owner"],
            due=d["due"],
            action_title=d["action_title"],
        ),
        _("The meeting's decision on the case is recorded."),
    )
    body = Committee.objects.filter(place=entry.meeting.community).first()
    if request.POST.get("next") == "case":
        return redirect("mediation:case", pk=entry.case_id)
    return redirect(f"{reverse('mediation:meetings')}?committee={body.pk if body else ''}")


# --------------------------------------------------------------------------- awards


def _award_form(user: Any, data: Any = None) -> forms.AwardForm:
    cases = selectors.award_cases(user)
    return forms.AwardForm(
        data,
        choices={
            "mediator": selectors.award_mediators(user),
            "adviser": selectors.award_advisers(user),
            "case": cases if data is not None else cases[:300],
        },
    )


def _propose(user: User, d: dict[str, Any]) -> object:
    return awards.propose(
        actor=user,
        kind=d["kind"],
        mediator=d["mediator"] if d["kind"] == AwardKind.MEDIATOR else None,
        adviser=d["adviser"] if d["kind"] == AwardKind.ADVISER else None,
        case=d["case"] if d["kind"] == AwardKind.CASE else None,
        reason=d["reason"],
        amount_fen=awards.fen(d["amount_yuan"]),
    )


@login_required
@requires(AWARD)
def award_list(request: AuthenticatedRequest) -> HttpResponse:
    """Awards for mediators, community lawyers and exemplary cases (000 §九): the year's
    awards of the viewer's street or district, the cap from the policy profile, propose one."""
    user = request.user
    if request.method == "POST":
        form = _award_form(user, request.POST)
        refusals.act(request, form, lambda d: _propose(user, d), _("The award is proposed."))
        return redirect("mediation:awards")
    year = inputs.year(request)
    page = Paginator(selectors.award_rows(user, year), PAGE_SIZE).get_page(request.GET.get("page"))
    caps = awards.caps(list(selectors.award_communities(user)[:50]))
    return render(
        request,
        "mediation/awards.html",
        {
            "page": page,
            "awards": list(page.object_list),
            "year": year,
            "years": range(clock.today().year, clock.today().year - 5, -1),
            "caps": caps,
            "may_propose": any(cap is not None for _place, cap in caps) or user.is_superuser,
            "form": _award_form(user),
            "decision_form": forms.AwardDecisionForm(),
        },
    )


@login_required
@require_POST
@requires(AWARD)
def award_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponse:
    user = request.user
    item = selectors.get_award(user, pk)
    calls: dict[str, tuple[Callable[[dict[str, Any]], object], str]] = {
        "approve": (
            lambda d: awards.approve(item, actor=user, note=d["note"]),
            _("The award is approved."),
        ),
        "reject": (
            lambda d: awards.reject(item, actor=user, note=d["note"]),
            _("The award is rejected."),
        ),
        "paid": (lambda d: awards.mark_paid(item, actor=user), _("The award is marked paid.")),
    }
    if act not in calls:
        raise Http404
    call, done = calls[act]
    form: Any = forms.AwardDecisionForm(request.POST) if act != "paid" else forms.ConfirmForm({})
    refusals.act(request, form, call, done)
    return redirect(f"{reverse('mediation:awards')}?year={item.year}")


# --------------------------------------------------------------------------- online legal services


@login_required
@requires(ASK)
def legal_mine(request: AuthenticatedRequest) -> HttpResponse:
    """The resident's page (phone): ask the community's legal adviser, read the answers."""
    user = request.user
    if request.method == "POST":
        form = forms.QuestionForm(request.POST)
        if refusals.act(
            request,
            form,
            lambda d: legal.ask(actor=user, topic=d["topic"], text=d["text"]),
            _("Your question is sent to the community's legal adviser."),
        ):
            return redirect("mediation:legal_mine")
    else:
        form = forms.QuestionForm()
    community = legal.home_community(user)
    page = Paginator(selectors.my_questions(user), 10).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/legal_mine.html",
        {
            "form": form,
            "adviser": selectors.community_adviser(community),
            "page": page,
            "questions": list(page.object_list),
            "answerer": selectors.is_answerer(user),
        },
    )


@login_required
def legal_list(request: AuthenticatedRequest) -> HttpResponse:
    """The questions for the adviser's login and the community's mediation staff: unanswered
    first."""
    user = request.user
    if not selectors.is_answerer(user):
        raise PermissionDenied
    page = Paginator(selectors.answerable_questions(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "mediation/legal_list.html", {"page": page, "questions": list(page.object_list)}
    )


@login_required
def question(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One question and its answer: the asker, the adviser's login, the community's mediation
    staff (404 for anyone else); those who may answer get the form."""
    user = request.user
    item = selectors.get_question(user, pk)
    if request.method == "POST":
        refusals.act(
            request,
            forms.AnswerForm(request.POST),
            lambda d: legal.answer(item, actor=user, text=d["answer"]),
            _("The answer is sent."),
        )
        return redirect("mediation:question", pk=item.pk)
    return render(
        request,
        "mediation/question.html",
        {
            "question": item,
            "may_answer": item.answered_at is None and legal.may_answer(user, item),
            "form": forms.AnswerForm(),
        },
    )
