"""Compliance pages and API: a community's figures against its policy profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.places import compliance, selectors

PAGE_SIZE = 50


@login_required
def index(request):
    page = Paginator(compliance.visible_communities(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reports = compliance.reports_for(page.object_list)
    return render(request, "places/compliance_list.html", {"page": page, "reports": reports})


@login_required
def community(request, pk: int):
    place = compliance.get_community(request.user, pk)
    return render(
        request,
        "places/compliance_community.html",
        {
            "place": place,
            "ancestors": selectors.visible_ancestors(request.user, place),
            "report": compliance.community_report(place),
        },
    )


class ComplianceAPIView(APIView):
    """A community's compliance with its policy profile (same rules as the page)."""

    def get(self, request, pk: int):
        place = compliance.get_community(request.user, pk)
        return Response(compliance.community_report(place).as_dict())
