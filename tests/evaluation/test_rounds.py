"""Assessment rounds: opening and computing (scores equal the hand computation of
rounds_support.py), contests on one's own community only, decisions that re-score the round
with an audit record, bonus and veto items, recomputation, publication frozen by a hash."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gongzhi.core import clock
from gongzhi.core.indicators import Period, Value
from gongzhi.core.models import AuditRecord
from gongzhi.evaluation import services
from gongzhi.evaluation.models import Contest, ContestStatus, ManualItem, Part, Round, RoundStatus

from .rounds_support import FIGURES, TODAY, open_street_round, part_of, score_of

pytestmark = pytest.mark.django_db


def test_a_round_computes_every_community_of_the_street_as_by_hand(ev):
    rnd = open_street_round(ev)
    assert rnd.status == RoundStatus.REVIEW and rnd.progress == 100
    assert rnd.system["source"] == "测试体系"
    a1, a2 = score_of(rnd, ev.world.community_a1), score_of(rnd, ev.world.community_a2)
    assert rnd.scores.count() == 2  # street B's community is not in street A's round
    assert (a1.total, a1.rank_in_street, a1.rank_in_area, a1.grade) == (D("100.00"), 1, 1, "优秀")
    assert (a2.total, a2.rank_in_area, a2.grade) == (D("24.00"), 2, "不合格")
    rate = part_of(rnd, ev.world.community_a1, "ev.rate")
    assert (rate.raw, rate.numerator, rate.denominator) == (D("80"), D("8"), D("10"))
    assert (rate.normalised, rate.weight, rate.points) == (D("100"), D("60"), D("60"))
    count = part_of(rnd, ev.world.community_a2, "ev.count")
    assert (count.raw, count.normalised, count.points) == (D("6"), D("60"), D("24"))
    assert AuditRecord.objects.filter(
        action="evaluation.round_open", target_id=str(rnd.pk)
    ).exists()


def test_a_district_round_ranks_per_street_and_in_the_area(ev):
    rnd = services.open_round(
        actor=ev.district, place=ev.world.district, period=Period.year(2025), title="区考核"
    )
    rnd.refresh_from_db()
    b1 = score_of(rnd, ev.world.community_b1)
    a2 = score_of(rnd, ev.world.community_a2)
    assert b1.street == ev.world.street_b and b1.rank_in_street == 1
    assert a2.rank_in_street == 2
    assert sorted(rnd.scores.values_list("rank_in_area", flat=True)) == [1, 2, 3]


def test_a_missing_figure_scores_zero_and_says_so(ev):
    del FIGURES["ev.count"][ev.world.community_a2.pk]
    rnd = open_street_round(ev)
    part = part_of(rnd, ev.world.community_a2, "ev.count")
    assert part.raw is None and part.points == 0 and part.note


def test_only_the_streets_assessor_opens_a_round(ev):
    for user, error in (
        (ev.worker_a1, PermissionDenied),  # sees its street's rounds, may not open one
        (ev.street_b, Http404),
        (ev.grid_a1, Http404),
    ):
        with pytest.raises(error):
            services.open_round(
                actor=user, place=ev.world.street_a, period=Period.year(2025), title="x"
            )
    with pytest.raises(ValidationError):
        services.open_round(
            actor=ev.street, place=ev.world.community_a1, period=Period.year(2025), title="x"
        )
    with pytest.raises(ValidationError):
        services.open_round(
            actor=ev.street, place=ev.world.street_a, period=Period.year(2025), title=" "
        )
    assert not Round.objects.exists()


def test_a_community_contests_its_own_figure_only(ev):
    rnd = open_street_round(ev)
    own = part_of(rnd, ev.world.community_a1, "ev.rate")
    other = part_of(rnd, ev.world.community_a2, "ev.rate")
    made = services.contest(
        actor=ev.worker_a1, part=own, reason="漏计了两件已办结工单", claimed="90"
    )
    assert made.status == ContestStatus.OPEN and made.claimed == D("90")
    assert made.place_path == ev.world.community_a1.path
    # A worker of A1 cannot contest A2's part, though both are in street A.
    with pytest.raises(Http404):
        services.contest(actor=ev.worker_a1, part=other, reason="x")
    # The street assesses, it does not contest (403: it sees the community).
    with pytest.raises(PermissionDenied):
        services.contest(actor=ev.street, part=other, reason="x")
    with pytest.raises(ValidationError, match="已|already"):
        services.contest(actor=ev.secretary_a1, part=own, reason="再次申诉")
    with pytest.raises(ValidationError):
        services.contest(actor=ev.worker_a2, part=other, reason="  ")
    with pytest.raises(ValidationError):
        services.contest(actor=ev.worker_a2, part=other, reason="x", claimed="abc")
    assert Contest.objects.count() == 1


def test_contests_only_while_under_review_and_until_the_day(ev):
    rnd = open_street_round(ev, contest_until=clock.today())
    part = part_of(rnd, ev.world.community_a1, "ev.rate")
    clock.set_now(clock.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.contest(actor=ev.worker_a1, part=part, reason="晚了")
    clock.set_now(TODAY)
    made = services.contest(actor=ev.worker_a1, part=part, reason="按时")
    Round.objects.filter(pk=rnd.pk).update(status=RoundStatus.COMPUTING)
    with pytest.raises(ValidationError):
        services.decide_contest(actor=ev.street, contest=made, reason="x", reject=True)


def test_an_adjustment_rescores_the_round_and_is_audited(ev):
    rnd = open_street_round(ev)
    own = part_of(rnd, ev.world.community_a2, "ev.rate")
    made = services.contest(actor=ev.worker_a2, part=own, reason="统计口径有误", claimed="90")
    with pytest.raises(PermissionDenied):
        services.decide_contest(actor=ev.worker_a2, contest=made, reason="x", adjust_to="90")
    with pytest.raises(ValidationError):
        services.decide_contest(actor=ev.street, contest=made, reason="x")  # neither
    services.decide_contest(actor=ev.street, contest=made, reason="核实后调整为90%", adjust_to="90")
    made.refresh_from_db()
    assert made.status == ContestStatus.ADJUSTED and made.decided_by == ev.street
    part = Part.objects.get(pk=own.pk)
    assert (part.raw, part.adjusted, part.adjust_reason) == (D("60"), D("90"), "核实后调整为90%")
    # min-max peers: A2 is now the best rate (100 → 60 points), A1 the worst (0).
    a1, a2 = score_of(rnd, ev.world.community_a1), score_of(rnd, ev.world.community_a2)
    assert (a2.total, a2.rank_in_area) == (D("84.00"), 1)
    assert (a1.total, a1.rank_in_area) == (D("40.00"), 2)
    record = AuditRecord.objects.get(action="evaluation.contest_decide")
    assert record.changes["adjusted"] == [None, "90.0000"]
    assert record.changes["total"] == ["24.00", "84.00"]
    assert record.reason == "核实后调整为90%"
    with pytest.raises(ValidationError):
        services.decide_contest(actor=ev.street, contest=made, reason="再来", reject=True)


def test_a_rejected_contest_changes_nothing(ev):
    rnd = open_street_round(ev)
    own = part_of(rnd, ev.world.community_a1, "ev.count")
    made = services.contest(actor=ev.worker_a1, part=own, reason="少算了")
    services.decide_contest(actor=ev.street, contest=made, reason="证据不足", reject=True)
    made.refresh_from_db()
    assert made.status == ContestStatus.REJECTED and made.decision == "证据不足"
    assert Part.objects.get(pk=own.pk).adjusted is None
    assert score_of(rnd, ev.world.community_a1).total == D("100.00")


def test_manual_bonus_is_capped_and_a_veto_zeroes_the_total(ev):
    rnd = open_street_round(ev)
    a2 = score_of(rnd, ev.world.community_a2)
    services.record_item(actor=ev.street, score=a2, item="award", reason="获市级表彰")
    services.record_item(actor=ev.street, score=a2, item="model", reason="示范社区")
    a2.refresh_from_db()
    assert (a2.bonus, a2.total) == (D("5.00"), D("29.00"))  # 3 + 4 capped at 5
    a1 = score_of(rnd, ev.world.community_a1)
    services.record_item(actor=ev.street, score=a1, item="safety", reason="发生火灾致人死亡")
    a1.refresh_from_db()
    assert a1.vetoed and a1.total == 0 and a1.base == D("100.00")
    assert any("安全" in r for r in a1.veto_reasons)
    assert (a1.rank_in_area, score_of(rnd, ev.world.community_a2).rank_in_area) == (2, 1)
    with pytest.raises(ValidationError):
        services.record_item(actor=ev.street, score=a1, item="safety", reason="again")
    with pytest.raises(ValidationError):
        services.record_item(actor=ev.street, score=a1, item="incident", reason="automatic item")
    with pytest.raises(PermissionDenied):
        services.record_item(actor=ev.secretary_a1, score=a1, item="award", reason="x")
    assert AuditRecord.objects.filter(action="evaluation.manual_item").count() == 3


def test_an_automatic_veto_from_an_indicator(ev):
    FIGURES["ev.incidents"][ev.world.community_a1.pk] = Value.count(1)
    rnd = open_street_round(ev)
    a1 = score_of(rnd, ev.world.community_a1)
    assert a1.vetoed and a1.total == 0


def test_recomputing_keeps_adjustments_items_and_contests(ev):
    rnd = open_street_round(ev)
    part = part_of(rnd, ev.world.community_a2, "ev.rate")
    made = services.contest(actor=ev.worker_a2, part=part, reason="口径")
    services.decide_contest(actor=ev.street, contest=made, reason="调整", adjust_to="90")
    open_one = services.contest(
        actor=ev.worker_a1, part=part_of(rnd, ev.world.community_a1, "ev.count"), reason="少算"
    )
    services.record_item(
        actor=ev.street, score=score_of(rnd, ev.world.community_a1), item="award", reason="表彰"
    )
    FIGURES["ev.rate"][ev.world.community_a2.pk] = Value.share(5, 10)  # the live data moved
    services.compute_round(actor=ev.street, round=rnd)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.REVIEW
    same = Part.objects.get(pk=part.pk)  # the same row: contests still point at it
    assert (same.raw, same.adjusted) == (D("50"), D("90"))
    assert Contest.objects.get(pk=open_one.pk).status == ContestStatus.OPEN
    assert ManualItem.objects.filter(score__round=rnd).count() == 1
    assert score_of(rnd, ev.world.community_a1).bonus == D("3.00")
    with pytest.raises(PermissionDenied):
        services.compute_round(actor=ev.worker_a1, round=rnd)


def test_publishing_freezes_the_round_with_a_hash(ev):
    rnd = open_street_round(ev)
    part = part_of(rnd, ev.world.community_a2, "ev.rate")
    made = services.contest(actor=ev.worker_a2, part=part, reason="口径")
    with pytest.raises(ValidationError, match="申诉|contest"):
        services.publish(actor=ev.street, round=rnd)
    services.decide_contest(actor=ev.street, contest=made, reason="调整", adjust_to="90")
    with pytest.raises(PermissionDenied):
        services.publish(actor=ev.worker_a2, round=rnd)
    services.publish(actor=ev.street, round=rnd)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.PUBLISHED and len(rnd.snapshot_sha256) == 64
    assert services.verify(rnd)
    frozen = {s["place_name"]: s["total"] for s in rnd.snapshot["scores"]}
    assert frozen == {"珞南二社区": "84.00", "珞南一社区": "40.00"}
    a2_parts = next(s for s in rnd.snapshot["scores"] if s["place"] == ev.world.community_a2.pk)
    rate = next(p for p in a2_parts["parts"] if p["indicator"] == "ev.rate")
    assert (rate["raw"], rate["adjusted"], rate["name"]) == ("60.0000", "90.0000", "测试办结率")
    # Nothing of a published round is written again.
    FIGURES["ev.rate"][ev.world.community_a1.pk] = Value.share(10, 10)
    for attempt in (
        lambda: services.publish(actor=ev.street, round=rnd),
        lambda: services.compute_round(actor=ev.street, round=rnd),
        lambda: services.contest(
            actor=ev.worker_a1, part=part_of(rnd, ev.world.community_a1, "ev.rate"), reason="x"
        ),
        lambda: services.record_item(
            actor=ev.street, score=score_of(rnd, ev.world.community_a1), item="award", reason="x"
        ),
    ):
        with pytest.raises(ValidationError):
            attempt()
    services.compute_now(rnd.pk)  # a queued computation arriving late does nothing
    rnd.refresh_from_db()
    assert services.verify(rnd) and rnd.snapshot_sha256 == services.snapshot_hash(rnd.snapshot)
    assert score_of(rnd, ev.world.community_a1).total == D("40.00")
    # The hash detects a changed snapshot.
    rnd.snapshot["scores"][0]["total"] = "99.00"
    assert not services.verify(rnd)
    assert AuditRecord.objects.filter(action="evaluation.publish").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_decisions_on_one_contest_make_one(ev):
    rnd = open_street_round(ev)
    made = services.contest(
        actor=ev.worker_a2, part=part_of(rnd, ev.world.community_a2, "ev.rate"), reason="口径"
    )
    barrier = threading.Barrier(2)
    results: list[object] = []

    def decide(reject: bool) -> None:
        try:
            barrier.wait()
            found = Contest.objects.get(pk=made.pk)
            results.append(
                services.decide_contest(
                    actor=ev.street,
                    contest=found,
                    reason="决定",
                    reject=reject,
                    adjust_to=None if reject else "90",
                )
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(r,)) for r in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done = [r for r in results if isinstance(r, Contest)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert AuditRecord.objects.filter(action="evaluation.contest_decide").count() == 1


@pytest.mark.django_db(transaction=True)
def test_publishing_twice_at_once_makes_one_snapshot(ev):
    rnd = open_street_round(ev)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def publish() -> None:
        try:
            barrier.wait()
            results.append(services.publish(actor=ev.street, round=Round.objects.get(pk=rnd.pk)))
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len([r for r in results if isinstance(r, Round)]) == 1, results
    assert len([r for r in results if isinstance(r, ValidationError)]) == 1, results
    assert AuditRecord.objects.filter(action="evaluation.publish").count() == 1
