"""Task list pages (任务清单): the board per place (filters, overdue first, paginated), a new
list imported from xlsx, a task with its milestones and progress reports. Thin: forms parse,
list_selectors read, list_services write; a refusal is a flash message in Chinese."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core import refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.keytasks import (
    list_import,
    list_selectors,
    list_services,
    list_status,
    supervision,
)
from gongzhi.keytasks.list_workflow import Step
from gongzhi.keytasks.models import ProgressPhoto
from gongzhi.places.models import Place

PAGE_SIZE = 30
VIEW = Action.KEYTASK_LIST_VIEW
MANAGE = Action.KEYTASK_LIST_MANAGE
REPORT = Action.KEYTASK_LIST_REPORT


class ImportForm(forms.Form):
    place = forms.ModelChoiceField(queryset=Place.objects.none(), label=gettext_lazy("Place"))
    title = forms.CharField(max_length=160, label=gettext_lazy("Title"))
    period = forms.CharField(max_length=40, label=gettext_lazy("Period"))
    source = forms.CharField(max_length=200, required=False, label=gettext_lazy("Source document"))
    offices = forms.CharField(
        max_length=1000,
        required=False,
        label=gettext_lazy("Offices named as units (separated by 、)"),
    )
    file = forms.FileField(label=gettext_lazy("Task list (.xlsx)"))

    def __init__(self, *args: object, places: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")


class ProgressForm(forms.Form):
    text = forms.CharField(
        max_length=2000, label=gettext_lazy("Progress"), widget=forms.Textarea(attrs={"rows": 3})
    )


class NoticeForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        label=gettext_lazy("Reason for the supervision"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=gettext_lazy("New deadline"))


class TalkForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Held on"))
    talked_to = forms.CharField(max_length=200, label=gettext_lazy("Talked to"))
    minutes = forms.CharField(
        max_length=5000, label=gettext_lazy("Minutes"), widget=forms.Textarea(attrs={"rows": 4})
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Milestone"))
    due_on = forms.DateField(label=gettext_lazy("Date"))


@login_required
@requires(VIEW)
def board(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    lists = list(list_selectors.lists(user))
    chosen = None
    wanted = request.GET.get("list", "")
    if wanted:
        chosen = next((t for t in lists if str(t.pk) == wanted), None)
    status = request.GET.get("status", "")
    status = status if status in list_status.ORDER else ""
    unit = request.GET.get("unit", "").strip()[:60]
    text = request.GET.get("q", "").strip()[:60]
    qs = list_selectors.board(user, task_list=chosen, status=status, unit=unit, text=text)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "task": t,
            "status": list_status.ORDER[list_status.code_of(t)],
            "label": list_status.label(list_status.code_of(t)),
        }
        for t in page.object_list
    ]
    return render(
        request,
        "keytasks/board.html",
        {
            "page": page,
            "rows": rows,
            "lists": lists,
            "chosen": chosen,
            "status": status,
            "statuses": list_status.Status.choices,
            "unit": unit,
            "q": text,
            "may_import": list_selectors.owner_places(user).exists(),
        },
    )


@login_required
@requires(MANAGE)
def import_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    places = list_selectors.owner_places(user)
    form = ImportForm(request.POST or None, request.FILES or None, places=places)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        offices = [o for o in list_import._SPLIT.split(data["offices"]) if o]
        try:
            specs = list_import.parse(data["file"].read(), data["place"], offices)
            task_list = list_services.create_list(
                data["place"],
                actor=user,
                title=data["title"],
                period=data["period"],
                source=data["source"],
                offices=offices,
                tasks=specs,
            )
        except list_import.ImportRefused as refused:
            problems = refused.problems
        except ValidationError as error:
            problems = list(error.messages)
        else:
            messages.success(
                request,
                _("The list is imported: %(n)s tasks.") % {"n": task_list.tasks.count()},
            )
            return redirect(f"{_board_url()}?list={task_list.pk}")
    return render(request, "keytasks/list_import.html", {"form": form, "problems": problems})


def _board_url() -> str:
    from django.urls import reverse

    return reverse("keytasks:board")


@login_required
@requires(VIEW)
def task(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = list_selectors.get_task(user, pk)
    form = ProgressForm(request.POST or None)
    if request.method == "POST":
        ok = refusals.act(
            request,
            form,
            lambda data: list_services.report_progress(
                item,
                actor=user,
                text=data["text"],
                reached=[
                    int(x) for x in request.POST.getlist("reached") if x.isdigit() and len(x) < 10
                ],
                uploads=request.FILES.getlist("photos"),
            ),
            _("The progress is reported."),
        )
        if ok:
            return redirect("keytasks:list_task", pk=item.pk)
    days = list_status.risk_days(item.task_list.place)
    may_manage = list_selectors.may_manage(user, item)
    return render(
        request,
        "keytasks/list_task.html",
        {
            "task": item,
            "status": list_status.status(item, days),
            "status_label": list_status.Status(list_status.status(item, days)).label,
            "units": list(item.units.all()),
            "milestones": list(item.milestones.all()),
            "reports": list(list_selectors.reports_of(item)),
            "form": form,
            "milestone_form": MilestoneForm(),
            "may_report": list_services.may_report(user, item),
            "may_manage": may_manage,
            "risk_days": days,
            "deadline": list_status.deadline(item),
            "notices": list(supervision.notices_of([item])),
            "talks": list(item.talks.select_related("notice", "recorded_by")),
            "may_supervise": supervision.may_supervise(user, item),
            "may_talk": supervision.may_talk(item),
            "inspector": list_selectors.inspector_of(item),
        },
    )


@login_required
@requires(VIEW)
@require_POST
def task_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponse:
    user = request.user
    item = list_selectors.get_task(user, pk)
    if act == "milestone":
        refusals.act(
            request,
            MilestoneForm(request.POST),
            lambda data: list_services.add_milestone(
                item, actor=user, title=data["title"], due_on=data["due_on"]
            ),
            _("The milestone is added."),
        )
        return redirect("keytasks:list_task", pk=item.pk)
    if act == "supervise":
        refusals.act(
            request,
            NoticeForm(request.POST),
            lambda data: supervision.issue_notice(
                item, actor=user, reason=data["reason"], due_on=data["due_on"]
            ),
            _("The supervision notice is issued."),
        )
        return redirect("keytasks:list_task", pk=item.pk)
    if act == "talk":
        refusals.act(
            request,
            TalkForm(request.POST),
            lambda data: supervision.record_talk(
                item,
                actor=user,
                held_on=data["held_on"],
                talked_to=data["talked_to"],
                minutes=data["minutes"],
            ),
            _("The talk is recorded."),
        )
        return redirect("keytasks:list_task", pk=item.pk)
    if act not in Step.values:
        raise Http404
    done = {
        Step.DONE: _("The task is reported done."),
        Step.VERIFY: _("The task is verified."),
        Step.RETURN: _("The task is returned as not done."),
    }[Step(act)]
    try:
        list_services.step(item, act, actor=user)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, done)
    return redirect("keytasks:list_task", pk=item.pk)


@login_required
@requires(VIEW)
def progress_photo(request: AuthenticatedRequest, pk: int, photo_pk: int) -> FileResponse:
    item = list_selectors.get_task(request.user, pk)
    photo = get_object_or_404(ProgressPhoto.objects.filter(report__task=item), pk=photo_pk)
    return photo.serve(thumb=bool(request.GET.get("thumb")))
