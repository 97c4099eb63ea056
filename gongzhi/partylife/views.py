"""Organisational-life pages (Chinese; desktop tables, actions in fold-out forms; a member's
own page and the check-in link work on a phone). Thin: forms parse, selectors read, services
write; a refusal comes back as a flash message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, inputs, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.party.selectors import member_candidates
from gongzhi.partylife import checkin, forms, rules, selectors, services
from gongzhi.partylife.letter import filename
from gongzhi.partylife.models import AttendanceStatus, TransferState
from gongzhi.partylife.workflow import Step

PAGE_SIZE = 30
VIEW = rules.VIEW
ATTEND = rules.ATTEND


def _fen(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


@login_required
@requires(VIEW)
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    year = inputs.year(request)
    page = Paginator(selectors.org_rows(user, year), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partylife/index.html",
        {
            "page": page,
            "rows": page.object_list,
            "year": year,
            "overdue": selectors.overdue(user, clock.today()),
            "member": rules.member(user),
        },
    )


@login_required
@requires(VIEW)
def org(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_org(user, pk)
    manage = rules.may_manage(user, body)
    kinds = rules.KINDS_OF_ORG.get(body.kind, ())
    if request.method == "POST":
        form = forms.MeetingForm(request.POST, kinds=kinds)
        if refusals.act(
            request,
            form,
            lambda d: services.plan_meeting(
                body,
                actor=user,
                kind=d["kind"],
                held_on=d["held_on"],
                title=d["title"],
                agenda=d["agenda"],
                location=d["location"],
            ),
            _("The meeting is planned."),
        ):
            return redirect("partylife:org", pk=body.pk)
    year = inputs.year(request)
    page = Paginator(selectors.meetings_of(user, body), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partylife/org.html",
        {
            "org": body,
            "year": year,
            "plan": selectors.plan(body, year, clock.today()),
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "form": forms.MeetingForm(kinds=kinds, initial={"held_on": clock.today()})
            if manage
            else None,
            "rounds": selectors.rounds_of(user, body),
            "review_form": forms.ReviewOpenForm(initial={"year": year})
            if manage and body.kind in rules.BRANCH_KINDS
            else None,
            "is_branch": body.kind in rules.BRANCH_KINDS,
            "awaiting": selectors.awaiting(user, body).count() if manage else 0,
            "plan_year": year >= clock.today().year and body.kind in rules.PLANNED_KINDS,
            "records": selectors.sees_member_records(user, body),
        },
    )


@login_required
@require_POST
@requires(VIEW)
def plan_year(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Plan the rest of the year's meetings from the profile's frequencies."""
    user = request.user
    body = selectors.get_org(user, pk)
    form = forms.ReviewOpenForm(request.POST)  # one field: the year
    made: list[Any] = []
    if refusals.act(
        request,
        form,
        lambda d: made.extend(services.plan_year(body, actor=user, year=d["year"])),
        _("The year's plan is made."),
    ):
        if not made:
            messages.info(request, _("Every period already has its meeting; nothing was added."))
        return redirect(
            f"{reverse('partylife:org', args=[body.pk])}?year={form.cleaned_data['year']}"
        )
    return redirect("partylife:org", pk=body.pk)


@login_required
@requires(VIEW)
def meeting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_meeting(user, pk)
    manage = rules.may_manage(user, item.org)
    context: dict[str, Any] = {
        "meeting": item,
        "manage": manage,
        "rows": selectors.attendance_rows(item) if manage else [],
        "photos": selectors.photos_of(item),
        "me": rules.member(user),
        "leave_form": forms.LeaveForm(),
        "statuses": AttendanceStatus.choices,
    }
    if manage:
        context["minutes_form"] = forms.MinutesForm(initial={"minutes": item.minutes})
        if item.held_on == clock.today() and not item.held:
            link = request.build_absolute_uri(checkin.link(item))
            context.update(link=link, qr=mark_safe(checkin.svg(link)))  # noqa: S308 (segno's own SVG)
    return render(request, "partylife/meeting.html", context)


@login_required
@require_POST
@requires(VIEW)
def minutes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_meeting(user, pk)
    form = forms.MinutesForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.record_minutes(
            item, actor=user, minutes=d["minutes"], uploads=request.FILES.getlist("photos")
        ),
        _("The minutes are recorded."),
    )
    return redirect("partylife:meeting", pk=item.pk)


@login_required
@require_POST
@requires(VIEW)
def attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_meeting(user, pk)
    form = forms.AttendanceForm(request.POST)

    def call(d: dict[str, Any]) -> object:
        member = selectors.members_of(item.org).filter(pk=d["member"]).first()
        if member is None:
            raise ValidationError(_("Choose a member of this organisation."))
        return services.record_attendance(
            item, member, actor=user, status=d["status"], reason=d["reason"]
        )

    refusals.act(request, form, call, _("The attendance is recorded."))
    return redirect("partylife:meeting", pk=item.pk)


