"""POST /api/v1/ticket-ledger/ — the ticket ledger's search (gongzhi/tickets/ledger.py) for
programs: the same filters, scope and refusals as the page. A POST, because a resident's
name and phone digits must not travel in a URL; nothing is written."""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.tickets import ledger
from gongzhi.tickets.api import TicketSerializer


class LedgerSearchSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, help_text="Number or text")
    address = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField(required=False, allow_blank=True, help_text="Resident's name")
    phone = serializers.CharField(
        required=False, allow_blank=True, help_text="The last four digits of the phone"
    )
    status = serializers.ListField(child=serializers.CharField(), required=False)
    kind = serializers.ListField(child=serializers.CharField(), required=False)
    category = serializers.CharField(required=False, allow_blank=True)
    place = serializers.CharField(required=False, allow_blank=True)
    handler = serializers.CharField(required=False, allow_blank=True)
    created_from = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    created_to = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    closed_from = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    closed_to = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD")
    overdue = serializers.ChoiceField(choices=["", "yes", "no"], required=False)
    rating = serializers.CharField(required=False, allow_blank=True)
    sort = serializers.CharField(required=False, allow_blank=True)
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)


class TicketLedgerView(APIView):
    permission_classes = [Requires.any(Action.TICKET_VIEW)]

    @extend_schema(
        request=LedgerSearchSerializer,
        responses={
            200: inline_serializer(
                "TicketLedgerPage",
                {
                    "count": serializers.IntegerField(),
                    "page": serializers.IntegerField(),
                    "pages": serializers.IntegerField(),
                    "results": TicketSerializer(many=True),
                },
            ),
            400: inline_serializer("TicketLedgerRefusal", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request):
        body = LedgerSearchSerializer(data=request.data)
        if not body.is_valid():
            raise APIValidationError(body.errors)
        data = dict(body.validated_data)
        number = data.pop("page", 1)
        personal = {k: data.pop(k) for k in ledger.PERSONAL if k in data}
        try:
            query = ledger.parse(data, personal)
        except ledger.LedgerError as error:
            raise APIValidationError({"detail": error.message}) from None
        paginator = Paginator(ledger.tickets(request.user, query), ledger.PAGE_SIZE)
        try:
            page = paginator.page(number)
        except EmptyPage:
            page = paginator.page(paginator.num_pages)
        results = TicketSerializer(page.object_list, many=True, context={"request": request})
        return Response(
            {
                "count": paginator.count,
                "page": page.number,
                "pages": paginator.num_pages,
                "results": results.data,
            }
        )
