"""Opinions through WeChat and DingTalk (意见征集, issue 24 row 002-15), tested with requests
signed as the platforms sign them: WeChat's server check (SHA-1 of the sorted token, timestamp
and nonce; GET echoes `echostr`, POST carries a plain-mode XML text message answered with a
passive text reply) and DingTalk's outgoing robot (`timestamp` + `sign` headers, HMAC-SHA256 of
timestamp + "\\n" + secret, an hour's window; JSON in, JSON text reply out). Wrong signatures
403 with an empty body, malformed bodies 400, a replayed message stored once (also when two
deliveries race); binding a platform account with the one-time code from the phone page; the
channels page (secrets encrypted, a generated token shown once, never audited); the inbox
(filters, scoping, a ticket, a note); wrong roles; bounded queries."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gongzhi.care import opinions as opinion_service
from gongzhi.care import services
from gongzhi.care.models import Opinion, OpinionChannel, PlatformBinding
from gongzhi.core import clock, crypto
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.tickets.models import Category, Ticket
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 5, 4, 10, 0))
TOKEN = "gongzhiToken2026"
SECRET = "SEC_dingtalk_app_secret_0123456789abcdef"


@pytest.fixture
def ow(cw):
    clock.set_now(T0)
    cw.secretary = make_user(Role.COMMUNITY_SECRETARY, cw.world.community_a1, name="书记")
    cw.wechat, _ = services.save_channel(
        actor=cw.secretary, community=cw.world.community_a1, platform="wechat", secret=TOKEN
    )
    cw.dingtalk, _ = services.save_channel(
        actor=cw.secretary, community=cw.world.community_a1, platform="dingtalk", secret=SECRET
    )
    return cw


def _wechat_query(token=TOKEN, timestamp=None, nonce="8765"):
    timestamp = timestamp or str(int(clock.now().timestamp()))
    joined = "".join(sorted([token, timestamp, nonce])).encode()
    signature = hashlib.sha1(joined, usedforsecurity=False).hexdigest()  # WeChat's own scheme
    return f"?signature={signature}&timestamp={timestamp}&nonce={nonce}"


def _wechat_xml(text="楼道灯坏了三天了", msg_id="6011", sender="oUser_AbC123", kind="text"):
    return (
        "<xml><ToUserName><![CDATA[gh_community]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        "<CreateTime>1777860000</CreateTime>"
        f"<MsgType><![CDATA[{kind}]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def _post_wechat(client, channel, body, query=None):
    url = reverse("care:hook_wechat", args=[channel.key]) + (query or _wechat_query())
    return client.generic("POST", url, body, content_type="text/xml")


def _ding_headers(secret=SECRET, timestamp=None):
    timestamp = timestamp or str(int(clock.now().timestamp() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return {"timestamp": timestamp, "sign": base64.b64encode(digest).decode()}


def _ding_body(text="小区东门垃圾没人清", msg_id="msgA1", sender="staff001"):
    return {
        "msgtype": "text",
        "text": {"content": text},
        "msgId": msg_id,
        "createAt": 1777860000000,
        "conversationType": "1",
        "conversationId": "cid123",
        "senderId": "$:LWCP_v1:$abc",
        "senderStaffId": sender,
        "senderNick": "张三",
        "chatbotUserId": "$:LWCP_v1:$bot",
    }


def _post_ding(client, channel, body, headers=None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        reverse("care:hook_dingtalk", args=[channel.key]),
        raw,
        content_type="application/json",
        headers=headers or _ding_headers(),
    )


# --------------------------------------------------------------------------- WeChat


def test_wechat_server_verification_echoes_only_when_signed(ow, client):
    url = reverse("care:hook_wechat", args=[ow.wechat.key])
    ok = client.get(url + _wechat_query() + "&echostr=hello123")
    assert ok.status_code == 200 and ok.content == b"hello123"
    wrong = client.get(url + _wechat_query(token="notTheToken") + "&echostr=hello123")
    assert wrong.status_code == 403 and wrong.content == b""
    stale = str(int((clock.now() - dt.timedelta(hours=2)).timestamp()))
    assert client.get(url + _wechat_query(timestamp=stale) + "&echostr=x").status_code == 403
    assert client.get(url + "?echostr=x").status_code == 403
    unknown = reverse("care:hook_wechat", args=["0" * 32]) + _wechat_query() + "&echostr=x"
    assert client.get(unknown).status_code == 404
    # The DingTalk channel's key on the WeChat callback: not a WeChat channel.
    other = reverse("care:hook_wechat", args=[ow.dingtalk.key]) + _wechat_query()
    assert client.get(other + "&echostr=x").status_code == 404


def test_a_wechat_text_message_becomes_an_opinion_once(ow, client):
    answer = _post_wechat(client, ow.wechat, _wechat_xml())
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/xml")
    reply = answer.content.decode()
    assert "<ToUserName>oUser_AbC123</ToUserName>" in reply
    assert "<FromUserName>gh_community</FromUserName>" in reply
    assert "<MsgType>text</MsgType>" in reply and "社区" in reply
    opinion = Opinion.objects.get()
    assert opinion.platform == "wechat" and opinion.text == "楼道灯坏了三天了"
    assert opinion.community_id == ow.world.community_a1.pk and opinion.resident is None
    assert "oUser_AbC123" not in opinion.sender_index and len(opinion.sender_index) == 64
    # WeChat retries the same message id: stored once, same reply.
    again = _post_wechat(client, ow.wechat, _wechat_xml())
    assert again.status_code == 200 and Opinion.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b"<xml><ToUserName>a</ToUserName>",
        b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml>&a;</xml>',
        b"<other><FromUserName>a</FromUserName><ToUserName>b</ToUserName></other>",
        "<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><MsgType>text</MsgType>"
        "<Content>没有消息号</Content></xml>".encode(),
        b"<xml><ToUserName>gh</ToUserName><FromUserName>u</FromUserName><MsgType>text</MsgType>"
        b"<Content></Content><MsgId>1</MsgId></xml>",
    ],
    ids=["empty", "text", "broken", "doctype", "root", "no-id", "no-text"],
)
def test_malformed_wechat_bodies_are_400(ow, client, body):
    assert _post_wechat(client, ow.wechat, body).status_code == 400
    assert not Opinion.objects.exists()


def test_wechat_wrong_signature_or_other_kinds(ow, client):
    wrong = _post_wechat(client, ow.wechat, _wechat_xml(), query=_wechat_query(token="xyz"))
    assert wrong.status_code == 403 and wrong.content == b""
    event = _post_wechat(client, ow.wechat, _wechat_xml(kind="event"))
    assert event.status_code == 200 and event.content == b"success"
    assert not Opinion.objects.exists()


# --------------------------------------------------------------------------- DingTalk


def test_a_dingtalk_message_becomes_an_opinion_once(ow, client):
    answer = _post_ding(client, ow.dingtalk, _ding_body())
    assert answer.status_code == 200
    assert answer.json()["msgtype"] == "text" and "社区" in answer.json()["text"]["content"]
    opinion = Opinion.objects.get()
    assert opinion.platform == "dingtalk" and opinion.text == "小区东门垃圾没人清"
    assert _post_ding(client, ow.dingtalk, _ding_body()).status_code == 200
    assert Opinion.objects.count() == 1
    # The same sender's next message carries the same pseudonym.
    _post_ding(client, ow.dingtalk, _ding_body(text="还有路灯", msg_id="msgA2"))
    assert len(set(Opinion.objects.values_list("sender_index", flat=True))) == 1


def test_dingtalk_signature_and_age_are_checked(ow, client):
    wrong = _post_ding(client, ow.dingtalk, _ding_body(), headers=_ding_headers(secret="x" * 20))
    assert wrong.status_code == 403 and wrong.content == b""
    old = str(int((clock.now() - dt.timedelta(minutes=61)).timestamp() * 1000))
    assert (
        _post_ding(client, ow.dingtalk, _ding_body(), _ding_headers(timestamp=old)).status_code
        == 403
    )
    future = str(int((clock.now() + dt.timedelta(minutes=61)).timestamp() * 1000))
    assert (
        _post_ding(client, ow.dingtalk, _ding_body(), _ding_headers(timestamp=future)).status_code
        == 403
    )
    fresh = str(int((clock.now() - dt.timedelta(minutes=59)).timestamp() * 1000))
    assert (
        _post_ding(client, ow.dingtalk, _ding_body(), _ding_headers(timestamp=fresh)).status_code
        == 200
    )
    assert (
        _post_ding(client, ow.dingtalk, _ding_body(), {"timestamp": "abc", "sign": "x"}).status_code
        == 403
    )
    assert client.get(reverse("care:hook_dingtalk", args=[ow.dingtalk.key])).status_code == 405


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b"[1, 2]",
        {"msgtype": "text", "text": {"content": "没有消息号"}, "senderStaffId": "s"},
        {"msgtype": "picture", "msgId": "m", "senderStaffId": "s"},
        {"msgtype": "text", "text": "平文本", "msgId": "m", "senderStaffId": "s"},
        {"msgtype": "text", "text": {"content": 12}, "msgId": "m", "senderStaffId": "s"},
        {"msgtype": "text", "text": {"content": "  "}, "msgId": "m", "senderStaffId": "s"},
        b"\xff\xfe",
    ],
    ids=["broken", "list", "no-id", "picture", "text-str", "number", "blank", "bytes"],
)
def test_malformed_dingtalk_bodies_are_400(ow, client, body):
    assert _post_ding(client, ow.dingtalk, body).status_code == 400
    assert not Opinion.objects.exists()


def test_a_switched_off_channel_is_not_found(ow, client):
    services.save_channel(
        actor=ow.secretary,
        community=ow.world.community_a1,
        platform="dingtalk",
        secret="",
        is_active=False,
    )
    assert _post_ding(client, ow.dingtalk, _ding_body()).status_code == 404


# --------------------------------------------------------------------------- binding


def test_a_resident_binds_their_account_with_the_code_from_the_phone(ow, client, login):
    phone = login(ow.r1)
    page = phone.post(reverse("care:mine_talent"), {"action": "code"})
    code = re.search(r'data-testid="bind-code">绑定 (\d{6})<', page.content.decode()).group(1)
    client.logout()
    reply = _post_wechat(client, ow.wechat, _wechat_xml(text=f"绑定 {code}", msg_id="1"))
    assert "已关联" in reply.content.decode()
    binding = PlatformBinding.objects.get()
    assert binding.resident_id == ow.r1.record.pk and binding.platform == "wechat"
    assert not Opinion.objects.exists()
    _post_wechat(client, ow.wechat, _wechat_xml(text="电梯异响", msg_id="2"))
    assert Opinion.objects.get().resident_id == ow.r1.record.pk
    # The code is used once: another account cannot take it.
    _post_wechat(client, ow.wechat, _wechat_xml(text=f"绑定{code}", msg_id="3", sender="oOther"))
    assert PlatformBinding.objects.count() == 1
    assert AuditRecord.objects.filter(action="care.platform_bind").count() == 1
    # The phone page lists the binding; unlinking removes it.
    page = login(ow.r1).get(reverse("care:mine_talent"))
    assert b'data-testid="binding"' in page.content
    login(ow.r1).post(reverse("care:mine_talent"), {"action": "unbind", "binding": binding.pk})
    assert not PlatformBinding.objects.exists()


def test_an_expired_or_foreign_code_binds_nothing(ow, client):
    code, _expires = services.new_bind_code(actor=ow.r2)
    clock.set_now(T0 + dt.timedelta(minutes=11))
    _post_ding(client, ow.dingtalk, _ding_body(text=f"绑定 {code}", msg_id="b1"))
    assert not PlatformBinding.objects.exists()
    # A resident of another community: their code is refused on this community's channel.
    foreign, _expires = services.new_bind_code(actor=ow.outsider)
    _post_ding(client, ow.dingtalk, _ding_body(text=f"绑定 {foreign}", msg_id="b2"))
    assert not PlatformBinding.objects.exists()


# --------------------------------------------------------------------------- channels


def test_channels_keep_secrets_encrypted_and_show_a_generated_token_once(ow, login):
    assert ow.wechat.secret_encrypted != TOKEN and TOKEN not in ow.wechat.secret_encrypted
    assert crypto.decrypt(ow.wechat.secret_encrypted) == TOKEN
    changes = " ".join(
        str(a.changes) for a in AuditRecord.objects.filter(action="care.channel_save")
    )
    assert TOKEN not in changes and SECRET not in changes
    client = login(ow.secretary)
    page = client.get(reverse("care:channels"))
    body = page.content.decode()
    assert page.status_code == 200 and TOKEN not in body and SECRET not in body
    assert "••••" + TOKEN[-4:] in body
    community = ow.world.community_a2
    boss = make_user(Role.COMMUNITY_SECRETARY, community, name="二社区书记")
    made = login(boss).post(
        reverse("care:channels"),
        {"community": community.pk, "platform": "wechat", "secret": "", "is_active": "on"},
    )
    shown = re.search(
        r'data-testid="generated-token">[^<]*<code>([A-Za-z0-9]{32})</code>', made.content.decode()
    )
    assert shown is not None
    channel = OpinionChannel.objects.get(community=community)
    assert crypto.decrypt(channel.secret_encrypted) == shown.group(1)
    assert shown.group(1) not in login(boss).get(reverse("care:channels")).content.decode()
    refused = login(boss).post(
        reverse("care:channels"), {"community": community.pk, "platform": "dingtalk", "secret": ""}
    )
    assert refused.status_code == 200 and b'data-testid="form-error"' in refused.content
    assert not OpinionChannel.objects.filter(community=community, platform="dingtalk").exists()


@pytest.mark.parametrize("who", ["worker", "grid", "r1", "head"])
def test_only_the_secretary_sets_up_channels(ow, login, who):
    client = login(getattr(ow, who))
    assert client.get(reverse("care:channels")).status_code == 403
    before = OpinionChannel.objects.get(pk=ow.wechat.pk).secret_encrypted
    client.post(
        reverse("care:channels"),
        {"community": ow.world.community_a1.pk, "platform": "wechat", "secret": "abc123"},
    )
    assert OpinionChannel.objects.get(pk=ow.wechat.pk).secret_encrypted == before


# --------------------------------------------------------------------------- the inbox


def _receive(ow, n: int, platform="wechat", text="意见"):
    channel = ow.wechat if platform == "wechat" else ow.dingtalk
    return services.receive(channel, message_id=f"m{n}", sender_id=f"user{n}", text=f"{text}{n}")


def test_the_inbox_turns_an_opinion_into_a_ticket_or_a_note(ow, login):
    first = _receive(ow, 1).opinion
    second = _receive(ow, 2, platform="dingtalk").opinion
    category = Category.objects.create(code="t-care-opinion", name="意见转办测试")
    client = login(ow.worker)
    page = client.get(reverse("care:opinions"))
    assert page.status_code == 200 and page.content.decode().count('data-testid="opinion-row"') == 2
    assert first.sender_tag in page.content.decode()
    only = client.get(reverse("care:opinions"), {"platform": "dingtalk"}).content.decode()
    assert only.count('data-testid="opinion-row"') == 1
    grid = ow.world.grid_a1_1
    done = client.post(
        reverse("care:opinion_ticket", args=[first.pk]),
        {"kind": "suggestion", "category": category.pk, "place": grid.pk},
    )
    assert done.status_code == 302
    first.refresh_from_db()
    ticket = Ticket.objects.get()
    assert first.status == "ticket" and first.ticket_id == ticket.pk and ticket.place_id == grid.pk
    assert "意见1" in ticket.text
    again = client.post(
        reverse("care:opinion_ticket", args=[first.pk]),
        {"kind": "suggestion", "category": category.pk, "place": grid.pk},
    )
    assert again.status_code == 302 and Ticket.objects.count() == 1
    assert (
        client.post(reverse("care:opinion_handled", args=[second.pk]), {"note": ""}).status_code
        == 302
    )
    second.refresh_from_db()
    assert second.status == "new"
    client.post(reverse("care:opinion_handled", args=[second.pk]), {"note": "已电话回复"})
    second.refresh_from_db()
    assert second.status == "handled" and second.note == "已电话回复"
    assert (
        AuditRecord.objects.filter(
            action__in=["care.opinion_ticket", "care.opinion_handled"]
        ).count()
        == 2
    )
    handled = client.get(reverse("care:opinions"), {"status": "handled"}).content.decode()
    assert handled.count('data-testid="opinion-row"') == 1


def test_the_inbox_is_scoped_and_closed_to_other_roles(ow, login):
    opinion = _receive(ow, 1).opinion
    other = login(ow.other)
    assert (
        other.get(reverse("care:opinions")).content.decode().count('data-testid="opinion-row"') == 0
    )
    assert (
        other.post(reverse("care:opinion_handled", args=[opinion.pk]), {"note": "x"}).status_code
        == 404
    )
    assert other.get(f"/api/v1/care-opinions/{opinion.pk}/").status_code == 404
    for who in ("grid", "r1", "head", "merchant"):
        client = login(getattr(ow, who))
        assert client.get(reverse("care:opinions")).status_code == 403
        assert client.get("/api/v1/care-opinions/").status_code == 403
        assert (
            client.post(
                reverse("care:opinion_handled", args=[opinion.pk]), {"note": "x"}
            ).status_code
            == 403
        )
    opinion.refresh_from_db()
    assert opinion.status == "new"
    api = login(ow.worker)
    rows = api.get("/api/v1/care-opinions/").json()["results"]
    assert [r["id"] for r in rows] == [opinion.pk] and rows[0]["sender"] == opinion.sender_tag
    assert (
        api.post(
            f"/api/v1/care-opinions/{opinion.pk}/handled/", {}, content_type="application/json"
        ).status_code
        == 400
    )
    ok = api.post(
        f"/api/v1/care-opinions/{opinion.pk}/handled/",
        {"note": "已处理"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "handled"


def test_the_inbox_has_bounded_queries(ow, login, django_assert_max_num_queries):
    for n in range(14):
        _receive(ow, n, platform="wechat" if n % 2 else "dingtalk")
    code, _expires = services.new_bind_code(actor=ow.r1)
    services.receive(ow.wechat, message_id="bind", sender_id="user1", text=f"绑定 {code}")
    services.receive(ow.wechat, message_id="m99", sender_id="user1", text="有名字的意见")
    client = login(ow.worker)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("care:opinions"))
    assert page.content.decode().count('data-testid="opinion-row"') == 15
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/v1/care-opinions/").json()["results"]) == 15


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_message_at_once_store_it_once(ow, monkeypatch):
    """WeChat retries while the first delivery is still being stored: real threads and
    connections; the unique (channel, message id) keeps one row, both get the reply."""
    real = Opinion.objects.create
    barrier = threading.Barrier(2)

    def slow(**kwargs):
        row = real(**kwargs)
        import time

        time.sleep(0.3)  # hold the transaction open while the other arrives
        return row

    monkeypatch.setattr(Opinion.objects, "create", slow)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(
                opinion_service.receive(ow.wechat, message_id="race", sender_id="u", text="同一条")
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert Opinion.objects.filter(message_id="race").count() == 1
