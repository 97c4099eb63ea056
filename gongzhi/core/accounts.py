"""Account services: changing one's own password, disabling accounts nobody uses and
re-enabling them (docs/security.md). Each write is one transaction with its audit record.

Separation of duties: accounts that hold a security-admin or audit-admin post are re-enabled
only by a security admin (or a superuser), never by a system admin.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import PROTECTED_ROLES, STAFF_ROLES, Action, Role
from gongzhi.core.tasks import periodic

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer

# --- One's own password ------------------------------------------------------------------


@transaction.atomic
def change_password(old_password: str, new_password: str, *, actor: User) -> User:
    """Set a new password after checking the current one and every password rule."""
    actor = User.objects.select_for_update().get(pk=actor.pk)
    if not actor.check_password(old_password or ""):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    actor.set_password(new_password)
    actor.save(update_fields=["password"])  # passwords.remember() keeps the history
    audit.record(
        actor=actor,
        action="auth.password_change",
        target=actor,
        changes={"password_changed_at": [None, actor.password_changed_at]},
    )
    return actor


# --- Accounts nobody uses -----------------------------------------------------------------


def _staff_q() -> Q:
    return Q(is_superuser=True) | Q(posts__is_active=True, posts__role__in=STAFF_ROLES)


def unused_accounts(now: dt.datetime | None = None) -> QuerySet[User]:
    """Active staff accounts with no login (and no re-enabling) for UNUSED_ACCOUNT_DAYS.
    Residents are left alone: they log in with codes sent to their own phone, and locking
    them out of public services is not what the rule is for."""
    now = now or clock.now()
    cutoff = now - dt.timedelta(days=settings.UNUSED_ACCOUNT_DAYS)
    last_used = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    not_reenabled = Q(reenabled_at__isnull=True) | Q(reenabled_at__lt=cutoff)
    staff_ids = User.objects.filter(_staff_q()).values("pk")
    return User.objects.filter(last_used, not_reenabled, is_active=True, pk__in=staff_ids)


def disable_unused_accounts() -> int:
    """Disable every unused staff account, one audited transaction each. Idempotent."""
    if settings.UNUSED_ACCOUNT_DAYS <= 0:
        return 0
    disabled = 0
    for pk in list(unused_accounts().values_list("pk", flat=True)):
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=pk)
            if not unused_accounts().filter(pk=pk).exists():
                continue
            now = clock.now()
            user.is_active = False
            user.disabled_unused_at = now
            user.save(update_fields=["is_active", "disabled_unused_at"])
            audit.record(
                actor=None,
                action="user.disable_unused",
                target=user,
                changes={
                    "is_active": [True, False],
                    "last_login": user.last_login,
                    "days": settings.UNUSED_ACCOUNT_DAYS,
                },
            )
            disabled += 1
    return disabled


@periodic(hour="3", minute="20")
def disable_unused_accounts_daily() -> int:
    return disable_unused_accounts()


def _manage_grants(user: Viewer) -> list[access.Grant]:
    return access.grants(user, Action.ACCOUNT_MANAGE)


def managed_users(user: Viewer) -> QuerySet[User]:
    """Accounts the user manages: every account for a post with no place, otherwise the
    accounts holding a post inside the user's ACCOUNT_MANAGE scope."""
    grants = _manage_grants(user)
    if any(g.everything for g in grants):
        return User.objects.all()
    q = Q(pk__in=[])
    for grant in grants:
        if grant.path is not None:
            q |= Q(place__path__under=grant.path)
    return User.objects.filter(pk__in=Post.objects.filter(q).values("user_id"))


def disabled_accounts(user: Viewer) -> QuerySet[User]:
    """Accounts disabled for disuse that the user may see (managed_users)."""
    return managed_users(user).filter(is_active=False, disabled_unused_at__isnull=False)


def _protected(user: User) -> bool:
    return Post.objects.filter(user=user, role__in=PROTECTED_ROLES, is_active=True).exists()


def _require_may_touch(actor: User, user: User, grants: list[access.Grant]) -> access.Grant:
    """The grant to act with; 403 for a system admin acting on a security or audit admin."""
    if _protected(user) and not (
        getattr(actor, "is_superuser", False)
        or any(g.post is not None and g.post.role == Role.SECURITY_ADMIN for g in grants)
    ):
        raise PermissionDenied(_("Only a security admin may change this account."))
    return next((g for g in grants if g.everything), grants[0])


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": message})
    return reason[:500]


@transaction.atomic
def reenable_account(user: User, reason: str = "", *, actor: User) -> User:
    """Re-enable an account disabled for disuse. 404 outside the actor's scope; 403 for a
    system admin re-enabling a security or audit admin."""
    if not _manage_grants(actor):
        raise PermissionDenied
    if not disabled_accounts(actor).filter(pk=user.pk).exists():
        raise Http404
    user = User.objects.select_for_update().get(pk=user.pk)
    grant = _require_may_touch(actor, user, _manage_grants(actor))
    reason = _reason(reason, _("Give a reason for re-enabling the account."))
    before = user.disabled_unused_at
    user.is_active = True
    user.disabled_unused_at = None
    user.reenabled_at = clock.now()
    user.save(update_fields=["is_active", "disabled_unused_at", "reenabled_at"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="user.reenable",
        target=user,
        changes={"is_active": [False, True], "disabled_unused_at": [before, None]},
        reason=reason,
    )
    return user


@transaction.atomic
def reset_second_factor(user: User, reason: str = "", *, actor: User) -> User:
    """Remove a user's authenticator and recovery codes (a lost phone) and their API token:
    the next login enrols a new authenticator. 404 outside the actor's scope; 403 for a
    system admin and a security or audit admin, and for one's own account."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    grants = _manage_grants(actor)
    if not grants:
        raise PermissionDenied
    if not managed_users(actor).filter(pk=user.pk).exists():
        raise Http404
    if user.pk == actor.pk:
        raise PermissionDenied(_("Nobody resets their own second factor."))
    user = User.objects.select_for_update().get(pk=user.pk)
    grant = _require_may_touch(actor, user, grants)
    reason = _reason(reason, _("Give a reason for resetting the second factor."))
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    Token.objects.filter(user=user).delete()
    audit.record(
        actor=actor,
        post=grant.post,
        action="auth.otp_reset",
        target=user,
        changes={"devices_removed": removed},
        reason=reason,
    )
    return user
