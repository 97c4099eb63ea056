"""Sent-down task pages: the receiver's to-do list and form (phone-sized), the sender's list,
progress per receiver and roll-up. Thin: forms parse, selectors read, services write; a
refusal comes back as a flash message that names the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, exports, gates, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.keytasks import forms, rollup, selectors, services, workflow
from gongzhi.keytasks.models import FieldKind, ReceiverState, SentDownTask

PAGE_SIZE = 30
ROWS_PAGE = 50
SEND = Action.KEYTASK_SEND
FILL = Action.KEYTASK_FILL


# --------------------------------------------------------------------------- receivers


@login_required
@requires(FILL)
def todo(request: AuthenticatedRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    state = state if state in ("open", "done", "all") else "open"
    page = Paginator(selectors.todo(request.user, "" if state == "all" else state), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    return render(
        request,
        "keytasks/todo.html",
        {"page": page_obj, "rows": page_obj.object_list, "state": state},
    )


def _posted(
    request: AuthenticatedRequest, fields: list[Any], row_ids: list[int]
) -> tuple[dict[str, str], dict[int, dict[str, str]], dict[str, list[Any]]]:
    answers = {
        f.key: request.POST.get(f.key, "")
        for f in fields
        if not f.per_row and f.key in request.POST
    }
    rows: dict[int, dict[str, str]] = {}
    for row_id in row_ids:
        given = {
            f.key: request.POST.get(f"r{row_id}_{f.key}", "")
            for f in fields
            if f.per_row and f"r{row_id}_{f.key}" in request.POST
        }
        if given:
            rows[row_id] = given
    files = {
        f.key: request.FILES.getlist(f.key)
        for f in fields
        if f.kind == FieldKind.PHOTO and request.FILES.getlist(f.key)
    }
    return answers, rows, files


@login_required
@requires(FILL, SEND)
def fill(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    receiver = selectors.get_receiver(user, pk)
    task = receiver.task
    fields = selectors.fields_of(task)
    filler = selectors.may_fill(user, receiver)
    editable = filler and receiver.state in workflow.EDITABLE and not task.is_closed
    rows_page = Paginator(selectors.rows_of(receiver), ROWS_PAGE).get_page(request.GET.get("page"))
    posted: dict[str, Any] = {}
    if request.method == "POST":
        gates.check(user, FILL)
        row_ids = [int(x) for x in request.POST.getlist("row") if x.isdigit()][:ROWS_PAGE]
        answers, rows, files = _posted(request, fields, row_ids)
        submit = request.POST.get("step") == "submit"
        try:
            services.save_answers(
                receiver,
                actor=user,
                answers=answers,
                rows=rows,
                photos_by_field=files,
                submit=submit,
            )
        except ValidationError as error:
            refusals.say(request, error)
            posted = dict(request.POST.items())
        else:
            messages.success(
                request, _("The form is submitted.") if submit else _("Your answers are saved.")
            )
            suffix = f"?page={rows_page.number}" if rows_page.number > 1 else ""
            return redirect(request.path + suffix)
    own = []
    photos = list(selectors.photos_of(receiver))
    for f in fields:
        if f.per_row:
            continue
        own.append(
            {
                "field": f,
                "value": posted.get(f.key, receiver.answers.get(f.key, "")),
                "photos": [p for p in photos if p.field_id == f.pk],
            }
        )
    per_row = [f for f in fields if f.per_row]
    lines = []
    for row in rows_page.object_list:
        lines.append(
            {
                "row": row,
                "label": selectors.row_label(user, row),
                "cells": [
                    {
                        "field": f,
                        "name": f"r{row.pk}_{f.key}",
                        "value": posted.get(f"r{row.pk}_{f.key}", row.values.get(f.key, "")),
                    }
                    for f in per_row
                ],
            }
        )
    may_send = selectors.may_send(user, task)
    return render(
        request,
        "keytasks/fill.html",
        {
            "receiver": receiver,
            "task": task,
            "own": own,
            "per_row": per_row,
            "lines": lines,
            "rows_page": rows_page,
            "editable": editable,
            "may_recall": filler
            and receiver.state == ReceiverState.SUBMITTED
            and not task.is_closed,
            "may_reopen": may_send
            and receiver.state == ReceiverState.SUBMITTED
            and not task.is_closed,
            "reopen_form": forms.ReopenForm(),
            "events": receiver.events.select_related("actor").order_by("-at", "-id")[:20],
        },
    )


@login_required
@require_POST
@requires(FILL, SEND)
def receiver_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponse:
    user = request.user
    receiver = selectors.get_receiver(user, pk)
    if act == "recall":
        try:
            services.recall(receiver, actor=user)
        except ValidationError as error:
            refusals.say(request, error)
        else:
            messages.success(request, _("The form is taken back; submit it again when done."))
    elif act == "reopen":
        refusals.act(
            request,
            forms.ReopenForm(request.POST),
            lambda d: services.reopen(receiver, actor=user, reason=d["reason"]),
            _("The form is reopened for changes."),
        )
    else:
        raise Http404
    return redirect("keytasks:fill", pk=receiver.pk)


@login_required
@requires(FILL, SEND)
def photo(request: AuthenticatedRequest, pk: int, photo_pk: int) -> FileResponse:
    """A photo answer, only for those who may see the receiver's answers (404 otherwise)."""
    item = selectors.get_photo(selectors.get_receiver(request.user, pk), photo_pk)
    return item.serve(thumb=bool(request.GET.get("thumb")))


