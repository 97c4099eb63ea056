"""Plain Chinese on volunteering pages (issue 19): the roster's duration column is not
会议纪要 (meeting minutes), the time bank's publish button is not 岗位 (a post)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation


def _zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def test_roster_minutes_column_reads_as_a_duration(vol, new_activity, login):
    activity = new_activity()
    with translation.override("zh-hans"):
        client = _zh(login(vol.cw))
        html = client.get(reverse("volunteering:activity", args=[activity.pk])).content.decode()
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert "时长（分钟）" in head and "会议纪要" not in head


def test_time_bank_publish_button_says_publish(vol, login):
    with translation.override("zh-hans"):
        client = _zh(login(vol.res1))
        html = client.get(reverse("volunteering:timebank")).content.decode()
    form = html.split('data-testid="exchange-form"', 1)[1].split("</form>", 1)[0]
    assert ">发布</button>" in form and "岗位" not in form
