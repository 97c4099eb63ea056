"""Every write of assessment rounds (考核轮次): one transaction, the access check (404 outside the
actor's scope, 403 inside it without the right), one audit record; a refusal raises a
ValidationError with a clear Chinese message and writes nothing.

Who does what (gongzhi/core/roles.py):
- EVALUATION_MANAGE on the round's street or district (street and district officers): open a
  round, (re)compute it, decide contests, record bonus and veto items, publish;
- EVALUATION_CONTEST on the community (its secretary and workers): contest a part of the
  community's own score while the round is under review.

Computing runs as a background task (`tasks.compute_round_task` → `compute_now`): the indicators
of the round's stored system for every community under the area, one indicator at a time (the
round's `progress` moves as it goes), then the engine scores and ranks everyone and the rows are
written in bulk. Recomputing (allowed until publication) keeps the rows' ids, the assessors'
adjustments (an adjusted part keeps its adjusted value, the raw value is refreshed), the
recorded bonus and veto items and every contest, open ones included: a contest is about a
figure of the community, and the assessor still decides it.

Deciding a contest with an adjustment, and recording a bonus or veto item, re-scores the whole
round from the stored parts (no indicator is recomputed): min-max normalisation depends on the
peers, so one community's adjusted figure moves others' points.

Publishing freezes the round: a canonical JSON snapshot of every score, part, rank, bonus and
veto item and the system, with its SHA-256, stored on the round. Nothing of a published round is
written again: every service here refuses, and the pages read the snapshot's figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, indicators, photos
from gongzhi.core.indicators import Period, PeriodKind, Value
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.evaluation import engine
from gongzhi.evaluation import system as systems
from gongzhi.evaluation.models import (
    Contest,
    ContestPhoto,
    ContestStatus,
    ManualItem,
    ManualKind,
    Part,
    Round,
    RoundStatus,
    Score,
)
from gongzhi.places.models import Place, PlaceKind

MANAGE = Action.EVALUATION_MANAGE
CONTEST = Action.EVALUATION_CONTEST
VIEW = Action.EVALUATION_VIEW
AREA_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET)
REASON_MAX = 500
CLAIM_MAX = Decimal("1e9")
ZERO = Decimal(0)


# --------------------------------------------------------------------------- helpers


def period_of(rnd: Round) -> Period:
    return Period(PeriodKind(rnd.period_kind), rnd.period_start, rnd.period_end)


def _reason(text: object, field: str = "reason", *, required: bool = True) -> str:
    value = str(text or "").strip()
    if required and not value:
        raise ValidationError({field: _("Please give a reason.")})
    if len(value) > REASON_MAX:
        raise ValidationError(
            {field: _("At most %(n)s characters, please shorten it.") % {"n": REASON_MAX}}
        )
    return value


def _decimal(value: object, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite() or abs(number) >= CLAIM_MAX:
        raise ValidationError({field: _("Enter a number.")})
    return number.quantize(Decimal("0.0001"))


def _writable(rnd: Round) -> None:
    if rnd.status == RoundStatus.PUBLISHED:
        raise ValidationError(_("This round is published; its results can no longer change."))


def _in_review(rnd: Round) -> None:
    _writable(rnd)
    if rnd.status != RoundStatus.REVIEW:
        raise ValidationError(_("This round is not under review; wait until it is computed."))


def _sees(actor: User, path: str) -> bool:
    """Whether the actor sees `path` or a place inside it (a round's area)."""
    for grant in access.grants(actor, VIEW):
        if grant.everything:
            return True
        if grant.path and (grant.path.startswith(path) or path.startswith(grant.path)):
            return True
    return False


def _manage(actor: User, area: str, seen: str) -> access.Grant:
    """EVALUATION_MANAGE over the round's area; 403 for whoever sees `seen` (the round, the
    score, the contest), 404 for anyone else."""
    grant = access.grant_for(actor, MANAGE, area)
    if grant is not None:
        return grant
    if _sees(actor, seen):
        raise PermissionDenied
    raise Http404


def _system(rnd: Round) -> systems.System:
    return systems.System.from_json(rnd.system)


# --------------------------------------------------------------------------- opening, computing


def open_round(
    *,
    actor: User,
    place: Place,
    period: Period,
    title: str,
    contest_until: dt.date | None = None,
    compute: bool = True,
) -> Round:
    """Open a round of every community under a street or district for a period, with the index
    system in force there (stored on the round), and queue its computation."""
    grant = _manage(actor, place.path, place.path)
    if place.kind not in AREA_KINDS:
        raise ValidationError({"place": _("A round assesses a street or a district.")})
    title = str(title or "").strip()
    if not title:
        raise ValidationError({"title": _("Please give the round a title.")})
    if len(title) > 120:
        raise ValidationError(
            {"title": _("At most %(n)s characters, please shorten it.") % {"n": 120}}
        )
    if period.end > clock.today() + dt.timedelta(days=366):
        raise ValidationError({"period": _("This period is too far in the future.")})
    if contest_until is not None and contest_until < clock.today():
        raise ValidationError({"contest_until": _("This day has already passed.")})
    index_system = systems.load(place, period)
    with transaction.atomic():
        rnd = Round.objects.create(
            place=place,
            place_path=place.path,
            title=title,
            period_kind=str(period.kind),
            period_start=period.start,
            period_end=period.end,
            system=index_system.to_json(),
            contest_until=contest_until,
            opened_by=actor,
            opened_at=clock.now(),
        )
        audit.record(
            actor=actor,
            action="evaluation.round_open",
            target=rnd,
            place_path=place.path,
            post=grant.post,
            changes={"period": [None, period.label], "system": [None, index_system.source]},
        )
        if compute:
            _mark_computing(rnd)
    if compute:
        _enqueue(rnd)
    return rnd


def _mark_computing(rnd: Round) -> None:
    Round.objects.filter(pk=rnd.pk).update(status=RoundStatus.COMPUTING, progress=0)
    rnd.status, rnd.progress = RoundStatus.COMPUTING, 0


def _enqueue(rnd: Round) -> None:
    """Queue the computation once the round's transaction has committed (the caller's
    transaction is over: services call this after their atomic block); tests run it inline."""
    from gongzhi.evaluation import tasks

    tasks.compute_round_task(rnd.pk)


def compute_round(*, actor: User, round: Round) -> Round:
    """(Re)compute a round in the background; allowed until it is published (see the module
    doc for what a recomputation keeps)."""
    grant = _manage(actor, round.place_path, round.place_path)
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=round.pk)
        _writable(rnd)
        if rnd.status == RoundStatus.COMPUTING:
            raise ValidationError(_("This round is being computed; wait until it is done."))
        audit.record(
            actor=actor,
            action="evaluation.round_compute",
            target=rnd,
            place_path=rnd.place_path,
            post=grant.post,
        )
        _mark_computing(rnd)
    _enqueue(rnd)
    rnd.refresh_from_db()
    return rnd


