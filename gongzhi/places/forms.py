import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.places.models import Place, PlaceKind, RoomFunction


class PlaceForm(forms.ModelForm):
    boundary = forms.CharField(
        label=_("boundary (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Place
        fields = [
            "name",
            "official_code",
            "address",
            "centre_lat",
            "centre_lng",
            "policy_profile",
            "service_area_m2",
            "is_new_community",
            "area_class",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind != PlaceKind.COMMUNITY:
            del self.fields["is_new_community"]
            del self.fields["area_class"]
        if self.instance.boundary:
            self.initial["boundary"] = json.dumps(self.instance.boundary, ensure_ascii=False)

    def clean_boundary(self) -> dict[str, Any] | None:
        text = (self.cleaned_data.get("boundary") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("The boundary is not valid JSON.")) from exc
        if not isinstance(value, dict) or value.get("type") not in {
            "Polygon",
            "MultiPolygon",
            "Feature",
        }:
            raise forms.ValidationError(
                _("The boundary must be a GeoJSON Polygon or MultiPolygon.")
            )
        return value


class RoomForm(forms.Form):
    function = forms.ChoiceField(label=_("function"), choices=RoomFunction.choices)
    name = forms.CharField(label=_("room name"), max_length=100)
    area_m2 = forms.DecimalField(
        label=_("floor area (m²)"), max_digits=8, decimal_places=1, min_value=Decimal("0.1")
    )
