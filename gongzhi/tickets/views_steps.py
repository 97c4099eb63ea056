"""A ticket's step as a dialog (issue 19, item 3): the form of one step, answered as the body of
the desktop tables' dialog when htmx asks (`HX-Request`), else as a page of its own (which
works without JavaScript); after a step made from a dialog, the table's row is replaced (or
removed when the ticket left the list), the phone card with it, and a toast says it is done.

The step itself is made by gongzhi.tickets.views.step through the services, as before; this
module only renders. Which steps a user may make is selectors.steps_for's answer; a refusal
(the state moved on, the role may not, bad input) is shown inside the dialog with its status
(409, 403, 400) and nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from gongzhi.core import access
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.tickets import geo, selectors, workflow
from gongzhi.tickets.models import Ticket
from gongzhi.tickets.templatetags.ticket_steps import step_button
from gongzhi.tickets.workflow import Step

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer


def _pool(user: Viewer) -> QuerySet[Ticket]:
    if isinstance(user, User) and access.has_any(user, Action.TICKET_TAKE):
        return selectors.pool(user)
    return selectors.community_pool(user)


def _taken(user: Viewer) -> QuerySet[Ticket]:
    return selectors.handled_by(user) if isinstance(user, User) else Ticket.objects.none()


# The lists a dialog can be opened from (their URL names), each with the selector that says
# whether a ticket is still on it after a step.
LISTS: dict[str, Callable[[Viewer], QuerySet[Any]]] = {
    "queue": selectors.grid_queue,
    "board": selectors.dispatch_board,
    "pool": _pool,
    "taken": _taken,
    "overdue": selectors.overdue,
    "supervised": selectors.supervised,
}
NOTE_STEPS = {
    Step.HANDLE,
    Step.ESCALATE,
    Step.RESOLVE,
    Step.ESCALATE_TO_STREET,
    Step.REOPEN,
    Step.START,
    Step.CLOSE,
    Step.POOL,
    Step.MERGE,
    Step.DISPATCH,
    Step.REASSIGN,
}


def wanted(request: HttpRequest) -> bool:
    """Asked by htmx (the dialog), not by a plain browser."""
    return request.headers.get("HX-Request") == "true"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def _list_name(request: HttpRequest) -> str:
    name = request.POST.get("list") or request.GET.get("list") or ""
    return name if name in LISTS else ""


def refusal(user: Viewer, ticket: Ticket, step: str) -> tuple[str, int] | None:
    """Why the user may not make this step now (message, status), or None when they may:
    409 when the ticket's state does not allow it, 403 when the user's role does not (the
    same words as the services' refusals)."""
    if step in selectors.steps_for(user, ticket):
        return None
    try:
        rule = workflow.rule_for(ticket.status, step)
    except workflow.IllegalTransition as error:
        return error.message, 409
    if rule.condition == "unsatisfied" and any(
        access.can(user, p, ticket.place_path) for p in rule.permissions
    ):
        message = gettext("Only a ticket rated %(n)s stars or fewer can be reopened.") % {
            "n": workflow.UNSATISFIED_MAX
        }
        return message, 409
    if rule.condition == "handler":
        return gettext("Only the person handling this ticket may do this."), 403
    return gettext("Your role may not take this step on this ticket."), 403


class StepDialog:
    """Renders one step of one ticket for the request: its form, a refusal, or "done"."""

    def __init__(
        self,
        request: HttpRequest,
        ticket: Ticket,
        step: str,
        candidates: Callable[[Ticket], Iterable[Post]],
    ) -> None:
        self.request = request
        self.ticket = ticket
        self.step = step
        self.candidates = candidates
        self.htmx = wanted(request)
        self.list = _list_name(request)
        self.next = _next(request)

    def _context(self, **extra: Any) -> dict[str, Any]:
        ticket, step = self.ticket, self.step
        rule = workflow.TRANSITIONS.get((ticket.status, step))
        handlers = []
        if step in (Step.DISPATCH, Step.REASSIGN) and extra.get("allowed", True):
            handlers = list(self.candidates(ticket))
        return {
            "ticket": ticket,
            "step": step,
            "button": step_button(step),
            "dialog": self.htmx,
            "list": self.list,
            "next": self.next,
            "note_required": bool(rule and rule.note_required),
            "wants_note": step in NOTE_STEPS,
            "handlers": handlers,
            "stars": range(1, 6),
            "allowed": True,
            "values": {},
            **extra,
        }

    def _answer(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        if self.htmx:
            response = render(self.request, "tickets/_step_dialog.html", context, status=status)
            response["X-Gz-Dialog"] = "1"
            return response
        from gongzhi.tickets.views import _nav  # the ticket pages' menu

        context["ticket_nav"] = _nav(self.request.user)
        return render(self.request, "tickets/step.html", context, status=status)

    def form(self) -> HttpResponse:
        """GET: the step's form, or why it cannot be made (409; 403 for the role)."""
        why = refusal(self.request.user, self.ticket, self.step)
        if why is not None and why[1] == 403 and not self.htmx:
            raise PermissionDenied(why[0])
        if why is not None:
            return self._answer(self._context(error=why[0], allowed=False), why[1])
        return self._answer(self._context())

    def refused(self, message: str, status: int) -> HttpResponse:
        """POST refused by the service: the message in the dialog, the typed values kept."""
        allowed = status == 400
        values = {k: self.request.POST.get(k, "") for k in ("note", "reason", "into", "comment")}
        values["handler"] = self.request.POST.get("handler", "")
        values["rating"] = self.request.POST.get("rating", "")
        return self._answer(
            self._context(error=message, allowed=allowed, values=values), status=status
        )

    def done(self, ticket: Ticket, message: str) -> HttpResponse:
        """The step is made: the row again (or its removal), a toast, and the dialog closed."""
        user = self.request.user
        row = None
        if self.list:
            found = LISTS[self.list](user).filter(pk=ticket.pk).first()
            if found is not None:
                near = geo.nearness(found) if self.list == "pool" else ""
                row = {"ticket": found, "steps": selectors.steps_for(user, found), "near": near}
        context = {
            "ticket": ticket,
            "row": row,
            "message": message,
            "list": self.list,
            "next": self.next,
        }
        response = render(self.request, "tickets/_step_done.html", context)
        response["X-Gz-Dialog"] = "1"
        response["HX-Trigger"] = json.dumps({"gzDialogDone": {"ticket": ticket.pk}})
        if not self.list:  # opened elsewhere: the page shows the ticket as it is now
            response["HX-Refresh"] = "true"
        return response
