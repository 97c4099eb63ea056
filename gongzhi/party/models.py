"""The party organisation beside the place tree (seed 003 §三(一)1, annex 2 item 1):
street working committee → community party committee → (general) branch on an estate or
grid → building party group → party-member household. A party group may also be built on a
grid (seed 001 §1 把党小组建在网格上), under a branch of the community or of the grid."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


class OrgKind(models.TextChoices):
    STREET_COMMITTEE = "street_committee", _("Street working committee")
    COMMUNITY_COMMITTEE = "community_committee", _("Community party committee")
    GENERAL_BRANCH = "general_branch", _("General party branch")
    BRANCH = "branch", _("Party branch")
    GROUP = "group", _("Party group")
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
    # A branch bound to a community is the community's own branch (社区党支部, seed 001 §1),
    # which leads the party groups built on its grids.
    OrgKind.BRANCH: frozenset({"community", "grid", "estate"}),
    OrgKind.GROUP: frozenset({"grid", "building", "estate"}),
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


# --- 认岗认事认亲 and the vanguard index (seed 002 §三(一)2, seed 003 annex 2 item 12) ----------


class ServicePost(models.Model):
    """A post (岗) a party member may claim in the community: building guide, traffic post…"""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        ordering = ["place_path", "name"]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="party_servicepost_path",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.name


class CommunityTask(models.Model):
    """A task (事) the community publishes for party members to claim."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("community task")
        verbose_name_plural = _("community tasks")
        ordering = ["place_path", "-created_at"]
        indexes = [
            models.Index(
                fields=["place_path"], name="party_task_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.title


class ClaimKind(models.TextChoices):
    POST = "post", _("Post (认岗)")
    TASK = "task", _("Task (认事)")
    FAMILY = "family", _("Family (认亲)")


class VanguardClaim(models.Model):
    member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="claims"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ClaimKind.choices)
    service_post = models.ForeignKey(
        ServicePost, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    task = models.ForeignKey(
        CommunityTask, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    # The elderly or disadvantaged resident (care tag) whose family the member visits.
    family = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    claimed_on = models.DateField(_("claimed on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("claim of a post, task or family")
        verbose_name_plural = _("claims of posts, tasks and families")
        ordering = ["-claimed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "service_post"],
                condition=models.Q(ended_on__isnull=True, service_post__isnull=False),
                name="vanguard_claim_post_once",
            ),
            models.UniqueConstraint(
                fields=["member", "task"],
                condition=models.Q(ended_on__isnull=True, task__isnull=False),
                name="vanguard_claim_task_once",
            ),
            models.UniqueConstraint(
                fields=["member", "family"],
                condition=models.Q(ended_on__isnull=True, family__isnull=False),
                name="vanguard_claim_family_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="party_claim_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return str(self.service_post or self.task or self.family or "")

    @property
    def target(self):
        return self.service_post or self.task or self.family


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class ServiceRecord(models.Model):
    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="service_records",
    )
    claim = models.ForeignKey(
        VanguardClaim, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )
    served_on = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    confirmed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0), name="service_record_minutes_pos"
            )
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="party_record_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["member", "served_on"], name="party_record_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.served_on} {self.minutes}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


# --- Structures the tree cannot express (issue 23 item 1) -------------------------------------


class CommitteeDuty(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY = "deputy", _("Deputy secretary")
    MEMBER = "member", _("Committee member")


class CommitteeMember(models.Model):
    """A member of a community party committee or street working committee (the big
    committee, 大党委) for a term. Part-time members (兼职委员, seed 000 §一, 001 §1) come from a
    partner unit: its name is kept with them. They need not be residents of the community,
    so only the name is kept, no identity data."""

    org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="committee_members",
    )
    name = models.CharField(_("name"), max_length=50)
    duty = models.CharField(
        _("duty"), max_length=12, choices=CommitteeDuty.choices, default=CommitteeDuty.MEMBER
    )
    part_time = models.BooleanField(_("part-time (兼职委员)"), default=False)
    source_unit = models.CharField(_("source unit"), max_length=100, blank=True)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["org_id", "ended_on", "duty", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")),
                name="party_committee_term_order",
            ),
            models.CheckConstraint(
                condition=models.Q(part_time=False) | ~models.Q(source_unit=""),
                name="party_committee_part_time_unit",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="party_committee_path",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.name


class BodyKind(models.TextChoices):
    SOCIAL_ORG = "social_org", _("Social organisation")
    FIRM = "firm", _("Firm")
    INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other body")


class SetupForm(models.TextChoices):
    """How a body's party organisation is set up (000 §一: 单独建、联合建、挂靠建)."""

    SINGLE = "single", _("Set up alone (单独建)")
    JOINT = "joint", _("Set up jointly (联合建)")
    AFFILIATED = "affiliated", _("Set up by affiliation (挂靠建)")


class Body(models.Model):
    """A social organisation, firm or institution in a community and the party organisation
    that covers it: its own (set up alone), one it set up with other bodies (jointly), or one
    it is affiliated to; none yet puts it on the list of bodies without an organisation.
    Owners' committees and property companies are kept by gongzhi/estates (which records
    their organisation the same way), not here."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=BodyKind.choices)
    org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    setup_form = models.CharField(
        _("form of the party organisation"), max_length=12, choices=SetupForm.choices, blank=True
    )
    party_count = models.PositiveSmallIntegerField(_("party members working there"), default=0)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["place_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="party_body_unique"),
            models.CheckConstraint(
                condition=models.Q(org__isnull=True, setup_form="")
                | models.Q(org__isnull=False) & ~models.Q(setup_form=""),
                name="party_body_form_with_org",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="party_body_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name
