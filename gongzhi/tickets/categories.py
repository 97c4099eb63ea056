"""Category administration: the one category tree of the installation (create, edit,
deactivate, activate, delete), configured by a city- or district-level officer. Every write is
one transaction with an access check and an audit record.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.tickets.models import (
    Category,
    Priority,
    RoutingTarget,
)

# --------------------------------------------------------------------------- categories
# The category tree is one for the whole installation (Category has no place). It is configured
# by the roles with `ticket.categories` (district officers, system admins): their posts sit at
# district level or have no place, so any grant of the action covers the tree. A category used
# by tickets is deactivated, never deleted: its tickets keep it, new submissions no longer offer
# it. Invariant: an active category has an active parent (deactivating a category deactivates
# its subcategories; a category cannot be activated, or placed, under an inactive one).

CATEGORY_FIELDS = [
    "name",
    "parent_id",
    "routing",
    "default_priority",
    "response_hours",
    "resolve_hours",
    "is_active",
    "sort",
]
CATEGORY_EDITABLE = (
    "name",
    "parent",
    "routing",
    "default_priority",
    "response_hours",
    "resolve_hours",
    "sort",
)
CATEGORY_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
CATEGORY_NAME_MAX = 60
CATEGORY_HOURS_MAX = 24 * 365


def _category_grant(actor: User) -> access.Grant:
    grants = access.grants(actor, Action.TICKET_CATEGORIES)
    if not grants:
        raise PermissionDenied(_("Your role may not configure the ticket categories."))
    return next((g for g in grants if g.everything), grants[0])


def _category_errors(category: Category) -> dict[str, list]:
    """What is wrong with a category about to be saved (name, level, cycle, hours…)."""
    errors: dict[str, list] = {}
    name = category.name
    if not name:
        errors["name"] = [_("Give the category a name.")]
    elif len(name) > CATEGORY_NAME_MAX:
        errors["name"] = [
            _("The name is too long (at most %(n)s characters).") % {"n": CATEGORY_NAME_MAX}
        ]
    elif (
        Category.objects.filter(parent_id=category.parent_id, name=name)
        .exclude(pk=category.pk)
        .exists()
    ):
        errors["name"] = [
            _("There is already a category “%(name)s” at this level of the tree.") % {"name": name}
        ]
    if category.routing not in RoutingTarget.values:
        errors["routing"] = [_("Choose where tickets of this category go first.")]
    if category.default_priority not in Priority.values:
        errors["default_priority"] = [_("Unknown priority.")]
    for field in ("response_hours", "resolve_hours"):
        value = getattr(category, field)
        if value is not None and not (isinstance(value, int) and 1 <= value <= CATEGORY_HOURS_MAX):
            errors[field] = [
                _("Hours are a whole number from 1 to %(n)s, or empty.") % {"n": CATEGORY_HOURS_MAX}
            ]
    parent = category.parent
    if parent is not None:
        if category.pk is not None:
            parents = dict(Category.objects.values_list("pk", "parent_id"))
            node: int | None = parent.pk
            seen: set[int] = set()
            while node is not None and node not in seen:
                if node == category.pk:
                    errors["parent"] = [
                        _(
                            "A category cannot be placed under itself or under one of its own "
                            "subcategories."
                        )
                    ]
                    break
                seen.add(node)
                node = parents.get(node)
        if "parent" not in errors and category.is_active and not parent.is_active:
            errors["parent"] = [
                _("The category “%(name)s” is inactive: activate it first.") % {"name": parent.name}
            ]
    return errors


def _new_category_code() -> str:
    while True:
        code = f"c-{secrets.token_hex(4)}"
        if not Category.objects.filter(code=code).exists():
            return code


def _audit_category(
    actor: User,
    grant: access.Grant,
    action: str,
    category: Category,
    before: dict[str, Any],
    reason: str = "",
) -> None:
    audit.record(
        actor=actor,
        post=grant.post,
        action=action,
        target=category,
        changes=audit.diff(category, before, CATEGORY_FIELDS),
        reason=reason,
    )


def create_category(
    *,
    actor: User,
    name: str,
    parent: Category | None = None,
    code: str = "",
    routing: str | None = None,
    default_priority: str = Priority.NORMAL,
    response_hours: int | None = None,
    resolve_hours: int | None = None,
    sort: int = 0,
) -> Category:
    """A new category at the top of the tree or under `parent` (routing: the parent's when not
    given). `code` (the Open311 service_code) is generated when empty and never changes."""
    with transaction.atomic():
        grant = _category_grant(actor)
        code = (code or "").strip().lower()
        errors: dict[str, list] = {}
        if code and not CATEGORY_CODE_RE.match(code):
            errors["code"] = [
                _(
                    "A code is 1–40 lower-case letters, digits, “-” or “_”, starting with a "
                    "letter or digit."
                )
            ]
        elif code and Category.objects.filter(code=code).exists():
            errors["code"] = [_("The code “%(code)s” is already used.") % {"code": code}]
        if parent is not None:
            parent = Category.objects.select_for_update().get(pk=parent.pk)
        category = Category(
            parent=parent,
            code=code or _new_category_code(),
            name=(name or "").strip(),
            routing=routing or (parent.routing if parent else RoutingTarget.GRID),
            default_priority=default_priority or Priority.NORMAL,
            response_hours=response_hours,
            resolve_hours=resolve_hours,
            sort=sort or 0,
            is_active=parent.is_active if parent else True,
        )
        errors.update(_category_errors(category))
        if errors:
            raise ValidationError(errors)
        category.save()
        _audit_category(actor, grant, "ticket.category_create", category, {})
    return category


def update_category(category: Category, *, actor: User, **fields: Any) -> Category:
    """Change name, parent (moving it with its subtree), routing, priority, hours or order."""
    unknown = set(fields) - set(CATEGORY_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        grant = _category_grant(actor)
        category = (
            Category.objects.select_for_update(of=("self",))
            .select_related("parent")
            .get(pk=category.pk)
        )
        before = audit.snapshot(category, CATEGORY_FIELDS)
        for field, value in fields.items():
            if field == "name":
                value = (value or "").strip()
            elif field == "parent" and value is not None:  # as it is now, not as the caller saw it
                value = Category.objects.select_for_update().get(pk=value.pk)
            setattr(category, field, value)
        errors = _category_errors(category)
        if errors:
            raise ValidationError(errors)
        if not audit.diff(category, before, CATEGORY_FIELDS):
            return category
        category.save()
        _audit_category(actor, grant, "ticket.category_update", category, before)
    return category


def _descendant_ids(category: Category) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], list(children.get(category.pk, []))
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def deactivate_category(category: Category, *, actor: User) -> list[Category]:
    """No longer offered on the submit forms (and to Open311), with its subcategories; tickets
    that have it keep it. Returns the categories that changed."""
    with transaction.atomic():
        grant = _category_grant(actor)
        ids = [category.pk, *_descendant_ids(category)]
        changed = list(
            Category.objects.select_for_update().filter(pk__in=ids, is_active=True).order_by("pk")
        )
        for item in changed:
            before = audit.snapshot(item, CATEGORY_FIELDS)
            item.is_active = False
            item.save(update_fields=["is_active"])
            reason = "" if item.pk == category.pk else str(category)
            _audit_category(actor, grant, "ticket.category_deactivate", item, before, reason)
    return changed


def activate_category(category: Category, *, actor: User) -> Category:
    """Offered again; its parent must be active (subcategories stay as they are)."""
    with transaction.atomic():
        grant = _category_grant(actor)
        category = (
            Category.objects.select_for_update(of=("self",))
            .select_related("parent")
            .get(pk=category.pk)
        )
        if category.is_active:
            return category
        if category.parent is not None and not category.parent.is_active:
            raise ValidationError(
                {
                    "parent": _("The category “%(name)s” is inactive: activate it first.")
                    % {"name": category.parent.name}
                }
            )
        before = audit.snapshot(category, CATEGORY_FIELDS)
        category.is_active = True
        category.save(update_fields=["is_active"])
        _audit_category(actor, grant, "ticket.category_activate", category, before)
    return category


def delete_category(category: Category, *, actor: User) -> None:
    """Only a category no ticket has ever used and without subcategories; otherwise deactivate."""
    with transaction.atomic():
        grant = _category_grant(actor)
        category = Category.objects.select_for_update().get(pk=category.pk)
        if category.tickets.exists():
            raise ValidationError(
                _("Tickets use the category “%(name)s”: deactivate it instead of deleting it.")
                % {"name": category.name}
            )
        if category.children.exists():
            raise ValidationError(
                _("The category “%(name)s” has subcategories: delete or move them first.")
                % {"name": category.name}
            )
        before = audit.snapshot(category, CATEGORY_FIELDS)
        audit.record(
            actor=actor,
            post=grant.post,
            action="ticket.category_delete",
            target=category,
            changes={f: [v, None] for f, v in before.items()},
        )
        category.delete()
