from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from gongzhi.core import (
    access,
    accounts,
    audit,
    auth,
    clock,
    dashboard,
    navigation,
    otp,
    passwords,
    refusals,
    sms,
)
from gongzhi.core.directory import places
from gongzhi.core.forms import (
    LoginForm,
    OtpForm,
    PasswordChangeForm,
    ReenableForm,
    SecondFactorResetForm,
    SmsLoginForm,
)
from gongzhi.core.roles import Action


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
    if (
        request.method == "POST"
        and form.is_valid()
        and auth.demo_refused(form.cleaned_data["password"])
    ):
        form.add_error(None, auth.demo_refusal_text())
    elif request.method == "POST" and form.is_valid():
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
    target = _safe_next(request)
    if passwords.password_due(user):
        messages.warning(
            request,
            _("Your password is older than %(days)d days. Please choose a new one.")
            % {"days": settings.PASSWORD_MAX_AGE_DAYS},
        )
        target = reverse("password_change")
    if otp.required(user):
        step = "otp_verify" if otp.enrolled(user) else "otp_setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': target})}")
    return redirect(target)


def _safe_next(request) -> str:
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("home")
    return target


@login_required
@ratelimit(key="user", rate=login_rate, method="POST", block=True)
def otp_verify(request):
    """The second step of the login: a code from the authenticator app, or a recovery code."""
    if not otp.required(request.user) or otp.verified(request):
        return redirect(_safe_next(request))
    if not otp.enrolled(request.user):
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _safe_next(request)})}")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp.check(request.user, form.cleaned_data["code"])
        if device is not None:
            otp.mark_verified(request, device)
            return redirect(_safe_next(request))
        form.add_error("code", _("The code is wrong or has been used already."))
    status = 400 if form.errors else 200
    return render(request, "core/otp_verify.html", {"form": form}, status=status)


@login_required
@ratelimit(key="user", rate=login_rate, method="POST", block=True)
def otp_setup(request):
    """First login after the rule applies: set up an authenticator app, get recovery codes."""
    if not otp.required(request.user) or otp.enrolled(request.user):
        return redirect(_safe_next(request))
    device = otp.pending_device(request.user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp.confirm_enrolment(device, form.cleaned_data["code"], actor=request.user)
        if codes is not None:
            otp.mark_verified(request, device)
            return render(
                request, "core/otp_codes.html", {"codes": codes, "next": _safe_next(request)}
            )
        form.add_error("code", _("The code is wrong or has been used already."))
    status = 400 if form.errors else 200
    return render(
        request,
        "core/otp_setup.html",
        {"form": form, "qr": otp.qr_data_uri(device), "secret": otp.secret_text(device)},
        status=status,
    )


def admin_login(request):
    """The Django admin has no login of its own: /login/ (rate limit, lockout) serves it."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("admin:index")
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")


@login_required
@ratelimit(key="user", rate=login_rate, method="POST", block=True)
def password_change(request):
    """Everybody with a password changes it here (staff and residents alike)."""
    if not request.user.has_usable_password():
        return render(request, "core/password_change.html", {"form": None})
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.change_password(
                form.cleaned_data["old_password"],
                form.cleaned_data["new_password"],
                actor=request.user,
            )
        except ValidationError as exc:
            refusals.on_form(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    status = 400 if form.errors else 200
    return render(
        request,
        "core/password_change.html",
        {"form": form, "rules": _password_rules()},
        status=status,
    )


def _password_rules() -> list[str]:
    from django.contrib.auth.password_validation import password_validators_help_texts

    return password_validators_help_texts()


@login_required
def disabled_accounts(request):
    if not access.has_any(request.user, Action.ACCOUNT_MANAGE):
        raise PermissionDenied
    qs = accounts.disabled_accounts(request.user).order_by("-disabled_unused_at", "id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/accounts_disabled.html",
        {"page": page, "form": ReenableForm(), "days": settings.UNUSED_ACCOUNT_DAYS},
    )


@login_required
def reset_second_factor(request):
    """A lost phone: the admin removes the user's authenticator; the next login enrols anew."""
    if not access.has_any(request.user, Action.ACCOUNT_MANAGE):
        raise PermissionDenied
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = (
            accounts.managed_users(request.user)
            .filter(username=form.cleaned_data["username"].strip())
            .first()
        )
        if user is None:
            form.add_error("username", _("No account with this username in your area."))
        else:
            try:
                accounts.reset_second_factor(user, form.cleaned_data["reason"], actor=request.user)
            except ValidationError as exc:
                refusals.on_form(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The second factor of %(user)s is reset: they set it up again at their "
                        "next login."
                    )
                    % {"user": user},
                )
                return redirect("accounts:second_factor")
    status = 400 if form.errors else 200
    return render(request, "core/otp_reset.html", {"form": form}, status=status)


@login_required
@require_POST
def reenable_account(request, pk: int):
    if not access.has_any(request.user, Action.ACCOUNT_MANAGE):
        raise PermissionDenied
    user = get_object_or_404(accounts.disabled_accounts(request.user), pk=pk)
    form = ReenableForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("accounts:disabled")
    try:
        accounts.reenable_account(user, form.cleaned_data["reason"], actor=request.user)
    except ValidationError as exc:
        refusals.say(request, exc)
    else:
        messages.success(request, _("The account %(user)s is enabled again.") % {"user": user})
    return redirect("accounts:disabled")


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
        if not code and not sms.codes_available():
            # A code kept nowhere could never be checked: say so instead of sending it.
            messages.error(
                request,
                _("Login by SMS code is unavailable at the moment; log in with your password."),
            )
        elif not code:
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
    """The staff home (工作台): to-dos with their counts, today's schedule, key figures with
    their trend (each app's providers, core.dashboard), then the jurisdiction's counts."""
    user = request.user
    roots = places.root_places(user)
    jurisdiction = [
        {"place": place, "counts": places.subtree_counts(place)} for place in roots[:10]
    ]
    return render(
        request,
        "core/workbench.html",
        {
            "today": clock.today(),
            "todos": dashboard.todos_for(user),
            "events": dashboard.today_for(user),
            "figures": dashboard.figures_for(user),
            "jurisdiction": jurisdiction,
            "can_audit": access.has_any(user, Action.AUDIT_VIEW),
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
            # A party member's, partner contact's or merchant's to-dos (pool, pledges…) and
            # today's schedule; on a phone only those with something to do (the services
            # stay within reach). A resident has none of the staff lists.
            "todos": [tile for tile in dashboard.todos_for(request.user) if tile.count],
            "events": dashboard.today_for(request.user),
        },
    )


def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the platform's icon (issue 19)."""
    return redirect(static("gongzhi/favicon.ico"), permanent=True)


@require_POST
def text_size(request):
    """The large-text switch (适老化, issue 19): remembered in a cookie that holds only the
    chosen size, for a year; no personal data, no login needed (the login page has it too)."""
    from gongzhi.core.context_processors import LARGE_TEXT_COOKIE

    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("home")
    response = redirect(target)
    if request.POST.get("size") == "large":
        response.set_cookie(
            LARGE_TEXT_COOKIE,
            "large",
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response
