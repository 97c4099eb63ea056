"""Staff pages for a community's premises and staff terms (seed 001 §6, §8–9; 002 §四1–2):
the rooms of its public service premises with function and area, and which staff posts are
full-time. Reads need `place.view` over the community (404 outside), the staff list also
`compliance.view` (403 inside without it); writes go through the services (`place.edit` for
rooms, `post.manage` for terms: 403 inside the scope without it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, refusals
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest, Viewer
from gongzhi.places import selectors, services
from gongzhi.places.forms import RoomForm
from gongzhi.places.models import Place, PlaceKind, Room

PAGE_SIZE = 50


def _community(user: Viewer, pk: int) -> Place:
    place = selectors.get_place(user, pk)
    if place.kind != PlaceKind.COMMUNITY:
        raise Http404  # rooms and staff terms belong to a community
    return place


def _room(user: Viewer, place: Place, room_pk: int) -> Room:
    return get_object_or_404(Room.objects.filter(place=place), pk=room_pk)


@login_required
def rooms(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = _community(request.user, pk)
    can_edit = access.can(request.user, Action.PLACE_EDIT, place.path)
    form = RoomForm(request.POST or None)
    if request.method == "POST":
        access.require(request.user, Action.PLACE_EDIT, place.path)
        if form.is_valid():
            try:
                services.create_room(actor=request.user, place=place, **form.cleaned_data)
            except ValidationError as error:
                refusals.on_form(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("places:rooms", pk=place.pk)
    page = Paginator(selectors.rooms_of(place), PAGE_SIZE).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "places/rooms.html",
        {
            "place": place,
            "ancestors": selectors.visible_ancestors(request.user, place),
            "page": page,
            "form": form,
            "can_edit": can_edit,
            "can_see_compliance": access.can(request.user, Action.COMPLIANCE_VIEW, place.path),
        },
        status=status,
    )


@login_required
def room_edit(request: AuthenticatedRequest, pk: int, room_pk: int) -> HttpResponse:
    place = _community(request.user, pk)
    room = _room(request.user, place, room_pk)
    access.require(request.user, Action.PLACE_EDIT, place.path)
    initial = {"function": room.function, "name": room.name, "area_m2": room.area_m2}
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_room(actor=request.user, room=room, **form.cleaned_data)
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("places:rooms", pk=place.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "places/room_edit.html",
        {"place": place, "room": room, "form": form},
        status=status,
    )


@login_required
@require_POST
def room_delete(request: AuthenticatedRequest, pk: int, room_pk: int) -> HttpResponse:
    place = _community(request.user, pk)
    room = _room(request.user, place, room_pk)
    services.delete_room(actor=request.user, room=room)
    messages.success(request, _("Deleted."))
    return redirect("places:rooms", pk=place.pk)


@login_required
def staff(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = _community(request.user, pk)
    # The staff list is internal: community staff and those above them, who read the staffing
    # checks it feeds (403 for property staff and building heads who may browse the place).
    access.require(request.user, Action.COMPLIANCE_VIEW, place.path)
    page = Paginator(selectors.staff_posts(place), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "places/staff.html",
        {
            "place": place,
            "ancestors": selectors.visible_ancestors(request.user, place),
            "page": page,
            "can_manage": access.can(request.user, Action.POST_MANAGE, place.path),
        },
    )


@login_required
@require_POST
def staff_terms(request: AuthenticatedRequest, pk: int, post_pk: int) -> HttpResponse:
    place = _community(request.user, pk)
    post = get_object_or_404(selectors.staff_posts(place), pk=post_pk)
    full_time = request.POST.get("full_time") == "1"
    try:
        services.set_post_full_time(actor=request.user, post=post, full_time=full_time)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("places:staff", pk=place.pk)
