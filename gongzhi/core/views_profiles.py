"""Policy profile pages: every profile with its status, and one profile's numbers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from gongzhi.core import profiles

PAGE_SIZE = 50


@login_required
def index(request):
    profiles.require_view(request.user)
    usage = profiles.usage_counts(request.user)
    rows = [{"profile": p, "usage": usage.get(p.name, 0)} for p in profiles.all_profiles()]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/profile_list.html",
        {"page": page, "schema": list(profiles.SCHEMA.values())},
    )


@login_required
def detail(request, name: str):
    profiles.require_view(request.user)
    profile = profiles.get(name)
    if profile.path is None:
        raise Http404
    places = Paginator(profiles.places_using(request.user, name), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/profile_detail.html",
        {"profile": profile, "rows": profile.rows(), "page": places},
    )
