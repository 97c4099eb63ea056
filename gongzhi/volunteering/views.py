"""Volunteering pages: the resident's phone pages (register, activities, check-in scan, points,
time bank) and the staff workbench (volunteers, teams, activities with roster, QR display and
hours confirmation, the community volunteer share).

Thin: reads through selectors, writes through services. A refused write keeps its meaning:
outside the user's scope 404, inside without the right 403, bad input a clear message.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, ledger, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.places.models import PlaceKind
from gongzhi.volunteering import forms, points, qr, selectors, services
from gongzhi.volunteering.models import (
    ActivityStatus,
    SignupStatus,
    Theme,
    VolunteerStatus,
)

PAGE_SIZE = 30
SCAN_PASS_SECONDS = 120
SCAN_SALT = "volunteering.scan"

NAV = (
    ("home", gettext_lazy("Volunteering"), (Action.VOLUNTEER_JOIN,)),
    ("activities", gettext_lazy("Activities"), (Action.VOLUNTEER_JOIN,)),
    ("points", gettext_lazy("My points"), (Action.VOLUNTEER_JOIN,)),
    ("timebank", gettext_lazy("Time bank"), (Action.VOLUNTEER_JOIN,)),
    ("volunteers", gettext_lazy("Volunteers"), (Action.VOLUNTEER_VIEW, Action.VOLUNTEER_MANAGE)),
    ("teams", gettext_lazy("Teams"), (Action.VOLUNTEER_VIEW, Action.VOLUNTEER_MANAGE)),
    ("manage", gettext_lazy("Organise activities"), (Action.ACTIVITY_ORGANISE,)),
    ("share", gettext_lazy("Volunteer share"), (Action.VOLUNTEER_VIEW,)),
)


def _nav(user) -> list[dict]:
    return [
        {"name": name, "label": label, "url": reverse(f"volunteering:{name}")}
        for name, label, actions in NAV
        if any(access.has_any(user, a) for a in actions)
    ]


def _render(request, template, context):
    return render(request, template, {"vol_nav": _nav(request.user), **context})


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --------------------------------------------------------------------------- resident pages


@login_required
@requires(Action.VOLUNTEER_JOIN)
def home(request):
    resident = selectors.me(request.user)
    volunteer = getattr(resident, "volunteer", None) if resident else None
    balance = hours = None
    if resident is not None:
        balance = ledger.balance(points.points_account(resident))
        hours = ledger.balance(points.hours_account(resident))
    return _render(
        request,
        "volunteering/home.html",
        {
            "resident": resident,
            "volunteer": volunteer,
            "balance": balance,
            "hours": ledger.format_amount("hours", hours or 0),
            "upcoming": selectors.open_activities(request.user)[:5],
        },
    )


@login_required
@requires(Action.VOLUNTEER_JOIN)
def register(request):
    resident = selectors.me(request.user)
    volunteer = getattr(resident, "volunteer", None) if resident else None
    initial = (
        {
            "skills": volunteer.skills,
            "availability": volunteer.availability,
            "areas": volunteer.areas,
        }
        if volunteer
        else {"skills": getattr(resident, "specialty", "")}
    )
    form = forms.RegisterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(
                request,
                _("Thank you! Your registration is saved; the community office will approve it."),
            )
            return redirect("volunteering:home")
    return _render(request, "volunteering/register.html", {"form": form, "volunteer": volunteer})


@login_required
@requires(Action.VOLUNTEER_JOIN)
def activities(request):
    resident = selectors.me(request.user)
    mine = {}
    if resident is not None:
        mine = {s.activity_id: s for s in selectors.my_signups(resident)[:200]}
    page = _page(request, selectors.open_activities(request.user))
    rows = [{"activity": a, "signup": mine.get(a.pk)} for a in page]
    past = list(selectors.my_signups(resident)[:20]) if resident else []
    return _render(
        request, "volunteering/activities.html", {"page": page, "rows": rows, "past": past}
    )


@login_required
@require_POST
@requires(Action.VOLUNTEER_JOIN)
def signup(request, pk: int, cancel: bool = False):
    activity = selectors.joinable_activity(request.user, pk)
    try:
        if cancel:
            services.cancel_signup(activity, actor=request.user)
            messages.success(request, _("Your sign-up is cancelled."))
        else:
            services.sign_up(activity, actor=request.user)
            messages.success(
                request,
                _("You are signed up for %(title)s. Scan the organiser's code when you arrive.")
                % {"title": activity.title},
            )
    except ValidationError as error:
        messages.error(request, refusals.text(error))
    return redirect("volunteering:activities")


@login_required
@requires(Action.VOLUNTEER_JOIN)
def scan(request, pk: int, kind: str, window: int, token: str):
    """Opened by scanning the organiser's code: checks the code, then asks to confirm."""
    activity = selectors.joinable_activity(request.user, pk)
    error = scan_pass = None
    if request.method == "POST":
        try:
            data = signing.loads(
                request.POST.get("pass", ""), salt=SCAN_SALT, max_age=SCAN_PASS_SECONDS
            )
            if data != [activity.pk, kind, request.user.pk]:
                raise signing.BadSignature
        except signing.BadSignature:
            error = _("This page has expired. Scan the code on the organiser's phone again.")
        else:
            try:
                signup = services.record_check(activity, kind, actor=request.user)
            except ValidationError as refused:
                error = refusals.text(refused)
            else:
                done = signup.checked_in_at if kind == "in" else signup.checked_out_at
                messages.success(
                    request,
                    (
                        _("Checked in at %(time)s.")
                        if kind == "in"
                        else _("Checked out at %(time)s.")
                    )
                    % {"time": timezone.localtime(done).strftime("%H:%M")},
                )
                return redirect("volunteering:activities")
    else:
        try:
            qr.check(activity, kind, window, token)
        except qr.TokenError as refused:
            error = str(refused)
        else:
            scan_pass = signing.dumps([activity.pk, kind, request.user.pk], salt=SCAN_SALT)
    return _render(
        request,
        "volunteering/scan.html",
        {"activity": activity, "kind": kind, "error": error, "scan_pass": scan_pass},
    )


