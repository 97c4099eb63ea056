from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from gongzhi.core import access, auth
from gongzhi.core.models import Post
from gongzhi.core.views import login_rate


def api_exception_handler(exc, context):
    """Service-layer validation errors become 400s with the field messages."""
    if isinstance(exc, Ratelimited):
        exc = Throttled()
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


class TokenSerializer(serializers.Serializer):
    identifier = serializers.CharField(max_length=64)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class ObtainTokenView(APIView):
    """Exchange username/phone and password for an API token (phone apps, mini-programs).

    Same lockout as the login page; rate-limited per client address.
    """

    authentication_classes: list = []
    permission_classes: list = []
    serializer_class = TokenSerializer

    @method_decorator(ratelimit(key="ip", rate=login_rate, method="POST", block=True))
    def post(self, request):
        data = TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = auth.check_credentials(
                data.validated_data["identifier"], data.validated_data["password"]
            )
        except auth.AccountLocked:
            return Response(
                {"detail": _("Too many failed attempts: this account is locked.")}, status=403
            )
        if user is None:
            return Response({"detail": _("Wrong username, phone number or password.")}, status=400)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
