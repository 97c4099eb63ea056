from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from gongzhi.core import access
from gongzhi.core.models import Post


def api_exception_handler(exc, context):
    """Service-layer validation errors become 400s with the field messages."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    return exception_handler(exc, context)


class PostSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True, default=None)
    place_path = serializers.CharField(source="place.path", read_only=True, default=None)

    class Meta:
        model = Post
        fields = ["id", "role", "role_label", "place", "place_name", "place_path", "household"]


class MeView(APIView):
    """The logged-in user and their posts."""

    def get(self, request):
        user = request.user
        return Response(
            {
                "id": user.pk,
                "name": user.name,
                "username": user.username,
                "phone": user.phone_masked,
                "staff": access.is_staff_user(user),
                "posts": PostSerializer(access.active_posts(user), many=True).data,
            }
        )
