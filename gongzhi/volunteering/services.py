"""Every write of volunteering: registration, teams, activities, sign-ups, check-in/out, hours
confirmation (which credits points and hours through the ledger) and the time bank.

Each function is one transaction: it checks the actor's right with `access.require()` (404
outside the actor's scope, 403 inside without the right), validates (ValidationError with a
message that says what to do; nothing written) and records the business action once in the
audit trail. Ledger refusals (LedgerError) are turned into ValidationError.

Concurrency: sign-ups lock the activity row (`select_for_update`; SQLite serialises writers
with BEGIN IMMEDIATE) and keep `signed_up` ≤ `capacity` (also a CHECK constraint); the
time bank locks the exchange row, and the ledger locks the accounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import access, audit, clock, ledger
from gongzhi.core.models import LedgerAccount, LedgerCurrency, LedgerEntry, LedgerOwnerKind
from gongzhi.core.roles import Action, Role
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteering import points, qr
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    Exchange,
    ExchangeStatus,
    OrganiserKind,
    PostKind,
    Signup,
    SignupStatus,
    Team,
    Theme,
    Volunteer,
    VolunteerStatus,
)

TEXT_MAX = 200
CAPACITY_MAX = 1000


def _minutes_setting(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, name, default)))


def checkin_opens_before() -> dt.timedelta:
    return _minutes_setting("VOLUNTEERING_CHECKIN_EARLY_MINUTES", 60)


def checkout_grace() -> dt.timedelta:
    return _minutes_setting("VOLUNTEERING_CHECKOUT_GRACE_MINUTES", 120)


# --------------------------------------------------------------------------- helpers


def my_resident(actor):
    resident = resident_of(actor)
    if resident is None or not points.community_path(resident.place_path):
        raise ValidationError(
            _(
                "Your login is not linked to a resident record. Ask your community office to "
                "link it, then try again."
            )
        )
    return resident


def _text(value, field: str, *, required=False, limit=TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Too long (at most %(n)s characters).") % {"n": limit}})
    return value


def _community(place: Place) -> Place:
    if place is None or place.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    return place


def _ledger_error(error: ledger.LedgerError) -> ValidationError:
    return ValidationError(error.message)


# --------------------------------------------------------------------------- volunteers


@transaction.atomic
def register(actor, *, skills="", availability="", areas="") -> Volunteer:
    """A resident registers as a volunteer (or updates the registration)."""
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, resident.place_path)
    fields = {
        "skills": _text(skills, "skills", required=True),
        "availability": _text(availability, "availability"),
        "areas": _text(areas, "areas"),
    }
    community = points.community_of(resident)
    volunteer = Volunteer.objects.select_for_update().filter(resident=resident).first()
    if volunteer is not None and volunteer.status == VolunteerStatus.SUSPENDED:
        raise ValidationError(
            _("Your volunteer registration is suspended. Please contact your community office.")
        )
    created = volunteer is None
    if created:
        try:
            with transaction.atomic():
                volunteer = Volunteer.objects.create(
                    resident=resident,
                    community=community,
                    place_path=resident.place_path,
                    registered_at=clock.now(),
                    **fields,
                )
        except IntegrityError:
            volunteer = Volunteer.objects.get(resident=resident)
    else:
        for name, value in fields.items():
            setattr(volunteer, name, value)
        volunteer.save(update_fields=list(fields))
    audit.record(
        actor=actor,
        action="volunteering.register" if created else "volunteering.update",
        target=volunteer,
        place_path=volunteer.place_path,
        changes=fields,
    )
    return volunteer


@transaction.atomic
def decide(actor, volunteer: Volunteer, status: str, reason: str = "") -> Volunteer:
    """Approve (active) or suspend a volunteer; suspension needs a reason."""
    grant = access.require(
        actor, Action.VOLUNTEER_MANAGE, volunteer.place_path, read_action=Action.VOLUNTEER_VIEW
    )
    if status not in (VolunteerStatus.ACTIVE, VolunteerStatus.SUSPENDED):
        raise ValidationError({"status": _("Choose approve or suspend.")})
    reason = _text(reason, "reason", required=status == VolunteerStatus.SUSPENDED)
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    before = volunteer.status
    volunteer.status, volunteer.status_reason = status, reason
    volunteer.decided_at, volunteer.decided_by = clock.now(), actor
    volunteer.save()
    audit.record(
        actor=actor,
        action=f"volunteering.{'approve' if status == VolunteerStatus.ACTIVE else 'suspend'}",
        target=volunteer,
        place_path=volunteer.place_path,
        changes={"status": [before, status]},
        post=grant.post,
        reason=reason,
    )
    return volunteer


# --------------------------------------------------------------------------- teams


def _team_members(community: Place, ids) -> list[Volunteer]:
    ids = {int(i) for i in ids or []}
    members = list(Volunteer.objects.filter(pk__in=ids, community=community))
    if len(members) != len(ids):
        raise ValidationError(
            {"members": _("Some of the chosen volunteers are not registered in this community.")}
        )
    return members


@transaction.atomic
def save_team(
    actor, *, community: Place, name: str, theme: str, leader=None, members=(), team=None
) -> Team:
    community = _community(community)
    grant = access.require(
        actor, Action.VOLUNTEER_MANAGE, community.path, read_action=Action.VOLUNTEER_VIEW
    )
    name = _text(name, "name", required=True, limit=60)
    if theme not in Theme.values:
        raise ValidationError({"theme": _("Choose a theme.")})
    chosen = _team_members(community, members)
    if leader is not None and leader.community_id != community.pk:
        raise ValidationError({"leader": _("The leader must be a volunteer of this community.")})
    if leader is not None and leader not in chosen:
        chosen.append(leader)
    if Team.objects.filter(community=community, name=name).exclude(pk=getattr(team, "pk", None)):
        raise ValidationError({"name": _("This community already has a team with this name.")})
    created = team is None
    team = team or Team(community=community, place_path=community.path)
    team.name, team.theme, team.leader = name, theme, leader
    team.save()
    team.members.set(chosen)
    audit.record(
        actor=actor,
        action="volunteering.team_create" if created else "volunteering.team_update",
        target=team,
        place_path=team.place_path,
        changes={
            "name": name,
            "theme": theme,
            "leader": getattr(leader, "pk", None),
            "members": sorted(m.pk for m in chosen),
        },
        post=grant.post,
    )
    return team


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


def _clean_activity(data: dict, community: Place, *, signed_up: int = 0) -> dict:
    errors: dict[str, list] = {}

    def err(field, message):
        errors.setdefault(field, []).append(message)

    clean = {}
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


def _activity_place(place: Place) -> tuple[Place, Place]:
    """An activity belongs to a community or to one of its grids (a grid worker's own)."""
    if place is None or place.kind not in (PlaceKind.COMMUNITY, PlaceKind.GRID):
        raise ValidationError({"community": _("Choose a community or a grid.")})
    if place.kind == PlaceKind.COMMUNITY:
        return place, place
    community = Place.objects.filter(path=points.community_path(place.path)).first()
    if community is None:
        raise ValidationError({"community": _("Choose a community or a grid.")})
    return place, community


ORGANISER_FIELDS = ("organiser_kind", "party_org", "partner_unit", "organiser_name")


def _host_grant(actor, action: str, path: str) -> access.Grant | None:
    """The most specific grant of `action` covering `path` through a post of the community side
    (staff, street officers, grid workers, admins) — not through a partner unit's contact post."""
    best = None
    for grant in access.grants(actor, action):
        if grant.post is not None and grant.post.role == Role.PARTNER_CONTACT:
            continue
        if grant.household_id is not None:
            continue
        covers = grant.everything or path.startswith(grant.path)
        if covers and (best is None or len(grant.path or "") > len(best.path or "")):
            best = grant
    return best


def _community_side(actor, path: str) -> bool:
    """The actor organises at `path` through a post of the community side (staff, grid
    workers), not only as a partner unit's contact."""
    return _host_grant(actor, Action.ACTIVITY_ORGANISE, path) is not None


# --------------------------------------------------------------------------- who manages one


def manage_grant(actor, activity: Activity) -> access.Grant:
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
    access.require(
        actor, Action.ACTIVITY_ORGANISE, activity.place_path, read_action=Action.VOLUNTEER_VIEW
    )
    host = _host_grant(actor, Action.ACTIVITY_ORGANISE, activity.place_path)
    if host is not None:
        return host
    if activity.organiser_kind == OrganiserKind.PARTNER_UNIT and activity.partner_unit_id:
        from gongzhi.partners.models import PartnerUnit

        if PartnerUnit.objects.filter(pk=activity.partner_unit_id, contacts=actor).exists():
            return access.grant_for(actor, Action.ACTIVITY_ORGANISE, activity.place_path)
    raise PermissionDenied(
        _("Only the organising unit's contacts and the community's staff may manage this activity.")
    )


def may_manage(actor, activity: Activity) -> bool:
    """`manage_grant` as a yes/no, for pages that offer (or not) the manage buttons."""
    try:
        manage_grant(actor, activity)
    except (PermissionDenied, Http404):
        return False
    return True


def may_oversee(actor, activity: Activity) -> bool:
    """Who reads an activity's page and roster (residents' names, check-in times): those who
    may manage it, and overseers who hold VOLUNTEER_VIEW over its place through a community-side
    post (district and street officers, grid workers in their grid). A partner unit's contact
    sees the rosters of their own unit's activities only."""
    if _host_grant(actor, Action.VOLUNTEER_VIEW, activity.place_path) is not None:
        return True
    return may_manage(actor, activity)


def _organiser_body(actor, place: Place, community: Place, data: dict) -> dict:
    """Who organises: the community, a party organisation of the community (or its street),
    a social organisation (by name) or a partner unit paired with the community or its street.
    Partner contacts publish for their own unit only; a party organisation's activities are
    published by those who hold ACTIVITY_ORGANISE_PARTY (community secretary, street officer)."""
    kind = data.get("organiser_kind") or OrganiserKind.COMMUNITY
    if kind not in OrganiserKind.values:
        raise ValidationError({"organiser_kind": _("Choose who organises the activity.")})
    body = {"organiser_kind": kind, "party_org": None, "partner_unit": None, "organiser_name": ""}
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
        body["organiser_name"] = _text(
            data.get("organiser_name"), "organiser_name", required=True, limit=100
        )
    return body


@transaction.atomic
def publish(actor, *, community: Place, **data) -> Activity:
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


def _lock_activity(activity) -> Activity:
    pk = getattr(activity, "pk", activity)
    return Activity.objects.select_for_update().get(pk=pk)


@transaction.atomic
def edit(actor, activity: Activity, **data) -> Activity:
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
def cancel_activity(actor, activity: Activity, reason: str) -> Activity:
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


def _check_joinable(actor, activity: Activity):
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


def sign_up(actor, activity: Activity) -> Signup:
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
def cancel_signup(actor, activity: Activity) -> Signup:
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


def check(actor, activity: Activity, kind: str, window, token: str) -> Signup:
    """Record a check-in or check-out from a scanned code (see qr.py); the API's path."""
    try:
        qr.check(activity, kind, window, token)
    except qr.TokenError as error:
        raise ValidationError(str(error)) from None
    return record_check(actor, activity, kind)


def record_check(actor, activity: Activity, kind: str) -> Signup:
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
        signup = Signup.objects.select_for_update().filter(activity=locked, resident=resident)
        signup = signup.first()
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


def _check_in(activity: Activity, resident, signup, now) -> Signup:
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


def _check_out(signup, now) -> Signup:
    if signup is None or not signup.checked_in_at or signup.status != SignupStatus.SIGNED_UP:
        raise ValidationError(_("Check in first: scan the check-in code at the start."))
    if signup.checked_out_at:
        raise ValidationError(_("You have already checked out."))
    signup.checked_out_at = now
    signup.save(update_fields=["checked_out_at"])
    return signup


# --------------------------------------------------------------------------- hours


def computed_minutes(signup: Signup) -> int:
    """Check-out − check-in within the activity's time (arriving early or leaving late does
    not count beyond it), so at most its duration; 0 when incomplete."""
    if signup.minutes_override is not None:
        return signup.minutes_override
    if not signup.checked_in_at or not signup.checked_out_at:
        return 0
    activity = signup.activity
    start = max(signup.checked_in_at, activity.starts_at)
    end = min(signup.checked_out_at, activity.ends_at)
    worked = int((end - start).total_seconds() // 60)
    return max(0, min(worked, activity.duration_minutes))


@transaction.atomic
def correct_minutes(actor, signup: Signup, minutes, reason: str) -> Signup:
    """The organiser sets a participant's minutes (forgot to scan, left early…), with a reason."""
    activity = signup.activity
    grant = manage_grant(actor, activity)
    reason = _text(reason, "reason", required=True)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise ValidationError({"minutes": _("Give the minutes as a whole number, 0 or more.")})
    if minutes > activity.duration_minutes:
        raise ValidationError(
            {
                "minutes": _("At most the activity's duration: %(n)s minutes.")
                % {"n": activity.duration_minutes}
            }
        )
    locked = Signup.objects.select_for_update().get(pk=signup.pk)
    if locked.status not in (SignupStatus.SIGNED_UP, SignupStatus.NO_SHOW):
        raise ValidationError(_("These hours are already confirmed and credited."))
    before = computed_minutes(locked)
    locked.minutes_override, locked.override_reason = minutes, reason
    if locked.status == SignupStatus.NO_SHOW:
        locked.status = SignupStatus.SIGNED_UP
    locked.save()
    audit.record(
        actor=actor,
        action="volunteering.minutes_correct",
        target=activity,
        place_path=activity.place_path,
        changes={"resident": locked.resident_id, "minutes": [before, minutes]},
        post=grant.post,
        reason=reason,
    )
    return locked


def _credit(actor, activity: Activity, signup: Signup, minutes: int) -> int:
    """Points and hours of one participant; idempotent by the keys (replay-safe)."""
    base = f"activity:{activity.pk}:resident:{signup.resident_id}"
    resident = signup.resident
    total = 0
    if activity.awards_points:
        for rule, units, key in (
            ("service_hour", minutes / 60, f"{base}:points"),
            ("activity", 1, f"{base}:activity-points"),
        ):
            result = (
                points.earn_result(
                    resident,
                    rule,
                    source=activity,
                    units=units,
                    actor=actor,
                    key=key,
                    reason_text=activity.title,
                )
                if units
                else None
            )
            total += result.amount if result else 0
    if activity.awards_hours and minutes:
        points.deposit_hours(
            resident,
            minutes,
            source=activity,
            key=f"{base}:hours",
            actor=actor,
            reason_text=activity.title,
        )
    return total


def confirm_hours(actor, activity: Activity, signup_ids=None) -> dict[str, int]:
    """Confirm the hours of the checked-out participants (or of `signup_ids`), crediting points
    and time-bank hours once each; after the end, mark who never checked in as no-show."""
    with transaction.atomic():
        grant = manage_grant(actor, activity)
        locked = _lock_activity(activity)
        if locked.status == ActivityStatus.CANCELLED:
            raise ValidationError(_("This activity was cancelled."))
        rows = (
            Signup.objects.select_for_update()
            .select_related("resident")
            .filter(activity=locked, status=SignupStatus.SIGNED_UP)
        )
        if signup_ids is not None:
            rows = rows.filter(pk__in=[int(i) for i in signup_ids])
        confirmed = credited = 0
        now = clock.now()
        for signup in rows:
            signup.activity = locked
            ready = signup.minutes_override is not None or signup.checked_out_at is not None
            if not ready:
                continue
            minutes = computed_minutes(signup)
            try:
                signup.points = _credit(actor, locked, signup, minutes)
            except (ledger.LedgerError, points.EarnError) as error:
                raise ValidationError(str(error)) from None
            signup.minutes, signup.status = minutes, SignupStatus.CONFIRMED
            signup.confirmed_at, signup.confirmed_by = now, actor
            signup.save()
            confirmed += 1
            credited += signup.points
        no_shows = _mark_no_shows(locked, now)
        if confirmed or no_shows:
            audit.record(
                actor=actor,
                action="volunteering.hours_confirm",
                target=locked,
                place_path=locked.place_path,
                changes={"confirmed": confirmed, "points": credited, "no_shows": no_shows},
                post=grant.post,
            )
        if now > locked.ends_at and not locked.signups.filter(status=SignupStatus.SIGNED_UP):
            locked.status, locked.confirmed_at = ActivityStatus.CONFIRMED, now
            locked.save(update_fields=["status", "confirmed_at"])
        return {"confirmed": confirmed, "points": credited, "no_shows": no_shows}


def _mark_no_shows(activity: Activity, now) -> int:
    if now <= activity.ends_at:
        return 0
    missing = Signup.objects.filter(
        activity=activity,
        status=SignupStatus.SIGNED_UP,
        checked_in_at__isnull=True,
        minutes_override__isnull=True,
    )
    residents = list(missing.values_list("resident_id", flat=True))
    count = missing.update(status=SignupStatus.NO_SHOW)
    if residents:
        Volunteer.objects.filter(resident_id__in=residents).update(no_shows=F("no_shows") + 1)
    return count


def mark_no_shows(now=None) -> int:
    """Periodic: no-shows of the activities that ended (run by tasks.py)."""
    now = now or clock.now()
    total = 0
    ended = Activity.objects.filter(
        status=ActivityStatus.PUBLISHED,
        ends_at__lt=now,
        signups__status=SignupStatus.SIGNED_UP,
        signups__checked_in_at__isnull=True,
    ).distinct()
    for activity in ended:
        with transaction.atomic():
            total += _mark_no_shows(_lock_activity(activity), now)
    return total


# --------------------------------------------------------------------------- time bank


def _minutes(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError({"minutes": _("Give the time in whole minutes, more than 0.")})
    limit = ledger.max_amount("hours")
    if value > limit:
        raise ValidationError({"minutes": _("At most %(n)s hours at once.") % {"n": limit // 60}})
    return value


def _require_hours(resident, minutes: int) -> None:
    available = ledger.balance(points.hours_account(resident))
    if available < minutes:
        raise ValidationError(
            _(
                "Not enough time-bank hours: %(available)s available, %(needed)s needed. Earn "
                "hours by volunteering first."
            )
            % {
                "available": ledger.format_amount("hours", available),
                "needed": ledger.format_amount("hours", minutes),
            }
        )


@transaction.atomic
def post_exchange(actor, *, kind: str, title: str, description: str = "", minutes) -> Exchange:
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, resident.place_path)
    if kind not in PostKind.values:
        raise ValidationError({"kind": _("Choose request or offer.")})
    title = _text(title, "title", required=True, limit=100)
    description = _text(description, "description", limit=1000)
    minutes = _minutes(minutes)
    if kind == PostKind.REQUEST:
        _require_hours(resident, minutes)
    community = points.community_of(resident)
    exchange = Exchange.objects.create(
        kind=kind,
        community=community,
        place_path=community.path,
        author=resident,
        title=title,
        description=description,
        minutes=minutes,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="volunteering.timebank_post",
        target=exchange,
        place_path=exchange.place_path,
        changes={"kind": kind, "minutes": minutes},
    )
    return exchange


def _lock_exchange(actor, exchange) -> tuple[Exchange, object]:
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, exchange.place_path)
    locked = Exchange.objects.select_for_update().get(pk=exchange.pk)
    return locked, resident


@transaction.atomic
def take_exchange(actor, exchange: Exchange) -> Exchange:
    """Another resident of the community takes it; two takers: the row lock lets one win."""
    locked, resident = _lock_exchange(actor, exchange)
    if points.community_path(resident.place_path) != locked.place_path:
        raise Http404
    if locked.author_id == resident.pk:
        raise ValidationError(_("You cannot take your own request or offer."))
    if locked.status != ExchangeStatus.OPEN:
        raise ValidationError(_("Someone else has already taken this; look for another one."))
    if locked.kind == PostKind.OFFER:
        _require_hours(resident, locked.minutes)
    locked.taker, locked.status, locked.taken_at = resident, ExchangeStatus.TAKEN, clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="volunteering.timebank_take",
        target=locked,
        place_path=locked.place_path,
        changes={"taker": resident.pk},
    )
    return locked


@transaction.atomic
def confirm_exchange(actor, exchange: Exchange) -> Exchange:
    """Each side confirms the service happened; with both, the hours move requester → provider."""
    locked, resident = _lock_exchange(actor, exchange)
    if locked.status != ExchangeStatus.TAKEN:
        raise ValidationError(_("Only a taken request or offer can be confirmed."))
    if resident.pk == locked.requester.pk:
        locked.requester_confirmed = True
    elif resident.pk == locked.provider.pk:
        locked.provider_confirmed = True
    else:
        raise PermissionDenied(_("Only the two residents of this exchange may confirm it."))
    if locked.requester_confirmed and locked.provider_confirmed:
        try:
            ledger.transfer(
                debit=points.hours_account(locked.requester),
                credit=points.hours_account(locked.provider),
                amount=locked.minutes,
                reason="timebank",
                reason_text=locked.title,
                source=locked,
                idempotency_key=f"timebank:{locked.pk}",
                actor=actor,
            )
        except ledger.LedgerError as error:
            raise _ledger_error(error) from None
        locked.status, locked.done_at = ExchangeStatus.DONE, clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="volunteering.timebank_confirm",
        target=locked,
        place_path=locked.place_path,
        changes={"status": locked.status, "by": resident.pk},
    )
    return locked


@transaction.atomic
def cancel_exchange(actor, exchange: Exchange) -> Exchange:
    locked, resident = _lock_exchange(actor, exchange)
    if locked.author_id != resident.pk:
        raise PermissionDenied(_("Only the resident who posted it may cancel it."))
    if locked.status != ExchangeStatus.OPEN:
        raise ValidationError(_("It has been taken; it can no longer be cancelled."))
    locked.status = ExchangeStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="volunteering.timebank_cancel",
        target=locked,
        place_path=locked.place_path,
        changes={"status": ExchangeStatus.CANCELLED},
    )
    return locked


def family_members(resident):
    from gongzhi.people.models import Resident

    if not resident.household_id:
        return Resident.objects.none()
    return Resident.objects.filter(household_id=resident.household_id, is_active=True).exclude(
        pk=resident.pk
    )


@transaction.atomic
def family_transfer(actor, *, to_resident_id, minutes, key: str):
    """Pass deposited hours to a member of the same household, when the profile allows it."""
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, resident.place_path)
    community = points.community_of(resident)
    if not points.int_setting(community, "timebank.family_transfer"):
        raise ValidationError(
            _("Transfers of time-bank hours to family are not allowed in this community.")
        )
    minutes = _minutes(minutes)
    target = family_members(resident).filter(pk=to_resident_id).first()
    if target is None:
        raise ValidationError(
            {"to_resident": _("Hours can only go to a member of your own household.")}
        )
    try:
        entry = ledger.transfer(
            debit=points.hours_account(resident),
            credit=points.hours_account(target),
            amount=minutes,
            reason="family_transfer",
            reason_text=_("Transfer to family: %(name)s") % {"name": target.name},
            source=target,
            idempotency_key=f"family:{resident.pk}:{key}",
            actor=actor,
        )
    except ledger.LedgerError as error:
        raise _ledger_error(error) from None
    audit.record(
        actor=actor,
        action="volunteering.family_transfer",
        target=target,
        place_path=resident.place_path,
        changes={"from": resident.pk, "to": target.pk, "minutes": minutes},
    )
    return entry


