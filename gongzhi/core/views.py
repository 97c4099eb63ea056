from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from gongzhi.core import access, audit, auth, navigation, sms
from gongzhi.core.forms import LoginForm, SmsLoginForm
from gongzhi.core.roles import Action
from gongzhi.places import selectors as places


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 — any failure means "not healthy"
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "database": database,
            "vendor": connection.vendor,
        },
        status=status,
    )


def ratelimited(request, exception=None):
    return render(request, "core/ratelimited.html", status=429)


def login_rate(group, request):  # read per request so operators and tests can change it
    return settings.LOGIN_RATE


@ratelimit(key="ip", rate=login_rate, method="POST", block=True)
def login_view(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = auth.check_credentials(
                form.cleaned_data["identifier"], form.cleaned_data["password"]
            )
        except auth.AccountLocked as locked:
            until = formats.time_format(timezone.localtime(locked.until), "H:i")
            form.add_error(
                None,
                _("Too many failed attempts: this account is locked until %(time)s.")
                % {"time": until},
            )
        else:
            if user is None:
                form.add_error(None, _("Wrong username, phone number or password."))
            else:
                backend = (
                    "gongzhi.core.auth.PhoneBackend"
                    if auth.PHONE_RE.match(form.cleaned_data["identifier"].strip())
                    else "gongzhi.core.auth.UsernameBackend"
                )
                return _complete_login(request, user, backend)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/login.html", {"form": form}, status=status)


def _complete_login(request, user, backend: str, method: str = "password"):
    login(request, user, backend=backend)
    with transaction.atomic():
        audit.record(actor=user, action="auth.login", target=user, changes={"method": method})
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "home"
    return redirect(target)


@ratelimit(key="ip", rate=login_rate, method="POST", block=True)
def sms_login_view(request):
    """Residents: phone number → 6-digit code by SMS → logged in."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SmsLoginForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and form.is_valid():
        phone, code = form.cleaned_data["phone"], form.cleaned_data["code"]
        user = auth.find_user(phone)
        if not code:
            if user is not None and user.is_active and not user.is_locked():
                sms.issue_login_code(phone)
            # Same answer whether or not the number is registered.
            messages.info(request, _("If this number is registered, a code has been sent to it."))
            code_sent = True
        elif (
            user is not None
            and user.is_active
            and not user.is_locked()
            and sms.check_login_code(phone, code)
        ):
            return _complete_login(request, user, "gongzhi.core.auth.PhoneBackend", "sms")
        else:
            form.add_error("code", _("The code is wrong or has expired."))
            code_sent = True
    status = 400 if form.errors else 200
    return render(
        request, "core/login_sms.html", {"form": form, "code_sent": code_sent}, status=status
    )


@require_POST
def logout_view(request):
    logout(request)
    return redirect("login")


@login_required
def home(request):
    if access.is_staff_user(request.user):
        return workbench(request)
    return resident_home(request)


def workbench(request):
    roots = places.root_places(request.user)
    jurisdiction = [
        {"place": place, "counts": places.subtree_counts(place)} for place in roots[:10]
    ]
    return render(
        request,
        "core/workbench.html",
        {
            "jurisdiction": jurisdiction,
            "can_audit": access.has_any(request.user, Action.AUDIT_VIEW),
        },
    )


def resident_home(request):
    households = list(places.visible_households(request.user)[:5])
    communities = list(
        places.visible_places(request.user, Action.COMMUNITY_PUBLIC_VIEW).filter(kind="community")[
            :5
        ]
    )
    return render(
        request,
        "core/resident_home.html",
        {
            "households": households,
            "communities": communities,
            "services": navigation.services_for(request.user),
        },
    )
