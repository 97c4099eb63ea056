"""Forms of the deliberation pages: they only parse input; rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.deliberation.models import (
    FollowThroughStatus,
    MeetingKind,
    NoticeCategory,
    SeriesFrequency,
    TopicOrigin,
    TopicStatus,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class Form(forms.Form):
    """Bootstrap classes on every widget, so templates render fields with {{ field }}."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = min(int(widget.attrs.get("rows", 4)), 4)


def _datetime(label):
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class TopicForm(Form):
    place = forms.ModelChoiceField(label=_("Community, grid, estate or building"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(label=_("Description"), max_length=4000, widget=forms.Textarea)
    origin = forms.ChoiceField(
        label=_("Raised by"), choices=TopicOrigin.choices, initial=TopicOrigin.RESIDENT
    )
    origin_name = forms.CharField(
        label=_("Party organisation (if raised by one)"), max_length=100, required=False
    )

    def __init__(self, *args, places, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: f"{p.name} · {p.get_kind_display()}"
        if places.count() == 1:
            self.fields["place"].initial = places.first()
        if not staff:
            del self.fields["origin"]
            del self.fields["origin_name"]


class OpinionForm(Form):
    text = forms.CharField(label=_("Your opinion"), max_length=2000, widget=forms.Textarea)
    official = forms.BooleanField(label=_("Official reply of the community"), required=False)


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class TopicStatusForm(ReasonForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (s, TopicStatus(s).label)
            for s in (TopicStatus.RESOLVED, TopicStatus.CLOSED, TopicStatus.REJECTED)
        ],
    )


class MeetingForm(Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = _datetime(_("Starts at"))
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics on the agenda"), required=False, widget=forms.CheckboxSelectMultiple
    )
    free_items = forms.CharField(
        label=_("Other agenda items (one per line)"), required=False, widget=forms.Textarea
    )

    def __init__(self, *args, communities, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda p: p.name
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()
        self.fields["topics"].choices = [(t.pk, f"{t.title} ({t.support_count})") for t in topics]


class AgendaForm(Form):
    topics = forms.MultipleChoiceField(
        label=_("Topics on the agenda"), required=False, widget=forms.CheckboxSelectMultiple
    )
    free_items = forms.CharField(
        label=_("Other agenda items (one per line)"), required=False, widget=forms.Textarea
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.pk, t.title) for t in topics]


class PeopleForm(Form):
    """Choose people from a list, or add one resident by phone number."""

    users = forms.MultipleChoiceField(
        label=_("People"), required=False, widget=forms.CheckboxSelectMultiple
    )
    phone = forms.CharField(label=_("Or a resident's phone number"), max_length=20, required=False)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].choices = [(u.pk, u.name or str(u)) for u in people]


class MinutesForm(Form):
    minutes = forms.CharField(label=_("Minutes"), max_length=20000, widget=forms.Textarea)


class ResolutionForm(Form):
    text = forms.CharField(label=_("Resolution text"), max_length=2000, widget=forms.Textarea)
    action_title = forms.CharField(label=_("Action to take"), max_length=200, required=False)
    owner = forms.ChoiceField(label=_("Responsible person"))
    due = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, *args, owners, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(u.pk, u.name or str(u)) for u in owners]
        self.fields["topic"].choices = [("", "—")] + [(t.pk, t.title) for t in topics]


class ProgressForm(Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (s, FollowThroughStatus(s).label)
            for s in (FollowThroughStatus.IN_PROGRESS, FollowThroughStatus.DONE)
        ],
    )
    note = forms.CharField(label=_("Progress note"), max_length=2000, widget=forms.Textarea)


class PollForm(Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    question = forms.CharField(label=_("Question"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea
    )
    options = forms.CharField(label=_("Options (one per line)"), widget=forms.Textarea)
    multiple = forms.BooleanField(label=_("Multiple choice"), required=False)
    per_household = forms.BooleanField(label=_("One vote per household"), required=False)
    opens_at = _datetime(_("Opens at"))
    closes_at = _datetime(_("Closes at"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda p: p.name
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()


class NoticeForm(Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    category = forms.ChoiceField(label=_("Category"), choices=NoticeCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea)
    amounts = forms.CharField(
        label=_("Amounts (one “item | amount” per line, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda p: p.name
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()


class SeriesForm(Form):
    """A recurring meeting: parsing only (the day range and lead time are checked in
    services.create_series)."""

    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    frequency = forms.ChoiceField(
        label=_("Repeats"), choices=SeriesFrequency.choices, initial=SeriesFrequency.MONTHLY
    )
    day = forms.IntegerField(label=_("Day of the month (1–28)"), initial=16)
    time = forms.TimeField(
        label=_("Time"), input_formats=["%H:%M"], widget=forms.TimeInput(attrs={"type": "time"})
    )
    location = forms.CharField(label=_("Location"), max_length=120, required=False)
    lead_days = forms.IntegerField(label=_("Create each meeting this many days ahead"), initial=14)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda p: p.name
        if communities.count() == 1:
            self.fields["community"].initial = communities.first()
