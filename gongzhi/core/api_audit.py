"""The audit trail under /api/v1/audit/: read-only, for auditors, scoped like the pages."""

from __future__ import annotations

import django_filters
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination

from gongzhi.core import access, duties
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Action
from gongzhi.core.views_audit import CappedPaginator, filter_records


class AuditPagination(PageNumberPagination):
    # The count stops at views_audit.COUNT_CAP + 1 on a very large trail.
    django_paginator_class = CappedPaginator


class AuditRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditRecord
        fields = [
            "id",
            "at",
            "actor_id",
            "actor_name",
            "post_id",
            "post_label",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "place_path",
            "client_ip",
            "changes",
            "reason",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class AuditRecordFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        method="apply", label="action; ending in '.' selects a family, e.g. 'post.'"
    )
    actor = django_filters.CharFilter(method="apply", label="actor name contains")
    since = django_filters.DateFilter(method="apply", label="on or after this local date")
    until = django_filters.DateFilter(method="apply", label="on or before this local date")
    place = django_filters.NumberFilter(method="apply", label="subtree of place id")
    target_type = django_filters.CharFilter(method="apply")
    target_id = django_filters.CharFilter(method="apply")

    class Meta:
        model = AuditRecord
        fields = []

    def apply(self, queryset, name, value):
        if name == "place":
            value = int(value)
        return filter_records(self.request.user, queryset, {name: value})


class AuditRecordViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuditRecordSerializer
    pagination_class = AuditPagination
    filterset_class = AuditRecordFilter

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not access.has_any(request.user, Action.AUDIT_VIEW):
            raise PermissionDenied

    def get_queryset(self):
        return duties.audit_records(self.request.user).order_by("-id")
