"""The jurisdiction tree and the households that hang off its buildings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.paths import CODE_RE, PathField


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
OFFICIAL_CODE_LENGTH: dict[str, int] = {
    PlaceKind.DISTRICT: 6,
    PlaceKind.STREET: 12,
    PlaceKind.COMMUNITY: 12,
}


class AreaClass(models.TextChoices):
    """Where a community lies, for rules that tell central city and county towns apart
    (seed 001 §15). Empty: not known."""

    UNKNOWN = "", _("Unknown")
    CENTRAL = "central", _("Central city")
    COUNTY = "county", _("County town")


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
    # Communities only (seed 001 §8: 新建城市社区 have a higher premises minimum).
    is_new_community = models.BooleanField(
        _("newly built community"),
        default=False,
        help_text=_("A newly built urban community (新建城市社区); only for communities."),
    )
    area_class = models.CharField(
        _("area class"),
        max_length=8,
        choices=AreaClass.choices,
        blank=True,
        default=AreaClass.UNKNOWN,
        help_text=_("Central city or county town; only for communities."),
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
        if self.kind != PlaceKind.COMMUNITY and (self.is_new_community or self.area_class):
            raise ValidationError(
                {"is_new_community": _("Only a community is newly built or has an area class.")}
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


class RoomFunction(models.TextChoices):
    """What a room of a community's premises is for (seed 001 §8–9, seed 002 §四1)."""

    PARTY_MASS = "party_mass", _("Party-mass activity room")
    MEDIATION = "mediation", _("Mediation room")
    POLICE = "police", _("Police room")
    FAMILY_PLANNING = "family_planning", _("Family-planning service room")
    CHARITY_SUPERMARKET = "charity_supermarket", _("Charity supermarket")
    OFFICE = "office", _("Community office")
    SERVICE_HALL = "service_hall", _("Service hall")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    CHILDCARE = "childcare", _("Childcare")
    OTHER = "other", _("Other")


class Room(models.Model):
    """A room of a community's public service premises, with its function and floor area."""

    place = models.ForeignKey(
        Place,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="rooms",
        limit_choices_to={"kind": PlaceKind.COMMUNITY},
    )
    function = models.CharField(_("function"), max_length=24, choices=RoomFunction.choices)
    name = models.CharField(_("room name"), max_length=100)
    area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=1)
    # Copy of the community's path: scoping without a join.
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["place_path", "function", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="room_name_unique_in_place"),
            models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="room_area_positive"),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="room_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PostTerms(models.Model):
    """Whether a staff post (core.Post) is held full-time (专职) or part-time (兼职).

    A post without a row is full-time. Only full-time posts count towards the staffing checks
    of the compliance page (seed 001 §6, seed 002 §四2): a part-time grid worker (兼职网格员)
    does not count."""

    post = models.OneToOneField(
        "core.Post",
        verbose_name=_("post"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="terms",
    )
    full_time = models.BooleanField(_("full-time"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("terms of a post")
        verbose_name_plural = _("terms of posts")

    def __str__(self) -> str:
        return f"{self.post_id}: {'full' if self.full_time else 'part'}"