@login_required
@require_POST
@requires(ATTEND)
def leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_meeting(user, pk)
    form = forms.LeaveForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.ask_leave(item, actor=user, reason=d["reason"]),
        _("Your leave is recorded."),
    )
    return redirect("partylife:meeting", pk=item.pk)


@login_required
@requires(ATTEND)
def check_in(request: AuthenticatedRequest, pk: int, window: int, token: str) -> HttpResponse:
    """The check-in link of the QR code: a GET shows the meeting, the POST checks in."""
    user = request.user
    item = selectors.get_meeting(user, pk)
    done = None
    if request.method == "POST":
        try:
            done = services.check_in(item, actor=user, window=window, token=token)
        except ValidationError as error:
            refusals.say(request, error)
    return render(request, "partylife/check_in.html", {"meeting": item, "done": done})


@login_required
@requires(VIEW)
def photo(request: AuthenticatedRequest, pk: int) -> FileResponse:
    item = selectors.get_photo(request.user, pk)
    return item.serve()


# --------------------------------------------------------------------------- reviews


@login_required
@require_POST
@requires(VIEW)
def review_open(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_org(user, pk)
    form = forms.ReviewOpenForm(request.POST)
    made: list[Any] = []
    if refusals.act(
        request,
        form,
        lambda d: made.append(services.open_review(body, actor=user, year=d["year"])),
        _("The democratic review is open."),
    ):
        return redirect("partylife:review", pk=made[0].pk)
    return redirect("partylife:org", pk=body.pk)


@login_required
@requires(VIEW)
def review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    round_ = selectors.get_round(user, pk)
    manage = rules.may_manage(user, round_.org)
    return render(
        request,
        "partylife/review.html",
        {
            "round": round_,
            "results": selectors.results_of(user, round_),
            "manage": manage,
            "all": selectors.sees_all_results(user, round_),
            "me": rules.member(user),
            "decide_form": forms.DecideForm() if manage else None,
            "self_form": forms.SelfForm(),
        },
    )


@login_required
@require_POST
@requires(VIEW)
def review_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    result = selectors.get_result(user, pk)
    form = forms.DecideForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.decide(
            result,
            actor=user,
            peer_score=d["peer_score"],
            branch_score=d["branch_score"],
            self_score=d["self_score"],
        ),
        _("The grade is decided."),
    )
    return redirect("partylife:review", pk=result.round_id)


@login_required
@require_POST
@requires(ATTEND)
def review_self(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    result = selectors.get_result(user, pk)
    form = forms.SelfForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.self_assess(result, actor=user, score=d["score"], note=d["note"]),
        _("Your self-assessment is recorded."),
    )
    return redirect("partylife:mine")


# --------------------------------------------------------------------------- dues


