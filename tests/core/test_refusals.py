"""A service's refusal lands where the person sees it."""

import datetime as dt

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from gongzhi.core import refusals


class _Form(forms.Form):
    name = forms.CharField(required=False)


def test_text_joins_field_and_plain_messages():
    assert refusals.text(ValidationError({"name": ["空"], "x": ["错"]})) == "空 错"
    assert refusals.text(ValidationError("不行")) == "不行"


def test_on_form_puts_known_fields_on_the_field_and_the_rest_on_top():
    form = _Form(data={})
    assert form.is_valid()
    refusals.on_form(form, ValidationError({"name": ["请填写名称"], "other": ["别的"]}))
    assert form.errors["name"] == ["请填写名称"]
    assert form.non_field_errors() == ["别的"]
    plain = _Form(data={})
    plain.is_valid()
    refusals.on_form(plain, ValidationError("整体不行"))
    assert plain.non_field_errors() == ["整体不行"]


def test_say_flashes_each_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    refusals.say(request, ValidationError(["一", "二"]))
    assert [str(m) for m in get_messages(request)] == ["一", "二"]


# --------------------------------------------------------------------------- core.inputs


def test_text_is_trimmed_and_refused_when_missing_or_too_long():
    import pytest

    from gongzhi.core import inputs

    assert inputs.text("  春园  ", "name", 5) == "春园"
    assert inputs.text("", "note", 5, required=False) == ""
    with pytest.raises(ValidationError) as missing:
        inputs.text("   ", "name", 5)
    assert list(missing.value.message_dict) == ["name"]
    with pytest.raises(ValidationError) as long:
        inputs.text("一二三四五六", "name", 5)
    assert "5" in long.value.message_dict["name"][0]


def test_year_from_the_query_or_this_year():
    from gongzhi.core import clock, inputs

    factory = RequestFactory()
    with clock.travel_to(dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)):
        assert inputs.year(factory.get("/", {"year": "2025"})) == 2025
        assert inputs.year(factory.get("/", {"year": "1900"})) == 2026
        assert inputs.year(factory.get("/", {"year": "abc"})) == 2026
        assert inputs.year(factory.get("/")) == 2026