def _month(request) -> tuple[int, int]:
    today = clock.today()
    value = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in value.split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        year, month = today.year, today.month
    return year, month


def _shift_month(year: int, month: int, delta: int) -> str:
    year, month = points.shift_month(year, month, delta)
    return f"{year:04d}-{month:02d}"


@login_required
@requires(Action.VOLUNTEER_JOIN)
def my_points(request):
    resident = selectors.me(request.user)
    if resident is None:
        messages.error(request, str(_no_resident()))
        return redirect("volunteering:home")
    account = points.points_account(resident)
    hours = points.hours_account(resident)
    currency = "hours" if request.GET.get("currency") == "hours" else "points"
    year, month = _month(request)
    statement = ledger.statement(hours if currency == "hours" else account, year, month)
    page = _page(request, statement.entries.select_related("debit", "credit"))
    rows = [
        {
            "entry": e,
            "amount": e.amount if e.credit_id == statement.account.pk else -e.amount,
            "shown": ledger.format_amount(
                currency, e.amount if e.credit_id == statement.account.pk else -e.amount
            ),
        }
        for e in page
    ]
    return _render(
        request,
        "volunteering/points.html",
        {
            "balance": ledger.balance(account),
            "hours": ledger.format_amount("hours", ledger.balance(hours)),
            "statement": statement,
            "opening": ledger.format_amount(currency, statement.opening),
            "closing": ledger.format_amount(currency, statement.closing),
            "credits": ledger.format_amount(currency, statement.credits),
            "debits": ledger.format_amount(currency, statement.debits),
            "currency": currency,
            "month": f"{year:04d}-{month:02d}",
            "previous": _shift_month(year, month, -1),
            "next": _shift_month(year, month, 1),
            "page": page,
            "rows": rows,
        },
    )


def _no_resident():
    return _(
        "Your login is not linked to a resident record. Ask your community office to link it, "
        "then try again."
    )


