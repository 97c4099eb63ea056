"""Selections (评选, seed 003 annex 4 item 4, §三(一)2): star civilised buildings (星级文明楼栋)
and best building heads (“最美楼栋长”), run by a street or district for a year over the
communities under it. docs/selections.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


class Kind(models.TextChoices):
    STAR_BUILDING = "star_building", _("Star civilised building")
    BEST_BUILDING_HEAD = "best_building_head", _("Best building head")


class Method(models.TextChoices):
    VOTES = "votes", _("Residents' votes")
    PANEL = "panel", _("Panel scores")
    COMBINED = "combined", _("Votes and panel scores combined")


class Stage(models.TextChoices):
    NOMINATING = "nominating", _("Taking nominations")
    VOTING = "voting", _("Voting and scoring")
    CLOSED = "closed", pgettext_lazy("selection", "Closed")
    PUBLISHED = "published", _("Published")


class Selection(models.Model):
    """One selection of one kind for one year, over the communities under `place`. The rules
    (votes per voter, weights, star thresholds, criteria with their maximum points) are copied
    from the place's policy profile when it is created, so later profile edits never change a
    running or published selection."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    path = PathField(_("place path"), db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.NOMINATING
    )
    votes_per_voter = models.PositiveSmallIntegerField(_("votes per voter"))
    vote_weight_percent = models.PositiveSmallIntegerField(_("share of the votes (%)"))
    nominees_per_community = models.PositiveSmallIntegerField(_("nominees per community"))
    winners = models.PositiveSmallIntegerField(_("winners"))
    star_thresholds = models.JSONField(_("star thresholds"), default=list)
    criteria = models.JSONField(_("panel criteria"), default=list)
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("panel"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_weight_percent__lte=100), name="selection_weight_le_100"
            ),
            models.CheckConstraint(
                condition=Q(votes_per_voter__gte=1), name="selection_votes_ge_1"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def uses_votes(self) -> bool:
        return self.method in (Method.VOTES, Method.COMBINED)

    @property
    def uses_panel(self) -> bool:
        return self.method in (Method.PANEL, Method.COMBINED)

    @property
    def max_points(self) -> int:
        return sum(int(c["max"]) for c in self.criteria)


class Nominee(models.Model):
    """A building (star civilised building) or a building head (best building head) of one
    community, put forward with reasons and photos. The result fields are written when the
    selection closes and frozen when it is published."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="nominees")
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    path = PathField(_("place path"), db_index=True)
    building = models.ForeignKey(
        "places.Place", verbose_name=_("building"), on_delete=models.PROTECT, related_name="+"
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("building head"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=120)
    reasons = models.TextField(_("reasons"), max_length=2000)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated"), default=clock.now)
    votes = models.PositiveIntegerField(_("votes"), default=0)
    vote_score = models.DecimalField(_("vote score"), max_digits=6, decimal_places=2, null=True)
    panel_score = models.DecimalField(_("panel score"), max_digits=6, decimal_places=2, null=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True)
    stars = models.PositiveSmallIntegerField(_("stars"), default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    is_winner = models.BooleanField(_("winner"), default=False)

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["selection_id", "path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "building"],
                condition=Q(head__isnull=True),
                name="nominee_one_building",
            ),
            models.UniqueConstraint(
                fields=["selection", "head"],
                condition=Q(head__isnull=False),
                name="nominee_one_head",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NomineePhoto(photos.AttachedPhoto):
    """A photo of a nominee, re-encoded without metadata (gongzhi.core.photos)."""

    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="photos")

    class Meta:
        verbose_name = _("nominee photo")
        verbose_name_plural = _("nominee photos")
        ordering = ["nominee_id", "id"]

    def __str__(self) -> str:
        return f"{self.nominee_id}: {self.file.name}"


class Vote(models.Model):
    """One voter's vote for one nominee. `slot` numbers a voter's votes in the selection
    (1..votes_per_voter): the unique constraints make a second vote for the same nominee and a
    vote beyond the voter's number impossible, even for two requests at the same moment."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="votes")
    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="vote_rows")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    slot = models.PositiveSmallIntegerField(_("slot"))
    path = PathField(_("place path"))
    cast_at = models.DateTimeField(_("cast"), default=clock.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["nominee", "voter"], name="vote_once_per_nominee"),
            models.UniqueConstraint(
                fields=["selection", "voter", "slot"], name="vote_slot_per_voter"
            ),
            models.CheckConstraint(condition=Q(slot__gte=1), name="vote_slot_ge_1"),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_id} ← {self.voter_id}"


class PanelScore(models.Model):
    """A panel member's points for one nominee on one criterion, within its maximum."""

    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="panel_scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField(_("criterion"), max_length=32)
    points = models.PositiveSmallIntegerField(_("points"))
    maximum = models.PositiveSmallIntegerField(_("maximum points"))
    scored_at = models.DateTimeField(_("scored"), default=clock.now)

    class Meta:
        verbose_name = _("panel score")
        verbose_name_plural = _("panel scores")
        constraints = [
            models.UniqueConstraint(
                fields=["nominee", "member", "criterion"], name="panel_score_once"
            ),
            models.CheckConstraint(
                condition=Q(points__lte=models.F("maximum")), name="panel_score_within_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_id}/{self.criterion}: {self.points}"
