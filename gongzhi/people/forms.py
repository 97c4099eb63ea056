from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.people.idcard import Gender, IdType
from gongzhi.people.models import Relation, ResidenceStatus, Tag
from gongzhi.places.models import Household, Place, PlaceKind

ACTIVE_CHOICES = [("1", _("Living here")), ("0", _("Moved out")), ("all", _("All"))]
AGE_CHOICES = [("", _("Any age")), ("60", _("Aged 60+")), ("80", _("Aged 80+"))]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=64,
        help_text=_("Name, pinyin initials, last 4 digits of ID or phone, or address (1栋 502)"),
    )
    tag = forms.MultipleChoiceField(
        label=_("Tags"), required=False, choices=Tag.choices, widget=forms.CheckboxSelectMultiple
    )
    grid = forms.TypedChoiceField(label=_("Grid"), required=False, coerce=int, empty_value=None)
    building = forms.TypedChoiceField(
        label=_("Building"), required=False, coerce=int, empty_value=None
    )
    age = forms.ChoiceField(label=_("Age"), required=False, choices=AGE_CHOICES)
    status = forms.ChoiceField(
        label=_("Residence status"),
        required=False,
        choices=[("", _("Any status")), *ResidenceStatus.choices],
    )
    active = forms.ChoiceField(label=_("Living here"), required=False, choices=ACTIVE_CHOICES)
    skill = forms.CharField(
        label=_("Skill"),
        required=False,
        max_length=32,
        help_text=_("e.g. 电工, 法律咨询; * for anyone with a skill"),
    )

    def __init__(self, *args, grids=(), buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].choices = [("", _("All grids"))] + [(g.pk, g.name) for g in grids]
        self.fields["building"].choices = [("", _("All buildings"))] + [
            (b.pk, b.name) for b in buildings
        ]
        for name, field in self.fields.items():
            if name != "tag":
                css = (
                    "form-select form-select-sm"
                    if isinstance(field, forms.ChoiceField)
                    else "form-control form-control-sm"
                )
                field.widget.attrs.setdefault("class", css)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    id_type = forms.ChoiceField(
        label=_("Document type"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    id_number = forms.CharField(
        label=_("Document number"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        required=False,
        choices=[("", _("From the ID number")), *Gender.choices],
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=_date_input(),
        help_text=_("Leave empty for an 18-digit ID number: it is read from the number."),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    residence_status = forms.ChoiceField(
        label=_("Residence status"), choices=ResidenceStatus.choices
    )
    moved_in = forms.DateField(label=_("Moved in"), required=False, widget=_date_input())
    tags = forms.MultipleChoiceField(
        label=_("Tags"), required=False, choices=Tag.choices, widget=forms.CheckboxSelectMultiple
    )
    specialty = forms.CharField(label=_("Skills and specialties"), max_length=200, required=False)
    consent_personal_info = forms.BooleanField(
        label=_("Consents to the processing of personal information"), required=False
    )
    consent_contact = forms.BooleanField(label=_("Consents to be contacted"), required=False)
    consent_publicity = forms.BooleanField(
        label=_("Consents to public display (e.g. talent register)"), required=False
    )

    def __init__(self, *args, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is None:
            self.fields["id_number"].required = True
        else:
            # The stored values are never put back into a page: empty means "unchanged".
            self.fields.pop("moved_in")
            self.fields["id_number"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": editing.id_masked or "—"
            }
            self.fields["phone"].help_text = _(
                "Leave empty to keep %(masked)s; tick below to remove it."
            ) % {"masked": editing.phone_masked or "—"}
            self.fields["clear_phone"] = forms.BooleanField(
                label=_("Remove the phone number"), required=False
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            elif isinstance(field, forms.ChoiceField):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["gender"] = data.get("gender") or None
        if self.editing is not None:
            if not data.get("id_number"):
                data.pop("id_number", None)
            clear = data.pop("clear_phone", False)
            if clear:
                data["phone"] = ""
            elif not data.get("phone"):
                data.pop("phone", None)
            # Unchanged gender / birth date are not "given": a new ID number decides them.
            for name in ("gender", "birth_date"):
                if name not in self.changed_data or not data.get(name):
                    data.pop(name, None)
        return data


class HouseholdChoiceForm(forms.Form):
    """Choose a household by building, unit and room (create and move)."""

    building = forms.TypedChoiceField(label=_("Building"), coerce=int)
    unit_no = forms.CharField(label=_("Unit"), max_length=8, required=False)
    room_no = forms.CharField(label=_("Room"), max_length=16)

    def __init__(self, *args, buildings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.buildings = {b.pk: b for b in buildings}
        self.fields["building"].choices = [("", "—")] + [
            (b.pk, f"{b.parent.name} · {b.name}" if b.parent_id else b.name) for b in buildings
        ]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        building: Place | None = self.buildings.get(data.get("building"))
        if building is None or building.kind != PlaceKind.BUILDING:
            return data
        household = Household.objects.filter(
            building=building,
            unit_no=(data.get("unit_no") or "").strip(),
            room_no=(data.get("room_no") or "").strip(),
        ).first()
        if household is None:
            raise forms.ValidationError(
                _("There is no such room in this building; add the household first.")
            )
        data["household"] = household
        return data


class MoveForm(HouseholdChoiceForm):
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    moved_in = forms.DateField(label=_("Moved in"), required=False, widget=_date_input())


class MoveOutForm(forms.Form):
    moved_out = forms.DateField(label=_("Move-out date"), required=False, widget=_date_input())


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class FullExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the unmasked export"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
