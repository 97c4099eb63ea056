"""Community funds (issue 16 item 5): donations, grants, the ledger, concurrency, audit."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gongzhi.core import ledger
from gongzhi.core.models import AuditRecord, LedgerEntry
from gongzhi.funds import selectors, services
from gongzhi.funds.models import Fund, FundEntry
from tests.funds.conftest import FEN, D, donate


def test_a_fund_has_its_own_money_account(fw):
    assert fw.fund.account.currency == "fen"
    assert fw.fund.account.owner_kind == "fund"
    assert fw.fund.account.owner_id == fw.fund.pk
    assert AuditRecord.objects.filter(action="funds.fund_create").count() == 1


def test_donations_and_grants_balance_is_the_sum_of_entries(fw):
    donate(fw, "1000.50")
    donate(fw, 200, anonymous=True, donor_name="")
    services.grant(
        fw.fund, actor=fw.secretary, amount_yuan="300", on=D(2026, 5, 2), purpose="独居老人助餐"
    )
    fw.fund.account.refresh_from_db()
    assert fw.fund.account.balance == 90050
    assert ledger.recompute_balance(fw.fund.account) == 90050
    t = selectors.totals(fw.fund)
    assert (t.donations_fen, t.grants_fen, t.balance_fen) == (120050, 30000, 90050)
    assert ledger.verify_ledger().ok
    assert AuditRecord.objects.filter(action__in=["funds.donation", "funds.grant"]).count() == 3


def test_a_grant_above_the_balance_is_refused_and_writes_nothing(fw):
    donate(fw, 100)
    before = (FundEntry.objects.count(), LedgerEntry.objects.count(), AuditRecord.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.grant(
            fw.fund, actor=fw.secretary, amount_yuan="100.01", on=D(2026, 5, 2), purpose="x"
        )
    assert "余额" in str(caught.value) or "balance" in str(caught.value)
    after = (FundEntry.objects.count(), LedgerEntry.objects.count(), AuditRecord.objects.count())
    assert before == after


def test_the_same_request_is_booked_once(fw):
    first = donate(fw, 50, request_key="abc")
    again = donate(fw, 50, request_key="abc")
    assert first.pk == again.pk
    assert FundEntry.objects.count() == 1
    with pytest.raises(ValidationError):
        donate(fw, 60, request_key="abc")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount_yuan": "0"},
        {"amount_yuan": "-5"},
        {"amount_yuan": "1.001"},
        {"amount_yuan": "abc"},
        {"donor_name": ""},
        {"on": D(2026, 7, 1)},
    ],
)
def test_bad_donations_are_refused(fw, kwargs):
    args = {"amount_yuan": "10", "on": D(2026, 5, 1), "donor_name": "李四", **kwargs}
    with pytest.raises(ValidationError):
        services.donate(fw.fund, actor=fw.secretary, **args)
    assert FundEntry.objects.count() == 0


def test_a_grant_needs_one_target(fw):
    donate(fw, 100)
    with pytest.raises(ValidationError):
        services.grant(fw.fund, actor=fw.secretary, amount_yuan="10", on=D(2026, 5, 2))
    assert FundEntry.objects.filter(kind="grant").count() == 0


def test_entries_are_append_only(fw):
    entry = donate(fw, 10)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        FundEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        FundEntry.objects.update(amount_fen=1)


def test_wrong_roles_are_refused(fw):
    with pytest.raises(Http404):  # sees nothing of funds: no funds.view anywhere
        donate_as(fw, fw.grid)
    with pytest.raises(PermissionDenied):  # a community worker reads the fund, books nothing
        donate_as(fw, fw.worker)
    with pytest.raises(Http404):  # another community: out of scope
        donate_as(fw, fw.worker_a2)
    with pytest.raises(Http404):
        donate_as(fw, fw.officer_b)
    donate_as(fw, fw.officer)  # the street above may
    with pytest.raises((PermissionDenied, Http404)):
        services.create_fund(fw.a2, actor=fw.secretary, name="x")
    with pytest.raises(ValidationError):
        services.create_fund(fw.street, actor=fw.officer, name="街道基金")  # not a community


def donate_as(fw, user):
    return services.donate(
        fw.fund, actor=user, amount_yuan="1", on=D(2026, 5, 1), donor_name="王五"
    )


def test_a_fund_name_is_unique_in_its_place(fw):
    with pytest.raises(ValidationError):
        services.create_fund(fw.a1, actor=fw.secretary, name="珞南一社区基金")
    assert Fund.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_grants_never_exceed_the_balance(fw, monkeypatch):
    donate(fw, 100)
    real = ledger._lock

    def slow(ids):
        rows = real(ids)
        time.sleep(0.2)
        return rows

    monkeypatch.setattr(ledger, "_lock", slow)
    barrier = threading.Barrier(2)
    results = []

    def attempt(n):
        try:
            barrier.wait()
            results.append(
                services.grant(
                    Fund.objects.get(pk=fw.fund.pk),
                    actor=fw.secretary,
                    amount_yuan="70",
                    on=D(2026, 5, 2),
                    purpose=f"项目{n}",
                )
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(r, FundEntry) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    fw.fund.account.refresh_from_db()
    assert fw.fund.account.balance == 30 * FEN
    assert ledger.recompute_balance(fw.fund.account) == 30 * FEN


@pytest.mark.django_db(transaction=True)
def test_concurrent_donations_and_grants_keep_balance_equal_to_entries(fw):
    donate(fw, 500)
    barrier = threading.Barrier(4)
    errors = []

    def work(n):
        try:
            barrier.wait()
            fund = Fund.objects.get(pk=fw.fund.pk)
            for i in range(3):
                if n % 2:
                    services.donate(
                        fund,
                        actor=fw.secretary,
                        amount_yuan="10",
                        on=D(2026, 5, 1),
                        donor_name=f"捐赠人{n}{i}",
                    )
                else:
                    services.grant(
                        fund,
                        actor=fw.secretary,
                        amount_yuan="20",
                        on=D(2026, 5, 1),
                        purpose=f"项目{n}{i}",
                    )
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    fw.fund.account.refresh_from_db()
    t = selectors.totals(fw.fund)
    assert fw.fund.account.balance == t.balance_fen == (500 + 60 - 120) * FEN
    assert ledger.recompute_balance(fw.fund.account) == t.balance_fen
