"""Opinions through WeChat and DingTalk (issue 24 row 002-15): the community's inbox (filters,
a ticket or a note in dialogs), the channels page (secrets shown masked; a generated WeChat
token once), and the platforms' inbound callbacks, which no person calls:

- WeChat official account (plain mode): GET with `signature`, `timestamp`, `nonce`,
  `echostr` → the echo; POST of an XML text message → an opinion and a passive text reply.
- DingTalk outgoing robot: POST with the `timestamp` and `sign` headers and a JSON body
  (`msgtype` text, `text.content`, `msgId`, `senderStaffId`/`senderId`) → an opinion and a JSON
  text reply.

A wrong or missing signature is 403 with an empty body; a malformed body 400; an unknown or
switched-off channel 404. Nothing of a request (ids, secrets, text) is logged."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.care import services
from gongzhi.care import talent_selectors as selectors
from gongzhi.care.forms_talents import ChannelForm, HandledForm, OpinionTicketForm
from gongzhi.care.models import OpinionChannel, OpinionStatus, Platform
from gongzhi.care.opinions import dingtalk_signature_ok, wechat_signature_ok, wechat_timestamp_fresh
from gongzhi.core import clock, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.tickets.models import Kind
from gongzhi.tickets.selectors import active_categories

PAGE_SIZE = 30
HANDLE = Action.CARE_OPINION_HANDLE
CHANNELS = Action.CARE_CHANNEL_MANAGE
BODY_MAX = 64 * 1024  # both platforms' messages are far smaller


@login_required
@requires(HANDLE)
def opinions(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    platform = request.GET.get("platform", "")
    bound = request.GET.get("bound", "")
    qs = selectors.opinions(request.user, status=status, platform=platform, bound=bound)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    places = selectors.ticket_place_choices([o for o in rows if o.status == OpinionStatus.NEW])
    for o in rows:
        o.places = places.get(o.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "care/opinions.html",
        {
            "page": page,
            "rows": rows,
            "statuses": OpinionStatus.choices,
            "platforms": Platform.choices,
            "kinds": Kind.choices,
            "categories": list(active_categories()),
        },
    )


@login_required
@requires(HANDLE)
@require_POST
def opinion_ticket(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opinion = selectors.get_opinion(request.user, pk)
    places = selectors.ticket_places(opinion)
    form = OpinionTicketForm(request.POST, categories=active_categories(), places=places)
    by_id = {p.pk: p for p in places}
    refusals.act(
        request,
        form,
        lambda d: services.make_ticket(
            opinion,
            actor=request.user,
            category=d["category"],
            kind=d["kind"],
            place=by_id[d["place"]],
        ),
        _("The opinion is now a ticket."),
    )
    return redirect("care:opinions")


@login_required
@requires(HANDLE)
@require_POST
def opinion_handled(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    opinion = selectors.get_opinion(request.user, pk)
    refusals.act(
        request,
        HandledForm(request.POST),
        lambda d: services.mark_handled(opinion, actor=request.user, note=d["note"]),
        _("The opinion is marked handled."),
    )
    return redirect("care:opinions")


@login_required
@requires(CHANNELS)
def channels(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    communities = selectors.channel_communities(user)
    form = ChannelForm(request.POST or None, communities=communities, initial={"is_active": True})
    generated = ""
    saved: OpinionChannel | None = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved, generated = services.save_channel(
                actor=user,
                community=d["community"],
                platform=d["platform"],
                secret=d["secret"],
                is_active=d["is_active"],
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            if not generated:
                messages.success(request, _("The channel is saved."))
                return redirect("care:channels")
    page = Paginator(selectors.channels(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/channels.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "generated": generated,
            "saved": saved,
            "base": request.build_absolute_uri("/")[:-1],
        },
    )


# --------------------------------------------------------------------------- callbacks


def _forbidden() -> HttpResponse:
    return HttpResponseForbidden(b"", content_type="text/plain")


def _bad() -> HttpResponse:
    return HttpResponseBadRequest(b"", content_type="text/plain")


def _text(node: ET.Element, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "") if found is not None else ""


def _wechat_xml(body: bytes) -> ET.Element | None:
    """The message, or None when it is no well-formed plain-mode message. A document type
    (entities) is refused before parsing."""
    if not body or len(body) > BODY_MAX or b"<!" in body.replace(b"<![CDATA[", b""):
        return None
    try:
        # Safe without defusedxml: a document type (where entities are declared) is refused
        # above, and expat fetches no external resource.
        root = ET.fromstring(body)  # noqa: S314
    except ET.ParseError:
        return None
    if root.tag != "xml" or not _text(root, "FromUserName") or not _text(root, "ToUserName"):
        return None
    return root


def _wechat_reply(root: ET.Element, text: str) -> HttpResponse:
    """The passive reply: a text message back to the sender."""
    reply = ET.Element("xml")
    for tag, value in (
        ("ToUserName", _text(root, "FromUserName")),
        ("FromUserName", _text(root, "ToUserName")),
        ("CreateTime", str(int(clock.now().timestamp()))),
        ("MsgType", "text"),
        ("Content", text),
    ):
        ET.SubElement(reply, tag).text = value
    return HttpResponse(ET.tostring(reply, encoding="unicode"), content_type="application/xml")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat(request: HttpRequest, key: str) -> HttpResponse:
    channel = selectors.channel_by_key(key)
    if channel is None or channel.platform != Platform.WECHAT:
        return HttpResponseNotFound(b"", content_type="text/plain")
    q = request.GET
    timestamp = q.get("timestamp", "")
    if not wechat_signature_ok(
        channel, q.get("signature", ""), timestamp, q.get("nonce", "")
    ) or not wechat_timestamp_fresh(timestamp):
        return _forbidden()
    if request.method == "GET":
        return HttpResponse(q.get("echostr", ""), content_type="text/plain")
    root = _wechat_xml(request.body)
    if root is None:
        return _bad()
    if _text(root, "MsgType") != "text":
        # Events, pictures, voice: acknowledged, nothing stored ("success" is WeChat's no-reply).
        return HttpResponse("success", content_type="text/plain")
    try:
        received = services.receive(
            channel,
            message_id=_text(root, "MsgId"),
            sender_id=_text(root, "FromUserName"),
            text=_text(root, "Content"),
        )
    except ValidationError:
        return _bad()
    return _wechat_reply(root, received.reply)


def _dingtalk_body(body: bytes) -> dict[str, Any] | None:
    if not body or len(body) > BODY_MAX:
        return None
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


@csrf_exempt
@require_POST
def dingtalk(request: HttpRequest, key: str) -> HttpResponse:
    channel = selectors.channel_by_key(key)
    if channel is None or channel.platform != Platform.DINGTALK:
        return HttpResponseNotFound(b"", content_type="text/plain")
    if not dingtalk_signature_ok(
        channel, request.headers.get("timestamp", ""), request.headers.get("sign", "")
    ):
        return _forbidden()
    data = _dingtalk_body(request.body)
    if data is None:
        return _bad()
    text = data.get("text")
    content = text.get("content") if isinstance(text, dict) else None
    sender = data.get("senderStaffId") or data.get("senderId")
    message_id = data.get("msgId")
    if data.get("msgtype") != "text" or not all(
        isinstance(v, str) for v in (content, sender, message_id)
    ):
        return _bad()
    try:
        received = services.receive(
            channel,
            message_id=str(message_id),
            sender_id=str(sender),
            text=str(content),
        )
    except ValidationError:
        return _bad()
    return JsonResponse({"msgtype": "text", "text": {"content": received.reply}})
