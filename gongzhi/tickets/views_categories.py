"""The category tree pages (`ticket.categories`: district officers and system admins): the tree,
add a category (at the top or under another), edit it, deactivate / activate, delete an unused
one. Thin: reads through selectors, writes through services; a refused change comes back as the
service's message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import gates, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.tickets import forms, selectors, services
from gongzhi.tickets.views import _render


@login_required
@requires(Action.TICKET_CATEGORIES)
def category_list(request):
    return _render(request, "tickets/categories.html", {"categories": selectors.category_tree()})


@login_required
@requires(Action.TICKET_CATEGORIES)
def category_new(request):
    tree = selectors.category_tree()
    parent_id = request.GET.get("parent", "")
    parent = next((c for c in tree if str(c.pk) == parent_id), None)
    initial = {"parent": parent.pk, "routing": parent.routing} if parent else {}
    form = forms.CategoryForm(request.POST or None, tree=tree, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.create_category(actor=request.user, **form.values())
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
            return redirect("tickets:categories")
    title = (
        _("New category under “%(name)s”") % {"name": parent.name} if parent else _("New category")
    )
    return _render(request, "tickets/category_form.html", {"form": form, "title": title})


@login_required
@requires(Action.TICKET_CATEGORIES)
def category_edit(request, pk: int):
    category = selectors.get_category(pk)
    tree = selectors.category_tree()
    initial = {
        "name": category.name,
        "parent": category.parent_id,
        "routing": category.routing,
        "default_priority": category.default_priority,
        "response_hours": category.response_hours,
        "resolve_hours": category.resolve_hours,
        "sort": category.sort,
    }
    form = forms.CategoryForm(request.POST or None, tree=tree, creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.update_category(category, actor=request.user, **form.values())
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
            return redirect("tickets:categories")
    return _render(
        request,
        "tickets/category_form.html",
        {
            "form": form,
            "category": category,
            "title": _("Edit category “%(name)s”") % {"name": category.name},
        },
    )


CHANGES = {
    "deactivate": services.deactivate_category,
    "activate": services.activate_category,
    "delete": services.delete_category,
}


@login_required
@require_POST
def category_change(request, pk: int, change: str):
    """Deactivate, activate or delete, then back to the tree with a message."""
    if change not in CHANGES:
        raise Http404
    gates.check(request.user, Action.TICKET_CATEGORIES)
    category = selectors.get_category(pk)
    try:
        result = CHANGES[change](category, actor=request.user)
    except ValidationError as error:
        messages.error(request, refusals.text(error))
        return redirect("tickets:categories")
    done = {
        "deactivate": _("Category “%(name)s” deactivated: it is no longer offered."),
        "activate": _("Category “%(name)s” activated."),
        "delete": _("Category “%(name)s” deleted."),
    }[change]
    subcategories = len(result) - 1 if change == "deactivate" else 0
    if subcategories:
        done = _(
            "Category “%(name)s” and %(n)s subcategories deactivated: they are no longer offered."
        )
    messages.success(request, done % {"name": category.name, "n": subcategories})
    return redirect("tickets:categories")
