"""The real SMS gateways (Aliyun, Tencent Cloud), against their documented signature examples and
a local fake gateway; the console backend withheld and refused outside the demo."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from gongzhi.core import sms
from gongzhi.core.sms_providers import (
    AliyunBackend,
    SmsError,
    TencentBackend,
    aliyun_signature,
    tencent_authorization,
)

PHONE = "13912345678"


def test_aliyun_signature_matches_the_documented_example():
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert aliyun_signature(params, "testsecret", "GET") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def test_tencent_signature_matches_the_documented_example():
    payload = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    auth = tencent_authorization(
        payload,
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        host="cvm.tencentcloudapi.com",
        timestamp=1551113065,
        service="cvm",
    )
    assert auth.endswith(
        "2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


class FakeGateway:
    """A local HTTP server standing in for the provider: records requests, answers `reply`."""

    def __init__(self) -> None:
        self.requests: list[tuple[Any, bytes]] = []
        self.reply: dict = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append((self.headers, body))
                data = json.dumps(gateway.reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    fake = FakeGateway()
    settings.SMS_ENDPOINT = fake.url
    settings.SMS_ACCESS_KEY_ID = "key-id"
    settings.SMS_ACCESS_KEY_SECRET = "key-secret"
    settings.SMS_SIGN_NAME = "共治"
    settings.SMS_TEMPLATE = "SMS_0001"
    settings.SMS_APP_ID = "1400000000"
    yield fake
    fake.close()


def test_aliyun_sends_a_signed_request_the_gateway_can_verify(gateway):
    gateway.reply = {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}
    AliyunBackend().send(PHONE, "您的验证码是123456")
    ((headers, body),) = gateway.requests
    params = dict(urllib.parse.parse_qsl(body.decode()))
    signature = params.pop("Signature")
    assert signature == aliyun_signature(params, "key-secret")
    assert params["PhoneNumbers"] == PHONE and params["SignName"] == "共治"
    assert json.loads(params["TemplateParam"]) == {"text": "您的验证码是123456"}
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"


def test_aliyun_refusal_is_an_error_without_the_phone(gateway):
    gateway.reply = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}
    with pytest.raises(SmsError) as refused:
        AliyunBackend().send(PHONE, "hello")
    assert "BUSINESS_LIMIT_CONTROL" in str(refused.value) and PHONE not in str(refused.value)


def test_tencent_sends_a_signed_request_the_gateway_can_verify(gateway):
    gateway.reply = {"Response": {"SendStatusSet": [{"Code": "Ok"}], "RequestId": "r"}}
    TencentBackend().send(PHONE, "停水通知")
    ((headers, body),) = gateway.requests
    payload = json.loads(body)
    assert payload["PhoneNumberSet"] == [f"+86{PHONE}"]
    assert payload["TemplateParamSet"] == ["停水通知"] and payload["SmsSdkAppId"] == "1400000000"
    expected = tencent_authorization(
        body,
        secret_id="key-id",
        secret_key="key-secret",
        host=headers["Host"],
        timestamp=int(headers["X-TC-Timestamp"]),
    )
    assert headers["Authorization"] == expected
    assert headers["X-TC-Action"] == "SendSms" and headers["X-TC-Version"] == "2021-01-11"


def test_tencent_refusal_is_an_error(gateway):
    gateway.reply = {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure"}}}
    with pytest.raises(SmsError, match="SignatureFailure"):
        TencentBackend().send(PHONE, "x")


def test_an_unreachable_gateway_is_an_error(settings):
    settings.SMS_ENDPOINT = "http://127.0.0.1:1/"
    settings.SMS_ACCESS_KEY_ID = settings.SMS_ACCESS_KEY_SECRET = "k"
    settings.SMS_SIGN_NAME = settings.SMS_TEMPLATE = "t"
    with pytest.raises(SmsError, match="unreachable"):
        AliyunBackend().send(PHONE, "x")


def test_the_console_backend_prints_no_text_outside_the_demo(settings, capsys):
    settings.EMBEDDED = False
    settings.GONGZHI_DEMO = False
    sms.ConsoleBackend().send(PHONE, "您的登录验证码是 654321")
    out = capsys.readouterr().out
    assert "654321" not in out and PHONE not in out and "139****5678" in out
    settings.GONGZHI_DEMO = True
    sms.ConsoleBackend().send(PHONE, "您的登录验证码是 654321")
    assert "654321" in capsys.readouterr().out


def test_check_deploy_refuses_the_console_backend_in_production(settings):
    settings.EMBEDDED = False
    settings.GONGZHI_DEMO = False
    settings.SMS_BACKEND = "gongzhi.core.sms.ConsoleBackend"
    with pytest.raises(SystemCheckError, match="gongzhi.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR", tags=["security"])
    settings.SMS_BACKEND = "gongzhi.core.sms_providers.AliyunBackend"
    call_command("check", "--deploy", "--fail-level", "ERROR", tags=["security"])


def test_a_gateway_failure_leaves_the_login_page_working(db, settings, client):
    from gongzhi.core.models import User

    User.objects.create_user(phone=PHONE, name="居民", password="Gz-test-pass-2026")
    settings.SMS_BACKEND = "gongzhi.core.sms_providers.AliyunBackend"
    settings.SMS_ENDPOINT = "http://127.0.0.1:1/"
    settings.SMS_ACCESS_KEY_ID = settings.SMS_ACCESS_KEY_SECRET = "k"
    settings.SMS_SIGN_NAME = settings.SMS_TEMPLATE = "t"
    res = client.post("/login/sms/", {"phone": PHONE})
    assert res.status_code == 200
    # No code was kept: a guessed code cannot log in, and asking again is not throttled.
    assert not sms.check_login_code(PHONE, "000000")
    from django.core.cache import cache

    assert cache.get(sms._key(PHONE) + ":sent") is None
