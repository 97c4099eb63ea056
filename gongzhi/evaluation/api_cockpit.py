"""The cockpit's one data endpoint: GET /api/v1/cockpit/<pk>/?map=<indicator code>.

Everything the screen shows for a street or district (cockpit.assemble), cached per place for
a few seconds. Gated by `cockpit.view`: no right anywhere → 403; a place outside the caller's
scope → 404; an unknown map choice falls back to the ticket heat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.evaluation import cockpit

if TYPE_CHECKING:
    from gongzhi.core.types import AuthenticatedAPIRequest


class CockpitDataView(APIView):
    """The cockpit of a street or district (docs/evaluation.md, "数字驾驶舱")."""

    permission_classes = [Requires.any(Action.COCKPIT_VIEW)]

    # The figures, map and rankings are one object described in docs/evaluation.md.
    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(
                "map", str, description="indicator code colouring the grids; default: heat"
            )
        ],
    )
    def get(self, request: AuthenticatedAPIRequest, pk: int) -> Response:
        place = cockpit.place_for(request.user, pk)
        code = cockpit.clean_map_code(request.query_params.get("map"))
        response = Response(cockpit.data(place, code))
        response["Cache-Control"] = "private, no-store"
        return response
