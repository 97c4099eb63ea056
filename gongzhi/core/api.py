from __future__ import annotations

from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter, SimpleRouter
from rest_framework.views import APIView, exception_handler

from gongzhi.core import access, auth, otp
from gongzhi.core.models import Post
from gongzhi.core.views import login_rate


def api_exception_handler(exc, context):
    """Service-layer validation errors become 400s with the field messages; a value the
    database refuses (too long, out of range, a NUL byte — PostgreSQL's DataError) or that
    overflows date arithmetic (a far date) is a 400 too, never a 500."""
    if isinstance(exc, Ratelimited):
        exc = Throttled()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    if isinstance(exc, DataError | OverflowError):  # e.g. a date in year 9999 plus a day
        exc = ValidationError({"detail": [_("A value is too long or out of range.")]})
    return exception_handler(exc, context)


# --------------------------------------------------------------------------- bad input
#
# Every route of /api/v1/ goes through the routers below (issue 13: no input may give a 500):
# ids in URLs are digits. Bodies: gongzhi/core/api_parsers.py.

ID_REGEX = r"\d+"


class IntIdRouterMixin:
    """Routes whose `{pk}` is digits only: `/api/v1/meetings/abc/` is a 404, not a ValueError.
    A ViewSet that looks objects up by something else sets `lookup_value_regex` itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._use_regex:  # what DRF uses for a ViewSet without lookup_value_regex
            self._default_value_pattern = ID_REGEX


class Router(IntIdRouterMixin, SimpleRouter):
    """The router of every app's api_urls.py."""


class RootRouter(IntIdRouterMixin, DefaultRouter):
    """The router of gongzhi/api_urls.py (with the browsable API root).

    No ".json" twins of the routes: custom actions take no `format` argument, so a twin such
    as /api/v1/notifications/unread-count.json answered 500; clients ask for JSON by Accept."""

    include_format_suffixes = False


class PostSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True, default=None)
    place_path = serializers.CharField(source="place.path", read_only=True, default=None)

    class Meta:
        model = Post
        fields = ["id", "role", "role_label", "place", "place_name", "place_path", "household"]


class MeSerializer(serializers.Serializer):
    """The shape MeView answers (for the schema)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()
    phone = serializers.CharField(help_text="masked; empty without a phone")
    staff = serializers.BooleanField()
    posts = PostSerializer(many=True)


class MeView(APIView):
    """The logged-in user and their posts."""

    @extend_schema(responses=MeSerializer)
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
    # Officers, administrators and whoever may reveal or export personal data (otp.required):
    # a code from their authenticator app, or a recovery code.
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True)


def _second_factor_refusal(user, code: str) -> Response | None:
    """No token without the second factor: the API must not be a way around it."""
    if not otp.enrolled(user):
        return Response(
            {"detail": _("Set up the second factor at the web login first."), "otp_required": True},
            status=403,
        )
    if not code:
        return Response(
            {"detail": _("A code from your authenticator app is required."), "otp_required": True},
            status=400,
        )
    if otp.check(user, code) is None:
        return Response(
            {"detail": _("The code is wrong or has been used already."), "otp_required": True},
            status=400,
        )
    return None


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
        if auth.demo_refused(data.validated_data["password"]):
            return Response({"detail": auth.demo_refusal_text()}, status=400)
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
        if otp.required(user):
            refusal = _second_factor_refusal(user, data.validated_data.get("otp", ""))
            if refusal is not None:
                return refusal
        update_last_login(None, user)  # a token issued counts as a use of the account
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
