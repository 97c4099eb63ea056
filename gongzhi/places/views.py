from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.places import selectors, services
from gongzhi.places.forms import PlaceForm
from gongzhi.places.models import PlaceKind

PAGE_SIZE = 50


@login_required
def tree(request: AuthenticatedRequest) -> HttpResponse:
    roots = selectors.with_household_counts(
        selectors.visible_places(request.user).filter(
            pk__in=[p.pk for p in selectors.root_places(request.user)]
        )
    )
    return render(request, "places/tree.html", {"roots": roots})


@login_required
def children(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = selectors.get_place(request.user, pk)
    page = Paginator(selectors.children(request.user, place), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "places/_children.html", {"place": place, "page": page})


@login_required
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = selectors.get_place(request.user, pk)
    page = Paginator(selectors.children(request.user, place), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "ancestors": selectors.visible_ancestors(request.user, place),
            "counts": selectors.subtree_counts(place),
            "page": page,
            "staff": selectors.posts_at(place),
            "can_edit": access.can(request.user, Action.PLACE_EDIT, place.path),
            "can_see_compliance": place.kind == PlaceKind.COMMUNITY
            and access.can(request.user, Action.COMPLIANCE_VIEW, place.path),
        },
    )


@login_required
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = selectors.get_place(request.user, pk)
    access.require(request.user, Action.PLACE_EDIT, place.path)
    form = PlaceForm(request.POST or None, instance=place)
    if request.method == "POST" and form.is_valid():
        fields = {
            name: form.cleaned_data[name]
            for name in services.EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        place.refresh_from_db()
        try:
            services.update_place(actor=request.user, place=place, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("places:detail", pk=place.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "places/edit.html", {"place": place, "form": form}, status=status)


@login_required
def households(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = selectors.get_place(request.user, pk)
    qs = selectors.visible_households(request.user).filter(place_path__under=place.path)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "places/households.html", {"place": place, "page": page})


@login_required
def household(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.get_household(request.user, pk)
    members = selectors.household_members(request.user, item)
    can_add = access.can(request.user, Action.RESIDENT_EDIT, item.place_path, item.pk)
    return render(
        request,
        "places/household.html",
        {"household": item, "members": members, "can_add_resident": can_add},
    )


@login_required
def community_public(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    community = selectors.get_place(request.user, pk, Action.COMMUNITY_PUBLIC_VIEW)
    if community.kind != PlaceKind.COMMUNITY:
        raise Http404  # only communities have a public page
    board = selectors.public_workers(community)
    grids = list(
        selectors.visible_places(request.user, Action.COMMUNITY_PUBLIC_VIEW)
        .filter(parent=community, kind=PlaceKind.GRID)
        .order_by("code")
    )
    for grid in grids:
        grid.workers = board.get(grid.pk, [])  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "places/community_public.html",
        {"community": community, "grids": grids, "workers": board.get(community.pk, [])},
    )