def communities_of(rnd: Round) -> list[Place]:
    return list(
        Place.objects.filter(kind=PlaceKind.COMMUNITY, path__under=rnd.place_path).order_by("path")
    )


def compute_now(round_id: int) -> None:
    """The background computation (tasks.compute_round_task): every indicator of the round's
    system for every community, then scores, ranks and rows. A published round is left alone."""
    rnd = Round.objects.filter(pk=round_id).first()
    if rnd is None or rnd.status == RoundStatus.PUBLISHED:
        return
    index_system = _system(rnd)
    places = communities_of(rnd)
    period = period_of(rnd)
    codes = list(index_system.indicator_codes())
    values: dict[str, dict[int, Value]] = {}
    # One session: indicators of one app reading the same aggregate read it once.
    with indicators.session():
        _compute_values(rnd, codes, places, period, values)
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=round_id)
        if rnd.status == RoundStatus.PUBLISHED:
            return
        _write(rnd, index_system, places, values)
        rnd.status = RoundStatus.REVIEW
        rnd.progress = 100
        rnd.computed_at = clock.now()
        rnd.save(update_fields=["status", "progress", "computed_at"])


def _compute_values(
    rnd: Round,
    codes: Sequence[str],
    places: Sequence[Place],
    period: Period,
    values: dict[str, dict[int, Value]],
) -> None:
    for done, code in enumerate(codes, start=1):
        if indicators.get(code) is None:
            values[code] = {p.pk: Value(None, note=_("Indicator not available")) for p in places}
        else:
            values.update(indicators.compute([code], places, period))
        Round.objects.filter(pk=rnd.pk).exclude(status=RoundStatus.PUBLISHED).update(
            progress=min(95, 95 * done // max(1, len(codes)))
        )


def _streets(rnd: Round, places: Sequence[Place]) -> dict[int, Place]:
    """Each community's street (its ancestor at depth 1), one query."""
    wanted = {p.ancestor_paths()[1] for p in places if p.depth >= 2}
    by_path = {s.path: s for s in Place.objects.filter(path__in=wanted)}
    return {p.pk: by_path[p.ancestor_paths()[1]] for p in places}


def _write(
    rnd: Round,
    index_system: systems.System,
    places: Sequence[Place],
    raw: Mapping[str, Mapping[int, Value]],
) -> None:
    """Score every place from raw values (an adjusted part's value replaces its raw one),
    rank, and write Score and Part rows in bulk, keeping the ids of existing rows."""
    scores = {s.place_id: s for s in Score.objects.filter(round=rnd)}
    parts: dict[tuple[int, str], Part] = {
        (p.score_id, p.indicator): p for p in Part.objects.filter(score__round=rnd)
    }
    manual: dict[int, list[engine.Manual]] = {}
    for item in ManualItem.objects.filter(score__round=rnd).select_related("score"):
        manual.setdefault(item.score.place_id, []).append(
            engine.Manual(kind=item.kind, item=item.item, reason=item.reason)
        )
    effective: dict[str, dict[int, Value]] = {}
    for code, by_place in raw.items():
        effective[code] = {}
        for place_id, value in by_place.items():
            score = scores.get(place_id)
            part = parts.get((score.pk, code)) if score else None
            if part is not None and part.adjusted is not None:
                value = Value(part.adjusted, value.numerator, value.denominator, value.note)
            effective[code][place_id] = value
    ids = [p.pk for p in places]
    results = engine.score(index_system, effective, ids, manual)
    streets = _streets(rnd, places)
    totals = {pk: results[pk].total for pk in ids}
    in_street = engine.rank(totals, {pk: streets[pk].pk for pk in ids})
    in_area = engine.rank(totals)
    new_scores: list[Score] = []
    old_scores: list[Score] = []
    for place in places:
        result = results[place.pk]
        score = scores.get(place.pk) or Score(round=rnd, place=place)
        score.place_path = place.path
        score.street = streets[place.pk]
        score.total, score.base, score.bonus = result.total, result.base, result.bonus
        score.vetoed = result.vetoed
        score.veto_reasons = list(result.veto_reasons)
        score.grade = result.grade
        score.rank_in_street = in_street[place.pk]
        score.rank_in_area = in_area[place.pk]
        (new_scores if score.pk is None else old_scores).append(score)
        scores[place.pk] = score
    Score.objects.bulk_create(new_scores)
    Score.objects.bulk_update(
        old_scores,
        [
            "place_path",
            "street",
            "total",
            "base",
            "bonus",
            "vetoed",
            "veto_reasons",
            "grade",
            "rank_in_street",
            "rank_in_area",
        ],
        batch_size=500,
    )
    if any(s.pk is None for s in new_scores):  # databases without RETURNING on bulk insert
        scores = {s.place_id: s for s in Score.objects.filter(round=rnd)}
    new_parts: list[Part] = []
    old_parts: list[Part] = []
    for place in places:
        score = scores[place.pk]
        weighted = {pr.indicator for pr in results[place.pk].parts}
        # Indicators read only by automatic bonus and veto items are kept as parts without
        # weight, so their raw value is shown, contested and adjusted like any other.
        extra = [
            engine.PartResult(code, "", Value(None), ZERO, ZERO, ZERO)
            for code in index_system.indicator_codes()
            if code not in weighted
        ]
        for pr in (*results[place.pk].parts, *extra):
            computed = raw.get(pr.indicator, {}).get(place.pk, Value(None))
            part = parts.get((score.pk, pr.indicator))
            if part is None:
                part = Part(score=score, indicator=pr.indicator)
                new_parts.append(part)
            else:
                old_parts.append(part)
            part.dimension = pr.dimension
            part.raw = computed.value
            part.numerator = computed.numerator
            part.denominator = computed.denominator
            no_data = pr.note or (_("No data") if computed.value is None else "")
            part.note = str(computed.note or no_data)[:200]
            part.normalised = pr.normalised
            part.weight = pr.weight
            part.points = pr.points
    Part.objects.bulk_create(new_parts, batch_size=1000)
    Part.objects.bulk_update(
        old_parts,
        ["dimension", "raw", "numerator", "denominator", "note", "normalised", "weight", "points"],
        batch_size=1000,
    )


def _rescore(rnd: Round) -> None:
    """Score the round again from its stored parts (after an adjustment or a manual item)."""
    index_system = _system(rnd)
    scores = list(Score.objects.filter(round=rnd).select_related("place").order_by("place_path"))
    raw: dict[str, dict[int, Value]] = {code: {} for code in index_system.indicator_codes()}
    place_of = {s.pk: s.place for s in scores}
    for part in Part.objects.filter(score__round=rnd):
        raw.setdefault(part.indicator, {})[place_of[part.score_id].pk] = Value(
            part.raw, part.numerator, part.denominator, part.note
        )
    _write(rnd, index_system, [s.place for s in scores], raw)


# --------------------------------------------------------------------------- contests


def contest(
    *,
    actor: User,
    part: Part,
    reason: str,
    claimed: object = None,
    evidence: Iterable[IO[bytes] | None] | None = None,
) -> Contest:
    """A community contests one figure of its own score, with a reason, the value it claims
    and photos of its evidence, while the round is under review."""
    score = part.score
    grant = access.require(actor, CONTEST, score.place_path, read_action=VIEW)
    reason = _reason(reason, required=True)
    if len(reason) > 1000:
        raise ValidationError(
            {"reason": _("At most %(n)s characters, please shorten it.") % {"n": 1000}}
        )
    value = None if claimed in (None, "") else _decimal(claimed, "claimed")
    prepared = photos.prepare(evidence)
    with photos.files_removed_on_error() as written, transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=score.round_id)
        _in_review(rnd)
        if rnd.contest_until is not None and clock.today() > rnd.contest_until:
            raise ValidationError(
                _("Contests were taken until %(day)s.") % {"day": f"{rnd.contest_until:%Y-%m-%d}"}
            )
        if Contest.objects.filter(part=part, status=ContestStatus.OPEN).exists():
            raise ValidationError(_("This figure is already contested; wait for the decision."))
        try:
            with transaction.atomic():
                row = Contest.objects.create(
                    part=part,
                    place_path=score.place_path,
                    reason=reason,
                    claimed=value,
                    raised_by=actor,
                    raised_at=clock.now(),
                )
        except IntegrityError:
            raise ValidationError(
                _("This figure is already contested; wait for the decision.")
            ) from None
        photos.write(ContestPhoto, prepared, user=actor, written=written, contest=row)
        audit.record(
            actor=actor,
            action="evaluation.contest",
            target=row,
            place_path=score.place_path,
            post=grant.post,
            changes={"indicator": [None, part.indicator], "claimed": [None, value]},
            reason=reason,
        )
    return row


