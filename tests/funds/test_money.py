"""Purchased services (item 6) and the community's funding lines (item 7)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gongzhi.core import ledger
from gongzhi.core.models import AuditRecord
from gongzhi.funds import selectors, services
from gongzhi.funds.models import FundingLine, LineEntry, PurchasedService
from gongzhi.organisations.models import Organisation
from gongzhi.places.models import AreaClass, Household
from tests.conftest import make_place
from tests.funds.conftest import FEN, D


@pytest.fixture
def org(fw):
    return Organisation.objects.create(
        name="夕阳红助老服务队",
        kind="social_group",
        status="filed",
        filed_on=D(2025, 1, 1),
        field="elderly",
        place=fw.a1,
        place_path=fw.a1.path,
    )


def buy(fw, yuan, *, org=None, firm="", community=None):
    return services.record_purchase(
        community or fw.a1,
        actor=fw.secretary,
        year=2026,
        service="居家养老服务",
        amount_yuan=str(yuan),
        organisation=org,
        supplier_name=firm,
    )


def test_share_from_social_organisations_against_the_40_percent_target(fw, org):
    buy(fw, 30000, org=org)
    buy(fw, 70000, firm="某物业公司")
    rows = {r.community.pk: r for r in selectors.share_rows(fw.secretary, 2026)}
    row = rows[fw.a1.pk]
    assert (row.total_fen, row.social_fen) == (100000 * FEN, 30000 * FEN)
    assert str(row.check.actual) == "30.0"
    assert row.check.required == 40
    assert row.check.status == "short"
    assert "40%" in row.check.citation
    buy(fw, 20000, org=org)  # 50,000 of 120,000: 41.6 %
    row = {r.community.pk: r for r in selectors.share_rows(fw.secretary, 2026)}[fw.a1.pk]
    assert row.check.status == "ok"
    assert str(row.check.actual) == "41.6"


def test_a_community_without_purchases_is_not_recorded(fw):
    rows = {r.community.pk: r for r in selectors.share_rows(fw.officer, 2026)}
    assert rows[fw.a2.pk].check.status == "not_recorded"


def test_a_purchase_names_one_supplier(fw, org):
    with pytest.raises(ValidationError):
        buy(fw, 10, org=org, firm="某公司")
    with pytest.raises(ValidationError):
        buy(fw, 10)
    with pytest.raises(ValidationError):
        buy(fw, 10, firm="某公司", community=fw.street)
    assert PurchasedService.objects.count() == 0


def test_purchase_permissions_and_removal(fw, org):
    with pytest.raises(PermissionDenied):
        services.record_purchase(
            fw.a1, actor=fw.worker, year=2026, service="s", amount_yuan="1", supplier_name="x"
        )
    purchase = buy(fw, 100, firm="某公司")
    services.remove_purchase(purchase, actor=fw.secretary, reason="录入错误")
    assert PurchasedService.objects.count() == 0
    assert AuditRecord.objects.filter(action="funds.purchase_remove", reason="录入错误").exists()


def test_funding_lines_from_the_profile_with_their_paragraphs(fw):
    community = make_place(fw.street, "community", "手工社区", "420111002009")
    grid = make_place(community, "grid", "网格", "G01")
    building = make_place(grid, "building", "1栋", "B1")
    Household.objects.bulk_create(
        Household(building=building, unit_no="1", room_no=str(i), place_path=building.path)
        for i in range(2500)
    )
    lines = services.open_lines(community, 2026, actor=fw.officer)
    by_kind = {line.kind: line for line in lines}
    assert by_kind["party_building"].rule_fen == 100000 * FEN
    assert "000 §一" in by_kind["party_building"].paragraph
    assert by_kind["running"].rule_fen == 250000 * FEN
    assert by_kind["running"].key == "funds.working_yuan"
    assert by_kind["per_households"].rule_fen == 250000 * FEN  # 2,500 households
    assert "002 §四" in by_kind["per_households"].paragraph
    assert by_kind["benefit"].rule_fen == 300000 * FEN
    with pytest.raises(ValidationError):
        services.open_lines(community, 2026, actor=fw.officer)  # open already
    # A county-town community: the county key.
    county = make_place(
        fw.street, "community", "县城社区", "420111002010", area_class=AreaClass.COUNTY
    )
    lines = {line.kind: line for line in services.open_lines(county, 2026, actor=fw.officer)}
    assert lines["running"].rule_fen == 200000 * FEN
    assert lines["running"].key == "funds.county_working_yuan"
    assert lines["per_households"].rule_fen == 0


def test_spending_never_above_a_lines_balance(fw):
    line = services.open_lines(fw.a1, 2026, actor=fw.secretary)[0]
    services.receive(
        line,
        actor=fw.secretary,
        amount_yuan="5000",
        on=D(2026, 3, 1),
        description="区拨付",
        reference="拨-001",
    )
    services.spend(
        line,
        actor=fw.secretary,
        amount_yuan="4000",
        on=D(2026, 3, 2),
        description="党员活动",
        reference="支-001",
    )
    with pytest.raises(ValidationError):
        services.spend(
            line,
            actor=fw.secretary,
            amount_yuan="1000.01",
            on=D(2026, 3, 3),
            description="x",
            reference="支-002",
        )
    line.account.refresh_from_db()
    assert line.account.balance == 1000 * FEN
    assert selectors.line_totals(line) == {"received": 5000 * FEN, "spent": 4000 * FEN}
    assert LineEntry.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.spend(
            line,
            actor=fw.worker,
            amount_yuan="1",
            on=D(2026, 3, 3),
            description="x",
            reference="y",
        )


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_spendings_never_exceed_the_line(fw, monkeypatch):
    line = services.open_lines(fw.a1, 2026, actor=fw.secretary)[0]
    services.receive(
        line,
        actor=fw.secretary,
        amount_yuan="100",
        on=D(2026, 3, 1),
        description="拨付",
        reference="r1",
    )
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
                services.spend(
                    FundingLine.objects.get(pk=line.pk),
                    actor=fw.secretary,
                    amount_yuan="60",
                    on=D(2026, 3, 2),
                    description=f"支出{n}",
                    reference=f"p{n}",
                )
            )
        except Exception as error:  # noqa: BLE001
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(r, LineEntry) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    line.account.refresh_from_db()
    assert line.account.balance == 40 * FEN == ledger.recompute_balance(line.account)


def test_the_financial_notice_equals_the_booked_entries(fw, client):
    from decimal import Decimal

    from gongzhi.deliberation.models import Notice

    lines = services.open_lines(fw.a1, 2026, actor=fw.secretary)
    booked = [
        (lines[0], "receive", "5000"),
        (lines[0], "spend", "1234.56"),
        (lines[1], "receive", "800"),
        (lines[1], "spend", "300"),
    ]
    for n, (line, how, amount) in enumerate(booked):
        getattr(services, how)(
            line,
            actor=fw.secretary,
            amount_yuan=amount,
            on=D(2026, 4, 1 + n),
            description=f"条目{n}",
            reference=f"v{n}",
        )
    notice = services.publish_financial_notice(fw.a1, 2026, actor=fw.secretary)
    assert notice.category == "financial"
    entry_rows = [
        r for r in notice.amounts if "余额" not in r["item"] and "balance" not in r["item"]
    ]
    assert len(entry_rows) == 4
    assert sum(Decimal(r["amount"]) for r in entry_rows) == Decimal("5000") - Decimal(
        "1234.56"
    ) + Decimal("800") - Decimal("300")
    assert sorted(Decimal(r["amount"]) for r in entry_rows) == sorted(
        Decimal(a) * (1 if how == "receive" else -1) for _, how, a in booked
    )
    balances = [Decimal(r["amount"]) for r in notice.amounts if r not in entry_rows]
    assert sorted(balances) == sorted(
        [Decimal(ledger.balance(line.account_id)) / 100 for line in lines]
    )
    assert AuditRecord.objects.filter(action="funds.notice").exists()
    assert Notice.objects.filter(community=fw.a1).count() == 1
    with pytest.raises(PermissionDenied):
        services.publish_financial_notice(fw.a1, 2026, actor=fw.worker)
    with pytest.raises(ValidationError):
        services.publish_financial_notice(fw.a1, 2025, actor=fw.secretary)  # no lines
