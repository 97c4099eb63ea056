"""Volunteering under /api/v1/, scoped exactly like the pages (same selectors and services).

GET  /api/v1/volunteers/                    volunteers the caller may see (VOLUNTEER_VIEW)
POST /api/v1/volunteers/register/           register oneself {skills, availability, areas}
POST /api/v1/volunteers/{id}/decide/        {status: active|suspended, reason}
GET  /api/v1/volunteer-teams/               teams
GET  /api/v1/activities/                    organisers: their activities; residents: open ones
POST /api/v1/activities/                    publish {community, title, location, starts_at, …}
GET  /api/v1/activities/{id}/roster/        sign-ups (organisers)
POST /api/v1/activities/{id}/signup/        sign up; …/cancel-signup/ cancel
POST /api/v1/activities/{id}/checkin/       {kind: in|out, window, token} from the scanned code
POST /api/v1/activities/{id}/confirm/       confirm hours {signups: [ids]} (optional)
GET  /api/v1/points/                        my balances; …/points/statement/?month=YYYY-MM&currency=
GET  /api/v1/timebank/                      open requests and offers of my community
POST /api/v1/timebank/                      {kind, title, description, minutes}
POST /api/v1/timebank/{id}/take|confirm|cancel/
GET  /api/v1/timebank/family-transfer/      household members who may receive my hours
POST /api/v1/timebank/family-transfer/      {to_resident, minutes, key}
GET  /api/v1/points/residents/{id}/statement/?month=&currency=   staff: a resident's statement
POST /api/v1/points/entries/{id}/reverse/   staff: {reason_kind, reason} reverse an award

Errors: 400 bad input (with the message), 403 role may not, 404 not visible.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core import access, api_schema, clock, gates, ledger
from gongzhi.core.roles import Action
from gongzhi.organisations.selectors import choosable
from gongzhi.places.models import PlaceKind
from gongzhi.volunteering import points, selectors, services
from gongzhi.volunteering.models import Activity, Exchange, Signup, Team, Volunteer


class VolunteerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="resident.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "name",
            "community",
            "community_name",
            "skills",
            "availability",
            "areas",
            "status",
            "no_shows",
            "registered_at",
        ]


class TeamSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "theme", "community", "leader", "member_count"]


class ActivitySerializer(serializers.ModelSerializer):
    organiser_body = serializers.CharField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "description",
            "location",
            "community",
            "organiser_kind",
            "party_org",
            "partner_unit",
            "organisation",
            "organiser_name",
            "organiser_body",
            "starts_at",
            "ends_at",
            "capacity",
            "signed_up",
            "required_skills",
            "team",
            "awards_points",
            "awards_hours",
            "allow_walk_in",
            "status",
        ]
        read_only_fields = ["signed_up", "status"]
        extra_kwargs = {
            "awards_points": {"default": True},
            "awards_hours": {"default": True},
            "organiser_kind": {"default": "community"},
        }


class SignupSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = Signup
        fields = [
            "id",
            "name",
            "status",
            "walk_in",
            "checked_in_at",
            "checked_out_at",
            "minutes",
            "points",
        ]


class ExchangeSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)

    class Meta:
        model = Exchange
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "minutes",
            "status",
            "author_name",
            "requester_confirmed",
            "provider_confirmed",
            "created_at",
        ]
        read_only_fields = ["status", "requester_confirmed", "provider_confirmed", "created_at"]


class RegisterSerializer(serializers.Serializer):
    skills = serializers.CharField(max_length=200)
    availability = serializers.CharField(max_length=200, required=False, allow_blank=True)
    areas = serializers.CharField(max_length=200, required=False, allow_blank=True)


class DecideSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["active", "suspended"])
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class VolunteerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VolunteerSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Volunteer.objects.none()
        if self.action in ("list", "retrieve"):
            gates.check(self.request.user, Action.VOLUNTEER_VIEW, Action.VOLUNTEER_MANAGE)
        return selectors.volunteers(self.request.user).order_by("place_path", "id")

    @action(detail=False, methods=["post"])
    def register(self, request):
        gates.check(request.user, Action.VOLUNTEER_JOIN)
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = services.register(actor=request.user, **data.validated_data)
        return Response(VolunteerSerializer(volunteer).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        gates.check(request.user, Action.VOLUNTEER_MANAGE)
        volunteer = get_object_or_404(selectors.volunteers(request.user), pk=pk)
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        volunteer = services.decide(volunteer, actor=request.user, **data.validated_data)
        return Response(VolunteerSerializer(volunteer).data)


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Team.objects.none()
        gates.check(self.request.user, Action.VOLUNTEER_VIEW, Action.VOLUNTEER_MANAGE)
        return selectors.teams(self.request.user).order_by("place_path", "name")


class ActivityViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ActivitySerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Activity.objects.none()
        user = self.request.user
        gates.check(user, Action.VOLUNTEER_JOIN, Action.ACTIVITY_ORGANISE, Action.VOLUNTEER_VIEW)
        if self.action == "list":
            staff = access.has_any(user, Action.ACTIVITY_ORGANISE) or access.has_any(
                user, Action.VOLUNTEER_VIEW
            )
            if staff and self.request.query_params.get("open") != "1":
                return selectors.organised_activities(user).order_by("-starts_at", "-id")
            return selectors.open_activities(user)
        return selectors.visible_activities(user)

    def create(self, request, *args, **kwargs):
        gates.check(request.user, Action.ACTIVITY_ORGANISE)
        data = ActivitySerializer(data=request.data)
        # a social organisation on the register that the caller reads (issue 16 item 1)
        data.fields["organisation"].queryset = choosable(request.user)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = values.pop("community")
        if community.kind != PlaceKind.COMMUNITY:
            raise ValidationError({"community": _("Choose a community.")})
        activity = services.publish(actor=request.user, community=community, **values)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def roster(self, request, pk=None):
        gates.check(request.user, Action.ACTIVITY_ORGANISE, Action.VOLUNTEER_VIEW)
        activity = selectors.get_organised(request.user, pk)
        return Response(SignupSerializer(selectors.roster(activity), many=True).data)

    @action(detail=True, methods=["post"])
    def signup(self, request, pk=None):
        activity = selectors.joinable_activity(request.user, pk)
        signup = services.sign_up(activity, actor=request.user)
        return Response(SignupSerializer(signup).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="cancel-signup")
    def cancel_signup(self, request, pk=None):
        activity = selectors.joinable_activity(request.user, pk)
        return Response(SignupSerializer(services.cancel_signup(activity, actor=request.user)).data)

    @action(detail=True, methods=["post"])
    def checkin(self, request, pk=None):
        activity = selectors.joinable_activity(request.user, pk)
        signup = services.check(
            activity,
            str(request.data.get("kind", "in")),
            request.data.get("window"),
            str(request.data.get("token", "")),
            actor=request.user,
        )
        return Response(SignupSerializer(signup).data)

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        gates.check(request.user, Action.ACTIVITY_ORGANISE)
        activity = selectors.get_managed(request.user, pk)
        ids = request.data.get("signups")
        if ids is not None and (
            not isinstance(ids, list) or not all(str(i).isdigit() for i in ids)
        ):
            raise ValidationError({"signups": _("Give a list of sign-up ids.")})
        return Response(services.confirm_hours(activity, ids, actor=request.user))


# The shapes of the ledger views below (for the schema; the views build the dicts).
class PointsOut(serializers.Serializer):
    points = serializers.IntegerField()
    hours_minutes = serializers.IntegerField()


class StatementEntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    amount = serializers.IntegerField(help_text="negative for a debit")
    reason = serializers.CharField()
    text = serializers.CharField()


class StatementOut(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    currency = serializers.ChoiceField(choices=["points", "hours"])
    opening = serializers.IntegerField()
    credits = serializers.IntegerField()
    debits = serializers.IntegerField()
    closing = serializers.IntegerField()
    entries = StatementEntryOut(many=True, help_text="the month's first 500")


class ResidentStatementEntryOut(StatementEntryOut):
    reversed = serializers.BooleanField()
    reversible = serializers.BooleanField()


class ResidentStatementOut(serializers.Serializer):
    resident = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    currency = serializers.ChoiceField(choices=["points", "hours"])
    balance = serializers.IntegerField()
    opening = serializers.IntegerField()
    closing = serializers.IntegerField()
    entries = ResidentStatementEntryOut(many=True, help_text="the month's first 500")


class ReversalOut(serializers.Serializer):
    id = serializers.IntegerField()
    reverses = serializers.IntegerField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    created = serializers.BooleanField(help_text="false: it had been reversed already")
    balance = serializers.IntegerField()


STATEMENT_PARAMETERS = [
    OpenApiParameter("month", str, description="YYYY-MM; this month when absent"),
    OpenApiParameter("currency", str, enum=["points", "hours"], description="points when absent"),
]


class PointsView(APIView):
    @extend_schema(responses=PointsOut)
    def get(self, request):
        gates.check(request.user, Action.VOLUNTEER_JOIN)
        resident = services.my_resident(request.user)
        return Response(
            {
                "points": ledger.balance(points.points_account(resident)),
                "hours_minutes": ledger.balance(points.hours_account(resident)),
            }
        )


class StatementView(APIView):
    @extend_schema(parameters=STATEMENT_PARAMETERS, responses=StatementOut)
    def get(self, request):
        gates.check(request.user, Action.VOLUNTEER_JOIN)
        resident = services.my_resident(request.user)
        year, month = _month_param(request)
        hours = request.query_params.get("currency") == "hours"
        account = points.hours_account(resident) if hours else points.points_account(resident)
        st = ledger.statement(account, year, month)
        entries = [
            {
                "id": e.pk,
                "at": e.created_at,
                "amount": e.amount if e.credit_id == account.pk else -e.amount,
                "reason": e.reason_code,
                "text": e.reason_text,
            }
            for e in st.entries[:500]
        ]
        return Response(
            {
                "month": f"{year:04d}-{month:02d}",
                "currency": "hours" if hours else "points",
                "opening": st.opening,
                "credits": st.credits,
                "debits": st.debits,
                "closing": st.closing,
                "entries": entries,
            }
        )


def _month_param(request) -> tuple[int, int]:
    today = clock.today()
    try:
        year, month = (int(x) for x in request.query_params.get("month", "").split("-"))
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError
    except ValueError:
        if request.query_params.get("month"):
            raise ValidationError({"month": _("Give the month as YYYY-MM.")}) from None
        year, month = today.year, today.month
    return year, month


class ResidentStatementView(APIView):
    """Staff (VOLUNTEER_MANAGE): a resident's monthly statement with the entry ids and
    whether each award may still be reversed."""

    @extend_schema(parameters=STATEMENT_PARAMETERS, responses=ResidentStatementOut)
    def get(self, request, resident_id):
        gates.check(request.user, Action.VOLUNTEER_MANAGE)
        resident = selectors.managed_resident(request.user, resident_id)
        year, month = _month_param(request)
        hours = request.query_params.get("currency") == "hours"
        account = points.hours_account(resident) if hours else points.points_account(resident)
        st = ledger.statement(account, year, month)
        entries = [
            {
                "id": e.pk,
                "at": e.created_at,
                "amount": e.amount if e.credit_id == account.pk else -e.amount,
                "reason": e.reason_code,
                "text": e.reason_text,
                "reversed": e.is_reversed,
                "reversible": services.is_award(e) and not e.is_reversed,
            }
            for e in selectors.statement_entries(st)[:500]
        ]
        return Response(
            {
                "resident": resident.pk,
                "month": f"{year:04d}-{month:02d}",
                "currency": "hours" if hours else "points",
                "balance": ledger.balance(account),
                "opening": st.opening,
                "closing": st.closing,
                "entries": entries,
            }
        )


class ReverseSerializer(serializers.Serializer):
    reason_kind = serializers.ChoiceField(choices=list(services.REVERSAL_REASONS))
    reason = serializers.CharField(max_length=200)


class ReverseEntryView(APIView):
    """POST {reason_kind, reason}: reverse a wrongly credited award (VOLUNTEER_MANAGE).
    201 with the reversal; 200 with the same reversal when it had been reversed already."""

    @extend_schema(request=ReverseSerializer, responses={201: ReversalOut, 200: ReversalOut})
    def post(self, request, entry_id):
        gates.check(request.user, Action.VOLUNTEER_MANAGE)
        data = ReverseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.reverse_award(entry_id, actor=request.user, **data.validated_data)
        return Response(
            {
                "id": done.entry.pk,
                "reverses": done.original.pk,
                "amount": done.entry.amount,
                "currency": done.original.credit.currency,
                "created": done.created,
                "balance": ledger.balance(done.original.credit_id),
            },
            status=status.HTTP_201_CREATED if done.created else status.HTTP_200_OK,
        )


class FamilyTransferSerializer(serializers.Serializer):
    to_resident = serializers.IntegerField()
    minutes = serializers.IntegerField()
    key = serializers.CharField(max_length=64, required=False, allow_blank=True)


class ExchangeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ExchangeSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Exchange.objects.none()
        gates.check(self.request.user, Action.VOLUNTEER_JOIN)
        qs = selectors.exchanges(self.request.user)
        if self.action == "list":
            resident = selectors.me(self.request.user)
            mine = Q(author=resident) | Q(taker=resident) if resident else Q(pk__in=[])
            qs = qs.filter(Q(status="open") | mine)
        return qs.order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        gates.check(request.user, Action.VOLUNTEER_JOIN)
        data = ExchangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exchange = services.post_exchange(actor=request.user, **data.validated_data)
        return Response(ExchangeSerializer(exchange).data, status=status.HTTP_201_CREATED)

    def _step(self, request, pk, function):
        exchange = selectors.get_exchange(request.user, pk)
        return Response(ExchangeSerializer(function(exchange, actor=request.user)).data)

    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        return self._step(request, pk, services.take_exchange)

    @action(detail=True, methods=["post"], url_path="confirm")
    def confirm_done(self, request, pk=None):
        return self._step(request, pk, services.confirm_exchange)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(request, pk, services.cancel_exchange)

    @action(detail=False, methods=["get", "post"], url_path="family-transfer")
    def family_transfer(self, request):
        """GET: who in my household may receive hours, and my balance. POST {to_resident,
        minutes, key}: transfer (the same service as the page; a repeated key transfers once)."""
        gates.check(request.user, Action.VOLUNTEER_JOIN)
        resident = services.my_resident(request.user)
        if request.method == "GET":
            community = points.community_of(resident)
            return Response(
                {
                    "allowed": bool(points.int_setting(community, "timebank.family_transfer")),
                    "hours_minutes": ledger.balance(points.hours_account(resident)),
                    "members": [
                        {"id": m.pk, "name": m.name} for m in services.family_members(resident)
                    ],
                }
            )
        data = FamilyTransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        entry = services.family_transfer(
            actor=request.user,
            to_resident_id=values["to_resident"],
            minutes=values["minutes"],
            key=values.get("key") or uuid.uuid4().hex,
        )
        return Response(
            {
                "id": entry.pk,
                "minutes": entry.amount,
                "to_resident": values["to_resident"],
                "hours_minutes": ledger.balance(points.hours_account(resident)),
            },
            status=status.HTTP_201_CREATED,
        )
