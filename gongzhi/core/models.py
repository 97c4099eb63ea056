"""Accounts, posts and the audit trail."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, crypto
from gongzhi.core.paths import PathField
from gongzhi.core.roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username=None, password=None, *, phone=None, **extra):
        user = self.model(username=username or None, **extra)
        if phone:
            user.set_phone(phone)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("name", username)
        return self.create_user(username, password, **extra)

    def get_by_phone(self, phone: str):
        return self.get(phone_index=crypto.blind_index("phone", phone))


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Staff use a username; residents use their phone number."""

    username = models.CharField(_("username"), max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=64)
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True, editable=False)
    phone_index = models.CharField(max_length=64, unique=True, null=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=clock.now)
    failed_logins = models.PositiveSmallIntegerField(_("failed logins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # Identity controls (docs/security.md): when the password was last set, and when the
    # account was disabled for disuse or re-enabled after that (gongzhi/core/accounts.py).
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    disabled_unused_at = models.DateTimeField(_("disabled for disuse at"), null=True, blank=True)
    reenabled_at = models.DateTimeField(_("re-enabled at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.username or f"#{self.pk}"

    def set_phone(self, phone: str) -> None:
        self.phone_encrypted = crypto.encrypt(phone)
        self.phone_index = crypto.blind_index("phone", phone)

    @property
    def phone_masked(self) -> str:
        return (
            crypto.mask_phone(crypto.decrypt(self.phone_encrypted)) if self.phone_encrypted else ""
        )

    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > clock.now()


class Post(models.Model):
    """A role held by a user at a place (岗位). A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="posts")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    household = models.ForeignKey(
        "places.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "place", "household"], name="post_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(place__isnull=False)
                | models.Q(role__in=[Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN]),
                name="post_place_required",
            ),
            models.CheckConstraint(
                condition=models.Q(household__isnull=False) | ~models.Q(role=Role.RESIDENT),
                name="post_resident_has_household",
            ),
        ]

    def __str__(self) -> str:
        where = self.place.name if self.place_id else _("whole installation")
        return f"{self.get_role_display()} · {where}"


class PasswordHistory(models.Model):
    """A password hash a user had before: the last few may not be chosen again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_user")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.user_id}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def bulk_create(self, *args, **kwargs):
        raise PermissionError("audit records are appended one by one through audit.record()")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def delete(self):
        raise PermissionError("the audit trail is append-only")


class AuditRecord(models.Model):
    """One append-only, hash-chained entry: a write through a service or a reveal.

    `hash` = SHA-256 over `prev_hash` and the canonical JSON of the other fields, so
    changing, removing or reordering a row breaks the chain from that row on.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True)
    actor_name = models.CharField(_("actor"), max_length=64, blank=True)
    post_id = models.BigIntegerField(_("post id"), null=True)
    post_label = models.CharField(_("post"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    place_path = PathField(_("place path"), blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True)
    changes = models.JSONField(_("changes"), default=dict)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # Unique: two records can never follow the same one, so the chain cannot fork even if
    # a writer skipped the append lock.
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit trail is append-only")


# --- Ledgers (points and time-bank hours; services in gongzhi/core/ledger.py) -------------


class LedgerCurrency(models.TextChoices):
    POINTS = "points", _("points")
    HOURS = "hours", _("time-bank hours")
    MONEY = "fen", _("money (fen)")


class LedgerOwnerKind(models.TextChoices):
    """Who an account belongs to. `owner_id` is the primary key of a row of that kind:
    resident → people.Resident; merchant → the merchant (volunteering); pool, issuer and
    sink → the places.Place (usually a community) the account serves; fund → funds.Fund;
    funding_line → funds.FundingLine (money, currency `fen`: docs/funds.md)."""

    RESIDENT = "resident", _("resident")
    MERCHANT = "merchant", _("merchant")
    POOL = "pool", _("community pool")
    ISSUER = "issuer", _("issuer")
    SINK = "sink", _("sink")
    FUND = "fund", _("community fund")
    FUNDING_LINE = "funding_line", _("funding line")


class LedgerAccount(models.Model):
    """One balance in one currency for one owner. `balance` is in the smallest unit
    (points; minutes for hours) and changes only in the transaction that appends the entry.
    Only an issuer (where points and hours come from) may go below zero."""

    currency = models.CharField(_("currency"), max_length=8, choices=LedgerCurrency.choices)
    owner_kind = models.CharField(_("owner kind"), max_length=16, choices=LedgerOwnerKind.choices)
    owner_id = models.BigIntegerField(_("owner id"))
    place_path = PathField(_("place path"), blank=True)
    allow_negative = models.BooleanField(_("may go below zero"), default=False)
    balance = models.BigIntegerField(_("balance"), default=0)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "owner_kind", "owner_id"], name="ledger_account_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(balance__gte=0) | models.Q(allow_negative=True),
                name="ledger_account_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(allow_negative=False)
                | models.Q(owner_kind=LedgerOwnerKind.ISSUER),
                name="ledger_account_only_issuer_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="ledger_account_path_like",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_owner_kind_display()} #{self.owner_id} · {self.get_currency_display()}"


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the ledger is append-only")

    def bulk_create(self, *args, **kwargs):
        raise PermissionError("ledger entries are appended through ledger.transfer()")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("the ledger is append-only")

    def delete(self):
        raise PermissionError("the ledger is append-only")


class LedgerEntry(models.Model):
    """One append-only, double-entry movement: `amount` leaves `debit` and enters `credit`.

    A balance is the sum of an account's credits minus the sum of its debits. Corrections are
    new entries that reverse an earlier one (`reverses`, at most once per entry)."""

    debit = models.ForeignKey(
        LedgerAccount,
        verbose_name=_("from account"),
        on_delete=models.PROTECT,
        related_name="debit_entries",
        db_index=False,  # served by ledger_entry_debit_time
    )
    credit = models.ForeignKey(
        LedgerAccount,
        verbose_name=_("to account"),
        on_delete=models.PROTECT,
        related_name="credit_entries",
        db_index=False,  # served by ledger_entry_credit_time
    )
    amount = models.BigIntegerField(_("amount"))
    reason_code = models.CharField(_("reason code"), max_length=32)
    reason_text = models.CharField(_("reason"), max_length=200, blank=True)
    source_type = models.CharField(_("source type"), max_length=64, blank=True)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            # A constraint, not unique=True: on PostgreSQL no varchar_pattern_ops twin index.
            models.UniqueConstraint(fields=["idempotency_key"], name="ledger_entry_key_unique"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="ledger_entry_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(debit=models.F("credit")), name="ledger_entry_two_accounts"
            ),
        ]
        indexes = [
            models.Index(fields=["debit", "created_at"], name="ledger_entry_debit_time"),
            models.Index(fields=["credit", "created_at"], name="ledger_entry_credit_time"),
            models.Index(fields=["source_type", "source_id"], name="ledger_entry_source"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.debit_id}→{self.credit_id} {self.reason_code}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the ledger is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the ledger is append-only")


class NotificationQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        rows = super().bulk_create(objs, *args, **kwargs)
        from gongzhi.core import notifications

        notifications.forget(row.user_id for row in rows)
        return rows


class Notification(models.Model):
    """In-app notification centre (gongzhi/core/notifications.py): one row per person concerned
    by an event of any app. `link` is the path the notification leads to (blank: none) and
    `reference` a short label of what it is about (a ticket's number). Creating one forgets the
    user's cached unread count."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    verb = models.CharField(_("action"), max_length=24)
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    read = models.BooleanField(_("read"), default=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read", "-created_at"], name="core_notification_inbox")
        ]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from gongzhi.core import notifications

        notifications.forget([self.user_id])


class PeriodicRun(models.Model):
    """One row per periodic job and scheduled minute: the first worker to insert it runs the job,
    every other worker's scheduler that queued the same minute finds the row and skips
    (gongzhi/core/tasks.py `periodic`). Also the task worker's heartbeat (readiness)."""

    name = models.CharField(max_length=200)
    slot = models.DateTimeField(help_text="the scheduled minute, Asia/Shanghai wall time as UTC")
    started_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot")
        ]
        indexes = [models.Index(fields=["name", "-slot"], name="periodic_run_latest")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot:%Y-%m-%d %H:%M}"


class KeySentinel(models.Model):
    """A known text sealed with each field-key version when that version is first used: a process
    whose key cannot open it has the wrong key (gongzhi/core/keycheck.py)."""

    version = models.PositiveIntegerField(unique=True)
    token = models.TextField()
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"key v{self.version}"
