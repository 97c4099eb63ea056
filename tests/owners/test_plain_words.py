"""Plain Chinese (issue 19): the owners' votes list is headed 表决事项, not 票数 (a count)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_votes_subheading_names_the_decisions(estate_world, open_vote, login):
    open_vote()
    client = login(estate_world.cw)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("owners:index")).content.decode()
    headings = [h.split("</h2>", 1)[0] for h in html.split('<h2 class="h6">')[1:]]
    assert "表决事项" in headings and "票数" not in headings
