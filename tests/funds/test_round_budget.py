"""A micro-project round's budget is booked against the community's benefit-project funding line
(issue 16 item 7): microprojects exposes `set_round_budget_hook`, funds installs
`services.book_round_budget` — opening books the budget as spending, a short line refuses, a
lowered budget releases, two writers at once cannot overspend."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from gongzhi.core import ledger
from gongzhi.core.models import AuditRecord
from gongzhi.funds import services
from gongzhi.funds.models import FundingLine, LineEntry
from gongzhi.microprojects import services as microprojects
from gongzhi.microprojects.models import Round
from tests.funds.conftest import FEN, D


def _benefit(fw, received: str | None) -> FundingLine:
    services.open_lines(fw.a1, 2026, actor=fw.secretary)
    line = FundingLine.objects.get(community=fw.a1, year=2026, kind="benefit")
    if received:
        services.receive(
            line,
            actor=fw.secretary,
            amount_yuan=received,
            on=D(2026, 3, 1),
            description="惠民项目资金拨付",
            reference="拨-惠民-01",
        )
    return line


def _balance(line: FundingLine) -> int:
    line.account.refresh_from_db()
    assert line.account.balance == ledger.recompute_balance(line.account)
    return line.account.balance


def test_the_hook_is_installed_by_the_funds_app():
    assert microprojects._round_budget_hook is services.book_round_budget


def test_opening_a_round_books_its_budget_on_the_benefit_line(fw):
    line = _benefit(fw, "350000")
    rnd = microprojects.open_round(fw.a1, 2026, actor=fw.secretary)
    assert rnd.budget_yuan == 300000 and rnd.budget_booked
    entry = LineEntry.objects.get(line=line, micro_round=rnd)
    assert entry.kind == "spending" and entry.amount_fen == 300000 * FEN
    assert _balance(line) == 50000 * FEN
    assert AuditRecord.objects.filter(action="funds.round_budget").count() == 1
    # the line's totals and the generated notice count it like any spending
    from gongzhi.funds import selectors

    assert selectors.line_totals(line) == {"received": 350000 * FEN, "spent": 300000 * FEN}
    notice = services.publish_financial_notice(fw.a1, 2026, actor=fw.secretary)
    assert any(row["amount"] == "-300000.00" for row in notice.amounts)


def test_a_short_line_refuses_the_round_and_nothing_is_written(fw):
    line = _benefit(fw, "120000")
    with pytest.raises(ValidationError) as info:
        microprojects.open_round(fw.a1, 2026, actor=fw.secretary)
    assert "120000.00" in info.value.message_dict["budget"][0]
    assert not Round.objects.exists()
    assert not LineEntry.objects.filter(micro_round__isnull=False).exists()
    assert _balance(line) == 120000 * FEN
    # an empty line refuses too
    services.spend(
        line,
        actor=fw.secretary,
        amount_yuan="120000",
        on=D(2026, 3, 2),
        description="其他支出",
        reference="支-01",
    )
    with pytest.raises(ValidationError):
        microprojects.open_round(fw.a1, 2026, actor=fw.secretary)


def test_without_a_benefit_line_the_round_opens_unbooked(fw, client, login):
    rnd = microprojects.open_round(fw.a1, 2026, actor=fw.secretary)
    assert not rnd.budget_booked
    assert not LineEntry.objects.exists()
    page = login(fw.secretary).get(reverse("microprojects:round", args=[rnd.pk]))
    assert 'data-testid="budget-booked"' in page.content.decode()


def test_changing_the_budget_books_the_difference(fw):
    line = _benefit(fw, "320000")
    rnd = microprojects.open_round(fw.a1, 2026, actor=fw.secretary)
    rnd = microprojects.set_rules(rnd, actor=fw.secretary, budget="250000")
    assert rnd.budget_booked
    release = LineEntry.objects.get(micro_round=rnd, kind="release")
    assert release.amount_fen == 50000 * FEN
    assert _balance(line) == 70000 * FEN
    from gongzhi.funds import selectors

    assert selectors.line_totals(line)["spent"] == 250000 * FEN
    with pytest.raises(ValidationError):  # 70,000 left, 80,000 more asked
        microprojects.set_rules(rnd, actor=fw.secretary, budget="330000")
    rnd.refresh_from_db()
    assert rnd.budget_yuan == 250000
    microprojects.set_rules(rnd, actor=fw.secretary, budget="320000")
    assert _balance(line) == 0


def test_who_may_not_book_money_cannot_open_a_booked_round(fw, login):
    """A community worker opens micro-project rounds but books no money: where the budget is
    booked on a funding line, opening is refused (403 on the page, nothing written)."""
    _benefit(fw, "350000")
    with pytest.raises(PermissionDenied):
        microprojects.open_round(fw.a1, 2026, actor=fw.worker)
    response = login(fw.worker).post(
        reverse("microprojects:open_round"), {"community": fw.a1.pk, "year": 2026}
    )
    assert response.status_code == 403
    assert not Round.objects.exists()
    # the secretary may; then the worker cannot change the booked budget through the API
    rnd = microprojects.open_round(fw.a1, 2026, actor=fw.secretary)
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(fw.worker)
    answer = api.post(f"/api/v1/microproject-rounds/{rnd.pk}/rules/", {"budget": "200000"})
    assert answer.status_code == 403
    rnd.refresh_from_db()
    assert rnd.budget_yuan == 300000


@pytest.mark.django_db(transaction=True)
def test_an_opening_and_a_spending_at_once_never_overspend_the_line(fw, monkeypatch):
    line = _benefit(fw, "400000")
    real = ledger._lock

    def slow(ids):
        rows = real(ids)
        time.sleep(0.2)
        return rows

    monkeypatch.setattr(ledger, "_lock", slow)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def opening():
        try:
            barrier.wait()
            results.append(microprojects.open_round(fw.a1, 2026, actor=fw.secretary))
        except Exception as error:  # noqa: BLE001
            results.append(error)
        finally:
            connection.close()

    def spending():
        try:
            barrier.wait()
            results.append(
                services.spend(
                    FundingLine.objects.get(pk=line.pk),
                    actor=fw.secretary,
                    amount_yuan="200000",
                    on=D(2026, 3, 2),
                    description="其他支出",
                    reference="支-02",
                )
            )
        except Exception as error:  # noqa: BLE001
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=opening), threading.Thread(target=spending)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert sum(isinstance(r, Round | LineEntry) for r in results) == 1, results
    assert _balance(line) in (100000 * FEN, 200000 * FEN)
    assert _balance(line) >= 0
