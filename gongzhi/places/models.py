"""The jurisdiction tree and the households that hang off its buildings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.places.paths import CODE_RE, PathField


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    ESTATE = "estate", _("Estate")
    BUILDING = "building", _("Building")


# Which kinds may sit directly under which. A building may stand in a grid without an
# estate (old streets of single buildings are common).
CHILD_KINDS: dict[str, frozenset[str]] = {
    PlaceKind.DISTRICT: frozenset({PlaceKind.STREET}),
    PlaceKind.STREET: frozenset({PlaceKind.COMMUNITY}),
    PlaceKind.COMMUNITY: frozenset({PlaceKind.GRID}),
    PlaceKind.GRID: frozenset({PlaceKind.ESTATE, PlaceKind.BUILDING}),
    PlaceKind.ESTATE: frozenset({PlaceKind.BUILDING}),
    PlaceKind.BUILDING: frozenset(),
}

# Official code lengths: GB/T 2260 for districts, the 12-digit statistical code
# (统计用区划代码) for streets and communities. Lower kinds use the platform's own codes.
OFFICIAL_CODE_LENGTH = {PlaceKind.DISTRICT: 6, PlaceKind.STREET: 12, PlaceKind.COMMUNITY: 12}


class Place(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=PlaceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_("Letters and digits; unique among siblings. Part of the path."),
    )
    official_code = models.CharField(
        _("official code"), max_length=12, null=True, blank=True, unique=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = PathField(_("path"), unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    centre_lat = models.DecimalField(
        _("centre latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    centre_lng = models.DecimalField(
        _("centre longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    policy_profile = models.CharField(
        _("policy profile"),
        max_length=64,
        blank=True,
        help_text=_("Name of a profile file; empty means inherit from the parent."),
    )
    service_area_m2 = models.DecimalField(
        _("service premises (m²)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "code"], name="place_code_unique_in_parent"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(kind="district"),
                name="place_only_district_is_root",
            ),
        ]
        indexes = [
            models.Index(
                fields=["path"], name="place_path_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="place_kind_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not CODE_RE.match(self.code or ""):
            raise ValidationError({"code": _("A code is 1–20 letters or digits.")})
        if self.parent_id is None and self.kind != PlaceKind.DISTRICT:
            raise ValidationError({"parent": _("Only a district may have no parent.")})
        if self.parent is not None and self.kind not in CHILD_KINDS[self.parent.kind]:
            raise ValidationError(
                {
                    "kind": _("A %(kind)s cannot be placed under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )
        length = OFFICIAL_CODE_LENGTH.get(self.kind)
        if self.official_code and (
            length is None or len(self.official_code) != length or not self.official_code.isdigit()
        ):
            raise ValidationError(
                {
                    "official_code": _("The official code of a %(kind)s has %(n)s digits.")
                    % {"kind": self.get_kind_display(), "n": length or 0}
                }
            )

    def ancestor_paths(self) -> list[str]:
        """Paths of this place and all its ancestors, root first."""
        parts = self.path.strip("/").split("/")
        return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Household(models.Model):
    """A dwelling: a unit and room in a building. Residents join it in the people registry."""

    building = models.ForeignKey(
        Place,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": PlaceKind.BUILDING},
    )
    unit_no = models.CharField(_("unit"), max_length=8, blank=True)
    room_no = models.CharField(_("room"), max_length=16)
    # Copy of the building's path, so scoping a household list needs no join.
    place_path = PathField(_("place path"), editable=False, db_index=False)
    exclusive_area_m2 = models.DecimalField(
        _("exclusive area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["place_path", "unit_no", "room_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit_no", "room_no"], name="household_unique_room"
            )
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="household_path_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.short_address

    @property
    def short_address(self) -> str:
        unit = _("Unit %(n)s ") % {"n": self.unit_no} if self.unit_no else ""
        return f"{self.building.name} {unit}{self.room_no}"
