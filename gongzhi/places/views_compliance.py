"""Compliance pages and API: a community's figures against its policy profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.types import AuthenticatedRequest
from gongzhi.places import compliance, selectors

PAGE_SIZE = 50


@login_required
def index(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(compliance.visible_communities(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reports = compliance.reports_for(page.object_list)
    return render(request, "places/compliance_list.html", {"page": page, "reports": reports})


@login_required
def community(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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

    # The report's rows vary with the profile (grid and room checks carry more keys):
    # an object, as documented in docs/compliance.md.
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, pk: int) -> Response:
        place = compliance.get_community(request.user, pk)
        return Response(compliance.community_report(place).as_dict())
