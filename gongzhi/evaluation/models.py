"""The community governance index (社区治理指数) and its assessment rounds (issue 21).

A `Round` assesses every community under a street or district for a period (a year or a
quarter) with an index system read from the policy profile when the round is opened (stored
on the round: a later profile change does not change an open or published round). Computing
writes one `Score` per community and one `Part` per indicator of each score: the raw value with
its numerator and denominator, the normalised value, the weight and the weighted points —
nobody is ranked by a number they cannot trace. A community contests a part (`Contest`, with
evidence); an assessor adjusts it with a reason (the part keeps the computed value beside the
adjusted one, and the audit trail the reason). Publishing freezes the round: the snapshot (every
score and part as JSON, canonical) and its SHA-256 are stored, and nothing of a published round
is written again.

Rows carry `place_path` (of the round's place for a round, of the community for its scores)
so that lists are scoped without a join.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


def _path_index(name: str, field: str = "place_path") -> models.Index:
    return models.Index(fields=[field], name=name, opclasses=["varchar_pattern_ops"])


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Opened, not computed")
    COMPUTING = "computing", _("Computing")
    REVIEW = "review", _("Under review")
    PUBLISHED = "published", _("Published")


class Round(models.Model):
    """An assessment round (考核轮次) of the communities under a street or district."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("assessed area"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("title"), max_length=120)
    period_kind = models.CharField(_("period"), max_length=8)  # core.indicators.PeriodKind
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end (exclusive)"))
    # The index system as read from the profile when the round was opened (evaluation.system).
    system = models.JSONField(_("index system"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    # Contests are taken until this day (inclusive); blank: until publication.
    contest_until = models.DateField(_("contests until"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=clock.now)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    snapshot = models.JSONField(_("published snapshot"), null=True, blank=True)
    snapshot_sha256 = models.CharField(_("snapshot SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-period_start", "-id"]
        indexes = [_path_index("evaluation_round_path")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=RoundStatus.values), name="evaluation_round_status"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")),
                name="evaluation_round_period",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RoundStatus.PUBLISHED) | ~models.Q(snapshot_sha256=""),
                name="evaluation_round_published_hash",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Score(models.Model):
    """One community's index in a round."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="scores"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    street = models.ForeignKey(
        "places.Place", verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("index"), max_digits=7, decimal_places=2)
    # Before vetoes; the bonus points, capped, are part of the total.
    base = models.DecimalField(_("weighted sum"), max_digits=7, decimal_places=2, default=0)
    bonus = models.DecimalField(_("bonus"), max_digits=7, decimal_places=2, default=0)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    veto_reasons = models.JSONField(_("veto reasons"), default=list, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    rank_in_street = models.PositiveIntegerField(_("rank in street"), null=True, blank=True)
    rank_in_area = models.PositiveIntegerField(_("rank in area"), null=True, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["rank_in_area", "id"]
        indexes = [_path_index("evaluation_score_path")]
        constraints = [
            models.UniqueConstraint(fields=["round", "place"], name="evaluation_score_once"),
        ]

    def __str__(self) -> str:
        return str(_("Score %(id)s") % {"id": self.pk})


class Part(models.Model):
    """One indicator of one score: raw value, where it came from, normalised, weighted."""

    score = models.ForeignKey(
        Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="parts"
    )
    indicator = models.CharField(_("indicator"), max_length=60)  # core.indicators code
    dimension = models.CharField(_("dimension"), max_length=60, blank=True)
    raw = models.DecimalField(
        _("raw value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # After an assessor's adjustment (null: not adjusted); `raw` keeps the computed value.
    adjusted = models.DecimalField(
        _("adjusted value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    adjust_reason = models.CharField(_("adjustment reason"), max_length=500, blank=True)
    normalised = models.DecimalField(_("normalised (0–100)"), max_digits=7, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("score part")
        verbose_name_plural = _("score parts")
        ordering = ["dimension", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["score", "indicator"], name="evaluation_part_once"),
        ]

    def __str__(self) -> str:
        return self.indicator


class ContestStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the assessor")
    ADJUSTED = "adjusted", _("Adjusted")
    REJECTED = "rejected", _("Rejected")


class Contest(models.Model):
    """A community contests one part of its score, with a reason and evidence (申诉)."""

    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.CASCADE, related_name="contests"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    reason = models.TextField(_("reason"), max_length=1000)
    claimed = models.DecimalField(
        _("claimed value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ContestStatus.choices, default=ContestStatus.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("raised at"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-raised_at", "-id"]
        indexes = [_path_index("evaluation_contest_path")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ContestStatus.values),
                name="evaluation_contest_status",
            ),
            # One open contest per part at a time.
            models.UniqueConstraint(
                fields=["part"],
                condition=models.Q(status=ContestStatus.OPEN),
                name="evaluation_contest_one_open",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Contest %(id)s") % {"id": self.pk})


class ContestPhoto(photos.AttachedPhoto):
    """A photo (a scan of a document included) proving a contest, re-encoded without metadata
    by gongzhi.core.photos and served only to those who may see the contested score."""

    contest = models.ForeignKey(
        Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="photos"
    )

    class Meta:
        verbose_name = _("contest evidence")
        verbose_name_plural = _("contest evidence")
        ordering = ["id"]


class ManualKind(models.TextChoices):
    BONUS = "bonus", _("Bonus item")
    VETO = "veto", _("Veto item")


class ManualItem(models.Model):
    """A bonus or veto item the assessor records for one score (the system's items without an
    indicator: 加分项 / 一票否决), with the reason; kept when the round is recomputed."""

    score = models.ForeignKey(
        Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="manual_items"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ManualKind.choices)
    item = models.CharField(_("item"), max_length=60)  # a BonusItem / VetoItem code
    reason = models.CharField(_("reason"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("bonus or veto item")
        verbose_name_plural = _("bonus and veto items")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ManualKind.values), name="evaluation_manual_kind"
            ),
            models.UniqueConstraint(fields=["score", "item"], name="evaluation_manual_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.item}"
