"""Micro-projects under /api/v1/.

GET  /api/v1/microproject-rounds/            rounds the caller may see
GET  /api/v1/microproject-rounds/{id}/       one round with its projects
POST /api/v1/microproject-rounds/{id}/propose/  {"title", "description", "items": [[name, yuan]]}
POST /api/v1/microproject-rounds/{id}/rules/    staff, before voting: {"budget", "method", "max_votes"}
POST /api/v1/microproject-rounds/{id}/voting/   staff: start voting (every proposal reviewed)
POST /api/v1/microproject-rounds/{id}/select/   staff: select (greedy and equal shares; the
                                                round's method is binding)
POST /api/v1/microprojects/{id}/vote/        a resident votes for a feasible project
POST /api/v1/microprojects/{id}/review/      staff: {"feasible": bool, "reason", "cost"}
GET  /api/v1/microprojects/{id}/spending/    the spending entries of a project the caller sees
POST /api/v1/microprojects/{id}/spending/    staff: {"amount", "item", "payee" | "organisation", "paid_on", "note"}
POST /api/v1/microprojects/{id}/complete/    staff: {"note"}
Errors: 400 with the message, 403, 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.microprojects import selectors, services
from gongzhi.microprojects.models import Project, Round, Spending
from gongzhi.organisations.selectors import choosable


class ProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "description",
            "proposer_name",
            "proposed_cost",
            "cost",
            "review",
            "review_reason",
            "votes",
            "selection",
            "selection_rank",
            "remaining_before",
            "greedy_selected",
            "mes_selected",
            "mes_stage",
            "progress",
            "completed_at",
            "completion_note",
        ]


class SpendingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Spending
        fields = ["id", "paid_on", "item", "payee", "organisation", "amount", "note"]
        read_only_fields = fields


class SpendingInput(serializers.Serializer):
    amount = serializers.CharField(max_length=20)
    item = serializers.CharField(max_length=120)
    # A social organisation is picked on the register (its id); a company or a person is typed.
    payee = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    organisation = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1
    )
    paid_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RoundSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "community",
            "community_name",
            "year",
            "budget_yuan",
            "budget_source",
            "budget_booked",
            "method",
            "max_votes",
            "phase",
        ]


class RoundDetailSerializer(RoundSerializer):
    projects = ProjectSerializer(many=True, read_only=True)

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "projects"]


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return selectors.visible_rounds(self.request.user).order_by("-year", "place_path")

    def get_serializer_class(self):
        return RoundDetailSerializer if self.action == "retrieve" else RoundSerializer

    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        rnd = selectors.get_round(request.user, pk)
        items = request.data.get("items") or []
        try:
            if not isinstance(items, list) or any(
                not isinstance(i, list | tuple) or len(i) != 2 for i in items
            ):
                raise DjangoValidationError(
                    {"items": "items: a list of [name, amount in yuan] pairs."}
                )
            project = services.propose(
                rnd,
                actor=request.user,
                title=str(request.data.get("title", "")),
                description=str(request.data.get("description", "")),
                items=[(str(n), str(a)) for n, a in items],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def rules(self, request, pk=None):
        rnd = selectors.get_round(request.user, pk)
        data = request.data
        try:
            rnd = services.set_rules(
                rnd,
                actor=request.user,
                budget=data.get("budget"),
                method=data.get("method"),
                max_votes=data.get("max_votes", "keep"),
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(RoundSerializer(rnd).data)

    @action(detail=True, methods=["post"])
    def voting(self, request, pk=None):
        rnd = selectors.get_round(request.user, pk)
        try:
            rnd = services.start_voting(rnd, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(RoundSerializer(rnd).data)

    @action(detail=True, methods=["post"])
    def select(self, request, pk=None):
        rnd = selectors.get_round(request.user, pk)
        try:
            services.select(rnd, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(RoundDetailSerializer(Round.objects.get(pk=rnd.pk)).data)


class ProjectViewSet(viewsets.GenericViewSet):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        return Project.objects.none()

    @action(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        project = selectors.get_project(request.user, pk)
        try:
            services.support(project, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            ProjectSerializer(Project.objects.get(pk=project.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        project = selectors.get_project(request.user, pk)
        try:
            project = services.review(
                project,
                actor=request.user,
                feasible=bool(request.data.get("feasible")),
                reason=str(request.data.get("reason", "")),
                cost=request.data.get("cost"),
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ProjectSerializer(project).data)

    @action(detail=True, methods=["get", "post"])
    def spending(self, request, pk=None):
        project = selectors.get_project(request.user, pk)
        code = status.HTTP_200_OK
        if request.method == "POST":
            data = SpendingInput(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            org_id = values.pop("organisation")
            organisation = None
            if org_id is not None:
                organisation = choosable(request.user, project.place_path).filter(pk=org_id).first()
                if organisation is None:
                    return _bad(
                        DjangoValidationError(
                            {
                                "organisation": _(
                                    "Choose a social organisation on the register (not dissolved) "
                                    "that serves this community or its street."
                                )
                            }
                        )
                    )
            try:
                services.add_spending(
                    project, actor=request.user, organisation=organisation, **values
                )
            except DjangoValidationError as error:
                return _bad(error)
            code = status.HTTP_201_CREATED
        rows = SpendingSerializer(selectors.spending_of(project), many=True).data
        return Response(
            {"spent": str(services.spent(project)), "cost": str(project.cost), "entries": rows},
            status=code,
        )

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        project = selectors.get_project(request.user, pk)
        try:
            project = services.complete(
                project, actor=request.user, note=str(request.data.get("note", ""))
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ProjectSerializer(project).data)
