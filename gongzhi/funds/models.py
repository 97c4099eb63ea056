"""The community's money (issue 16 items 5-7; docs/funds.md).

- Community funds (社区基金, item 5): a fund of a community or the district; donations in,
  grants out. The money itself is the kernel ledger's (`core.ledger`, currency `fen`): each
  fund is a ledger account (owner kind `fund`), a donation an entry issuer(place) → fund, a
  grant an entry fund → sink(place). `FundEntry` holds what the ledger does not: the donor
  (or anonymous), the project granted to, the date and the voucher. Both are append-only.
- Purchased services (item 6): what a community buys, from whom (a social organisation on the
  register, or a typed firm), for how much, in which year.
- Funding lines (经费, item 7): per community and year, one line per rule of the profile
  (party-building funds, running funds by community type, funds per 1,000 households, the
  benefit-project budget), each a ledger account (owner kind `funding_line`) with receipts
  (issuer(place) → line) and spending (line → sink(place)) recorded as `LineEntry`.

Money is in fen (integers); pages show yuan. Every row carries the community's (or
district's) `place_path`, so lists are scoped without a join.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField

ANONYMOUS_LABEL = _("Anonymous donor (爱心人士)")


def _path_index(name: str) -> models.Index:
    return models.Index(fields=["place_path"], name=name, opclasses=["varchar_pattern_ops"])


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("fund entries are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("fund entries are append-only")


class AppendOnly(models.Model):
    """Rows that mirror ledger entries: written once, never changed or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and type(self).objects.filter(pk=self.pk).exists():
            raise PermissionError("fund entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("fund entries are append-only")


# --------------------------------------------------------------------------- item 5: funds


class Fund(models.Model):
    name = models.CharField(_("name"), max_length=100)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("community or district"), on_delete=models.PROTECT
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    # Set in the transaction that creates the row (the account's owner id is this row's).
    account = models.OneToOneField(
        "core.LedgerAccount", on_delete=models.PROTECT, related_name="+", editable=False, null=True
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )

    class Meta:
        verbose_name = _("community fund")
        verbose_name_plural = _("community funds")
        ordering = ["place_path", "name", "id"]
        indexes = [_path_index("funds_fund_path")]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="funds_fund_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class EntryKind(models.TextChoices):
    DONATION = "donation", _("Donation")
    GRANT = "grant", _("Grant from the fund")


class FundEntry(AppendOnly):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    on = models.DateField(_("date"))
    # Donations: the donor's name as they gave it, or anonymous (shown as 爱心人士 in public).
    donor_name = models.CharField(_("donor"), max_length=100, blank=True)
    anonymous = models.BooleanField(_("anonymous in public"), default=False)
    # Grants: a micro-project, a venture-philanthropy project, or a typed purpose.
    micro_project = models.ForeignKey(
        "microprojects.Project",
        verbose_name=_("micro-project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    venture_project = models.ForeignKey(
        "organisations.VentureApplication",
        verbose_name=_("venture-philanthropy project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    reference = models.CharField(_("voucher number"), max_length=64, blank=True)
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+", editable=False
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("fund entry")
        verbose_name_plural = _("fund entries")
        ordering = ["-on", "-id"]
        indexes = [_path_index("funds_entry_path"), models.Index(fields=["fund", "-on", "-id"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_entry_positive"),
            # A donation names its donor or is anonymous, and points at no project.
            models.CheckConstraint(
                condition=~Q(kind="donation")
                | (
                    (~Q(donor_name="") | Q(anonymous=True))
                    & Q(micro_project__isnull=True, venture_project__isnull=True)
                ),
                name="funds_donation_has_donor",
            ),
            # A grant goes to one project, or to a typed purpose when there is none.
            models.CheckConstraint(
                condition=~Q(kind="grant")
                | (
                    Q(donor_name="", anonymous=False)
                    & (
                        Q(micro_project__isnull=False, venture_project__isnull=True)
                        | Q(micro_project__isnull=True, venture_project__isnull=False)
                        | (
                            Q(micro_project__isnull=True, venture_project__isnull=True)
                            & ~Q(purpose="")
                        )
                    )
                ),
                name="funds_grant_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen}"

    @property
    def public_donor(self) -> str:
        return str(ANONYMOUS_LABEL) if self.anonymous else self.donor_name

    @property
    def grantee(self) -> str:
        if self.micro_project_id:
            return str(self.micro_project)
        if self.venture_project_id:
            return str(self.venture_project)
        return self.purpose


# --------------------------------------------------------------------------- item 6


class PurchasedService(models.Model):
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    service = models.CharField(_("service"), max_length=200)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("social organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier_name = models.CharField(_("supplier (a firm)"), max_length=100, blank=True)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    place_path = PathField(_("place path"), editable=False, db_index=False)
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("purchased service")
        verbose_name_plural = _("purchased services")
        ordering = ["-year", "place_path", "-id"]
        indexes = [_path_index("funds_purchase_path")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_purchase_positive"),
            # The supplier is a registered organisation or a typed firm, never both or neither.
            models.CheckConstraint(
                condition=(Q(organisation__isnull=False) & Q(supplier_name=""))
                | (Q(organisation__isnull=True) & ~Q(supplier_name="")),
                name="funds_purchase_one_supplier",
            ),
        ]

    def __str__(self) -> str:
        return self.service

    @property
    def supplier(self) -> str:
        return str(self.organisation) if self.organisation_id else self.supplier_name

    @property
    def from_social_org(self) -> bool:
        return self.organisation_id is not None


# --------------------------------------------------------------------------- item 7


class LineKind(models.TextChoices):
    PARTY_BUILDING = "party_building", _("Party-building working funds")
    RUNNING = "running", _("Community running funds")
    PER_HOUSEHOLDS = "per_households", _("Working funds per 1,000 households")
    BENEFIT = "benefit", _("Benefit-project (micro-project) funds")


class FundingLine(models.Model):
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("line"), max_length=16, choices=LineKind.choices)
    key = models.CharField(_("profile key"), max_length=64)
    paragraph = models.CharField(_("paragraph"), max_length=300)
    rule_fen = models.BigIntegerField(_("amount the rule gives (fen)"))
    basis = models.CharField(_("how it is computed"), max_length=200)
    # Set in the transaction that creates the row (the account's owner id is this row's).
    account = models.OneToOneField(
        "core.LedgerAccount", on_delete=models.PROTECT, related_name="+", editable=False, null=True
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["-year", "place_path", "kind"]
        indexes = [_path_index("funds_line_path")]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "kind"], name="funds_line_unique"),
            models.CheckConstraint(condition=Q(rule_fen__gte=0), name="funds_line_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_kind_display()}"


class LineEntryKind(models.TextChoices):
    RECEIPT = "receipt", _("Funds received")
    SPENDING = "spending", _("Spending")
    # A micro-project round's budget lowered before voting: what the line carried for it comes
    # back (sink → line). Only the round budget booking writes it.
    RELEASE = "release", _("Budget released")


class LineEntry(AppendOnly):
    line = models.ForeignKey(FundingLine, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=LineEntryKind.choices)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=200)
    reference = models.CharField(_("voucher number"), max_length=64)
    # The micro-project round whose budget this entry books (benefit-project line only).
    micro_round = models.ForeignKey(
        "microprojects.Round",
        verbose_name=_("micro-project round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ledger_entry = models.OneToOneField(
        "core.LedgerEntry", on_delete=models.PROTECT, related_name="+", editable=False
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    recorded_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, related_name="+", null=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("funding line entry")
        verbose_name_plural = _("funding line entries")
        ordering = ["-on", "-id"]
        indexes = [_path_index("funds_line_entry_path")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="funds_line_entry_positive"),
            # A release only gives back what a round's booking took.
            models.CheckConstraint(
                condition=~Q(kind="release") | Q(micro_round__isnull=False),
                name="funds_line_release_has_round",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_fen}"
