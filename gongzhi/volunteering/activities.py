"""Volunteering: activities (publish, edit, cancel), who manages one, sign-ups and check-in/out.

Concurrency: sign-ups lock the activity row (`_lock_activity`) and keep `signed_up` ≤
`capacity` (also a CHECK constraint).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.models import User
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.organisations import selectors as org_selectors
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteering import points, qr
from gongzhi.volunteering._common import _text, my_resident
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    OrganiserKind,
    Signup,
    SignupStatus,
    Volunteer,
    VolunteerStatus,
)

CAPACITY_MAX = 1000


def _minutes_setting(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, name, default)))


def checkin_opens_before() -> dt.timedelta:
    return _minutes_setting("VOLUNTEERING_CHECKIN_EARLY_MINUTES", 60)


def checkout_grace() -> dt.timedelta:
    return _minutes_setting("VOLUNTEERING_CHECKOUT_GRACE_MINUTES", 120)


# --------------------------------------------------------------------------- activities

ACTIVITY_FIELDS = (
    "title",
    "description",
    "location",
    "starts_at",
    "ends_at",
    "capacity",
    "required_skills",
    "team",
    "awards_points",
    "awards_hours",
    "allow_walk_in",
)


def _clean_activity(
    data: dict[str, Any], community: Place, *, signed_up: int = 0
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean: dict[str, Any] = {}
    for field, required, limit in (
        ("title", True, 100),
        ("location", True, 120),
        ("required_skills", False, 200),
        ("description", False, 2000),
    ):
        value = (data.get(field) or "").strip()
        if required and not value:
            err(field, _("This field is required."))
        elif len(value) > limit:
            err(field, _("Too long (at most %(n)s characters).") % {"n": limit})
        clean[field] = value
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, dt.datetime) or not isinstance(ends, dt.datetime):
        err("starts_at", _("Give the start and end date and time."))
    else:
        if ends <= starts:
            err("ends_at", _("The end must be after the start."))
        elif ends - starts > dt.timedelta(days=1):
            err("ends_at", _("An activity lasts at most one day; publish one per day."))
        if ends <= clock.now():
            err("ends_at", _("This time is already over; choose a time in the future."))
    capacity = data.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        err("capacity", _("The capacity must be a whole number of at least 1."))
    elif capacity > CAPACITY_MAX:
        err("capacity", _("The capacity may be at most %(n)s.") % {"n": CAPACITY_MAX})
    elif capacity < signed_up:
        err(
            "capacity",
            _("%(n)s residents have already signed up; the capacity cannot be lower.")
            % {"n": signed_up},
        )
    team = data.get("team")
    if team is not None and team.community_id != community.pk:
        err("team", _("Choose a team of this community."))
    if errors:
        raise ValidationError(errors)
    clean.update(
        starts_at=starts,
        ends_at=ends,
        capacity=capacity,
        team=team,
        awards_points=bool(data.get("awards_points", True)),
        awards_hours=bool(data.get("awards_hours", True)),
        allow_walk_in=bool(data.get("allow_walk_in", False)),
    )
    return clean


def _activity_place(place: Place | None) -> tuple[Place, Place]:
    """An activity belongs to a community or to one of its grids (a grid worker's own)."""
    if place is None or place.kind not in (PlaceKind.COMMUNITY, PlaceKind.GRID):
        raise ValidationError({"community": _("Choose a community or a grid.")})
    if place.kind == PlaceKind.COMMUNITY:
        return place, place
    community = Place.objects.filter(path=points.community_path(place.path)).first()
    if community is None:
        raise ValidationError({"community": _("Choose a community or a grid.")})
    return place, community


ORGANISER_FIELDS = (
    "organiser_kind",
    "party_org",
    "partner_unit",
    "organisation",
    "organiser_name",
)


def _host_grant(actor: Viewer, action: str, path: str) -> access.Grant | None:
    """The most specific grant of `action` covering `path` through a post of the community side
    (staff, street officers, grid workers, admins) — not through a partner unit's contact post."""
    best = None
    for grant in access.grants(actor, action):
        if grant.post is not None and grant.post.role == Role.PARTNER_CONTACT:
            continue
        if grant.household_id is not None:
            continue
        covers = grant.everything or (grant.path is not None and path.startswith(grant.path))
        if covers and (best is None or len(grant.path or "") > len(best.path or "")):
            best = grant
    return best


def _community_side(actor: Viewer, path: str) -> bool:
    """The actor organises at `path` through a post of the community side (staff, grid
    workers), not only as a partner unit's contact."""
    return _host_grant(actor, Action.ACTIVITY_ORGANISE, path) is not None


# --------------------------------------------------------------------------- who manages one


def manage_grant(actor: User, activity: Activity) -> access.Grant:
    """The object rule for managing one activity (edit, cancel, the check-in codes, the roster,
    correcting minutes, confirming hours): the one check every write service and every manage
    selector calls. ACTIVITY_ORGANISE over the activity's place is necessary but not enough:

    - the community side hosts everything held in its area: community staff, street officers,
      admins and grid workers (in their grid) with ACTIVITY_ORGANISE over the place, whatever
      the organising body (they run the venue, and hours confirmed here pay the community's
      points);
    - a partner unit's contact manages only the activities organised by their own unit.

    Party organisations' activities are published by ACTIVITY_ORGANISE_PARTY holders, who are
    all on the community side, so they are hosts too. Outside the actor's place scope: 404;
    inside it without this right: 403 (PermissionDenied). Returns the granting post's grant."""
    grant = access.require(
        actor, Action.ACTIVITY_ORGANISE, activity.place_path, read_action=Action.VOLUNTEER_VIEW
    )
    host = _host_grant(actor, Action.ACTIVITY_ORGANISE, activity.place_path)
    if host is not None:
        return host
    if activity.organiser_kind == OrganiserKind.PARTNER_UNIT and activity.partner_unit_id:
        from gongzhi.partners.models import PartnerUnit

        if PartnerUnit.objects.filter(pk=activity.partner_unit_id, contacts=actor).exists():
            return grant
    raise PermissionDenied(
        _("Only the organising unit's contacts and the community's staff may manage this activity.")
    )


def may_manage(actor: User, activity: Activity) -> bool:
    """`manage_grant` as a yes/no, for pages that offer (or not) the manage buttons."""
    try:
        manage_grant(actor, activity)
    except (PermissionDenied, Http404):
        return False
    return True


def may_oversee(actor: User, activity: Activity) -> bool:
    """Who reads an activity's page and roster (residents' names, check-in times): those who
    may manage it, and overseers who hold VOLUNTEER_VIEW over its place through a community-side
    post (district and street officers, grid workers in their grid). A partner unit's contact
    sees the rosters of their own unit's activities only."""
    if _host_grant(actor, Action.VOLUNTEER_VIEW, activity.place_path) is not None:
        return True
    return may_manage(actor, activity)


def _organiser_body(
    actor: User, place: Place, community: Place, data: dict[str, Any]
) -> dict[str, Any]:
    """Who organises: the community, a party organisation of the community (or its street),
    a social organisation (by name) or a partner unit paired with the community or its street.
    Partner contacts publish for their own unit only; a party organisation's activities are
    published by those who hold ACTIVITY_ORGANISE_PARTY (community secretary, street officer)."""
    kind = data.get("organiser_kind") or OrganiserKind.COMMUNITY
    if kind not in OrganiserKind.values:
        raise ValidationError({"organiser_kind": _("Choose who organises the activity.")})
    body: dict[str, Any] = {
        "organiser_kind": kind,
        "party_org": None,
        "partner_unit": None,
        "organisation": None,
        "organiser_name": "",
    }
    community_side = _community_side(actor, place.path)
    if kind == OrganiserKind.PARTY_ORG:
        org = data.get("party_org")
        if org is None:
            raise ValidationError({"party_org": _("Choose the party organisation.")})
        if not (
            org.place_path.startswith(community.path) or community.path.startswith(org.place_path)
        ):
            raise ValidationError(
                {"party_org": _("Choose a party organisation of this community or of its street.")}
            )
        if not access.can(actor, Action.ACTIVITY_ORGANISE_PARTY, place.path):
            raise PermissionDenied(
                _(
                    "Only the community secretary or a street officer publishes activities for "
                    "a party organisation."
                )
            )
        body["party_org"] = org
    elif kind == OrganiserKind.PARTNER_UNIT:
        unit = data.get("partner_unit")
        if unit is None:
            raise ValidationError({"partner_unit": _("Choose the partner unit.")})
        if not unit.is_active or not community.path.startswith(unit.place_path):
            raise ValidationError(
                {
                    "partner_unit": _(
                        "Choose an active partner unit paired with this community or its street."
                    )
                }
            )
        if not community_side and not unit.contacts.filter(pk=actor.pk).exists():
            raise PermissionDenied(
                _("You are not a contact of %(unit)s; you cannot publish for it.") % {"unit": unit}
            )
        body["partner_unit"] = unit
    elif not community_side:
        raise PermissionDenied(
            _("As a partner unit's contact, publish for your unit: choose it as the organiser.")
        )
    elif kind == OrganiserKind.SOCIAL_ORG:
        # A social organisation on the register (issue 16 item 1); a typed name is refused.
        if str(data.get("organiser_name") or "").strip():
            raise ValidationError(
                {
                    "organiser_name": _(
                        "A social organisation is no longer typed by name: choose it on the "
                        "register (register it there first if it is missing)."
                    )
                }
            )
        org = data.get("organisation")
        if org is None:
            raise ValidationError(
                {"organisation": _("Choose the social organisation on the register.")}
            )
        body["organisation"] = org_selectors.check_choice(
            actor, org, community.path, "organisation"
        )
    return body


@transaction.atomic
def publish(*, actor: User, community: Place | None, **data: Any) -> Activity:
    """Publish an activity at a community, or at a grid (grid workers organise in theirs);
    every resident of the community may sign up. `organiser_kind` (+ `party_org`,
    `partner_unit` or `organiser_name`) names the organising body (default: the community)."""
    place, community = _activity_place(community)
    grant = access.require(
        actor, Action.ACTIVITY_ORGANISE, place.path, read_action=Action.VOLUNTEER_VIEW
    )
    body = _organiser_body(
        actor, place, community, {k: data.pop(k, None) for k in ORGANISER_FIELDS}
    )
    clean = _clean_activity(data, community)
    activity = Activity.objects.create(
        community=community,
        place_path=place.path,
        organiser=actor,
        created_at=clock.now(),
        **body,
        **clean,
    )
    audit.record(
        actor=actor,
        action="volunteering.activity_publish",
        target=activity,
        place_path=activity.place_path,
        changes={
            **{k: str(v) for k, v in clean.items()},
            "organiser_kind": body["organiser_kind"],
            "organiser_body": activity.organiser_body,
        },
        post=grant.post,
    )
    return activity


def _lock_activity(activity: Activity | int) -> Activity:
    pk = activity.pk if isinstance(activity, Activity) else activity
    return Activity.objects.select_for_update().get(pk=pk)


@transaction.atomic
def edit(activity: Activity, *, actor: User, **data: Any) -> Activity:
    grant = manage_grant(actor, activity)
    for name in ORGANISER_FIELDS:  # the organising body is fixed when publishing
        data.pop(name, None)
    locked = _lock_activity(activity)
    if locked.status != ActivityStatus.PUBLISHED:
        raise ValidationError(_("This activity can no longer be changed."))
    clean = _clean_activity(data, locked.community, signed_up=locked.signed_up)
    before = {k: str(getattr(locked, k)) for k in clean}
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save()
    audit.record(
        actor=actor,
        action="volunteering.activity_edit",
        target=locked,
        place_path=locked.place_path,
        changes={k: [before[k], str(v)] for k, v in clean.items() if before[k] != str(v)},
        post=grant.post,
    )
    return locked


@transaction.atomic
def cancel_activity(activity: Activity, reason: str, *, actor: User) -> Activity:
    grant = manage_grant(actor, activity)
    reason = _text(reason, "reason", required=True)
    locked = _lock_activity(activity)
    if locked.status != ActivityStatus.PUBLISHED or locked.signups.filter(
        checked_in_at__isnull=False
    ):
        raise ValidationError(
            _("This activity has started or is confirmed; it cannot be cancelled.")
        )
    locked.status = ActivityStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="volunteering.activity_cancel",
        target=locked,
        place_path=locked.place_path,
        changes={"status": [ActivityStatus.PUBLISHED, ActivityStatus.CANCELLED]},
        post=grant.post,
        reason=reason,
    )
    return locked