@login_required
@requires(VIEW)
def dues(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_org(user, pk)
    manage = rules.may_manage(user, body)
    year = inputs.year(request)
    if request.method == "POST":
        form = forms.DuesForm(request.POST)

        def call(d: dict[str, Any]) -> object:
            member = selectors.members_of(body).filter(pk=d["member"]).first()
            if member is None:
                raise ValidationError(_("Choose a member of this organisation."))
            month = dt.date(year, d["month"], 1)
            amount = _fen(d["amount"]) or 0
            if request.POST.get("kind") == "payment":
                return services.record_payment(member, actor=user, month=month, amount_fen=amount)
            return services.record_due(
                member, actor=user, month=month, amount_fen=amount, base_fen=_fen(d["base"])
            )

        if refusals.act(request, form, call, _("The dues are recorded.")):
            return redirect(f"{request.path}?year={year}")
    if not manage and not selectors.sees_dues(user, body):
        raise Http404
    rows = selectors.dues_rows(body, year, clock.today())
    return render(
        request,
        "partylife/dues.html",
        {
            "org": body,
            "year": year,
            "rows": rows,
            "arrears": [r for r in rows if r.arrears],
            "months": range(1, 13),
            "manage": manage,
        },
    )


# --------------------------------------------------------------------------- the member


@login_required
@requires(ATTEND)
def mine(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    member = rules.member(user)
    if member is None:
        raise Http404
    meetings = Paginator(selectors.my_meetings(user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "partylife/mine.html",
        {
            "member": member,
            "page": meetings,
            "meetings": meetings.object_list,
            "results": selectors.own_results(user),
            "dues": selectors.own_dues(user)[:24],
            "self_form": forms.SelfForm(),
            "today": clock.today(),
            **_my_pledge(user),
            "areas": selectors.own_areas(user, clock.today()),
        },
    )


def _my_pledge(user: Any) -> dict[str, Any]:
    """This year's pledge with its form (until the branch reviews it) and earlier pledges."""
    year = clock.today().year
    rows = list(selectors.own_pledges(user)[:6])
    current = next((p for p in rows if p.year == year), None)
    form = None
    if current is None or not current.reviewed:
        initial = {"year": year, "items": "\n".join(current.items) if current else ""}
        form = forms.PledgeForm(initial=initial)
    return {"pledge": current, "pledge_form": form, "pledges": rows, "pledge_year": year}


# --------------------------------------------------------------------------- transfers


def _transfer_forms(request: AuthenticatedRequest, body: Any, data: Any = None) -> dict[str, Any]:
    user = request.user
    members = [(m.pk, m.resident.name) for m in selectors.members_of(body)]
    targets = [
        (o.pk, f"{o.name}（{o.get_kind_display()}）") for o in selectors.transfer_targets(body)
    ]
    found: dict[str, Any] = {
        "request": forms.TransferRequestForm(data, members=members, targets=targets),
        "out": forms.TransferOutForm(data, members=members),
    }
    if access.grant_for(user, Action.RESIDENT_VIEW, body.place_path) is not None:
        q = inputs.text(request.GET.get("q", ""), "q", 20, required=False)
        residents = [
            (r.pk, f"{r.name}（{r.household.building.name}）" if r.household else r.name)
            for r in member_candidates(user, body, q, 50)
        ]
        found["in"] = forms.TransferInForm(data, residents=residents)
    return found


@login_required
@requires(VIEW)
def transfers(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The transfers out of and into an organisation; its secretary requests, records and
    decides them here."""
    user = request.user
    body = selectors.get_org(user, pk)
    manage = rules.may_manage(user, body)
    if request.method == "POST":
        if not manage:
            rules.require_manage(user, body)
        which = request.POST.get("form", "")
        posted = _transfer_forms(request, body, request.POST)
        form = posted.get(which)
        if form is None:
            raise Http404
        members = selectors.members_of(body)

        def call(d: dict[str, Any]) -> object:
            if which == "in":
                resident = selectors.candidate(user, body, d["resident"])
                return services.record_transfer_in(
                    resident,
                    body,
                    actor=user,
                    outside_org=d["outside_org"],
                    letter_no=d["letter_no"],
                    note=d["note"],
                )
            member = members.filter(pk=d["member"]).first()
            if member is None:
                raise ValidationError(_("Choose a member of this organisation."))
            if which == "out":
                return services.record_transfer_out(
                    member,
                    actor=user,
                    outside_org=d["outside_org"],
                    letter_no=d["letter_no"],
                    note=d["note"],
                )
            target = selectors.transfer_targets(body).filter(pk=d["to_org"]).first()
            if target is None:
                raise ValidationError(_("Choose the receiving organisation."))
            return services.request_transfer(member, target, actor=user, note=d["note"])

        done = {
            "request": _("The transfer is requested; it waits for the receiving branch."),
            "out": _("The transfer out is recorded; the membership has ended."),
            "in": _("The transfer in is recorded; the resident is now a member."),
        }[which]
        if refusals.act(request, form, call, done):
            return redirect("partylife:transfers", pk=body.pk)
    page = Paginator(selectors.transfers_of(user, body), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    below = rules.below([body.pk])
    rows = [
        {
            "t": t,
            "may_decide": manage and t.state == TransferState.REQUESTED and t.to_org_id in below,
            "may_withdraw": manage
            and t.state == TransferState.REQUESTED
            and t.from_org_id in below,
        }
        for t in page.object_list
    ]
    return render(
        request,
        "partylife/transfers.html",
        {
            "org": body,
            "page": page,
            "rows": rows,
            "manage": manage,
            "forms": _transfer_forms(request, body) if manage else {},
            "refuse_form": forms.RefuseForm(),
            "q": request.GET.get("q", ""),
        },
    )


@login_required
@require_POST
@requires(VIEW)
def transfer_step(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponse:
    user = request.user
    item = selectors.get_transfer(user, pk)
    back = item.to_org_id if step in (Step.ACCEPT, Step.REFUSE) else item.from_org_id
    if step == Step.ACCEPT:
        refusals.act(
            request,
            forms.forms.Form({}),
            lambda d: services.accept_transfer(item, actor=user),
            _("The transfer is accepted; the member now belongs to this organisation."),
        )
    elif step == Step.REFUSE:
        refusals.act(
            request,
            forms.RefuseForm(request.POST),
            lambda d: services.refuse_transfer(item, actor=user, reason=d["reason"]),
            _("The transfer is refused; the member stays where they were."),
        )
    elif step == Step.WITHDRAW:
        refusals.act(
            request,
            forms.forms.Form({}),
            lambda d: services.withdraw_transfer(item, actor=user),
            _("The transfer request is withdrawn."),
        )
    else:
        raise Http404
    return redirect("partylife:transfers", pk=back or item.to_org_id or item.from_org_id)


# --------------------------------------------------------------------------- pledges and areas


def _member_records(user: Any, body: Any) -> bool:
    """The branch's pledges and areas: 403 for a visible organisation one may not list."""
    if not selectors.sees_member_records(user, body):
        raise PermissionDenied
    return rules.may_manage(user, body)


@login_required
@require_POST
@requires(ATTEND)
def pledge(request: AuthenticatedRequest) -> HttpResponse:
    """The member makes (or, before the review, changes) their pledge on their phone page."""
    user = request.user
    form = forms.PledgeForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.make_pledge(actor=user, year=d["year"], items=d["items"]),
        _("Your pledge is recorded."),
    )
    return redirect("partylife:mine")


@login_required
@requires(VIEW)
def pledges(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_org(user, pk)
    manage = _member_records(user, body)
    year = inputs.year(request)
    page = Paginator(selectors.pledges_of(user, body, year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "partylife/pledges.html",
        {
            "org": body,
            "year": year,
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "review_form": forms.PledgeReviewForm() if manage else None,
        },
    )


@login_required
@require_POST
@requires(VIEW)
def pledge_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_pledge(user, pk)
    refusals.act(
        request,
        forms.PledgeReviewForm(request.POST),
        lambda d: services.review_pledge(
            item, actor=user, outcome=d["outcome"], comment=d["comment"]
        ),
        _("The pledge is reviewed."),
    )
    return redirect(f"{reverse('partylife:pledges', args=[item.org_id])}?year={item.year}")


def _ids(data: Any, name: str) -> list[int] | None:
    """The ids posted in a multiple choice (None when nothing was posted)."""
    if data is None:
        return None
    return [int(v) for v in data.getlist(name) if v.isdigit() and len(v) < 10]


def _area_form(body: Any, building: int | None, data: Any = None) -> forms.AreaForm:
    return forms.AreaForm(
        data,
        members=[(m.pk, m.resident.name) for m in selectors.members_of(body)],
        buildings=[(b.pk, b.name) for b in selectors.area_buildings(body)],
        households=[
            (h.pk, h.short_address)
            for h in selectors.area_households(body, building, _ids(data, "households"))
        ],
        initial={"starts_on": clock.today()},
    )


@login_required
@requires(VIEW)
def areas(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A branch's responsibility areas; its secretary assigns and ends them here."""
    user = request.user
    body = selectors.get_org(user, pk)
    manage = _member_records(user, body)
    try:
        building: int | None = int(request.GET.get("building", "")) or None
    except ValueError:
        building = None
    form = None
    if manage:
        form = _area_form(body, building)
    if request.method == "POST":
        rules.require_manage(user, body)
        posted = _area_form(body, building, request.POST)

        def call(d: dict[str, Any]) -> object:
            member = selectors.members_of(body).filter(pk=d["member"]).first()
            if member is None:
                raise ValidationError(_("Choose a member of this branch."))
            return services.assign_area(
                body,
                member,
                actor=user,
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                buildings=d["buildings"],
                households=d["households"],
                note=d["note"],
            )

        if refusals.act(request, posted, call, _("The responsibility area is assigned.")):
            return redirect("partylife:areas", pk=body.pk)
        form = posted
    page = Paginator(selectors.areas_of(user, body), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partylife/areas.html",
        {
            "org": body,
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "form": form,
            "building": building,
            "buildings": selectors.area_buildings(body) if manage else [],
            "end_form": forms.AreaEndForm(),
            "today": clock.today(),
        },
    )


@login_required
@require_POST
@requires(VIEW)
def area_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_area(user, pk)
    refusals.act(
        request,
        forms.AreaEndForm(request.POST),
        lambda d: services.end_area(item, actor=user, ends_on=d["ends_on"]),
        _("The responsibility area is ended."),
    )
    return redirect("partylife:areas", pk=item.org_id)


# --------------------------------------------------------------------------- the yearly letter


@login_required
@requires(VIEW)
def letters(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The in-service members of an organisation, each with their yearly letter (PDF)."""
    user = request.user
    body = selectors.get_org(user, pk)
    rules.require_manage(user, body)
    year = inputs.year(request)
    page = Paginator(selectors.letter_members(body), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partylife/letters.html",
        {"org": body, "year": year, "page": page, "rows": page.object_list},
    )


@login_required
@requires(VIEW)
def letter(request: AuthenticatedRequest, pk: int, year: int) -> HttpResponse:
    """The yearly letter's PDF (audited); a refusal comes back as a message."""
    user = request.user
    member = selectors.get_letter_member(pk)
    try:
        pdf = services.yearly_letter(member, actor=user, year=year)
    except ValidationError as error:
        refusals.say(request, error)
        return redirect("partylife:index")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(member, year)}"'
    response["Cache-Control"] = "no-store"
    return response
