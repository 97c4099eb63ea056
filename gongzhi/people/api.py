"""Residents under /api/v1/residents/, scoped and masked exactly like the pages.

Only masked forms leave through the API (`id_masked`, `phone_masked`); `id_number` and
`phone` are write-only inputs. The full value comes only from POST .../reveal/ (right +
reason, audited). Household members: GET /api/v1/households/{id}/members/.
"""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.people import selectors, services
from gongzhi.people.idcard import Gender, IdType
from gongzhi.people.models import Membership, Relation, ResidenceStatus, Resident, Tag
from gongzhi.places import selectors as places
from gongzhi.places.models import Household


class MembershipSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.short_address", read_only=True)

    class Meta:
        model = Membership
        fields = ["household", "address", "relation", "moved_in", "moved_out"]


class ResidentSerializer(serializers.ModelSerializer):
    """Read: masked fields only. Write: plain `id_number` / `phone` (never echoed back)."""

    id_number = serializers.CharField(write_only=True, required=False, max_length=24)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, allow_null=True)
    id_type = serializers.ChoiceField(choices=IdType.choices, required=False)
    relation = serializers.ChoiceField(choices=Relation.choices, required=False)
    residence_status = serializers.ChoiceField(choices=ResidenceStatus.choices, required=False)
    # Written as a list; read back (to_representation) from the prefetched tags.
    tags = serializers.ListField(
        child=serializers.ChoiceField(choices=Tag.choices), required=False, write_only=True
    )
    age_tags = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.all(), required=False)
    moved_in = serializers.DateField(write_only=True, required=False, allow_null=True)

    class Meta:
        model = Resident
        fields = [
            "id",
            "name",
            "gender",
            "birth_date",
            "age_tags",
            "id_type",
            "id_masked",
            "phone_masked",
            "id_number",
            "phone",
            "household",
            "address",
            "relation",
            "residence_status",
            "tags",
            "specialty",
            "consent_personal_info",
            "consent_contact",
            "consent_publicity",
            "is_active",
            "moved_in",
        ]
        read_only_fields = ["id", "id_masked", "phone_masked", "is_active"]

    def get_age_tags(self, obj) -> list[str]:
        return selectors.age_tags(obj)

    def get_address(self, obj) -> str:
        return obj.household.short_address if obj.household_id else ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["tags"] = sorted(t.tag for t in instance.tags.all())
        return data

    def validate_household(self, household):
        # A household outside the user's scope does not exist for them.
        if not selectors.household_visible(self.context["request"].user, household):
            raise serializers.ValidationError(_("No such household."))
        return household


class ResidentDetailSerializer(ResidentSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta(ResidentSerializer.Meta):
        fields = [*ResidentSerializer.Meta.fields, "memberships"]

    def get_memberships(self, obj) -> list[dict]:
        return MembershipSerializer(selectors.membership_history(obj), many=True).data


class RevealSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("phone", "phone"), ("id", "id")])
    reason = serializers.CharField(max_length=200)


def _search_params(data) -> QueryDict:
    """The list filters from a request body (JSON or form) as query parameters, values as
    strings (a JSON `"grid": 3` reads like `?grid=3`)."""
    params = QueryDict(mutable=True)
    for key in selectors.PARAM_KEYS:
        value = data.getlist(key) if hasattr(data, "getlist") else data.get(key)
        if value in (None, [], ""):
            continue
        params.setlist(key, [str(v) for v in (value if isinstance(value, list) else [value])])
    return params


class ResidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Query parameters: q, tag (repeatable), grid, building, age (60/80), status, active.

    A whole phone or ID number must not travel in a URL (access logs keep URLs): GET refuses a
    `q` with seven or more digits; POST .../search/ takes the same filters in its body."""

    filter_backends: list = []

    @staticmethod
    def _refuse_number_in_address(request) -> None:
        """A whole phone or ID number in the query string (any `q`) is refused: access logs
        keep URLs."""
        if any(selectors.is_whole_number(q) for q in request.query_params.getlist("q")):
            raise serializers.ValidationError(
                {
                    "q": [
                        _(
                            "Do not put a whole phone or ID number in the address: send it in "
                            "the body of POST /api/v1/residents/search/."
                        )
                    ]
                }
            )

    def list(self, request, *args, **kwargs):
        self._refuse_number_in_address(request)
        return super().list(request, *args, **kwargs)

    @action(detail=False, methods=["post"])
    def search(self, request):
        """The list filters from the request body (JSON or form), paginated like the list."""
        self._refuse_number_in_address(request)
        params = _search_params(request.data)
        page = self.paginate_queryset(selectors.search_page_queryset(request.user, params))
        return self.get_paginated_response(ResidentSerializer(page, many=True).data)

    def get_serializer_class(self):
        if self.action == "retrieve":
            return ResidentDetailSerializer
        if self.action == "reveal":
            return RevealSerializer
        return ResidentSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return selectors.search_page_queryset(user, self.request.query_params)
        return selectors.resident_details(user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if "household" not in data:
            raise serializers.ValidationError({"household": [_("This field is required.")]})
        if not data.get("id_number"):
            raise serializers.ValidationError({"id_number": [_("This field is required.")]})
        serializer.instance = services.create_resident(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "household" in data and data["household"].pk != serializer.instance.household_id:
            raise serializers.ValidationError(
                {"household": [_("Use a move to change the household.")]}
            )
        data.pop("household", None)
        data.pop("moved_in", None)
        if "gender" in data and not data["gender"]:
            data.pop("gender")
        serializer.instance = services.update_resident(
            serializer.instance, actor=self.request.user, **data
        )

    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        resident = self.get_object()
        body = RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        value = services.reveal(
            resident,
            body.validated_data["field"],
            body.validated_data["reason"],
            actor=request.user,
        )
        response = Response({"field": body.validated_data["field"], "value": value})
        response["Cache-Control"] = "no-store"
        return response


class HouseholdMembersView(generics.ListAPIView):
    """The residents of one household that the user may see (masked)."""

    serializer_class = ResidentSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        household = places.get_household(self.request.user, self.kwargs["pk"])
        return selectors.household_residents(self.request.user, household)