def _check_joinable(actor: User, activity: Activity) -> Resident:
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, activity.place_path)
    if points.community_path(resident.place_path) != points.community_path(activity.place_path):
        raise PermissionDenied(_("Only residents of the activity's community may sign up."))
    volunteer = Volunteer.objects.filter(resident=resident).first()
    if volunteer is not None and volunteer.status == VolunteerStatus.SUSPENDED:
        raise ValidationError(
            _("Your volunteer registration is suspended. Please contact your community office.")
        )
    return resident


def sign_up(activity: Activity, *, actor: User) -> Signup:
    """Take one place. Two residents racing for the last place: the activity row lock makes
    them queue, the second finds it full."""
    with transaction.atomic():
        resident = _check_joinable(actor, activity)
        locked = _lock_activity(activity)
        if locked.status != ActivityStatus.PUBLISHED or locked.starts_at <= clock.now():
            raise ValidationError(
                _("Sign-up for this activity is closed: it has started or ended.")
            )
        signup = Signup.objects.filter(activity=locked, resident=resident).first()
        if signup is not None and signup.status != SignupStatus.CANCELLED:
            raise ValidationError(_("You have already signed up for this activity."))
        if locked.signed_up >= locked.capacity:
            raise ValidationError(_("The activity is full. Look for another activity."))
        Activity.objects.filter(pk=locked.pk).update(signed_up=F("signed_up") + 1)
        if signup is None:
            signup = Signup.objects.create(
                activity=locked,
                resident=resident,
                place_path=resident.place_path,
                signed_up_at=clock.now(),
            )
        else:
            signup.status, signup.signed_up_at = SignupStatus.SIGNED_UP, clock.now()
            signup.save(update_fields=["status", "signed_up_at"])
        audit.record(
            actor=actor,
            action="volunteering.signup",
            target=locked,
            place_path=locked.place_path,
            changes={"resident": resident.pk},
        )
        return signup


