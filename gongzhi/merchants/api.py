"""Merchants API under /api/v1/, the same services and selectors as the pages.

GET  /api/v1/merchant-items/                  items the caller may redeem (POINTS_REDEEM)
POST /api/v1/merchant-items/{id}/redeem/      {"quantity": 1, "request_key": "…"} → redemption
GET  /api/v1/redemptions/                     the caller's redemptions (resident: mine)
GET  /api/v1/redemptions/{id}/                one of them
POST /api/v1/redemptions/{id}/cancel/         cancel and refund
POST /api/v1/redemptions/confirm/             {"code": "…"} (merchant)
GET  /api/v1/merchants/                       merchants the caller manages or sells for

Errors: 400 bad input or refused (with `detail`), 403 role may not, 404 not visible.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core import access, api_schema, gates
from gongzhi.core.roles import Action
from gongzhi.merchants import selectors, services
from gongzhi.merchants.models import Item, Merchant, Redemption
from gongzhi.people.selectors import resident_of


class MerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "name", "kind", "community", "address", "is_active", "place_path"]


class ItemSerializer(serializers.ModelSerializer):
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)

    class Meta:
        model = Item
        fields = ["id", "merchant", "merchant_name", "name", "description", "price", "stock"]


class RedemptionSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)
    merchant_name = serializers.CharField(source="merchant.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "item",
            "item_name",
            "merchant",
            "merchant_name",
            "quantity",
            "amount",
            "code",
            "status",
            "status_label",
            "expires_at",
            "confirmed_at",
            "created_at",
        ]


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


class MerchantViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MerchantSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Merchant.objects.none()
        user = self.request.user
        gates.check(user, Action.MERCHANT_MANAGE, Action.MERCHANT_SELL)
        return (
            (selectors.managed_merchants(user) | selectors.my_merchants(user))
            .distinct()
            .order_by("id")
        )


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ItemSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Item.objects.none()
        gates.check(self.request.user, Action.POINTS_REDEEM)
        return selectors.shop_items(self.request.user)

    @action(detail=True, methods=["post"])
    def redeem(self, request, pk=None):
        gates.check(request.user, Action.POINTS_REDEEM)
        try:
            redemption = services.redeem(
                pk,
                actor=request.user,
                quantity=request.data.get("quantity", 1),
                request_key=str(request.data.get("request_key", "")),
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(RedemptionSerializer(redemption).data, status=status.HTTP_201_CREATED)


class RedemptionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RedemptionSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Redemption.objects.none()
        user = self.request.user
        if access.has_any(user, Action.MERCHANT_SELL):
            return selectors.merchant_redemptions(user)
        gates.check(user, Action.POINTS_REDEEM)
        return selectors.my_redemptions(resident_of(user))

    @action(detail=False, methods=["post"])
    def confirm(self, request):
        gates.check(request.user, Action.MERCHANT_SELL)
        try:
            redemption = services.confirm(str(request.data.get("code", "")), actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(RedemptionSerializer(redemption).data)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        redemption = self.get_object()
        try:
            redemption = services.cancel(
                redemption.pk, actor=request.user, reason=str(request.data.get("reason", ""))
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(RedemptionSerializer(redemption).data)