@login_required
@requires(Action.VOLUNTEER_JOIN)
def timebank(request):
    resident = selectors.me(request.user)
    post_form = forms.ExchangeForm(request.POST if "post" in request.POST else None)
    members = list(services.family_members(resident)) if resident else []
    family_form = forms.FamilyTransferForm(
        request.POST if "family" in request.POST else None, members=members
    )
    if request.method == "POST" and "post" in request.POST and post_form.is_valid():
        try:
            services.post_exchange(actor=request.user, **post_form.cleaned_data)
        except ValidationError as error:
            refusals.on_form(post_form, error)
        else:
            messages.success(request, _("Posted. Neighbours in your community can now take it."))
            return redirect("volunteering:timebank")
    if request.method == "POST" and "family" in request.POST and family_form.is_valid():
        try:
            services.family_transfer(
                actor=request.user,
                to_resident_id=int(family_form.cleaned_data["to_resident"]),
                minutes=family_form.cleaned_data["minutes"],
                key=request.POST.get("key") or uuid.uuid4().hex,
            )
        except ValidationError as error:
            refusals.on_form(family_form, error)
        else:
            messages.success(request, _("The hours have been transferred."))
            return redirect("volunteering:timebank")
    page = _page(request, selectors.open_exchanges(request.user))
    return _render(
        request,
        "volunteering/timebank.html",
        {
            "page": page,
            "resident": resident,
            "mine": list(selectors.my_exchanges(resident)[:30]) if resident else [],
            "post_form": post_form,
            "family_form": family_form,
            "members": members,
            "family_key": uuid.uuid4().hex,
            "hours": ledger.format_amount(
                "hours", ledger.balance(points.hours_account(resident)) if resident else 0
            ),
        },
    )


EXCHANGE_STEPS = {
    "take": (services.take_exchange, gettext_lazy("You took it. Contact your neighbour.")),
    "confirm": (services.confirm_exchange, gettext_lazy("Confirmed.")),
    "cancel": (services.cancel_exchange, gettext_lazy("Cancelled.")),
}


@login_required
@require_POST
@requires(Action.VOLUNTEER_JOIN)
def exchange_step(request, pk: int, step: str):
    if step not in EXCHANGE_STEPS:
        raise Http404
    exchange = selectors.get_exchange(request.user, pk)
    function, done = EXCHANGE_STEPS[step]
    try:
        function(exchange, actor=request.user)
    except ValidationError as error:
        messages.error(request, refusals.text(error))
    else:
        messages.success(request, str(done))
    return redirect("volunteering:timebank")


# --------------------------------------------------------------------------- staff pages


@login_required
@requires(Action.VOLUNTEER_VIEW, Action.VOLUNTEER_MANAGE)
def volunteers(request):
    qs = selectors.volunteers(request.user)
    status = request.GET.get("status", "")
    if status in VolunteerStatus.values:
        qs = qs.filter(status=status)
    community = request.GET.get("community", "")
    if community.isdigit():
        qs = qs.filter(community_id=int(community))
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        qs = qs.filter(resident__name__contains=q) | qs.filter(skills__contains=q)
    page = _page(request, qs.order_by("status", "-registered_at", "id"))
    return _render(
        request,
        "volunteering/volunteers.html",
        {
            "page": page,
            "statuses": VolunteerStatus.choices,
            "communities": selectors.places_in_scope(request.user, Action.VOLUNTEER_VIEW),
            "filters": {"status": status, "community": community, "q": q},
            "can_manage": access.has_any(request.user, Action.VOLUNTEER_MANAGE),
            "decide_form": forms.DecideForm(),
        },
    )


@login_required
@require_POST
@requires(Action.VOLUNTEER_MANAGE)
def decide(request, pk: int):
    volunteer = selectors.get_volunteer(request.user, pk)
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or suspend."))
    else:
        try:
            services.decide(volunteer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, refusals.text(error))
        else:
            messages.success(request, _("Saved."))
    return redirect(request.POST.get("next") or reverse("volunteering:volunteers"))


@login_required
@requires(Action.VOLUNTEER_VIEW, Action.VOLUNTEER_MANAGE)
def teams(request):
    page = _page(request, selectors.teams(request.user).order_by("place_path", "name"))
    return _render(
        request,
        "volunteering/teams.html",
        {"page": page, "can_manage": access.has_any(request.user, Action.VOLUNTEER_MANAGE)},
    )