def decide_contest(
    *,
    actor: User,
    contest: Contest,
    reason: str,
    adjust_to: object = None,
    reject: bool = False,
) -> Contest:
    """The assessor adjusts the contested figure (and the round is re-scored) or rejects the
    contest, with a reason. Of two decisions at once, one wins; the other is refused."""
    if reject == (adjust_to not in (None, "")):
        raise ValidationError({"adjust_to": _("Either give the adjusted value or reject.")})
    area = Round.objects.filter(pk=contest.part.score.round_id).values_list("place_path", flat=True)
    grant = _manage(actor, area.get(), contest.place_path)
    reason = _reason(reason)
    value = None if reject else _decimal(adjust_to, "adjust_to")
    with transaction.atomic():
        row = Contest.objects.select_for_update().select_related("part__score").get(pk=contest.pk)
        rnd = Round.objects.select_for_update().get(pk=row.part.score.round_id)
        _in_review(rnd)
        if row.status != ContestStatus.OPEN:
            raise ValidationError(_("This contest has already been decided."))
        part = row.part
        score = part.score
        before = {
            "adjusted": part.adjusted,
            "total": score.total,
            "rank_in_area": score.rank_in_area,
        }
        row.status = ContestStatus.REJECTED if reject else ContestStatus.ADJUSTED
        row.decided_by = actor
        row.decided_at = clock.now()
        row.decision = reason
        row.save(update_fields=["status", "decided_by", "decided_at", "decision"])
        changes: dict[str, Any] = {"status": [ContestStatus.OPEN, row.status]}
        if not reject:
            part.adjusted = value
            part.adjust_reason = reason
            part.save(update_fields=["adjusted", "adjust_reason"])
            _rescore(rnd)
            score.refresh_from_db()
            part.refresh_from_db()
            changes.update(
                {
                    "indicator": [part.indicator, part.indicator],
                    "raw": [part.raw, part.raw],
                    "adjusted": [before["adjusted"], part.adjusted],
                    "points": [None, part.points],
                    "total": [before["total"], score.total],
                    "rank_in_area": [before["rank_in_area"], score.rank_in_area],
                }
            )
        audit.record(
            actor=actor,
            action="evaluation.contest_decide",
            target=row,
            place_path=row.place_path,
            post=grant.post,
            changes=changes,
            reason=reason,
        )
    return row


