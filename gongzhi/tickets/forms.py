"""Forms of the ticket pages. They only shape input; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import geo, services
from gongzhi.tickets.models import Category, HandlerKind, Kind, Priority, RoutingTarget

CHOICE_LIMIT = 500


class CategoryField(forms.ModelChoiceField):
    """The category tree as one select box, children under their parents."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else obj.name


def place_label(place: Place) -> str:
    """A building under an estate reads "乐坪花园 2栋"; a grid "第五网格 (网格)"."""
    parent = place.parent
    if place.kind == PlaceKind.BUILDING and parent is not None and parent.kind == PlaceKind.ESTATE:
        return f"{parent.name} {place.name}"
    if place.kind == PlaceKind.BUILDING:
        return place.name
    return f"{place.name} ({place.get_kind_display()})"


def _categories():
    return Category.objects.filter(is_active=True).select_related("parent")


class SubmitForm(forms.Form):
    """A resident's own request: the place is their home building (chosen by the service)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    category = CategoryField(label=_("Category"), queryset=_categories())
    text = forms.CharField(
        label=_("What is the matter?"),
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    anonymous = forms.BooleanField(
        label=_("Report anonymously (reports only)"),
        required=False,
        help_text=_("Others will not see who reported; you can still follow and rate it."),
    )

    # Filled by the map picker (optional; the home building or chosen place is the default).
    lat = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    lng = forms.DecimalField(
        max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput
    )
    share_location = forms.BooleanField(
        label=_("Share my location from the photos"),
        required=False,
        help_text=_(
            "Photos are always stored without their location. Tick this to let the position "
            "recorded in a photo mark where the matter is."
        ),
    )

    # The building (or grid) the ticket is about; residents start from their home building.
    place = forms.ModelChoiceField(
        label=_("Building"),
        queryset=None,
        required=False,
        help_text=_("Your building is chosen; change it if the matter is elsewhere."),
    )
    # When the spot on the map and the chosen place disagree, the person says which is right
    # (the dialog of point_picker.js, or these radio buttons without JavaScript).
    prefer = forms.ChoiceField(
        label=_("Which one is right?"),
        required=False,
        choices=[
            (services.PREFER_PLACE, _("The place I chose")),
            (services.PREFER_POINT, _("The spot on the map")),
        ],
    )

    # Rendered by the template itself (map picker, file input), not in the field loop.
    SPECIAL_FIELDS = ("lat", "lng", "share_location", "prefer")

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        if places is None:
            places = Place.objects.none()
        self.fields["place"].queryset = places  # validation: any place in the user's scope
        # the select box: a bounded list, each option with its grid for the map's check
        self.place_options = [
            (p.pk, place_label(p), geo.grid_path(p))
            for p in places.select_related("parent")[:CHOICE_LIMIT]
        ]

    def plain_fields(self):
        return [f for f in self if f.name not in self.SPECIAL_FIELDS]


class EntryForm(SubmitForm):
    """A patrol report by a grid worker, or a ticket staff enter for a resident (phone, walk-in):
    the place is chosen from the places the user may enter tickets for."""

    place = forms.ModelChoiceField(
        label=_("Place"),
        queryset=None,
        required=False,
        help_text=_("Or leave it empty and pick the spot on the map."),
    )


class OnBehalfForm(EntryForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (c, label) for c, label in services.Channel.choices if c in services.STAFF_CHANNELS
        ],
    )
    on_behalf_of_name = forms.CharField(label=_("Name of the resident"), max_length=64)


class NoteForm(forms.Form):
    note = forms.CharField(max_length=services.NOTE_MAX, required=False)
    reason = forms.CharField(max_length=services.NOTE_MAX, required=False)
    comment = forms.CharField(max_length=500, required=False)
    rating = forms.TypedChoiceField(
        choices=[(str(i), str(i)) for i in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    handler = forms.IntegerField(required=False)
    handler_kind = forms.ChoiceField(choices=HandlerKind.choices, required=False)
    into = forms.CharField(max_length=32, required=False)


class CategoryForm(forms.Form):
    """Add or edit a category of the tree. The rules (a name unique at its level, no cycle, no
    active category under an inactive one) are the service's; this form only shapes input."""

    name = forms.CharField(
        label=_("Name"),
        max_length=services.CATEGORY_NAME_MAX,
        error_messages={"required": _("Give the category a name.")},
    )
    parent = forms.ModelChoiceField(
        label=_("Parent category"),
        queryset=Category.objects.all(),
        required=False,
        help_text=_("Leave empty for a category at the top of the tree."),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_(
            "The Open311 service_code, e.g. “streetlight”; generated when empty. "
            "It cannot be changed later."
        ),
    )
    routing = forms.ChoiceField(label=_("Routed to"), choices=RoutingTarget.choices)
    default_priority = forms.ChoiceField(
        label=_("Default priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    response_hours = forms.IntegerField(
        label=_("Response time (hours)"),
        required=False,
        min_value=1,
        max_value=services.CATEGORY_HOURS_MAX,
        help_text=_("Empty: the hours of the ticket's kind from the policy profile."),
    )
    resolve_hours = forms.IntegerField(
        label=_("Resolution time (hours)"),
        required=False,
        min_value=1,
        max_value=services.CATEGORY_HOURS_MAX,
        help_text=_("Empty: the hours of the ticket's kind from the policy profile."),
    )
    sort = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=32767)

    def __init__(self, *args, tree=(), creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [
            ("", _("— top of the tree —")),
            *((c.pk, "\u3000" * c.depth + c.name) for c in tree),
        ]
        if not creating:
            del self.fields["code"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["sort"] = data.get("sort") or 0
        return data
