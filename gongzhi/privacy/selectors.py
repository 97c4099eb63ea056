"""Reads of the privacy app, narrowed to what the user may see.

A resident sees only their own requests and consents (filtered by their login, never by an id
they send). Staff see the requests of their area (`privacy.handle`, scoped by place path);
a request outside it is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from gongzhi.core import access, clock
from gongzhi.core.roles import Action
from gongzhi.people.selectors import resident_of
from gongzhi.privacy.models import OPEN_STATUSES, Consent, PrivacyRequest
from gongzhi.privacy.registry import Person

if TYPE_CHECKING:
    from gongzhi.core.models import User
    from gongzhi.core.types import Viewer
    from gongzhi.privacy.models import ProcessingActivity, RetentionRule


def person_of(user: User) -> Person:
    """The login and the registry record behind it."""
    return Person(user=user, resident=resident_of(user))


def consents_of(user: User | None) -> QuerySet[Consent]:
    if user is None:
        return Consent.objects.none()
    return Consent.objects.filter(user=user).order_by("-given_at", "-id")


def standing_consents(user: User | None) -> dict[str, Consent]:
    """Purpose → the consent in force (not withdrawn)."""
    return {c.purpose: c for c in consents_of(user).filter(withdrawn_at=None)}


def with_overdue(qs: QuerySet[PrivacyRequest]) -> QuerySet[PrivacyRequest]:
    """Annotate `overdue`: still open after its answer date."""
    return qs.annotate(
        overdue=Case(
            When(Q(status__in=OPEN_STATUSES, due_on__lt=clock.today()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def requests_of(user: User | None) -> QuerySet[PrivacyRequest]:
    """The requests a person filed themselves, newest first."""
    if user is None:
        return PrivacyRequest.objects.none()
    return with_overdue(PrivacyRequest.objects.filter(user=user))


def get_my_request(user: User, pk: int) -> PrivacyRequest:
    return get_object_or_404(requests_of(user), pk=pk)


def request_queue(user: Viewer, status: str = "") -> QuerySet[PrivacyRequest]:
    """Requests of the staff member's area; open ones first, the oldest answer date first."""
    qs = access.scoped(
        PrivacyRequest.objects.select_related("community", "resident", "handled_by"),
        user,
        Action.PRIVACY_HANDLE,
        path_field="place_path",
    )
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=clock.today())
    elif status:
        qs = qs.filter(status=status)
    is_open = Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return with_overdue(qs).order_by(is_open, "due_on", "id")


def get_handled_request(user: Viewer, pk: int) -> PrivacyRequest:
    return get_object_or_404(request_queue(user), pk=pk)


def processing_activities(user: Viewer) -> QuerySet[ProcessingActivity]:
    """The register of processing activities (privacy.register); installation-wide."""
    from gongzhi.privacy.models import ProcessingActivity

    if not access.has_any(user, Action.PRIVACY_REGISTER):
        raise PermissionDenied
    return ProcessingActivity.objects.all()


def retention_rules() -> QuerySet[RetentionRule]:
    from gongzhi.privacy.models import RetentionRule

    return RetentionRule.objects.all()
