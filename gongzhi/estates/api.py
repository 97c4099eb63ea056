"""Owners' committees and property companies under /api/v1/:

GET  /api/v1/owners-committees/                      committees in the caller's area (ESTATE_VIEW)
GET  /api/v1/owners-committees/{id}/                 with terms, members and the party shares
POST /api/v1/owners-committees/                      {"estate": id, "name"} (ESTATE_MANAGE)
POST /api/v1/owners-committees/{id}/terms/           {"number", "starts_on", "ends_on", "seats",
                                                     "elected_by"}
POST /api/v1/committee-terms/{id}/members/           {"resident": id, "is_chair"}
POST /api/v1/committee-terms/{id}/file/              {"filed_on", "filing_ref"} (ESTATE_FILE)
GET  /api/v1/candidate-lists/{id}/                   candidates and the share of 000 §五
POST /api/v1/candidate-lists/{id}/finalise/          refused when the share breaks the rule
GET  /api/v1/property-companies/                     companies in the caller's area
POST /api/v1/property-companies/                     {"place", "name", "credit_code", …}
POST /api/v1/property-companies/{id}/contracts/      {"estate", "starts_on", "ends_on",
                                                     "fee_yuan_per_m2", "scope"}
POST /api/v1/property-companies/{id}/staff/          {"post": id, "since"} link a staff post
POST /api/v1/property-companies/{id}/staff/{link}/end/  {"ended_on"} end that link
                                                     (both ESTATE_MANAGE, as on the page)

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.estates import grants, rules, selectors, services
from gongzhi.estates.models import (
    CandidateList,
    OwnersCommittee,
    PropertyCompany,
    ServiceContract,
    Term,
    TermMember,
)


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


def _share(share: rules.Share | None) -> dict[str, Any] | None:
    if share is None:
        return None
    return {
        "total": share.total,
        "party": share.party,
        "percent": str(share.percent) if share.percent is not None else None,
        "required_percent": share.required,
        "applies": share.applies,
        "paragraph": share.paragraph,
        "chair_required": share.chair_required,
        "chair_is_party": share.chair_is_party,
        "ok": share.ok,
    }


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = TermMember
        fields = ["id", "resident", "name", "is_chair", "left_on", "leave_reason"]


class TermSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)
    share = serializers.SerializerMethodField()

    class Meta:
        model = Term
        fields = [
            "id",
            "committee",
            "number",
            "starts_on",
            "ends_on",
            "seats",
            "elected_by",
            "filed_on",
            "filing_ref",
            "ended_early_on",
            "end_reason",
            "members",
            "share",
        ]

    def get_share(self, term: Term) -> dict[str, Any] | None:
        return _share(services.term_share(term))


# Named after the model in the schema: mediation has a CommitteeSerializer of its own.
@extend_schema_serializer(component_name="OwnersCommittee")
class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = OwnersCommittee
        fields = [
            "id",
            "name",
            "estate",
            "community",
            "party_org_form",
            "party_org",
            "secretary_full_time",
            "place_path",
        ]


@extend_schema_serializer(component_name="OwnersCommitteeDetail")
class CommitteeDetailSerializer(CommitteeSerializer):
    terms = serializers.SerializerMethodField()
    shares = serializers.SerializerMethodField()

    class Meta(CommitteeSerializer.Meta):
        fields = [*CommitteeSerializer.Meta.fields, "terms", "shares"]

    def get_terms(self, committee: OwnersCommittee) -> list[dict[str, Any]]:
        return list(TermSerializer(selectors.terms_of(committee), many=True).data)

    def get_shares(self, committee: OwnersCommittee) -> dict[str, Any]:
        shares = selectors.shares_of(committee)
        return {
            "term": shares.term.pk if shares.term else None,
            "members": _share(shares.members),
            "candidate_list": shares.candidate_list.pk if shares.candidate_list else None,
            "candidates": _share(shares.candidates),
        }


class CandidateListSerializer(serializers.ModelSerializer):
    candidates = serializers.SerializerMethodField()
    share = serializers.SerializerMethodField()

    class Meta:
        model = CandidateList
        fields = [
            "id",
            "committee",
            "title",
            "status",
            "reviewed_at",
            "finalised_at",
            "candidates",
            "share",
        ]

    def get_candidates(self, clist: CandidateList) -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk,
                "resident": c.resident_id,
                "name": c.resident.name,
                "excluded": c.excluded,
                "exclusion_reason": c.exclusion_reason,
            }
            for c in clist.candidates.select_related("resident")
        ]

    def get_share(self, clist: CandidateList) -> dict[str, Any] | None:
        return _share(services.list_share(clist))


class CompanySerializer(serializers.ModelSerializer):
    party_members = serializers.IntegerField(source="party_count", read_only=True)
    staff = serializers.SerializerMethodField()

    def get_staff(self, company: PropertyCompany) -> list[dict[str, Any]]:
        """The company's staff: the property_staff posts linked to it (issue 14 item 3)."""
        return [
            {
                "id": link.pk,
                "post": link.post_id,
                "name": link.post.user.name,
                "place": link.post.place_id,
                "since": link.since,
                "ended_on": link.ended_on,
            }
            for link in company.staff_links.all()
        ]

    class Meta:
        model = PropertyCompany
        fields = [
            "id",
            "name",
            "credit_code",
            "place",
            "address",
            "contact_name",
            "office_phone",
            "party_org_form",
            "party_org",
            "party_members",
            "staff",
        ]


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceContract
        fields = ["id", "company", "estate", "starts_on", "ends_on", "fee_yuan_per_m2", "scope"]


