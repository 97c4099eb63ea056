"""Partner units, the three lists and claims under /api/v1/:

GET  /api/v1/partner-units/                    units in the caller's area (PARTNER_VIEW)
GET  /api/v1/partner-items/?kind=&status=      list items (needs, resources, projects)
POST /api/v1/partner-items/{id}/claim/         {"unit": id} or {"community": id}
GET  /api/v1/partner-claims/                   claims in the caller's area
POST /api/v1/partner-claims/{id}/<step>/       progress, complete ({"text", "amount", "hours"};
                                               multipart `photos` with complete), confirm, withdraw
POST /api/v1/partner-items/{id}/review/        a resident's need: {"decision": approve|decline,
                                               "note"} (staff)
GET  /api/v1/partner-needs/                    residents: the needs I posted
POST /api/v1/partner-needs/                    residents: {"title", "description"}, for review

Errors: 400 bad input or refused (`detail`), 403 role may not, 404 not visible.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core import api_schema, gates
from gongzhi.core.roles import Action
from gongzhi.partners import selectors, services
from gongzhi.partners.models import Claim, ListItem, PartnerUnit


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerUnit
        fields = [
            "id",
            "name",
            "kind",
            "place",
            "party_org",
            "party_org_name",
            "organisation",
            "address",
            "place_path",
        ]


# Named after the model in the schema: merchants has an ItemSerializer (goods) of its own.
@extend_schema_serializer(component_name="ListItem")
class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListItem
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "category",
            "place",
            "offered_by",
            "source_ticket",
            "status",
            "created_at",
        ]


class ClaimSerializer(serializers.ModelSerializer):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "item",
            "unit",
            "community",
            "status",
            "evidence",
            "amount",
            "minutes",
            "created_at",
            "completed_at",
            "confirmed_at",
            "photos",
        ]

    def get_photos(self, claim) -> list[str]:
        return [reverse("partners:photo", args=[claim.pk, p.pk]) for p in claim.photos.all()]


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListItem
        fields = ["id", "title", "description", "status", "review_note", "created_at"]
        read_only_fields = ["status", "review_note", "created_at"]


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return PartnerUnit.objects.none()
        gates.check(self.request.user, Action.PARTNER_VIEW)
        return selectors.visible_units(self.request.user).order_by("id")


class ListItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ItemSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return ListItem.objects.none()
        gates.check(self.request.user, Action.PARTNER_VIEW)
        params = self.request.query_params
        return selectors.visible_items(self.request.user, params.get("kind"), params.get("status"))

    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        gates.check(request.user, Action.PARTNER_CLAIM)
        item = self.get_object()
        unit = (
            selectors.visible_units(request.user).filter(pk=_int(request.data.get("unit"))).first()
        )
        community = selectors.community(_int(request.data.get("community")))
        try:
            made = services.claim(item.pk, actor=request.user, unit=unit, community=community)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ClaimSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """A resident's need: {"decision": "approve"|"decline", "note"} (PARTNER_MANAGE)."""
        gates.check(request.user, Action.PARTNER_MANAGE)
        item = self.get_object()
        decision = request.data.get("decision")
        if decision not in ("approve", "decline"):
            return Response(
                {"decision": [_("Choose approve or decline.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        try:
            item = services.review_need(
                item.pk,
                actor=request.user,
                approve=decision == "approve",
                note=str(request.data.get("note", "")),
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ItemSerializer(item).data)


class NeedViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Residents: the needs I posted; POST {title, description} posts one for review."""

    serializer_class = NeedSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return ListItem.objects.none()
        gates.check(self.request.user, Action.PARTNER_NEED_SUBMIT)
        return selectors.my_needs(self.request.user)

    def create(self, request, *args, **kwargs):
        gates.check(request.user, Action.PARTNER_NEED_SUBMIT)
        data = NeedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = services.submit_need(actor=request.user, **data.validated_data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(NeedSerializer(item).data, status=status.HTTP_201_CREATED)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ClaimSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Claim.objects.none()
        gates.check(self.request.user, Action.PARTNER_VIEW)
        return (
            selectors.visible_claims(self.request.user).prefetch_related("photos").order_by("-id")
        )

    def _step(self, request, run):
        made = self.get_object()
        try:
            run(made)
        except DjangoValidationError as error:
            return _bad(error)
        made.refresh_from_db()
        return Response(ClaimSerializer(made).data)

    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        d = request.data
        return self._step(
            request,
            lambda c: services.progress(
                c.pk,
                actor=request.user,
                text=str(d.get("text", "")),
                amount=d.get("amount"),
                hours=d.get("hours"),
            ),
        )

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        d = request.data
        return self._step(
            request,
            lambda c: services.complete(
                c.pk,
                actor=request.user,
                evidence=str(d.get("text", "")),
                amount=d.get("amount"),
                hours=d.get("hours"),
                photos=request.FILES.getlist("photos"),
            ),
        )

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._step(request, lambda c: services.confirm(c.pk, actor=request.user))

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(request, lambda c: services.withdraw(c.pk, actor=request.user))