# --------------------------------------------------------------------------- senders


def _send_forms(user: Any, data: Any = None) -> tuple[forms.SendForm, Any]:
    return (
        forms.SendForm(data, places=selectors.sender_places(user)),
        forms.FieldFormSet(data, prefix="fields"),
    )


@login_required
@requires(SEND)
def sent(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form, fieldset = _send_forms(user)
    if request.method == "POST":
        form, fieldset = _send_forms(user, request.POST)
        made: list[SentDownTask] = []
        if form.is_valid() and fieldset.is_valid():
            d = form.cleaned_data
            specs = [s for s in (f.spec() for f in fieldset.forms) if s is not None]
            try:
                made.append(
                    services.send_task(
                        d["place"],
                        actor=user,
                        title=d["title"],
                        instructions=d["instructions"],
                        due_on=d["due_on"],
                        receiver_kind=d["receiver_kind"],
                        rows_of=d["rows_of"],
                        row_tag=d["row_tag"],
                        fields=specs,
                    )
                )
            except ValidationError as error:
                refusals.on_form(form, error)
        if made:
            messages.success(request, _("The task is sent."))
            return redirect("keytasks:task", pk=made[0].pk)
    state = request.GET.get("state", "")
    state = state if state in ("open", "closed") else ""
    page = Paginator(selectors.sent_tasks(user, state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "keytasks/sent.html",
        {
            "page": page,
            "rows": page.object_list,
            "state": state,
            "form": form,
            "fieldset": fieldset,
            "show_form": request.method == "POST",
        },
    )


@login_required
@requires(SEND)
def task(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_sent_task(user, pk)
    state = request.GET.get("state", "")
    state = state if state in ("late", *ReceiverState.values) else ""
    page = Paginator(selectors.receivers_of(item, state), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = {s: 0 for s in ReceiverState.values}
    for s in item.receivers.values_list("state", flat=True):
        counts[s] += 1
    return render(
        request,
        "keytasks/task.html",
        {
            "task": item,
            "fields": selectors.fields_of(item),
            "page": page,
            "rows": page.object_list,
            "state": state,
            "states": ReceiverState.choices,
            "counts": counts,
            "total": sum(counts.values()),
            "overdue": item.due_on < _today(),
        },
    )


def _today() -> Any:
    from gongzhi.core import clock

    return clock.today()


@login_required
@require_POST
@requires(SEND)
def task_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponse:
    user = request.user
    item = selectors.get_sent_task(user, pk)
    try:
        if act == "remind":
            chosen = [x for x in request.POST.getlist("receiver") if x.isdigit()]
            receivers = list(item.receivers.filter(pk__in=chosen)) if chosen else None
            n = services.remind(item, actor=user, receivers=receivers)
            messages.success(request, _("%(n)s receivers are reminded.") % {"n": n})
        elif act == "close":
            services.close_task(item, actor=user)
            messages.success(request, _("The task is closed."))
        else:
            raise Http404
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("keytasks:task", pk=item.pk)


@login_required
@requires(SEND)
def rollup_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_sent_task(user, pk)
    access.require(user, SEND, item.place_path)
    content = rollup.xlsx(item, user=user)
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{rollup.filename(item)}"'
    return response
