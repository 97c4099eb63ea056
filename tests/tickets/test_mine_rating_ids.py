"""我的工单 with two resolved tickets (issue 19): each rating form has its own star ids, so a
tap on the second ticket's star selects that star, not the first ticket's."""

from __future__ import annotations

import re
from collections import Counter

from django.urls import reverse

from gongzhi.tickets.models import Status


def test_rating_forms_do_not_repeat_element_ids(drive, people, login):
    first, second = drive(Status.RESOLVED), drive(Status.RESOLVED)
    html = login(people.resident).get(reverse("tickets:mine")).content.decode()

    ids = re.findall(r'\bid="([^"]+)"', html)
    repeated = [i for i, n in Counter(ids).items() if n > 1]
    assert not repeated, repeated
    # Each star's label points at the radio of its own form.
    for ticket in (first, second):
        form = re.search(
            rf'<form[^>]*action="{reverse("tickets:step", args=[ticket.pk, "confirm"])}".*?</form>',
            html,
            re.S,
        ).group(0)
        labels = re.findall(r'<label[^>]*for="([^"]+)"', form)
        radios = re.findall(r'<input[^>]*name="rating"[^>]*id="([^"]+)"', form)
        assert len(radios) == 5
        assert labels == radios
