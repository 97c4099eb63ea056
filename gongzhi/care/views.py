"""Care pages: household notices for staff (list, send, who has read, the door-knock list, the
urgent SMS) and for residents on the phone (my notices, confirm reading). Thin: forms parse,
selectors read, services write; a refusal comes back as a flash message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.care import forms, selectors, services
from gongzhi.care.models import NoticeKind
from gongzhi.core import access, clock, gates, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest

PAGE_SIZE = 30
KNOCK_PAGE_SIZE = 50
VIEW = Action.CARE_NOTICE_VIEW
SEND = Action.CARE_NOTICE_SEND
READ = Action.CARE_NOTICE_READ


@login_required
@requires(VIEW)
def notices(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.notice_rows(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "care/notices.html",
        {"page": page, "rows": page.object_list, "send": access.has_any(request.user, SEND)},
    )


@login_required
@requires(SEND)
def notice_new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    places = selectors.places_to_send(user)
    if request.method == "POST":
        form = forms.NoticeForm(request.POST, places=places)
        if form.is_valid():
            d = form.cleaned_data
            try:
                notice = services.send_notice(
                    d["place"],
                    actor=user,
                    kind=d["kind"],
                    title=d["title"],
                    body=d["body"],
                    urgent=d["urgent"],
                    care_tag=d["care_tag"],
                )
            except ValidationError as error:
                refusals.on_form(form, error)
            else:
                messages.success(
                    request,
                    _("The notice went to %(n)s households.") % {"n": notice.households},
                )
                return redirect("care:notice", notice.pk)
    else:
        kind = request.GET.get("template", "")
        title, body = services.template(kind)
        form = forms.NoticeForm(
            places=places,
            initial={
                "kind": kind if kind in NoticeKind.values else NoticeKind.OTHER,
                "title": title,
                "body": body,
                "urgent": kind in (NoticeKind.WATER, NoticeKind.WEATHER),
            },
        )
    return render(
        request,
        "care/notice_new.html",
        {
            "form": form,
            "templates": [(k, NoticeKind(k).label) for k in ("water", "power", "weather")],
        },
    )


def _unread_page(request: AuthenticatedRequest, pk: int, size: int) -> dict[str, object]:
    user = request.user
    notice = selectors.get_notice(user, pk)
    page = Paginator(selectors.unread(user, notice), size).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    people = selectors.residents_by_household(user, [d.household_id for d in rows])
    return {
        "notice": notice,
        "figures": selectors.figures(user, notice),
        "page": page,
        "rows": [(d, people.get(d.household_id, [])) for d in rows],
        "send": access.can(user, SEND, notice.place_path),
        "sms_due": bool(
            notice.urgent
            and notice.sms_done_at is None
            and notice.sms_due_at is not None
            and notice.sms_due_at <= clock.now()
        ),
    }


@login_required
@requires(VIEW)
def notice(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return render(request, "care/notice.html", _unread_page(request, pk, PAGE_SIZE))


@login_required
@requires(VIEW)
def knock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The door-knock list on the building head's phone: the households of their place that
    have not read the notice, with the people to ask for."""
    return render(request, "care/knock.html", _unread_page(request, pk, KNOCK_PAGE_SIZE))


@login_required
@requires(SEND)
@require_POST
def notice_sms(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    notice = selectors.get_notice(user, pk)
    try:
        sent = services.text_unread(notice, actor=user)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("%(n)s unread households were texted.") % {"n": sent})
    return redirect("care:notice", notice.pk)


# --------------------------------------------------------------------------- residents


@login_required
@requires(READ)
def mine(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.my_deliveries(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/mine.html",
        {"page": page, "rows": page.object_list, "household": selectors.household_of(user)},
    )


@login_required
@requires(READ)
def mine_notice(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    delivery = selectors.my_delivery(user, pk)
    if request.method == "POST":
        gates.check(user, READ)
        if refusals.act(
            request,
            forms.ReadForm(request.POST),
            lambda d: services.read_notice(delivery.notice, actor=user),
            _("Thank you: your household's receipt is recorded."),
        ):
            return redirect("care:mine")
        return redirect("care:mine_notice", pk)
    return render(request, "care/mine_notice.html", {"delivery": delivery})
