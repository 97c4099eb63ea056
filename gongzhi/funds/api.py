"""Community funds, purchased services and funding lines under /api/v1/:

GET  /api/v1/community-funds/                  funds of the caller's area with balances (funds.view)
GET  /api/v1/community-funds/{id}/             one fund with its totals
GET  /api/v1/community-funds/{id}/entries/     its entries, newest first (paginated)
POST /api/v1/community-funds/{id}/donations/   {"amount_yuan", "on", "donor_name", "anonymous",
                                               "reference", "request_key"} (funds.manage)
POST /api/v1/community-funds/{id}/grants/      {"amount_yuan", "on", "micro_project" |
                                               "venture_project" | "purpose", "reference",
                                               "request_key"} (funds.manage; never above the
                                               balance)
GET  /api/v1/purchased-services/?year=         purchases of the area
POST /api/v1/purchased-services/               {"community", "year", "service", "amount_yuan",
                                               "organisation" | "supplier_name"} (funds.manage)
GET  /api/v1/purchased-services/shares/?year=  per community: share from social organisations
                                               against the profile's least share
GET  /api/v1/funding-lines/?year=              lines of the area with balances
GET  /api/v1/funding-lines/{id}/
POST /api/v1/funding-lines/open/               {"community", "year"} (funds.manage)
POST /api/v1/funding-lines/notice/             {"community", "year"}: the financial public notice
                                               made from the booked entries (funds.manage and
                                               the notice right of deliberation)
POST /api/v1/funding-lines/{id}/entries/       {"kind": receipt|spending, "amount_yuan", "on",
                                               "description", "reference", "request_key"}

Amounts are given and shown in yuan (strings with two decimals); stored in fen. The same
`request_key` sent twice books once. Errors: 400 bad input or refused (field errors), 403 the
role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core import api_schema, gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.funds import rules, selectors, services
from gongzhi.funds.models import Fund, FundEntry, FundingLine, PurchasedService

MAX_ID = 2**31 - 1
VIEW = Action.FUNDS_VIEW
MANAGE = Action.FUNDS_MANAGE


def _bad(error: DjangoValidationError) -> Response:
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return Response(detail, status=status.HTTP_400_BAD_REQUEST)


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def _valid(shape: type[serializers.Serializer], request: AuthenticatedAPIRequest) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _not_found(field: str) -> Response:
    return Response({field: [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)


Yuan = api_schema.YuanField  # fen in the database, "1234.50" on the wire


# --------------------------------------------------------------------------- shapes


class FundSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)
    balance_yuan = Yuan(source="balance_fen", read_only=True)

    class Meta:
        model = Fund
        fields = ["id", "name", "place", "place_name", "purpose", "balance_yuan"]


class EntrySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    amount_yuan = Yuan(source="amount_fen", read_only=True)
    grantee = serializers.CharField(read_only=True)

    class Meta:
        model = FundEntry
        fields = [
            "id",
            "kind",
            "kind_label",
            "amount_yuan",
            "on",
            "donor_name",
            "anonymous",
            "micro_project",
            "venture_project",
            "purpose",
            "grantee",
            "reference",
        ]


class PurchaseSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    supplier = serializers.CharField(read_only=True)
    from_social_org = serializers.BooleanField(read_only=True)
    amount_yuan = Yuan(source="amount_fen", read_only=True)

    class Meta:
        model = PurchasedService
        fields = [
            "id",
            "community",
            "community_name",
            "year",
            "service",
            "organisation",
            "supplier_name",
            "supplier",
            "from_social_org",
            "amount_yuan",
        ]


class LineSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    rule_yuan = Yuan(source="rule_fen", read_only=True)
    balance_yuan = Yuan(source="balance_fen", read_only=True)

    class Meta:
        model = FundingLine
        fields = [
            "id",
            "community",
            "community_name",
            "year",
            "kind",
            "kind_label",
            "key",
            "paragraph",
            "basis",
            "rule_yuan",
            "balance_yuan",
        ]


class DonationIn(serializers.Serializer):
    amount_yuan = serializers.CharField(max_length=20)
    on = serializers.DateField()
    donor_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    anonymous = serializers.BooleanField(required=False, default=False)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    request_key = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class GrantIn(serializers.Serializer):
    amount_yuan = serializers.CharField(max_length=20)
    on = serializers.DateField()
    micro_project = _id(required=False, allow_null=True, default=None)
    venture_project = _id(required=False, allow_null=True, default=None)
    purpose = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    request_key = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class PurchaseIn(serializers.Serializer):
    community = _id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    service = serializers.CharField(max_length=200)
    amount_yuan = serializers.CharField(max_length=20)
    organisation = _id(required=False, allow_null=True, default=None)
    supplier_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class OpenIn(serializers.Serializer):
    community = _id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class LineEntryIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["receipt", "spending"])
    amount_yuan = serializers.CharField(max_length=20)
    on = serializers.DateField()
    description = serializers.CharField(max_length=200)
    reference = serializers.CharField(max_length=64)
    request_key = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


def _year(request: AuthenticatedAPIRequest) -> int | None:
    text = str(request.query_params.get("year", ""))
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None


# --------------------------------------------------------------------------- views


class FundViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(VIEW)]
    serializer_class = FundSerializer

    def get_queryset(self) -> QuerySet[Fund]:
        return selectors.funds(self.request.user)

    def _manage(self, request: AuthenticatedAPIRequest) -> Fund:
        gates.check(request.user, MANAGE)
        return self.get_object()

    @action(detail=True, methods=["get"])
    def entries(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        fund = self.get_object()
        page = self.paginate_queryset(selectors.fund_entries(fund))
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @action(detail=True, methods=["post"])
    def donations(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        fund = self._manage(request)
        data = _valid(DonationIn, request)
        try:
            entry = services.donate(fund, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def grants(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        fund = self._manage(request)
        data = _valid(GrantIn, request)
        micro = venture = None
        if data["micro_project"]:
            micro = (
                selectors.grantable_micro_projects(fund).filter(pk=data["micro_project"]).first()
            )
            if micro is None:
                return _not_found("micro_project")
        if data["venture_project"]:
            venture = selectors.grantable_ventures(fund).filter(pk=data["venture_project"]).first()
            if venture is None:
                return _not_found("venture_project")
        data.update(micro_project=micro, venture_project=venture)
        try:
            entry = services.grant(fund, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class PurchaseViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(VIEW)]
    serializer_class = PurchaseSerializer

    def get_queryset(self) -> QuerySet[PurchasedService]:
        return selectors.purchases(self.request.user, _year(self.request))  # type: ignore[arg-type]  # DRF request

    def create(self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(PurchaseIn, request)
        community = selectors.communities(request.user).filter(pk=data.pop("community")).first()
        if community is None:
            return _not_found("community")
        org = None
        if data["organisation"]:
            org = selectors.suppliers(request.user).filter(pk=data["organisation"]).first()
            if org is None:
                return _not_found("organisation")
        data["organisation"] = org
        try:
            purchase = services.record_purchase(community, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(PurchaseSerializer(purchase).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["get"])
    def shares(self, request: AuthenticatedAPIRequest) -> Response:
        year = _year(request) or 0
        if not year:
            return Response({"year": [_("Give a year between 2000 and 2100.")]}, status=400)
        return Response(
            [
                {
                    "community": row.community.pk,
                    "name": row.community.name,
                    "total_yuan": rules.fen_to_yuan(row.total_fen),
                    "social_yuan": rules.fen_to_yuan(row.social_fen),
                    "percent": None if row.check.actual is None else str(row.check.actual),
                    "required_percent": row.check.required,
                    "paragraph": row.check.citation,
                    "status": row.check.status,
                }
                for row in selectors.share_rows(request.user, year)
            ]
        )


class LineViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(VIEW)]
    serializer_class = LineSerializer

    def get_queryset(self) -> QuerySet[FundingLine]:
        return selectors.lines(self.request.user, _year(self.request))  # type: ignore[arg-type]  # DRF request

    @action(detail=False, methods=["post"])
    def open(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(OpenIn, request)
        community = selectors.communities(request.user).filter(pk=data["community"]).first()
        if community is None:
            return _not_found("community")
        try:
            opened = services.open_lines(community, data["year"], actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        rows = selectors.lines(request.user).filter(pk__in=[line.pk for line in opened])
        return Response(LineSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def notice(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(OpenIn, request)
        community = selectors.communities(request.user).filter(pk=data["community"]).first()
        if community is None:
            return _not_found("community")
        try:
            notice = services.publish_financial_notice(community, data["year"], actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {"id": notice.pk, "title": notice.title, "amounts": notice.amounts},
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def entries(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        line = self.get_object()
        data = _valid(LineEntryIn, request)
        book = services.receive if data.pop("kind") == "receipt" else services.spend
        try:
            entry = book(line, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {
                "id": entry.pk,
                "kind": entry.kind,
                "amount_yuan": rules.fen_to_yuan(entry.amount_fen),
                "balance_yuan": rules.fen_to_yuan(
                    selectors.lines(request.user).get(pk=line.pk).balance_fen  # type: ignore[attr-defined]  # annotated
                ),
            },
            status=status.HTTP_201_CREATED,
        )
