"""What the OpenAPI schema (drf-spectacular, /api/v1/schema/) needs from the API modules.

The schema is built without a user: drf-spectacular calls each view with a fake request and
sets `swagger_fake_view` on it. A `get_queryset` that gates the user first (`gates.check`)
refuses that request, and the generator cannot learn the view's model. Such a view answers the
generator with an empty queryset of its model, and only the generator:

    def get_queryset(self):
        if api_schema.generating(self):
            return Merchant.objects.none()
        gates.check(self.request.user, ...)

`rows(name)` describes a list answer whose rows a view builds by hand and whose keys depend on
the viewer (personal fields only for those who may see them): a list of objects, so the list
and the detail of a view set keep their own operation ids.

`YUAN` is the schema of an amount kept in fen and sent as yuan with two decimals ("1234.50"),
for the API fields that turn fen into such a string (`@extend_schema_field(api_schema.YUAN)`).

tests/core/test_api_schema.py builds the whole schema and fails on any warning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

# drf-spectacular's own spelling of a decimal sent as a string (DecimalField, coerce_to_string).
YUAN: dict[str, Any] = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^-?\d+\.\d{2}$",
    "nullable": True,
    "description": "yuan with two decimals (stored in fen)",
}


def rows(name: str) -> serializers.Serializer:
    """A list of objects with keys the view builds (see the module's docstring)."""
    return inline_serializer(name=name, fields={}, many=True)


def generating(view: object) -> bool:
    """True while drf-spectacular builds the schema (the view has no real request)."""
    return bool(getattr(view, "swagger_fake_view", False))


@extend_schema_field(YUAN)
class YuanField(serializers.Field):
    """A read-only amount kept in fen, sent as yuan with two decimals and no thousands
    separator ("1234.50"), as `YUAN` describes it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: int | None) -> str | None:
        return None if value is None else f"{Decimal(value) / 100:.2f}"
