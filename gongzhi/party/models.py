"""The party organisation beside the place tree (seed 003 §三(一)1, annex 2 item 1):
street working committee → community party committee → (general) branch on an estate or
grid → building party group → party-member household."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.places.paths import PathField


class OrgKind(models.TextChoices):
    STREET_COMMITTEE = "street_committee", _("Street working committee")
    COMMUNITY_COMMITTEE = "community_committee", _("Community party committee")
    GENERAL_BRANCH = "general_branch", _("General party branch")
    BRANCH = "branch", _("Party branch")
    GROUP = "group", _("Building party group")
    MEMBER_HOUSEHOLD = "member_household", _("Party-member household")


# Which kinds may sit directly under which (None: a root).
PARENT_KINDS: dict[str, frozenset] = {
    OrgKind.STREET_COMMITTEE: frozenset({None}),
    OrgKind.COMMUNITY_COMMITTEE: frozenset({OrgKind.STREET_COMMITTEE}),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.COMMUNITY_COMMITTEE}),
    OrgKind.BRANCH: frozenset({OrgKind.COMMUNITY_COMMITTEE, OrgKind.GENERAL_BRANCH}),
    OrgKind.GROUP: frozenset({OrgKind.BRANCH}),
    OrgKind.MEMBER_HOUSEHOLD: frozenset({OrgKind.GROUP, OrgKind.BRANCH}),
}

# The place kind each organisation is bound to.
PLACE_KINDS: dict[str, frozenset[str]] = {
    OrgKind.STREET_COMMITTEE: frozenset({"street"}),
    OrgKind.COMMUNITY_COMMITTEE: frozenset({"community"}),
    OrgKind.GENERAL_BRANCH: frozenset({"community", "grid", "estate"}),
    OrgKind.BRANCH: frozenset({"grid", "estate"}),
    OrgKind.GROUP: frozenset({"building", "estate"}),
    OrgKind.MEMBER_HOUSEHOLD: frozenset({"building"}),
}


class PartyOrg(models.Model):
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="party_orgs"
    )
    # Only for a party-member household: the household it is.
    household = models.OneToOneField(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_org",
    )
    secretary = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("secretary / leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Copy of the bound place's path: scoping without a join.
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["place_path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "kind", "name"], name="party_org_unique"),
            models.CheckConstraint(
                condition=models.Q(household__isnull=True) | models.Q(kind="member_household"),
                name="party_org_household_only_for_member_household",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="party_org_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberStatus(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class PartyMember(models.Model):
    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="party_member",
    )
    org = models.ForeignKey(
        PartyOrg, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="members"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    in_service = models.BooleanField(
        _("in-service member"),
        default=False,
        help_text=_("Works in an organisation elsewhere and reports to the home community."),
    )
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    workplace_org = models.CharField(_("workplace party organisation"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Copy of the organisation's place path.
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["place_path", "id"]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="party_member_path_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return str(self.resident)


class Checkin(models.Model):
    """An in-service member reporting to their home community (在职党员到社区报到)."""

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="checkins",
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    workplace_org = models.CharField(_("workplace party organisation"), max_length=100)
    checked_in_on = models.DateField(_("checked in on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("check-in of an in-service member")
        verbose_name_plural = _("check-ins of in-service members")
        ordering = ["-checked_in_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "community"],
                condition=models.Q(ended_on__isnull=True),
                name="checkin_one_open_per_community",
            )
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="checkin_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"
