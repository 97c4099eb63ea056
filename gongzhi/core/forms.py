from django import forms
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