# --------------------------------------------------------------------------- corrections

REVERSAL_REASONS = {
    "wrong_person": gettext_lazy("Credited to the wrong resident"),
    "not_attended": gettext_lazy("The resident did not take part"),
    "duplicate": gettext_lazy("Credited twice"),
    "wrong_amount": gettext_lazy("Wrong amount"),
    "other": gettext_lazy("Other reason"),
}


@dataclass
class Reversal:
    entry: LedgerEntry  # the reversing entry
    original: LedgerEntry
    created: bool  # False: it had been reversed before, nothing was written now


def is_award(entry: LedgerEntry) -> bool:
    """Points or hours the community credited to a resident (issuer → resident); the only
    entries staff correct here. Spending, transfers and expiry are not awards."""
    return (
        entry.reverses_id is None
        and entry.debit.owner_kind == LedgerOwnerKind.ISSUER
        and entry.credit.owner_kind == LedgerOwnerKind.RESIDENT
    )


def reverse_award(actor, entry_id, *, reason_kind: str, reason: str) -> Reversal:
    """Correct a wrongly credited award by reversing it (the ledger's only correction): the
    same amount goes back resident → issuer, with the reason on the resident's statement.
    VOLUNTEER_MANAGE in the resident's community; idempotent (a second request returns the
    first reversal and writes nothing); refused, changing nothing, when the resident has
    spent or moved the points or hours meanwhile."""
    from gongzhi.people.models import Resident

    original = (
        LedgerEntry.objects.select_related("debit", "credit").filter(pk=entry_id or 0).first()
    )
    account = None
    if original is not None:
        account = next(
            (a for a in (original.credit, original.debit) if a.owner_kind == "resident"), None
        )
    resident = Resident.objects.filter(pk=account.owner_id).first() if account else None
    if resident is None:
        raise Http404
    grant = access.require(
        actor, Action.VOLUNTEER_MANAGE, resident.place_path, read_action=Action.VOLUNTEER_VIEW
    )
    if not is_award(original):
        raise ValidationError(
            _("Only points or hours credited by the community can be reversed here.")
        )
    if reason_kind not in REVERSAL_REASONS:
        raise ValidationError({"reason_kind": _("Choose why the award is reversed.")})
    reason = _text(reason, "reason", required=True)
    currency = original.credit.currency
    with transaction.atomic():
        # The resident's account row: two corrections of one award queue here, and the second
        # finds the first one's reversal.
        ledger_account = LedgerAccount.objects.select_for_update().get(pk=original.credit_id)
        done = LedgerEntry.objects.filter(reverses_id=original.pk).first()
        if done is not None:
            return Reversal(done, original, False)
        if ledger_account.balance < original.amount:
            what = _("hours") if currency == LedgerCurrency.HOURS else _("points")
            raise ValidationError(
                _(
                    "This award cannot be reversed: the resident has already used some of these "
                    "%(what)s (%(available)s left, %(amount)s would be taken back). Nothing was "
                    "changed. Cancel the later spending first, for example a redemption."
                )
                % {
                    "what": what,
                    "available": ledger.format_amount(currency, ledger_account.balance),
                    "amount": ledger.format_amount(currency, original.amount),
                }
            )
        label = REVERSAL_REASONS[reason_kind]
        try:
            entry = ledger.reverse(
                original,
                reason=_("Correction (%(kind)s): %(reason)s") % {"kind": label, "reason": reason},
                idempotency_key=f"correction:{original.pk}",
                actor=actor,
            )
        except ledger.LedgerError as error:
            raise _ledger_error(error) from None
        audit.record(
            actor=actor,
            action="volunteering.award_reverse",
            target=resident,
            place_path=resident.place_path,
            changes={
                "entry": original.pk,
                "reversal": entry.pk,
                "currency": currency,
                "amount": original.amount,
            },
            post=grant.post,
            reason=f"{reason_kind}: {reason}",
        )
    return Reversal(entry, original, True)


def local_day(value) -> dt.date:
    return timezone.localtime(value).date()
