"""Ticket pages: the daily loop for residents, grid workers, the community and party members.

Thin: reads through gongzhi.tickets.selectors, every write through gongzhi.tickets.services
(one step per POST). A step refused by the service keeps its meaning: a ticket the user may not
see is 404, a role that may not make the step is 403, a step impossible from the current state
(or a take lost to another party member) and bad input come back as a clear message."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.core import access, refusals
from gongzhi.core import notifications as centre
from gongzhi.core.gates import requires
from gongzhi.core.models import Post
from gongzhi.core.roles import Action
from gongzhi.places import selectors as places
from gongzhi.places.models import PlaceKind
from gongzhi.tickets import forms, geo, notify, selectors, services, views_steps, workflow
from gongzhi.tickets.models import Channel, HandlerKind, Kind, Ticket
from gongzhi.tickets.workflow import Step

PAGE_SIZE = 30
PICKER_GRIDS = 300  # grid outlines drawn on the point picker of the submit forms
# A post's role → the handler kind it is dispatched as.
KIND_OF_ROLE = {
    role: kind
    for kind, roles in services.HANDLER_ROLES.items()
    if kind != HandlerKind.COMMUNITY
    for role in roles
}
NOTE_STEPS = {Step.HANDLE, Step.ESCALATE, Step.RESOLVE, Step.ESCALATE_TO_STREET, Step.REOPEN}
HANDLER_STEPS = {Step.DISPATCH, Step.REASSIGN}
PAGE_STEPS = (
    Step.ACCEPT,
    Step.HANDLE,
    Step.ESCALATE,
    Step.DISPATCH,
    Step.POOL,
    Step.ESCALATE_TO_STREET,
    Step.TAKE,
    Step.START,
    Step.RESOLVE,
    Step.RETURN,
    Step.REASSIGN,
    Step.CONFIRM,
    Step.REOPEN,
    Step.CLOSE,
    Step.MERGE,
)


# The ticket pages' own menu: (url name, label, any of these actions).
TICKET_NAV = (
    ("mine", gettext_lazy("My tickets"), (Action.TICKET_SUBMIT,)),
    ("queue", gettext_lazy("My queue"), (Action.TICKET_ACCEPT,)),
    ("board", gettext_lazy("Dispatch board"), (Action.TICKET_DISPATCH,)),
    ("pool", gettext_lazy("Ticket pool"), (Action.TICKET_TAKE, Action.TICKET_DISPATCH)),
    ("taken", gettext_lazy("My taken tickets"), (Action.TICKET_HANDLE,)),
    ("overdue", gettext_lazy("Overdue"), (Action.TICKET_DISPATCH, Action.TICKET_ACCEPT)),
    ("supervised", gettext_lazy("Supervised"), (Action.TICKET_DISPATCH, Action.TICKET_ACCEPT)),
    ("enter", gettext_lazy("Enter for a resident"), (Action.TICKET_ENTER,)),
    ("map", gettext_lazy("Ticket map"), (Action.TICKET_VIEW,)),
    ("categories", gettext_lazy("Ticket categories"), (Action.TICKET_CATEGORIES,)),
    ("notifications", gettext_lazy("Notifications"), None),  # everyone signed in
)


def _nav(user) -> list[dict]:
    return [
        {"name": name, "label": label, "url": reverse(f"tickets:{name}")}
        for name, label, actions in TICKET_NAV
        if actions is None or any(access.has_any(user, a) for a in actions)
    ]


def _render(request, template, context):
    return render(request, template, {"ticket_nav": _nav(request.user), **context})


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _list(request, template, qs, *, near: bool = False, **context):
    page = _page(request, qs)
    rows = [
        {
            "ticket": t,
            "steps": selectors.steps_for(request.user, t),
            "near": geo.nearness(t) if near else "",
        }
        for t in page
    ]
    return _render(request, template, {"page": page, "rows": rows, **context})


# --- Resident ----------------------------------------------------------------------


@login_required
@requires(Action.TICKET_SUBMIT)
def mine(request):
    """A resident's own tickets."""
    return _list(request, "tickets/mine.html", selectors.my_tickets(request.user))


def _submit(request, form, **extra):
    data = dict(form.cleaned_data)
    category = data.pop("category")
    photos = request.FILES.getlist("photos")
    try:
        ticket = services.submit(
            actor=request.user, category=category, photos=photos, **data, **extra
        )
    except ValidationError as error:
        refusals.on_form(form, error)
        return None
    messages.success(
        request, _("Ticket %(number)s has been submitted.") % {"number": ticket.number}
    )
    return redirect("tickets:detail", ticket.pk)


def _form_context(request, form, title: str, action: str) -> dict:
    return {
        "form": form,
        "title": title,
        "report_kind": Kind.REPORT,
        "boundaries": geo.grid_boundaries(request.user, action, limit=PICKER_GRIDS),
        "map_config": geo.map_config(),
        "max_photos": settings.TICKET_PHOTO_MAX_COUNT,
        "max_photo_mb": settings.TICKET_PHOTO_MAX_BYTES // (1024 * 1024),
    }


