"""Public notices (党务、居务、财务公开) and resident representatives."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import ledger
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import Notice, NoticeStatus, Representative
from tests.deliberation.conftest import make_citizen


def test_publish_notice_with_amounts(d):
    notice = services.publish_notice(
        actor=d.secretary,
        community=d.community,
        category="residents",
        title="2026年一季度财务公开",
        body="收支情况如下",
        amounts="办公经费 | 12,000\n活动经费 | 3500.5",
    )
    assert notice.amounts == [
        {"item": "办公经费", "amount": "12000.00"},
        {"item": "活动经费", "amount": "3500.50"},
    ]


def test_bad_amount_line_is_explained_and_nothing_written(d):
    with pytest.raises(ValidationError, match="Line 2"):
        services.publish_notice(
            actor=d.secretary,
            community=d.community,
            category="residents",
            title="x",
            body="y",
            amounts="办公经费 | 100\n没有金额",
        )
    assert not Notice.objects.exists()


def test_a_typed_financial_notice_is_refused_and_points_to_the_funds_page(d):
    """Issue 16 item 7: a financial notice is made from the booked entries (funds app), never
    typed; the entries path still publishes, with the same right to publish."""
    with pytest.raises(ValidationError) as info:
        services.publish_notice(
            actor=d.secretary,
            community=d.community,
            category="financial",
            title="三季度财务公开",
            body="收支如下",
            amounts="办公经费 | 100",
        )
    assert "/funds/lines/" in info.value.message_dict["category"][0]
    assert not Notice.objects.exists()
    made = services.publish_entries_notice(
        actor=d.secretary,
        community=d.community,
        title="经费收支",
        body="由收支记录生成",
        amounts="办公经费 收入 | 100\n办公经费 余额 | 100",
    )
    assert made.category == "financial" and made.amounts[0]["amount"] == "100.00"
    with pytest.raises(PermissionDenied):
        services.publish_entries_notice(
            actor=d.resident, community=d.community, title="x", body="y", amounts=""
        )


def test_only_publishers_publish(d):
    params = dict(community=d.community, category="party", title="x", body="y")
    with pytest.raises(PermissionDenied):
        services.publish_notice(actor=d.resident, **params)
    with pytest.raises(Http404):
        services.publish_notice(actor=d.worker_other, **params)


def test_withdraw_with_reason_is_audited_and_stays_listed(d):
    notice = services.publish_notice(
        actor=d.secretary,
        community=d.community,
        category="residents",
        title="停水通知",
        body="周三停水",
    )
    with pytest.raises(ValidationError):
        services.withdraw_notice(notice, "", actor=d.secretary)
    services.withdraw_notice(notice, "时间有误，重新发布", actor=d.secretary)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.WITHDRAWN
    assert AuditRecord.objects.get(action="deliberation.notice_withdraw").reason
    assert list(selectors.public_notices(d.community)) == [notice]
    with pytest.raises(ValidationError):
        services.withdraw_notice(notice, "again", actor=d.secretary)


def test_candidates_ranked_by_a_transparent_score(d, topic):
    party = make_citizen(d.homes[2], "赵党员", role=Role.PARTY_MEMBER, place=d.community)
    services.support(topic, actor=d.neighbour)
    services.support(topic, actor=party)
    account = ledger.account_for(
        "points", "resident", d.neighbour.resident_record.pk, place_path=d.homes[1].place_path
    )
    issuer = ledger.account_for("points", "issuer", d.community.pk, place_path=d.community.path)
    ledger.transfer(
        debit=issuer, credit=account, amount=30, reason="earn_activity", idempotency_key="t-1"
    )
    rows = selectors.candidates(d.community)
    by_name = {r["name"]: r for r in rows}
    assert by_name["赵党员"]["score"] == 50 + 5  # one role + one support
    assert by_name["李大爷"]["score"] == 30 + 5  # points earned + one support
    assert [r["name"] for r in rows[:2]] == ["赵党员", "李大爷"]
    assert "吴秀英" not in by_name  # raised a topic but no role, points or support
    assert "外社区居民" not in by_name


def test_spending_points_does_not_change_the_rank(d, topic):
    """Issue 12.3: 002 §三(三)2 picks residents with high contribution points — points earned,
    not the balance. Spending at the charity supermarket, a transfer or a non-earning credit
    changes nothing; an earning reversed as a correction, or older than 12 months, no longer
    counts."""
    import datetime as dt

    from gongzhi.core import clock

    spender, saver = d.neighbour.resident_record, d.resident.resident_record
    issuer = ledger.account_for("points", "issuer", d.community.pk, place_path=d.community.path)
    sink = ledger.account_for("points", "sink", d.community.pk, place_path=d.community.path)
    acc = {
        r.pk: ledger.account_for("points", "resident", r.pk, place_path=r.place_path)
        for r in (spender, saver)
    }
    ledger.transfer(
        debit=issuer,
        credit=acc[spender.pk],
        amount=40,
        reason="earn_service_hour",
        idempotency_key="e-1",
    )
    ledger.transfer(
        debit=issuer,
        credit=acc[saver.pk],
        amount=30,
        reason="earn_activity",
        idempotency_key="e-2",
    )
    before = [r["resident_id"] for r in selectors.candidates(d.community)]
    assert before.index(spender.pk) < before.index(saver.pk)
    # The spender redeems 35 points at the charity supermarket; the saver gets a gift.
    ledger.transfer(
        debit=acc[spender.pk], credit=sink, amount=35, reason="redeem", idempotency_key="r-1"
    )
    ledger.transfer(
        debit=issuer, credit=acc[saver.pk], amount=100, reason="gift", idempotency_key="g-1"
    )
    after = selectors.candidates(d.community)
    assert [r["resident_id"] for r in after] == before
    assert {r["resident_id"]: r["points"] for r in after}[spender.pk] == 40
    # An award reversed as a correction no longer counts.
    award = ledger.transfer(
        debit=issuer,
        credit=acc[saver.pk],
        amount=500,
        reason="earn_activity",
        idempotency_key="e-3",
    )
    ledger.reverse(award, reason="mistake", idempotency_key="e-3-rev")
    assert selectors.earned_points([saver.pk])[saver.pk] == 30
    # Thirteen months later the earnings are out of the period.
    with clock.travel_to(clock.now() + dt.timedelta(days=400)):
        assert selectors.earned_points([spender.pk, saver.pk]) == {}


def test_earned_points_is_one_query(d, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.earned_points([d.resident.resident_record.pk])


def test_confirm_representative_is_audited_and_public(d, topic):
    services.support(topic, actor=d.neighbour)
    resident = d.neighbour.resident_record
    with pytest.raises(PermissionDenied):
        services.confirm_representative(d.community, resident, actor=d.resident)
    rep = services.confirm_representative(d.community, resident, actor=d.secretary)
    assert rep.score == 5 and rep.score_details["supports"] == 1
    assert AuditRecord.objects.filter(action="deliberation.representative_confirm").exists()
    with pytest.raises(ValidationError):
        services.confirm_representative(d.community, resident, actor=d.secretary)
    with pytest.raises(ValidationError):
        services.confirm_representative(d.community, d.outsider.resident_record, actor=d.secretary)
    assert selectors.public_name(resident) == "李**"
    services.remove_representative(rep, "搬离本社区", actor=d.secretary)
    assert not Representative.objects.exists()