@transaction.atomic
def cancel_signup(activity: Activity, *, actor: User) -> Signup:
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, activity.place_path)
    locked = _lock_activity(activity)
    signup = Signup.objects.filter(
        activity=locked, resident=resident, status=SignupStatus.SIGNED_UP
    ).first()
    if signup is None:
        raise ValidationError(_("You are not signed up for this activity."))
    if signup.checked_in_at or locked.starts_at <= clock.now():
        raise ValidationError(_("The activity has started; ask the organiser instead."))
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status"])
    if not signup.walk_in:
        Activity.objects.filter(pk=locked.pk).update(signed_up=F("signed_up") - 1)
    audit.record(
        actor=actor,
        action="volunteering.signup_cancel",
        target=locked,
        place_path=locked.place_path,
        changes={"resident": resident.pk},
    )
    return signup


def check(activity: Activity, kind: str, window: int | str, token: str, *, actor: User) -> Signup:
    """Record a check-in or check-out from a scanned code (see qr.py); the API's path."""
    try:
        qr.check(activity, kind, window, token)
    except qr.TokenError as error:
        raise ValidationError(str(error)) from None
    return record_check(activity, kind, actor=actor)


def record_check(activity: Activity, kind: str, *, actor: User) -> Signup:
    """Record a check-in ("in") or check-out ("out") of the actor's resident. Callers have
    verified a fresh code: `check()` above, or the scan page's short-lived signed pass."""
    if kind not in qr.KINDS:
        raise ValidationError(
            _("This is not a check-in code. Scan the code on the organiser's phone.")
        )
    with transaction.atomic():
        resident = _check_joinable(actor, activity)
        locked = _lock_activity(activity)
        now = clock.now()
        if locked.status != ActivityStatus.PUBLISHED:
            raise ValidationError(_("This activity is cancelled or already confirmed."))
        if now < locked.starts_at - checkin_opens_before():
            raise ValidationError(
                _("Check-in opens %(n)s minutes before the start.")
                % {"n": int(checkin_opens_before().total_seconds() // 60)}
            )
        if now > locked.ends_at + checkout_grace():
            raise ValidationError(_("This activity is over; check-in and check-out are closed."))
        signup = (
            Signup.objects.select_for_update().filter(activity=locked, resident=resident).first()
        )
        if kind == "in":
            signup = _check_in(locked, resident, signup, now)
        else:
            signup = _check_out(signup, now)
        audit.record(
            actor=actor,
            action=f"volunteering.check_{kind}",
            target=locked,
            place_path=locked.place_path,
            changes={"resident": resident.pk},
        )
        return signup


def _check_in(
    activity: Activity, resident: Resident, signup: Signup | None, now: dt.datetime
) -> Signup:
    if now > activity.ends_at:
        raise ValidationError(_("The activity has ended; check-in is closed."))
    if signup is None or signup.status == SignupStatus.CANCELLED:
        if not activity.allow_walk_in:
            raise ValidationError(
                _("You have not signed up for this activity, and it takes no walk-ins.")
            )
        if signup is None:
            signup = Signup(activity=activity, resident=resident, place_path=resident.place_path)
        signup.walk_in, signup.status = True, SignupStatus.SIGNED_UP
    if signup.status != SignupStatus.SIGNED_UP:
        raise ValidationError(_("Your hours for this activity are already settled."))
    if signup.checked_in_at:
        raise ValidationError(_("You have already checked in."))
    signup.checked_in_at = now
    signup.save()
    return signup


def _check_out(signup: Signup | None, now: dt.datetime) -> Signup:
    if signup is None or not signup.checked_in_at or signup.status != SignupStatus.SIGNED_UP:
        raise ValidationError(_("Check in first: scan the check-in code at the start."))
    if signup.checked_out_at:
        raise ValidationError(_("You have already checked out."))
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    return signup