@login_required
@requires(Action.TICKET_SUBMIT)
def submit(request):
    home = geo.home_building(request.user)
    form = forms.SubmitForm(
        request.POST or None,
        places=places.visible_places(request.user, Action.TICKET_SUBMIT)
        .filter(kind=PlaceKind.BUILDING)
        .order_by("path"),
        initial={"place": home.pk if home is not None else None},
    )
    if request.method == "POST" and form.is_valid():
        done = _submit(request, form)
        if done:
            return done
    return _render(
        request,
        "tickets/submit.html",
        _form_context(request, form, _("Report or ask for help"), Action.TICKET_SUBMIT),
    )


def _entry_places(user):
    return (
        places.visible_places(user, Action.TICKET_ENTER)
        .filter(kind__in=(PlaceKind.BUILDING, PlaceKind.GRID))
        .order_by("path")
    )


@login_required
@requires(Action.TICKET_ENTER)
def patrol(request):
    """A grid worker (or other staff) reporting an event seen on patrol."""
    form = forms.EntryForm(request.POST or None, places=_entry_places(request.user))
    if request.method == "POST" and form.is_valid():
        done = _submit(request, form, channel=Channel.PATROL)
        if done:
            return done
    return _render(
        request,
        "tickets/submit.html",
        _form_context(request, form, _("Patrol report"), Action.TICKET_ENTER),
    )


@login_required
@requires(Action.TICKET_ENTER)
def enter(request):
    """Staff entering a ticket for a resident who phoned or walked in."""
    form = forms.OnBehalfForm(request.POST or None, places=_entry_places(request.user))
    if request.method == "POST" and form.is_valid():
        done = _submit(request, form)
        if done:
            return done
    return _render(
        request,
        "tickets/submit.html",
        _form_context(request, form, _("Enter a ticket for a resident"), Action.TICKET_ENTER),
    )


# --- One ticket ----------------------------------------------------------------------


def _labelled(events):
    events = list(events)
    for event in events:
        event.label = Step(event.action).label if event.action in Step.values else event.action
    return events


@login_required
def detail(request, pk: int):
    ticket = selectors.get_ticket(request.user, pk)
    steps = selectors.steps_for(request.user, ticket)
    candidates = []
    if HANDLER_STEPS & set(steps):
        candidates = [p for p in selectors.handler_candidates(ticket) if p.role in KIND_OF_ROLE]
    show_submitter = ticket.submitter_id == request.user.pk or not ticket.anonymous
    photos = list(ticket.photos.all())
    events = _labelled(selectors.history(ticket))
    for event in events:
        event.photo_list = [p for p in photos if p.event_id == event.pk]
    return _render(
        request,
        "tickets/detail.html",
        {
            "ticket": ticket,
            "events": events,
            "photos": photos,
            "steps": steps,
            "candidates": candidates,
            "show_submitter": show_submitter,
            "stars": range(1, 6),
            "merged_into": selectors.merged_into(request.user, ticket),
            "max_photos": settings.TICKET_PHOTO_MAX_COUNT,
        },
    )


@login_required
def photo(request, pk: int, photo_id: int, thumb: bool = False):
    """A ticket photo, only for someone who may see the ticket (404 otherwise)."""
    item = selectors.get_photo(request.user, pk, photo_id)
    return item.serve(thumb=thumb)


def _back(request, ticket: Ticket | None):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    if ticket is not None and selectors.visible_tickets(request.user).filter(pk=ticket.pk).exists():
        return redirect("tickets:detail", ticket.pk)
    return redirect("home")


def _merge_into(user, ticket: Ticket, number: str) -> Ticket:
    """The target of a merge, typed by number: a ticket of the same community the user sees."""
    number = (number or "").strip().upper()
    if not number:
        raise ValidationError({"into": _("Type the number of the ticket to merge into.")})
    target = selectors.merge_candidate(user, ticket, number)
    if target is None:
        raise ValidationError(
            {
                "into": _(
                    "No ticket %(number)s in this community that you can see. Check the number."
                )
                % {"number": number}
            }
        )
    return target


def _step_params(request, step: str, ticket: Ticket) -> dict:
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors)
    data = form.cleaned_data
    params: dict = {}
    if step in NOTE_STEPS or step in (Step.START, Step.CLOSE, Step.POOL):
        params["note"] = data["note"]
    if step == Step.RETURN:
        params["reason"] = data["reason"]
    if step == Step.CONFIRM:
        params["rating"] = data["rating"]
        params["comment"] = data["comment"]
    if step == Step.MERGE:
        params["into"] = _merge_into(request.user, ticket, data["into"])
        params["note"] = data["note"]
    if step == Step.RESOLVE:
        params["photos"] = request.FILES.getlist("photos")
    if step in HANDLER_STEPS:
        post = (
            Post.objects.filter(pk=data["handler"], is_active=True).select_related("user").first()
            if data["handler"]
            else None
        )
        params["handler_user"] = post.user if post else None
        params["handler_kind"] = KIND_OF_ROLE.get(post.role, "") if post else ""
        params["note"] = data["note"]
    return params


