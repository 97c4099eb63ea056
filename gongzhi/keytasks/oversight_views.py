"""Supervision and inspection pages (issue 17 items 2, 3, 5): the supervision list (督办台账)
per place, a task list's timeline, inspections of communities with their findings and the
visits compliance row. Thin: forms parse, selectors read, services write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import clock, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.keytasks import inspections, list_selectors, list_status
from gongzhi.keytasks.inspections import Finding
from gongzhi.keytasks.models import InspectionKind
from gongzhi.places.models import Place

PAGE_SIZE = 30
VIEW = Action.KEYTASK_LIST_VIEW
INSPECT = Action.KEYTASK_INSPECT
FINDING_ROWS = 6


@login_required
@requires(VIEW)
def supervision(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    places = list(list_selectors.list_places(user))
    wanted = request.GET.get("place", "")
    place = next((p for p in places if str(p.pk) == wanted), None)
    page = Paginator(list_selectors.open_notices(user, place), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    talks = list(list_selectors.talks(user, place)[:50])
    today = clock.today()
    return render(
        request,
        "keytasks/supervision.html",
        {
            "page": page,
            "rows": [
                {"notice": n, "passed": n.due_on < today, "days": (n.due_on - today).days}
                for n in page.object_list
            ],
            "talks": talks,
            "places": places,
            "place": place,
        },
    )


@login_required
@requires(VIEW)
def timeline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    task_list = list_selectors.get_list(user, pk)
    return render(
        request,
        "keytasks/timeline.html",
        {"task_list": task_list, **list_selectors.timeline(user, task_list)},
    )


class InspectionForm(forms.Form):
    community = forms.ModelChoiceField(
        queryset=Place.objects.none(), label=gettext_lazy("Community")
    )
    kind = forms.ChoiceField(choices=InspectionKind.choices, label=gettext_lazy("Kind"))
    held_on = forms.DateField(label=gettext_lazy("Held on"))
    summary = forms.CharField(
        max_length=2000,
        required=False,
        label=gettext_lazy("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, places: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["community"].queryset = places  # type: ignore[attr-defined]
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-control")


def _findings(post: object) -> list[Finding]:
    """The finding rows filled in (text and time limit); a row with text needs a date."""
    found: list[Finding] = []
    for i in range(FINDING_ROWS):
        text = str(post.get(f"finding-{i}-text", "")).strip()[:500]  # type: ignore[attr-defined]
        due = str(post.get(f"finding-{i}-due", "")).strip()  # type: ignore[attr-defined]
        if not text:
            continue
        try:
            day = dt.date.fromisoformat(due)
        except ValueError:
            raise ValidationError(
                _("Finding %(n)s needs a time limit (a date).") % {"n": i + 1}
            ) from None
        found.append(Finding(text, day))
    return found


@login_required
@requires(VIEW)
def inspection_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    page = Paginator(inspections.inspections(user), PAGE_SIZE).get_page(request.GET.get("page"))
    year = clock.today().year
    return render(
        request,
        "keytasks/inspections.html",
        {
            "page": page,
            "rows": inspections.visit_rows(user, year),
            "year": year,
            "may_inspect": inspections.inspectable(user).exists(),
        },
    )


@login_required
@requires(INSPECT)
def inspection_new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = InspectionForm(request.POST or None, places=inspections.inspectable(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = inspections.record_inspection(
                data["community"],
                actor=user,
                kind=data["kind"],
                held_on=data["held_on"],
                summary=data["summary"],
                findings=_findings(request.POST),
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("The inspection is recorded."))
            return redirect("keytasks:inspection", pk=inspection.pk)
    return render(
        request,
        "keytasks/inspection_new.html",
        {"form": form, "rows": range(FINDING_ROWS), "post": request.POST},
    )


@login_required
@requires(VIEW)
def inspection(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = inspections.get_inspection(user, pk)
    rows = []
    if item.task_list is not None:
        for t in list_selectors.board(user, task_list=item.task_list):
            code = list_status.code_of(t)
            rows.append(
                {"task": t, "status": list_status.ORDER[code], "label": list_status.label(code)}
            )
    return render(request, "keytasks/inspection.html", {"inspection": item, "rows": rows})
