"""Client addresses behind a reverse proxy: believed only from trusted proxies."""

from django.test import RequestFactory

from gongzhi.core.middleware import client_ip


def _req(remote, xff=None):
    meta = {"REMOTE_ADDR": remote}
    if xff:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_req("10.0.0.5", "1.2.3.4")) == "10.0.0.5"


def test_a_trusted_proxy_passes_the_client_on(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    assert client_ip(_req("127.0.0.1", "203.0.113.9")) == "203.0.113.9"
    # A client cannot forge its address by sending its own X-Forwarded-For first.
    assert client_ip(_req("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.1.1")) == "203.0.113.9"


def test_an_untrusted_sender_cannot_claim_an_address(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(_req("198.51.100.7", "127.0.0.1")) == "198.51.100.7"


def test_rate_limit_counts_the_real_client(world, client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.LOGIN_RATE = "2/m"
    for _ in range(2):
        client.post(
            "/login/",
            {"identifier": "x", "password": "y"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.1",
        )
    blocked = client.post(
        "/login/",
        {"identifier": "x", "password": "y"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.1",
    )
    other = client.post(
        "/login/",
        {"identifier": "x", "password": "y"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.2",
    )
    assert blocked.status_code == 429
    assert other.status_code == 400
