"""Writes to accounts and posts. Each is one transaction, permission-checked and audited.

A manager may grant or revoke a post of role R at place P when one of the manager's
posts grants Action.POST_MANAGE over P (outside every such subtree P does not exist
for them: 404) and that post's role may grant R (roles.GRANTABLE; otherwise 403).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, auth, crypto
from gongzhi.core.directory import places
from gongzhi.core.models import Post, User
from gongzhi.core.roles import GRANTABLE, Action, Role

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer

    # A gongzhi.places Place / Household: core reads the tree through core.directory.
    Place = Any
    Household = Any

POST_FIELDS = ["user_id", "role", "place_id", "household_id", "is_active"]


def grantable_roles(user: Viewer, path: str | None = None) -> set[str]:
    """Roles the user may grant at `path` (anywhere in their scope when None)."""
    roles: set[str] = set()
    for grant in access.grants(user, Action.POST_MANAGE):
        if path is not None and not _covers(grant, path):
            continue
        roles |= set(Role.values) if grant.post is None else GRANTABLE.get(grant.post.role, set())
    return roles


def _covers(grant: access.Grant, path: str) -> bool:
    return grant.everything or (grant.path is not None and path.startswith(grant.path))


def _require_manage(actor: User, role: str, path: str) -> access.Grant:
    """The most specific POST_MANAGE grant over `path` whose role may grant `role`."""
    access.require(actor, Action.POST_MANAGE, path)  # 404 outside scope, 403 without the right
    best: access.Grant | None = None
    for grant in access.grants(actor, Action.POST_MANAGE):
        may = grant.post is None or role in GRANTABLE.get(grant.post.role, ())
        if (
            _covers(grant, path)
            and may
            and (best is None or len(grant.path or "") > len(best.path or ""))
        ):
            best = grant
    if best is None:
        raise PermissionDenied(_("You may not grant or revoke this role."))
    return best


def _post_path(post: Post) -> str:
    return post.place.path if post.place is not None else ""


@transaction.atomic
def grant_post(
    user: User,
    role: str,
    place: Place | None,
    household: Household | None = None,
    *,
    actor: User,
) -> Post:
    """Give `user` the post (role, place[, household]); reactivates a revoked one."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    path = place.path if place is not None else ""
    grant = _require_manage(actor, role, path)
    if not access.may_hold(role, place):
        raise ValidationError({"place": _("A post of this role cannot be held at this place.")})
    if role == Role.RESIDENT:
        if household is None or place is None or household.building_id != place.pk:
            raise ValidationError(
                {"household": _("A resident post needs a household in this building.")}
            )
    elif household is not None:
        raise ValidationError({"household": _("Only a resident post has a household.")})
    # Lock the user: concurrent grants of the same post queue here (the unique
    # constraint does not cover posts without a household, NULL being distinct).
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError({"user": _("This account is disabled.")})
    post = (
        Post.objects.select_for_update()
        .filter(user=user, role=role, place=place, household=household)
        .order_by("id")
        .first()
    )
    if post is not None and post.is_active:
        raise ValidationError(_("This user already holds this post."))
    if post is None:
        post = Post(user=user, role=role, place=place, household=household)
        before = {}
        post.full_clean(validate_unique=False)
        post.save()
    else:
        before = audit.snapshot(post, POST_FIELDS)
        post.is_active = True
        post.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="post.grant",
        target=post,
        place_path=path,
        changes={"user": [None, str(user)], **audit.diff(post, before, POST_FIELDS)},
    )
    access.forget_posts(user)
    return post


@transaction.atomic
def revoke_post(post: Post, reason: str = "", *, actor: User) -> Post:
    """End a post. The row stays (is_active=False): history is kept."""
    post = (
        Post.objects.select_for_update(of=("self",)).select_related("place", "user").get(pk=post.pk)
    )
    path = _post_path(post)
    grant = _require_manage(actor, post.role, path)
    if not post.is_active:
        raise ValidationError(_("This post has already been revoked."))
    post.is_active = False
    post.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="post.revoke",
        target=post,
        place_path=path,
        changes={"user": str(post.user), "is_active": [True, False]},
        reason=reason,
    )
    access.forget_posts(post.user)
    return post


def _manage_path(actor: User, place: Place | None) -> tuple[access.Grant, str]:
    if place is not None:
        return access.require(actor, Action.POST_MANAGE, place.path), place.path
    grants = access.grants(actor, Action.POST_MANAGE)
    if not grants:
        raise PermissionDenied
    # Record the account where the actor's widest management scope lies, so that
    # the auditors above it see who created it.
    widest = min(grants, key=lambda g: len(g.path or ""))
    return widest, widest.path or ""


@transaction.atomic
def create_staff_user(
    username: str,
    name: str,
    password: str,
    phone: str | None = None,
    place: Place | None = None,
    *,
    actor: User,
) -> User:
    """A new account for staff (logs in with a username). Holds no post yet."""
    grant, path = _manage_path(actor, place)
    username = (username or "").strip()
    name = (name or "").strip()
    phone = (phone or "").strip() or None
    errors: dict[str, list[str]] = {}
    if not username:
        errors.setdefault("username", []).append(_("A username is required."))
    elif auth.PHONE_RE.match(username):
        errors.setdefault("username", []).append(_("A username may not be a phone number."))
    elif User.objects.filter(username=username).exists():
        errors.setdefault("username", []).append(_("This username is taken."))
    if not name:
        errors.setdefault("name", []).append(_("A name is required."))
    if phone is not None:
        if not auth.PHONE_RE.match(phone):
            errors.setdefault("phone", []).append(_("Enter an 11-digit mobile number."))
        elif User.objects.filter(phone_index=crypto.blind_index("phone", phone)).exists():
            errors.setdefault("phone", []).append(_("This phone number is already registered."))
    try:
        validate_password(password, User(username=username, name=name))
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    user = User.objects.create_user(username=username, password=password, name=name, phone=phone)
    audit.record(
        actor=actor,
        post=grant.post,
        action="user.create",
        target=user,
        place_path=path,
        # Never the password; the phone number only masked.
        changes={
            "username": [None, username],
            "name": [None, name],
            "phone": [None, crypto.mask_phone(phone) if phone else ""],
        },
    )
    return user


@transaction.atomic
def grant_post_to_new_user(
    *,
    actor: User,
    username: str,
    name: str,
    password: str,
    role: str,
    place: Place | None,
    phone: str | None = None,
    household: Household | None = None,
) -> Post:
    """Create a staff account and give it its first post, all or nothing."""
    path = place.path if place is not None else ""
    _require_manage(actor, role, path)
    user = create_staff_user(username, name, password, actor=actor, phone=phone, place=place)
    return grant_post(user, role, place, actor=actor, household=household)


# --- Reads for managers -------------------------------------------------------------


def visible_posts(user: Viewer) -> QuerySet[Post]:
    """Posts at places inside the user's POST_MANAGE scope (revoked ones included)."""
    return access.scoped(
        Post.objects.select_related("user", "place", "household"),
        user,
        Action.POST_MANAGE,
        path_field="place__path",
    )


def managed_places(user: Viewer, context: Place | None = None, limit: int = 500) -> list[Place]:
    """Places offered in the post forms: `context` (or each top of the user's scope) and
    two levels below it — a district officer picks a community first, then its grids."""
    tops = [context] if context is not None else places.root_places(user, Action.POST_MANAGE)
    q = Q(pk__in=[])
    for top in tops:
        q |= Q(path__under=top.path, depth__lte=top.depth + 2)
    return list(places.visible_places(user, Action.POST_MANAGE).filter(q).order_by("path")[:limit])
