"""Privacy pages: the resident's "my personal information" (download, requests, consents, the
privacy notice) on the phone, and the community staff's queue of requests.

Thin: reads through selectors, writes through services; a refusal comes back as a message.
The download is a POST (nothing personal in a URL), limited per account and audited.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from gongzhi.core import access, exports, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.privacy import notice, selectors, services
from gongzhi.privacy.forms import CompleteForm, RefuseForm, RequestForm
from gongzhi.privacy.models import SENSITIVE_PURPOSES, Purpose, RequestStatus

PAGE_SIZE = 20


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def download_rate(group, request):  # read per request so operators and tests can change it
    return settings.PRIVACY_DOWNLOAD_RATE


def check_download_rate(request) -> None:
    if is_ratelimited(
        request, group="privacy.download", key="user", rate=download_rate, increment=True
    ):
        raise Ratelimited


def attachment(data: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- The resident ---------------------------------------------------------------------------


@login_required
@requires(Action.PRIVACY_SELF)
def mine(request):
    page = _page(request, selectors.requests_of(request.user))
    standing = selectors.standing_consents(request.user)
    return render(
        request,
        "privacy/mine.html",
        {
            "page": page,
            "rows": page.object_list,
            "needs_notice": services.needs_notice(request.user),
            "notice_consent": standing.get(Purpose.NOTICE),
            "sensitive": [
                {"purpose": p, "label": p.label, "consent": standing.get(p.value)}
                for p in SENSITIVE_PURPOSES
            ],
        },
    )


@login_required
@require_POST
@requires(Action.PRIVACY_SELF)
def download(request):
    check_download_rate(request)
    try:
        data, content_type, name = services.export_my_data(
            request.POST.get("format", "json"), actor=request.user
        )
    except ValidationError as error:
        refusals.say(request, error)
        return redirect("privacy:mine")
    return attachment(data, content_type, name)


@login_required
@requires(Action.PRIVACY_SELF)
def request_new(request):
    form = RequestForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        try:
            filed = services.file_request(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(
                request,
                _("Your request was received. The community answers by %(date)s.")
                % {"date": filed.due_on.isoformat()},
            )
            return redirect("privacy:my_request", filed.pk)
    return render(request, "privacy/request_new.html", {"form": form})


@login_required
@requires(Action.PRIVACY_SELF)
def my_request(request, pk: int):
    return render(
        request,
        "privacy/my_request.html",
        {"item": selectors.get_my_request(request.user, pk)},
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@login_required
def notice_page(request):
    """The privacy notice, with an agree button (shown from the home page until agreed)."""
    if request.method == "POST":
        services.give_consent(Purpose.NOTICE, actor=request.user)
        messages.success(request, _("Thank you. You can withdraw your consent at any time."))
        return redirect(_next(request) or "privacy:mine")
    return render(
        request,
        "privacy/notice.html",
        {
            "version": notice.CURRENT,
            "paragraphs": notice.paragraphs(),
            "needs_notice": services.needs_notice(request.user),
            "next": _next(request),
        },
    )


@login_required
@require_POST
def consent(request):
    """Give or withdraw one consent: purpose and `do` = give | withdraw."""
    purpose = request.POST.get("purpose", "")
    try:
        if request.POST.get("do") == "withdraw":
            services.withdraw_consent(purpose, actor=request.user)
            messages.success(request, _("Your consent was withdrawn."))
        else:
            services.give_consent(purpose, actor=request.user)
            messages.success(request, _("Your consent was recorded."))
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("privacy:mine")


# --- Community staff ------------------------------------------------------------------------

STATUS_FILTERS = ("open", "overdue", *RequestStatus.values)


@login_required
@requires(Action.PRIVACY_HANDLE)
def queue(request):
    status = request.GET.get("status", "open")
    if status not in STATUS_FILTERS and status != "all":
        status = "open"
    page = _page(request, selectors.request_queue(request.user, "" if status == "all" else status))
    return render(
        request,
        "privacy/queue.html",
        {
            "page": page,
            "rows": page.object_list,
            "status": status,
            "statuses": RequestStatus.choices,
            "days": settings.PRIVACY_REQUEST_DAYS,
        },
    )


@login_required
@requires(Action.PRIVACY_HANDLE)
def handle(request, pk: int):
    item = selectors.get_handled_request(request.user, pk)
    complete_form = CompleteForm(prefix="done")
    refuse_form = RefuseForm(prefix="refuse")
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "start":
                services.start_request(item, actor=request.user)
            elif step == "done":
                complete_form = CompleteForm(request.POST, prefix="done")
                services.complete_request(
                    item, request.POST.get("done-note", ""), actor=request.user
                )
            elif step == "refuse":
                refuse_form = RefuseForm(request.POST, prefix="refuse")
                services.refuse_request(
                    item, request.POST.get("refuse-reason", ""), actor=request.user
                )
            else:
                raise ValidationError(_("Unknown step."))
        except ValidationError as error:
            refusals.on_form(refuse_form if step == "refuse" else complete_form, error)
        else:
            messages.success(request, _("The request was updated."))
            return redirect("privacy:handle", pk)
    return render(
        request,
        "privacy/handle.html",
        {
            "item": item,
            "complete_form": complete_form,
            "refuse_form": refuse_form,
            "can_edit_resident": item.resident_id is not None
            and access.can(request.user, Action.RESIDENT_EDIT, item.place_path),
        },
    )


# --- The register of processing activities -------------------------------------------------


@login_required
def register(request):
    from gongzhi.privacy.retention import LABELS

    activities = selectors.processing_activities(request.user)
    rules = [
        {"rule": r, "label": LABELS.get(r.category, r.category)}
        for r in selectors.retention_rules()
    ]
    return render(request, "privacy/register.html", {"activities": activities, "rules": rules})


@login_required
@require_POST
def register_export(request):
    data = services.export_register(actor=request.user)
    return attachment(data, exports.XLSX_CONTENT_TYPE, "processing-activities.xlsx")