@login_required
@requires(Action.VOLUNTEER_MANAGE)
def team_edit(request, pk: int | None = None):
    team = selectors.get_team(request.user, pk) if pk else None
    vols = selectors.team_candidates(request.user)
    initial = {}
    if team:
        initial = {
            "community": team.community,
            "name": team.name,
            "theme": team.theme,
            "leader": team.leader,
            "members": list(team.members.all()),
        }
    form = forms.TeamForm(
        request.POST or None,
        initial=initial,
        communities=selectors.places_in_scope(request.user, Action.VOLUNTEER_MANAGE),
        volunteers=vols,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_team(
                actor=request.user,
                community=data["community"],
                name=data["name"],
                theme=data["theme"],
                leader=data["leader"],
                members=[m.pk for m in data["members"]],
                team=team,
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("The team is saved."))
            return redirect("volunteering:teams")
    return _render(
        request, "volunteering/team_form.html", {"form": form, "team": team, "themes": Theme}
    )


@login_required
@requires(Action.ACTIVITY_ORGANISE)
def manage(request):
    qs = selectors.organised_activities(request.user)
    when = request.GET.get("when", "upcoming")
    now = clock.now()
    if when == "past":
        qs = qs.filter(ends_at__lte=now).order_by("-starts_at", "-id")
    else:
        qs = qs.filter(ends_at__gt=now).order_by("starts_at", "id")
    return _render(request, "volunteering/manage.html", {"page": _page(request, qs), "when": when})


def _activity_form(request, activity=None):
    initial = {}
    if activity is not None:
        initial = {f: getattr(activity, f) for f in services.ACTIVITY_FIELDS}
        initial["community"] = selectors.place_of(activity)
        for f in ("starts_at", "ends_at"):
            initial[f] = timezone.localtime(initial[f]).strftime("%Y-%m-%dT%H:%M")
    communities = selectors.places_in_scope(
        request.user, Action.ACTIVITY_ORGANISE, (PlaceKind.COMMUNITY, PlaceKind.GRID)
    )
    team_qs = selectors.team_choices(communities)
    extra = {} if activity is not None else selectors.organiser_choices(request.user)
    return forms.ActivityForm(
        request.POST or None, initial=initial, communities=communities, teams=team_qs, **extra
    )


@login_required
@requires(Action.ACTIVITY_ORGANISE)
def activity_edit(request, pk: int | None = None):
    activity = selectors.get_managed(request.user, pk) if pk else None
    form = _activity_form(request, activity)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        community = data.pop("community")
        try:
            if activity is None:
                activity = services.publish(actor=request.user, community=community, **data)
                messages.success(request, _("The activity is published."))
            else:
                services.edit(activity, actor=request.user, **data)
                messages.success(request, _("The activity is saved."))
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            return redirect("volunteering:activity", activity.pk)
    return _render(request, "volunteering/activity_form.html", {"form": form, "activity": activity})


@login_required
@requires(Action.ACTIVITY_ORGANISE, Action.VOLUNTEER_VIEW)
def activity(request, pk: int):
    item = selectors.get_organised(request.user, pk)
    can_organise = services.may_manage(request.user, item)
    rows = [
        {"signup": s, "minutes": services.computed_minutes(_with(s, item))}
        for s in selectors.roster(item)
    ]
    return _render(
        request,
        "volunteering/activity.html",
        {
            "activity": item,
            "rows": rows,
            "can_organise": can_organise,
            "can_manage": access.can(request.user, Action.VOLUNTEER_MANAGE, item.place_path),
            "no_shows": sum(1 for r in rows if r["signup"].status == SignupStatus.NO_SHOW),
            "correct_form": forms.CorrectForm(),
            "open": item.status == ActivityStatus.PUBLISHED,
        },
    )


def _with(signup, activity):
    signup.activity = activity
    return signup


@login_required
@require_POST
@requires(Action.ACTIVITY_ORGANISE)
def activity_action(request, pk: int, action: str):
    item = selectors.get_managed(request.user, pk)
    try:
        if action == "confirm":
            ids = request.POST.getlist("signup") or None
            result = services.confirm_hours(item, ids, actor=request.user)
            messages.success(
                request,
                _(
                    "%(confirmed)s participants confirmed, %(points)s points credited, "
                    "%(no_shows)s no-shows."
                )
                % result,
            )
        elif action == "correct":
            form = forms.CorrectForm(request.POST)
            signup = item.signups.filter(pk=request.POST.get("signup") or 0).first()
            if signup is None:
                raise Http404
            if not form.is_valid():
                raise ValidationError(_("Give the minutes (0 or more) and a reason."))
            services.correct_minutes(signup, actor=request.user, **form.cleaned_data)
            messages.success(request, _("The minutes are corrected."))
        elif action == "cancel":
            services.cancel_activity(item, request.POST.get("reason", ""), actor=request.user)
            messages.success(request, _("The activity is cancelled."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, refusals.text(error))
    return redirect("volunteering:activity", item.pk)


@login_required
@requires(Action.ACTIVITY_ORGANISE)
def activity_qr(request, pk: int, kind: str):
    """The organiser's phone shows this; the code refreshes itself (htmx) every 20 s."""
    item = selectors.get_managed(request.user, pk)
    if kind not in qr.KINDS:
        raise Http404
    url = request.build_absolute_uri(qr.scan_path(item, kind))
    context = {
        "activity": item,
        "kind": kind,
        "url": url,
        "svg": mark_safe(qr.svg(url)),  # noqa: S308 generated by segno from our own URL
        "seconds": qr.window_seconds(),
    }
    if request.headers.get("HX-Request") or request.GET.get("partial"):
        return render(request, "volunteering/_qr.html", context)
    return _render(request, "volunteering/qr.html", context)


def _statement_rows(statement, currency: str, entries) -> list[dict]:
    rows = []
    for e in entries:
        amount = e.amount if e.credit_id == statement.account.pk else -e.amount
        rows.append(
            {
                "entry": e,
                "amount": amount,
                "shown": ledger.format_amount(currency, amount),
                "reversible": services.is_award(e) and not e.is_reversed,
            }
        )
    return rows


@login_required
@requires(Action.VOLUNTEER_MANAGE)
def resident_points(request, pk: int):
    """Staff: a resident's points or hours statement, with a button to reverse a wrongly
    credited award (VOLUNTEER_MANAGE)."""
    resident = selectors.managed_resident(request.user, pk)
    if request.method == "POST":
        form = forms.ReverseForm(request.POST, reasons=services.REVERSAL_REASONS.items())
        if not form.is_valid():
            messages.error(request, _("Choose why and give a reason."))
        else:
            data = form.cleaned_data
            try:
                done = services.reverse_award(
                    data["entry"],
                    actor=request.user,
                    reason_kind=data["reason_kind"],
                    reason=data["reason"],
                )
            except ValidationError as error:
                messages.error(request, refusals.text(error))
            else:
                messages.success(
                    request,
                    _("The award is reversed.")
                    if done.created
                    else _("This award had already been reversed; nothing was changed."),
                )
        return redirect(request.get_full_path())
    currency = "hours" if request.GET.get("currency") == "hours" else "points"
    year, month = _month(request)
    points_account = points.points_account(resident)
    hours_account = points.hours_account(resident)
    statement = ledger.statement(
        hours_account if currency == "hours" else points_account, year, month
    )
    page = _page(request, selectors.statement_entries(statement))
    return _render(
        request,
        "volunteering/resident_points.html",
        {
            "resident": resident,
            "balance": ledger.balance(points_account),
            "hours": ledger.format_amount("hours", ledger.balance(hours_account)),
            "statement": statement,
            "opening": ledger.format_amount(currency, statement.opening),
            "closing": ledger.format_amount(currency, statement.closing),
            "currency": currency,
            "month": f"{year:04d}-{month:02d}",
            "previous": _shift_month(year, month, -1),
            "next": _shift_month(year, month, 1),
            "page": page,
            "rows": _statement_rows(statement, currency, page),
            "reasons": services.REVERSAL_REASONS.items(),
        },
    )


@login_required
@requires(Action.VOLUNTEER_VIEW)
def share(request):
    return _render(
        request, "volunteering/share.html", {"shares": selectors.volunteer_shares(request.user)}
    )
