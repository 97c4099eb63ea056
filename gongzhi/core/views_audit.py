"""The audit trail pages: browse and filter, and one record in full. Auditors only."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gongzhi.core import audit, audit_titles, duties
from gongzhi.core.directory import places
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action

PAGE_SIZE = 50
# Counting a filtered slice of a very large trail is slow; beyond this the page says "more than".
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at COUNT_CAP + 1 (one bounded COUNT query)."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("Action"), required=False, max_length=64, help_text=_("e.g. place.update, post.")
    )
    actor = forms.CharField(label=_("Actor name"), required=False, max_length=64)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Any place id is accepted (a deeper place than those listed, from a link); it is
    # resolved in the user's scope.
    place = forms.IntegerField(label=_("Place"), required=False, min_value=1, widget=forms.Select)
    target_type = forms.CharField(
        label=_("Target type"), required=False, max_length=64, help_text=_("e.g. places.Place")
    )
    target_id = forms.CharField(label=_("Target id"), required=False, max_length=64)

    def __init__(self, *args, place_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.choices = [("", _("All places")), *place_choices]
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault(
                "class", "form-select form-select-sm" if select else "form-control form-control-sm"
            )


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def filter_records(user, qs, data: dict):
    """Apply the filters shared by the page and the API. `place` is resolved in the
    user's own place scope (404 outside it)."""
    if data.get("action"):
        value = data["action"].strip()
        # "post." selects every post.* action; otherwise an exact action.
        qs = qs.filter(action__startswith=value) if value.endswith(".") else qs.filter(action=value)
    if data.get("actor"):
        qs = qs.filter(actor_name__icontains=data["actor"].strip())
    if data.get("since"):
        qs = qs.filter(at__gte=_day_start(data["since"]))
    if data.get("until"):
        qs = qs.filter(at__lt=_day_start(data["until"] + dt.timedelta(days=1)))
    if data.get("place"):
        place = places.get_place(user, data["place"], Action.AUDIT_VIEW)
        qs = qs.filter(place_path__under=place.path)
    if data.get("target_type"):
        qs = qs.filter(target_type=data["target_type"].strip())
    if data.get("target_id"):
        qs = qs.filter(target_id=data["target_id"].strip())
    return qs


def place_choices(user, limit: int = 500) -> list[tuple[int, str]]:
    """The tops of the user's audit scope and two levels below them."""
    q = Q(pk__in=[])
    for top in places.root_places(user, Action.AUDIT_VIEW):
        q |= Q(path__under=top.path, depth__lte=top.depth + 2)
    rows = places.visible_places(user, Action.AUDIT_VIEW).filter(q).order_by("path")[:limit]
    return [(p.pk, "\u2003" * p.depth + p.name) for p in rows]


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def _model(target_type: str):
    try:
        return apps.get_model(target_type) if "." in target_type else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None or not name:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def _choice(field, value):
    """A stored choice (`in_progress`) by its label (处理中) when the field has choices."""
    if field is not None and getattr(field, "flatchoices", None) and isinstance(value, str):
        return str(dict(field.flatchoices).get(value, value))
    return value


def _label(record) -> None:
    """Chinese titles for display: the action, the target's kind, each changed field."""
    model = _model(record.target_type or "")
    record.action_title = audit_titles.title(record.action)
    record.target_title = str(model._meta.verbose_name) if model else record.target_type
    record.rows = []
    for row in audit.change_rows(record.changes):
        field = _field(model, row["field"])
        record.rows.append(
            {
                **row,
                "field": str(field.verbose_name) if field is not None else row["field"],
                "before": _display(_choice(field, row["before"])),
                "after": _display(_choice(field, row["after"])),
            }
        )


def _rows(record) -> list[dict]:
    _label(record)
    return record.rows


@login_required
@requires(Action.AUDIT_VIEW)
def index(request):
    form = AuditFilterForm(request.GET or None, place_choices=place_choices(request.user))
    qs = duties.audit_records(request.user)
    if form.is_valid():
        qs = filter_records(request.user, qs, form.cleaned_data)
    elif form.is_bound:
        qs = qs.none()
    page = CappedPaginator(qs.order_by("-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    paths = {item.place_path for item in page if item.place_path}
    names = dict(
        places.visible_places(request.user, Action.AUDIT_VIEW)
        .filter(path__in=paths)
        .values_list("path", "name")
    )
    for item in page:
        _label(item)
        item.place_name = names.get(item.place_path, "")
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page": page, "capped": page.paginator.count > COUNT_CAP, "cap": COUNT_CAP},
    )


@login_required
@requires(Action.AUDIT_VIEW)
def detail(request, pk: int):
    item = get_object_or_404(duties.audit_records(request.user), pk=pk)
    return render(request, "core/audit_detail.html", {"item": item, "rows": _rows(item)})
