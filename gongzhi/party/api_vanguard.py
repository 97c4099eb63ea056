"""Vanguard index API (routed under /api/v1/ by gongzhi/partners/api_urls.py, which belongs to
the same issue-5 work):

GET /api/v1/vanguard-index/?year=YYYY    the caller's own index with its parts (VANGUARD_SERVE)
GET /api/v1/vanguard-ranking/?year=YYYY  members in the caller's scope, best first (VANGUARD_VIEW)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core import clock
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.party import selectors

MAX_RANKING_ROWS = 500


def _year(request) -> int:
    try:
        year = int(request.query_params.get("year", ""))
    except ValueError:
        return clock.today().year
    return year if 2000 <= year <= 2100 else clock.today().year


def _data(index: selectors.Index) -> dict:
    return {
        "member": index.member.pk,
        "name": index.member.resident.name,
        "year": index.year,
        "value": index.value,
        "parts": [
            {
                "name": c.name,
                "label": str(c.label),
                "achieved": c.raw,
                "full": c.full,
                "score": c.score,
                "weight": c.weight,
            }
            for c in index.components
        ],
    }


# The shape both views answer (for the schema; `_data` builds the dicts).
class IndexPartOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    achieved = serializers.FloatField()
    full = serializers.FloatField()
    score = serializers.FloatField()
    weight = serializers.FloatField()


class IndexOut(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    value = serializers.FloatField()
    parts = IndexPartOut(many=True)


YEAR = OpenApiParameter("year", int, description="2000–2100; this year when absent or wrong")


class VanguardIndexView(APIView):
    permission_classes = [Requires.any(Action.VANGUARD_SERVE)]

    @extend_schema(parameters=[YEAR], responses=IndexOut)
    def get(self, request):
        member = selectors.member_of(request.user)
        if member is None:
            raise PermissionDenied(_("Your login is not linked to a party member record."))
        return Response(_data(selectors.index_for(member, _year(request))))


class VanguardRankingView(APIView):
    permission_classes = [Requires.any(Action.VANGUARD_VIEW)]

    @extend_schema(parameters=[YEAR], responses=IndexOut(many=True))
    def get(self, request):
        rows = selectors.ranking(request.user, _year(request))[:MAX_RANKING_ROWS]
        return Response([_data(r) for r in rows])