# Input shapes: a malformed body is a 400 with the field errors, never a 500.
MAX_ID = 2**31 - 1  # an id beyond any primary key is refused before it reaches the database


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


class SecretaryIn(serializers.Serializer):
    full_time = serializers.BooleanField()


class CommitteeIn(serializers.Serializer):
    estate = _id()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class TermIn(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    seats = serializers.IntegerField(min_value=1, max_value=services.MAX_SEATS)
    elected_by = _id(required=False, allow_null=True, default=None)


class MemberIn(serializers.Serializer):
    resident = _id()
    is_chair = serializers.BooleanField(required=False, default=False)


class FileIn(serializers.Serializer):
    filed_on = serializers.DateField()
    filing_ref = serializers.CharField(max_length=100)


class CompanyIn(serializers.Serializer):
    place = _id()
    name = serializers.CharField(max_length=100)
    credit_code = serializers.CharField(max_length=30)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )
    office_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )


class ContractIn(serializers.Serializer):
    estate = _id()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    fee_yuan_per_m2 = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    scope = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StaffLinkIn(serializers.Serializer):
    post = _id()
    since = serializers.DateField(required=False, allow_null=True, default=None)


class StaffEndIn(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class CommitteeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ESTATE_VIEW)]

    def get_queryset(self) -> QuerySet[OwnersCommittee]:
        return selectors.committee_rows(self.request.user).order_by("id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return CommitteeDetailSerializer if self.action == "retrieve" else CommitteeSerializer

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.ESTATE_MANAGE)
        data = _valid(CommitteeIn, request)
        estate = selectors.estates_for(request.user).filter(pk=data["estate"]).first()
        if estate is None:
            return Response({"estate": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = services.create_committee(estate, actor=request.user, name=data["name"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(CommitteeSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def terms(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_MANAGE)
        committee = self.get_object()
        data = _valid(TermIn, request)
        vote = None
        if data["elected_by"] is not None:
            vote = selectors.votes_of(committee.estate).filter(pk=data["elected_by"]).first()
            if vote is None:
                return Response(
                    {"elected_by": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST
                )
        try:
            term = services.add_term(
                committee,
                actor=request.user,
                number=data["number"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                seats=data["seats"],
                elected_by=vote,
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TermSerializer(term).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def secretary(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        """Whether the secretary of the committee's party organisation is full-time (000 §五)."""
        gates.check(request.user, Action.ESTATE_MANAGE)
        committee = self.get_object()
        data = _valid(SecretaryIn, request)
        try:
            done = grants.set_secretary_full_time(
                committee, actor=request.user, full_time=data["full_time"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(CommitteeSerializer(done).data)


class TermViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ESTATE_VIEW)]
    serializer_class = TermSerializer

    def get_queryset(self) -> QuerySet[Term]:
        return selectors.visible_terms(self.request.user)

    @action(detail=True, methods=["post"])
    def members(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_MANAGE)
        term = self.get_object()
        data = _valid(MemberIn, request)
        resident = (
            selectors.residents_of(request.user, term.committee.community)
            .filter(pk=data["resident"])
            .first()
        )
        if resident is None:
            return Response({"resident": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.add_member(
                term, actor=request.user, resident=resident, is_chair=data["is_chair"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TermSerializer(term).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def file(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_FILE)
        term = self.get_object()
        data = _valid(FileIn, request)
        try:
            services.file_term(
                term, actor=request.user, filed_on=data["filed_on"], filing_ref=data["filing_ref"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TermSerializer(term).data)


class CandidateListViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ESTATE_VIEW)]
    serializer_class = CandidateListSerializer

    def get_queryset(self) -> QuerySet[CandidateList]:
        return selectors.visible_lists(self.request.user)

    @action(detail=True, methods=["post"])
    def finalise(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_MANAGE)
        clist = self.get_object()
        try:
            services.finalise_list(clist, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(CandidateListSerializer(clist).data)


class CompanyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ESTATE_VIEW)]
    serializer_class = CompanySerializer

    def get_queryset(self) -> QuerySet[PropertyCompany]:
        return selectors.company_rows_with_staff(self.request.user).order_by("id")

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.ESTATE_MANAGE)
        data = _valid(CompanyIn, request)
        place = selectors.registering_places(request.user).filter(pk=data.pop("place")).first()
        if place is None:
            return Response({"place": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = services.add_company(place, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            CompanySerializer(selectors.get_company(request.user, made.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def contracts(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_MANAGE)
        company = self.get_object()
        data = _valid(ContractIn, request)
        estate = selectors.estates_for(request.user).filter(pk=data.pop("estate")).first()
        if estate is None:
            return Response({"estate": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = services.add_contract(company, estate, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ContractSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def staff(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        """Link a property_staff post to the company (services.link_staff, as the page)."""
        gates.check(request.user, Action.ESTATE_MANAGE)
        company = self.get_object()
        data = _valid(StaffLinkIn, request)
        post = selectors.staff_post_choices(request.user, company).filter(pk=data["post"]).first()
        if post is None:
            return Response({"post": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.link_staff(company, post, actor=request.user, since=data["since"])
        except DjangoValidationError as error:
            return _bad(error)
        fresh = selectors.company_rows_with_staff(request.user).get(pk=company.pk)
        return Response(CompanySerializer(fresh).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path=r"staff/(?P<link_pk>[0-9]+)/end")
    def end_staff(
        self, request: AuthenticatedAPIRequest, pk: str | None = None, link_pk: str = ""
    ) -> Response:
        """End a staff link of the company (services.end_staff_link, as the page)."""
        gates.check(request.user, Action.ESTATE_MANAGE)
        company = self.get_object()
        link = selectors.get_staff_link(request.user, link_pk)
        if link.company_id != company.pk:
            return Response({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
        data = _valid(StaffEndIn, request)
        try:
            services.end_staff_link(link, actor=request.user, ended_on=data["ended_on"])
        except DjangoValidationError as error:
            return _bad(error)
        fresh = selectors.company_rows_with_staff(request.user).get(pk=company.pk)
        return Response(CompanySerializer(fresh).data)
