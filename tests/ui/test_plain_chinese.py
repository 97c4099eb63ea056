"""Plain Chinese (issue 19, item 5): money as ¥300,000.00, 请选择 as every empty choice, audit
actions, field names, policy keys and documents by their Chinese titles, rounded numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from gongzhi.core import audit
from gongzhi.core.roles import Role
from gongzhi.core.templatetags.gz_ui import citation, fen, yuan
from gongzhi.places.models import Place
from tests.conftest import make_user


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (300000, "¥300,000.00"),
        (Decimal("300000.00"), "¥300,000.00"),
        ("1234.5", "¥1,234.50"),
        (0.125, "¥0.13"),
        (-80, "-¥80.00"),
        (None, ""),
    ],
)
def test_money_in_yuan(value, shown):
    assert yuan(value) == shown


def test_money_in_fen():
    assert fen(30000000) == "¥300,000.00" and fen(5) == "¥0.05"


def test_every_empty_choice_reads_please_choose(db):
    class AnyForm(forms.Form):  # no base class of ours: the renderer does it for every form
        place = forms.ModelChoiceField(Place.objects.all(), required=False)
        kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)

    with translation.override("zh-hans"):
        html = str(AnyForm())
    assert "---------" not in html
    assert html.count('<option value="" selected>请选择</option>') == 2


def test_a_real_page_has_no_dashes(world, login):
    client = login(make_user(Role.SYSTEM_ADMIN, world.district))
    html = client.get(reverse("tickets:category_new")).content.decode()
    assert html.count("<select") >= 3 and "---------" not in html


def _auditor(world):
    return make_user(Role.AUDIT_ADMIN, world.district)


def test_audit_list_shows_actions_fields_and_places_in_chinese(world, login):
    actor = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="deliberation.topic_support",
            target=world.community_a1,
            place_path=world.community_a1.path,
        )
        audit.record(
            actor=actor,
            action="place.update",
            target=world.grid_a1_1,
            place_path=world.grid_a1_1.path,
            changes={"name": ["一网格", "第一网格"]},
        )
    html = login(_auditor(world)).get(reverse("audit:list")).content.decode()
    cells = re.findall(r'data-testid="audit-action"[^>]*>([^<]+)<', html)
    assert cells[:2] == ["修改地点", "附议议题"]
    assert "<code>deliberation.topic_support</code>" not in html
    # The field by its verbose_name, not its code (Place.name reads 姓名 today: a model's
    # word for the places app to put in a context).
    assert '<th scope="row" class="fw-normal text-muted">name</th>' not in html
    assert re.search(r'<th scope="row" class="fw-normal text-muted">[^<a-z]+</th>', html)
    assert world.grid_a1_1.name in html  # the place by its name, not its path
    assert "places.Place 7" not in html and f"地点 #{world.grid_a1_1.pk}" in html


def test_an_unlisted_action_reads_as_its_area(world, login):
    from gongzhi.core import audit_titles

    assert audit_titles.title("ticket.accept") != "ticket.accept"
    with translation.override("zh-hans"):
        assert audit_titles.title("mediation.case_open").startswith("人民调解 · ")


def test_policy_pages_name_documents_not_codes(world, login):
    Place.objects.filter(pk=world.community_a1.pk).update(policy_profile="loudi")
    client = login(make_user(Role.DISTRICT_OFFICER, world.district))
    detail = client.get(reverse("profiles:detail", args=["loudi"])).content.decode()
    assert "娄发〔2015〕12号" in detail
    assert "第3条：按200户" in detail and "001 §3" not in detail
    assert "<code>001_5ec5a89cad8c6552.txt</code>" not in detail
    assert '<code class="small">grid.households</code>' not in detail  # the key by its label
    listing = client.get(reverse("profiles:list")).content.decode()
    assert "<code>loudi</code>" not in listing and "娄发〔2015〕12号" in listing


def test_citation_in_words():
    with translation.override("zh-hans"):
        assert citation("002 §四 1: 1500") == "第四 1条：1500"
        assert citation("001 §3: 按200户") == "第3条：按200户"
        assert citation("no number") == "no number"


def test_vanguard_index_is_rounded():
    index = SimpleNamespace(
        year=2026,
        value=4.383561643835616,
        components=[
            SimpleNamespace(label="服务时长", raw=12.345678, full=20, score=61.72839, weight=0.4)
        ],
    )
    with translation.override("zh-hans"):
        html = render_to_string("party/_vanguard_index.html", {"index": index})
    assert "4.383561643835616" not in html and ">4.4<" in html
    assert "12.3" in html and "61.7" in html and "12.345678" not in html
