"""Item 3: subsidies by rule (000 §四). The amount the rule allows, at and above each cap, per
profile; an officer's approval with a reason against the year's budget — never above the rule
or the budget, also under two approvals at once; payment; refusals write nothing."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404

from gongzhi.organisations import services
from gongzhi.organisations.models import (
    OrgKind,
    OrgStatus,
    ServiceField,
    SubsidyApplication,
    SubsidyRule,
    SubsidyStatus,
)
from tests.organisations.conftest import CODE_2, D

pytestmark = pytest.mark.django_db

YUAN = 100  # fen


def _incubator_org(ow):
    services.add_incubator(
        ow.a1, actor=ow.secretary, name="工作室", opened_on=D(2024, 1, 1), operator=ow.registered
    )
    return ow.registered


def _apply(ow, org, rule, base=None, year=2026):
    return services.apply_subsidy(org, actor=ow.partner, rule=rule, year=year, base_yuan=base)


@pytest.mark.parametrize(
    ("costs", "expected"),
    [
        ("200000", 100000),  # 50 % of 200,000: under the cap
        ("1000000", 500000),  # 50 % = 500,000: exactly the cap
        ("1000000.02", 500000),  # above: the cap
        ("3000000", 500000),
    ],
)
def test_incubator_half_of_running_costs_up_to_the_cap(ow, costs, expected):
    org = _incubator_org(ow)
    made = _apply(ow, org, SubsidyRule.INCUBATOR, costs)
    assert made.computed_fen == expected * YUAN
    assert "50%" in made.paragraph


def test_another_profile_other_amounts(ow):
    ow.world.district.policy_profile = "orgs-lean"
    ow.world.district.save()
    org = _incubator_org(ow)
    assert _apply(ow, org, SubsidyRule.INCUBATOR, "200000").computed_fen == 60000 * YUAN
    services.set_rating(org, actor=ow.secretary, rating="5", rated_on=D(2026, 1, 1))
    assert _apply(ow, org, SubsidyRule.RATING).computed_fen == 20000 * YUAN


def test_a_profile_without_the_rule_refuses(ow):
    ow.world.district.policy_profile = "no-keys"
    ow.world.district.save()
    org = _incubator_org(ow)
    with pytest.raises(ValidationError, match="subsidies.incubator_percent"):
        _apply(ow, org, SubsidyRule.INCUBATOR, "200000")
    assert not SubsidyApplication.objects.exists()


def test_rating_rule_needs_4a(ow):
    org = ow.registered
    services.set_rating(org, actor=ow.secretary, rating="3", rated_on=D(2026, 1, 1))
    with pytest.raises(ValidationError, match="4A"):
        _apply(ow, org, SubsidyRule.RATING)
    services.set_rating(org, actor=ow.secretary, rating="4", rated_on=D(2026, 1, 1))
    assert _apply(ow, org, SubsidyRule.RATING).computed_fen == 100000 * YUAN
    with pytest.raises(ValidationError):
        _apply(ow, org, SubsidyRule.RATING)  # once a year


@pytest.mark.parametrize(
    ("fund", "expected"),
    [("10000000", 200000), ("25000000", 500000), ("30000000", 500000)],
)
def test_foundation_two_percent_up_to_the_cap_once(ow, fund, expected):
    org = services.register(
        ow.a1,
        actor=ow.secretary,
        name="社区公益基金会",
        kind=OrgKind.FOUNDATION,
        status=OrgStatus.REGISTERED,
        field=ServiceField.CHARITY,
        credit_code=CODE_2,
        registered_on=D(2025, 1, 1),
    )
    services.link_contact(org, actor=ow.secretary, user=ow.partner)
    assert _apply(ow, org, SubsidyRule.FOUNDATION, fund).computed_fen == expected * YUAN
    with pytest.raises(ValidationError, match="一次性"):
        _apply(ow, org, SubsidyRule.FOUNDATION, fund, year=2027)


def test_social_enterprise_fixed_once_and_only_for_one(ow):
    with pytest.raises(ValidationError):
        _apply(ow, ow.registered, SubsidyRule.SOCIAL_ENTERPRISE)
    with pytest.raises(ValidationError):
        _apply(ow, ow.registered, SubsidyRule.FOUNDATION, "100000")
    org = services.register(
        ow.a1,
        actor=ow.secretary,
        name="善食社会企业",
        kind=OrgKind.SOCIAL_ENTERPRISE,
        status=OrgStatus.REGISTERED,
        field=ServiceField.ELDERLY,
        credit_code=CODE_2,
        registered_on=D(2025, 1, 1),
        certified_on=D(2026, 3, 1),
    )
    services.link_contact(org, actor=ow.secretary, user=ow.partner)
    assert _apply(ow, org, SubsidyRule.SOCIAL_ENTERPRISE).computed_fen == 50000 * YUAN


def test_incubator_rule_needs_an_incubator_and_a_figure(ow):
    with pytest.raises(ValidationError):
        _apply(ow, ow.registered, SubsidyRule.INCUBATOR, "1000")
    org = _incubator_org(ow)
    with pytest.raises(ValidationError) as caught:
        _apply(ow, org, SubsidyRule.INCUBATOR, None)
    assert "base_yuan" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _apply(ow, org, SubsidyRule.INCUBATOR, "abc")


def test_only_the_contact_applies(ow):
    org = _incubator_org(ow)
    with pytest.raises(PermissionDenied):
        services.apply_subsidy(
            org, actor=ow.partner2, rule=SubsidyRule.INCUBATOR, year=2026, base_yuan="100"
        )
    with pytest.raises(PermissionDenied):
        services.apply_subsidy(
            org, actor=ow.secretary, rule=SubsidyRule.INCUBATOR, year=2026, base_yuan="100"
        )


@pytest.fixture
def rated(ow):
    services.set_rating(ow.registered, actor=ow.secretary, rating="4", rated_on=D(2026, 1, 1))
    return _apply(ow, ow.registered, SubsidyRule.RATING)


def test_approve_within_rule_and_budget_then_pay(ow, rated):
    with pytest.raises(ValidationError, match="预算"):
        services.decide_subsidy(rated, actor=ow.officer, approve=True, reason="ok", amount_yuan="1")
    services.set_budget(ow.street, 2026, actor=ow.officer, amount_yuan="150000")
    with pytest.raises(ValidationError) as caught:
        services.decide_subsidy(
            rated, actor=ow.officer, approve=True, reason="ok", amount_yuan="100000.01"
        )
    assert "amount_yuan" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.decide_subsidy(rated, actor=ow.officer, approve=True, reason="", amount_yuan="1")
    assert "reason" in caught.value.message_dict
    done = services.decide_subsidy(
        rated, actor=ow.officer, approve=True, reason="4A级，全额", amount_yuan="100000"
    )
    assert (done.status, done.approved_fen) == (SubsidyStatus.APPROVED, 100000 * YUAN)
    with pytest.raises(ValidationError):
        services.set_budget(ow.street, 2026, actor=ow.officer, amount_yuan="99999")
    paid = services.pay_subsidy(done, actor=ow.officer, paid_on=D(2026, 5, 30), reference="拨付-1")
    assert paid.status == SubsidyStatus.PAID
    with pytest.raises(ValidationError):
        services.pay_subsidy(paid, actor=ow.officer, paid_on=D(2026, 5, 30), reference="x")


def test_budget_left_is_a_limit(ow, rated):
    services.set_budget(ow.street, 2026, actor=ow.officer, amount_yuan="30000")
    with pytest.raises(ValidationError, match="30,000.00"):
        services.decide_subsidy(
            rated, actor=ow.officer, approve=True, reason="ok", amount_yuan="40000"
        )
    assert SubsidyApplication.objects.get(pk=rated.pk).status == SubsidyStatus.APPLIED


def test_refuse_with_reason_then_apply_again(ow, rated):
    services.decide_subsidy(rated, actor=ow.officer, approve=False, reason="材料不全")
    again = _apply(ow, ow.registered, SubsidyRule.RATING)
    assert again.status == SubsidyStatus.APPLIED


def test_the_database_refuses_an_amount_above_the_rule(ow, rated):
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyApplication.objects.filter(pk=rated.pk).update(approved_fen=rated.computed_fen + 1)


def test_wrong_roles_decide(ow, rated):
    services.set_budget(ow.street, 2026, actor=ow.officer, amount_yuan="150000")
    with pytest.raises(PermissionDenied):
        services.decide_subsidy(
            rated, actor=ow.secretary, approve=True, reason="x", amount_yuan="1"
        )
    with pytest.raises(Http404):
        services.decide_subsidy(
            rated, actor=ow.officer_b, approve=True, reason="x", amount_yuan="1"
        )
    # The street's budget lies above a community secretary's area: it does not exist for them.
    with pytest.raises(Http404):
        services.set_budget(ow.street, 2026, actor=ow.secretary, amount_yuan="1")


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_never_exceed_the_budget(ow, monkeypatch):
    """Two organisations rated 4A, 100,000 each allowed, a budget of 150,000: approved at the
    same moment, one gets through and the other is refused with what is left."""
    services.set_rating(ow.registered, actor=ow.secretary, rating="4", rated_on=D(2026, 1, 1))
    services.set_rating(ow.filed, actor=ow.secretary, rating="5", rated_on=D(2026, 1, 1))
    services.link_contact(ow.filed, actor=ow.secretary, user=ow.partner)
    first = _apply(ow, ow.registered, SubsidyRule.RATING)
    second = _apply(ow, ow.filed, SubsidyRule.RATING)
    services.set_budget(ow.street, 2026, actor=ow.officer, amount_yuan="150000")
    real = services.committed

    def slow(budget):
        total = real(budget)
        time.sleep(0.3)
        return total

    monkeypatch.setattr(services, "committed", slow)
    barrier = threading.Barrier(2)
    results = []

    def attempt(application):
        try:
            barrier.wait()
            results.append(
                services.decide_subsidy(
                    SubsidyApplication.objects.get(pk=application.pk),
                    actor=ow.officer,
                    approve=True,
                    reason="4A",
                    amount_yuan="100000",
                )
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(a,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(r, SubsidyApplication) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    approved = SubsidyApplication.objects.filter(status=SubsidyStatus.APPROVED)
    assert sum(a.approved_fen for a in approved) == 100000 * YUAN