def _handler_choices(ticket: Ticket) -> list[Post]:
    return [p for p in selectors.handler_candidates(ticket) if p.role in KIND_OF_ROLE]


@login_required
@require_http_methods(["GET", "POST"])
def step(request, pk: int, step: str):
    """One workflow step. GET: its form — the body of the desktop tables' dialog when htmx
    asks, else a page of its own (views_steps). POST: the step, then back with a message — or,
    from the dialog, the row swapped and a toast; a refusal stays in the dialog (4xx)."""
    if step not in PAGE_STEPS:
        raise Http404
    # A take lost to another party member: they hear it was taken, not "not found".
    ticket = selectors.ticket_for_step(request.user, pk, step)
    dialog = views_steps.StepDialog(request, ticket, step, _handler_choices)
    if request.method == "GET":
        return dialog.form()
    function, names = services.STEPS[step]
    try:
        params = {k: v for k, v in _step_params(request, step, ticket).items() if k in names}
        ticket = function(ticket, actor=request.user, **params)
    except workflow.IllegalTransition as error:
        if dialog.htmx:
            return dialog.refused(error.message, 409)
        messages.error(request, error.message)
        return _back(request, ticket)
    except ValidationError as error:
        if dialog.htmx:
            return dialog.refused(refusals.text(error), 400)
        messages.error(request, refusals.text(error))
        return _back(request, ticket)
    except PermissionDenied as error:
        if dialog.htmx:
            return dialog.refused(
                str(error) or _("Your role may not take this step on this ticket."), 403
            )
        raise
    done = _("%(number)s: %(step)s done.") % {"number": ticket.number, "step": Step(step).label}
    if dialog.htmx:
        return dialog.done(ticket, done)
    messages.success(request, done)
    return _back(request, ticket)


# --- Grid worker -----------------------------------------------------------------------


@login_required
@requires(Action.TICKET_ACCEPT)
def queue(request):
    return _list(request, "tickets/queue.html", selectors.grid_queue(request.user))


# --- Community ----------------------------------------------------------------------------


@login_required
@requires(Action.TICKET_DISPATCH)
def board(request):
    return _list(request, "tickets/board.html", selectors.dispatch_board(request.user))


@login_required
@requires(Action.TICKET_DISPATCH, Action.TICKET_ACCEPT)
def overdue(request):
    return _list(
        request,
        "tickets/list.html",
        selectors.overdue(request.user),
        title=_("Overdue tickets"),
        empty=_("No overdue tickets."),
    )


@login_required
@requires(Action.TICKET_DISPATCH, Action.TICKET_ACCEPT)
def supervised(request):
    return _list(
        request,
        "tickets/list.html",
        selectors.supervised(request.user),
        title=_("Supervised tickets"),
        empty=_("No tickets under supervision."),
    )


# --- Party member (and the community's view of the pool) --------------------------------


@login_required
@requires(Action.TICKET_TAKE, Action.TICKET_DISPATCH)
def pool(request):
    """A party member's pool, nearest first (own grid, then by distance from home); the
    community's view of its pool, oldest first."""
    if access.has_any(request.user, Action.TICKET_TAKE):
        home = selectors.member_home(request.user)
        qs = selectors.pool(request.user, home=home)
        return _list(request, "tickets/pool.html", qs, near=True, member=True, home=home)
    return _list(request, "tickets/pool.html", selectors.community_pool(request.user))


@login_required
@requires(Action.TICKET_HANDLE)
def taken(request):
    return _list(request, "tickets/taken.html", selectors.handled_by(request.user))


# --- Everyone: the notification centre ---------------------------------------------------


@login_required
def notifications(request):
    """The user's own notifications, newest first; unread ones highlighted."""
    page = _page(request, centre.notifications(request.user))
    unread = centre.badge_count(request.user)
    return _render(
        request,
        "tickets/notifications.html",
        {"page": page, "unread": unread, "unread_label": centre.badge_label(unread)},
    )


@login_required
def notification_open(request, pk: int):
    """Open a notification: mark it read, then go where it leads — its ticket when the user may
    still see it. Another user's notification is 404."""
    notification = centre.read_notification(pk, actor=request.user)
    ticket_id = notify.ticket_id_of(notification.link)
    if ticket_id is not None:
        if selectors.visible_tickets(request.user).filter(pk=ticket_id).exists():
            return redirect("tickets:detail", ticket_id)
        messages.info(request, _("You can no longer see this ticket."))
    elif notification.link and url_has_allowed_host_and_scheme(notification.link, None):
        return redirect(notification.link)
    return redirect("tickets:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = centre.read_all_notifications(actor=request.user)
    messages.success(
        request,
        ngettext("%(n)s notification marked as read.", "%(n)s notifications marked as read.", count)
        % {"n": count},
    )
    return redirect("tickets:notifications")
