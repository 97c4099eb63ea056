from pathlib import Path

import django.forms
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gongzhi.core.auth import PHONE_RE


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Username or phone number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SmsLoginForm(forms.Form):
    phone = forms.RegexField(
        label=_("Phone number"),
        regex=PHONE_RE,
        error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "numeric"}),
    )
    code = forms.RegexField(
        label=_("SMS code"),
        regex=r"^\d{6}$",
        required=False,
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("new_password")
            and data.get("new_password2")
            and data["new_password"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class ReenableForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=500)


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "numeric"}
        ),
    )


class SecondFactorResetForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=64)
    reason = forms.CharField(label=_("Reason"), min_length=2, max_length=500)


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's widget templates, with ours in gongzhi/templates/core/forms/
    searched first. There the empty choice of every select reads 请选择 instead of Django's
    "---------" (issue 19), for every form of every app, whatever its base class."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(settings.BASE_DIR) / "gongzhi" / "templates" / "core" / "forms",
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "gongzhi-forms",
                "OPTIONS": {},
            }
        )
