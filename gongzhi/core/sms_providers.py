"""Real SMS gateways for `settings.SMS_BACKEND`: Aliyun SMS (阿里云短信, SendSms, RPC signature
v1) and Tencent Cloud SMS (腾讯云短信, SendSms 2021-01-11, TC3-HMAC-SHA256), over their documented
HTTPS APIs with the standard library — no vendor SDK to install or keep up to date.

Both providers send only pre-approved templates. Register one template whose single variable
carries the platform's text (its name in SMS_TEMPLATE_PARAM, default `text`; e.g. Aliyun
`【共治】${text}`); login codes and notifications both go through it. Settings, from the
environment (docs/deployment.md "SMS"):

    SMS_BACKEND=gongzhi.core.sms_providers.AliyunBackend   (or TencentBackend)
    SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME, SMS_TEMPLATE,
    SMS_APP_ID (Tencent: SmsSdkAppId), SMS_REGION, SMS_ENDPOINT (tests: a local fake server)

A refusal by the gateway raises `SmsError` with the gateway's code, never the phone number.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from gongzhi.core import clock

TIMEOUT = 10  # seconds


class SmsError(RuntimeError):
    """The gateway refused or could not be reached."""


def _setting(name: str) -> str:
    value = getattr(settings, name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} is required by {settings.SMS_BACKEND}")
    return str(value)


def _post(url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ImproperlyConfigured("SMS_ENDPOINT must be https (plain http only to localhost)")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise SmsError(f"SMS gateway unreachable: {type(exc).__name__}") from None


# --------------------------------------------------------------------------- Aliyun


def aliyun_percent(value: str) -> str:
    """RFC 3986 encoding as Aliyun's signature wants it (space %20, * %2A, ~ kept)."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(
        f"{aliyun_percent(k)}={aliyun_percent(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunBackend:
    endpoint = "https://dysmsapi.aliyuncs.com/"

    def send(self, phone: str, text: str) -> None:
        params = {
            "AccessKeyId": _setting("SMS_ACCESS_KEY_ID"),
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": getattr(settings, "SMS_REGION", "") or "cn-hangzhou",
            "SignName": _setting("SMS_SIGN_NAME"),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": secrets.token_hex(16),
            "SignatureVersion": "1.0",
            "TemplateCode": _setting("SMS_TEMPLATE"),
            "TemplateParam": json.dumps(
                {getattr(settings, "SMS_TEMPLATE_PARAM", "text"): text}, ensure_ascii=False
            ),
            "Timestamp": clock.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, _setting("SMS_ACCESS_KEY_SECRET"))
        answer = _post(
            getattr(settings, "SMS_ENDPOINT", "") or self.endpoint,
            urllib.parse.urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if answer.get("Code") != "OK":
            raise SmsError(f"Aliyun SMS refused: {answer.get('Code')}")


# --------------------------------------------------------------------------- Tencent Cloud


def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_authorization(
    payload: bytes,
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    timestamp: int,
    service: str = "sms",
) -> str:
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


class TencentBackend:
    endpoint = "https://sms.tencentcloudapi.com/"

    def send(self, phone: str, text: str) -> None:
        url = getattr(settings, "SMS_ENDPOINT", "") or self.endpoint
        host = urllib.parse.urlsplit(url).netloc
        payload = json.dumps(
            {
                "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
                "SmsSdkAppId": _setting("SMS_APP_ID"),
                "SignName": _setting("SMS_SIGN_NAME"),
                "TemplateId": _setting("SMS_TEMPLATE"),
                "TemplateParamSet": [text],
            },
            ensure_ascii=False,
        ).encode()
        timestamp = int(clock.now().astimezone(dt.UTC).timestamp())
        headers = {
            "Authorization": tencent_authorization(
                payload,
                secret_id=_setting("SMS_ACCESS_KEY_ID"),
                secret_key=_setting("SMS_ACCESS_KEY_SECRET"),
                host=host,
                timestamp=timestamp,
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": "2021-01-11",
            "X-TC-Region": getattr(settings, "SMS_REGION", "") or "ap-guangzhou",
        }
        answer = _post(url, payload, headers).get("Response", {})
        if "Error" in answer:
            raise SmsError(f"Tencent Cloud SMS refused: {answer['Error'].get('Code')}")
        statuses = answer.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise SmsError(f"Tencent Cloud SMS refused: {statuses[0].get('Code')}")
