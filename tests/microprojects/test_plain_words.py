"""Plain Chinese (issue 19): money as ¥300,000.00 (not 300000.00 元); the button that opens a
round says so (开启本轮), not 进行中."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.microprojects import services

pytestmark = pytest.mark.django_db


def test_budget_reads_as_money(mp, login):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
    client = login(mp.cw)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("microprojects:round", args=[rnd.pk])).content.decode()
    assert "¥300,000.00" in html and "300000.00 元" not in html and "300000 元" not in html


def test_the_open_round_button_says_what_it_does(mp, login):
    client = login(mp.cw)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("microprojects:index")).content.decode()
    assert "开启本轮</button>" in html and ">进行中</button>" not in html