def record_item(*, actor: User, score: Score, item: str, reason: str) -> ManualItem:
    """Record a bonus or veto item of the round's system (one without an indicator: the
    assessor's own finding) for one community, with the reason; the round is re-scored."""
    area = Round.objects.filter(pk=score.round_id).values_list("place_path", flat=True)
    grant = _manage(actor, area.get(), score.place_path)
    reason = _reason(reason)
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=score.round_id)
        _in_review(rnd)
        index_system = _system(rnd)
        kinds = {b.code: ManualKind.BONUS for b in index_system.manual_bonus_items()}
        kinds.update({v.code: ManualKind.VETO for v in index_system.manual_veto_items()})
        if item not in kinds:
            raise ValidationError({"item": _("Choose a bonus or veto item of this round.")})
        if ManualItem.objects.filter(score=score, item=item).exists():
            raise ValidationError({"item": _("This item is already recorded for this community.")})
        before = Score.objects.get(pk=score.pk)
        row = ManualItem.objects.create(
            score=score,
            kind=kinds[item],
            item=item,
            reason=reason,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        _rescore(rnd)
        after = Score.objects.get(pk=score.pk)
        audit.record(
            actor=actor,
            action="evaluation.manual_item",
            target=after,
            target_repr=str(after.place),
            place_path=score.place_path,
            post=grant.post,
            changes={
                "item": [None, f"{row.kind}:{item}"],
                "total": [before.total, after.total],
                "vetoed": [before.vetoed, after.vetoed],
            },
            reason=reason,
        )
    return row


# --------------------------------------------------------------------------- publishing


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def build_snapshot(rnd: Round) -> dict[str, Any]:
    """Every score, part, rank, bonus and veto item of the round and its system, as plain
    JSON (decimals as text, so the figures survive the round trip exactly)."""
    index_system = _system(rnd)
    names = {}
    for rule in index_system.indicators:
        known = indicators.get(rule.code)
        names[rule.code] = str(known.name) if known else rule.code
    scores = list(
        Score.objects.filter(round=rnd)
        .select_related("place", "street")
        .order_by("rank_in_area", "place_path")
    )
    parts: dict[int, list[Part]] = {}
    for part in Part.objects.filter(score__round=rnd).order_by("dimension", "indicator"):
        parts.setdefault(part.score_id, []).append(part)
    items: dict[int, list[ManualItem]] = {}
    for item in ManualItem.objects.filter(score__round=rnd).order_by("id"):
        items.setdefault(item.score_id, []).append(item)
    return {
        "round": {
            "id": rnd.pk,
            "title": rnd.title,
            "place": rnd.place_id,
            "place_path": rnd.place_path,
            "period_kind": rnd.period_kind,
            "period_start": _text(rnd.period_start),
            "period_end": _text(rnd.period_end),
        },
        "system": rnd.system,
        "scores": [
            {
                "id": s.pk,
                "place": s.place_id,
                "place_name": s.place.name,
                "street": s.street_id,
                "street_name": s.street.name,
                "total": _text(s.total),
                "base": _text(s.base),
                "bonus": _text(s.bonus),
                "vetoed": s.vetoed,
                "veto_reasons": list(s.veto_reasons or []),
                "grade": s.grade,
                "rank_in_street": s.rank_in_street,
                "rank_in_area": s.rank_in_area,
                "items": [
                    {"kind": i.kind, "item": i.item, "reason": i.reason}
                    for i in items.get(s.pk, [])
                ],
                "parts": [
                    {
                        "id": p.pk,
                        "indicator": p.indicator,
                        "name": names.get(p.indicator, p.indicator),
                        "dimension": p.dimension,
                        "raw": _text(p.raw),
                        "numerator": _text(p.numerator),
                        "denominator": _text(p.denominator),
                        "note": p.note,
                        "adjusted": _text(p.adjusted),
                        "adjust_reason": p.adjust_reason,
                        "normalised": _text(p.normalised),
                        "weight": _text(p.weight),
                        "points": _text(p.points),
                    }
                    for p in parts.get(s.pk, [])
                ],
            }
            for s in scores
        ],
    }


def canonical(snapshot: Mapping[str, Any]) -> bytes:
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def snapshot_hash(snapshot: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def verify(rnd: Round) -> bool:
    """Whether a published round's snapshot still has the hash stored with it."""
    return bool(rnd.snapshot) and snapshot_hash(rnd.snapshot or {}) == rnd.snapshot_sha256


def publish(*, actor: User, round: Round) -> Round:
    """Freeze the round: the snapshot and its SHA-256; refused while a contest is open or the
    round is not under review. Of two publications at once, one wins."""
    grant = _manage(actor, round.place_path, round.place_path)
    with transaction.atomic():
        rnd = Round.objects.select_for_update().get(pk=round.pk)
        _in_review(rnd)
        if Contest.objects.filter(part__score__round=rnd, status=ContestStatus.OPEN).exists():
            raise ValidationError(_("Decide every open contest before publishing."))
        snapshot = build_snapshot(rnd)
        digest = snapshot_hash(snapshot)
        rnd.snapshot = snapshot
        rnd.snapshot_sha256 = digest
        rnd.status = RoundStatus.PUBLISHED
        rnd.published_at = clock.now()
        rnd.published_by = actor
        rnd.save(
            update_fields=["snapshot", "snapshot_sha256", "status", "published_at", "published_by"]
        )
        audit.record(
            actor=actor,
            action="evaluation.publish",
            target=rnd,
            place_path=rnd.place_path,
            post=grant.post,
            changes={"snapshot_sha256": [None, digest], "scores": [None, len(snapshot["scores"])]},
        )
    return rnd
