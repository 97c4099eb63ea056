"""The micro-project demo: a Loudi round on the document's 200,000 and an equal-shares round
with both outcomes kept for the results page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.demo import microprojects as demo
from gongzhi.microprojects.models import Method, Project, Round, Selection
from tests.owners.test_demo import demo_world  # noqa: F401 — the shared small demo world

pytestmark = pytest.mark.django_db


def test_demo_runs_on_the_loudi_budget_with_equal_shares(demo_world, world, login):  # noqa: F811
    world.district.policy_profile = "loudi"
    world.district.save()
    demo.build("small")
    last, current = Round.objects.order_by("year")
    assert current.budget_yuan == last.budget_yuan == Decimal("200000.00")
    assert current.budget_source == "profile" and current.method == Method.EQUAL_SHARES
    projects = Project.objects.filter(round=current)
    mes = {p.title for p in projects if p.mes_selected}
    greedy = {p.title for p in projects if p.greedy_selected}
    assert mes and greedy and mes != greedy  # the two methods differ on the demo votes
    assert {p.title for p in projects if p.selection == Selection.SELECTED} == mes
    assert sum(p.cost for p in projects if p.mes_selected) <= current.budget_yuan
    body = login(demo_world).get(reverse("microprojects:round", args=[current.pk])).content
    assert b'data-testid="results"' in body
